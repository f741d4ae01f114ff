"""The RSS document: the only module that knows feedgen and the feed's tags.

feedgen writes RSS 2.0 and most `itunes:` tags. Our own extension writes what feedgen gets
wrong or lacks: `itunes:explicit` as true/false (feedgen knows only yes/no/clean),
`itunes:image` for `.jpeg` URLs (feedgen drops or rejects them), `itunes:block`/`complete` as
Apple's `Yes`, dates through `email.utils` (never the clock), and the `podcast:` namespace.
"""

from __future__ import annotations

import email.utils
import html
import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .chapters import (
    chapters_path,
    description_timestamps,
    normal_play_time,
)
from .filetypes import JSON_CHAPTERS_TYPE
from .models import Episode, Show
from .notes import item_description
from .podcasting import Funding, License, Location, Person

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
GENERATOR = "podcast-feed"


def duration_seconds(duration: float) -> int:
    """`itunes:duration` in whole seconds, as Apple recommends; never 0 for real audio.

    >>> duration_seconds(61.5), duration_seconds(0.4)
    (62, 1)
    """
    return max(1, round(duration))


def rfc2822(when: datetime) -> str:
    """A date for `pubDate`, independent of the machine's locale.

    >>> from datetime import timezone
    >>> rfc2822(datetime(2025, 6, 3, 9, 0, tzinfo=timezone.utc))
    'Tue, 03 Jun 2025 09:00:00 +0000'
    """
    return email.utils.format_datetime(when)


_FOOTER = b"  </channel>\n</rss>\n"
_ITEM_START = re.compile(rb"^    <item>", re.MULTILINE)
_BATCH = 500
"""Items rendered at a time: feedgen holds a tree of the whole feed, ~5 times its size."""


def render_feed(show: Show, episodes: Sequence[Episode]) -> bytes:
    """The feed as UTF-8 bytes, with the episodes in the order given."""
    return b"".join(feed_pieces(show, episodes))


Known = TypeVar("Known")
"""What stands for an item block rendered earlier: its bytes, or where they are on disk."""


def feed_pieces(
    show: Show,
    episodes: Sequence[Episode],
    known: Sequence[Known | None] = (),
) -> list[bytes | Known]:
    """`render_feed` in pieces: the channel, then each `<item>` block, then the end.

    Items are rendered 500 at a time and cut out of each rendering, so a big catalogue never
    has its whole feed as an lxml tree; `known[i]` may give episode i's block as an earlier
    build wrote it (see memo.py), or as another process rendered it (`item_blocks`), which
    is then not rendered at all. If a rendering does not cut as expected, the whole feed is
    rendered at once instead.
    """
    shell = _render(show, episodes, [])
    header = shell[: -len(_FOOTER)]
    items: list[bytes | Known | None] = (
        list(known) if len(known) == len(episodes) else [None] * len(episodes)
    )
    missing = [index for index, item in enumerate(items) if item is None]
    blocks = _item_blocks(show, episodes, missing, header if shell.endswith(_FOOTER) else None)
    for index, block in zip(missing, blocks, strict=False):
        if block is None:
            return [_render(show, episodes, episodes)]
        items[index] = block
    return [header, *(item for item in items if item is not None), _FOOTER]


def item_blocks(show: Show, episodes: Sequence[Episode]) -> list[bytes] | None:
    """The `<item>` block of each of `episodes`, as `feed_pieces` renders it, cut from a
    rendering whose channel is theirs alone (an item depends on the show and its own episode
    only); None if a rendering did not cut as expected (`feed_pieces` then renders the feed
    whole)."""
    shell = _render(show, episodes, [])
    header = shell[: -len(_FOOTER)] if shell.endswith(_FOOTER) else None
    blocks = []
    for block in _item_blocks(show, episodes, range(len(episodes)), header):
        if block is None:
            return None
        blocks.append(block)
    return blocks


def _item_blocks(
    show: Show, episodes: Sequence[Episode], indices: Sequence[int], header: bytes | None
) -> Iterator[bytes | None]:
    """The item block of each of `episodes[i]`, rendered `_BATCH` at a time with the channel
    whose start is `header`; None (and nothing after it) once a rendering does not cut."""
    for start in range(0, len(indices), _BATCH):
        batch = indices[start : start + _BATCH]
        rendered = _render(show, episodes, [episodes[index] for index in batch])
        blocks = _items_of(rendered, header) if header is not None else None
        if blocks is None or len(blocks) != len(batch):
            yield None
            return
        yield from blocks


def _items_of(rendered: bytes, header: bytes) -> list[bytes] | None:
    """The `<item>` blocks of a rendering whose channel is `header`; None if it is not."""
    if not rendered.startswith(header) or not rendered.endswith(_FOOTER):
        return None
    region = rendered[len(header) : -len(_FOOTER)]
    starts = [match.start() for match in _ITEM_START.finditer(region)]
    if not starts or starts[0] != 0:
        return None if region else []
    return [region[a:b] for a, b in zip(starts, [*starts[1:], len(region)], strict=True)]


