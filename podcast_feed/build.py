"""The pipeline: podcast.yaml + episodes/ + media/ in, feed.xml and the website out.

Everything is checked first; then the pages and chapter files are rendered one by one into a
staging folder, the feed last, and renamed into place together, the feed after the pages; only
then are stale pages and chapter files of removed episodes deleted, so a build that fails
part-way never leaves the old feed pointing at a missing file, nor the new one at a page not
yet written.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import (
    PodcastFeedError,
    Problem,
    ProblemsFound,
    error,
    has_errors,
    without_echoes,
    without_ignored,
)
from .layout import (
    CACHE_FOLDER,
    DEFAULT_OUTPUT,
    FEED_FILE,
    SHOW_FILE,
    among_show_files,
    require_show,
)
from .output import Content, Copied, Piece, Staged, names_in, remove_stale, write_all

if TYPE_CHECKING:
    from .assets import MediaReference
    from .cache import Cache, InputState
    from .history import PublishedFeed
    from .memo import OutputMemo, PagesOnDisk
    from .models import Episode, Show
    from .worker import ItemWorker

__all__ = ["CACHE_FOLDER", "DEFAULT_OUTPUT", "FEED_FILE", "BuildResult", "build", "validate"]
# The pipeline's modules (pydantic, mutagen, feedgen...) are imported by the functions that
# run it: a build with nothing to do, and `--help`, never load them.


@dataclass
class Validation:
    """What the checking stages found: the show, its episodes and every problem."""

    show: Show | None
    episodes: list[Episode]
    problems: list[Problem]
    made_from: dict[str, str] = field(default_factory=dict)
    """What each episode was made from, as a digest by its source (with a cache)."""
    references: list[MediaReference] = field(default_factory=list)
    """Each file in media/ the show and its episodes (drafts aside) point at."""
    ignored: int = 0
    """Warnings left out of `problems` by `ignore_warnings`."""

    def failed(self, strict: bool) -> bool:
        return has_errors(self.problems) or (strict and bool(self.problems))


@dataclass
class BuildResult:
    feed_path: Path
    feed_size: int
    published: int
    """Episodes in the feed."""
    drafts: int
    scheduled: int
    total_duration: float
    """Seconds of audio in the feed."""
    problems: list[Problem] = field(default_factory=list)
    """The warnings (a build with errors raises instead)."""
    ignored: int = 0
    """Warnings left out of `problems` by `ignore_warnings`."""
    site_pages: int = 0
    """HTML pages of the website, rewritten or already up to date (0 with `site: false`)."""
    media: frozenset[str] = frozenset()
    """The files in media/ the feed references (what `serve` serves and `publish` uploads)."""
    unchanged: bool = False
    """Nothing in the show had changed since a build the cache remembers: nothing was read
    or written."""
    next_scheduled: tuple[str, datetime] | None = None
    """The scheduled episode that goes out first (its file) and when: what a podcaster who
    dated an episode ahead wants to see confirmed."""

    @property
    def site_index(self) -> Path | None:
        """The website's home page, when there is a website."""
        return self.feed_path.parent / "index.html" if self.site_pages else None


@dataclass(frozen=True)
class _Record:
    """What a successful build leaves in the cache for the next one with the same inputs."""

    result: BuildResult
    outputs: dict[str, tuple[int, int]]
    """Each file written or kept, with its size and mtime in ns: a replay checks they are so."""
    listings: dict[str, frozenset[str]]
    """What the folders only the build writes into held: nothing stale may have appeared."""
    valid_from: datetime | None
    """The newest episode date in the feed: before it, the feed had fewer episodes."""
    valid_until: datetime | None
    """The first scheduled episode's date: from then on, the feed has one more."""

    @classmethod
    def of(
        cls,
        result: BuildResult,
        outputs: dict[str, tuple[int, int]],
        listings: dict[str, frozenset[str]],
        published: Sequence[datetime],
        scheduled: Sequence[datetime],
    ) -> _Record:
        """The record of a build of episodes published and scheduled on these dates, which
        left the output's folders with these `listings`."""
        return cls(
            result,
            outputs,
            listings,
            valid_from=max(published, default=None),
            valid_until=min(scheduled, default=None),
        )


