"""The RSS document: the only module that knows feedgen and the feed's tags.

feedgen writes RSS 2.0 and most `itunes:` tags. Our own extension writes what feedgen gets
wrong or lacks: `itunes:explicit` as true/false (feedgen knows only yes/no/clean),
`itunes:image` for `.jpeg` URLs (feedgen drops or rejects them), `itunes:block`/`complete` as
Apple's `Yes`, dates through `email.utils` (never the clock), and the `podcast:` namespace.
"""

from __future__ import annotations

import email.utils
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .episodes import show_guid
from .models import Episode, Show
from .notes import fit_description

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
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


def render_feed(show: Show, episodes: Sequence[Episode]) -> bytes:
    """The feed as UTF-8 bytes, with the episodes in the order given."""
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
    if newest is not None:
        generator.lastBuildDate(newest)

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
    channel.tags = _Channel(
        explicit=show.explicit,
        image=artwork,
        block=show.block,
        complete=show.complete,
        podcast_guid=str(show_guid(show)),
        locked=show.locked,
        owner_email=show.owner.email,
        last_build=newest,
    )

    for episode in episodes:
        _add_item(generator, show, episode)

    xml: bytes = generator.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return xml


def _add_item(generator: FeedGenerator, show: Show, episode: Episode) -> None:
    meta = episode.meta
    media = episode.media
    assert media is not None, "render_feed takes probed episodes only"
    item = generator.add_entry(order="append")
    item.title(meta.title)
    item.guid(episode.guid, permalink=False)
    if meta.link:
        item.link(href=meta.link)
    description = (
        html.escape(meta.summary, quote=False)
        if meta.summary
        else fit_description(episode.notes_html)
    )
    item.description(etree.CDATA(description or html.escape(meta.title, quote=False)))
    if episode.notes_html:
        item.content(episode.notes_html, type="CDATA")
    item.enclosure(url=show.media_url(meta.audio), length=str(media.size), type=media.mime_type)

    itunes = item.podcast
    itunes.itunes_duration(duration_seconds(media.duration))
    itunes.itunes_episode_type(meta.type)
    if meta.episode is not None:
        itunes.itunes_episode(meta.episode)
    if meta.season is not None:
        itunes.itunes_season(meta.season)

    tags: _ItemTags = item.podcast_feed
    tags.tags = _Item(
        published=episode.published,
        explicit=show.explicit if meta.explicit is None else meta.explicit,
        image=show.image_url(meta.image) if meta.image else None,
    )


def _sub(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _true_false(value: bool) -> str:
    return "true" if value else "false"


@dataclass
class _Channel:
    explicit: bool
    image: str
    block: bool
    complete: bool
    podcast_guid: str
    locked: bool
    owner_email: str
    last_build: datetime | None


@dataclass
class _Item:
    published: datetime
    explicit: bool
    image: str | None = None


class _ChannelTags(BaseExtension):  # type: ignore[misc]
    """Channel tags feedgen writes wrongly or not at all."""

    tags: _Channel

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS, "podcast": PODCAST_NS}

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        tags = self.tags
        last_build = channel.find("lastBuildDate")
        if tags.last_build is None:
            channel.remove(last_build)
        else:
            last_build.text = rfc2822(tags.last_build)
        _sub(channel, f"{{{ITUNES_NS}}}image", href=tags.image)
        _sub(channel, f"{{{ITUNES_NS}}}explicit", _true_false(tags.explicit))
        if tags.block:
            _sub(channel, f"{{{ITUNES_NS}}}block", "Yes")
        if tags.complete:
            _sub(channel, f"{{{ITUNES_NS}}}complete", "Yes")
        _sub(channel, f"{{{PODCAST_NS}}}guid", tags.podcast_guid)
        _sub(
            channel,
            f"{{{PODCAST_NS}}}locked",
            "yes" if tags.locked else "no",
            owner=tags.owner_email,
        )
        return feed


class _ItemTags(BaseEntryExtension):  # type: ignore[misc]
    """Item tags feedgen writes wrongly or not at all."""

    tags: _Item

    def extend_rss(self, item: Any) -> Any:
        tags = self.tags
        _sub(item, "pubDate", rfc2822(tags.published))
        _sub(item, f"{{{ITUNES_NS}}}explicit", _true_false(tags.explicit))
        if tags.image:
            _sub(item, f"{{{ITUNES_NS}}}image", href=tags.image)
        return item
