"""New shows, new episodes and templates to edit: every file a podcaster would otherwise type
or copy by hand."""

from __future__ import annotations

import contextlib
import filecmp
import itertools
import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

from .artwork import placeholder_cover
from .assets import sha256_of
from .build import CACHE_FOLDER, DEFAULT_OUTPUT, FEED_FILE
from .config import SHOW_FILE, load_show
from .episodes import EPISODE_SUFFIX, episode_files, load_episodes
from .errors import PodcastFeedError, has_errors
from .filetypes import ENCLOSURE_TYPES
from .layout import PACKAGED_TEMPLATES, TEMPLATES_FOLDER, file_name_in, packaged_templates
from .media import (
    UNREADABLE_FIX,
    MisnamedMedia,
    UnreadableMedia,
    UnsupportedMedia,
    enclosure_type,
    read_title,
)
from .models import Episode, podcast_guid_for
from .notes import NOTES_PLACEHOLDER, NOTES_TEMPLATE_LINK, SHOW_DESCRIPTION_PLACEHOLDER

WORKFLOW_FILE = ".github/workflows/podcast-feed.yml"


class ShowExists(PodcastFeedError):
    """init was pointed at a folder that already holds a show."""


class InvalidValue(PodcastFeedError):
    """A value given to `init` cannot go into podcast.yaml as it is."""


class CannotCopyTemplate(PodcastFeedError):
    """A name that is not one of the website's templates, or one the show already has."""


def show_templates(root: Path) -> list[tuple[str, bool]]:
    """Each of the website's templates, and whether the show has its own (in templates/)."""
    return [
        (name, os.path.lexists(root / TEMPLATES_FOLDER / name)) for name in packaged_templates()
    ]


def copy_templates(root: Path, names: Sequence[str]) -> list[Path]:
    """Copy podcast-feed's own templates named into the show's templates/, where the site
    uses them instead of its own, to be edited. All of them or none: a name that is not a
    template, or that the show already has (its own edits), refuses every copy."""
    from .vocabulary import did_you_mean

    known = packaged_templates()
    folder = root / TEMPLATES_FOLDER
    refused = [
        f"{name!r} is not one of the website's templates "
        f"({did_you_mean(name, known) or 'they are ' + ', '.join(known)})"
        for name in names
        if name not in known
    ]
    refused += [
        f"{TEMPLATES_FOLDER}/{name} is already there: edit it, or delete it to start again "
        "from podcast-feed's"
        for name in names
        if name in known and os.path.lexists(folder / name)
    ]
    if os.path.lexists(folder) and not folder.is_dir():
        refused.append(f"{TEMPLATES_FOLDER} is a file, not a folder: rename it, then copy again")
    if refused:
        raise CannotCopyTemplate("; ".join(refused))
    folder.mkdir(exist_ok=True)
    written = []
    for name in dict.fromkeys(names):
        if not created(folder / name, (PACKAGED_TEMPLATES / name).read_bytes()):
            raise CannotCopyTemplate(f"{TEMPLATES_FOLDER}/{name} appeared meanwhile; kept it")
        written.append(folder / name)
    return written


class CannotAddEpisode(PodcastFeedError):
    """new could not create the episode (bad audio, no show, name taken)."""


