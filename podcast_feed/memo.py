"""Which website pages and feed items need rendering again: a page whose inputs are the same
files, byte for byte, as when the last build into the same folder wrote it, and which is still
on disk as that build left it, is kept without rendering it; an item of the feed likewise is
copied from the feed that build wrote.

A page's inputs are named by the content keys of the cache (`cache.FileKeys`): podcast.yaml,
the templates, and each episode's file and every media file it references (audio, images,
transcripts). An episode page depends on its episode and its neighbours (the previous/next
links); an index page on the episodes it lists and the number of pages. A file without a
trusted key (changed in the last two seconds) makes every page that depends on it render.

Whether each page is still on disk as that build left it is asked of the disk by a child
process, forked as the build starts, while this one validates the show (`PagesOnDisk`).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from .cache import Cache, can_fork
from .layout import FEED_FILE, SHOW_FILE, TEMPLATES_FOLDER
from .output import Copied

if TYPE_CHECKING:
    from .models import Episode, Show


def _digest(parts: list[str | None]) -> bytes | None:
    """The digest of the parts, 16 bytes (what a page's record holds: as hex, its 13,700 at
    10,000 episodes took longer to compress than to pickle); None if one is unknown (None)."""
    if None in parts:
        return None
    return hashlib.sha256("\0".join(cast("list[str]", parts)).encode()).digest()[:16]


_FORK_FROM = 2000
"""Pages from which a child process stats them (forking took ~1 ms here, a stat ~2.5 us)."""


class PagesOnDisk:
    """The pages the last build into `output` wrote, and which of them are still there as it
    left them (the size and mtime in ns it wrote them with). Stating the 13,700 pages of a
    10,000-episode site took 33 ms of a rebuild after one edit: for a big site, a forked child
    stats them all on the other core while this process validates the show, and says which
    are not as written. Where there is no such child (a small site, no fork, a child that
    failed), each page is stated when it is asked for."""

    def __init__(self, output: Path, before: dict[str, tuple[int, int, bytes]]) -> None:
        self.output = output
        self.before = before
        """Each page: its size and mtime in ns as written, and its inputs' digest."""
        self.changed: frozenset[str] | None = None
        """The pages the child found not as written, once it said; None while it has not, and
        where there is no child (each page is then stated when asked for)."""
        self._child: tuple[int, int] | None = None
        """The child's process id and the pipe it answers in, until it has answered."""

    @classmethod
    def look(cls, cache: Cache, output: Path) -> PagesOnDisk:
        """The pages the cache remembers for `output`, being looked at on the other core if
        there are enough."""
        before = cache.record_of(f"pages:{output.resolve()}")
        found = cls(output, before if isinstance(before, dict) else {})
        if len(found.before) >= _FORK_FROM and can_fork():
            found._fork()
        return found

    def _fork(self) -> None:
        answer, told = os.pipe()
        try:
            child = os.fork()
        except OSError:
            os.close(answer)
            os.close(told)
            return
        if child == 0:  # the child: it stats, answers, and is gone (nothing of this process's
            code = 1  # own is flushed, closed or collected)
            try:
                gc.disable()  # a collection would copy every page of the parent's memory
                os.close(answer)
                changed = [
                    name for name, known in self.before.items() if not self._stat(name, known)
                ]
                with os.fdopen(told, "wb") as pipe:
                    pipe.write(pickle.dumps(changed, pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        os.close(told)
        self._child = child, answer

    def as_written(self, relative: str, known: tuple[int, int, bytes]) -> bool:
        """Whether the page at `relative`, `known` as `before` says, is on disk as written."""
        if self._child is not None:
            self._answered()
        if self.changed is not None:
            return relative not in self.changed
        return self._stat(relative, known)

    def _stat(self, relative: str, known: tuple[int, int, bytes]) -> bool:
        try:  # a name, not a Path: this runs for every page of the site
            status = os.stat(f"{self.output}{os.sep}{relative}")  # noqa: PTH116
        except OSError:
            return False
        return (status.st_size, status.st_mtime_ns) == known[:2]

    def _answered(self) -> None:
        """The child's answer, waited for; none (each page stated here) if it failed."""
        assert self._child is not None
        child, answer = self._child
        self._child = None
        told, status = b"", None
        try:
            with os.fdopen(answer, "rb") as pipe:
                told = pipe.read()
        except OSError:
            pass
        finally:  # waited for even when interrupted here (it is, too: Ctrl-C stops both)
            with contextlib.suppress(ChildProcessError):
                status = os.waitpid(child, 0)[1]
        if status is not None and os.waitstatus_to_exitcode(status) == 0:
            with contextlib.suppress(pickle.UnpicklingError, EOFError, TypeError, ValueError):
                self.changed = frozenset(pickle.loads(told))

    def close(self) -> None:
        """The child waited for, if the build stopped before it asked (no process is left)."""
        if self._child is not None:
            child, answer = self._child
            self._child = None
            with contextlib.suppress(OSError):
                os.close(answer)  # a child still writing gets a broken pipe, and exits
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)


@dataclass
class OutputMemo:
    """The last build's pages into one output folder, and this build's digests."""

    output: Path
    on_disk: PagesOnDisk
    """The last build's pages: their digests, and whether each is as written."""
    show: str | None
    """The digest of what every page depends on: podcast.yaml, templates, options."""
    episodes: dict[str, str]
    """Each episode's inputs digest, by its source file (none for one whose files changed
    just now: its pages render)."""
    now: dict[str, bytes] = field(default_factory=dict)
    kept: dict[str, tuple[int, int]] = field(default_factory=dict)
    """The pages kept, with the size and mtime in ns `page` found them with."""

    @classmethod
    def load(
        cls, cache: Cache, root: Path, on_disk: PagesOnDisk, show: Show, inputs: Mapping[str, str]
    ) -> OutputMemo:
        """The memo of the last build into `on_disk.output`; `inputs` are the digests of what
        each episode was made from (`catalogue.inputs_digest`), by its source."""
        keys = cache.file_keys(root)
        overrides = root / TEMPLATES_FOLDER
        templates = sorted(overrides.rglob("*")) if overrides.is_dir() else []
        show_parts = [
            cache.identity,
            keys.key(root / SHOW_FILE),
            show.feed_url,  # `serve` points the URLs at itself
            show.media_base_url,
            *(f"{path.relative_to(root)}:{keys.key(path)}" for path in templates if path.is_file()),
        ]
        show_digest = _digest(show_parts)
        return cls(
            on_disk.output,
            on_disk,
            show_digest.hex() if show_digest is not None else None,
            dict(inputs),
        )

    def page(self, relative: str, sources: Iterable[str | None], *extra: object) -> bool:
        """Whether the page at `relative`, made from the episodes `sources` (None for a missing
        neighbour) and `extra`, can be kept as it is; its digest is remembered either way."""
        inputs = self.episodes  # (a plain loop: this runs for every page)
        parts = [self.show, relative]
        for source in sources:
            parts.append(inputs.get(source) if source else "-")
        if extra:
            parts += map(str, extra)
        digest = _digest(parts)
        if digest is None:
            return False
        self.now[relative] = digest
        known = self.on_disk.before.get(relative)
        if known is None or known[2] != digest or not self.on_disk.as_written(relative, known):
            return False
        self.kept[relative] = known[0], known[1]
        return True

    def feed_items(
        self, cache: Cache, feed: BinaryIO, episodes: Sequence[Episode]
    ) -> list[Copied | None]:
        """Each episode's `<item>` block as the last build into this folder wrote it, a range
        of `feed` (that build's feed, open), when the show and the episode's inputs are the
        same and that feed is still as written; else None."""
        record = cache.record_of(f"feed:{self.output.resolve()}")
        blocks: dict[str, Copied] = {}
        try:
            size, mtime_ns, show, header, items = record
            status = os.fstat(feed.fileno())
            as_written = (status.st_size, status.st_mtime_ns) == (size, mtime_ns)
            if as_written and self.show is not None and show == self.show:
                position = header
                for inputs, length in items:
                    blocks[inputs] = Copied(feed, position, length)
                    position += length
        except (TypeError, ValueError, OSError):
            blocks = {}
        found = []
        for episode in episodes:
            inputs = self.episodes.get(episode.source)
            found.append(blocks.get(inputs) if inputs is not None else None)
        return found

    def save_feed(
        self,
        cache: Cache,
        written: Mapping[str, tuple[int, int]],
        lengths: Sequence[int],
        episodes: Sequence[Episode],
    ) -> None:
        """Remember where each item is in the feed just written, from the lengths of its
        pieces (channel, items, end), if it was written in pieces: by the show's digest and
        each episode's inputs digest (an item depends on nothing else)."""
        if len(lengths) != len(episodes) + 2:
            return
        items = [
            (self.episodes.get(episode.source, "-"), length)  # "-": unknown, never looked up
            for episode, length in zip(episodes, lengths[1:-1], strict=True)
        ]
        size, mtime_ns = written[FEED_FILE]
        record = (size, mtime_ns, self.show, lengths[0], items)
        cache.keep_record(f"feed:{self.output.resolve()}", record, compressed=False)

    def save(self, cache: Cache, written: Mapping[str, tuple[int, int]]) -> None:
        """Remember this build's pages, with the size and mtime in ns each has on disk."""
        pages = {
            relative: (*written[relative], digest)
            for relative, digest in self.now.items()
            if relative in written
        }
        cache.keep_record(f"pages:{self.output.resolve()}", pages, compressed=False)