def _render(show: Show, episodes: Sequence[Episode], items: Sequence[Episode]) -> bytes:
    """feedgen's rendering of the channel of `episodes` (trailers, newest date) with `items`."""
    generator = FeedGenerator()
    generator.load_extension("podcast")
    generator.register_extension("podcast_feed", _ChannelTags, _ItemTags, atom=False, rss=True)

    generator.title(show.title)
    # feedgen's RSS <link> is whichever link was set last: the website must come last.
    generator.link(href=show.feed_url, rel="self", type="application/rss+xml")
    generator.link(href=show.link, rel="alternate")
    generator.description(show.description)
    generator.language(show.language)
    generator.generator(GENERATOR)
    if show.copyright:
        generator.copyright(show.copyright)
    artwork = show.image_url(show.image)
    generator.image(url=artwork, title=show.title, link=show.link)
    newest = max((episode.published for episode in episodes), default=None)

    itunes = generator.podcast
    itunes.itunes_author(show.author)
    itunes.itunes_owner(name=show.owner.name, email=show.owner.email)
    itunes.itunes_category(
        [
            {"cat": c.category, "sub": c.subcategory} if c.subcategory else {"cat": c.category}
            for c in show.categories
        ]
    )
    itunes.itunes_type(show.type)
    if show.new_feed_url:
        itunes.itunes_new_feed_url(show.new_feed_url)

    channel: _ChannelTags = generator.podcast_feed
    channel.show, channel.episodes, channel.last_build = show, episodes, newest

    for episode in items:
        _add_item(generator, show, episode)

    xml: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return xml


def _add_item(generator: FeedGenerator, show: Show, episode: Episode) -> None:
    meta = episode.meta
    media = episode.media
    assert media is not None, "render_feed takes probed episodes only"
    item = generator.add_entry(order="append")
    timestamps = description_timestamps(episode) if show.chapters_in_description else ""
    item.title(meta.title)
    item.guid(episode.guid, permalink=False)
    link = show.episode_link(episode)
    if link:
        item.link(href=link)
    description, _ = item_description(meta.summary, episode.notes_html, timestamps)
    item.description(etree.CDATA(description or html.escape(meta.title, quote=False)))
    if episode.notes_html:
        item.content(episode.notes_html, type="CDATA")
    item.enclosure(url=show.enclosure_url(episode), length=str(media.size), type=media.mime_type)

    itunes = item.podcast
    itunes.itunes_duration(duration_seconds(media.duration))
    itunes.itunes_episode_type(meta.type)
    if meta.episode is not None:
        itunes.itunes_episode(meta.episode)
    if meta.season is not None:
        itunes.itunes_season(meta.season)

    tags: _ItemTags = item.podcast_feed
    tags.show, tags.episode = show, episode


def _sub(parent: Any, tag: str, text: str | None = None, **attributes: str | None) -> Any:
    """A child element; attributes without a value (None or "") are left out."""
    element = etree.SubElement(
        parent, tag, {name: value for name, value in attributes.items() if value}
    )
    if text is not None:
        element.text = text
    return element


def _number(value: int | None) -> str | None:
    return None if value is None else str(value)


def _true_false(value: bool) -> str:
    return "true" if value else "false"


def _persons(parent: Any, persons: Sequence[Person]) -> None:
    for person in persons:
        _sub(
            parent,
            f"{{{PODCAST_NS}}}person",
            person.name,
            role=person.role.lower(),
            group=person.group.lower(),
            img=person.img,
            href=person.href,
        )


def _funding(parent: Any, funding: Sequence[Funding]) -> None:
    for entry in funding:
        _sub(parent, f"{{{PODCAST_NS}}}funding", entry.text, url=entry.url)


def _location(parent: Any, location: Location | None) -> None:
    if location is not None:
        _sub(
            parent,
            f"{{{PODCAST_NS}}}location",
            location.name,
            rel=location.rel,
            geo=location.geo,
            osm=location.osm,
            country=location.country,
        )


def _license(parent: Any, license_: License | None) -> None:
    if license_ is not None:
        _sub(parent, f"{{{PODCAST_NS}}}license", license_.identifier, url=license_.url)


