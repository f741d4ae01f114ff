"""Cover art checked against Apple's rules (SPEC 2.4), read with Pillow (the only module that
knows it): square, 1400-3000 px, JPEG or PNG matching its extension, RGB without alpha."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urlsplit

from .assets import MediaFiles, lfs_pointer_problem
from .cache import Cache, remember
from .errors import PodcastFeedError, Problem, Severity
from .filetypes import IMAGE_TYPES
from .models import Episode, Show

MIN_SIDE, MAX_SIDE = 1400, 3000
LARGE_FILE = 1_000_000
PLACEHOLDER_COMMENT = b"podcast-feed init: placeholder cover, replace it"
"""The JPEG comment of the cover `init` writes: how `validate` knows it was never replaced."""
_FORMAT_BY_SUFFIX = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
IMAGE_SUFFIXES = frozenset(
    {*IMAGE_TYPES, ".gif", ".webp", ".heic", ".heif", ".avif", ".tif", ".tiff", ".bmp"}
)
"""The images `inspect` reads as images: Apple's artwork formats and those it refuses."""


def check_image(
    reference: str,
    media_dir: Path,
    owner: Show | Episode,
    field: str,
    cache: Cache | None = None,
    available: MediaFiles | None = None,
) -> list[Problem]:
    """Apple's rules for an `image` key of the show or an episode: a file in media/ is read; a
    URL can only be checked for its extension, which Apple reads the format from."""
    if "://" not in reference:
        return check_artwork(media_dir, reference, owner, field, cache, available)
    if PurePosixPath(urlsplit(reference).path).suffix.lower() in _FORMAT_BY_SUFFIX:
        return []
    return [
        owner.error(
            "artwork-format",
            field,
            f"{reference!r} does not end in .jpg, .jpeg or .png",
            "link the JPEG or PNG file itself; Apple goes by the URL's extension",
        )
    ]


@dataclass(frozen=True)
class ImageFacts:
    """What an image's header says, all that Apple's rules need."""

    format: str | None
    width: int
    height: int
    mode: str
    has_alpha: bool
    size: int
    placeholder: bool = False
    """The cover `init` wrote, still in place."""


class UnreadableImage(PodcastFeedError):
    """Pillow does not recognise the file as an image."""


