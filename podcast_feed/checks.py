"""Rules across records: what each file is fine on its own but wrong for Apple, Spotify or
subscribers (SPEC sections 0 and 2). Schema errors are found earlier, by the models."""

from __future__ import annotations

import html
import re
import shlex
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from .artwork import check_image
from .assets import MediaFiles, MediaReference, check_inside_show, lfs_pointer_problem
from .cache import Cache, InputState
from .chapters import chapter_field, check_chapters, check_soundbites, description_timestamps
from .episodes import derived_episode_guid
from .errors import Problem, Severity
from .fields import addresses, host_of, reserved_host
from .filetypes import IMAGE_TYPES
from .layout import FEED_FILE, SHOW_FILE, file_name_in
from .models import Episode, Show, podcast_guid_for
from .notes import (
    DESCRIPTION_LIMIT,
    SHOW_DESCRIPTION_PLACEHOLDER,
    has_text,
    item_description,
)

_NOT_PUBLISHED = {"media_moved_from", "publish"}
"""Addresses of podcast.yaml no app or visitor is sent to: where the media were (they are what
they were) and the storage `publish` writes to (a local MinIO is plain http)."""


def _not_https(address: str) -> tuple[str, str]:
    """The message and fix of a `not-https` warning."""
    return (
        f"{address!r} is not https",
        "use its https address; Apple recommends https and Podcasting 2.0 requires it",
    )


_SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9._/-]+")
_NUMBERS_IN_TITLE = re.compile(r"(?:#|\b(?:ep|episode|folge|no)\.?\s*)0*(\d+)\b", re.IGNORECASE)


def check(
    show: Show | None,
    episodes: Sequence[Episode],
    root: Path,
    references: Sequence[MediaReference],
    cache: Cache | None = None,
    walk: InputState | None = None,
    publishing: bool = False,
) -> list[Problem]:
    """Every problem of the show file, and across episodes (each episode's own problems are
    `check_episode`'s); `show` is None when podcast.yaml itself failed. `references` are
    `media_references(show, episodes)`; `cache` remembers what images' headers say; `walk`
    is the listing of the show's files `build` made a moment ago. `publishing` adds what
    only `publish` refuses (`example_addresses`)."""
    problems: list[Problem] = []
    if show is not None:
        problems += check_show(show, root, cache)
        problems += check_episode_numbers(show, episodes)
        if publishing:  # (a stand-in's address is at example.com: left out below)
            problems += example_addresses(show, (e for e in episodes if not e.draft))
    problems += check_inside_show(root, references, walk)
    namespace = show.guid if show is not None else uuid.UUID(int=0)  # as episodes.py derives
    problems += check_unique(
        episodes,
        "guid",
        lambda episode: episode.guid,
        "duplicate-guid",
        "apps would treat the episodes as one",
        lambda episode: (  # a copied episode file: the copy is the one to change
            "give this episode a guid of its own, e.g. "
            f"'guid: {derived_episode_guid(namespace, Path(episode.source).stem)}'; if this "
            "is the one already published, change the other's instead: a published guid "
            "never changes"
        ),
    )
    problems += check_unique(
        [e for e in episodes if not e.draft],
        "audio",
        lambda episode: episode.audio,
        "duplicate-audio",
        "Apple ignores episodes whose enclosure URL repeats",
        "point each episode at its own audio file",
    )
    problems += check_unique(
        episodes,
        "title",
        lambda episode: episode.title,
        "duplicate-title",
        "listeners cannot tell the two apart in their app",
        "give each episode its own title: add a part, or a guest's name",
        same=lambda title: " ".join(title.casefold().split()),
        severity=Severity.WARNING,
    )
    problems += _shared_transcripts(episodes)
    if show is not None and show.stand_in_keys:  # what its errors say already, or a stand-in's
        problems = [p for p in problems if not _at_stand_in(p, show.stand_in_keys)]
    return problems


def _at_stand_in(problem: Problem, keys: frozenset[str]) -> bool:
    return problem.file == SHOW_FILE and (problem.field or "").split(".")[0] in keys


def _shared_transcripts(episodes: Sequence[Episode]) -> list[Problem]:
    """A transcript is one episode's words: one that two episodes name (or find beside their
    audio, `hello.mp3` and `hello.m4a` both finding `hello.vtt`) is the wrong one for one."""
    first: dict[str, Episode] = {}
    problems = []
    for episode in episodes:
        for file, field, _ in episode.files:
            if field != "transcripts":
                continue
            earlier = first.setdefault(file, episode)
            if earlier is not episode:
                shared = episode.warning(
                    "transcript-shared",
                    "transcripts",
                    f"{file!r} is also the transcript of {earlier.source}: a transcript "
                    "beside the audio goes to each episode whose audio has its name",
                    "give each its own: rename one episode's audio, or write "
                    "'transcripts: []' in the episode that has none",
                )
                line = shared.line or episode.files[0][2]  # found beside the audio: its line
                problems.append(replace(shared, line=line))
    return problems


