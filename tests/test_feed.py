"""The sample show's feed, read back the way podcast apps read it."""

from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, cast

import feedparser
import podcastparser
import pytest
from lxml import etree
from mutagen import File as MutagenFile

from podcast_feed import build

from .conftest import REPO, MakeProject, episode, show

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
SAMPLE_EPISODES = {
    "6864d39f-014e-4cbc-92bd-30f9973ac9be": (
        "What is Product Ops?",
        "what-is-product-ops.mp3",
        "audio/mpeg",
    ),
    "54e5fb5c-dae6-41a4-b45a-4d34c3c9e8f9": ("Meet Teresa and Petra", "trailer.m4a", "audio/x-m4a"),
}


@pytest.fixture(scope="module")
def sample_feed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    root = tmp_path_factory.mktemp("sample")
    for name in ("podcast.yaml", "episodes", "media"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    result = build(root, root / "public")
    assert result.problems == []
    return result.feed_path.read_bytes()


def markdown_links(path: Path) -> set[str]:
    return set(re.findall(r"\]\((https?://[^)\s]+)\)", path.read_text()))


def test_podcastparser_reads_both_episodes_completely(sample_feed: bytes) -> None:
    parsed = podcastparser.parse(
        "https://allthingsproduct.example.com/feed.xml", io.BytesIO(sample_feed)
    )
    assert parsed["title"] == "All Things Product"
    assert parsed["cover_url"] == "https://allthingsproduct.example.com/media/cover.jpg"
    assert parsed["type"] == "episodic"
    assert {e["guid"] for e in parsed["episodes"]} == set(SAMPLE_EPISODES)
    for item in parsed["episodes"]:
        title, audio, mime = SAMPLE_EPISODES[item["guid"]]
        assert item["title"] == title
        [enclosure] = item["enclosures"]
        assert enclosure["url"] == f"https://allthingsproduct.example.com/media/{audio}"
        assert enclosure["file_size"] == (REPO / "media" / audio).stat().st_size
        assert enclosure["mime_type"] == mime
        real_length = MutagenFile(REPO / "media" / audio).info.length
        assert abs(item["total_time"] - real_length) <= 1
    # newest first
    assert [e["title"] for e in parsed["episodes"]] == [
        "What is Product Ops?",
        "Meet Teresa and Petra",
    ]


def test_feedparser_reads_the_feed_without_complaint(sample_feed: bytes) -> None:
    parsed = feedparser.parse(sample_feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "All Things Product"
    assert parsed.feed.language == "en"
    assert parsed.feed.author_detail.email == "podcast@allthingsproduct.example.com"
    assert [tag.term for tag in parsed.feed.tags] == ["Business", "Management", "Technology"]
    for entry in parsed.entries:
        title, audio, mime = SAMPLE_EPISODES[entry.id]
        assert entry.title == title
        [enclosure] = entry.enclosures
        assert enclosure.href.endswith("/" + audio)
        assert int(enclosure.length) == (REPO / "media" / audio).stat().st_size
        assert enclosure.type == mime


def test_every_show_notes_link_survives_as_a_link(sample_feed: bytes) -> None:
    parsed = feedparser.parse(sample_feed)
    for path in sorted((REPO / "episodes").glob("*.md")):
        links = markdown_links(path)
        assert links, f"{path.name} should have links"
        guid = re.search(r"^guid: (\S+)$", path.read_text(), re.MULTILINE)
        assert guid
        [entry] = [e for e in parsed.entries if e.id == guid[1]]
        html = entry.content[0].value
        hrefs = set(re.findall(r'<a href="([^"]+)"', html))
        assert links <= hrefs


def test_exact_tags(sample_feed: bytes) -> None:
    tree = etree.fromstring(sample_feed)
    channel = tree.find("channel")
    assert channel is not None

    def one(path: str, node: etree._Element = channel) -> str:
        found = cast(list[Any], node.xpath(path, namespaces=NS))
        assert len(found) == 1, (path, found)
        return str(found[0])

    assert one("itunes:explicit/text()") == "false"
    assert one("atom:link[@rel='self']/@href") == "https://allthingsproduct.example.com/feed.xml"
    assert one("link/text()") == "https://allthingsproduct.example.com/"
    assert one("podcast:guid/text()") == "6ad69bb4-a40c-5346-8a70-b2d958b5632d"
    assert one("podcast:locked/text()") == "no"
    assert one("podcast:locked/@owner") == "podcast@allthingsproduct.example.com"
    assert one("itunes:image/@href") == "https://allthingsproduct.example.com/media/cover.jpg"
    assert one("itunes:owner/itunes:email/text()") == "podcast@allthingsproduct.example.com"
    assert one("itunes:author/text()") == "Teresa Torres & Petra Wille"
    assert one("itunes:category[1]/@text") == "Business"
    assert one("itunes:category/itunes:category/@text") == "Management"
    assert one("lastBuildDate/text()") == "Tue, 03 Jun 2025 09:00:00 +0200"
    items = channel.findall("item")
    assert len(items) == 2
    first, trailer = items
    assert one("guid/@isPermaLink", first) == "false"
    assert one("itunes:duration/text()", first) == "31"
    assert one("itunes:episode/text()", first) == "1"
    assert one("itunes:season/text()", first) == "1"
    assert one("itunes:episodeType/text()", first) == "full"
    assert one("itunes:explicit/text()", first) == "false"
    assert one("pubDate/text()", first) == "Tue, 03 Jun 2025 09:00:00 +0200"
    assert one("itunes:episodeType/text()", trailer) == "trailer"
    assert trailer.xpath("itunes:episode", namespaces=NS) == []
    description = one("description/text()", first)
    assert len(description.encode()) <= 4000
    assert '<a href="https://ProductTalk.org">' in one("content:encoded/text()", first)


def test_pubdates_round_trip_through_rfc2822(sample_feed: bytes) -> None:
    tree = etree.fromstring(sample_feed)
    texts = cast(list[str], tree.xpath("//item/pubDate/text()"))
    dates = [parsedate_to_datetime(text) for text in texts]
    assert [d.astimezone(UTC) for d in dates] == [
        datetime(2025, 6, 3, 7, tzinfo=UTC),
        datetime(2025, 5, 20, 6, tzinfo=UTC),
    ]


def test_explicit_follows_show_unless_episode_overrides(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(explicit=True),
            "episodes/002-clean.md": episode(
                guid="g2", audio="vbr.mp3", explicit=False, date="2025-01-07"
            ),
        }
    )
    feed = etree.fromstring(build(root, root / "public").feed_path.read_bytes())
    assert feed.xpath("channel/itunes:explicit/text()", namespaces=NS) == ["true"]
    assert feed.xpath("//item/itunes:explicit/text()", namespaces=NS) == ["false", "true"]


def test_an_episode_kept_out_of_apple_podcasts_only_is_blocked_there(
    make_project: MakeProject,
) -> None:
    """Apple's item-level `itunes:block` ("Yes" hides that episode in Apple Podcasts): other
    apps, which read no such tag, keep it, and so do the website and publish."""
    root = make_project(
        {"episodes/002-apple-less.md": episode(guid="g2", audio="vbr.mp3", block=True)}
    )
    data = build(root, root / "public").feed_path.read_bytes()
    feed = etree.fromstring(data)
    blocked = feed.xpath("//item[itunes:block]/guid/text()", namespaces=NS)
    assert (blocked, feed.xpath("//item/itunes:block/text()", namespaces=NS)) == (["g2"], ["Yes"])
    assert feed.xpath("channel/itunes:block", namespaces=NS) == []
    parsed = feedparser.parse(data)
    assert {e.id: e.get("itunes_block") for e in parsed.entries} == {"g2": 1, "test-guid-1": None}
    assert (root / "public" / "episodes" / "002-apple-less" / "index.html").exists()


def test_serial_show_lists_oldest_first_by_episode_number(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(type="serial"),
            "episodes/001-episode.md": episode(episode=2, date="2025-01-01"),
            "episodes/002.md": episode(guid="g2", audio="vbr.mp3", episode=1, date="2025-01-02"),
            "episodes/003.md": episode(guid="g3", audio="tone.m4a", episode=3, date="2024-12-01"),
        }
    )
    # podcastparser re-sorts by date, so the feed's own order is read with lxml
    tree = etree.fromstring(build(root, root / "public").feed_path.read_bytes())
    assert tree.xpath("//item/guid/text()") == ["g2", "test-guid-1", "g3"]
    assert tree.xpath("channel/itunes:type/text()", namespaces=NS) == ["serial"]


