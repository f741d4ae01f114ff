"""What can go wrong, said so that a person can act on it.

Every step of the pipeline reports problems as `Problem` records instead of raising at the
first one, so a single run shows everything that needs fixing. Only `cli.py` turns them into
text and exit codes.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


PROBLEM_CODES: frozenset[str] = frozenset(
    {
        "alternate-enclosure-unusable",
        "artwork-alpha",
        "artwork-colour-space",
        "artwork-format",
        "artwork-large-file",
        "artwork-missing",
        "artwork-not-square",
        "artwork-too-large",
        "artwork-too-small",
        "artwork-unreadable",
        "audio-misnamed",
        "audio-missing",
        "audio-truncated",
        "audio-unreadable",
        "audio-unsupported-type",
        "cache-ignored",
        "cache-not-ignored",
        "chapter-image-missing",
        "date-skipped-by-clocks",
        "chapters-after-end",
        "chapters-duplicate-start",
        "chapters-first-not-at-zero",
        "chapters-not-in-description",
        "chapters-not-sorted",
        "control-character",
        "description-too-long",
        "duplicate-audio",
        "duplicate-episode-number",
        "duplicate-guid",
        "duplicate-key",
        "duplicate-title",
        "empty-show-notes",
        "empty-value",
        "enclosure-url-changed",
        "episode-guid-missing",
        "episode-not-a-file",
        "episode-not-read",
        "episode-removed",
        "example-address",
        "feed-url-not-a-file",
        "file-outside-show",
        "guid-changed",
        "hosting-feed-differs",
        "hosting-http-status",
        "hosting-length-mismatch",
        "hosting-no-range",
        "hosting-redirect-loop",
        "hosting-redirect-to-http",
        "hosting-timeout",
        "hosting-unreachable",
        "hosting-wrong-type",
        "invalid-country",
        "invalid-date",
        "invalid-destination",
        "invalid-email",
        "invalid-language",
        "invalid-media-path",
        "invalid-time",
        "invalid-timezone",
        "invalid-url",
        "invalid-uuid",
        "invalid-value",
        "legacy-category",
        "lfs-pointer",
        "line-break",
        "markup-in-text",
        "media-file-name",
        "media-moved",
        "media-not-a-folder",
        "media-replaced",
        "missing-key",
        "moov-at-end",
        "no-episodes",
        "no-front-matter",
        "not-a-mapping",
        "not-https",
        "not-utf8",
        "notes-embed",
        "notes-image",
        "notes-lines-joined",
        "notes-link-dropped",
        "notes-relative-link",
        "notes-template",
        "podcast-guid-changed",
        "podcast-guid-mismatch",
        "podcast-guid-missing",
        "republish-done",
        "serial-episode-number",
        "show-template",
        "site-not-at-link",
        "soundbite-after-end",
        "soundbite-length",
        "surrounding-space",
        "template-error",
        "template-outside-block",
        "template-unused",
        "title-has-number",
        "title-has-show-name",
        "too-long",
        "transcript-after-end",
        "transcript-empty",
        "transcript-invalid",
        "transcript-missing",
        "transcript-shared",
        "transcript-timing",
        "transcript-type",
        "unknown-category",
        "unknown-key",
        "unknown-license",
        "unknown-person-role",
        "unreadable-file",
        "vbr-without-header",
        "wrong-type",
        "yaml-comment-in-value",
        "yaml-syntax",
        "yaml-too-large",
    }
)
"""Every problem code there is: stable names for CI annotations and `--format json`. The README
documents each one (a test holds it to that); a problem with any other code is a bug."""

WARNING_CODES: frozenset[str] = frozenset(
    {
        "artwork-large-file",
        "cache-ignored",
        "cache-not-ignored",
        "chapters-first-not-at-zero",
        "chapters-not-in-description",
        "date-skipped-by-clocks",
        "duplicate-title",
        "empty-show-notes",
        "enclosure-url-changed",
        "episode-guid-missing",
        "episode-not-read",
        "episode-removed",
        "guid-changed",
        "hosting-feed-differs",
        "media-file-name",
        "media-moved",
        "media-replaced",
        "moov-at-end",
        "not-https",
        "notes-embed",
        "notes-image",
        "notes-lines-joined",
        "notes-link-dropped",
        "notes-relative-link",
        "notes-template",
        "podcast-guid-mismatch",
        "podcast-guid-missing",
        "republish-done",
        "show-template",
        "site-not-at-link",
        "soundbite-length",
        "template-outside-block",
        "template-unused",
        "title-has-number",
        "title-has-show-name",
        "transcript-shared",
        "vbr-without-header",
        "yaml-comment-in-value",
    }
)
"""The codes a problem can have as a warning (some of them are errors unless a flag or key
accepts them): the ones `ignore_warnings` may name. Every other code is always an error."""
IGNORABLE_CODES = WARNING_CODES - {"cache-ignored", "cache-not-ignored"}
"""The codes `ignore_warnings` may name: the cache's are never counted nor failing, so there
is nothing to ignore."""
REPEATED_WARNINGS = 10
"""From this many warnings of one code, the report names `ignore_warnings` for it: a back
catalogue of old recordings can give hundreds that cannot be fixed without harm."""
FIXED_BY_WRITING = frozenset({"episode-guid-missing", "notes-template", "show-template"})
"""Warnings whose fix is a line to write (the guid the warning prints, the notes, the show's
description): however many there are, the report never suggests ignoring them."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one place, with the way to fix it."""

    severity: Severity
    code: str
    """Stable kebab-case identifier, for CI annotations and the README's list of checks."""
    file: str
    """Path relative to the show's root, with forward slashes."""
    line: int | None
    field: str | None
    """Dotted path of the key the problem is about (`owner.email`), if any."""
    message: str
    fix: str = ""
    """What to do about it, in the imperative."""

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"{self.code!r} is not in errors.PROBLEM_CODES")
        if self.severity is Severity.WARNING and self.code not in WARNING_CODES:
            raise ValueError(f"{self.code!r} is not in errors.WARNING_CODES")

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        fix = f" ({self.fix})" if self.fix else ""
        return f"{place}: {self.severity}:{field} {self.message}{fix}"

    @property
    def report_line(self) -> str:
        """The line a person reads: with the code, to look up in the README or to put in
        `ignore_warnings`."""
        return f"{self} [{self.code}]"

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.field or "", self.message)