def check_show(show: Show, root: Path, cache: Cache | None = None) -> list[Problem]:
    problems: list[Problem] = []
    derived = podcast_guid_for(show.feed_url)
    if show.podcast_guid is None:
        problems.append(
            show.warning(
                "podcast-guid-missing",
                "podcast_guid",
                f"not set; using {derived}, derived from feed_url",
                f"add the line 'podcast_guid: \"{derived}\"' so it never changes if the feed moves",
            )
        )
    elif show.podcast_guid != derived:
        problems.append(
            show.warning(
                "podcast-guid-mismatch",
                "podcast_guid",
                f"differs from {derived}, the value derived from feed_url",
                "keep it if the feed moved, as a published guid must never change; if the show "
                "was never published (feed_url was init's example until now), write "
                f"'podcast_guid: \"{derived}\"'",
            )
        )
    if show.description.strip() == SHOW_DESCRIPTION_PLACEHOLDER:
        problems.append(
            show.warning(
                "show-template",
                "description",
                "still the text 'podcast-feed init' wrote",
                "describe the show: apps show it to people deciding whether to subscribe",
            )
        )
    size = len(show.description.encode())
    if size > DESCRIPTION_LIMIT:
        problems.append(
            show.error(
                "description-too-long",
                "description",
                f"{size} bytes; Apple allows {DESCRIPTION_LIMIT}",
                "shorten it",
            )
        )
    problems += [
        show.warning("not-https", field, *_not_https(value))
        for field, value in addresses(show)
        if urlsplit(value).scheme == "http" and field.split(".")[0] not in _NOT_PUBLISHED
    ]
    if not file_name_in(show.feed_url) and not show.publish.feed_path:
        problems.append(
            show.error(
                "feed-url-not-a-file",
                "feed_url",
                f"{show.feed_url!r} is a folder's address, not a file's: a web server or "
                "bucket answers it with the folder's index page, never with the feed",
                f"end it with the feed's file name, e.g. {urljoin(show.feed_url, FEED_FILE)}, "
                "or set publish.feed_path to the file your host serves at that address",
            )
        )
    beside_feed = urljoin(show.feed_url, "./")
    same_place = urlsplit(show.website)[1:] == urlsplit(beside_feed)[1:]  # http or https
    if show.site and show.site_url is None and not same_place:
        problems.append(
            show.warning(
                "site-not-at-link",
                "link",
                f"the website is written beside feed.xml, so it is served at {beside_feed}, "
                f"but its pages' addresses and each episode's link in the feed start with "
                f"`link`, {show.website}, where those pages are not",
                f"add 'site_url: {beside_feed}', or 'site: false' if `link` is a website of "
                "its own",
            )
        )
    problems += check_image(show.image, root / "media", show, "image", cache)
    return problems


_EXAMPLE_ADDRESS_FIXES = {
    "feed_url": "write the address feed.xml will be served from",
    "media_base_url": "write the address media/ will be served from",
    "link": "write the address of the show's website",
    "site_url": "write the address the website will be served from, or remove the line",
    "owner.email": "write the address where you read mail",
}


def example_addresses(show: Show, episodes: Iterable[Episode] = ()) -> list[Problem]:
    """An error for each published address at a name kept for examples (example.com, .test)
    or at this machine (localhost), in podcast.yaml and in the front matter of `episodes`:
    what `init` writes until told the show's own, and what the README's examples use. Fine
    while the show is built and served on this machine; `publish` refuses them, as a feed
    that points there gives apps nothing to play or open."""
    problems = []
    for field, value in addresses(show):
        if field.split(".")[0] in _NOT_PUBLISHED:
            continue
        fix = _EXAMPLE_ADDRESS_FIXES.get(field, _EXAMPLE_ADDRESS_FIX)
        if field == "feed_url" and show.podcast_guid == podcast_guid_for(show.feed_url):
            fix += ", and podcast_guid anew: `validate` then gives the one derived from it"
        problems += _example_address(show, field, value, fix)
    domain = host_of(show.owner.email)
    if what := reserved_host(domain):
        problems.append(
            show.error(
                "example-address",
                "owner.email",
                f"{show.owner.email!r} is at {domain}, {what}: Spotify sends the code that "
                "proves the show is yours there, and no mail arrives",
                _EXAMPLE_ADDRESS_FIXES["owner.email"],
            )
        )
    for episode in episodes:
        for field, value in addresses(episode.meta):
            problems += _example_address(episode, field, value, _EXAMPLE_ADDRESS_FIX)
    return problems


