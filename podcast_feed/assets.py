"""The files in media/ that a feed references: what `publish` uploads, and what must be a
regular file inside the show (a link out of it could publish /etc/passwd as a transcript)."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import Problem, error
from .models import Episode, Show

if TYPE_CHECKING:
    from .cache import InputState


class MediaReference(NamedTuple):  # a tuple: made for every file of every episode, each build
    file: str
    """The path inside media/."""
    source: str
    """The file that names it: podcast.yaml or an episode file."""
    field: str
    line: int | None


def media_references(show: Show | None, episodes: Iterable[Episode]) -> list[MediaReference]:
    """Every local file the feed of these episodes points at; URLs are left out. Drafts are
    left out too: their files are not published."""
    references = []
    if show is not None and "://" not in show.image:
        references.append(
            MediaReference(show.image, "podcast.yaml", "image", show.line_of("image"))
        )
    for episode in episodes:
        if not episode.draft:
            references += [
                MediaReference(file, episode.source, field, line)
                for file, field, line in episode.files
            ]
    return references


def check_inside_show(
    root: Path, references: Sequence[MediaReference], walk: InputState | None = None
) -> list[Problem]:
    """An error for each referenced file that is a link out of the show or not a regular file.
    `walk`, the listing of the show's files `build` made a moment ago, says which are plain
    files without an lstat each."""
    show_folder = root.resolve()
    media = root / "media"
    real_media = media.resolve()
    plain_media = real_media == show_folder / "media"  # media/ itself is no link out
    if references and not real_media.is_relative_to(show_folder):
        return [  # one error for the folder, not one for each of its files
            error(
                "file-outside-show",
                "media/",
                None,
                f"is a link to {real_media}, outside the show's folder",
                "keep the media files in the show's own media/ folder; links out of the show "
                "are never published",
            )
        ]
    problems = []
    folder = str(media)
    for reference in references:
        if plain_media and "/" not in reference.file and _plain_file(folder, reference.file, walk):
            continue  # a regular file right in media/, no link: the common case
        path = media / reference.file
        if not path.exists():
            continue  # reported as missing by the check that reads it
        real = path.resolve()
        if not real.is_relative_to(show_folder):
            message = f"{reference.file!r} is a link to {real}, outside the show's folder"
        elif not real.is_file():
            message = f"{reference.file!r} is not a regular file"
        else:
            continue
        problems.append(
            error(
                "file-outside-show",
                reference.source,
                reference.field,
                message,
                "copy the file itself into media/; links out of the show are never published",
                line=reference.line,
            )
        )
    return problems


def _plain_file(folder: str, name: str, walk: InputState | None) -> bool:
    if walk is not None:
        relative = f"media/{name}"
        return relative in walk.files and relative not in walk.links
    try:  # names, not Paths: this runs for every file of a catalogue
        return stat.S_ISREG(os.lstat(os.path.join(folder, name)).st_mode)  # noqa: PTH118
    except OSError:
        return False


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks: what tells two media files apart, whatever their
    names (`publish` compares uploads by it, `new` finds a recording used twice)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def media_files(media_dir: Path) -> list[str]:
    """Every file under media/, as paths relative to it (for suggestions and lookups)."""
    if not media_dir.is_dir():
        return []
    return sorted(_files_under(media_dir, ""))


def _files_under(folder: Path, prefix: str) -> Iterator[str]:
    """With `os.scandir`, whose entries mostly know their type without a stat: a Path and a
    stat per file cost ten times more in a catalogue's media/. Linked folders are not
    followed (as `Path.rglob` does not); linked files are."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _files_under(Path(entry.path), f"{prefix}{entry.name}/")
            elif entry.is_file():
                yield f"{prefix}{entry.name}"


_LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


def lfs_pointer_problem(owner: Show | Episode, field: str, path: Path, name: str) -> Problem | None:
    """The error for a file of media/ that is a Git LFS pointer (a checkout without `git lfs
    pull`, or actions/checkout without `lfs: true`): else its "cannot be read as audio" would
    send the podcaster looking at a file that is fine. Asked only once a file failed to read
    (and of files nothing reads: no open per file of a working build)."""
    try:
        with path.open("rb") as file:
            if file.read(len(_LFS_POINTER)) != _LFS_POINTER:
                return None
    except OSError:
        return None
    return owner.error(
        "lfs-pointer",
        field,
        f"{name!r} is a Git LFS pointer, not the file: it was checked out without its content",
        "run git lfs pull; in GitHub Actions, give actions/checkout `lfs: true`",
    )