_FEW_COLLECTIONS = (100_000, 20, 10)
"""The cycle collector's thresholds while the show is loaded and its pages written: that
makes hundreds of thousands of objects that all live to the end, and at Python's defaults
the collector scans the growing heap again and again for cycles there are none of (a third
of a 10,000-episode rebuild)."""
_DEFAULT_COLLECTIONS: tuple[int, int, int] = gc.get_threshold()
"""Python's own (as they were when podcast-feed was imported), while feedgen and lxml render
the feed: they leave cycles behind, which would pile up (17 MiB more at 10,000 episodes)."""


@contextlib.contextmanager
def _collections(thresholds: tuple[int, int, int]) -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@_collections(_FEW_COLLECTIONS)
def validate(
    root: Path,
    *,
    now: datetime | None = None,
    previous: str | PublishedFeed | None = None,
    allow_removal: bool = False,
    online: bool = False,
    checked: Callable[[str, int], None] | None = None,
    cache: Cache | None = None,
    inputs: InputState | None = None,
    publishing: bool = False,
) -> Validation:
    """Load and check everything under `root`; never raises for what is in the files.

    `previous` is the live feed (a path or URL, or the feed already read): episodes published
    there must not vanish or change guid or audio URL, unless `allow_removal` or the episode's
    `republish` says so. `online` adds the hosting check (`hosting.py`), which fetches the
    feed and its files as apps do; `checked` is called after each URL, for a progress bar.
    `cache` remembers what each file gave last time; `inputs` is the walk of the show's files
    `build` made just before (their sizes and dates are not read twice). `publishing` adds
    what only `publish` refuses: addresses at example.com or this machine, which are fine in
    a feed built and served here.
    """
    from .assets import media_references, with_media_folder_problem
    from .catalogue import checked_episodes
    from .checks import check
    from .config import load_show

    require_show(root)
    now = now or _now()
    moment = now.timestamp()
    if cache is not None:
        cache.for_show(root, inputs)
    published_before: PublishedFeed | None
    if isinstance(previous, str):  # its HTTP client only when there is a previous feed
        from .history import read_previous

        published_before = read_previous(previous)
    else:
        published_before = previous
    show, problems = load_show(root / SHOW_FILE, cache=cache)
    reading_show = list(problems)
    episodes, found, made_from = checked_episodes(root, show, cache, inputs)
    problems += found
    references = media_references(show, episodes)
    found_across = check(show, episodes, root, references, cache, inputs, publishing)
    problems += without_echoes(found_across, reading_show)
    problems = with_media_folder_problem(root, references, problems)
    if cache is not None:
        cache.save()
    if show is not None and show.site:
        from .site import SAMPLE_EPISODES, check_templates  # Jinja2 only for shows with a site

        # the pages of a few episodes are rendered to try the show's templates: any will do
        sample = itertools.islice((e for e in episodes if _publishable(e, moment)), SAMPLE_EPISODES)
        compiled = cache.folder("templates") if cache is not None else None
        problems += check_templates(root, show, in_feed_order(show, list(sample)), compiled)
    if show is not None and published_before is not None and not has_errors(problems):
        from .history import check_history

        going_out = [(e, show.enclosure_url(e)) for e in publishable(episodes, now)]
        problems += check_history(published_before, show, going_out, allow_removal)
    if not has_errors(problems) and not any(_publishable(e, moment) for e in episodes):
        # an empty feed would replace a full one in every app: never write one
        problems.append(
            error(
                "no-episodes",
                "episodes",
                None,
                (
                    "no episode is published (all are drafts, scheduled or missing)"
                    if episodes or (root / "episodes").is_dir()
                    else "is a file, not a folder"
                    if (root / "episodes").exists()
                    else "there is no episodes/ folder"
                )
                + ", and a feed without episodes would empty the show in every app",
                "add an episode with 'podcast-feed new RECORDING', or publish a draft",
            )
        )
    if online and show is not None and not has_errors(problems):
        from .feed import render_feed
        from .hosting import check_hosting  # httpx only for the command that goes online

        published = in_feed_order(show, publishable(episodes, now))
        problems += check_hosting(show, published, render_feed(show, published), checked=checked)
    problems.sort(key=lambda problem: problem.sort_key)
    problems, ignored = without_ignored(
        problems,
        show.ignore_warnings if show is not None else (),
        {episode.source: episode.ignore_warnings for episode in episodes},
    )
    return Validation(show, episodes, problems, made_from, references, ignored)


