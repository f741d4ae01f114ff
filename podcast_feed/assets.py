"""The files in media/ that a feed references: what `publish` uploads, and what must be a
regular file inside the show (a link out of it could publish /etc/passwd as a transcript)."""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from .errors import Problem, error
from .layout import SHOW_FILE
from .models import Episode, Show
from .vocabulary import suggest

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


_MISSING_FILE_CODES = frozenset(
    {
        "artwork-missing",
        "artwork-unreadable",
        "audio-missing",
        "audio-unreadable",
        "chapter-image-missing",
        "transcript-missing",
    }
)
"""The problems a file of media/ gives when it cannot be found or opened."""


def with_media_folder_problem(
    root: Path, references: Sequence[MediaReference], problems: Sequence[Problem]
) -> list[Problem]:
    """`problems`, where there is no media/ folder (or it is a file) and files in it are
    named, with one error for the folder instead of one for each such file: a clone without
    its audio (media/ left out by .gitignore) would otherwise list every episode's audio as
    missing, and a file named media every one as unreadable."""
    media = root / "media"
    if media.is_dir():
        return list(problems)
    echoes = [problem for problem in problems if problem.code in _MISSING_FILE_CODES]
    if not (references or echoes):
        return list(problems)
    naming = sorted({problem.file for problem in echoes} | {ref.source for ref in references})
    episode_files = sum(1 for source in naming if source != SHOW_FILE)
    named_by = " and ".join(
        ([SHOW_FILE] if SHOW_FILE in naming else [])
        + ([f"{episode_files} episode file{'s' * (episode_files != 1)}"] if episode_files else [])
    )
    if media.exists():
        folder_problem = error(
            "media-not-a-folder",
            "media",
            None,
            f"is a file, not a folder, and {named_by} name files in media/",
            "rename or remove that file, then make media/ a folder beside podcast.yaml and "
            "put the audio and artwork in it",
        )
    else:
        folder_problem = error(
            "media-not-a-folder",
            "media/",
            None,
            f"there is no media/ folder beside {SHOW_FILE}, and {named_by} name files in it",
            "create media/ and put the audio and artwork in it; in CI, check that they are "
            "committed and that .gitignore does not leave them out",
        )
    return [p for p in problems if p.code not in _MISSING_FILE_CODES] + [folder_problem]


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


class MediaFiles(frozenset[str]):
    """The files of media/ as one build listed them (paths relative to it), and what to
    suggest for a name that is not among them, from indexes made once a build."""

    _CLOSE_MATCHES = 20
    """Names looked up by similarity (difflib) in one build: 45 ms each among 10,000 files,
    so a show whose audio was all renamed would spend minutes on suggestions. After these,
    only a name differing in case or Unicode form is found (at once)."""

    def __init__(self, _names: Iterable[str] = ()) -> None:
        super().__init__()  # (frozenset takes the names in __new__)
        self._indexes: dict[frozenset[str], tuple[dict[str, str], dict[str, str]]] = {}
        self._close_left = self._CLOSE_MATCHES

    @classmethod
    def listed(cls, media_dir: Path, given: MediaFiles | None = None) -> MediaFiles:
        """The files of `media_dir`: `given`, the build's own listing, when there is one."""
        return given if given is not None else cls(media_files(media_dir))

    def missing_fix(self, name: str, otherwise: str, of_kind: Collection[str]) -> str:
        """How to fix a reference to `name`, which is not among these files: the closest
        name ending in one of the extensions `of_kind` (an audio file is no transcript),
        compared by the name before the extension, or else `otherwise`. A name that only looks
        the same (its accents written as separate characters, as macOS may save a file's
        name, or the other way round) is said to be so: "did you mean 'café.m4a'?" for
        'café.m4a' helps nobody.

        >>> MediaFiles(["Intro.mp3", "intro.vtt"]).missing_fix("intro.mp3", "add it", {".mp3"})
        "did you mean 'Intro.mp3'?"
        """
        by_stem, by_folded = self._index(frozenset(of_kind))
        stem = _stem(name)
        closest = by_folded.get(_folded(stem))
        if closest is None and self._close_left > 0:
            self._close_left -= 1
            similar = suggest(stem, by_stem)
            closest = by_stem[similar] if similar is not None else None
        if closest is None:
            return otherwise
        if unicodedata.normalize("NFC", closest) == unicodedata.normalize("NFC", name):
            return (
                f"the file is named {closest!r}: the same letters in another Unicode form, its "
                "accents written apart as macOS may save a name; rename the file using only "
                "a-z, 0-9, '-', '_' and '.', and write that name here"
            )
        return f"did you mean '{closest}'?"

    def _index(self, of_kind: frozenset[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The files of that kind by the name before their extension, as written and folded
        (case and Unicode form), made on the first name missing a file of that kind."""
        if of_kind not in self._indexes:
            by_stem: dict[str, str] = {}
            for file in sorted(self):
                if PurePosixPath(file).suffix.lower() in of_kind:
                    by_stem.setdefault(_stem(file), file)
            by_folded = {_folded(stem): file for stem, file in reversed(by_stem.items())}
            self._indexes[of_kind] = (by_stem, by_folded)
        return self._indexes[of_kind]


def _stem(file: str) -> str:
    return file.removesuffix(PurePosixPath(file).suffix)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


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


def is_lfs_pointer(path: Path) -> bool:
    """Whether the file is a Git LFS pointer (a checkout without `git lfs pull`, or
    actions/checkout without `lfs: true`), not the content it stands for."""
    try:
        with path.open("rb") as file:
            return file.read(len(_LFS_POINTER)) == _LFS_POINTER
    except OSError:
        return False


def lfs_pointer_problem(owner: Show | Episode, field: str, path: Path, name: str) -> Problem | None:
    """The error for a file of media/ that is a Git LFS pointer: else its "cannot be read as
    audio" would send the podcaster looking at a file that is fine. Asked only once a file
    failed to read (and of files nothing reads: no open per file of a working build)."""
    if not is_lfs_pointer(path):
        return None
    return owner.error(
        "lfs-pointer",
        field,
        f"{name!r} is a Git LFS pointer, not the file: it was checked out without its content",
        "run git lfs pull; in GitHub Actions, give actions/checkout `lfs: true`",
    )
