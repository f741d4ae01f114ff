"""Cover art checked against Apple's rules (SPEC 2.4), read with Pillow (the only module that
knows it): square, 1400-3000 px, JPEG or PNG matching its extension, RGB without alpha."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from .errors import Problem, error, warning

MIN_SIDE, MAX_SIDE = 1400, 3000
LARGE_FILE = 1_000_000
_FORMAT_BY_SUFFIX = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def check_image(
    reference: str, media_dir: Path, shown_as: str, field: str, line: int | None
) -> list[Problem]:
    """Apple's rules for an `image` key: a file in media/ is read; a URL can only be checked
    for its extension, which Apple reads the format from."""
    if "://" not in reference:
        return check_artwork(media_dir / reference, shown_as, field, line)
    if PurePosixPath(urlsplit(reference).path).suffix.lower() in _FORMAT_BY_SUFFIX:
        return []
    return [
        error(
            "artwork-format",
            shown_as,
            field,
            f"{reference!r} does not end in .jpg, .jpeg or .png",
            "link the JPEG or PNG file itself; Apple goes by the URL's extension",
            line=line,
        )
    ]


def check_artwork(path: Path, shown_as: str, field: str, line: int | None) -> list[Problem]:
    """Every reason Apple would refuse this image, reading only its header."""

    def problem(code: str, message: str, fix: str) -> Problem:
        return error(code, shown_as, field, message, fix, line=line)

    expected_format = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if expected_format is None:
        return [
            problem(
                "artwork-format",
                f"{path.name!r} is not a .jpg, .jpeg or .png file",
                "export the artwork as JPEG or PNG",
            )
        ]
    try:
        with Image.open(path) as image:
            real_format, (width, height), mode = image.format, image.size, image.mode
            has_alpha = mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    except FileNotFoundError:
        return [
            problem(
                "artwork-missing",
                f"{path.name!r} is not in media/",
                "add the file or correct the name",
            )
        ]
    except (UnidentifiedImageError, OSError):
        return [
            problem(
                "artwork-unreadable",
                f"{path.name!r} is not a readable image",
                "export it again as JPEG or PNG",
            )
        ]
    problems = []
    if real_format != expected_format:
        problems.append(
            problem(
                "artwork-format",
                f"{path.name!r} is really a {real_format} image",
                f"convert it to {expected_format} or rename it to match its real format",
            )
        )
    if width != height:
        problems.append(
            problem(
                "artwork-not-square",
                f"{path.name!r} is {width}x{height} px, not square",
                "crop it to a square",
            )
        )
    if not min(width, height) >= MIN_SIDE or max(width, height) > MAX_SIDE:
        problems.append(
            problem(
                "artwork-too-small" if min(width, height) < MIN_SIDE else "artwork-too-large",
                f"{path.name!r} is {width}x{height} px; Apple accepts {MIN_SIDE} to {MAX_SIDE} px",
                "export it at 3000x3000 px",
            )
        )
    if has_alpha:
        problems.append(
            problem(
                "artwork-alpha",
                f"{path.name!r} has an alpha channel (transparency)",
                "export it without transparency",
            )
        )
    elif mode not in ("RGB", "P"):
        problems.append(
            problem(
                "artwork-colour-space",
                f"{path.name!r} is in the {mode} colour space, not RGB",
                "convert it to RGB",
            )
        )
    if path.stat().st_size > LARGE_FILE:
        problems.append(
            warning(
                "artwork-large-file",
                shown_as,
                field,
                f"{path.name!r} is {path.stat().st_size / 1e6:.1f} MB; apps load it slowly",
                "compress it below 1 MB",
                line=line,
            )
        )
    return problems


def placeholder_cover(path: Path, title: str) -> None:
    """A plain 1400 px cover with the show's title, so a new show validates until the real
    artwork arrives."""
    cover = Image.new("RGB", (MIN_SIDE, MIN_SIDE), (40, 44, 52))
    ImageDraw.Draw(cover).text(
        (MIN_SIDE // 2, MIN_SIDE // 2),
        title[:24],
        fill="white",
        font=ImageFont.load_default(size=110),
        anchor="mm",
    )
    cover.save(path, "JPEG", quality=85)