@_collections(_FEW_COLLECTIONS)
def build(
    root: Path,
    output: Path,
    *,
    strict: bool = False,
    now: datetime | None = None,
    previous: str | PublishedFeed | None = None,
    allow_removal: bool = False,
    served_from: str | None = None,
    cache: Cache | None = None,
    publishing: bool = False,
) -> BuildResult:
    """Validate, then write `output/feed.xml`, its chapter files and (unless `site: false`)
    the website; on any error nothing is written.

    `served_from` (an http URL) makes the feed and media URLs point there, for `serve`;
    `publishing` adds `validate`'s checks for `publish`. With
    a `cache`, files unchanged since an earlier build are not read again, and a build whose
    inputs and outputs are all as a remembered build left them is not done again.
    """
    now = now or _now()
    state: InputState | None = None
    if cache is not None and cache.enabled and previous is None:
        from .cache import input_state

        # the feed depends on these besides the files (`previous` is another input: no replay)
        options = (cache.identity, output.resolve(), strict, served_from, publishing)
        state = input_state(root, SHOW_FILE, options)
        replayed = _replay(cache.record(state), output, now)
        if replayed is not None:
            return replayed
    on_disk = None
    if cache is not None and cache.enabled:
        from .memo import PagesOnDisk

        on_disk = PagesOnDisk.look(cache, output)  # (on the other core while the show loads)
    try:
        return _built(
            root,
            output,
            strict,
            publishing,
            now,
            previous,
            allow_removal,
            served_from,
            cache,
            state,
            on_disk,
        )
    finally:
        if on_disk is not None:
            on_disk.close()


def _built(
    root: Path,
    output: Path,
    strict: bool,
    publishing: bool,
    now: datetime,
    previous: str | PublishedFeed | None,
    allow_removal: bool,
    served_from: str | None,
    cache: Cache | None,
    state: InputState | None,
    on_disk: PagesOnDisk | None,
) -> BuildResult:
    """`build`'s work when it has no remembered build to replay: `state` is the walk of the
    show's files it made, `on_disk` the pages the last build into `output` left there."""
    validation = validate(
        root,
        now=now,
        previous=previous,
        allow_removal=allow_removal,
        cache=cache,
        inputs=state,
        publishing=publishing,
    )
    if validation.failed(strict) or validation.show is None:
        raise ProblemsFound(validation.problems, validation.ignored)
    from .chapters import chapters_json, chapters_path

    show = validation.show if served_from is None else served(validation.show, served_from)
    published = in_feed_order(show, publishable(validation.episodes, now))
    if show.site:
        _check_output(root, output)
    memo = None
    if cache is not None and cache.enabled and on_disk is not None:
        from .memo import OutputMemo

        memo = OutputMemo.load(cache, root, on_disk, show, validation.made_from)
    files: Iterable[tuple[str, Content]] = (
        (path, None if memo and memo.page(path, [episode.source]) else chapters_json(show, episode))
        for episode in published
        if episode.has_chapters
        for path in [chapters_path(episode)]
    )
    outputs: dict[str, tuple[int, int]] = {}
    pieces: list[Piece] = []  # the feed's, once rendered

    def remember_outputs(written: Sequence[str], staged: Staged) -> None:
        """What the memo needs of the files about to be in place, while the disk flushes."""
        assert cache is not None and memo is not None  # (there is a memo when the cache is on)
        outputs.update(_outputs(output, written, memo.kept | dict(staged)))
        memo.save(cache, outputs)
        memo.save_feed(cache, outputs, [len(piece) for piece in pieces], published)

    try:
        with contextlib.ExitStack() as context:
            # the feed's items start rendering on the other core now, while the pages render
            feed = _feed_file(context, show, published, output, memo, cache, pieces)
            if show.site:
                files = itertools.chain(files, _site_files(root, show, published, cache, memo))
            # each page written as it is rendered: bounded memory
            callback = remember_outputs if memo is not None else None
            written = write_all(output, itertools.chain(files, feed), callback)
    except ProblemsFound as exc:  # a template failed on a page: reported with the warnings
        found = sorted([*validation.problems, *exc.problems], key=lambda p: p.sort_key)
        raise ProblemsFound(found, validation.ignored) from None
    listings = remove_stale(output, written, site=show.site)
    feed_path = output / FEED_FILE
    drafts = sum(1 for episode in validation.episodes if episode.draft)
    scheduled = len(validation.episodes) - drafts - len(published)
    moment = now.timestamp()
    waiting = (  # (a second pass over 10,000 dates only when some are ahead)
        [e for e in validation.episodes if not e.draft and not _publishable(e, moment)]
        if scheduled
        else []
    )
    first = min(waiting, key=lambda e: (e.published, e.source), default=None)
    result = BuildResult(
        feed_path=feed_path,
        feed_size=sum(len(piece) for piece in pieces),
        published=len(published),
        drafts=drafts,
        scheduled=scheduled,
        total_duration=sum(episode.duration for episode in published),
        problems=validation.problems,
        ignored=validation.ignored,
        site_pages=sum(1 for relative in written if relative.endswith(".html")),
        media=_published_media(validation.references, published),
        next_scheduled=(first.source, first.published) if first is not None else None,
    )
    if cache is not None and memo is not None:
        # (dates in the show's zone compared with each other: 0.05 us each, against 0.7 with now)
        dates = [episode.published for episode in published]
        ahead = [episode.published for episode in waiting]
        record = _Record.of(result, outputs, listings, dates, ahead) if state else None
        cache.save(state, record)
    return result


