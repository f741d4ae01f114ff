"""Transcripts: files in media/ next to the audio, or listed in front matter, checked with
webvtt-py (the only module that knows it) so that their time codes fit the audio."""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TypeGuard

from .assets import MediaFiles, lfs_pointer_problem
from .cache import Cache, Job, remember
from .errors import PodcastFeedError, Problem
from .filetypes import TRANSCRIPT_TYPES
from .models import Cue, Episode, Transcript
from .podcasting import TranscriptRef

TIMED_TYPES = frozenset({".vtt", ".srt", ".json"})
"""The transcripts with time codes (`rel="captions"`): parsed for their cues (VTT and SRT with
webvtt-py, JSON as Podcasting 2.0 describes it), and their timing checked."""
# Time codes up to this far past the audio's end are rounding, not a wrong file.
_END_TOLERANCE_SECONDS = 1.0


def with_transcripts(
    episodes: Sequence[Episode],
    media_dir: Path,
    cache: Cache | None = None,
    available: MediaFiles | None = None,
) -> tuple[list[Episode], list[Problem]]:
    """Each episode with its transcripts found and checked (the files parsed, or as `cache`
    remembers them); drafts are left as they are. `available` is what media/ holds, if the
    caller has listed it already."""
    result: list[Episode] = []
    problems: list[Problem] = []
    available = MediaFiles.listed(media_dir, available)  # one listing, not five stats each
    for episode in episodes:
        if episode.meta.draft:
            result.append(episode)
            continue
        transcripts = []
        listed = episode.meta.transcripts is not None
        for position, ref in enumerate(transcript_refs(episode, available)):
            field = (
                f"{episode.meta.item_field('transcripts', position)}.file"
                if listed
                else "transcripts"
            )
            transcript, found = read_transcript(episode, ref, field, media_dir, available, cache)
            if not listed:  # found by the audio's name: reported at the audio's line
                found = [replace(problem, line=episode.line_of("audio")) for problem in found]
            problems += found
            if transcript is not None:
                transcripts.append(transcript)
        result.append(replace(episode, transcripts=tuple(transcripts)))
    return result, problems


def transcript_jobs(
    episodes: Sequence[Episode], media_dir: Path, available: AbstractSet[str]
) -> list[Job]:
    """Parsing the VTT and SRT files of these episodes (drafts aside), for `Cache.prefetch` to
    run on every core at once: `with_transcripts` then finds them remembered."""
    names = {
        ref.file
        for episode in episodes
        if not episode.draft
        for ref in transcript_refs(episode, available)
        if ref.file in available and PurePosixPath(ref.file).suffix.lower() in TIMED_TYPES
    }
    paths = [media_dir / name for name in sorted(names)]
    return [Job("transcript", path, functools.partial(parse_captions, path)) for path in paths]


def transcript_refs(episode: Episode, available: AbstractSet[str]) -> list[TranscriptRef]:
    """The episode's `transcripts` (`[]`: none), else the transcripts found beside its
    audio."""
    listed = episode.meta.transcripts
    return list(listed) if listed is not None else sidecars(episode, available)


def sidecars(episode: Episode, available: AbstractSet[str]) -> list[TranscriptRef]:
    """The transcripts found next to the episode's audio (see `sidecar_names`)."""
    return [TranscriptRef(file=name) for name in sidecar_names(episode) if name in available]


def sidecar_names(episode: Episode) -> list[str]:
    """Where a transcript beside the audio would be: `<audio name>.vtt` (and .srt, .json,
    .html, .txt) in media/."""
    stem = PurePosixPath(episode.meta.audio).with_suffix("")
    return [f"{stem}{suffix}" for suffix in TRANSCRIPT_TYPES]


@dataclass(frozen=True)
class Caption:
    """A cue as the file has it, before any check."""

    start: float
    end: float
    start_text: str
    """The start time as written, for messages."""
    speaker: str | None
    text: str
    place: str
    """Where it is in its file, for messages: `line 12` (its times' line), `segment 3`."""


