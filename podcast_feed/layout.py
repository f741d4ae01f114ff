"""Where things are: the names of a show's files and of what a build writes.

Kept apart from the pipeline so that commands can find a show without importing it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import ShowNotFound

CACHE_FOLDER = ".podcast-feed-cache"
"""What podcast-feed remembers between runs; safe to delete, never committed."""
SHOW_FILE = "podcast.yaml"
"""The show's settings, at the root of its folder."""
FEED_FILE = "feed.xml"
CHAPTERS_FOLDER = "chapters"
"""Where the build writes each episode's Podcasting 2.0 chapters file."""
DEFAULT_OUTPUT = "public"
TEMPLATES_FOLDER = "templates"
"""The show's own website templates, overriding the packaged ones."""
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
"""podcast-feed's own templates, which those of the show's `templates/` replace one by one."""
PAGES_FOLDER = "page"
EPISODES_FOLDER = "episodes"
SITE_FOLDERS = (EPISODES_FOLDER, PAGES_FOLDER)
"""Folders of the output that hold generated pages only; stale pages in them are removed."""
GENERATED_FOLDERS = (CHAPTERS_FOLDER, *SITE_FOLDERS)
"""Folders of the output whose every entry the build wrote."""

__all__ = [
    "CACHE_FOLDER",
    "CHAPTERS_FOLDER",
    "DEFAULT_OUTPUT",
    "EPISODES_FOLDER",
    "FEED_FILE",
    "GENERATED_FOLDERS",
    "PACKAGED_TEMPLATES",
    "PAGES_FOLDER",
    "SHOW_FILE",
    "SITE_FOLDERS",
    "TEMPLATES_FOLDER",
    "among_show_files",
    "file_name_in",
    "packaged_templates",
    "require_show",
]


def require_show(root: Path) -> None:
    """Every command that works on a show starts here: no podcast.yaml, no show."""
    settings = root / SHOW_FILE
    if settings.is_symlink() and not settings.exists():
        raise ShowNotFound(
            f"{settings} is a link to {settings.readlink()}, which does not exist; "
            f"point it at the show's settings, or replace it with the file"
        )
    if settings.exists() and not settings.is_file():
        kind = "a folder" if settings.is_dir() else "not a regular file (a pipe or a device)"
        raise ShowNotFound(
            f"{settings} is {kind}; the show's settings must be a YAML file of that name: "
            f"move it away and put them there"
        )
    if not settings.is_file():
        show = next((p for p in root.resolve().parents if (p / SHOW_FILE).is_file()), None)
        where = f"--root {show}" if show is not None else "--root"
        raise ShowNotFound(
            f"no {SHOW_FILE} in {root}; run the command in the show's folder or pass {where}"
        )


def among_show_files(root: Path, folder: Path) -> bool:
    """Whether `folder` is the show's own folder or one inside its episodes/, media/ or
    templates/: where written pages (`episodes/<name>/`), feeds and copies of media would mix
    with the podcaster's files, and a deletion of what the feed no longer uses could take them."""
    target, show = folder.resolve(), root.resolve()
    return target == show or any(
        target.is_relative_to(show / inside)
        for inside in (EPISODES_FOLDER, "media", TEMPLATES_FOLDER)
    )


def file_name_in(url: str) -> str:
    """The last part of a URL's path, decoded; "" for a folder's address (`.../show/`).

    >>> file_name_in("https://x.com/pod/my%20feed.xml"), file_name_in("https://x.com/pod/")
    ('my feed.xml', '')
    """
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1]


def packaged_templates() -> list[str]:
    """The names of the website's templates and static files, which a show's may replace."""
    return sorted(path.name for path in PACKAGED_TEMPLATES.iterdir() if path.is_file())
