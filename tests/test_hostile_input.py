"""Random and hostile episode files through validate and build: always a feed that parses or a
clean report with exit 1; never a traceback, a hang or a partial feed.

How many examples: the hypothesis profiles in conftest.py (`pytest --hypothesis-profile
thorough` for a long run; `--hypothesis-show-statistics` shows how many reached the XML).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import feedparser
import yaml
from hypothesis import event, given
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from podcast_feed.cli import app
from podcast_feed.transcripts import InvalidTranscript, parse_captions

from .conftest import AUDIO, FIXTURES, show

runner = CliRunner()

HOSTILE_TEXT = st.sampled_from(
    [
        "]]>",
        "<script>alert(1)</script>",
        "<![CDATA[x]]>",
        "\x00",
        "\x07",
        "\ufffe",
        "&amp;",
        "<a href='javascript:alert(1)'>x</a>",
        "<iframe src=x>",
        "{{ template }}",
        "\u202e",
        "x" * 5000,
        "é" * 3000,
        "---",
        "\r\n",
        "\t",
        "*" * 40,
        "[link](https://e.com)",
    ]
)
TEXT = st.one_of(
    st.text(max_size=80), HOSTILE_TEXT, st.lists(HOSTILE_TEXT, max_size=4).map("".join)
)
SCALAR = st.one_of(
    TEXT,
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "title",
        "date",
        "audio",
        "guid",
        "episode",
        "season",
        "type",
        "explicit",
        "summary",
        "image",
        "link",
        "draft",
        "republish",
        "titel",
        "chapters",
        "transcripts",
        "persons",
        "soundbites",
        "funding",
        "location",
        "license",
        "season_name",
        "episode_display",
        "alternate_enclosures",
    ]
)
VALID = {"title": "Valid", "date": "2025-01-06", "audio": "cbr.mp3", "guid": "g-1"}


def front_matter_for(base: dict[str, Any], overrides: dict[str, Any]) -> str:
    try:
        return yaml.safe_dump({**base, **overrides}, allow_unicode=True)
    except yaml.YAMLError:
        return yaml.safe_dump(base)


def front_matter(overrides: dict[str, Any]) -> str:
    return front_matter_for(VALID, overrides)


NAMESPACE_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "chapters": st.lists(
            st.fixed_dictionaries(
                {"start": st.one_of(st.integers(-5, 10), st.floats(0, 10), TEXT), "title": TEXT},
                optional={"url": TEXT, "image": TEXT, "hidden": st.booleans()},
            ),
            max_size=4,
        ),
        "soundbites": st.lists(
            st.fixed_dictionaries({"start": st.floats(-1, 10), "duration": st.floats(-1, 200)}),
            max_size=2,
        ),
        "persons": st.lists(
            st.fixed_dictionaries({"name": TEXT}, optional={"role": TEXT, "group": TEXT}),
            max_size=2,
        ),
        "transcripts": st.lists(st.fixed_dictionaries({"file": TEXT}), max_size=2),
        "alternate_enclosures": st.lists(
            st.fixed_dictionaries(
                {
                    "audio": st.sampled_from(
                        ["tone.m4a", "cbr.mp3", "tone.ogg", "nope.mp3", "../x.mp3"]
                    )
                }
            ),
            max_size=2,
        ),
    },
)

DAY = st.builds(
    lambda year, month, day: f"{year:04d}-{month:02d}-{day:02d}",
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
)
PLAIN_SCALAR = st.one_of(
    DAY,
    st.builds(
        lambda day, hour, minute, sign, offset: f"{day}T{hour:02d}:{minute:02d}:00{sign}{offset}",
        DAY,
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from(["+", "-", ""]),
        st.sampled_from(["", "00:00", "23:59", "24:00", "25:00", "Z"]),
    ),
    st.sampled_from(
        ["0x_", "0b_", "0o_", "0x", "0b2", "1_0", "._", "+.inf", ".NaN", "190:20:30", "~", "yes"]
    ),
)
"""Plain scalars that PyYAML's patterns take for dates and numbers, some of which it then
cannot make: written into the front matter as they are (yaml.safe_dump would quote them)."""
TAGGED_SCALAR = st.builds(
    lambda tag, value: f"!!{tag} {value}",
    st.sampled_from(["int", "float", "bool", "timestamp", "binary", "null", "str", "set"]),
    st.one_of(PLAIN_SCALAR, st.sampled_from(["x", "'x'", "@@", "[1]", "{a: 1}", "''"])),
)

EPISODE_FILE = st.one_of(
    st.builds(
        lambda key, value: (
            f"---\n{front_matter_for({k: v for k, v in VALID.items() if k != key}, {})}"
            f"{key}: {value}\n---\nnotes\n"
        ),
        KEYS,
        st.one_of(PLAIN_SCALAR, TAGGED_SCALAR),
    ),
    st.builds(
        lambda values, notes: f"---\n{front_matter(values)}---\n\n{notes}\n", NAMESPACE_VALUES, TEXT
    ),
    # valid front matter, hostile notes and text values: these mostly build
    st.builds(
        lambda notes, title, summary: (
            f"---\n{front_matter({'title': title, 'summary': summary})}---\n\n{notes}\n"
        ),
        st.lists(HOSTILE_TEXT, max_size=6).map("\n\n".join),
        HOSTILE_TEXT,
        HOSTILE_TEXT,
    ),
    st.builds(
        lambda fm, notes: f"---\n{front_matter(fm)}---\n\n{notes}\n",
        st.dictionaries(KEYS, VALUE, max_size=4),
        TEXT,
    ),
    st.builds(lambda raw: "---\n" + raw + "\n---\nnotes\n", st.text(max_size=200)),
    st.binary(max_size=300),
    st.builds(
        lambda depth: "---\ntitle: " + "[" * depth + "]" * depth + "\n---\n",
        st.integers(min_value=1, max_value=5000),
    ),
)


def assert_feed_or_clean_report(root: Path) -> None:
    """validate and build agree: exit 0 with a feed that parses, or exit 1 with no feed."""
    checked = runner.invoke(app, ["validate", "--root", str(root)])
    assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.exception
    assert checked.exit_code in (0, 1)
    assert "Traceback" not in checked.stdout + checked.stderr

    built = runner.invoke(app, ["build", "--root", str(root)])
    assert built.exception is None or isinstance(built.exception, SystemExit), built.exception
    assert built.exit_code == checked.exit_code
    event(f"exit {built.exit_code}")
    feed = root / "public" / "feed.xml"
    if built.exit_code == 0:
        data = feed.read_bytes()
        etree.fromstring(data)
        assert not feedparser.parse(data).bozo
        assert b"<script" not in data
        assert not re.search(rb"<a\s[^>]*href=[\"']?\s*javascript:", data)
    else:
        assert not (root / "public").exists()


@given(EPISODE_FILE)
def test_hostile_episode_gives_feed_or_clean_report(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(AUDIO, root / "media")
        shutil.copy(FIXTURES / "cover.jpg", root / "media" / "cover.jpg")
        (root / "podcast.yaml").write_text(yaml.safe_dump(show()))
        (root / "episodes").mkdir()
        episode = root / "episodes" / "001.md"
        if isinstance(content, bytes):
            episode.write_bytes(content)
        else:
            episode.write_text(content, encoding="utf-8", errors="surrogatepass")

        assert_feed_or_clean_report(root)


VALID_SHOW_VALUES: dict[str, list[Any]] = {
    "complete": [True, False],
    "block": [True, False],
    "locked": [True, False],
    "new_feed_url": ["https://moved.example.com/feed.xml"],
    "copyright": ["© 2025 Test & Co"],
    "type": ["episodic", "serial"],
    "funding": [[{"url": "https://donate.example.com/", "text": "Support us"}]],
    "persons": [[{"name": "Ada", "role": "host"}, {"name": "Bob", "role": "guest"}]],
    "medium": ["podcast", "music", "audiobook"],
    "license": ["CC-BY-4.0", {"identifier": "Mine", "url": "https://license.example.com/"}],
    "location": ["Berlin", {"name": "Vienna", "geo": "geo:48.2,16.37", "country": "at"}],
    "txt": [[{"value": "verify-me", "purpose": "applepodcastsverify"}]],
    "update_frequency": [{"text": "Weekly", "rrule": "FREQ=WEEKLY"}],
    "podroll": [[{"feed_guid": "917393e3-1b1e-5cef-ace4-edaa54e1f810"}]],
    "chapters_in_description": [True, False],
    "psc_chapters": [True, False],
    "site": [True, False],
    "site_url": ["https://www.example.org/podcast/"],
    "directories": [{"Apple Podcasts": "https://podcasts.apple.com/podcast/id1"}],
    "description": ["Plain words < and & only."],
    "title": ["Küche & Code"],
    "link": ["https://www.example.org/"],
    "language": ["de-at", "en"],
    "author": ["Ada & Bob"],
    "owner": [{"name": "Ada", "email": "ada@example.org"}],
    "image": ["cover.jpg", "https://cdn.example.org/art.png"],
    "categories": [["Technology"], [{"category": "Business", "subcategory": "Management"}]],
    "explicit": [True, False],
    "feed_url": ["https://feeds.example.org/show.xml"],
    "media_base_url": ["https://cdn.example.org/audio/"],
    "podcast_guid": ["917393e3-1b1e-5cef-ace4-edaa54e1f810"],
    "timezone": ["Europe/Berlin", "UTC"],
}
SHOW_KEYS = st.sampled_from([*sorted(show()), *VALID_SHOW_VALUES])


@st.composite
def show_overrides(draw: st.DrawFn) -> dict[str, Any]:
    """Changes to a valid show: most keys get a valid value, some a hostile one, so that
    most examples reach the XML and the rest exercise the reports."""
    keys = draw(st.lists(SHOW_KEYS, max_size=4, unique=True))
    overrides = {}
    for key in keys:
        valid = VALID_SHOW_VALUES.get(key)
        if valid and draw(st.integers(0, 7)):  # seven in eight: a valid value
            overrides[key] = draw(st.sampled_from(valid))
        else:
            overrides[key] = draw(VALUE)
    return overrides


@given(show_overrides())
def test_hostile_show_gives_feed_or_clean_report(overrides: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(AUDIO, root / "media")
        shutil.copy(FIXTURES / "cover.jpg", root / "media" / "cover.jpg")
        (root / "podcast.yaml").write_text(front_matter_for(show(), overrides))
        (root / "episodes").mkdir()
        (root / "episodes" / "001.md").write_text(f"---\n{front_matter({})}---\n\nNotes.\n")
        assert_feed_or_clean_report(root)


CUE_PARTS = st.sampled_from(
    ["WEBVTT", "NOTE x", "00:00:01.000 --> 00:00:02.000", "00:01.000 -> 00:02.000", "1",
     "00:00:01,000 --> 00:00:02,000", "<v Ada>Hi", "", "\r", "text", "-->", "STYLE"]
)  # fmt: skip
TRANSCRIPT_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(CUE_PARTS, TEXT), max_size=12).map("\n".join),
)


@given(TRANSCRIPT_TEXT, st.sampled_from([".vtt", ".srt", ".json"]))
def test_hostile_transcript_gives_cues_or_a_clean_refusal(text: str, suffix: str) -> None:
    """Any file named as a transcript is read as cues or refused with one InvalidTranscript
    (a problem naming its file, with a fix): never another exception, which would be a
    traceback for a user's mistake."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"transcript{suffix}"
        path.write_text(text, encoding="utf-8", newline="")
        try:
            captions = parse_captions(path)
        except InvalidTranscript as refusal:
            event("refused")
            assert str(refusal)
            return
    event("read")
    assert all(isinstance(c.start, float) and isinstance(c.text, str) for c in captions)
