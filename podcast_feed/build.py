"""The pipeline: podcast.yaml + episodes/ + media/ in, feed.xml out, written atomically."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .chapters import CHAPTERS_FOLDER, chapters_json, chapters_path
from .checks import check
from .config import SHOW_FILE, load_show
from .episodes import load_episodes
from .errors import Problem, ProblemsFound, ShowNotFound, has_errors, warning
from .feed import render_feed
from .history import PublishedFeed, check_history, read_previous
from .media import with_media
from .models import Episode, Show
from .transcripts import with_transcripts

FEED_FILE = "feed.xml"
DEFAULT_OUTPUT = "public"
CACHE_FOLDER = ".podcast-feed-cache"
"""What podcast-feed remembers between runs (file hashes); safe to delete, never committed."""


@dataclass
class Validation:
    """What the checking stages found: the show, its episodes and every problem."""

    show: Show | None
    episodes: list[Episode]
    problems: list[Problem]

    def failed(self, strict: bool) -> bool:
        return has_errors(self.problems) or (strict and bool(self.problems))


@dataclass
class BuildResult:
    feed_path: Path
    feed_size: int
    published: list[Episode]
    drafts: int
    scheduled: int
    problems: list[Problem] = field(default_factory=list)
    """The warnings (a build with errors raises instead)."""

    @property
    def total_duration(self) -> float:
        return sum(episode.media.duration for episode in self.published if episode.media)


def validate(
    root: Path,
    *,
    now: datetime | None = None,
    previous: str | PublishedFeed | None = None,
    allow_removal: bool = False,
    online: bool = False,
    checked: Callable[[str, int], None] | None = None,
) -> Validation:
    """Load and check everything under `root`; never raises for what is in the files.

    `previous` is the live feed (a path or URL, or the feed already read): episodes published
    there must not vanish or change guid or audio URL, unless `allow_removal` or the episode's
    `republish` says so. `online` adds the hosting check (`hosting.py`), which fetches the
    feed and its files as apps do; `checked` is called after each URL, for a progress bar.
    """
    if not (root / SHOW_FILE).is_file():
        raise ShowNotFound(
            f"no {SHOW_FILE} in {root}; run the command in the show's folder or pass --root"
        )
    now = now or _now()
    published_before = read_previous(previous) if isinstance(previous, str) else previous
    show, problems = load_show(root / SHOW_FILE)
    episodes, found = load_episodes(root / "episodes", root, show)
    problems += found
    episodes, found = with_media(episodes, root / "media")
    problems += found
    episodes, found = with_transcripts(episodes, root / "media")
    problems += found
    problems += check(show, episodes, root)
    if show is not None and published_before is not None and not has_errors(problems):
        going_out = [(e, show.media_url(e.meta.audio)) for e in publishable(episodes, now)]
        problems += check_history(published_before, str(show.guid), going_out, allow_removal)
    if not has_errors(problems) and not publishable(episodes, now):
        problems.append(
            warning(
                "no-episodes",
                "episodes",
                None,
                "no episode is published (all are drafts, scheduled or missing)",
                "add an episode file; apps refuse empty feeds",
            )
        )
    if online and show is not None and not has_errors(problems):
        from .hosting import check_hosting  # httpx only for the command that goes online

        published = in_feed_order(show, publishable(episodes, now))
        problems += check_hosting(show, published, render_feed(show, published), checked=checked)
    problems.sort(key=lambda problem: problem.sort_key)
    return Validation(show, episodes, problems)


def build(
    root: Path,
    output: Path,
    *,
    strict: bool = False,
    now: datetime | None = None,
    previous: str | PublishedFeed | None = None,
    allow_removal: bool = False,
    served_from: str | None = None,
) -> BuildResult:
    """Validate, then write `output/feed.xml`; on any error nothing is written.

    `served_from` (an http URL) makes the feed and media URLs point there, for `serve`.
    """
    now = now or _now()
    validation = validate(root, now=now, previous=previous, allow_removal=allow_removal)
    if validation.failed(strict) or validation.show is None:
        raise ProblemsFound(validation.problems)
    show = validation.show if served_from is None else served(validation.show, served_from)
    published = in_feed_order(show, publishable(validation.episodes, now))
    xml = render_feed(show, published)
    write_chapters(show, published, output)
    feed_path = output / FEED_FILE
    write_atomic(feed_path, xml)
    drafts = sum(1 for episode in validation.episodes if episode.meta.draft)
    return BuildResult(
        feed_path=feed_path,
        feed_size=len(xml),
        published=published,
        drafts=drafts,
        scheduled=len(validation.episodes) - drafts - len(published),
        problems=validation.problems,
    )


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
    return [episode for episode in episodes if not episode.meta.draft and episode.published <= now]


def in_feed_order(show: Show, episodes: Sequence[Episode]) -> list[Episode]:
    """Newest first for episodic shows; oldest first by episode number for serial ones.

    In a serial season, trailers come first and unnumbered bonus episodes after the numbered
    ones, by date.
    """
    if show.type == "serial":
        return sorted(
            episodes,
            key=lambda e: (
                e.meta.season or 0,
                e.meta.type != "trailer",
                e.meta.episode if e.meta.episode is not None else math.inf,
                e.published,
                e.source,
            ),
        )
    return sorted(episodes, key=lambda e: (e.published, e.source), reverse=True)


def write_chapters(show: Show, episodes: Sequence[Episode], output: Path) -> None:
    """One JSON chapters file per episode with chapters; stale ones from earlier builds go."""
    written = set()
    for episode in episodes:
        if episode.chapters:
            path = output / chapters_path(episode)
            write_atomic(path, chapters_json(show, episode))
            written.add(path)
    folder = output / CHAPTERS_FOLDER
    if folder.is_dir():
        for stale in folder.glob("*.json"):
            if stale not in written:
                stale.unlink()


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _now() -> datetime:
    return datetime.now(UTC)