def _published_media(
    references: Iterable[MediaReference], published: Sequence[Episode]
) -> frozenset[str]:
    """The files the feed of the `published` episodes points at, of all those referenced."""
    sources = {episode.source for episode in published}
    sources.add(SHOW_FILE)
    return frozenset(reference.file for reference in references if reference.source in sources)


def _outputs(
    output: Path, written: Sequence[str], known: Mapping[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    """Each file's size and mtime in ns: `known` for the files kept or staged (stat-ed a
    moment ago), read for the others (joined as strings: a Path per page costs more than its
    stat)."""
    outputs = {}
    for relative in written:
        if relative in known:
            outputs[relative] = known[relative]
            continue
        status = os.stat(os.path.join(output, relative))  # noqa: PTH116, PTH118
        outputs[relative] = (status.st_size, status.st_mtime_ns)
    return outputs


def _replay(record: object, output: Path, now: datetime) -> BuildResult | None:
    """The remembered build's result, if it was made for the same time window and everything
    it wrote is still there, untouched."""
    if not isinstance(record, _Record):
        return None
    if record.valid_from is not None and now < record.valid_from:
        return None
    if record.valid_until is not None and now >= record.valid_until:
        return None
    for folder, names in record.listings.items():
        if names_in(output / folder) != names:
            return None
    for relative, (size, mtime_ns) in record.outputs.items():
        try:
            status = (output / relative).stat()
        except OSError:
            return None
        if (status.st_size, status.st_mtime_ns) != (size, mtime_ns):
            return None
    return replace(record.result, feed_path=output / FEED_FILE, unchanged=True)


class OutputInShow(PodcastFeedError):
    """The output folder would put generated pages among the show's own files."""


def _check_output(root: Path, output: Path) -> None:
    """The site writes `episodes/<slug>/`: never into the show's own episodes/ or media/."""
    if among_show_files(root, output):
        raise OutputInShow(
            f"--output {output} would write the website into the show's own files; "
            f"use a folder of its own (the default is {DEFAULT_OUTPUT}/), or set `site: false`"
        )


def _site_files(
    root: Path,
    show: Show,
    published: Sequence[Episode],
    cache: Cache | None,
    memo: OutputMemo | None,
) -> Iterator[tuple[str, bytes | None]]:
    from .site import TemplateProblems, site_files

    compiled = cache.folder("templates") if cache is not None else None
    try:
        yield from site_files(root, show, published, memo, compiled)
    except TemplateProblems as exc:  # nothing is renamed into place: the old site stays
        raise ProblemsFound(exc.problems) from None


_AHEAD_FROM = 2000
"""Feed items to render before a second process pays for itself (see worker.py): it takes
~0.2 s to start and import feedgen, on the other core, and an item costs it ~0.35 ms with
sending and unpickling, against ~0.27 ms here. Clean builds of 2,000 episodes, medians of
eight alternating in-process builds: 2.70 s with it against 3.16 s without for the website,
1.99 s against 1.94 s for the feed alone (3,000 with the website: 4.12 s against 4.52 s)."""


def _feed_file(
    context: contextlib.ExitStack,
    show: Show,
    published: Sequence[Episode],
    output: Path,
    memo: OutputMemo | None,
    cache: Cache | None,
    pieces: list[Piece],
) -> Iterator[tuple[str, Content]]:
    """The feed, last of a build's files: rendered once the pages it links to are staged
    (none of them held), flushed to disk with them (one flush a build), renamed into place
    after them. Its unchanged items are copied from the feed still in place, by the system
    (that feed is open until `context` ends); its pieces (into `pieces`) are never joined: at
    10,000 episodes it is 40 MB.

    When many items are to be rendered, a second process (worker.py) starts on them now, on
    the other core, while the pages render; the feed's turn renders the rest."""
    known: list[Copied | None] = [None] * len(published)
    if memo is not None and cache is not None:
        with contextlib.suppress(OSError):  # none yet (or unreadable): every item renders
            previous = context.enter_context((output / FEED_FILE).open("rb"))
            known = memo.feed_items(cache, previous, published)
    missing = [index for index, item in enumerate(known) if item is None]
    worker = None
    if len(missing) >= _AHEAD_FROM:
        from .worker import ItemWorker  # (subprocess and threading: not for a small rebuild)

        worker = ItemWorker.start(show, published, missing, output)
    if worker is not None:
        context.enter_context(worker)
    return _feed_rendered(show, published, known, worker, pieces)


def _feed_rendered(
    show: Show,
    published: Sequence[Episode],
    known: list[Copied | None],
    worker: ItemWorker | None,
    pieces: list[Piece],
) -> Iterator[tuple[str, Content]]:
    """`_feed_file`'s feed, once its turn comes: the batches not sent to the worker yet are
    rendered here while it finishes its own; then the feed, each item taken from an earlier
    feed, from here or from the worker's file, and any still missing rendered."""
    from .feed import feed_pieces, item_blocks

    items: list[Piece | None] = list(known)
    del known
    with _collections(_DEFAULT_COLLECTIONS):
        if worker is not None:
            while (batch := worker.take_batch()) is not None:
                blocks = item_blocks(show, [published[index] for index in batch]) or ()
                for index, block in zip(batch, blocks, strict=False):  # none: left to render
                    items[index] = block
            for index, item in worker.rendered().items():
                items[index] = item
        pieces += feed_pieces(show, published, items)
    yield FEED_FILE, pieces


def served(show: Show, base_url: str) -> Show:
    """The show with its feed and media at `base_url`, keeping its podcast:guid."""
    base_url = base_url.rstrip("/")
    return show.model_copy(
        update={
            "feed_url": f"{base_url}/{FEED_FILE}",
            "media_base_url": f"{base_url}/media/",
            "podcast_guid": show.guid,
        }
    )


def publishable(episodes: Sequence[Episode], now: datetime) -> list[Episode]:
    """Episodes that are not drafts and whose date has come."""
    moment = now.timestamp()
    return [episode for episode in episodes if _publishable(episode, moment)]


def _publishable(episode: Episode, moment: float) -> bool:
    """Whether the episode is no draft and its date has come at `moment` (a POSIX time)."""
    return not episode.draft and episode.published_at <= moment


def in_feed_order(show: Show, episodes: Sequence[Episode]) -> list[Episode]:
    """Newest first for episodic shows; oldest first by episode number for serial ones.

    In a serial season, trailers come first and unnumbered bonus episodes after the numbered
    ones, by date.
    """
    if show.type == "serial":
        return sorted(
            episodes,
            key=lambda e: (
                e.season or 0,
                e.episode_type != "trailer",
                e.number if e.number is not None else math.inf,
                e.published,
                e.source,
            ),
        )
    return sorted(episodes, key=lambda e: (e.published, e.source), reverse=True)


def _now() -> datetime:
    return datetime.now(UTC)