def slugify(text: str, fallback: str = "episode") -> str:
    """An ASCII file-name slug: Apple asks for a-z, 0-9 and dashes in URLs.

    >>> slugify("Épisode 1: Café & Crème!")
    'episode-1-cafe-creme'
    >>> slugify("¿¿??")
    'episode'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or fallback


def init_show(
    folder: Path,
    title: str,
    feed_url: str,
    author: str,
    email: str,
    language: str = "en",
    requirement: str | None = None,
) -> tuple[list[Path], dict[Path, list[str]]]:
    """Create a new show in `folder`; refuses to touch an existing one. Returns what it wrote,
    and the lines it added to the folder's own files (a .gitignore it already had). The CI
    workflow installs podcast-feed by `requirement` (`workflow`)."""
    from .fields import FieldProblem, iso_639

    if os.path.lexists(folder / SHOW_FILE):  # a link, even a dangling one, counts
        raise ShowExists(f"{folder / SHOW_FILE} already exists; init never overwrites a show")
    try:
        iso_639(language)
    except FieldProblem as problem:
        raise InvalidValue(f"--language {problem.message}; {problem.fix}") from None
    for option, value in (("--title", title), ("--author", author), ("--email", email)):
        if not value.isprintable():
            raise InvalidValue(
                f"{option} {value!r} has a line break or control character; give it on one line"
            )
    address = urlsplit(feed_url)
    if address.scheme not in ("http", "https") or not address.netloc:
        raise InvalidValue(
            f"--feed-url {feed_url!r} is not a web address; give the whole address where the "
            "feed will be, e.g. https://example.com/podcast/feed.xml"
        )
    if not file_name_in(feed_url):  # a folder's: a host answers with its index page
        raise InvalidValue(
            f"--feed-url {feed_url!r} is a folder's address, not a file's; end it with the "
            f"feed's file name, e.g. {urljoin(feed_url, FEED_FILE)}"
        )
    values = {
        "title": _yaml_scalar(title),
        "author": _yaml_scalar(author),
        "email": _yaml_scalar(email),
        "feed_url": _yaml_scalar(feed_url),
        "link": _yaml_scalar(urljoin(feed_url, "./")),
        "media_base_url": _yaml_scalar(urljoin(feed_url, "media/")),
        "podcast_guid": str(podcast_guid_for(feed_url)),
        "language": _yaml_scalar(language),  # `no` (Norwegian) is false unquoted
        "description": SHOW_DESCRIPTION_PLACEHOLDER,
    }
    (folder / "episodes").mkdir(parents=True, exist_ok=True)
    (folder / "media").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    extended: dict[Path, list[str]] = {}
    cover = folder / "media" / "cover.jpg"
    if created(cover, lambda part: placeholder_cover(part, title)):
        written.append(cover)
    # podcast.yaml last: an init that stopped part-way (Ctrl-C, a full disk) is run again
    for relative, text in (
        (".gitignore", "".join(f"{line}\n" for line in IGNORED)),
        (WORKFLOW_FILE, workflow(folder, requirement)),
        ("episodes/.gitkeep", ""),
        (SHOW_FILE, SHOW_TEMPLATE.format(**values)),
    ):
        path = folder / relative
        if relative == ".gitignore" and (added := _ignores_outputs(path)):
            extended[path] = added
        path.parent.mkdir(parents=True, exist_ok=True)
        # one that is there is kept as it is, and never written through a link
        if created(path, text.encode()):
            written.append(path)
    return written, extended


IGNORED = (f"/{DEFAULT_OUTPUT}/", f"/{CACHE_FOLDER}/")
"""What a show's .gitignore leaves out: the build's output and the cache (32 MB at 10,000
episodes), neither of which belongs in the repository."""


def _ignores_outputs(gitignore: Path) -> list[str]:
    """Add IGNORED to a .gitignore the folder already has, where it lacks them (`public/`
    and `/public` count as `/public/`); the lines it added. A link is left alone."""
    if gitignore.is_symlink() or not gitignore.is_file():
        return []
    text = gitignore.read_text(encoding="utf-8", errors="replace")
    present = {line.strip().strip("/") for line in text.splitlines()}
    missing = [line for line in IGNORED if line.strip("/") not in present]
    if not missing:
        return []
    lead = "" if not text or text.endswith("\n") else "\n"
    with gitignore.open("a", encoding="utf-8") as stream:
        stream.write(lead + "# podcast-feed: the build's output and its cache\n")
        stream.writelines(f"{line}\n" for line in missing)
    return missing


def repository_top(folder: Path) -> Path | None:
    """The top of the git repository `folder` is inside, when that is not `folder` itself:
    GitHub runs only the workflows at a repository's top, so the one init writes into a
    show in a folder of a repository must be moved there."""
    folder = folder.resolve()
    if (folder / ".git").exists():
        return None
    return next((above for above in folder.parents if (above / ".git").exists()), None)


_PUBLISHES = (
    "github.event_name != 'pull_request' && (github.event_name == 'schedule' || "
    "github.ref_name == github.event.repository.default_branch)"
)
"""When init's workflow publishes: from the default branch, whatever its name (a schedule's
event carries no repository, but GitHub starts it there)."""


INSTALL_STEP = """\
      # the podcast-feed that wrote this workflow, so that every run builds the same bytes
      - run: pip install "{requirement}"
