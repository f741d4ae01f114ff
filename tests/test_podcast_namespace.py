"""Chapters, transcripts and the Podcasting 2.0 tags, read back from real builds."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, cast

import podcastparser
import pytest
import yaml
from lxml import etree

from podcast_feed import build, validate

from .conftest import MakeProject, episode, show

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",
}
VTT = """WEBVTT

00:00:00.000 --> 00:00:01.500
<v Ada Lovelace>Hello and welcome.

00:00:01.500 --> 00:00:02.900
<v Grace Hopper>Thanks for having me.
"""
SRT = """1
00:00:00,000 --> 00:00:01,000
Hello.

2
00:00:01,000 --> 00:00:02,500
Goodbye.
"""
THREE_CHAPTERS = [
    {"start": 0, "title": "Opening"},
    {"start": "00:00:01.250", "title": "Middle & more", "url": "https://example.com/m"},
    {"start": 2, "title": "End", "image": "cover.jpg"},
]


def built(root: Path) -> tuple[etree._Element, Any]:
    result = build(root, root / "public")
    return etree.fromstring(result.feed_path.read_bytes()), result


def xpath(node: etree._Element, path: str) -> list[Any]:
    return cast(list[Any], node.xpath(path, namespaces=NS))


def codes(root: Path) -> list[str]:
    return [problem.code for problem in validate(root).problems]


def messages(root: Path) -> list[str]:
    return [str(problem) for problem in validate(root).problems]


def test_front_matter_chapters_in_every_format(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(chapters_in_description=True),
            "episodes/001-episode.md": episode(chapters=THREE_CHAPTERS),
        }
    )
    feed, result = built(root)
    [item] = xpath(feed, "//item")
    assert xpath(item, "podcast:chapters/@url") == [
        "https://show.example.com/chapters/001-episode.json"
    ]
    assert xpath(item, "podcast:chapters/@type") == ["application/json+chapters"]
    chapters = json.loads((result.feed_path.parent / "chapters" / "001-episode.json").read_text())
    assert chapters == {
        "version": "1.2.0",
        "podcastName": "Test Show",
        "title": "An Episode",
        "chapters": [
            {"startTime": 0.0, "title": "Opening"},
            {"startTime": 1.25, "title": "Middle & more", "url": "https://example.com/m"},
            {"startTime": 2.0, "title": "End", "img": "https://show.example.com/media/cover.jpg"},
        ],
    }
    assert xpath(item, "psc:chapters/@version") == ["1.2"]
    assert xpath(item, "psc:chapters/psc:chapter/@start") == [
        "00:00:00.000",
        "00:00:01.250",
        "00:00:02.000",
    ]
    description = xpath(item, "description/text()")[0]
    assert description.endswith(
        "<p>00:00 Opening</p>\n<p>00:01 Middle &amp; more</p>\n<p>00:02 End</p>"
    )
    # gPodder reads the Podlove chapters
    parsed = podcastparser.parse("x", io.BytesIO(result.feed_path.read_bytes()))
    assert [(c["start"], c["title"]) for c in parsed["episodes"][0]["chapters"]] == [
        (0, "Opening"),
        (1, "Middle & more"),  # gPodder keeps whole seconds
        (2, "End"),
    ]


def test_no_description_timestamps_unless_asked_or_too_few(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(chapters=THREE_CHAPTERS)})
    feed, _ = built(root)
    assert "00:00 Opening" not in xpath(feed, "//item/description/text()")[0]
    # asked for, but two chapters are too few for Spotify
    (root / "podcast.yaml").write_text(yaml.safe_dump(show(chapters_in_description=True)))
    (root / "episodes" / "001-episode.md").write_text(episode(chapters=THREE_CHAPTERS[:2]))
    feed, _ = built(root)
    assert "00:00 Opening" not in xpath(feed, "//item/description/text()")[0]


@pytest.mark.parametrize("summary", [None, "A summary of the episode."], ids=["notes", "summary"])
def test_timestamps_too_long_for_the_description_are_left_out_of_it_with_a_warning(
    make_project: MakeProject, summary: str | None
) -> None:
    """Apple takes 4,000 bytes of description: a hundred long chapter titles do not fit."""
    title = " ".join(["a long title"] * 6)
    chapters = [
        {"start": round(index * 0.015, 3), "title": f"Chapter {index}, {title}"}
        for index in range(100)
    ]
    root = make_project(
        {
            "podcast.yaml": show(chapters_in_description=True),
            "episodes/001-episode.md": episode(chapters=chapters, summary=summary),
        }
    )
    assert codes(root) == ["chapters-not-in-description"]
    feed, result = built(root)
    description = xpath(feed, "//item/description/text()")[0]
    assert len(description.encode()) <= 4000
    assert "00:00 Chapter 0" not in description
    assert description.startswith(summary or "<p>Show notes with a")
    parsed = podcastparser.parse("x", io.BytesIO(result.feed_path.read_bytes()))
    assert len(parsed["episodes"][0]["chapters"]) == 100  # psc:chapters still has them all


@pytest.mark.parametrize("audio", ["chapters.mp3", "chapters.m4a"])
def test_chapters_embedded_in_the_audio_are_used(make_project: MakeProject, audio: str) -> None:
    root = make_project({"episodes/001-episode.md": episode(audio=audio)})
    feed, _ = built(root)
    chapters = xpath(feed, "//psc:chapter")
    assert [(c.get("start"), c.get("title")) for c in chapters] == [
        ("00:00:00.000", "Opening"),
        ("00:00:01.000", "The middle"),
        ("00:00:02.000", "Closing"),
    ]


def test_front_matter_chapters_win_over_embedded_ones(make_project: MakeProject) -> None:
    root = make_project(
        {"episodes/001-episode.md": episode(audio="chapters.mp3", chapters=THREE_CHAPTERS[:1])}
    )
    feed, _ = built(root)
    assert xpath(feed, "//psc:chapter/@title") == ["Opening"]


def test_stale_chapter_files_are_removed(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(chapters=THREE_CHAPTERS)})
    built(root)
    assert (root / "public" / "chapters" / "001-episode.json").exists()
    (root / "episodes" / "001-episode.md").write_text(episode())
    built(root)
    assert list((root / "public" / "chapters").iterdir()) == []


def test_many_chapters_after_the_end_are_named_three_and_counted(make_project: MakeProject) -> None:
    late = [{"start": 0, "title": "Opening"}]
    late += [{"start": 60 + index, "title": f"Late {index}"} for index in range(40)]
    root = make_project({"episodes/001-episode.md": episode(chapters=late)})
    assert messages(root) == [
        "episodes/001-episode.md:9: error: chapters.1.start: chapters 'Late 0' (0:01:00), "
        "'Late 1' (0:01:01), 'Late 2' (0:01:02) and 37 more start after the audio ends "
        "(0:00:03) (correct the start times)"
    ]


def test_chapter_checks(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/001-episode.md": episode(
                chapters=[
                    {"start": 2, "title": "B"},
                    {"start": 1, "title": "A"},
                    {"start": 1, "title": "A again"},
                    {"start": 60, "title": "Too late"},
                ]
            )
        }
    )
    assert messages(root) == [  # each at the line of the chapter it is about
        "episodes/001-episode.md:9: error: chapters.1.start: chapters are not in order of their "
        "start times: 'A' (0:00:01) is listed after 'B' (0:00:02) (list them from the earliest "
        "to the latest)",
        "episodes/001-episode.md:9: warning: chapters.1.start: the first chapter starts at "
        "0:00:01, not 0:00 (add a chapter at 0 (Spotify ignores chapters that do not start "
        "there))",
        "episodes/001-episode.md:11: error: chapters.2.start: several chapters start at 0:00:01 "
        "(give each chapter its own start time)",
        "episodes/001-episode.md:13: error: chapters.3.start: chapter 'Too late' (0:01:00) "
        "starts after the audio ends (0:00:03) (correct the start times)",
    ]  # the earliest, not the first listed


def test_a_chapter_with_a_bad_key_leaves_the_others_checked_in_the_same_run(
    make_project: MakeProject,
) -> None:
    """Before, one chapter's misspelt key left the whole list out, and the chapter after the
    end was reported only once that was fixed; an alternate enclosure and a soundbite are
    reported at their own lines too."""
    chapters = [
        {"start": 0, "title": "Start"},
        {"start": 1, "titel": "Misspelt"},
        {"start": 60, "title": "Too late"},
    ]
    root = make_project(
        {
            "episodes/001-episode.md": episode(
                chapters=chapters,
                soundbites=[{"start": 1, "duration": 1}],
                alternate_enclosures=[{"audio": "cbr.mp3"}, {"audio": "gone.mp3"}],
            )
        }
    )
    assert messages(root) == [
        "episodes/001-episode.md:10: error: chapters.1.titel: unknown key 'titel' (did you mean "
        "'title'?)",
        "episodes/001-episode.md:11: error: chapters.2.start: chapter 'Too late' (0:01:00) "
        "starts after the audio ends (0:00:03) (correct the start times)",
        "episodes/001-episode.md:15: warning: soundbites.0.duration: the soundbite at 0:00:01 "
        "lasts 1 s (apps expect 15 to 120 seconds)",
        "episodes/001-episode.md:18: error: alternate_enclosures.1.audio: 'gone.mp3' is not in "
        "media/ (did you mean 'tone.m4a'?)",
    ]


def test_chapters_out_of_order_with_one_at_zero_are_only_out_of_order(
    make_project: MakeProject,
) -> None:
    chapters = [{"start": 2, "title": "Later"}, {"start": 0, "title": "Start"}]
    root = make_project({"episodes/001-episode.md": episode(chapters=chapters)})
    assert messages(root) == [
        "episodes/001-episode.md:9: error: chapters.1.start: chapters are not in order of "
        "their start times: 'Start' (0:00:00) is listed after 'Later' (0:00:02) (list them from "
        "the earliest to the latest)",
    ]


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("1:2:3:4", "expected a time, got '1:2:3:4'"),
        (-1, "expected a time, got the number -1"),
        (True, "expected a time, got the boolean True"),
    ],
)
def test_bad_chapter_times(make_project: MakeProject, start: object, message: str) -> None:
    root = make_project(
        {"episodes/001-episode.md": episode(chapters=[{"start": start, "title": "x"}])}
    )
    [problem] = messages(root)
    assert f"error: chapters.0.start: {message}" in problem


def test_sidecar_vtt_transcript_with_speakers(make_project: MakeProject) -> None:
    root = make_project({"media/cbr.vtt": VTT})
    feed, _ = built(root)
    assert [dict(t.attrib) for t in xpath(feed, "//item/podcast:transcript")] == [
        {
            "url": "https://show.example.com/media/cbr.vtt",
            "type": "text/vtt",
            "language": "en",
            "rel": "captions",
        }
    ]
    [loaded] = validate(root).episodes
    assert loaded.transcripts[0].speakers == ("Ada Lovelace", "Grace Hopper")


def test_front_matter_transcripts_srt_and_text(make_project: MakeProject) -> None:
    root = make_project(
        {
            "media/notes/ep1.srt": SRT,
            "media/ep1.txt": "Hello. Goodbye.",
            "episodes/001-episode.md": episode(
                transcripts=[{"file": "notes/ep1.srt", "language": "de"}, {"file": "ep1.txt"}]
            ),
        }
    )
    feed, _ = built(root)
    assert [dict(t.attrib) for t in xpath(feed, "//podcast:transcript")] == [
        {
            "url": "https://show.example.com/media/notes/ep1.srt",
            "type": "application/x-subrip",
            "language": "de",
            "rel": "captions",
        },
        {"url": "https://show.example.com/media/ep1.txt", "type": "text/plain", "language": "en"},
    ]


def test_json_transcript_is_read_shown_and_checked(make_project: MakeProject) -> None:
    """Podcasting 2.0's JSON transcript: its segments are the page's transcript, and a file of
    another shape, or timed past the audio, is an error as for VTT."""
    segments = [
        {"speaker": "Ada Lovelace", "startTime": 0, "endTime": 1.5, "body": "Hello there."},
        {"speaker": "Grace Hopper", "startTime": 1.5, "endTime": 2.5, "body": "Hi <Ada> & co."},
    ]
    root = make_project(
        {
            "media/cbr.json": json.dumps({"version": "1.0.0", "segments": segments}),
            "episodes/002.md": episode(title="Episode 2", guid="g2", audio="vbr.mp3"),
            "media/vbr.json": json.dumps({"version": "1.0.0", "segments": {"0": "Hello"}}),
            "episodes/003.md": episode(title="Episode 3", guid="g3", audio="chapters.mp3"),
            "media/chapters.json": '{"segments": [{"startTime": 0, "endTime": 1, "body": "x"},]}',
            "episodes/004.md": episode(title="Episode 4", guid="g4", audio="tone.m4a"),
            "media/tone.json": json.dumps(
                {"segments": [{"startTime": 0, "endTime": 9, "body": "Far too long"}]}
            ),
        }
    )
    assert messages(root) == [
        "episodes/002.md:4: error: transcripts: 'vbr.json' is not a valid JSON file: it has no "
        '"segments" list (check it against Podcasting 2.0\'s JSON transcript format)',
        "episodes/003.md:4: error: transcripts: 'chapters.json' is not a valid JSON file: not "
        "JSON: Expecting value: line 1 column 59 (char 58) (check it against Podcasting 2.0's "
        "JSON transcript format)",
        "episodes/004.md:4: error: transcripts: 'tone.json' runs to 9.0 s (segment 1) but the "
        "audio lasts 3.0 s (is it the transcript of another episode?)",
    ]
    for name in ["002.md", "003.md", "004.md"]:
        (root / "episodes" / name).unlink()
    feed, _ = built(root)
    assert [dict(t.attrib) for t in xpath(feed, "//item/podcast:transcript")] == [
        {
            "url": "https://show.example.com/media/cbr.json",
            "type": "application/json",
            "language": "en",
            "rel": "captions",
        }
    ]
    page = (root / "public" / "episodes" / "001-episode" / "index.html").read_text()
    assert "<strong>Grace Hopper</strong>" in page
    assert "Hi &lt;Ada&gt; &amp; co." in page


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "cbr.vtt",
            b"1\n00:00:01,000 --> 00:00:02,000\nOne\n",
            "is not a valid VTT file: it is an SRT file (no WEBVTT line, commas in its times) "
            "(rename it .srt and its name under transcripts:, if the episode lists it)",
        ),
        (
            "cbr.vtt",
            b"WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nOne\n",
            "is not a valid VTT file: the cue '00:00:01,000 --> 00:00:02,000' cannot be read: "
            "VTT's times have a full stop before the milliseconds (00:00:01.000), where SRT's "
            "have a comma (replace the commas in its times with full stops)",
        ),
        (
            "cbr.vtt",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nÉté\n".encode("utf-16"),
            "is not a valid VTT file: it is not UTF-8 (UTF-16 text) (save it as UTF-8, the "
            "encoding apps read)",
        ),
        (
            "cbr.srt",
            "1\n00:00:01,000 --> 00:00:02,000\nÉté\n".encode("latin-1"),
            "is not a valid SRT file: it is not UTF-8 (byte 0xc9 at offset 32) (save it as "
            "UTF-8, the encoding apps read)",
        ),
        (
            "cbr.vtt",
            b"WEBVTT\n\n00:00.000 --> 00:01.000\nOne\n\n00:01.000 -> 00:02.000\nTwo\n",
            "is not a valid VTT file: line 6 ('00:01.000 -> 00:02.000 / Two') is not a cue: it "
            "has no '-->' between a start and an end time, so browsers and apps drop its text "
            "(write its times as START --> END (00:01:02.000 --> 00:01:05.000) or, if the line "
            "belongs to the cue above, remove the blank line before it)",
        ),
        (
            "cbr.srt",
            b"1\r\n00:00:00,000 --> 00:00:01,000\r\nOne\r\n\r\nmore of one\r\n\r\n"
            b"2\r\n00:00:01,000 --> 00:00:02,000\r\nTwo\r\n",
            "is not a valid SRT file: line 5 ('more of one') is not a cue: it has no '-->' "
            "between a start and an end time, so apps read it as more text of the cue before, "
            "times and all (write its times as START --> END (00:01:02,000 --> 00:01:05,000) "
            "or, if the line belongs to the cue above, remove the blank line before it)",
        ),
        (
            "cbr.vtt",
            b"WEBVTT\n\nNOTE only a note\n",
            "has no cues: apps would offer a transcript that shows nothing (fill it in, or "
            "delete it and any line naming it under transcripts:)",
        ),
        (
            "cbr.json",
            b'{"version": "1.0.0", "segments": []}',
            "has no cues: apps would offer a transcript that shows nothing (fill it in, or "
            "delete it and any line naming it under transcripts:)",
        ),
    ],
)
def test_a_transcript_apps_would_misread_is_told_what_is_wrong_with_it(
    make_project: MakeProject, name: str, content: bytes, problem: str
) -> None:
    root = make_project()
    (root / "media" / name).write_bytes(content)
    assert messages(root) == [f"episodes/001-episode.md:4: error: transcripts: {name!r} {problem}"]


def test_transcript_problems(make_project: MakeProject) -> None:
    root = make_project(
        {
            "media/cbr.vtt": "not a WebVTT file\n",
            "media/vbr.vtt": "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSecond\n\n"
            "00:00:00.200 --> 00:00:00.900\nFirst\n",
            "media/tone.srt": SRT.replace("00:00:02,500", "00:00:09,000"),
            "episodes/002.md": episode(title="Episode 2", guid="g2", audio="vbr.mp3"),
            "episodes/003.md": episode(title="Episode 3", guid="g3", audio="tone.m4a"),
            "episodes/004.md": episode(
                title="Episode 4",
                guid="g4",
                audio="chapters.mp3",
                transcripts=[{"file": "chapter.vtt"}],
            ),
        }
    )
    assert messages(root) == [
        "episodes/001-episode.md:4: error: transcripts: 'cbr.vtt' is not a valid VTT file: "
        "it does not start with the line WEBVTT (add WEBVTT and a blank line at its top)",
        "episodes/002.md:4: error: transcripts: 'vbr.vtt', line 6: the cue at 00:00:00.200 goes "
        "back in time (make every cue start after the previous one and end after it starts)",
        "episodes/003.md:4: error: transcripts: 'tone.srt' runs to 9.0 s (line 6) but the audio "
        "lasts 3.0 s (is it the transcript of another episode?)",
        "episodes/004.md:7: error: transcripts.0.file: 'chapter.vtt' is not in media/ "
        "(add the file)",  # not chapters.mp3: an audio file is no transcript
    ]


def test_a_cue_out_of_order_is_named_at_its_line_in_the_transcript(
    make_project: MakeProject,
) -> None:
    """The line an editor shows: NOTE blocks, cue identifiers and CRLF line ends before it
    do not move it."""
    lines = [
        "WEBVTT",
        "",
        "NOTE made by hand,",
        "over two lines",
        "",
        "intro",
        "00:00:01.000 --> 00:00:02.000",
        "Second",
        "",
        "00:00:00.200 --> 00:00:00.900",
        "First",
    ]
    root = make_project({"media/cbr.vtt": "\r\n".join(lines) + "\r\n"})
    line = lines.index("00:00:00.200 --> 00:00:00.900") + 1
    assert messages(root) == [
        f"episodes/001-episode.md:4: error: transcripts: 'cbr.vtt', line {line}: the cue at "
        "00:00:00.200 goes back in time (make every cue start after the previous one and end "
        "after it starts)"
    ]


def test_transcript_of_unknown_type_is_refused(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(transcripts=[{"file": "a.docx"}])})
    assert messages(root) == [
        "episodes/001-episode.md:7: error: transcripts.0.file: 'a.docx' is not a transcript "
        "type apps read (use .vtt (best: Apple shows speakers), .srt, .json, .html or .txt)"
    ]


def test_show_level_tags(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(
                funding=[{"url": "https://example.com/support", "text": "Support us"}],
                persons=[
                    {"name": "Ada", "role": "Host", "img": "https://example.com/ada.jpg"},
                    {"name": "Bob", "role": "editor", "group": "writing"},
                ],
                medium="audiobook",
                license="cc-by-4.0",
                location={
                    "name": "Berlin",
                    "geo": "geo:52.52,13.405",
                    "osm": "R62422",
                    "country": "de",
                },
                txt=[{"value": "S6lpp-7ZCn8-dZfGc-OoyaG", "purpose": "applepodcastsverify"}],
                update_frequency={"text": "Weekly", "rrule": "FREQ=WEEKLY"},
                podroll=[
                    {"feed_guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810", "title": "Podcasting 2.0"}
                ],
            ),
            "episodes/000-trailer.md": episode(
                guid="t", audio="vbr.mp3", type="trailer", date="2025-01-01", season=2
            ),
        }
    )
    feed, _ = built(root)
    [channel] = xpath(feed, "channel")

    def tag(name: str) -> list[tuple[str | None, dict[str, str]]]:
        return [(e.text, dict(e.attrib)) for e in xpath(channel, f"podcast:{name}")]

    assert tag("funding") == [("Support us", {"url": "https://example.com/support"})]
    assert tag("person") == [
        ("Ada", {"role": "host", "group": "cast", "img": "https://example.com/ada.jpg"}),
        ("Bob", {"role": "editor", "group": "writing"}),
    ]
    assert tag("medium") == [("audiobook", {})]
    assert tag("license") == [("cc-by-4.0", {})]
    assert tag("location") == [
        ("Berlin", {"geo": "geo:52.52,13.405", "osm": "R62422", "country": "de"})
    ]
    assert tag("txt") == [("S6lpp-7ZCn8-dZfGc-OoyaG", {"purpose": "applepodcastsverify"})]
    assert tag("updateFrequency") == [("Weekly", {"rrule": "FREQ=WEEKLY"})]
    assert [dict(e.attrib) for e in xpath(channel, "podcast:podroll/podcast:remoteItem")] == [
        {"feedGuid": "917393e3-1b1e-5cef-ace4-edaa54e1f810", "title": "Podcasting 2.0"}
    ]
    assert tag("trailer") == [
        (
            "An Episode",
            {
                "pubdate": "Wed, 01 Jan 2025 00:00:00 +0000",
                "url": "https://show.example.com/media/vbr.mp3",
                "length": str((root / "media" / "vbr.mp3").stat().st_size),
                "type": "audio/mpeg",
                "season": "2",
            },
        )
    ]
    assert tag("image") == [(None, {"href": "https://show.example.com/media/cover.jpg"})]


def test_episode_level_tags(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(persons=[{"name": "Show Host"}]),
            "episodes/001-episode.md": episode(
                episode=3,
                season=1,
                season_name="Origins",
                episode_display="Part 3",
                persons=[{"name": "Guest Star", "role": "guest"}],
                soundbites=[{"start": 0.5, "duration": 2, "title": "Best bit"}],
                funding=[{"url": "https://example.com/ep", "text": "Sponsor"}],
                location="Lisbon",
                license={"identifier": "my-licence", "url": "https://example.com/licence"},
                alternate_enclosures=[{"audio": "tone.m4a", "title": "AAC", "default": True}],
            ),
        }
    )
    feed, _ = built(root)
    [item] = xpath(feed, "//item")

    def tag(name: str) -> list[tuple[str | None, dict[str, str]]]:
        return [(e.text, dict(e.attrib)) for e in xpath(item, f"podcast:{name}")]

    assert tag("season") == [("1", {"name": "Origins"})]
    assert tag("episode") == [("3", {"display": "Part 3"})]
    # item persons replace the show's
    assert tag("person") == [("Guest Star", {"role": "guest", "group": "cast"})]
    assert tag("soundbite") == [("Best bit", {"startTime": "0.5", "duration": "2"})]
    assert tag("funding") == [("Sponsor", {"url": "https://example.com/ep"})]
    assert tag("location") == [("Lisbon", {})]
    assert tag("license") == [("my-licence", {"url": "https://example.com/licence"})]
    [alternate] = xpath(item, "podcast:alternateEnclosure")
    size = (root / "media" / "tone.m4a").stat().st_size
    assert dict(alternate.attrib) == {
        "type": "audio/x-m4a",
        "length": str(size),
        "bitrate": alternate.get("bitrate"),
        "title": "AAC",
        "default": "true",
    }
    assert int(alternate.get("bitrate")) > 0
    assert xpath(alternate, "podcast:source/@uri") == ["https://show.example.com/media/tone.m4a"]
    assert codes(root) == ["soundbite-length"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"persons": [{"name": "A", "role": "hots"}]},
            "persons.0.role: 'hots' is not a role of the group 'cast' (did you mean 'host'?)",
        ),
        (
            {"persons": [{"name": "A", "role": "editor"}]},
            "persons.0.role: 'editor' is not a role of the group 'cast' (set group: writing)",
        ),
        (
            {"funding": [{"url": "https://e.com", "text": "x" * 129}]},
            "funding.0.text: longer than 128 characters (shorten it)",
        ),
        (
            {"location": {"name": "X", "country": "xx"}},
            "location.country: 'xx' is not an ISO 3166-1 country code (use two letters: de, us, "
            "gb)",
        ),
        (
            {"location": {"name": "X", "geo": "52.5,13.4"}},
            "location.geo: '52.5,13.4' is not in the expected form (write an RFC 5870 geo URI: "
            "geo:52.52,13.405)",
        ),
        (
            {"license": "my-own"},
            "license: 'my-own' is not a well-known licence (add url: with the licence's full "
            "text, or use ARR, CC-BY-4.0, CC-BY-NC-4.0, CC-BY-NC-ND-4.0)",
        ),
        ({"medium": "vlog"}, "medium: 'vlog' is not allowed here (did you mean 'blog'?)"),
        (
            {"update_frequency": {"text": "Weekly", "rrule": "weekly"}},
            "update_frequency.rrule: 'weekly' is not in the expected form (write an RFC 5545 "
            "rule: FREQ=WEEKLY;BYDAY=TU)",
        ),
        (
            {"podroll": [{"feed_guid": "not-a-guid"}]},
            "podroll.0.feed_guid: 'not-a-guid' is not a UUID",
        ),
    ],
)
def test_show_namespace_values_are_validated(
    make_project: MakeProject, overrides: dict[str, Any], expected: str
) -> None:
    root = make_project({"podcast.yaml": show(**overrides)})
    [problem] = messages(root)
    assert expected in problem, problem


def test_a_persons_wrong_group_or_role_is_reported_at_its_own_line(
    make_project: MakeProject,
) -> None:
    """The check of a role against its group is one of the whole person: it was reported at
    the person's first line, as `persons.0`, whichever of the two was wrong."""
    persons = [
        {"name": "A", "group": "casts", "role": "host"},
        {"name": "B", "group": "cast", "role": "hots"},
    ]
    root = make_project({"episodes/001-episode.md": episode(persons=persons)})
    assert messages(root) == [
        "episodes/001-episode.md:8: error: persons.0.group: 'casts' is not a group of the "
        "Podcasting 2.0 taxonomy (did you mean 'cast'?)",
        "episodes/001-episode.md:12: error: persons.1.role: 'hots' is not a role of the group "
        "'cast' (did you mean 'host'?)",
    ]


