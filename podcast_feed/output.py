"""Writing a build's files: each one whose bytes changed is staged, all are flushed to disk
at once, then each is renamed into place, so a build that fails part-way changes nothing; and
what earlier builds wrote for episodes since removed is deleted afterwards."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TypeGuard

from .errors import Interrupted, PodcastFeedError
from .layout import CHAPTERS_FOLDER, GENERATED_FOLDERS, SITE_FOLDERS
from .staging import HEADER, staged_copy

if TYPE_CHECKING:
    import subprocess


class CannotWrite(PodcastFeedError):
    """The disk refused a file of the build (full, read-only, a folder in the way)."""

    def __init__(self, path: Path, cause: OSError) -> None:
        self.path = path
        reason = cause.strerror or str(cause)
        if isinstance(cause, (IsADirectoryError, NotADirectoryError, FileExistsError)):
            reason = f"{reason} (a file or folder of that name is in the way; move it)"
        super().__init__(f"cannot write {path}: {reason}")


STAGING_PREFIX = ".podcast-feed-staging."
"""The folder inside the output where a build's files wait, until all are on disk, to be
renamed into place; its name ends with the build's process id."""


class Copied:
    """A piece of a file to write that is a range of another, open file (the feed it replaces:
    its unchanged items), copied by the system, never read into memory here: at 10,000
    episodes, the 43 MB of a feed with one item changed. The file must stay open until the
    piece is written; afterwards the piece still tells its length."""

    __slots__ = ("length", "offset", "source")

    def __init__(self, source: BinaryIO, offset: int, length: int) -> None:
        self.source, self.offset, self.length = source, offset, length

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return f"Copied({self.source.name!r}, {self.offset}, {self.length})"

    def followed_by(self, other: Copied) -> Copied | None:
        """This range and `other` as one, if `other` starts where this one ends."""
        if other.source is not self.source or other.offset != self.offset + self.length:
            return None
        return Copied(self.source, self.offset, self.length + other.length)

    def found_in(self, stream: BinaryIO) -> bool:
        """Whether `stream` holds these bytes where it stands (read a megabyte at a time from
        both: a range may be most of a 43 MB feed)."""
        self.source.seek(self.offset)
        left = self.length
        while left:
            chunk = self.source.read(min(left, 1 << 20))
            if not chunk:
                raise self._shortened()
            if stream.read(len(chunk)) != chunk:
                return False
            left -= len(chunk)
        return True

    def copy_into(self, descriptor: int) -> None:
        """Written at the position of the file open at `descriptor`: in the kernel where the
        system can (`copy_file_range`; on a file system with reflinks, the blocks are shared),
        else read and written a megabyte at a time."""
        offset, left, source = self.offset, self.length, self.source.fileno()
        with contextlib.suppress(AttributeError, OSError):  # not on this system or file system
            while left and (done := os.copy_file_range(source, descriptor, left, offset)):
                offset, left = offset + done, left - done
        self.source.seek(offset)
        while left:
            chunk = self.source.read(min(left, 1 << 20))
            if not chunk:
                raise self._shortened()
            written = 0
            while written < len(chunk):  # a regular file takes it whole, all but always
                written += os.write(descriptor, chunk[written:])
            left -= len(chunk)

    def _shortened(self) -> OSError:
        return OSError(errno.EIO, "shortened while the build copied from it", self.source.name)


Piece = bytes | Copied
Content = bytes | Sequence[Piece] | None
"""A file's bytes, whole or in pieces (some may be copied from a file); None for a file kept
as it is."""


Staged = Mapping[str, tuple[int, int]]
"""The files staged, by their path in the output, with the size and mtime in ns each will
have once renamed into place."""