def image_facts(path: Path) -> ImageFacts:
    """The image's header, read with Pillow (imported here: only builds with artwork pay)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            width, height = image.size
            placeholder = image.info.get("comment") == PLACEHOLDER_COMMENT
            return ImageFacts(
                image.format, width, height, image.mode, has_alpha, path.stat().st_size, placeholder
            )
    except FileNotFoundError:
        raise
    except (UnidentifiedImageError, OSError):
        raise UnreadableImage(str(path)) from None


def check_artwork(
    media_dir: Path,
    name: str,
    owner: Show | Episode,
    field: str,
    cache: Cache | None = None,
    available: MediaFiles | None = None,
) -> list[Problem]:
    """Every reason Apple would refuse the image `name` in media/, reading only its header (or
    what `cache` remembers of it); `available`, media/ as the build listed it, for the
    suggestion if it is missing."""
    path = media_dir / name

    expected_format = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if expected_format is None:
        return [
            owner.error(
                "artwork-format",
                field,
                f"{name!r} is not a .jpg, .jpeg or .png file",
                "export the artwork as JPEG or PNG",
            )
        ]
    try:
        facts = remember(cache, "image", path, functools.partial(image_facts, path))
    except FileNotFoundError:
        return [
            owner.error(
                "artwork-missing",
                field,
                f"{name!r} is not in media/",
                MediaFiles.listed(media_dir, available).missing_fix(
                    name, "add the file or correct the name", IMAGE_TYPES
                ),
            )
        ]
    except (UnreadableImage, OSError):
        return [
            lfs_pointer_problem(owner, field, path, name)
            or owner.error(
                "artwork-unreadable",
                field,
                f"{name!r} is not a readable image",
                "export it again as JPEG or PNG",
            )
        ]
    return [
        (owner.error if fault.severity is Severity.ERROR else owner.warning)(
            fault.code, field, fault.message, fault.fix
        )
        for fault in artwork_faults(name, facts)
    ]


class Fault(NamedTuple):
    """A reason Apple refuses (an error) or apps suffer (a warning) an image, wherever it is."""

    severity: Severity
    code: str
    message: str
    fix: str


def artwork_faults(name: str, facts: ImageFacts) -> list[Fault]:
    """Every one of Apple's rules the image `name` breaks, judged from its header alone: what
    `validate` reports about artwork, and `inspect` about any image."""
    expected_format = _FORMAT_BY_SUFFIX.get(PurePosixPath(name).suffix.lower())
    real_format, width, height, mode = facts.format, facts.width, facts.height, facts.mode
    error, warning = Severity.ERROR, Severity.WARNING
    faults = []
    if expected_format is None:
        faults.append(
            Fault(
                error,
                "artwork-format",
                f"{name!r} is not a .jpg, .jpeg or .png file",
                "export the artwork as JPEG or PNG",
            )
        )
    elif real_format != expected_format:
        faults.append(
            Fault(
                error,
                "artwork-format",
                f"{name!r} is really a {real_format} image",
                f"convert it to {expected_format} or rename it to match its real format",
            )
        )
    if width != height:
        faults.append(
            Fault(
                error,
                "artwork-not-square",
                f"{name!r} is {width}x{height} px, not square",
                "crop it to a square",
            )
        )
    if not min(width, height) >= MIN_SIDE or max(width, height) > MAX_SIDE:
        faults.append(
            Fault(
                error,
                "artwork-too-small" if min(width, height) < MIN_SIDE else "artwork-too-large",
                f"{name!r} is {width}x{height} px; Apple accepts {MIN_SIDE} to {MAX_SIDE} px",
                "export it at 3000x3000 px",
            )
        )
    if facts.has_alpha:
        faults.append(
            Fault(
                error,
                "artwork-alpha",
                f"{name!r} has an alpha channel (transparency)",
                "export it without transparency",
            )
        )
    elif mode not in ("RGB", "P"):
        faults.append(
            Fault(
                error,
                "artwork-colour-space",
                f"{name!r} is in the {mode} colour space, not RGB",
                "convert it to RGB",
            )
        )
    if facts.placeholder:
        faults.append(
            Fault(
                warning,
                "show-template",
                f"{name!r} is still the placeholder cover 'podcast-feed init' made",
                "replace it with the show's artwork: 3000x3000 px, JPEG or PNG",
            )
        )
    if facts.size > LARGE_FILE:
        faults.append(
            Fault(
                warning,
                "artwork-large-file",
                f"{name!r} is {facts.size / 1e6:.1f} MB; apps load it slowly",
                "compress it below 1 MB",
            )
        )
    return faults


@dataclass(frozen=True)
class ImageReport:
    """Everything `podcast-feed inspect` shows about an image."""

    file: str
    format: str | None
    width: int
    height: int
    mode: str
    has_alpha: bool
    size: int
    as_artwork: list[dict[str, str]]
    """Each fault Apple's rules find in it as cover art (`severity`, `code`, `message`, `fix`);
    none: Apple accepts it."""


def inspect_image(path: Path) -> ImageReport:
    """The image's header, and what Apple's rules for artwork make of it."""
    facts = image_facts(path)
    faults = [fault._asdict() for fault in artwork_faults(path.name, facts)]
    return ImageReport(
        str(path),
        facts.format,
        facts.width,
        facts.height,
        facts.mode,
        facts.has_alpha,
        facts.size,
        faults,
    )


def placeholder_cover(path: Path, title: str) -> None:
    """A plain 1400 px cover with the show's title, so a new show validates until the real
    artwork arrives."""
    from PIL import Image, ImageDraw, ImageFont

    cover = Image.new("RGB", (MIN_SIDE, MIN_SIDE), (40, 44, 52))
    ImageDraw.Draw(cover).text(
        (MIN_SIDE // 2, MIN_SIDE // 2),
        title[:24],
        fill="white",
        font=ImageFont.load_default(size=110),
        anchor="mm",
    )
    cover.save(path, "JPEG", quality=85, comment=PLACEHOLDER_COMMENT)
