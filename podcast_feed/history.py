"""The published history guard: compare with the feed as it is live now, so that no subscriber
loses an episode or downloads the back catalogue again (SPEC 0.3, 6.1).

An episode that was published before must keep its guid and its enclosure URL, and must not
disappear, unless the user says so (`--allow-removal`, or `republish: true` in the episode).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from .errors import PodcastFeedError, Problem, error, warning
from .models import Episode, Show

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
_TIMEOUT_SECONDS = 30
DOWNLOAD_DEADLINE_SECONDS = 60.0
"""The whole download of the previous feed, however slowly the server sends it."""
_MAX_FEED_BYTES = 64 * 1024 * 1024


class PreviousFeedUnavailable(PodcastFeedError):
    """The previous feed could not be read or parsed."""


@dataclass(frozen=True)
class PublishedItem:
    guid: str
    title: str
    enclosure_url: str


@dataclass(frozen=True)
class PublishedFeed:
    source: str
    podcast_guid: str | None
    items: list[PublishedItem]


def read_previous(source: str, deadline: float = DOWNLOAD_DEADLINE_SECONDS) -> PublishedFeed:
    """The previous feed from a file path or an http(s) URL (all of it within `deadline`)."""
    if source.startswith(("https://", "http://")):
        data = _download(source, deadline)
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise PreviousFeedUnavailable(
                f"cannot read the previous feed {source}: {exc.strerror}"
            ) from None
    return parse_feed(data, source)


def _download(url: str, deadline: float) -> bytes:
    """The body at `url`, or an error once `deadline` seconds have passed in all: a server
    that sends a byte every few seconds must not hold a CI build for hours."""
    give_up = time.monotonic() + deadline
    pool = ThreadPoolExecutor(max_workers=1)
    download = pool.submit(_read_until, url, give_up)
    try:
        return download.result(timeout=deadline)
    except FutureTimeout:
        raise PreviousFeedUnavailable(
            f"cannot download the previous feed {url}: it did not arrive within {deadline:g} s"
        ) from None
    except urllib.error.HTTPError as exc:
        raise PreviousFeedUnavailable(
            f"cannot download the previous feed {url}: HTTP {exc.code} {exc.reason}"
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PreviousFeedUnavailable(
            f"cannot download the previous feed {url}: {getattr(exc, 'reason', exc)}"
        ) from None
    finally:
        pool.shutdown(wait=False)  # a download past its deadline stops at its next read


def _read_until(url: str, give_up: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "podcast-feed"})
    chunks: list[bytes] = []
    size = 0
    with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
        while time.monotonic() < give_up and size < _MAX_FEED_BYTES:
            chunk = response.read1(64 * 1024)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
    if size >= _MAX_FEED_BYTES:
        raise ValueError(f"it is larger than {_MAX_FEED_BYTES // 2**20} MiB")
    raise TimeoutError("the deadline passed")


def parse_feed(data: bytes, source: str) -> PublishedFeed:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise PreviousFeedUnavailable(f"the previous feed {source} is not XML: {exc}") from None
    channel = root.find("channel")
    if channel is None:
        raise PreviousFeedUnavailable(f"the previous feed {source} is not an RSS feed")
    items = []
    for item in channel.iterfind("item"):
        enclosure = item.find("enclosure")
        url = enclosure.get("url", "") if enclosure is not None else ""
        guid = (item.findtext("guid") or "").strip() or url
        items.append(PublishedItem(guid, (item.findtext("title") or "").strip(), url))
    podcast_guid = channel.findtext(f"{{{PODCAST_NS}}}guid")
    return PublishedFeed(source, podcast_guid.strip() if podcast_guid else None, items)


def check_history(
    previous: PublishedFeed,
    show: Show,
    published: Sequence[tuple[Episode, str]],
    allow_removal: bool,
) -> list[Problem]:
    """Problems for previously published episodes that vanished or changed identity.

    `published` pairs each episode that the new feed will carry with its enclosure URL. Audio
    URLs that changed only because `media_base_url` did are one problem of the show, not one
    of each episode.
    """
    problems: list[Problem] = []
    podcast_guid = str(show.guid)
    moved: dict[str, list[Episode]] = {}
    """The episodes whose audio URL changed with `media_base_url` alone, by the old base."""
    if previous.podcast_guid and previous.podcast_guid != podcast_guid:
        problems.append(
            error(
                "podcast-guid-changed",
                "podcast.yaml",
                "podcast_guid",
                f"the live feed has podcast:guid {previous.podcast_guid}, this one {podcast_guid}",
                f"set 'podcast_guid: \"{previous.podcast_guid}\"': it must never change",
            )
        )
    by_guid = {episode.guid: (episode, url) for episode, url in published}
    by_url = {url: episode for episode, url in published}
    by_title = {episode.title: episode for episode, _ in published}
    for item in previous.items:
        if item.guid in by_guid:
            episode, url = by_guid[item.guid]
            if item.enclosure_url and url != item.enclosure_url:
                old_base = _base_before(item.enclosure_url, episode.audio)
                if old_base is not None and not episode.republish:
                    moved.setdefault(old_base, []).append(episode)
                    continue
                problems.append(
                    _changed(
                        episode,
                        "audio",
                        "enclosure-url-changed",
                        f"the enclosure URL changed from {item.enclosure_url} to {url}; "
                        "some apps will download the episode again",
                    )
                )
            continue
        renamed = by_url.get(item.enclosure_url) or by_title.get(item.title)
        if renamed is not None:
            problems.append(
                _changed(
                    renamed,
                    "guid",
                    "guid-changed",
                    f"was published with guid {item.guid!r}, now {renamed.guid!r}; every app will "
                    "download it again",
                    f"set 'guid: \"{item.guid}\"' back, or add 'republish: true' if it is "
                    "deliberate",
                )
            )
            continue
        removal = warning if allow_removal else error
        problems.append(
            removal(
                "episode-removed",
                "episodes",
                None,
                f"{item.title!r} (guid {item.guid}) is in the live feed but not in this build",
                "restore its file, or pass --allow-removal if it was removed on purpose",
            )
        )
    problems += [_media_moved(show, base, episodes) for base, episodes in moved.items()]
    live = {(item.guid, item.enclosure_url) for item in previous.items}
    problems += [
        episode.warning(
            "republish-done",
            "republish",
            "the live feed already has this episode with this guid and audio address, so "
            "'republish: true' has done its work; left in, it would let a later mistake in "
            "either through unnoticed",
            "remove the line 'republish: true'",
        )
        for episode, url in published
        if episode.republish and (episode.guid, url) in live
    ]
    return problems


def _base_before(enclosure_url: str, audio: str) -> str | None:
    """The media base URL a published enclosure URL of the file `audio` had (ending in /), or
    None if the file's own name changed."""
    path = "/" + quote(audio)
    return enclosure_url[: -len(path) + 1] if enclosure_url.endswith(path) else None