def write_all(
    output: Path,
    files: Iterable[tuple[str, Content]],
    while_flushing: Callable[[Sequence[str], Staged], None] | None = None,
) -> list[str]:
    """Write each file whose bytes changed atomically, with one flush to disk for them all;
    the paths given, relative to `output`, in their order. A file given as None is kept as it
    is (its inputs did not change); one given in pieces is written without joining them.

    Each goes to the build's staging folder as it comes (only the names are kept; past the
    first hundred, a second process creates them while the next is rendered); then one
    `os.sync()` (a flush per file costs more than rendering a page), during which
    `while_flushing` is called with the paths and the files staged (the disk is waited for in
    a thread); then each is renamed over its target. If anything fails before that, nothing
    is renamed, the staging folder is removed, and an output folder this call created is
    removed again. Unchanged files are not touched, so their mtimes (and `serve`'s ETags)
    stay put.
    """
    staging = output / f"{STAGING_PREFIX}{os.getpid()}"
    created = not output.exists()
    staged: list[str] = []
    """The files whose new bytes wait in the staging folder, as `<number in this list>.tmp`
    (names only: two Paths a page would hold 10 MB at 10,000 episodes)."""
    written: list[str] = []
    writer: _Writer | None = None
    current, done, staging_made = "", False, False  # current: names the file if this fails
    try:
        for relative, data in files:
            written.append(relative)
            if data is None:  # kept: no Path for it (10,000 of them cost 0.1 s)
                continue
            current = relative
            if created or not _holds(output / relative, data):  # (a new folder holds nothing)
                if not staging_made:
                    _fresh_folder(staging)
                    staging_made = True
                if len(staged) == _WRITER_FROM:
                    writer = _Writer.start(staging)
                if writer is not None and _sendable(data):
                    writer.make_folders(relative)
                    writer.send(len(staged), data)
                else:
                    pieces = data if isinstance(data, bytes) else _joined_ranges(data)
                    staged_copy(staging / f"{len(staged)}.tmp", pieces)
                staged.append(relative)
        if writer is not None:
            writer.finish()
        if while_flushing is None:
            if staged:
                _flush_to_disk(staging, len(staged))
        else:
            callback = while_flushing  # (typed as not None in the closure)
            _flushed_while(
                staging, len(staged), lambda: callback(written, _staged_sizes(staging, staged))
            )
        # renamed by name: two Paths a file took a third of the time of its rename
        folders = set(writer.folders) if writer is not None else set()
        into, out_of = f"{output}{os.sep}", f"{staging}{os.sep}"
        with _interruptions_held(f"every file of this build was in place in {output} first"):
            for number, relative in enumerate(staged):
                current = relative
                folder = relative.rpartition("/")[0]
                if folder not in folders:
                    (output / folder).mkdir(parents=True, exist_ok=True)
                    folders.add(folder)
                os.replace(f"{out_of}{number}.tmp", into + relative.replace("/", os.sep))  # noqa: PTH105
            done = True
    except OSError as exc:
        raise CannotWrite(_failed(exc, output, staging, staged, output / current), exc) from None
    finally:
        if writer is not None:
            writer.close()
            if not done:
                writer.remove_folders()
        if staging_made:  # (with what a file that failed half-way left in it)
            shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            with contextlib.suppress(OSError):  # only if still empty
                output.rmdir()
    return written


def _holds(path: Path, data: bytes | Sequence[Piece]) -> bool:
    """Whether the file at `path` has these bytes (a range copied from it at its own place
    is not read: the old feed's unchanged items)."""
    pieces = [data] if isinstance(data, bytes) else data
    try:
        status = path.stat()
        if status.st_size != sum(len(piece) for piece in pieces):
            return False
        with path.open("rb") as stream:
            for piece in _joined_ranges(pieces):
                if isinstance(piece, bytes):
                    if stream.read(len(piece)) != piece:
                        return False
                elif piece.offset != stream.tell() or not os.path.samestat(
                    os.fstat(piece.source.fileno()), status
                ):
                    if not piece.found_in(stream):
                        return False
                else:
                    stream.seek(len(piece), os.SEEK_CUR)
            return True
    except OSError:
        return False


def _joined_ranges(pieces: Sequence[Piece]) -> list[Piece]:
    """The pieces, with each run of ranges that follow on in one file as one range (one
    system call copies it)."""
    joined: list[Piece] = []
    for piece in pieces:
        last = joined[-1] if joined else None
        if isinstance(piece, Copied) and isinstance(last, Copied):
            merged = last.followed_by(piece)
            if merged is not None:
                joined[-1] = merged
                continue
        joined.append(piece)
    return joined


def _sendable(data: bytes | Sequence[Piece]) -> TypeGuard[bytes | Sequence[bytes]]:
    """Whether the writer can create this file: one with ranges of another file is created
    here (the writer has no access to the open file)."""
    return isinstance(data, bytes) or not any(isinstance(piece, Copied) for piece in data)


@contextlib.contextmanager
def _interruptions_held(state: str) -> Iterator[None]:
    """Ctrl-C and SIGTERM wait for the block to finish, then raise `Interrupted(state)`: the
    renames that put a build in place happen all or none (a website half old, half new links
    pages that are not there). Only the main thread receives signals; elsewhere, as is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    before = {
        number: signal.signal(number, lambda number, _: caught.append(number)) for number in held
    }
    try:
        yield
    finally:
        for number, handler in before.items():
            if handler is not None:  # (None: set outside Python, not to be set back from here)
                signal.signal(number, handler)
    if caught:
        raise Interrupted(state)


def _fresh_folder(staging: Path) -> None:
    """The staging folder, empty (one a killed build with the same process id left is
    cleared)."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)