class _ChannelTags(BaseExtension):  # type: ignore[misc]
    """Channel tags feedgen writes wrongly or not at all."""

    show: Show
    episodes: Sequence[Episode]
    last_build: datetime | None

    def extend_ns(self) -> dict[str, str]:
        namespaces = {"itunes": ITUNES_NS, "podcast": PODCAST_NS}
        if self.show.psc_chapters:
            namespaces["psc"] = PSC_NS
        return namespaces

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        show = self.show
        last_build = channel.find("lastBuildDate")
        if self.last_build is None:
            channel.remove(last_build)
        else:
            last_build.text = rfc2822(self.last_build)
        artwork = show.image_url(show.image)
        _sub(channel, f"{{{ITUNES_NS}}}image", href=artwork)
        _sub(channel, f"{{{ITUNES_NS}}}explicit", _true_false(show.explicit))
        if show.block:
            _sub(channel, f"{{{ITUNES_NS}}}block", "Yes")
        if show.complete:
            _sub(channel, f"{{{ITUNES_NS}}}complete", "Yes")
        _sub(channel, f"{{{PODCAST_NS}}}guid", str(show.guid))
        _sub(
            channel,
            f"{{{PODCAST_NS}}}locked",
            "yes" if show.locked else "no",
            owner=show.owner.email,
        )
        _sub(channel, f"{{{PODCAST_NS}}}image", href=artwork)
        if show.medium:
            _sub(channel, f"{{{PODCAST_NS}}}medium", show.medium)
        _funding(channel, show.funding)
        _persons(channel, show.persons)
        _location(channel, show.location)
        _license(channel, show.license)
        for txt in show.txt:
            _sub(channel, f"{{{PODCAST_NS}}}txt", txt.value, purpose=txt.purpose)
        if show.update_frequency:
            frequency = show.update_frequency
            _sub(
                channel,
                f"{{{PODCAST_NS}}}updateFrequency",
                frequency.text,
                rrule=frequency.rrule,
                complete="true" if frequency.complete else None,
                dtstart=frequency.dtstart.isoformat() if frequency.dtstart else None,
            )
        if show.podroll:
            podroll = _sub(channel, f"{{{PODCAST_NS}}}podroll")
            for remote in show.podroll:
                _sub(
                    podroll,
                    f"{{{PODCAST_NS}}}remoteItem",
                    feedGuid=str(remote.feed_guid),
                    feedUrl=remote.feed_url,
                    title=remote.title,
                )
        for trailer in self.episodes:
            if trailer.episode_type == "trailer" and trailer.media is not None:
                _sub(
                    channel,
                    f"{{{PODCAST_NS}}}trailer",
                    trailer.meta.title,
                    pubdate=rfc2822(trailer.published),
                    url=show.enclosure_url(trailer),
                    length=str(trailer.media.size),
                    type=trailer.media.mime_type,
                    season=_number(trailer.meta.season),
                )
        return feed


class _ItemTags(BaseEntryExtension):  # type: ignore[misc]
    """Item tags feedgen writes wrongly or not at all."""

    show: Show
    episode: Episode

    def extend_rss(self, item: Any) -> Any:
        show, episode = self.show, self.episode
        meta = episode.meta
        _sub(item, "pubDate", rfc2822(episode.published))
        explicit = show.explicit if meta.explicit is None else meta.explicit
        _sub(item, f"{{{ITUNES_NS}}}explicit", _true_false(explicit))
        if meta.block:  # Apple's value, as the channel's: "Yes" hides it, no other does
            _sub(item, f"{{{ITUNES_NS}}}block", "Yes")
        if meta.image:
            _sub(item, f"{{{ITUNES_NS}}}image", href=show.image_url(meta.image))
        if meta.season is not None:
            _sub(item, f"{{{PODCAST_NS}}}season", str(meta.season), name=meta.season_name)
        if meta.episode is not None:
            _sub(item, f"{{{PODCAST_NS}}}episode", str(meta.episode), display=meta.episode_display)
        for transcript in episode.transcripts:
            _sub(
                item,
                f"{{{PODCAST_NS}}}transcript",
                url=show.media_url(transcript.file),
                type=transcript.mime_type,
                language=transcript.language or show.language,
                rel="captions" if transcript.timed else None,
            )
        if episode.chapters:
            _sub(
                item,
                f"{{{PODCAST_NS}}}chapters",
                url=show.published_url(chapters_path(episode)),
                type=JSON_CHAPTERS_TYPE,
            )
            if show.psc_chapters:
                psc = _sub(item, f"{{{PSC_NS}}}chapters", version="1.2")
                for chapter in episode.chapters:
                    _sub(
                        psc,
                        f"{{{PSC_NS}}}chapter",
                        start=normal_play_time(chapter.start),
                        title=chapter.title,
                        href=chapter.url,
                        image=show.image_url(chapter.image) if chapter.image else None,
                    )
        for soundbite in meta.soundbites:
            _sub(
                item,
                f"{{{PODCAST_NS}}}soundbite",
                soundbite.title,
                startTime=f"{soundbite.start:g}",
                duration=f"{soundbite.duration:g}",
            )
        if meta.persons is not None:
            _persons(item, meta.persons)
        _funding(item, meta.funding)
        _location(item, meta.location)
        _license(item, meta.license)
        for alternate, media in episode.alternates:
            enclosure = _sub(
                item,
                f"{{{PODCAST_NS}}}alternateEnclosure",
                type=media.mime_type,
                length=str(media.size),
                bitrate=_number(media.bitrate or None),
                title=alternate.title,
                default="true" if alternate.default else None,
            )
            _sub(enclosure, f"{{{PODCAST_NS}}}source", uri=show.media_url(alternate.audio))
        return item
