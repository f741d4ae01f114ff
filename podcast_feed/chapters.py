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
    """Sorted, unique, starting at 0 and inside the audio (SPEC 4.2, Spotify's rules); each
    problem at the line of the chapter it is about."""
    chapters = episode.chapters
    if not chapters:
        return []
    problems: list[Problem] = []

    starts = [chapter.start for chapter in chapters]
    early = next((n for n in range(1, len(starts)) if starts[n] < starts[n - 1]), None)
    if early is not None:
        above, chapter = chapters[early - 1], chapters[early]
        problems.append(
            episode.error(
                "chapters-not-sorted",
                chapter_field(episode, early),
                f"chapters are not in order of their start times: {chapter.title!r} "
                f"({timestamp(chapter.start, True)}) is listed after {above.title!r} "
                f"({timestamp(above.start, True)})",
                "list them from the earliest to the latest",
            )
        )
    counts = Counter(starts)  # (not starts.count: 5,000 chapters took 0.23 s)
    duplicates = sorted({timestamp(start, True) for start, count in counts.items() if count > 1})
    if duplicates:
        problems.append(
            episode.error(
                "chapters-duplicate-start",
                chapter_field(episode, _first_repeat(starts)),
                f"several chapters start at {_listed(duplicates)}",
                "give each chapter its own start time",
            )
        )
    earliest = min(range(len(starts)), key=starts.__getitem__)  # listed out of order, the
    if starts[earliest] != 0:  # first may not be it
        problems.append(
            episode.warning(
                "chapters-first-not-at-zero",
                chapter_field(episode, earliest),
                f"the first chapter starts at {timestamp(starts[earliest], True)}, not 0:00",
                "add a chapter at 0 (Spotify ignores chapters that do not start there)",
            )
        )
    if episode.media is not None:
        duration = episode.media.duration
        late = [n for n, start in enumerate(starts) if start >= duration]
        if late:
            named = [f"{chapters[n].title!r} ({timestamp(chapters[n].start, True)})" for n in late]
            problems.append(
                episode.error(
                    "chapters-after-end",
                    chapter_field(episode, late[0]),
                    f"{'chapter' if len(late) == 1 else 'chapters'} {_listed(named)} "
                    f"{'starts' if len(late) == 1 else 'start'} after the audio ends "
                    f"({timestamp(duration, True)})",
                    "correct the start times",
                )
            )
    return problems


def _first_repeat(starts: Sequence[float]) -> int:
    """The position of the first chapter that starts where one above it does."""
    seen: set[float] = set()
    for position, start in enumerate(starts):
        if start in seen:
            return position
        seen.add(start)
    raise ValueError("no start is repeated")


def chapter_field(episode: Episode, position: int, key: str = "start") -> str:
    """The field a problem with the episode's chapter at `position` is reported at: its
    `key` in the front matter (`chapters.2.start`), or `audio` for chapters embedded in it."""
    if not episode.meta.chapters:
        return "audio"
    return f"{episode.meta.item_field('chapters', position)}.{key}"


def check_soundbites(episode: Episode) -> list[Problem]:
    problems = []
    for position, soundbite in enumerate(episode.meta.soundbites):
        field = episode.meta.item_field("soundbites", position)
        if episode.media is not None and soundbite.start + soundbite.duration > (
            episode.media.duration
        ):
            problems.append(
                episode.error(
                    "soundbite-after-end",
                    field,
                    f"the soundbite at {timestamp(soundbite.start, True)} runs past the end of the "
                    "audio",
                    "shorten it or move it earlier",
                )
            )
        if not 15 <= soundbite.duration <= 120:
            problems.append(
                episode.warning(
                    "soundbite-length",
                    f"{field}.duration",
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
