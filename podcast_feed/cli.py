"""The `podcast-feed` command: argument parsing, and the one place errors become exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import typer

from . import __version__
from .build import DEFAULT_OUTPUT, build, validate
from .errors import PodcastFeedError, Problem, ProblemsFound, Severity, count

app = typer.Typer(
    name="podcast-feed",
    help="Publish a podcast feed from podcast.yaml, episodes/*.md and media/.",
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO date like 2025-06-03T09:00Z") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


Root = Annotated[
    Path, typer.Option("--root", help="The show's folder (holds podcast.yaml).", file_okay=False)
]
Strict = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Publish as of this time (ISO 8601) instead of the clock; "
        "episodes dated later are scheduled.",
        show_default=False,
    ),
]
Previous = Annotated[
    str | None,
    typer.Option(
        "--previous",
        help="The feed as published now (path or URL): fail if an episode in it would "
        "disappear or change its guid or audio URL.",
        show_default=False,
    ),
]
AllowRemoval = Annotated[
    bool,
    typer.Option("--allow-removal", help="With --previous: removing episodes is intended."),
]
Format = Annotated[Literal["text", "json"], typer.Option("--format", help="Report format.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"podcast-feed {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Publish a podcast feed from podcast.yaml, episodes/*.md and media/."""


@app.command("build")
def build_command(
    root: Root = Path(),
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where feed.xml is written.", file_okay=False)
    ] = Path(DEFAULT_OUTPUT),
    strict: Strict = False,
    now: Now = None,
    previous: Previous = None,
    allow_removal: AllowRemoval = False,
) -> None:
    """Validate the show and write OUTPUT/feed.xml; nothing is written if anything is wrong.

    Example: podcast-feed build --output public
    """
    output = output if output.is_absolute() else root / output
    try:
        result = build(root, output, strict, _parse_now(now), previous, allow_removal)
    except PodcastFeedError as exc:
        _fail(exc)
    _print_problems(result.problems, err=True)
    drafts, scheduled = result.drafts, result.scheduled
    typer.echo(
        f"Published {len(result.published)} episode{'s' if len(result.published) != 1 else ''}"
        f" ({drafts} draft{'s' if drafts != 1 else ''} and {scheduled} scheduled skipped), "
        f"{_clock(result.total_duration)} in all, feed {result.feed_size / 1000:.1f} kB "
        f"-> {_relative(result.feed_path)}"
    )


@app.command("validate")
def validate_command(
    root: Root = Path(),
    strict: Strict = False,
    output_format: Format = "text",
    now: Now = None,
    previous: Previous = None,
    allow_removal: AllowRemoval = False,
) -> None:
    """Report every problem Apple, Spotify or a podcast app would reject, without writing.

    Example: podcast-feed validate --strict --format json --previous https://example.com/feed.xml
    """
    try:
        validation = validate(root, _parse_now(now), previous, allow_removal)
    except PodcastFeedError as exc:
        _fail(exc)
    if output_format == "json":
        typer.echo(json.dumps([_as_json(problem) for problem in validation.problems], indent=2))
    else:
        _print_problems(validation.problems, err=False, always_total=True)
    if validation.failed(strict):
        raise typer.Exit(1)


def _fail(exc: PodcastFeedError) -> NoReturn:
    if isinstance(exc, ProblemsFound):
        _print_problems(exc.problems, err=True, always_total=True)
        typer.echo("Nothing was written.", err=True)
    else:
        typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


def _print_problems(problems: list[Problem], err: bool, always_total: bool = False) -> None:
    for problem in problems:
        typer.echo(str(problem), err=err)
    if problems or always_total:
        errors, warnings = count(problems, Severity.ERROR), count(problems, Severity.WARNING)
        typer.echo(
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}",
            err=err,
        )


def _as_json(problem: Problem) -> dict[str, object]:
    return {
        "file": problem.file,
        "line": problem.line,
        "field": problem.field,
        "severity": str(problem.severity),
        "code": problem.code,
        "message": problem.message,
        "fix": problem.fix,
    }


def _clock(seconds: float) -> str:
    """H:MM:SS.

    >>> _clock(3725.4)
    '1:02:05'
    """
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
