"""The hosting check (`validate --online`): fetch the feed, every enclosure and the artwork the
way Apple and Spotify do, before they do. httpx does the HTTP (the only module that knows it).

Apple refuses episodes whose server does not answer byte-range requests, whose Content-Length
differs from the enclosure's `length`, or whose type differs from the enclosure's `type`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from . import __version__
from .config import SHOW_FILE
from .errors import Problem, error, warning
from .fields import EXAMPLE_NAME, host_of, reserved_host
from .filetypes import content_type
from .models import Episode, Show

MAX_REDIRECTS = 5
_PARALLEL = 8
_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
_SAME_TYPES = {
    "audio/x-m4a": {"audio/x-m4a", "audio/mp4", "audio/m4a"},
    "audio/mpeg": {"audio/mpeg", "audio/mp3"},
}
"""Types that apps treat as the same file kind."""


@dataclass(frozen=True)
class Target:
    """One URL to check and what the feed promises about it."""

    url: str
    source: str
    field: str
    line: int | None
    size: int | None
    """The `length` the feed states, when it states one."""
    content_type: str


def check_hosting(
    show: Show,
    episodes: Sequence[Episode],
    feed: bytes,
    *,
    checked: Callable[[str, int], None] | None = None,
    timeout: httpx.Timeout = _TIMEOUT,
) -> list[Problem]:
    """Problems with how the feed and its files are served; `feed` is the feed as just built.

    `checked(url, total)` is called after each URL, for a progress bar.
    """
    files = targets(show, episodes)

    def done(url: str) -> None:
        if checked:
            checked(url, len(files) + 1)

    with httpx.Client(
        timeout=timeout,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": f"podcast-feed/{__version__} (hosting check)"},
    ) as client:
        problems = _check_feed(client, show, feed)
        done(show.feed_url)
        with ThreadPoolExecutor(max_workers=_PARALLEL) as pool:
            for target, found in zip(
                files, pool.map(lambda t: _check_file(client, t), files), strict=True
            ):
                problems += found
                done(target.url)
    return problems


def targets(show: Show, episodes: Sequence[Episode]) -> list[Target]:
    """Each enclosure (alternates included) and each artwork, once."""
    found: dict[str, Target] = {}
    image_url = show.image_url(show.image)
    found[image_url] = Target(
        image_url, SHOW_FILE, "image", show.line_of("image"), None, content_type(show.image)
    )
    for episode in episodes:

        def add(url: str, field: str, size: int | None, kind: str, in_: Episode = episode) -> None:
            found.setdefault(url, Target(url, in_.source, field, in_.line_of(field), size, kind))

        if episode.media is not None:
            media = episode.media
            add(show.enclosure_url(episode), "audio", media.size, media.mime_type)
        for alternate, media in episode.alternates:
            add(
                show.media_url(alternate.audio), "alternate_enclosures", media.size, media.mime_type
            )
        if episode.meta.image:
            image = episode.meta.image
            add(show.image_url(image), "image", None, content_type(image))
    return list(found.values())


def _check_feed(client: httpx.Client, show: Show, feed: bytes) -> list[Problem]:
    where = Target(
        show.feed_url, SHOW_FILE, "feed_url", show.line_of("feed_url"), None, "application/rss+xml"
    )
    response, problems = _fetch(client, "GET", where)
    if response is None:
        return problems
    served_type = _main_type(response)
    if "xml" not in served_type:
        problems.append(
            _problem(
                where,
                "hosting-wrong-type",
                f"the feed is served as {served_type or 'no type'!r}",
                "serve feed.xml as application/rss+xml (podcast-feed publish does)",
            )
        )
    if response.content != feed:
        problems.append(
            warning(
                "hosting-feed-differs",
                SHOW_FILE,
                "feed_url",
                f"the feed at {show.feed_url} is not the one this build makes",
                "run podcast-feed publish to bring it up to date",
                line=where.line,
            )
        )
    return problems


def _check_file(client: httpx.Client, target: Target) -> list[Problem]:
    head, problems = _fetch(client, "HEAD", target)
    if head is None:
        return problems
    served_type = _main_type(head)
    if served_type not in _SAME_TYPES.get(target.content_type, {target.content_type}):
        problems.append(
            _problem(
                target,
                "hosting-wrong-type",
                f"{target.url} is served as {served_type or 'no type'!r}, the feed says "
                f"{target.content_type}",
                f"set the file's Content-Type to {target.content_type} (podcast-feed publish does)",
            )
        )
    length = head.headers.get("Content-Length")
    if target.size is not None and length is not None and length != str(target.size):
        problems.append(
            _problem(
                target,
                "hosting-length-mismatch",
                f"{target.url} is {length} bytes on the server, {target.size} in the feed",
                "upload the file again: the copy on the server is not this one",
            )
        )
    if target.size is not None:
        problems += _range_problems(client, target)
    return problems


def _fetch(
    client: httpx.Client, method: str, target: Target
) -> tuple[httpx.Response | None, list[Problem]]:
    """The response when it is a 200, with any redirect problems; else only the problems.
    An address at a name kept for examples is not even asked for: nothing answers there."""
    host = host_of(target.url)
    if reserved_host(host) == EXAMPLE_NAME:
        unreachable = _problem(
            target,
            "hosting-unreachable",
            f"{target.url} is at {host}, {EXAMPLE_NAME}, where nothing on the internet answers",
            "write the address the show is served from",
        )
        return None, [unreachable]
    try:
        response = client.request(method, target.url, follow_redirects=True)
    except httpx.HTTPError as exc:
        return None, [_failure(target, exc)]
    problems = _redirect_problems(target, response)
    if response.status_code != 200:
        return None, [*problems, _status(target, response)]
    return response, problems


def _range_problems(client: httpx.Client, target: Target) -> list[Problem]:
    """Apple asks for bytes 0-1 first; a server that sends the whole file cannot seek."""
    try:
        with client.stream(
            "GET", target.url, headers={"Range": "bytes=0-1"}, follow_redirects=True
        ) as response:
            status = response.status_code
            content_range = response.headers.get("Content-Range", "")
    except httpx.HTTPError as exc:
        return [_failure(target, exc)]
    if status == 206 and content_range.startswith("bytes 0-1/"):
        return []
    return [
        _problem(
            target,
            "hosting-no-range",
            f"{target.url} answers a byte-range request with HTTP {status}, not 206",
            "host media where byte ranges work (object storage and CDNs do; Apple requires them)",
        )
    ]


def _redirect_problems(target: Target, response: httpx.Response) -> list[Problem]:
    insecure = [r.url for r in response.history if r.url.scheme == "https"]
    if insecure and response.url.scheme == "http":
        return [
            _problem(
                target,
                "hosting-redirect-to-http",
                f"{target.url} redirects from https to {response.url}",
                "serve the file over https without a downgrade",
            )
        ]
    return []


def _status(target: Target, response: httpx.Response) -> Problem:
    return _problem(
        target,
        "hosting-http-status",
        f"{target.url} answers HTTP {response.status_code}",
        "publish the file there (podcast-feed publish), or correct the base URL",
    )


def _failure(target: Target, exc: httpx.HTTPError) -> Problem:
    if isinstance(exc, httpx.TooManyRedirects):
        return _problem(
            target,
            "hosting-redirect-loop",
            f"{target.url} redirects more than {MAX_REDIRECTS} times",
            "point the URL at the file itself; apps give up after a few redirects",
        )
    if isinstance(exc, httpx.TimeoutException):
        return _problem(
            target,
            "hosting-timeout",
            f"{target.url} did not answer in time",
            "check the server; apps give up on slow hosts too",
        )
    reason = str(exc) or type(exc).__name__
    return _problem(
        target,
        "hosting-unreachable",
        f"{target.url} cannot be reached: {reason}",
        "check the URL's host name and that the server is up",
    )


def _main_type(response: httpx.Response) -> str:
    served: str = response.headers.get("Content-Type", "")
    return served.split(";", 1)[0].strip().lower()


def _problem(target: Target, code: str, message: str, fix: str) -> Problem:
    return error(code, target.source, target.field, message, fix, line=target.line)
