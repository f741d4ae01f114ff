"""The `podcast-feed` command: argument parsing, and the one place errors become exit codes."""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn, TypeVar

import typer

from . import __version__
from .build import build, validate
from .errors import (
    Interrupted,
    PodcastFeedError,
    Problem,
    ProblemsFound,
    Severity,
    count,
    repeated_warnings,
)
from .layout import CACHE_FOLDER, DEFAULT_OUTPUT, TEMPLATES_FOLDER, require_show

if TYPE_CHECKING:
    from .cache import Cache

# Each command imports the modules only it needs (mutagen, Pillow, werkzeug...), and `build`
# imports the pipeline only when it has work to do: `--help` and a build with nothing to do
# start in a fraction of the time.

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
        raise typer.BadParameter(
            f"{value!r} is not an ISO date like 2025-06-03T09:00Z", param_hint="'--now'"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


Root = Annotated[
    Path,
    typer.Option(
        "--root", metavar="DIR", help="The show's folder (holds podcast.yaml).", file_okay=False
    ),
]
Strict = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        metavar="TIME",
        help="Publish as of this time (ISO 8601) instead of the clock; "
        "episodes dated later are scheduled.",
        show_default=False,
    ),
]


def _not_empty(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise typer.BadParameter(
            "is empty (an unset CI variable?); give a path or URL, or leave it out"
        )
    return value


Previous = Annotated[
    str | None,
    typer.Option(
        "--previous",
        metavar="FEED",
        callback=_not_empty,
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
ReportFormat = Annotated[
    Literal["text", "json", "github"],
    typer.Option(
        "--format",
        help="Report format: github prints GitHub Actions annotations, shown on the lines of "
        "a pull request.",
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        metavar="DIR",
        help=f"Where to keep what each file gave last time [default: ROOT/{CACHE_FOLDER}].",
        file_okay=False,
        show_default=False,
    ),
]
NoCache = Annotated[
    bool,
    typer.Option("--no-cache", help="Read every file again, and remember nothing."),
]


@contextmanager
def _cache(root: Path, cache_dir: Path | None, no_cache: bool) -> Iterator[Cache]:
    from .cache import CACHE_FILE, Cache  # sqlite3, pickle, hashlib: not for `--help`

    if no_cache:
        cache = Cache.disabled()
    elif cache_dir is None:
        cache = Cache.open(root / CACHE_FOLDER, f"{CACHE_FOLDER}/{CACHE_FILE}")
    else:
        cache = Cache.open(cache_dir)
    try:
        yield cache
    finally:
        cache.close()
        _print_cache_problems(cache)


def _version(value: bool) -> None:
    if value:
        _echo(f"podcast-feed {__version__}")
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
    del version  # its callback answered it
    # pydantic reads every installed package's metadata for plugins when a model is first
    # used: ~30 ms of each build that has work to do. The command offers no plugin anything.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])


def command(
    name: str, summary: str, interrupted: str = ""
) -> Callable[[CommandFunction], CommandFunction]:
    """`app.command(name)`, with the one translation of failures into messages: every
    `PodcastFeedError` and every refusal of the disk becomes `error: ...` and exit code 1;
    Ctrl-C, or SIGTERM (what CI and service managers send), becomes `interrupted: ` and what
    it left (`interrupted`, unless the code stopped said more) and exit code 130. `summary`
    is its line in `podcast-feed --help` (else click cuts the docstring's first sentence off
    at 45 characters)."""

    def register(function: CommandFunction) -> CommandFunction:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                with _sigterm_interrupts():
                    return function(*args, **kwargs)
            except (PodcastFeedError, OSError) as exc:
                _fail(exc, interrupted)
            except KeyboardInterrupt as exc:
                state = exc.state if isinstance(exc, Interrupted) else interrupted
                _echo(f"interrupted{': ' if state else ''}{state}", err=True)
                raise typer.Exit(130) from None

        app.command(name, short_help=summary)(run)
        return function

    return register


@command("build", "Check the show, then write the feed and the website.", "nothing was written")
def build_command(
    root: Root = Path(),
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Where feed.xml and the website are written.",
            file_okay=False,
        ),
    ] = Path(DEFAULT_OUTPUT),
    strict: Strict = False,
    now: Now = None,
    previous: Previous = None,
    allow_removal: AllowRemoval = False,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Validate the show and write OUTPUT/feed.xml, its chapters and the website; nothing is
    written if anything is wrong.
    Files unchanged since the last build are not read again (see --no-cache).

    Example: podcast-feed build --output public
    """
    output = output if output.is_absolute() else root / output
    require_show(root)
    with _cache(root, cache_dir, no_cache) as cache:
        result = build(
            root,
            output,
            strict=strict,
            now=_parse_now(now),
            previous=previous,
            allow_removal=allow_removal,
            cache=cache,
        )
    _print_problems(result.problems, err=True, ignored=result.ignored)
    drafts, scheduled = result.drafts, result.scheduled
    website = f"; website -> {_relative(result.site_index)}" if result.site_index else ""
    upcoming = ""
    if result.next_scheduled is not None:
        source, when = result.next_scheduled
        upcoming = f": the next, {source}, goes out {when:%Y-%m-%d %H:%M %Z}"
    _echo(
        f"Published {result.published} episode{'s' if result.published != 1 else ''}"
        f" ({drafts} draft{'s' if drafts != 1 else ''} and {scheduled} scheduled skipped"
        f"{upcoming}), "
        f"{_clock(result.total_duration)} in all, feed {result.feed_size / 1000:.1f} kB "
        f"-> {_relative(result.feed_path)}{website}"
        + (" (nothing changed)" if result.unchanged else "")
    )


@command("validate", "Report every problem, writing nothing.")
def validate_command(
    root: Root = Path(),
    strict: Strict = False,
    output_format: ReportFormat = "text",
    now: Now = None,
    previous: Previous = None,
    allow_removal: AllowRemoval = False,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Also fetch the feed, every enclosure and the artwork from their public URLs "
            "as Apple and Spotify do: status, type, length, byte ranges, redirects.",
        ),
    ] = False,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Report every problem Apple, Spotify or a podcast app would reject, without writing.

    Example: podcast-feed validate --strict --format json --previous https://example.com/feed.xml
    """
    require_show(root)
    with (
        _cache(root, cache_dir, no_cache) as cache,
        _progress_bar("Checking hosting", visible=online) as checked,
    ):
        validation = validate(
            root,
            now=_parse_now(now),
            previous=previous,
            allow_removal=allow_removal,
            online=online,
            checked=checked,
            cache=cache,
        )
    if output_format == "json":
        _echo(json.dumps([_as_json(problem) for problem in validation.problems], indent=2))
    else:
        folder = _in_workspace(root) if output_format == "github" else None
        _print_problems(
            validation.problems,
            err=False,
            always_total=True,
            ignored=validation.ignored,
            lines=None if folder is None else _as_github_annotations(validation.problems, folder),
        )
    if validation.failed(strict):
        raise typer.Exit(1)


@command(
    "publish",
    "Build and upload the show: the media first, the feed last.",
    "nothing was uploaded",
)
def publish_command(
    destination: Annotated[
        str | None,
        typer.Argument(
            metavar="[DESTINATION]",
            help="s3://bucket/prefix (AWS or any S3-compatible store), gs://bucket/prefix, "
            "az://container/prefix, file:///folder or a folder; default: publish.destination "
            "in podcast.yaml.",
            show_default=False,
        ),
    ] = None,
    root: Root = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; upload and delete nothing.")
    ] = False,
    delete: Annotated[
        bool,
        typer.Option(
            "--delete",
            help="Remove objects under the show's media and chapters prefixes that the new "
            "feed no longer references.",
        ),
    ] = False,
    strict: Strict = False,
    allow_removal: Annotated[
        bool,
        typer.Option(
            "--allow-removal",
            help="Episodes in the live feed may disappear from it (checked against the feed "
            "at the destination).",
        ),
    ] = False,
    now: Now = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Build the show and upload it: the audio, artwork, chapters and transcripts the feed
    needs (never a draft's), each verified, then feed.xml last. Unchanged files are skipped.

    Example: podcast-feed publish s3://my-bucket/show --dry-run
    """
    from .publish import publish

    require_show(root)
    with _cache(root, cache_dir, no_cache) as cache, _UploadProgress() as progress:
        result = publish(
            root,
            destination,
            dry_run=dry_run,
            delete=delete,
            strict=strict,
            allow_removal=allow_removal,
            now=_parse_now(now),
            progress=progress,
            cache=cache,
        )
    plan = result.plan
    _print_problems(plan.problems, err=True, ignored=plan.ignored)
    if dry_run:  # the unchanged files only counted: 20,000 lines in a big show's CI log
        for file in plan.upload + ([plan.feed] if plan.feed_changed else []):
            _echo(f"upload    {file.key} ({_size(file.size)}, {file.content_type})")
        for stored in plan.delete:
            _echo(f"delete    {stored.key} ({_size(stored.size)})")
    episodes = result.build.published
    unchanged = len(plan.unchanged) + (not plan.feed_changed)
    summary = (
        f"{episodes} episode{'s' if episodes != 1 else ''}: {plan.uploads} "
        f"file{'s' if plan.uploads != 1 else ''} {'to upload' if dry_run else 'uploaded'} "
        f"({_size(plan.upload_bytes)}), {unchanged} unchanged, {len(plan.delete)} "
        f"{'to delete' if dry_run else 'deleted'} -> {result.feed_url}"
    )
    if dry_run:
        _echo(f"Dry run, nothing changed. Would publish {summary}")
    elif plan.uploads == 0 and not plan.delete:
        _echo(f"Nothing to upload: the destination is up to date. Published {summary}")
    else:
        _echo(f"Published {summary}")


@command(
    "init",
    "Create a new show, with its CI workflow.",
    "the show is not complete; run init again to finish it",
)
def init_command(
    folder: Annotated[
        Path, typer.Argument(metavar="[FOLDER]", help="Where to create the show.", file_okay=False)
    ] = Path(),
    title: Annotated[
        str, typer.Option("--title", metavar="TEXT", help="The show's name.")
    ] = "My Podcast",
    feed_url: Annotated[
        str,
        typer.Option(
            "--feed-url",
            metavar="URL",
            help="Where feed.xml will be published; podcast_guid is derived from it.",
        ),
    ] = "https://podcast.example.com/feed.xml",
    author: Annotated[
        str, typer.Option("--author", metavar="NAME", help="Who makes the show.")
    ] = "Your Name",
    email: Annotated[
        str, typer.Option("--email", metavar="EMAIL", help="The owner's email (Spotify checks it).")
    ] = "you@example.com",
    language: Annotated[
        str,
        typer.Option(
            "--language",
            metavar="CODE",
            help="The show's language, ISO 639-1 (en, de, pt-br): its website's too.",
        ),
    ] = "en",
) -> None:
    """Create a new show: podcast.yaml (every key explained), episodes/, media/, .gitignore and a
    CI workflow. Refuses to overwrite an existing show.

    Example: podcast-feed init my-show --title "My Show" --feed-url https://example.com/feed.xml
    """
    from .installed import ci_requirement
    from .scaffold import WORKFLOW_FILE, init_show, repository_top

    requirement = ci_requirement()
    written, extended = init_show(
        folder, title, feed_url, author, email, language, requirement.line
    )
    for path in written:
        _echo(f"wrote {_relative(path)}")
    for path, lines in extended.items():
        _echo(f"added {' and '.join(lines)} to {_relative(path)}")
    examples = _example_options(feed_url=feed_url, email=email)
    if examples:
        _echo(
            f"note: {'; '.join(examples)}. Fine for build and serve; publish refuses them "
            "until podcast.yaml has the show's own (init's --feed-url and --email set them)"
        )
    if requirement.line is None and folder / WORKFLOW_FILE in written:
        _echo(
            f"note: {requirement.why_not}; edit the install step of "
            f"{_relative(folder / WORKFLOW_FILE)} to say where CI installs podcast-feed from "
            f"(until then the workflow fails, saying so)"
        )
    top = repository_top(folder)
    if top is not None and folder / WORKFLOW_FILE in written:
        _echo(
            f"note: {_relative(folder)} is inside the git repository {top}, and GitHub runs "
            f"only the workflows at a repository's top: move {_relative(folder / WORKFLOW_FILE)} "
            f"to {_relative(top / WORKFLOW_FILE)} (it already runs in the show's folder)"
        )
    _echo(
        "Next: edit podcast.yaml, replace media/cover.jpg, then "
        "'podcast-feed new AUDIO' for each episode."
    )


def _example_options(feed_url: str, email: str) -> list[str]:
    """init's options whose value is at a name kept for examples or at this machine (its
    defaults are at example.com)."""
    from .fields import host_of, reserved_host

    found = []
    host = host_of(feed_url)
    if what := reserved_host(host):
        found.append(f"feed_url, media_base_url and link are at {host}, {what}")
    domain = host_of(email)
    if what := reserved_host(domain):
        found.append(f"owner.email is at {domain}, {what}")
    return found


@command("new", "Add an episode for a recording.", "no episode was added")
def new_command(
    audio: Annotated[
        Path, typer.Argument(metavar="AUDIO", help="The episode's audio file.", dir_okay=False)
    ],
    root: Root = Path(),
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            metavar="TEXT",
            help="The episode's title (default: the audio's title tag, else its name).",
            show_default=False,
        ),
    ] = None,
    season: Annotated[
        int | None,
        typer.Option("--season", metavar="N", min=1, help="The season number.", show_default=False),
    ] = None,
    now: Now = None,
) -> None:
    """Add an episode: episodes/NNN-slug.md with the next number, a new guid and today's date;
    the audio is copied into media/ under an ASCII name (the original is never touched).

    Example: podcast-feed new ~/Recordings/interview.mp3 --title "Interview with Ada"
    """
    from .scaffold import new_episode

    created = new_episode(root, audio, title, _parse_now(now) or datetime.now(UTC), season)
    if created.copied:
        _echo(f"copied {audio} -> {_relative(created.audio_file)}")
    _echo(f"wrote {_relative(created.episode_file)} (episode {created.number}: {created.title!r})")
    if created.named is not None:
        _echo(
            f"note: the title is {created.named!r} without the show's name or its number "
            "(Apple asks for the episode's own title); edit 'title:' if that is wrong"
        )
    _echo(
        "Next: write the show notes in that file, then 'podcast-feed serve' or "
        "'podcast-feed build'."
    )


@command("templates", "List the website's templates, or copy one to edit.")
def templates_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[NAME]...",
            help="Templates to copy (episode.html, style.css...).",
            show_default=False,
        ),
    ] = None,
    root: Root = Path(),
) -> None:
    """Without a name, list the website's templates and which the show has its own copy of;
    with names, copy podcast-feed's into templates/, where the site uses them instead: edit
    them there. A template the show already has is never overwritten.

    Example: podcast-feed templates episode.html style.css
    """
    from .scaffold import copy_templates, show_templates

    require_show(root)
    if names:
        copied = copy_templates(root, names)
        for path in copied:
            _echo(f"wrote {_relative(path)}")
        them = "it" if len(copied) == 1 else "them"
        _echo(f"Next: edit {them}; 'podcast-feed serve' shows the site with your changes.")
        return
    listed = show_templates(root)
    width = max(len(name) for name, _ in listed)
    _echo("The website's templates:")
    for name, own in listed:
        whose = f"yours: {TEMPLATES_FOLDER}/{name}" if own else "podcast-feed's"
        _echo(f"  {name:<{width}}  {whose}")
    _echo("Copy one into templates/ to change it: podcast-feed templates NAME")


@command("inspect", "Show what podcast-feed reads in media files.")
def inspect_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...", help="Audio, video, artwork or transcript files.", dir_okay=False
        ),
    ],
    output_format: Format = "text",
) -> None:
    """Show what podcast-feed reads in media files: an audio or video file's format, type,
    duration, bitrate, tags and chapters; an image's size and what Apple's rules for artwork
    make of it; a transcript's cues.

    Example: podcast-feed inspect media/episode-1.mp3 media/cover.jpg --format json
    """
    from .artwork import IMAGE_SUFFIXES, UnreadableImage, inspect_image
    from .media import UnreadableMedia, inspect_audio
    from .transcripts import TIMED_TYPES, InvalidTranscript, inspect_transcript

    reports: list[dict[str, object]] = []
    failed = False
    for path in files:
        suffix = path.suffix.lower()
        try:
            if suffix in IMAGE_SUFFIXES:
                reports.append({"kind": "image", **asdict(inspect_image(path))})
            elif suffix in TIMED_TYPES:
                reports.append({"kind": "transcript", **asdict(inspect_transcript(path))})
            elif suffix in (".md", ".yaml", ".yml", ".xml", ".rss"):  # "no audio stream found"
                failed = True
                reports.append({"file": str(path), "error": _not_media(path)})
            else:
                reports.append({"kind": "audio", **asdict(inspect_audio(path))})
        except (UnreadableMedia, UnreadableImage, InvalidTranscript, OSError) as exc:
            failed = True
            reports.append({"file": str(path), "error": _unreadable(exc, path)})
    if output_format == "json":
        _echo(json.dumps(reports, indent=2, ensure_ascii=False))
    else:
        _echo("\n\n".join(_inspect_text(report) for report in reports))
    if failed:
        raise typer.Exit(1)


def _not_media(path: Path) -> str:
    """What to run for an episode file, podcast.yaml or a feed given to `inspect`, and the
    audio an episode file names."""
    from .yamlfile import read_text, split_front_matter

    said = "is not a media file: inspect reads audio, video, artwork and transcripts " + (
        "('podcast-feed validate --previous FEED' reads a feed, and checks the show against it)"
        if path.suffix.lower() in (".xml", ".rss")
        else "('podcast-feed validate' checks the episode files and podcast.yaml)"
    )
    text = read_text(path, str(path)).text if path.suffix.lower() == ".md" else None
    markdown = split_front_matter(text, str(path))[0] if text is not None else None
    keys = markdown.front_matter.data if markdown is not None else None
    if isinstance(keys, dict):
        audio = keys.get("audio")
        if isinstance(audio, str) and audio:
            media = os.path.relpath(path.absolute().parent.parent / "media" / audio)
            return f"{said}; its audio: podcast-feed inspect {media}"
    return said


def _unreadable(exc: Exception, path: Path) -> str:
    """Why `inspect` could not read a file, with the fix where one is known."""
    from .artwork import UnreadableImage
    from .assets import is_lfs_pointer
    from .media import UNREADABLE_FIX, MisnamedMedia, UnreadableMedia
    from .transcripts import InvalidTranscript

    if is_lfs_pointer(path):  # (read as text, or as an image or audio that is not one)
        return (
            "it is a Git LFS pointer, not the file: it was checked out without its content "
            "(run git lfs pull)"
        )
    if isinstance(exc, MisnamedMedia):
        return f"{exc} ({exc.fix(path)})"
    if isinstance(exc, UnreadableMedia):
        return f"cannot be read as audio: {exc} ({UNREADABLE_FIX})"
    if isinstance(exc, UnreadableImage):
        return "not a readable image (export it again as JPEG or PNG)"
    if isinstance(exc, InvalidTranscript) and exc.fix:
        return f"{exc} ({exc.fix})"
    if isinstance(exc, FileNotFoundError):
        in_media = Path("media") / path
        meant = f"did you mean {in_media}?" if in_media.is_file() else "check the path"
        return f"no such file ({meant})"
    return str(getattr(exc, "strerror", None) or exc)


def _inspect_text(report: dict[str, Any]) -> str:
    if "error" in report:
        return f"{report['file']}: error: {report['error']}"
    if report["kind"] == "image":
        faults = report["as_artwork"] or [{"message": "accepted by Apple"}]
        return "\n".join(
            [
                f"{report['file']}",
                f"  format:      {report['format']}, {report['width']}x{report['height']} px, "
                f"{report['mode']}{', with transparency' if report['has_alpha'] else ''}",
                f"  size:        {report['size']} bytes",
            ]
            + [
                f"  as artwork:  {fault.get('severity', '')}{': ' if 'code' in fault else ''}"
                f"{fault['message']}"
                + (f" ({fault['fix']}) [{fault['code']}]" if "code" in fault else "")
                for fault in faults
            ]
        )
    if report["kind"] == "transcript":
        lines = [f"{report['file']}", f"  format:      {report['format']}"]
        lines.append(
            f"  cues:        {report['cues']}, from {_moment(report['start'])} to "
            f"{_clock(report['end'])}"
            if report["cues"]
            else "  cues:        none"
        )
        if report["speakers"]:
            lines.append(f"  speakers:    {', '.join(report['speakers'])}")
        return "\n".join(lines)
    lines = [
        f"{report['file']}",
        f"  format:      {report['format']}",
        f"  enclosure:   {report['mime_type'] or 'not accepted by Apple'}",
        f"  duration:    {_clock(report['duration'])} ({report['duration']:.3f} s, "
        f"{'exact' if report['duration_exact'] else 'estimated'})",
        f"  bitrate:     {report['bitrate'] // 1000} kbit/s, {report['bitrate_mode']}"
        if report["bitrate"]
        else "  bitrate:     not stated in the file",  # a QuickTime .mov's AAC track, often
        f"  sample rate: {report['sample_rate']} Hz, {report['channels']} channel(s)",
        f"  size:        {report['size']} bytes",
    ]
    if report["format"] == "MP4":
        lines.append(
            "  index:       after the media (apps fetch the end of the file first)"
            if report["index_at_end"]
            else "  index:       before the media (fast start)"
        )
    lines += [f"  tag {key}: {'; '.join(values)}" for key, values in report["tags"].items()]
    lines += [f"  chapter {_moment(start)} {title}" for start, title in report["chapters"]]
    lines += [f"  artwork: {artwork}" for artwork in report["artwork"]]
    return "\n".join(lines)


@command("serve", "Preview the show in a podcast app and a browser.")
def serve_command(
    root: Root = Path(),
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Address to listen on; 0.0.0.0 lets a phone on the LAN subscribe.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", metavar="PORT", min=0, max=65535, help="Port (0: any free one)."),
    ] = 8000,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="The base URL apps should use, if not http://HOST:PORT.",
            show_default=False,
        ),
    ] = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Preview the show in a real podcast app: serve the feed (URLs pointing here), artwork,
    chapters, transcripts and media, rebuilding whenever a file changes. Ctrl-C stops it.

    Example: podcast-feed serve --host 0.0.0.0 --port 8000
    """
    require_show(root)
    from .serve import PreviewServer  # werkzeug, watchfiles and Jinja2 only for this command

    with _cache(root, cache_dir, no_cache) as cache:
        server = PreviewServer(root, host, port, url, report=_echo, cache=cache)
        try:  # (`kill` stops it as Ctrl-C does, see `command`: the temporary build is removed)
            _echo(
                f"Serving {root.resolve()}; paste this URL into your podcast app:\n"
                f"  {server.feed_url}\nPress Ctrl-C to stop."
            )
            server.serve_forever()
        except KeyboardInterrupt:  # before serving began
            server.stop()
    _echo("Stopped.")


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt while the command runs, as Ctrl-C does, so that it
    cleans up as after Ctrl-C (a build's staging folder, serve's temporary build) and says
    so, where the default would end the process on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield  # (only the main thread may handle signals; tests may run commands elsewhere)
        return
    before = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _interrupt(*_: object) -> NoReturn:
    raise KeyboardInterrupt


def _size(size: int) -> str:
    """Decimal units, as storage providers bill them.

    >>> _size(31_400_000), _size(999), _size(1_500)
    ('31.4 MB', '999 B', '1.5 kB')
    """
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


class _UploadProgress:
    """A rich progress bar of files and bytes on a terminal; one line per file elsewhere (CI)."""

    def __enter__(self) -> _UploadProgress:
        self.bar: Any = None
        return self

    def __exit__(self, *_: object) -> None:
        self.finish()

    def start(self, files: int, total_bytes: int) -> None:
        if files and sys.stdout.isatty():
            from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

            self.bar = Progress(
                "Uploading {task.fields[done]}/{task.fields[files]} files",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=total_bytes, done=0, files=files)
            self.done = 0

    def uploaded(self, file: Any) -> None:
        if self.bar is None:
            _echo(f"uploaded {file.key} ({_size(file.size)})")
        else:
            self.done += 1
            self.bar.update(self.task, advance=file.size, done=self.done)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@contextmanager
def _progress_bar(label: str, visible: bool) -> Iterator[Callable[[str, int], None] | None]:
    """A progress callback drawing a rich bar on a terminal; None when there is nothing to show."""
    if not visible or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    with Progress(
        label, BarColumn(), MofNCompleteColumn(), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def checked(_: str, total: int) -> None:
            bar.update(task, total=total, advance=1)

        yield checked


def _echo(message: str, err: bool = False) -> None:
    """`typer.echo`, except that a reader gone away (`validate | head`) ends the output, not
    the command: its exit code still says whether the show is right (CI's bash runs with
    pipefail), and no `error: Broken pipe` is printed for a choice the reader made."""
    try:
        typer.echo(message, err=err)
    except BrokenPipeError:
        stream = sys.stderr if err else sys.stdout
        nowhere = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nowhere, stream.fileno())  # what is still buffered goes there too
        os.close(nowhere)


def _fail(exc: PodcastFeedError | OSError, left: str = "") -> NoReturn:
    """The one place a failure becomes a message and exit code 1; `left` is what a command
    that stopped on problems leaves ("nothing was uploaded")."""
    if isinstance(exc, ProblemsFound):
        _print_problems(exc.problems, err=True, always_total=True, ignored=exc.ignored)
        said = left or "nothing was written"
        _echo(f"{said[0].upper()}{said[1:]}.", err=True)
    elif isinstance(exc, OSError):  # the disk refused: permissions, full, read-only
        _echo(f"error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
    else:
        _echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


def _print_cache_problems(cache: Cache) -> None:
    """A cache set aside is worth knowing, not a problem of the show: no count, no failure."""
    for problem in cache.problems:
        _echo(problem.report_line, err=True)


def _print_problems(
    problems: list[Problem],
    err: bool,
    always_total: bool = False,
    ignored: int = 0,
    lines: list[str] | None = None,
) -> None:
    """Each problem (as `lines`, if given), then the count (with the warnings
    `ignore_warnings` left out, so that nothing is hidden without a trace)."""
    shown = lines if lines is not None else [problem.report_line for problem in problems]
    if shown:  # one write and one flush for them all, not one each (1,650 in a big show)
        _echo("\n".join(shown), err=err)
    if problems or always_total or ignored:
        errors, warnings = count(problems, Severity.ERROR), count(problems, Severity.WARNING)
        _echo(
            f"{errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
            + (f", {ignored} ignored by ignore_warnings" if ignored else ""),
            err=err,
        )
    for line in repeated_warnings(problems):
        _echo(line, err=err)


def _in_workspace(root: Path) -> str:
    """The show's folder as GitHub names files, from the repository's top (`GITHUB_WORKSPACE`):
    "" for a show at the top, `podcast/` for one in a folder of it (`--root podcast`)."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        folder = root.resolve().relative_to(Path(workspace).resolve())
    except ValueError:  # a show outside the checkout: its paths as they are
        return ""
    return "" if folder == Path() else f"{folder.as_posix()}/"


GITHUB_ANNOTATIONS = 10
"""Annotations of one kind (error, warning, notice) GitHub shows for a step; it drops the rest
without a word (actions/toolkit, docs/problem-matchers.md, "Limitations")."""


def _as_github_annotations(problems: list[Problem], folder: str) -> list[str]:
    """Each problem as an annotation, then, when there are more of a kind than GitHub shows,
    a notice saying so: the rest are in the step's log, and nowhere else."""
    lines = [_as_github(problem, folder) for problem in problems]
    hidden = [
        f"{len(found) - GITHUB_ANNOTATIONS} of the {len(found)} {kind}s"
        for severity, kind in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"))
        if len(found := [p for p in problems if p.severity is severity]) > GITHUB_ANNOTATIONS
    ]
    if hidden:
        lines.append(
            f"::notice title=podcast-feed::GitHub annotates {GITHUB_ANNOTATIONS} problems of a "
            f"kind a step; {' and '.join(hidden)} are only in this step's log, which lists "
            "them all"
        )
    return lines


def _as_github(problem: Problem, folder: str = "") -> str:
    """A GitHub Actions workflow command: the problem as an annotation on its file's line in a
    pull request and the run's summary (escaped as GitHub's toolkit escapes them); `folder` is
    the show's, from the top of the repository."""

    def escaped(text: str, in_property: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if in_property else text

    file = f"{folder}{problem.file}" if problem.file else None
    where = {"file": file, "line": problem.line, "title": problem.code}
    listed = ",".join(f"{key}={escaped(str(value), True)}" for key, value in where.items() if value)
    field = f"{problem.field}: " if problem.field else ""
    fix = f" ({problem.fix})" if problem.fix else ""
    return f"::{problem.severity} {listed}::{escaped(f'{field}{problem.message}{fix}')}"


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
    """A duration as H:MM:SS, rounded to the second (the chapters' formatter, for totals).

    >>> _clock(3725.6)
    '1:02:06'
    """
    from .chapters import timestamp

    return timestamp(round(seconds), long=True)


def _moment(seconds: float) -> str:
    """A point in an episode as H:MM:SS, the second it falls in: as the website and the
    description's timestamps show a chapter starting there (0:00:01 for 1.5 s).

    >>> _moment(1.5)
    '0:00:01'
    """
    from .chapters import timestamp

    return timestamp(seconds, long=True)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