class InvalidTranscript(PodcastFeedError):
    """The file cannot be read as the transcript format its extension names; `fix` is what
    to do, when the fault is known."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message, fix)  # both, for the cache's pickle to make it again
        self.fix = fix

    def __str__(self) -> str:
        return str(self.args[0])


_UTF8_FIX = "save it as UTF-8, the encoding apps read"
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_SRT_TIMING = re.compile(r"^\d+:\d{2}:\d{2},\d{3}\s+-->", re.MULTILINE)
_CUE_BLOCK = re.compile(r"Invalid cue block \[('[^']*')")
_SHORT_TIME = "write each time as HH:MM:SS.mmm or MM:SS.mmm, e.g. 01:02:03.500"


def parse_captions(path: Path) -> tuple[Caption, ...]:
    """The cues of a VTT, SRT or JSON transcript (webvtt-py imported here: a build whose
    transcripts are all in the cache does not load it). Read as browsers and apps read
    them: UTF-8 only, and VTT's times in full, else they drop the cue."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        found = (
            "UTF-16 text"
            if data[:2] in _UTF16_MARKS
            else f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        )
        raise InvalidTranscript(f"it is not UTF-8 ({found})", _UTF8_FIX) from None
    suffix = path.suffix.lower()
    if not text.strip():
        return ()  # reported as having no cues
    if suffix == ".json":
        return _json_segments(text)
    _check_blocks(text, suffix)
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        if suffix == ".vtt":
            document = webvtt.from_buffer(io.StringIO(text), format="vtt", strict=True)
        else:
            document = webvtt.from_buffer(io.StringIO(text), format="srt")
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise _explained(suffix, text, str(exc), isinstance(exc, MalformedCaptionError)) from None
    # each cue's line: that of its times, the lines with an arrow (no other line has one)
    timing_lines = [number for number, line in enumerate(text.split("\n"), 1) if "-->" in line]
    if len(timing_lines) != len(document.captions):
        timing_lines = [0] * len(document.captions)  # (a cue's text with an arrow in SRT)
    return tuple(
        Caption(
            start=c.start_time.in_milliseconds() / 1000,
            end=c.end_time.in_milliseconds() / 1000,
            start_text=c.start,
            speaker=c.voice or None,
            text=" ".join(c.text.split()),
            place=f"line {line}" if line else f"cue {number}",
        )
        for number, (c, line) in enumerate(zip(document.captions, timing_lines, strict=True), 1)
    )


_BLOCK = re.compile(r"^[ \t]*\S.*(?:\n[ \t]*\S.*)*", re.MULTILINE)
"""A block of a VTT or SRT file: lines up to a blank one (a CRLF file's lines end in \\r)."""
_VTT_OTHER_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:\s|$)")


def _check_blocks(text: str, suffix: str) -> None:
    """Refuse a block of a VTT or SRT file that is not a cue: no `-->` in its first two lines
    (the cue's identifier, then its times). Browsers drop such a block of a VTT file, and
    webvtt-py too, silently; in an SRT file it joins the cue before it, times and all. A
    mistyped arrow (`->`) or a blank line inside a cue's text loses words either way."""
    header = suffix == ".vtt"  # a VTT file's first block is its WEBVTT line (checked apart)
    for found in _BLOCK.finditer(text):
        first_lines = [line.strip() for line in found.group(0).splitlines()[:2]]
        skipped = header or (suffix == ".vtt" and _VTT_OTHER_BLOCK.match(first_lines[0]))
        header = False
        if skipped or any("-->" in line for line in first_lines):
            continue
        line = text.count("\n", 0, found.start()) + 1
        lost = (
            "browsers and apps drop its text"
            if suffix == ".vtt"
            else "apps read it as more text of the cue before, times and all"
        )
        mark = "." if suffix == ".vtt" else ","
        raise InvalidTranscript(
            f"line {line} ({' / '.join(first_lines)[:60]!r}) is not a cue: it has no '-->' "
            f"between a start and an end time, so {lost}",
            f"write its times as START --> END (00:01:02{mark}000 --> 00:01:05{mark}000) or, "
            "if the line belongs to the cue above, remove the blank line before it",
        )


def _explained(suffix: str, text: str, complaint: str, bad_cue: bool) -> InvalidTranscript:
    """webvtt-py's complaint about a file (`bad_cue`: about one of its cues), with what most
    often causes it."""
    cue = _CUE_BLOCK.match(complaint)
    if cue:
        complaint = f"the cue {cue.group(1)} cannot be read"
    if suffix != ".vtt":
        return InvalidTranscript(complaint)
    srt_timing = _SRT_TIMING.search(text)
    if not text.lstrip().startswith("WEBVTT"):
        if srt_timing:
            return InvalidTranscript(
                "it is an SRT file (no WEBVTT line, commas in its times)",
                "rename it .srt and its name under transcripts:, if the episode lists it",
            )
        return InvalidTranscript(
            "it does not start with the line WEBVTT", "add WEBVTT and a blank line at its top"
        )
    if srt_timing:
        return InvalidTranscript(
            f"{complaint}: VTT's times have a full stop before the milliseconds (00:00:01.000), "
            "where SRT's have a comma",
            "replace the commas in its times with full stops",
        )
    if bad_cue:
        return InvalidTranscript(f"{complaint}; browsers and apps drop such a cue", _SHORT_TIME)
    return InvalidTranscript(complaint)