"""
UNKNOWN_INSTALL_STEP = """\
      # podcast-feed was installed from a place CI cannot reach, so init could not say where
      # CI installs it from. Replace this step with one that installs the same version, e.g.
      # - run: pip install "podcast-feed @ git+https://github.com/OWNER/podcast-feed@COMMIT"
      - run: 'echo "::error::say in {workflow} where to install podcast-feed from" && exit 1'
"""


def workflow(folder: Path, requirement: str | None) -> str:
    """init's CI workflow, installing podcast-feed by `requirement` (`installed.py`; None: a
    step that fails, saying what to write); for a show in a folder of a repository, one that
    runs there."""
    install = (
        INSTALL_STEP.replace("{requirement}", requirement)
        if requirement is not None
        else UNKNOWN_INSTALL_STEP.replace("{workflow}", WORKFLOW_FILE)
    )
    text = WORKFLOW_TEMPLATE.replace("{install}", install).replace("{publishes}", _PUBLISHES)
    top = repository_top(folder)
    if top is None:
        return text
    inside = folder.resolve().relative_to(top).as_posix()
    runs_there = f"    defaults:\n      run:\n        working-directory: {_yaml_scalar(inside)}\n"
    text = text.replace("    runs-on: ubuntu-latest\n", "    runs-on: ubuntu-latest\n" + runs_there)
    return text.replace(
        f"path: {CACHE_FOLDER}", f"path: {_yaml_scalar(f'{inside}/{CACHE_FOLDER}')}"
    )


def _yaml_scalar(value: str) -> str:
    """A value YAML reads back unchanged, quoted only when it must be."""
    dumped: str = yaml.safe_dump(value, allow_unicode=True, width=float("inf"))
    return dumped.removesuffix("\n...\n").rstrip("\n")


@dataclass
class NewEpisode:
    episode_file: Path
    audio_file: Path
    copied: bool
    number: int
    title: str
    named: str | None = None
    """The audio's title tag (or file name) the title was made from, when `own_title` took
    the show's name or an episode number out of it; else None."""


_EPISODE_LABEL = re.compile(
    r"^(?:(?:S\d+\s*E\d+|(?:ep|episode|folge|nr|no)\.?\s*\d+)\b\s*[-–—|:.]?"
    r"|(?:#\d+|\d{1,3})\s*[-–—|:.](?=\s))\s*",
    re.IGNORECASE,
)
"""An episode number opening a title: `Ep. 12:`, `Episode 12`, `S02E05`, `#12 -`, `012 -`,
`12.` (a bare number only with a separator after it: `#1 Hit Songs`, `2024: A Year` and
`10 Things` keep theirs)."""
_SEPARATORS = " \t-–—|:·"


def own_title(named: str, show_title: str) -> str:
    """An audio file's title tag (or name) as the episode's own title, as Apple asks for it:
    without the show's name before it or after a separator (`Title | Show`), and without an
    episode number before it; as it is if nothing is left.

    >>> own_title("Probe Show Ep. 12: The Big Interview", "Probe Show")
    'The Big Interview'
    >>> own_title("012 - Pilot | My Show", "My Show"), own_title("2024: My Show's Year", "My Show")
    ('Pilot', "2024: My Show's Year")
    """
    title = named.strip(_SEPARATORS)
    show, apart = re.escape(show_title.strip()), f"[{re.escape(_SEPARATORS)}]"
    if show:
        around = rf"^{show}(?:{apart}+|$)|\s*[^\w\s'’]\s*{show}$"  # `Title | Show`
        title = re.sub(around, "", title, flags=re.IGNORECASE)
    title = _EPISODE_LABEL.sub("", title.strip(_SEPARATORS))
    title = " ".join(title.strip(_SEPARATORS).split())
    return title or named