def error(
    code: str, file: str, field: str | None, message: str, fix: str = "", *, line: int | None = None
) -> Problem:
    return Problem(Severity.ERROR, code, file, line, field, message, fix)


def warning(
    code: str, file: str, field: str | None, message: str, fix: str = "", *, line: int | None = None
) -> Problem:
    return Problem(Severity.WARNING, code, file, line, field, message, fix)


def repeated_warnings(problems: Iterable[Problem]) -> list[str]:
    """For each warning code given REPEATED_WARNINGS times or more that a podcaster may decide
    to live with, a line naming the `ignore_warnings` entry that leaves them out."""
    counts: dict[str, int] = {}
    suggested = IGNORABLE_CODES - FIXED_BY_WRITING
    for problem in problems:
        if problem.severity is Severity.WARNING and problem.code in suggested:
            counts[problem.code] = counts.get(problem.code, 0) + 1
    return [
        f"{repeats} of the warnings are {code}: if they cannot be fixed, "
        f"'ignore_warnings: [{code}]' in podcast.yaml leaves them out"
        for code, repeats in sorted(counts.items())
        if repeats >= REPEATED_WARNINGS
    ]


def without_echoes(problems: Iterable[Problem], reading: Iterable[Problem]) -> list[Problem]:
    """`problems` without the warnings about a key that had an error while its file was read
    (`reading`): validation leaves such a key out to check the rest of the file (a guid that
    is not one), so a warning that the key is missing would only echo that error."""
    left_out = {
        (problem.file, problem.field.split(".", 1)[0])
        for problem in reading
        if problem.severity is Severity.ERROR and problem.field
    }
    return [
        problem
        for problem in problems
        if problem.severity is Severity.ERROR
        or not problem.field
        or (problem.file, problem.field.split(".", 1)[0]) not in left_out
    ]


def count(problems: Iterable[Problem], severity: Severity) -> int:
    return sum(1 for problem in problems if problem.severity is severity)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(problem.severity is Severity.ERROR for problem in problems)


def without_ignored(
    problems: Sequence[Problem],
    everywhere: Collection[str],
    by_file: Mapping[str, Collection[str]],
) -> tuple[list[Problem], int]:
    """The problems left once the warnings a podcaster chose to ignore are taken out, and how
    many were: those whose code is in `everywhere` (podcast.yaml's `ignore_warnings`) or in
    their own file's list in `by_file` (an episode's). Errors are never taken out."""
    kept = []
    for problem in problems:
        if problem.severity is Severity.WARNING and (
            problem.code in everywhere or problem.code in by_file.get(problem.file, ())
        ):
            continue
        kept.append(problem)
    return kept, len(problems) - len(kept)


class PodcastFeedError(Exception):
    """Root of every error this package raises on purpose."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a command at a point where what it leaves behind is worth
    saying: `state`, as in "feed.xml was not replaced"."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__(state)


class ProblemsFound(PodcastFeedError):
    """The show has errors (or warnings, in strict mode); nothing was written."""

    def __init__(self, problems: list[Problem], ignored: int = 0) -> None:
        self.problems = problems
        self.ignored = ignored
        """Warnings left out by `ignore_warnings`."""
        super().__init__(
            f"{count(problems, Severity.ERROR)} errors, "
            f"{count(problems, Severity.WARNING)} warnings"
        )


class ShowNotFound(PodcastFeedError):
    """The folder given as the show's root has no podcast.yaml."""