def _failed(
    exc: OSError, output: Path, staging: Path, staged: Sequence[str], current: Path
) -> Path:
    """The file an error of `write_all` is about: the one it names, or for a staged copy, the
    file it stands for; the output folder for the staging folder itself; else `current`, the
    file being written (also when the error names a file by its descriptor: the unlinked
    file a feed's items are copied from, see worker.py)."""
    if not isinstance(exc.filename, (str, bytes, os.PathLike)) or not exc.filename:
        return current
    failed = Path(os.fsdecode(exc.filename))
    if failed == staging:
        return output
    if not failed.is_relative_to(staging):
        return failed
    number = failed.name.removesuffix(".tmp")
    return (
        output / staged[int(number)] if number.isdigit() and int(number) < len(staged) else current
    )


_WRITER_FROM = 100
"""Files staged before a second process takes over creating the rest (see `_Writer`): it
takes ~20 ms to start; creating a file took 0.15 to 0.3 ms of system calls where measured
(ext4 on a shared VM), about as long as rendering a page."""


_BATCH = 1 << 18
"""Bytes sent to the writer at a time (a few dozen pages), in a pipe that holds four such:
sent a page at a time, each woke the writer for one file, at 0.3 ms a wake-up."""


class _Writer:
    """A second process that creates the staged files sent to it (`staging.py`, run by path),
    on another core while this one renders the next: for a first build of 10,000 episodes,
    13,000 files. A fresh interpreter with the standard library only, not a fork: a forked
    child would keep the old copy of every page of memory the build changes after it.

    It also makes the folders of the output the files go to that are not there yet (a new
    episode's page folder): making a folder took 84 us here, half as long as staging a page,
    0.8 s of a first build of 10,000 episodes. They are made before the files are renamed
    into them, empty until then, and removed again if the build fails."""

    def __init__(self, staging: Path, process: subprocess.Popen[bytes]) -> None:
        self._staging, self._process = staging, process
        self._output = staging.parent
        self.folders: list[str] = []
        """The folders the writer was sent to make, by their path in the output."""
        self._known: set[str] = {""}
        """The folders found there, or sent."""

    @classmethod
    def start(cls, staging: Path) -> _Writer | None:
        """The writer for `staging`; None where it cannot start (the files are then written
        here, as before it)."""
        import subprocess

        from . import staging as script

        if not os.path.isfile(script.__file__):  # noqa: PTH113 - e.g. installed in a zip
            return None
        command = [sys.executable, "-I", "-S", script.__file__, str(staging)]
        try:
            process = subprocess.Popen(
                command,
                bufsize=_BATCH,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        # a bigger pipe where the system allows it (Linux; elsewhere, or beyond its limit, the
        # pipe keeps its size)
        with contextlib.suppress(ImportError, AttributeError, OSError):
            import fcntl

            assert process.stdin is not None
            fcntl.fcntl(process.stdin.fileno(), fcntl.F_SETPIPE_SZ, 4 * _BATCH)
        return cls(staging, process)

    def send(self, number: int, data: bytes | Sequence[bytes]) -> None:
        pieces = [data] if isinstance(data, bytes) else data
        sending = self._process.stdin
        assert sending is not None
        try:
            sending.write(HEADER.pack(number, sum(len(piece) for piece in pieces)))
            sending.writelines(pieces)
        except BrokenPipeError:
            raise self._gone() from None

    def make_folders(self, relative: str) -> None:
        """Send the folders the file at `relative` in the output goes into that are not there
        (outermost first)."""
        folder = relative.rpartition("/")[0]
        missing: list[str] = []
        while folder not in self._known:
            self._known.add(folder)
            if os.path.isdir(f"{self._output}{os.sep}{folder}"):  # noqa: PTH112 - a name
                break
            missing.append(folder)
            folder = folder.rpartition("/")[0]
        sending = self._process.stdin
        assert sending is not None
        for folder in reversed(missing):
            path = os.fsencode(self._output / folder)
            try:
                sending.write(HEADER.pack(-2 - len(self.folders), len(path)))
                sending.write(path)
            except BrokenPipeError:
                raise self._gone() from None
            self.folders.append(folder)

    def remove_folders(self) -> None:
        """The folders sent to be made, removed if still empty (the build failed)."""
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                (self._output / folder).rmdir()

    def finish(self) -> None:
        """Wait until every file sent is written and every folder made; the error of the first
        that was not."""
        sending, answers = self._process.stdin, self._process.stdout
        assert sending is not None and answers is not None
        try:
            sending.write(HEADER.pack(-1, 0))
            sending.close()
        except BrokenPipeError:
            raise self._gone() from None
        answer = answers.read()
        if len(answer) < HEADER.size:
            raise self._gone()
        number, code = HEADER.unpack_from(answer)
        message = answer[HEADER.size :].decode(errors="replace")
        if number >= 0:
            raise OSError(code, message, str(self._staging / f"{number}.tmp"))
        if number < -1:
            raise OSError(code, message, str(self._output / self.folders[-2 - number]))

    def close(self) -> None:
        """Stop the writer if it still runs (this build failed), and reap it."""
        if self._process.poll() is None:
            self._process.kill()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._process.wait()

    def _gone(self) -> OSError:
        return OSError(
            errno.EIO, "the process writing the files ended unexpectedly", str(self._staging)
        )


def _staged_sizes(staging: Path, staged: Sequence[str]) -> Staged:
    """Each staged file's size and mtime in ns, which renaming it into place keeps."""
    sizes = {}
    for number, relative in enumerate(staged):
        status = os.stat(os.path.join(staging, f"{number}.tmp"))  # noqa: PTH116, PTH118
        sizes[relative] = (status.st_size, status.st_mtime_ns)
    return sizes


def _flushed_while(staging: Path, count: int, work: Callable[[], None]) -> None:
    """`work` done here while the `count` files staged are flushed in a thread: the flush
    waits on the disk (0.17 s for a 43 MB feed here), and the GIL is free meanwhile."""
    failures: list[OSError] = []

    def flush() -> None:
        try:
            _flush_to_disk(staging, count)
        except OSError as exc:
            failures.append(exc)

    flushing = threading.Thread(target=flush, name="podcast-feed flush") if count else None
    if flushing is not None:
        flushing.start()
    try:
        work()
    finally:
        if flushing is not None:
            flushing.join()
    if failures:
        raise failures[0]


def _flush_to_disk(staging: Path, count: int) -> None:
    """The `count` files staged, on disk."""
    if hasattr(os, "sync") and count > 1:
        os.sync()
        return
    for number in range(count):  # where there is no os.sync (Windows), or for one file
        with (staging / f"{number}.tmp").open("rb+") as stream:
            os.fsync(stream.fileno())


def remove_stale(
    output: Path, written: Collection[str], *, site: bool
) -> dict[str, frozenset[str]]:
    """Delete what earlier builds wrote for episodes that are gone: chapter files and, with a
    site, episode pages and index pages; and the staging folders of killed builds. Only
    inside the folders podcast-feed owns. Another build may be deleting the same files at the
    same time: a file or folder already gone is fine.

    Returns what the output folder and each folder podcast-feed owns hold afterwards (a
    build's record keeps it: each is listed once a build, episodes/ holds 10,000 names)."""
    listings = {folder: names_in(output / folder) for folder in ("", *GENERATED_FOLDERS)}
    changed: set[str] = set()
    kept = set(written)
    generated = [
        f"{CHAPTERS_FOLDER}/{name}" for name in listings[CHAPTERS_FOLDER] if name.endswith(".json")
    ]
    if site:
        generated += [
            f"{folder}/{name}/index.html" for folder in SITE_FOLDERS for name in listings[folder]
        ]
    for name in listings[""]:
        if name.startswith(STAGING_PREFIX) and _abandoned(output / name):
            shutil.rmtree(output / name, ignore_errors=True)
            changed.add("")
    for relative in sorted(set(generated) - kept):
        stale = output / relative
        if stale.is_file():
            stale.unlink(missing_ok=True)
            changed.add(relative.split("/")[0])
            if stale.name == "index.html":
                with contextlib.suppress(OSError):  # not empty: the user's files stay
                    stale.parent.rmdir()
    for folder in changed:
        listings[folder] = names_in(output / folder)
    return listings


_ABANDONED_AFTER_SECONDS = 3600
"""A staging folder of another build is left alone this long, unless its process is gone."""


def _abandoned(staging: Path) -> bool:
    """Whether a staging folder was left by a build that was killed: its process no longer
    runs, or (no process id in the name) it is over an hour old."""
    marker = staging.name.rsplit(".", 1)[-1]
    if marker.isdigit():
        try:
            os.kill(int(marker), 0)  # signal 0: only asks whether the process exists
        except (ProcessLookupError, OverflowError):
            return True
        except PermissionError:  # another user's process, still running
            return False
        return False
    try:
        return time.time() - staging.stat().st_mtime > _ABANDONED_AFTER_SECONDS
    except OSError:
        return False


def names_in(folder: Path) -> frozenset[str]:
    """What is in `folder`; nothing if it is not there (or no longer). Names, not Paths:
    a catalogue's episodes/ holds 10,000, listed four times a build."""
    try:
        return frozenset(os.listdir(folder))  # noqa: PTH208
    except OSError:
        return frozenset()