def new_episode(
    root: Path, audio: Path, title: str | None, now: datetime, season: int | None = None
) -> NewEpisode:
    """Write episodes/NNN-slug.md (sSSeNNN-slug.md from season 2) for `audio`, copying the
    audio into media/ if needed."""
    if not (root / SHOW_FILE).is_file():
        raise CannotAddEpisode(f"no {SHOW_FILE} in {root}; run 'podcast-feed init' first")
    show, problems = load_show(root / SHOW_FILE)
    if show is None or has_errors(problems):
        raise CannotAddEpisode(f"{SHOW_FILE} has errors; run 'podcast-feed validate' first")
    if not audio.is_file():
        raise CannotAddEpisode(f"{audio} is not a file")
    try:
        enclosure_type(audio)
        tag_title = read_title(audio)
    except UnsupportedMedia as exc:
        raise CannotAddEpisode(f"{audio.name}: {exc}; {exc.fix(str(audio))}") from None
    except MisnamedMedia as exc:
        raise CannotAddEpisode(f"{audio.name}: {exc}; {exc.fix(audio)}") from None
    except UnreadableMedia as exc:
        raise CannotAddEpisode(
            f"{audio.name} cannot be read as audio: {exc}; {UNREADABLE_FIX}"
        ) from None
    if title is not None and not title.isprintable():
        raise CannotAddEpisode(
            f"--title {title!r} has a line break or control character; give it on one line"
        )
    # a tag's title may hold line breaks or tabs: it is put on one line
    named = " ".join((tag_title or audio.stem.replace("_", " ").replace("-", " ")).split())
    own = own_title(named, show.title)
    shortened = title is None and own != named
    title = (title or own).strip()

    with _one_new_at_a_time(root):
        episodes, _ = load_episodes(episode_files(root / "episodes"), root, show)
        media_dir = (root / "media").resolve()
        same = _episode_with_the_same_audio(audio, episodes, media_dir)
        if same is not None:
            raise CannotAddEpisode(
                f"{audio.name} is already the audio of {same.source} (media/{same.meta.audio}); "
                "edit that episode, or pass another recording"
            )
        if show.type == "serial" and season is None:
            season = max((e.meta.season or 1 for e in episodes), default=1)
        in_season = [
            e
            for e in episodes
            if e.meta.type == "full" and (season is None or (e.meta.season or 1) == season)
        ]
        numbers = [e.meta.episode for e in in_season if e.meta.episode is not None]
        number = max(numbers) + 1 if numbers else len(in_season) + 1
        # a title with no Latin letters or digits (Japanese, emoji) is named for its number:
        # "episode-2.mp3" beside episode 4 would read as episode 2's
        slug = slugify(title, fallback=f"episode-{number:03d}")

        media_dir.mkdir(exist_ok=True)
        source = audio.resolve()
        if source.is_relative_to(media_dir):
            audio_file, copied = source, False
        else:
            audio_file, copied = _copy_into(source, media_dir, slug)

        front: dict[str, object] = {
            "title": title,
            "date": now.astimezone(show.zone).strftime("%Y-%m-%d %H:%M"),
            "audio": audio_file.relative_to(media_dir).as_posix(),
            "guid": str(uuid.uuid4()),
            "episode": number,  # the number actually taken is set when the file is created
        }
        if season is not None:
            front["season"] = season
        episode_file, number = _create_episode_file(root / "episodes", number, slug, front)
    return NewEpisode(episode_file, audio_file, copied, number, title, named if shortened else None)


def _episode_with_the_same_audio(
    audio: Path, episodes: list[Episode], media_dir: Path
) -> Episode | None:
    """The episode whose audio file has the same bytes as `audio` (compared by SHA-256, and
    only where the sizes agree), so that one recording never becomes two episodes."""
    size = audio.stat().st_size
    digest: str | None = None
    for episode in episodes:
        existing = media_dir / episode.meta.audio
        try:
            if not existing.is_file() or existing.stat().st_size != size:
                continue
        except OSError:
            continue
        digest = digest or sha256_of(audio)
        if sha256_of(existing) == digest:
            return episode
    return None


