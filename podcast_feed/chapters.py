"""Chapters from one source of truth, in the form each app reads: Podcasting 2.0 JSON chapters
(Apple, Podcast Index apps), Podlove Simple Chapters and description timestamps (Spotify)."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import Problem
from .layout import CHAPTERS_FOLDER

if TYPE_CHECKING:  # `timestamp` serves the CLI, which must not load pydantic for it
    from .models import Episode, Show
    from .podcasting import Chapter

MIN_DESCRIPTION_CHAPTERS = 3
"""Spotify lists description timestamps only from three chapters on, the first at 0:00."""
_NAMED = 3
"""Chapters a problem names at most (the rest are counted): one line a person can read."""


def normal_play_time(seconds: float) -> str:
    """`psc:chapter start`: HH:MM:SS.mmm.

    >>> normal_play_time(3723.5)
    '01:02:03.500'
    """
    milliseconds = round(seconds * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def timestamp(seconds: float, long: bool) -> str:
    """A description timestamp: MM:SS, or H:MM:SS for episodes of an hour or more.

    >>> timestamp(95.9, long=False), timestamp(95, long=True)
    ('01:35', '0:01:35')
    """
    whole = int(seconds)
    if long:
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{whole // 60:02d}:{whole % 60:02d}"


def chapters_path(episode: Episode) -> str:
    """Where an episode's JSON chapters are written, relative to the output folder."""
    return f"{CHAPTERS_FOLDER}/{episode.slug}.json"


def chapters_json(show: Show, episode: Episode) -> bytes:
    """The Podcasting 2.0 JSON chapters file (format 1.2) of one episode."""
    document = {
        "version": "1.2.0",
        "podcastName": show.title,
        "title": episode.meta.title,
        "chapters": [_json_chapter(show, chapter) for chapter in episode.chapters],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _json_chapter(show: Show, chapter: Chapter) -> dict[str, object]:
    entry: dict[str, object] = {"startTime": round(chapter.start, 3), "title": chapter.title}
    if chapter.image:
        entry["img"] = show.image_url(chapter.image)
    if chapter.url:
        entry["url"] = chapter.url
    if chapter.hidden:
        entry["toc"] = False
    return entry


def description_timestamps(episode: Episode) -> str:
    """The chapters as timestamp lines for the end of `description`, or "" when too few."""
    listed = [chapter for chapter in episode.chapters if not chapter.hidden]
    if len(listed) < MIN_DESCRIPTION_CHAPTERS or listed[0].start != 0:
        return ""
    long = bool(episode.media and episode.media.duration >= 3600)
    return "\n".join(
        f"<p>{timestamp(chapter.start, long)} {html.escape(chapter.title, quote=False)}</p>"
        for chapter in listed
    )


def _listed(names: Sequence[str]) -> str:
    """At most `_NAMED` of `names`, then how many more there are."""
    shown = ", ".join(names[:_NAMED])
    return f"{shown} and {len(names) - _NAMED} more" if len(names) > _NAMED else shown


def check_chapters(episode: Episode) -> list[Problem]:
    """Sorted, unique, starting at 0 and inside the audio (SPEC 4.2, Spotify's rules)."""
    chapters = episode.chapters
    if not chapters:
        return []
    field = "chapters" if episode.meta.chapters else "audio"
    problems: list[Problem] = []

    starts = [chapter.start for chapter in chapters]
    if starts != sorted(starts):
        problems.append(
            episode.error(
                "chapters-not-sorted",
                field,
                "chapters are not in order of their start times",
                "list them from the earliest to the latest",
            )
        )
    counts = Counter(starts)  # (not starts.count: 5,000 chapters took 0.23 s)
    duplicates = sorted({timestamp(start, True) for start, count in counts.items() if count > 1})
    if duplicates:
        problems.append(
            episode.error(
                "chapters-duplicate-start",
                field,
                f"several chapters start at {_listed(duplicates)}",
                "give each chapter its own start time",
            )
        )
    if min(starts) != 0:  # the earliest: listed out of order, the first may not be it
        problems.append(
            episode.warning(
                "chapters-first-not-at-zero",
                field,
                f"the first chapter starts at {timestamp(min(starts), True)}, not 0:00",
                "add a chapter at 0 (Spotify ignores chapters that do not start there)",
            )
        )
    if episode.media is not None:
        duration = episode.media.duration
        late = [chapter for chapter in chapters if chapter.start >= duration]
        if late:
            named = [f"{c.title!r} ({timestamp(c.start, True)})" for c in late]
            problems.append(
                episode.error(
                    "chapters-after-end",
                    field,
                    f"{'chapter' if len(late) == 1 else 'chapters'} {_listed(named)} "
                    f"{'starts' if len(late) == 1 else 'start'} after the audio ends "
                    f"({timestamp(duration, True)})",
                    "correct the start times",
                )
            )
    return problems


def check_soundbites(episode: Episode) -> list[Problem]:
    problems = []
    for soundbite in episode.meta.soundbites:
        if episode.media is not None and soundbite.start + soundbite.duration > (
            episode.media.duration
        ):
            problems.append(
                episode.error(
                    "soundbite-after-end",
                    "soundbites",
                    f"the soundbite at {timestamp(soundbite.start, True)} runs past the end of the "
                    "audio",
                    "shorten it or move it earlier",
                )
            )
        if not 15 <= soundbite.duration <= 120:
            problems.append(
                episode.warning(
                    "soundbite-length",
                    "soundbites",
                    f"the soundbite at {timestamp(soundbite.start, True)} lasts "
                    f"{soundbite.duration:g} s",
                    "apps expect 15 to 120 seconds",
                )
            )
    return problems


def embedded_chapters(starts_and_titles: Sequence[tuple[float, str]]) -> tuple[Chapter, ...]:
    """Chapters read from the audio file, with titles made usable (trimmed, never empty)."""
    from .podcasting import Chapter
    from .yamlfile import FORBIDDEN_CHARACTER

    return tuple(
        Chapter(
            start=max(0.0, start),
            title=FORBIDDEN_CHARACTER.sub("", title).strip()[:128].strip() or f"Chapter {number}",
        )
        for number, (start, title) in enumerate(starts_and_titles, 1)
    )