_EXAMPLE_ADDRESS_FIX = "write the real address, or remove the line"


def _example_address(record: Show | Episode, field: str, value: str, fix: str) -> list[Problem]:
    """The `example-address` error of `value`, at `record`'s `field`, if its host is one."""
    host = host_of(value)
    what = reserved_host(host)
    if not what:
        return []
    message = f"{value!r} is at {host}, {what}: no app or listener reaches it there"
    return [record.error("example-address", field, message, fix)]


def check_episode(
    show: Show | None,
    episode: Episode,
    root: Path,
    cache: Cache | None = None,
    available: MediaFiles | None = None,
) -> list[Problem]:
    """The episode's own problems; `available` is media/ as the build listed it (for the
    suggestion when a file it names is missing)."""
    meta = episode.meta
    problems: list[Problem] = []

    if meta.guid is None:
        problems.append(
            episode.warning(
                "episode-guid-missing",
                "guid",
                f"not set; using {episode.guid}",
                f"add the line 'guid: \"{episode.guid}\"' to the front matter so it never changes",
            )
        )
    if not meta.summary and not has_text(episode.notes_html):
        problems.append(
            episode.warning(
                "empty-show-notes",
                None,
                "the episode has no show notes and no summary",
                "write the show notes below the front matter",
            )
        )
    # measured as published: as HTML, where & and < take several bytes
    summary_size = len(html.escape(meta.summary or "", quote=False).encode())
    if summary_size > DESCRIPTION_LIMIT:
        problems.append(
            episode.error(
                "description-too-long",
                "summary",
                f"{summary_size} bytes; Apple allows {DESCRIPTION_LIMIT}",
                "shorten it",
            )
        )
    if episode.media is not None and episode.media.vbr_without_header:
        problems.append(
            episode.warning(
                "vbr-without-header",
                "audio",
                f"{meta.audio!r} is VBR without a Xing/VBRI header: apps will guess its length "
                "wrongly and seek badly",
                "re-encode it with a header: lame writes one by default, ffmpeg with -write_xing 1",
            )
        )
    if episode.media is not None and episode.media.index_at_end:
        audio = f"media/{meta.audio}"
        fast = str(PurePosixPath(audio).with_stem(f"{PurePosixPath(audio).stem}-fast"))
        problems.append(
            episode.warning(
                "moov-at-end",
                "audio",
                f"{meta.audio!r} keeps its index (the moov box) after the audio: an app must "
                "fetch the end of the file before it plays, and all of it from a host "
                "without byte ranges",
                "move the index to the front, without encoding again: ffmpeg -i "
                f"{shlex.quote(audio)} -c copy -movflags +faststart {shlex.quote(fast)} && "
                f"mv {shlex.quote(fast)} {shlex.quote(audio)}",
            )
        )
    if not meta.draft and not _SAFE_FILE_NAME.fullmatch(meta.audio):
        problems.append(
            episode.warning(
                "media-file-name",
                "audio",
                f"{meta.audio!r} has spaces or non-ASCII characters; some apps fail on them",
                "rename the file using only a-z, A-Z, 0-9, '-', '_' and '.', and write the new "
                "name here; for an episode already published, add 'republish: true' too: its "
                "address changes",
            )
        )
    problems += [
        episode.warning("not-https", field, *_not_https(value))
        for field, value in addresses(meta)
        if urlsplit(value).scheme == "http"
    ]
    problems += _skipped_time_problems(episode)
    problems += check_chapters(episode)
    problems += check_soundbites(episode)
    if show is not None:
        problems += _title_problems(show, episode)
        if show.chapters_in_description:
            problems += _timestamps_problems(episode)
    if meta.image:
        problems += check_image(meta.image, root / "media", episode, "image", cache, available)
    for position, chapter in enumerate(episode.chapters):
        if chapter.image and "://" not in chapter.image:
            problems += _chapter_image_problems(
                episode, position, chapter.title, chapter.image, root, available
            )
    return problems


