"""Episode files: `episodes/*.md`, YAML front matter plus Markdown show notes."""

from __future__ import annotations

import functools
import os
import sys
import uuid
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from .cache import Cache, Job, remember
from .errors import Problem, error, warning
from .models import Episode, FrontMatter, Show, aware
from .notes import left_out_problems, rendered_notes
from .validation import validate_record
from .yamlfile import read_text, split_front_matter

EPISODE_SUFFIX = ".md"


def episode_files(episodes_dir: Path) -> list[Path]:
    """The episode files in a stable order, whatever order the file system lists them in."""
    return [episodes_dir / name for name in episode_names(episodes_dir)]


_LOOK_ALIKE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".md.txt")
"""Names of Markdown files that are not read as episodes (only `.md` is): `.MD`, the other
Markdown extensions, and the `.txt` that Windows' Notepad adds."""


def episode_names(episodes_dir: Path) -> list[str]:
    """The episode files' names (`*.md`), sorted: names, not Paths (a Path costs more than a
    name, and a rebuild of 10,000 episodes makes one only for the episodes it reads)."""
    return listed_episodes(episodes_dir)[0]


def listed_episodes(episodes_dir: Path) -> tuple[list[str], list[str]]:
    """`episode_names`, and the sorted names of the files that look like episodes but are
    not read as such (`001-intro.MD`, `001-intro.markdown`, `2024/001-intro.md`): from one
    listing. Hidden files are neither: an editor's lock file (Emacs's `.#001-intro.md`, a
    link to nothing while the file is open) or macOS's `._001-intro.md` beside a copy is
    never an episode."""
    if not episodes_dir.is_dir():
        return [], []
    episodes, look_alikes = [], []
    for name in os.listdir(episodes_dir):  # noqa: PTH208
        if name.startswith("."):
            continue
        if name.endswith(EPISODE_SUFFIX):  # (what splitext says of a name not hidden)
            episodes.append(name)
        elif name.lower().endswith(_LOOK_ALIKE_SUFFIXES):
            look_alikes.append(name)
        elif os.path.isdir(episodes_dir / name):  # noqa: PTH112 (rare: a stat only here)
            look_alikes += _nested_episodes(episodes_dir, name)
    return sorted(episodes), sorted(look_alikes)