def _media_moved(show: Show, old_base: str, episodes: Sequence[Episode]) -> Problem:
    """One problem for a `media_base_url` that changed under published episodes: an error,
    or a warning once podcast.yaml says where the media moved from."""
    new_base = show.media_url("")
    named = ", ".join(episode.source for episode in episodes[:3])
    more = f" and {len(episodes) - 3} more" if len(episodes) > 3 else ""
    message = (
        f"the audio of {len(episodes)} published episode{'s' if len(episodes) != 1 else ''} "
        f"({named}{more}) moves from {old_base} to {new_base}; apps that go by the URL will "
        "download it again"
    )
    if show.media_moved_from is not None and show.media_moved_from.rstrip("/") + "/" == old_base:
        return show.warning(
            "media-moved",
            "media_base_url",
            message,
            f"keep {old_base} answering, redirecting to the new address, until every app has "
            "read the new feed",
        )
    return show.error(
        "media-moved",
        "media_base_url",
        message,
        f"set media_base_url back to {old_base}; if the files really moved, add the line "
        f"'media_moved_from: {old_base}' to podcast.yaml",
    )


def _changed(episode: Episode, field: str, code: str, message: str, fix: str = "") -> Problem:
    """A change of identity: an error, or a warning when the episode says `republish: true`."""
    if episode.republish:
        return episode.warning(code, field, message, "republish: true accepts this")
    return episode.error(
        code,
        field,
        message,
        fix or "undo the change, or add 'republish: true' if it is deliberate",
    )