def test_alternate_enclosure_must_exist(make_project: MakeProject) -> None:
    root = make_project(
        {"episodes/001-episode.md": episode(alternate_enclosures=[{"audio": "nope.m4a"}])}
    )
    assert messages(root) == [
        "episodes/001-episode.md:7: error: alternate_enclosures.0.audio: 'nope.m4a' is not in "
        "media/ (add the file or remove the entry)"
    ]


def test_soundbite_past_the_end(make_project: MakeProject) -> None:
    root = make_project(
        {"episodes/001-episode.md": episode(soundbites=[{"start": 2, "duration": 20}])}
    )
    assert codes(root) == ["soundbite-after-end"]


def test_psc_chapters_false_leaves_out_podlove_chapters_and_their_namespace(
    make_project: MakeProject,
) -> None:
    root = make_project(
        {
            "podcast.yaml": show(psc_chapters=False),
            "episodes/001-episode.md": episode(chapters=THREE_CHAPTERS),
        }
    )
    feed, result = built(root)
    assert xpath(feed, "//psc:chapters") == []
    assert b"podlove" not in result.feed_path.read_bytes()
    assert xpath(feed, "//item/podcast:chapters/@url") == [
        "https://show.example.com/chapters/001-episode.json"
    ]
    # the cost: gPodder sees no chapters
    parsed = podcastparser.parse("x", io.BytesIO(result.feed_path.read_bytes()))
    assert not parsed["episodes"][0].get("chapters")