def _skipped_time_problems(episode: Episode) -> list[Problem]:
    """A date at a time the clocks skip in the show's zone (02:30 on the night summer time
    begins): it has no reading but one an hour off, which the podcaster did not write."""
    written = episode.published.replace(tzinfo=None)
    zone = episode.published.tzinfo  # (a date with an offset reads back as it is written)
    read_as = episode.published.astimezone(UTC).astimezone(zone)
    if read_as.replace(tzinfo=None) == written:
        return []
    minutes = int((read_as.replace(tzinfo=None) - written).total_seconds() // 60)
    jump = "an hour" if minutes == 60 else f"{minutes} minutes"
    return [
        episode.warning(
            "date-skipped-by-clocks",
            "date",
            f"there is no {written:%H:%M} on {written:%Y-%m-%d} in {zone}: the clocks go "
            f"forward {jump} that day, so it is read as {read_as:%H:%M} {read_as:%Z}",
            f"write the time as the clocks show it, e.g. 'date: {read_as:%Y-%m-%d %H:%M}' for "
            "the moment it is read as now",
        )
    ]


def _chapter_image_problems(
    episode: Episode,
    position: int,
    title: str,
    image: str,
    root: Path,
    available: MediaFiles | None,
) -> list[Problem]:
    """A chapter's image must be in media/ and be the image (not its Git LFS pointer): it is
    published as it is, never read."""
    path = root / "media" / image
    field = chapter_field(episode, position, "image")
    if not path.is_file():
        return [
            episode.error(
                "chapter-image-missing",
                field,
                f"the image of chapter {title!r}, {image!r}, is not in media/",
                MediaFiles.listed(root / "media", available).missing_fix(
                    image, "add the file or correct the name", IMAGE_TYPES
                ),
            )
        ]
    pointer = lfs_pointer_problem(episode, field, path, image)
    return [pointer] if pointer else []


def _timestamps_problems(episode: Episode) -> list[Problem]:
    """The chapters' timestamp lines that `chapters_in_description` asks for, when they do
    not fit in the description beside the summary or the notes (the feed leaves them out)."""
    timestamps = description_timestamps(episode)
    summary = episode.meta.summary
    if not timestamps or item_description(summary, episode.notes_html, timestamps)[1]:
        return []
    beside = "the summary" if summary else "the show notes"
    shorten = "shorten the summary, the chapter titles" if summary else "shorten the chapter titles"
    return [
        episode.warning(
            "chapters-not-in-description",
            "chapters" if episode.meta.chapters else "audio",
            f"the chapters' timestamp lines take {len(timestamps.encode()):,} bytes: with "
            f"{beside} they would pass the description's {DESCRIPTION_LIMIT:,}, so they are "
            "left out of it (apps that read chapters from the description do not see them)",
            f"{shorten} or list fewer chapters; podcast:chapters and psc:chapters keep them all",
        )
    ]


def _title_problems(show: Show, episode: Episode) -> list[Problem]:
    title = episode.meta.title
    problems = []
    if show.title.casefold() in title.casefold():
        problems.append(
            episode.warning(
                "title-has-show-name",
                "title",
                f"{title!r} repeats the show's name",
                "Apple asks for the episode's own title only",
            )
        )
    number = episode.meta.episode
    if number is not None and str(number) in _NUMBERS_IN_TITLE.findall(title):
        problems.append(
            episode.warning(
                "title-has-number",
                "title",
                f"{title!r} contains the episode number",
                "remove it; apps show the 'episode' key's number themselves",
            )
        )
    return problems


def check_episode_numbers(show: Show, episodes: Sequence[Episode]) -> list[Problem]:
    problems: list[Problem] = []
    full = [e for e in episodes if e.episode_type == "full"]
    if show.type == "serial":
        problems += [
            e.error(
                "serial-episode-number",
                "episode",
                "serial shows need an episode number on every full episode",
                "add a line 'episode: N'",
            )
            for e in full
            if e.number is None
        ]
    problems += check_unique(
        [e for e in full if e.number is not None],
        "episode",
        lambda e: f"season {e.season or 1}, episode {e.number}",
        "duplicate-episode-number",
        "two episodes share this number",
        "renumber one of them",
    )
    return problems


def check_unique(
    episodes: Iterable[Episode],
    field: str,
    key: Callable[[Episode], str],
    code: str,
    why: str,
    fix: str | Callable[[Episode], str],
    *,
    same: Callable[[str], str] = str,
    severity: Severity = Severity.ERROR,
) -> list[Problem]:
    """An error (or warning) on every episode after the first whose `key` is the same as
    another's, once both are put through `same`; `fix` may say what to do for that episode."""
    episodes = list(episodes)
    values = list(map(key, episodes))
    compared = values if same is str else list(map(same, values))
    if len(set(compared)) == len(compared):  # none repeats: a set is built in C (10,000: 1 ms)
        return []
    first: dict[str, Episode] = {}
    problems = []
    report = Episode.error if severity is Severity.ERROR else Episode.warning
    for episode, value, value_compared in zip(episodes, values, compared, strict=True):
        earlier = first.setdefault(value_compared, episode)
        if earlier is not episode:
            message = f"{value!r} is also used by {earlier.source}; {why}"
            advice = fix if isinstance(fix, str) else fix(episode)
            problems.append(report(episode, code, field, message, advice))
    return problems