def _create_episode_file(
    folder: Path, first_number: int, slug: str, front: dict[str, object]
) -> tuple[Path, int]:
    """Create episodes/NNN-slug.md exclusively, taking the next number while NNN is taken:
    two `new` at once never write the same file or the same number. From season 2 on the name
    is sSSeNNN-slug.md, so that it sorts after season 1's and never beside its number."""
    season = front.get("season")
    in_season = f"s{season:02d}e" if isinstance(season, int) and season > 1 else ""
    for number in itertools.count(first_number):
        path = folder / f"{in_season}{number:03d}-{slug}{EPISODE_SUFFIX}"
        text = (
            "---\n"
            + yaml.safe_dump(front | {"episode": number}, sort_keys=False, allow_unicode=True)
            + "---\n\n"
            + NOTES_TEMPLATE
        )
        if created(path, text.encode()):
            return path, number
    raise AssertionError("unreachable: itertools.count never ends")


@contextlib.contextmanager
def _one_new_at_a_time(root: Path) -> Iterator[None]:
    """While one `new` picks a number and writes its file, another waits: two at once would
    both take the next number. A lock file left by a killed `new` is stale after a minute."""
    lock = root / CACHE_FOLDER / "new.lock"
    lock.parent.mkdir(exist_ok=True)
    give_up = time.monotonic() + _LOCK_WAIT_SECONDS
    while True:
        try:
            os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except FileExistsError:
            with contextlib.suppress(OSError):
                if time.time() - lock.stat().st_mtime > _STALE_LOCK_SECONDS:
                    lock.unlink()
                    continue
            if time.monotonic() > give_up:
                raise CannotAddEpisode(
                    f"another podcast-feed new is running ({lock} exists); try again, or "
                    "delete that file if none is"
                ) from None
            time.sleep(0.05)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


_LOCK_WAIT_SECONDS = 30
_STALE_LOCK_SECONDS = 60


def _copy_into(source: Path, media_dir: Path, slug: str) -> tuple[Path, bool]:
    """Copy to media/<slug>.<ext>, reusing an identical copy and never overwriting another;
    and whether it copied. A name whose stem another audio file has (`hello.mp3` beside a new
    `hello.m4a`) is taken too: transcripts are found by the audio's stem, and would go to both."""
    suffix = source.suffix.lower()
    audio_stems = {
        path.stem for path in media_dir.iterdir() if path.suffix.lower() in ENCLOSURE_TYPES
    }
    for attempt in range(1, 1000):
        stem = slug if attempt == 1 else f"{slug}-{attempt}"
        target = media_dir / f"{stem}{suffix}"
        if target.exists() and filecmp.cmp(source, target, shallow=False):
            return target, False
        if (
            not target.exists()
            and stem not in audio_stems
            and created(target, lambda part: shutil.copyfile(source, part))
        ):
            return target, True
    raise CannotAddEpisode(f"too many files named {slug}-N{suffix} in media/")


def created(path: Path, content: bytes | Callable[[Path], object]) -> bool:
    """Make a file that is not there yet, and say whether it was: `content` (or what the
    function writes to the path it is given) goes to a hidden file beside it, linked in under
    `path` only if nothing (not even a dangling link) is there. Stopped part-way (Ctrl-C, a
    full disk), it leaves nothing under `path`: a half-copied recording in media/ would be
    taken for a whole one, and a half-written podcast.yaml would stop `init` running again."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        if isinstance(content, bytes):
            part.write_bytes(content)
        else:
            content(part)
        try:
            os.link(part, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links (exFAT, some network shares)
            if os.path.lexists(path):
                return False
            part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return True


NOTES_TEMPLATE = f"""\
{NOTES_PLACEHOLDER}

## Key Topics Covered

- A topic

## Key Takeaways

- A takeaway

## Resources & Links

- {NOTES_TEMPLATE_LINK}
"""

SHOW_TEMPLATE = """\
# podcast.yaml: the show. Every key is described in the README ("podcast.yaml reference").

# Required --------------------------------------------------------------------------------
title: {title:<27} # the show's name only, at most 255 characters
description: >-                    # plain text, at most 4000 bytes
  {description}
link: {link:<28} # the show's website
language: {language:<24} # ISO 639-1, optionally with a region: en-us, de-at
author: {author:<26} # itunes:author; Spotify requires it
owner:                             # itunes:owner; Spotify and YouTube check the email
  name: {author}
  email: {email}
image: cover.jpg                   # in media/: square JPEG/PNG, 1400-3000 px, RGB (replace it!)
categories:                        # Apple's list, exact names; Apple uses only the first
  - category: Technology
  # - category: Business
  #   subcategory: Management
