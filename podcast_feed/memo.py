"""Which website pages and feed items need rendering again: a page whose inputs are the same
files, byte for byte, as when the last build into the same folder wrote it, and which is still
on disk as that build left it, is kept without rendering it; an item of the feed likewise is
copied from the feed that build wrote.

A page's inputs are named by the content keys of the cache (`cache.FileKeys`): podcast.yaml,
the templates, and each episode's file and every media file it references (audio, images,
transcripts). An episode page depends on its episode and its neighbours (the previous/next
links); an index page on the episodes it lists and the number of pages. A file without a
trusted key (changed in the last two seconds) makes every page that depends on it render.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from .cache import Cache
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


@dataclass
class OutputMemo:
    """The last build's pages into one output folder, and this build's digests."""

    output: Path
    before: dict[str, tuple[int, int, bytes]]
    """Each page: its size and mtime in ns as written, and its inputs' digest."""
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
        cls, cache: Cache, root: Path, output: Path, show: Show, inputs: Mapping[str, str]
    ) -> OutputMemo:
        """The memo of the last build into `output`; `inputs` are the digests of what each
        episode was made from (`catalogue.inputs_digest`), by its source."""
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
        before = cache.record_of(f"pages:{output.resolve()}")
        show_digest = _digest(show_parts)
        return cls(
            output,
            before if isinstance(before, dict) else {},
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
        known = self.before.get(relative)
        if known is None or known[2] != digest:
            return False
        try:  # a name, not a Path: this runs for every page of the site
            status = os.stat(f"{self.output}{os.sep}{relative}")  # noqa: PTH116
        except OSError:
            return False
        if (status.st_size, status.st_mtime_ns) != known[:2]:
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
