"""The catalogue: every episode through the steps that concern it alone (its file parsed and
rendered, its audio probed, its transcripts read, its own checks), each episode's outcome
remembered as one, with the files in media/ it was made from.

One edited episode in a catalogue of 10,000 is then one episode's work: the others are taken
as they were, once the cache has confirmed that their episode file, podcast.yaml and each media
file they read (and the transcripts next to the audio they found missing) are unchanged. Only
outcomes without errors are remembered: a broken episode is checked afresh every time, so its
messages (and their suggestions, drawn from what media/ holds now) are always current.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .assets import MediaFiles, media_files
from .cache import Cache, InputState
from .checks import check_episode
from .episodes import listed_episodes, load_episodes, look_alike_problems
from .errors import Problem, has_errors, without_echoes
from .layout import SHOW_FILE
from .media import audio_jobs, with_media
from .models import Episode, Show
from .transcripts import sidecar_names, transcript_jobs, with_transcripts

_OUTCOME = "outcome"


@dataclass(frozen=True)
class _Outcome:
    """One episode after its own steps, and what they read besides its file."""

    episode: Episode
    problems: tuple[Problem, ...]
    read: tuple[tuple[str, str], ...]
    """Each file in media/ the steps read, with its content key then."""
    absent: tuple[str, ...]
    """The transcripts looked for next to the audio and not found."""
    inputs: str
    """`inputs_digest` of the episode's file and `read`."""


class CheckedEpisodes(NamedTuple):
    """What `checked_episodes` found."""

    episodes: list[Episode]
    """Those that passed their own steps, in file-name order."""
    problems: list[Problem]
    made_from: dict[str, str]
    """`inputs_digest` of each episode, by its source, where every file it was made from
    has a content key (with a cache): what its pages and feed item are remembered by."""


def inputs_digest(source: str, own_key: str, read: Sequence[tuple[str, str]]) -> str:
    """The digest of the files an episode was made from: its own file's content key, and
    each file in media/ it read with its key."""
    parts = [source, own_key, *(f"{name}:{key}" for name, key in read)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def checked_episodes(
    root: Path, show: Show | None, cache: Cache | None = None, walk: InputState | None = None
) -> CheckedEpisodes:
    """Every episode in episodes/ that passed its own steps and the problems of all of them;
    from the cache where nothing it depends on changed. `walk` is the listing of the show's
    files `build` made a moment ago (media/ is not listed again)."""
    media = root / "media"
    available = MediaFiles(walk.media_files() if walk is not None else media_files(media))
    context = _context(root, show, cache)
    listed, look_alikes = listed_episodes(root / "episodes")
    names = [f"episodes/{name}" for name in listed]  # the sources
    kept: dict[str, _Outcome] = {}
    if cache is not None and context is not None:
        key_in = cache.file_keys(root).key_in

        def unchanged(outcome: object) -> bool:
            if not isinstance(outcome, _Outcome) or not available.isdisjoint(outcome.absent):
                return False
            for name, key in outcome.read:  # noqa: SIM110 - no generator: runs for every episode
                if key_in("media/" + name) != key:
                    return False
            return True

        kept = cache.recall(_OUTCOME, names, context, unchanged)
    loaded, problems = load_episodes(
        [root / name for name in names if name not in kept],
        root,
        show,
        cache,
    )
    from_loading: dict[str, list[Problem]] = {}  # a loaded episode's warnings: its outcome's
    for problem in problems:
        from_loading.setdefault(problem.file, []).append(problem)
    problems += look_alike_problems("episodes", look_alikes)
    if cache is not None:  # a big catalogue's new audio and transcripts, on every core
        cache.prefetch([*audio_jobs(loaded, media), *transcript_jobs(loaded, media, available)])
    by_source = {outcome.episode.source: outcome.episode for outcome in kept.values()}
    made_from = {outcome.episode.source: outcome.inputs for outcome in kept.values()}
    for outcome in kept.values():
        problems += outcome.problems
    for episode in loaded:
        checked, found = _steps(episode, root, show, cache, available)
        reading = from_loading.get(episode.source, [])
        if has_errors(reading):  # checked for its own problems only: not an episode yet
            problems += without_echoes(found, reading)
            continue
        problems += found
        if checked is None:
            continue
        by_source[checked.source] = checked
        found = from_loading.get(checked.source, []) + found
        fresh = _outcome(cache, root, checked, found, available)
        if fresh is None:
            continue  # no cache, or a file without a trusted key: its pages render
        made_from[checked.source] = fresh.inputs
        # a draft reads files its references leave out: it is checked every time
        lasting = not checked.draft and not has_errors(found)
        if cache is not None and context is not None and lasting:
            cache.keep(_OUTCOME, checked.source, context, fresh)
    # all from one folder: the order of their sources is episode_names' order
    episodes = sorted(by_source.values(), key=lambda episode: episode.source)
    return CheckedEpisodes(episodes, problems, made_from)


def _context(root: Path, show: Show | None, cache: Cache | None) -> tuple[str] | None:
    """What every outcome depends on besides its own files: podcast.yaml (the time zone, the
    guid namespace, the show's title the episode titles are checked against)."""
    if cache is None or not cache.enabled or show is None:
        return None
    key = cache.file_keys(root).key(root / SHOW_FILE)
    return None if key is None else (key,)


def _steps(
    episode: Episode, root: Path, show: Show | None, cache: Cache | None, available: MediaFiles
) -> tuple[Episode | None, list[Problem]]:
    """The episode with its media and transcripts, and its own problems; None if its audio
    cannot be used (its other files and keys are checked all the same: every problem of the
    episode is reported at once)."""
    media = root / "media"
    probed, problems = with_media([episode], media, cache=cache, available=available)
    [checked], found = with_transcripts(probed or [episode], media, cache, available)
    problems += found
    problems += check_episode(show, checked, root, cache, available)
    return (checked if probed else None), problems


def _outcome(
    cache: Cache | None,
    root: Path,
    episode: Episode,
    problems: list[Problem],
    available: MediaFiles,
) -> _Outcome | None:
    """The episode's outcome, with the keys of the files it read; None without a cache, or if
    a file has no trusted key (changed just now)."""
    if cache is None or not cache.enabled:
        return None
    keys = cache.file_keys(root)
    own = keys.key_in(episode.source)
    if own is None:
        return None
    read = []
    for name in sorted({name for name, _, _ in episode.files}):
        key = keys.key_in(f"media/{name}")
        if key is None:
            return None
        read.append((name, key))
    looked_for = [] if episode.meta.transcripts is not None else sidecar_names(episode)
    absent = tuple(name for name in looked_for if name not in available)
    digest = inputs_digest(episode.source, own, read)
    return _Outcome(episode, tuple(problems), tuple(read), absent, digest)