def _json_segments(text: str) -> tuple[Caption, ...]:
    """The segments of a Podcasting 2.0 JSON transcript, `{"version": "1.0.0", "segments":
    [{"speaker", "startTime", "endTime", "body"}]}`: an app given a file of another shape
    shows no transcript, so each segment must have its times and its text."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidTranscript(f"not JSON: {exc}") from None
    except RecursionError:
        raise InvalidTranscript("nested too deeply") from None
    segments = document.get("segments") if isinstance(document, dict) else None
    if not isinstance(segments, list):
        raise InvalidTranscript('it has no "segments" list')
    captions = []
    for number, segment in enumerate(segments, start=1):
        if not isinstance(segment, dict):
            raise InvalidTranscript(f"segment {number} is not an object")
        start, end = segment.get("startTime"), segment.get("endTime")
        body, speaker = segment.get("body"), segment.get("speaker")
        if not (_is_time(start) and _is_time(end)):
            raise InvalidTranscript(f'segment {number} needs "startTime" and "endTime" in seconds')
        if not isinstance(body, str) or not (speaker is None or isinstance(speaker, str)):
            raise InvalidTranscript(
                f'segment {number} needs its "body" (and any "speaker") as text'
            )
        captions.append(
            Caption(
                start=float(start),
                end=float(end),
                start_text=f"{float(start):g} s",
                speaker=speaker or None,
                text=" ".join(body.split()),
                place=f"segment {number}",
            )
        )
    return tuple(captions)


@dataclass(frozen=True)
class TranscriptReport:
    """Everything `podcast-feed inspect` shows about a timed transcript."""

    file: str
    format: str
    cues: int
    start: float | None
    end: float | None
    speakers: list[str]


def inspect_transcript(path: Path) -> TranscriptReport:
    """A VTT, SRT or JSON transcript's cues, as the build reads them (`InvalidTranscript`,
    with its fix, if it cannot)."""
    captions = parse_captions(path)
    speakers = sorted({caption.speaker for caption in captions if caption.speaker})
    return TranscriptReport(
        str(path),
        path.suffix.lower()[1:].upper(),
        len(captions),
        min((caption.start for caption in captions), default=None),
        max((caption.end for caption in captions), default=None),
        speakers,
    )


def _is_time(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def read_transcript(
    episode: Episode,
    ref: TranscriptRef,
    field: str,
    media_dir: Path,
    available: MediaFiles,
    cache: Cache | None = None,
) -> tuple[Transcript | None, list[Problem]]:
    path = media_dir / ref.file
    suffix = path.suffix.lower()

    if ref.file not in available:
        return None, [
            episode.error(
                "transcript-missing",
                field,
                f"{ref.file!r} is not in media/",
                available.missing_fix(ref.file, "add the file", TRANSCRIPT_TYPES),
            )
        ]
    cues: tuple[Cue, ...] = ()
    problems: list[Problem] = []
    if suffix in TIMED_TYPES:
        try:
            captions = remember(cache, "transcript", path, functools.partial(parse_captions, path))
        except InvalidTranscript as exc:
            return None, [
                lfs_pointer_problem(episode, field, path, ref.file)
                or episode.error(
                    "transcript-invalid",
                    field,
                    f"{ref.file!r} is not a valid {suffix[1:].upper()} file: {exc}",
                    exc.fix
                    or (
                        "check it against Podcasting 2.0's JSON transcript format"
                        if suffix == ".json"
                        else "check it in a subtitle editor"
                    ),
                )
            ]
        if not captions:
            return None, [
                episode.error(
                    "transcript-empty",
                    field,
                    f"{ref.file!r} has no cues: apps would offer a transcript that shows nothing",
                    "fill it in, or delete it and any line naming it under transcripts:",
                )
            ]
        cues = tuple(
            Cue(start=c.start, end=c.end, speaker=c.speaker, text=c.text) for c in captions
        )
        problems += _timing_problems(episode, field, ref.file, captions)
    elif pointer := lfs_pointer_problem(episode, field, path, ref.file):
        return None, [pointer]  # a transcript nothing parses would go out as the pointer
    transcript = Transcript(
        file=ref.file,
        mime_type=TRANSCRIPT_TYPES[suffix],
        language=ref.language,
        timed=suffix in TIMED_TYPES,
        speakers=tuple(sorted({cue.speaker for cue in cues if cue.speaker})),
        cues=cues,
    )
    return transcript, problems


def _timing_problems(
    episode: Episode, field: str, name: str, captions: Sequence[Caption]
) -> list[Problem]:
    problems: list[Problem] = []
    previous_start = -1.0
    for caption in captions:
        if caption.start < previous_start or caption.end < caption.start:
            problems.append(
                episode.error(
                    "transcript-timing",
                    field,
                    f"{name!r}, {caption.place}: the cue at {caption.start_text} goes back in time",
                    "make every cue start after the previous one and end after it starts",
                )
            )
            break
        previous_start = caption.start
    if captions and episode.media is not None:
        last = max(captions, key=lambda c: c.end)
        if last.end > episode.media.duration + _END_TOLERANCE_SECONDS:
            problems.append(
                episode.error(
                    "transcript-after-end",
                    field,
                    f"{name!r} runs to {last.end:.1f} s ({last.place}) but the audio lasts "
                    f"{episode.media.duration:.1f} s",
                    "is it the transcript of another episode?",
                )
            )
    return problems