def test_episodic_show_lists_newest_first(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/002.md": episode(guid="g2", audio="vbr.mp3", date="2025-03-01"),
            "episodes/003.md": episode(guid="g3", audio="tone.m4a", date="2025-02-01"),
        }
    )
    tree = etree.fromstring(build(root, root / "public").feed_path.read_bytes())
    assert tree.xpath("//item/guid/text()") == ["g2", "g3", "test-guid-1"]


def test_enclosure_url_is_percent_encoded(make_project: MakeProject) -> None:
    root = make_project()
    shutil.copy(root / "media" / "cbr.mp3", root / "media" / "Folge 1 – Café.mp3")
    (root / "episodes" / "001-episode.md").write_text(episode(audio="Folge 1 – Café.mp3"))
    result = build(root, root / "public")
    assert [p.code for p in result.problems] == ["media-file-name"]
    tree = etree.fromstring(result.feed_path.read_bytes())
    assert tree.xpath("//enclosure/@url") == [
        "https://show.example.com/media/Folge%201%20%E2%80%93%20Caf%C3%A9.mp3"
    ]


def test_render_feed_writes_no_clock_time(make_project: MakeProject) -> None:
    root = make_project()
    validation_feed = build(root, root / "public").feed_path.read_bytes()
    today = datetime.now(UTC).strftime("%d %b %Y")
    assert today.encode() not in validation_feed