explicit: false                    # itunes:explicit
feed_url: {feed_url:<24} # where feed.xml will be published
media_base_url: {media_base_url:<18} # where media/ will be published
# Set once, never change, even if the feed moves (Podcasting 2.0 podcast:guid):
podcast_guid: {podcast_guid}

# Optional ---------------------------------------------------------------------------------
type: episodic                     # episodic (newest first) or serial (oldest first, numbered)
timezone: UTC                      # zone of episode dates written without one: Europe/Berlin
# copyright: © 2026 {author}
# complete: false                  # true: no more episodes will come
# block: false                     # true: keep the show out of Apple's directory
# new_feed_url: https://...        # after moving the feed: where it lives now
# locked: false                    # true: other hosting platforms must not import the feed
# chapters_in_description: false   # true: chapter timestamps at the end of descriptions
# ignore_warnings: [vbr-without-header]   # codes (in [brackets] in a warning) not to report

# The website, written beside feed.xml (index, a page per episode, sitemap); see the README
# site: true                       # false: feed only
# site_url: https://...            # where the site is served, if not at `link`
# directories:                     # subscribe links on the site, by the name shown
#   Apple Podcasts: https://podcasts.apple.com/podcast/id...
#   Spotify: https://open.spotify.com/show/...

# Publishing (podcast-feed publish); credentials come from the environment, never from here
# publish:
#   destination: s3://my-bucket/show   # or gs://..., az://..., file:///srv/www/show, a folder
#   endpoint: https://ACCOUNT.r2.cloudflarestorage.com   # S3-compatible stores only
#   region: auto

# Podcasting 2.0 ---------------------------------------------------------------------------
# persons:
#   - name: Your Name
#     role: host                   # host, co-host, guest, producer, editor... (the taxonomy)
#     href: https://example.com
# funding:
#   - url: https://example.com/support
#     text: Support the show
# medium: podcast                  # podcast, music, audiobook, video, film, course...
# license: CC-BY-4.0               # or {{identifier: my-licence, url: https://...}}
# location: Berlin                 # or {{name, geo: geo:52.52,13.405, osm: R62422, country: de}}
# txt:
#   - value: your-apple-verification-code
#     purpose: applepodcastsverify
# update_frequency:
#   text: Every Tuesday
#   rrule: FREQ=WEEKLY;BYDAY=TU
# podroll:
#   - feed_guid: 917393e3-1b1e-5cef-ace4-edaa54e1f810
#     title: A show you recommend
"""

WORKFLOW_TEMPLATE = """\
# Checks the show on every push and pull request; on the repository's default branch (main,
# master...), every hour (so that scheduled episodes go out on time) and from "Run workflow"
# in the Actions tab, publishes it: the audio first, feed.xml last.
# Set the secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the repository's settings, and
# publish.destination (plus publish.endpoint for R2, B2 or MinIO) in podcast.yaml.
name: podcast-feed
on:
  push:
  pull_request:
  schedule:
    - cron: "7 * * * *"
  workflow_dispatch:
# The runs that publish wait for one another; a check of another branch or of a pull request
# has a group of its own, so that it never takes the place of a waiting publish (GitHub keeps
# one waiting run a group, and cancels it for the next).
concurrency:
  group: ${{ {publishes} && 'podcast-feed-publish' || format('podcast-feed-{0}', github.ref) }}
  cancel-in-progress: false
jobs:
  feed:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          lfs: true  # audio kept in Git LFS comes as itself, not as its pointer
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
{install}      # what earlier runs learnt from each file (probed audio, rendered notes, upload
      # hashes), found again by git's blob ids although the checkout gives every file a new mtime
      - uses: actions/cache@v4
        with:
          path: .podcast-feed-cache
          key: podcast-feed-${{ github.sha }}
          restore-keys: podcast-feed-
      # each problem also shown on its file's line in pull requests
      - run: podcast-feed validate --strict --format github
      # pull requests from forks get no secrets: only the check above runs for them
      - if: github.event.pull_request.head.repo.full_name == github.repository
        run: podcast-feed publish --dry-run
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
      - if: {publishes}
        run: podcast-feed publish --strict
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""