def _nested_episodes(episodes_dir: Path, folder: str) -> list[str]:
    """The Markdown files in a folder of episodes/ (`2024/001-intro.md`), relative to it:
    only episodes/ itself is read, so an episode filed by year would vanish from the feed."""
    found = []
    for above, folders, names in os.walk(episodes_dir / folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        relative = Path(above).relative_to(episodes_dir).as_posix()
        found += [
            f"{relative}/{name}"
            for name in names
            if not name.startswith(".") and name.lower().endswith(_LOOK_ALIKE_SUFFIXES)
        ]
    return found


def look_alike_problems(folder: str, names: Sequence[str]) -> list[Problem]:
    """A warning for each file of `listed_episodes`' look-alikes in `folder`: an episode
    saved as `.MD`, or filed in a folder of episodes/, would otherwise be left out of the
    feed without a word."""
    problems = []
    for name in names:
        stem = name[: -len(next(s for s in _LOOK_ALIKE_SUFFIXES if name.lower().endswith(s)))]
        if "/" in name:  # in a folder of episodes/
            message = f"is not read as an episode: only the files of {folder}/ itself are"
            fix = f"move it to {folder}/{stem.rsplit('/', 1)[1]}{EPISODE_SUFFIX}"
        else:
            message = f"is not read as an episode: only files ending in '{EPISODE_SUFFIX}' are"
            fix = f"rename it to {stem}{EPISODE_SUFFIX}"
        problems.append(
            warning(
                "episode-not-read",
                f"{folder}/{name}",
                None,
                message,
                f"{fix}, or move it out of {folder}/",
            )
        )
    return problems


def load_episodes(
    files: Sequence[Path], root: Path, show: Show | None, cache: Cache | None = None
) -> tuple[list[Episode], list[Problem]]:
    """These episode files (from `episode_files`) parsed, validated and rendered (or as `cache`
    remembers them); problems from all of them. An episode whose optional keys have errors
    comes back without them, for the rest of its checks: the errors say it is not for a feed."""
    zone = show.zone if show else zoneinfo.ZoneInfo("UTC")
    namespace = show.guid if show else uuid.UUID(int=0)
    episodes: list[Episode] = []
    problems: list[Problem] = []
    folder = files[0].parent.relative_to(root).as_posix() if files else ""  # one folder
    if cache is not None and cache.may_prefetch(len(files)):  # new files read on every core
        cache.prefetch([_job(path, folder, zone, namespace) for path in files])
    for path in files:
        shown_as = path.relative_to(root).as_posix()
        if not path.is_file():
            problems.append(
                error(
                    "episode-not-a-file",
                    shown_as,
                    None,
                    "is a folder (or not a regular file), so it is not an episode",
                    "move it out of episodes/, or rename it without .md",
                )
            )
            continue
        job = _job(path, folder, zone, namespace)
        loaded: tuple[Episode | None, list[Problem]]
        loaded = remember(cache, job.kind, path, job.compute, *job.context)
        episode, found = loaded
        problems += found
        if episode is not None:
            episodes.append(episode)
    return episodes, problems


def _job(path: Path, folder: str, zone: zoneinfo.ZoneInfo, namespace: uuid.UUID) -> Job:
    """Loading one episode file, as the cache runs it: the file, the work, and the settings
    the result depends on besides the file."""
    shown_as = f"{folder}/{path.name}"
    work = functools.partial(load_episode, path, shown_as, zone, namespace)
    return Job("episode", path, work, (shown_as, zone.key, namespace))


def load_episode(
    path: Path, shown_as: str, zone: zoneinfo.ZoneInfo, show_namespace: uuid.UUID
) -> tuple[Episode | None, list[Problem]]:
    text_file = read_text(path, shown_as)
    if text_file.text is None:
        return None, text_file.problems
    markdown_file, problems = split_front_matter(text_file.text, shown_as)
    problems = text_file.problems + problems
    if markdown_file is None:
        return None, problems
    document = markdown_file.front_matter
    meta, found = validate_record(FrontMatter, document.data, document, shown_as, partial=True)
    if isinstance(document.data, dict) and document.data.get("draft") is True:
        found = [_for_a_draft(problem, path.stem) for problem in found]
    problems += found
    notes = rendered_notes(markdown_file.body)
    problems += left_out_problems(notes, markdown_file.body, markdown_file.body_line, shown_as)
    if meta is None:
        return None, problems
    guid = meta.guid or derived_episode_guid(show_namespace, path.stem)
    episode = Episode(
        source=shown_as,
        meta=meta,
        published=aware(meta.date, zone),
        notes_html=notes.html,
        guid=guid,
        key_lines=_dotted_lines(document.key_lines),
        media=None,  # probed next (media.with_media), with transcripts and alternates
        chapters=tuple(meta.chapters),
        transcripts=(),
        alternates=(),
    )
    return episode, problems


_DRAFT_NEEDS = {
    "audio": "a draft needs it too, though the file need not exist yet: name the one you will "
    "record, as in 'audio: {stem}.mp3'",
    "date": "a draft needs it too: the day you mean to publish it, as in 'date: 2025-06-03 "
    "09:00'; it stays out of the feed while 'draft: true' is there",
}
"""The fix for a key a draft lacks: one written before the recording has neither yet."""


def _for_a_draft(problem: Problem, stem: str) -> Problem:
    fix = _DRAFT_NEEDS.get(problem.field or "") if problem.code == "missing-key" else None
    return replace(problem, fix=fix.format(stem=stem)) if fix is not None else problem


def _dotted_lines(key_lines: Mapping[tuple[str | int, ...], int]) -> dict[str, int]:
    """The line of each key, by its dotted path (`chapters.2.start`), as problems name their
    field; the top-level keys interned (pickled once per cached bucket of episodes, as
    `fields.Model` does with field names)."""
    return {
        sys.intern(str(key[0])) if len(key) == 1 else ".".join(map(str, key)): line
        for key, line in key_lines.items()
    }


def derived_episode_guid(show_namespace: uuid.UUID, slug: str) -> str:
    """A stand-in GUID for an episode whose front matter has none yet, stable per file name.

    >>> derived_episode_guid(uuid.UUID(int=0), "001-intro")
    'af4378ab-9733-52ef-ac59-351ecb8fcc2f'
    """
    return str(uuid.uuid5(show_namespace, slug))
