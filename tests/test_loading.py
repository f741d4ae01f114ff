"""podcast.yaml and episode files: every mistake reported with file, line, field and fix."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import feedparser
import pytest
import yaml
from lxml import etree

from podcast_feed import build, validate

from .conftest import AUDIO, MakeProject, episode, run, show, snapshot


def report(root: Path) -> list[str]:
    return [str(problem) for problem in validate(root).problems]


def only_episode(make_project: MakeProject, text: str | bytes) -> list[str]:
    return report(make_project({"episodes/001-episode.md": text}))


def test_sample_like_project_is_clean(make_project: MakeProject) -> None:
    assert report(make_project()) == []


def test_yaml_syntax_error_has_the_file_line(make_project: MakeProject) -> None:
    text = "---\ntitle: Episode: the return\ndate: 2025-01-01\n---\n"
    assert only_episode(make_project, text) == [
        "episodes/001-episode.md:2: error: YAML syntax error: mapping values are not allowed "
        "in this context (a value containing ': ' must be put in quotes: title: \"Episode: the "
        'return")'
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "title: [Live] Q&A",
            "did not find expected key (a value starting with [ must be put in quotes: title: "
            '"[Live] Q&A")',
        ),
        (
            "title: [Live",  # reported where the [ opens, not on the next line
            "did not find expected ',' or ']' (a value starting with [ must be put in quotes: "
            'title: "[Live")',
        ),
        (
            "title: @ada on air",
            "found character that cannot start any token (a value starting with @ must be put "
            'in quotes: title: "@ada on air")',
        ),
        (
            "title: *Bonus* episode",
            "did not find expected alphabetic or numeric character (a value starting with * must "
            'be put in quotes: title: "*Bonus* episode")',
        ),
        (
            "title: 'Ada's story'",
            "did not find expected key (an apostrophe ends a value in single quotes: put it in "
            'double quotes, title: "Ada\'s story")',
        ),
        (
            'title: "Part one',
            "found unexpected end of stream (the value's opening \" is never closed: end it with "
            '" on this line)',
        ),
        (
            "\ttitle: Tabbed",  # LibYAML does not name the tab, as PyYAML does
            "found character that cannot start any token (indent with spaces, not tabs)",
        ),
    ],
)
def test_a_yaml_syntax_error_is_told_the_line_to_write(
    make_project: MakeProject, line: str, problem: str
) -> None:
    """Titles that YAML reads as its own syntax: the fix is the line, quoted."""
    text = f"---\n{line}\ndate: 2025-01-01\naudio: cbr.mp3\n---\n"
    assert only_episode(make_project, text) == [
        f"episodes/001-episode.md:2: error: YAML syntax error: {problem}"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "\n\n---\ntitle: Late\n---\n",
            "episodes/001-episode.md:3: error: the front matter's opening '---' is not on the "
            "first line (delete the blank lines above it)",
        ),
        (
            '+++\ntitle = "Hugo"\n+++\n',
            "episodes/001-episode.md:1: error: the front matter is TOML (between '+++' lines), "
            "which is not read (write it as YAML between two '---' lines, one 'key: value' a line)",
        ),
    ],
)
def test_front_matter_nearly_right_is_told_what_to_change(
    make_project: MakeProject, text: str, problem: str
) -> None:
    assert only_episode(make_project, text) == [problem]


def test_unknown_key_suggests_the_known_one(make_project: MakeProject) -> None:
    assert only_episode(make_project, episode(seasn=2)) == [
        "episodes/001-episode.md:6: error: seasn: unknown key 'seasn' (did you mean 'season'?)"
    ]


@pytest.mark.parametrize(
    ("key", "fix"),
    [
        ("published", "write it as 'date: 2025-06-03 09:00': an episode dated later waits"),
        ("pubDate", "write it as 'date: 2025-06-03 09:00'"),
        ("itunes:episodeType", "write it as 'type: full', or trailer, or bonus"),
        ("itunes:season", "did you mean 'season'?"),
        ("Title", "did you mean 'title'?"),
        ("duration", "remove the line: the duration, size and type are read from the audio"),
        ("enclosure", "write it as 'audio: NAME', the file's name in media/"),
        ("tags", "remove the line: Apple no longer reads keywords"),
        ("layout", "remove the line: podcast-feed reads no such site-generator key"),
        ("author", "name the episode's hosts and guests under 'persons'"),
    ],
)
def test_keys_of_other_publishers_are_told_what_to_write(
    make_project: MakeProject, key: str, fix: str
) -> None:
    """A file brought from a host, Jekyll or Hugo: the key they use for ours, and what to write
    (not the closest spelling: 'published' is not 'republish', 'duration' not 'location')."""
    [problem] = only_episode(make_project, episode(**{key: "x"}))
    assert problem.startswith(f"episodes/001-episode.md:6: error: {key}: unknown key '{key}' (")
    assert fix in problem


@pytest.mark.parametrize(
    ("key", "fix"),
    [
        ("name", "did you mean 'title'?"),
        ("email", "the owner is two lines under 'owner': 'name' and 'email'"),
        ("itunes:image", "did you mean 'image'?"),
        ("podcast:locked", "did you mean 'locked'?"),
        ("homepage", "write it as 'link: URL', the show's website"),
        ("base_url", "did you mean 'media_base_url'?"),
    ],
)
def test_show_keys_of_other_publishers_are_told_what_to_write(
    make_project: MakeProject, key: str, fix: str
) -> None:
    [problem] = report(make_project({"podcast.yaml": show(**{key: "x"})}))
    assert f"error: {key}: unknown key '{key}' (" in problem and fix in problem


def test_other_publishers_names_are_not_ours() -> None:
    """Each name the lists know is one podcast-feed does not read (else it could never be
    unknown), and each key they point to is one it does."""
    from podcast_feed.models import FrontMatter, Show
    from podcast_feed.vocabulary import EPISODE_KEYS_ELSEWHERE, SHOW_KEYS_ELSEWHERE

    for model, elsewhere in ((FrontMatter, EPISODE_KEYS_ELSEWHERE), (Show, SHOW_KEYS_ELSEWHERE)):
        assert not set(elsewhere) & set(model.model_fields)
        for fix in elsewhere.values():
            named = re.findall(r"did you mean '(\w+)'|write it as '(\w+):", fix)
            assert all((a or b) in model.model_fields for a, b in named), fix


def test_unknown_nested_key_in_show(make_project: MakeProject) -> None:
    problems = report(
        make_project({"podcast.yaml": show(owner={"name": "A", "emial": "a@b.example"})})
    )
    assert problems == [  # not also "owner.email: this required key is missing"
        "podcast.yaml:8: error: owner.emial: unknown key 'emial' (did you mean 'email'?)",
    ]


def test_a_misspelt_required_key_is_one_error_not_two(make_project: MakeProject) -> None:
    """`Title:` for `title:` was also "title: this required key is missing (add a line
    'title: ...')", which would have the podcaster write a second title; a key that is
    missing with nothing like it beside it still is."""
    text = episode().replace("\ntitle:", "\nTitle:").replace("\naudio:", "\nAudoi:")
    root = make_project({"episodes/001-episode.md": text})
    assert report(root) == [
        "episodes/001-episode.md:2: error: Title: unknown key 'Title' (did you mean 'title'?)",
        "episodes/001-episode.md:4: error: Audoi: unknown key 'Audoi' (did you mean 'audio'?)",
    ]
    (root / "episodes/001-episode.md").write_text(episode().replace("\ntitle:", "\nheading:"))
    assert [problem.split(": error: ")[1][:45] for problem in report(root)] == [
        "heading: unknown key 'heading' (known keys: a",
        "title: this required key is missing (add a li",
    ]


def test_missing_required_keys(make_project: MakeProject) -> None:
    assert only_episode(make_project, episode(audio=None, title=None)) == [
        "episodes/001-episode.md:2: error: audio: this required key is missing "
        "(add a line 'audio: ...')",
        "episodes/001-episode.md:2: error: title: this required key is missing "
        "(add a line 'title: ...')",
    ]


def test_a_draft_written_before_the_recording_is_told_what_it_still_needs(
    make_project: MakeProject,
) -> None:
    """Notes jotted down before recording have no audio or date yet: the draft is told that it
    needs both all the same, and what to write."""
    problems = only_episode(
        make_project, episode(audio=None, date=None, guid=None, title="Next", draft=True)
    )
    assert problems == [
        "episodes/001-episode.md:2: error: audio: this required key is missing (a draft needs "
        "it too, though the file need not exist yet: name the one you will record, as in "
        "'audio: 001-episode.mp3')",
        "episodes/001-episode.md:2: error: date: this required key is missing (a draft needs "
        "it too: the day you mean to publish it, as in 'date: 2025-06-03 09:00'; it stays out "
        "of the feed while 'draft: true' is there)",
    ]


def test_a_yaml_block_s_last_line_break_is_yaml_s_not_surrounding_space(
    make_project: MakeProject,
) -> None:
    """`description: |` is how YAML writes text of several lines, and it ends in a line break
    the podcaster never typed: it was the error "starts or ends with white space (remove the
    spaces around it)", with no spaces to remove. Spaces that are typed are still an error."""
    described = "A show about product.\nHosted by Ada\nProduced by Bob\n"
    block = re.sub(
        r"^description: .*$",
        "description: |\n  A show about product.\n  Hosted by Ada\n  Produced by Bob",
        yaml.safe_dump(show(), sort_keys=False),
        count=1,
        flags=re.MULTILINE,
    )
    assert yaml.safe_load(block)["description"] == described
    root = make_project(
        {"podcast.yaml": block, "episodes/001-episode.md": episode(summary="Hi.\n")}
    )
    assert report(root) == []
    parsed = feedparser.parse(build(root, root / "public").feed_path.read_bytes())
    assert parsed.feed.description == described.removesuffix("\n")
    assert parsed.entries[0].summary == "Hi."

    (root / "podcast.yaml").write_text(block.replace("Produced by Bob\n", "Produced by Bob  \n"))
    assert report(root) == [
        "podcast.yaml:2: error: description: 'A show about product.\\nHosted by Ada\\nProduced "
        "by Bob  ' starts or ends with white space (remove the spaces around it; Apple "
        "rejects them)"
    ]


def test_number_where_text_belongs_gets_the_quote_hint(make_project: MakeProject) -> None:
    assert only_episode(make_project, episode(title=1984)) == [
        "episodes/001-episode.md:2: error: title: expected text, got the number 1984 "
        '(put it in quotes: title: "1984")'
    ]


def test_number_in_a_list_of_text_gets_the_quote_hint_after_the_dash(
    make_project: MakeProject,
) -> None:
    assert only_episode(make_project, episode(title="T", ignore_warnings=[2025])) == [
        "episodes/001-episode.md:7: error: ignore_warnings.0: expected text, got the number 2025 "
        '(put it in quotes: - "2025")'
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("episode", "three", "expected a whole number above 0, got 'three'"),
        ("episode", 0, "expected a whole number above 0, got the number 0"),
        ("type", "ful", "'ful' is not allowed here (did you mean 'full'?)"),
        (  # the address meant, written without https:// or with it mistyped
            "link",
            "example.com/ep",
            "'example.com/ep' is not a web address (did you mean 'https://example.com/ep'?)",
        ),
        (
            "link",
            "htps:/example.com/ep",
            "'htps:/example.com/ep' is not a web address (did you mean 'https://example.com/ep'?)",
        ),
        (
            "link",
            "the site",
            "'the site' is not a web address (write a full URL such as "
            "https://example.com/podcast)",
        ),
        ("audio", "../secret.mp3", "'../secret.mp3' is not a file name inside media/"),
        (
            "audio",
            "2025\\cbr.mp3",  # a path as Windows writes it
            "'2025\\\\cbr.mp3' is not a file name inside media/ (write / between folders, as "
            "URLs do: 2025/cbr.mp3)",
        ),
        (  # the audio's address on a host the show moves from: apps need its size and length
            "audio",
            "https://cdn.example.com/show/ep%201.mp3?dl=1",
            "'https://cdn.example.com/show/ep%201.mp3?dl=1' is an address, and the audio is "
            "read from its file: its size and duration go into the feed (download it into "
            "media/ and write its name here, e.g. ep 1.mp3; the feed gives it the address "
            "media_base_url + that name)",
        ),
    ],
)
def test_wrong_values(make_project: MakeProject, key: str, value: Any, message: str) -> None:
    [problem] = only_episode(make_project, episode(**{key: value}))
    assert f"error: {key}: {message}" in problem


def test_duplicate_key_is_an_error_not_silently_the_last(make_project: MakeProject) -> None:
    """And the rest of the file is checked in the same run (before, the duplicate alone was
    reported, and the next run found the rest)."""
    text = "---\ntitle: A\ntitle: B\ndate: 2025-01-01\naudio: cbr.mp3\nguid: g\nseason: 0\n---\n"
    assert only_episode(make_project, text + "Notes.\n") == [
        "episodes/001-episode.md:3: error: title: the key appears twice, first on line 2 "
        "(keep one of them; YAML would silently use the last)",
        "episodes/001-episode.md:7: error: season: expected a whole number above 0, got the "
        "number 0 (write a number such as 1, without quotes)",
    ]


def test_a_value_cut_short_by_a_hash_is_warned_of(make_project: MakeProject) -> None:
    """`title: Episode #12` is the title 'Episode' to YAML; a comment of one's own, with a
    space after its '#' (or after a value that is not text), is left alone."""
    text = (
        "---\ntitle: Episode #12 of the show\ndate: 2025-01-01\naudio: cbr.mp3\nguid: g\n"
        "explicit: false #no swearing\nseason: 1  # the first\n---\n\nNotes.\n"
    )
    assert only_episode(make_project, text) == [
        "episodes/001-episode.md:2: warning: title: the value is read as 'Episode': YAML "
        "takes '#12 of the show' for a comment, as it does everything from a '#' after a space "
        '(put the whole value in quotes: title: "Episode #12 of the show")'
    ]


def test_no_front_matter(make_project: MakeProject) -> None:
    assert only_episode(make_project, "# Just notes\n") == [
        "episodes/001-episode.md:1: error: the file does not start with YAML front matter "
        "(start it with a line '---', the episode's keys, then '---'; a file that is not an "
        "episode, such as a README, belongs outside episodes/)"
    ]


def test_unclosed_front_matter(make_project: MakeProject) -> None:
    assert only_episode(make_project, "---\ntitle: x\n") == [
        "episodes/001-episode.md:1: error: the front matter is never closed "
        "(add a line '---' after the last key)"
    ]


def test_a_binary_or_garbled_file_is_a_few_lines_not_thousands(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/001-episode.md": episode(notes="bell \x07 " * 2000),
            "episodes/002-zeros.md": b"\x00" * 3000,
        }
    )
    assert report(root) == [
        *(
            "episodes/001-episode.md:8: error: contains the control character U+0007, which "
            f"XML feeds cannot carry{more} (delete it; it is often invisible, so retype the line)"
            for more in ["", "", "; 1,997 more after it"]
        ),
        "episodes/002-zeros.md:1: error: holds NUL bytes: it is not a text file (save it as "
        "UTF-8 text, or move it out of the show's text files)",
    ]


def test_hidden_files_in_episodes_are_not_episodes(make_project: MakeProject) -> None:
    """Emacs's lock file of an open episode is a link to nothing named `.#001-episode.md`;
    macOS writes `._001-episode.md` beside a file copied to a USB stick."""
    root = make_project({"episodes/._001-episode.md": b"\x00\x05\x16\x07Mac OS X"})
    (root / "episodes" / ".#001-episode.md").symlink_to("ada@laptop.4242:1700000000")
    assert report(root) == []


WINDOWS_NOTES = "First line,  \nbroken by two spaces.\n\n- one\n- two\n\n```\ncode\n```"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_line_endings_give_the_same_site_and_feed(
    make_project: MakeProject, tmp_path: Path, newline: str
) -> None:
    """Windows editors, and git with core.autocrlf, save CRLF (and often a byte-order mark):
    the feed must be the one the same files with LF give, byte for byte."""
    summary = "A summary\nover two lines."
    root = make_project({"episodes/001-episode.md": episode(WINDOWS_NOTES, summary=summary)})
    build(root, tmp_path / "lf")
    for path in [root / "podcast.yaml", *sorted((root / "episodes").iterdir())]:
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", newline).encode())
    assert report(root) == []
    build(root, tmp_path / "crlf")
    assert snapshot(tmp_path / "crlf") == snapshot(tmp_path / "lf")


def test_windows_line_endings_keep_the_line_numbers(make_project: MakeProject) -> None:
    text = episode(episode="three").replace("\n", "\r\n")
    assert only_episode(make_project, text) == [
        "episodes/001-episode.md:6: error: episode: expected a whole number above 0, got "
        "'three' (write a number such as 1, without quotes)"
    ]


def test_an_episode_file_not_ending_in_md_is_named_not_dropped(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/002-two.MD": episode(guid="g2"),
            "episodes/003-three.markdown": episode(guid="g3"),
            "episodes/004-four.md.txt": episode(guid="g4"),
            "episodes/ideas.txt": "not an episode, and not taken for one",
        }
    )
    assert report(root) == [
        f"episodes/{name}: warning: is not read as an episode: only files ending in '.md' are "
        f"(rename it to {stem}.md, or move it out of episodes/)"
        for name, stem in [
            ("002-two.MD", "002-two"),
            ("003-three.markdown", "003-three"),
            ("004-four.md.txt", "004-four"),
        ]
    ]


def test_an_episode_with_a_wrong_key_is_checked_alone_not_with_the_others(
    make_project: MakeProject,
) -> None:
    """Without its wrong optional keys, an episode's other checks run in the same run (its
    audio, its notes), but not the checks across episodes: a serial show's episode whose
    number is wrong is not also "without a number", nor its guid a duplicate."""
    root = make_project(
        {
            "podcast.yaml": show(type="serial"),
            "episodes/001-episode.md": episode(episode=1),
            "episodes/002-wrong.md": episode(
                "![A photo](photo.jpg)", episode="two", audio="gone.mp3", title="Two"
            ),
        }
    )
    assert [(p.file, p.code) for p in validate(root).problems] == [
        ("episodes/002-wrong.md", "audio-missing"),
        ("episodes/002-wrong.md", "wrong-type"),
        ("episodes/002-wrong.md", "notes-image"),
    ]


def test_a_show_with_a_wrong_key_is_checked_without_it(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """podcast.yaml's other checks (its artwork) run in the same run as its wrong optional
    key is reported; nothing is written, and `new` and `publish` refuse the show."""
    root = make_project({"podcast.yaml": show(image="missing.jpg", colour="blue")})
    assert [(p.field, p.code) for p in validate(root).problems] == [
        ("image", "artwork-missing"),
        ("colour", "unknown-key"),
    ]
    code, _, err = run("new", str(AUDIO / "vbr.mp3"), "--root", str(root))
    assert (code, err) == (1, "error: podcast.yaml has errors; run 'podcast-feed validate' first\n")
    code, _, err = run("publish", str(tmp_path / "site"), "--root", str(root))
    assert code == 1 and "[unknown-key]" in err and not (tmp_path / "site" / "feed.xml").exists()


@pytest.mark.parametrize(
    ("language", "fix"),
    [
        ("en_US", "write en-us: a region follows a hyphen"),
        ("pt_BR", "write pt-br: a region follows a hyphen"),
        ("xx_YY", "use two letters, optionally with a region: en, en-us, de-at"),
        ("English", "write its code: en"),
        ("Deutsch", "write its code: de"),
        ("Bahasa Indonesia", "write its code: id"),
        ("Klingon", "use two letters, optionally with a region: en, en-us, de-at"),
    ],
)
def test_a_locale_for_a_language_is_told_its_form(
    make_project: MakeProject, language: str, fix: str
) -> None:
    root = make_project({"podcast.yaml": show(language=language)})
    assert report(root) == [
        f"podcast.yaml:4: error: language: '{language}' is not an ISO 639-1 language code ({fix})"
    ]


def test_an_episode_in_a_folder_of_episodes_is_named_not_dropped(
    make_project: MakeProject,
) -> None:
    """Only episodes/ itself is read: an episode filed by year would leave the feed without a
    word. Hidden folders (an editor's) and files that are not Markdown are not episodes."""
    root = make_project(
        {
            "episodes/2024/002-two.md": episode(guid="g2"),
            "episodes/2024/old/003-three.MD": episode(guid="g3"),
            "episodes/2024/cover-notes.txt": "not an episode",
            "episodes/.obsidian/workspace.md": "an editor's file",
        }
    )
    assert report(root) == [
        f"episodes/{name}: warning: is not read as an episode: only the files of episodes/ "
        f"itself are (move it to episodes/{moved}, or move it out of episodes/)"
        for name, moved in [
            ("2024/002-two.md", "002-two.md"),
            ("2024/old/003-three.MD", "003-three.md"),
        ]
    ]


@pytest.mark.parametrize(
    ("written", "fix"),
    [
        ("Tue, 03 Jun 2025 09:00:00 +0000", "2025-06-03 09:00+00:00"),  # an RSS pubDate
        ("June 3rd, 2025", "2025-06-03"),
        ("3 Jun 2025 18:30 GMT", "2025-06-03 18:30+00:00"),
        ("2025/6/3", "2025-06-03"),
        ("2025-06-03 9:05", "2025-06-03 09:05"),
        ("03.06.2025", "2025-06-03"),
        ("1748941200", "2025-06-03 09:00+00:00"),  # a Unix time, as exports have it
        ("20250603", "2025-06-03"),
    ],
)
def test_a_date_written_another_way_is_told_how_to_write_it(
    make_project: MakeProject, written: str, fix: str
) -> None:
    """A migration's dates come as the old host wrote them: where the form says which day it
    is, the fix is the line to write; nothing is guessed silently."""
    [problem] = only_episode(make_project, episode(date=written).replace("'", ""))
    assert problem.endswith(f"(write it as {fix})")
    assert "error: date: " in problem


def test_a_date_that_could_be_either_day_is_not_guessed(make_project: MakeProject) -> None:
    """06/03/2025 is June the 3rd in the US and 6 March in most other places."""
    [problem] = only_episode(make_project, episode(date="06/03/2025"))
    assert problem.endswith(
        "(write YYYY-MM-DD, or YYYY-MM-DD HH:MM with an optional +HH:MM offset)"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "date: 2025-02-30",
            "date: '2025-02-30' is not a day of the calendar (check the month, 01 to 12, and "
            "the day of that month)",
        ),
        (
            "date: 2025-06-03T09:00:00+25:00",
            "date: '2025-06-03T09:00:00+25:00' has a time or offset that cannot be read (write "
            "the time as HH:MM, 00:00 to 23:59, and any offset as +HH:MM under 24 hours, e.g. "
            "2025-06-03 09:00+02:00)",
        ),
        (
            "episode: 0x_",
            "episode: expected a whole number above 0, got '0x_' (write a number such as 1, "
            "without quotes)",
        ),
        (
            "episode: !!int two",
            "YAML syntax error: 'two' is not a valid !!int (correct the value, or remove its "
            "!! tag)",
        ),
        (
            "episode: !!int ''",
            "YAML syntax error: '' is not a valid !!int (correct the value, or remove its !! tag)",
        ),
        (
            "explicit: !!bool maybe",
            "YAML syntax error: 'maybe' is not a valid !!bool (correct the value, or remove "
            "its !! tag)",
        ),
    ],
)
def test_values_yaml_itself_cannot_make_are_reported_not_a_traceback(
    make_project: MakeProject, line: str, expected: str
) -> None:
    """PyYAML's patterns take `2025-02-30` for a date and `0x_` for a number, then fail to
    make them with a Python error: that must be the key's problem, on its line."""
    left_out: dict[str, Any] = {line.split(":")[0]: None}
    text = episode(**left_out).replace("---\n\n", f"{line}\n---\n\n", 1)
    number = text.split("\n").index(line) + 1
    assert only_episode(make_project, text) == [
        f"episodes/001-episode.md:{number}: error: {expected}"
    ]


def test_front_matter_that_is_not_a_mapping(make_project: MakeProject) -> None:
    assert only_episode(make_project, "---\n- a\n- b\n---\n") == [
        "episodes/001-episode.md:2: error: expected keys and values, got a list "
        "(write one 'key: value' per line)"
    ]


def test_file_that_is_not_utf8(make_project: MakeProject) -> None:
    text = episode(title="Caf\u00e9").encode("latin-1")
    assert only_episode(make_project, text) == [
        "episodes/001-episode.md:2: error: the file is not UTF-8 (byte 0xe9 at offset 14) "
        "(save it as UTF-8 in your editor)"
    ]


def test_a_file_that_is_not_utf8_has_its_other_problems_reported_in_the_same_run(
    make_project: MakeProject,
) -> None:
    """Saved as Windows-1252, an episode or podcast.yaml is still read on, each bad byte as
    U+FFFD: fixing the encoding must not be the first of several runs."""
    text = episode(notes="Caf\u00e9 au lait.", date="2025-13-01", explicit="maybe")
    values = show(title="Caf\u00e9 Show", language="english")
    shown = yaml.safe_dump(values, sort_keys=False, allow_unicode=True)
    root = make_project(
        {"episodes/001-episode.md": text.encode("cp1252"), "podcast.yaml": shown.encode("cp1252")}
    )
    lines = report(root)
    assert [line.split(": error: ")[0] for line in lines] == [
        "episodes/001-episode.md:3",
        "episodes/001-episode.md:6",
        "episodes/001-episode.md:9",
        "podcast.yaml:1",
        "podcast.yaml:4",
    ], lines
    for line, saved in [(lines[2], text), (lines[3], shown)]:
        offset = saved.encode("cp1252").index(b"\xe9")
        assert line.endswith(
            f"error: the file is not UTF-8 (byte 0xe9 at offset {offset}) "
            "(save it as UTF-8 in your editor)"
        )
    assert "date: '2025-13-01' is not a day" in lines[0] and "explicit:" in lines[1]
    assert "language: 'english'" in lines[4]
    output = root.parent / "public"  # read on, but never published
    assert run("build", "--root", str(root), "--output", str(output))[0] == 1
    assert not output.exists()
    assert "date: '2025-13-01'" in lines[0] and "explicit:" in lines[1]
    assert "language:" in lines[4]


def test_control_character_is_reported_with_its_line(make_project: MakeProject) -> None:
    assert only_episode(make_project, episode(notes="fine\n\nbell \x07 here")) == [
        "episodes/001-episode.md:10: error: contains the control character U+0007, which XML "
        "feeds cannot carry (delete it; it is often invisible, so retype the line)"
    ]


def test_alias_bomb_is_refused_quickly(make_project: MakeProject) -> None:
    bomb = (
        "---\n"
        + "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
            f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9)
        )
        + "---\n"
    )
    assert only_episode(make_project, bomb) == [
        "episodes/001-episode.md:2: error: the YAML is nested too deeply or expands to too many "
        "values (simplify it; anchors and aliases are rarely needed here)"
    ]


def test_a_category_and_its_subcategory_as_one_pair(make_project: MakeProject) -> None:
    """`- Business: Management` is `- category: Business` with `subcategory: Management`,
    checked the same way."""
    root = make_project(
        {"podcast.yaml": show(categories=[{"Business": "Management"}, {"Arts": "Book"}])}
    )
    assert report(root) == [
        "podcast.yaml:12: error: categories.1.subcategory: 'Book' is not a subcategory of "
        "'Arts' (did you mean 'Books'?)"
    ]
    (root / "podcast.yaml").write_text(
        yaml.safe_dump(show(categories=[{"Business": "Management"}, "Technology"]))
    )
    build(root, root / "public")
    feed = etree.parse(str(root / "public" / "feed.xml"))
    itunes = {"i": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    tops = cast(list[etree._Element], feed.xpath("/rss/channel/i:category", namespaces=itunes))
    assert [(c.get("text"), [s.get("text") for s in c]) for c in tops] == [
        ("Business", ["Management"]),
        ("Technology", []),
    ]


def test_legacy_and_misspelt_categories(make_project: MakeProject) -> None:
    problems = report(
        make_project(
            {
                "podcast.yaml": show(
                    categories=[
                        "Games & Hobbies",
                        "Tecnology",
                        {"category": "Arts", "subcategory": "Book"},
                        {"category": "Technology", "subcategory": "Management"},
                        {"category": "Arts", "subcategory": "Painting"},
                    ]
                )
            }
        )
    )
    assert problems == [
        "podcast.yaml:11: error: categories.0.category: 'Games & Hobbies' is a pre-2019 "
        "category Apple no longer accepts (use 'Leisure')",
        "podcast.yaml:12: error: categories.1.category: 'Tecnology' is not one of Apple's "
        "categories (did you mean 'Technology'?)",
        # on the subcategory's own line, below its category's
        "podcast.yaml:14: error: categories.2.subcategory: 'Book' is not a subcategory of "
        "'Arts' (did you mean 'Books'?)",
        "podcast.yaml:16: error: categories.3.subcategory: 'Management' is not a subcategory "
        "of 'Technology' ('Management' is a subcategory of 'Business': make that the category)",
        "podcast.yaml:18: error: categories.4.subcategory: 'Painting' is not a subcategory of "
        "'Arts' (choose from: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts)",
    ]


@pytest.mark.parametrize(
    ("written", "fix"),
    [
        (
            "arts: books",
            "a category and its subcategory are two keys: write '- Arts: Books', without "
            "quotes, or 'category: Arts' and 'subcategory: Books'",
        ),
        ("Arts > Foods", "did you mean 'Food'?"),
        ("Technology/Tech News", "'Tech News' is a subcategory of 'News': make that the category"),
        ("Technology - AI", "'Technology' has no subcategories: write the category alone"),
        (
            "Arts: Cooking",
            "choose from: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts",
        ),
        ("Technology: News", "'Technology' has no subcategories: write the category alone"),
    ],
)
def test_a_category_and_subcategory_written_as_one_name_are_told_apart(
    make_project: MakeProject, written: str, fix: str
) -> None:
    """A quoted `"Arts: Books"` (or `Arts > Books`, as sites show Apple's categories) is one
    name that is no category: the fix says how to write the two."""
    problems = report(make_project({"podcast.yaml": show(categories=[written])}))
    assert problems == [
        f"podcast.yaml:11: error: categories.0.category: {written!r} is not one of Apple's "
        f"categories ({fix})"
    ]


def test_bad_timezone_and_email(make_project: MakeProject) -> None:
    problems = report(
        make_project(
            {"podcast.yaml": show(timezone="Europe/Berln", owner={"name": "A", "email": "me@"})}
        )
    )
    assert problems == [
        "podcast.yaml:8: error: owner.email: 'me@' is not a valid email address "
        "(write it as name@example.com)",
        "podcast.yaml:16: error: timezone: 'Europe/Berln' is not a known time zone "
        "(did you mean 'Europe/Berlin'?)",
    ]


def test_naive_dates_take_the_show_timezone(make_project: MakeProject) -> None:
    root = make_project({"podcast.yaml": show(timezone="Asia/Tokyo")})
    [loaded] = validate(root).episodes
    assert loaded.published.isoformat() == "2025-01-06T10:00:00+09:00"


def test_every_language_named_is_given_a_code_apple_accepts() -> None:
    from podcast_feed.vocabulary import ISO_639_1, LANGUAGE_NAMES

    assert set(LANGUAGE_NAMES.values()) <= ISO_639_1
    assert all(name == name.casefold() and " " not in name for name in LANGUAGE_NAMES)


def test_text_where_an_episode_s_list_items_need_keys_is_told_the_keys(
    make_project: MakeProject,
) -> None:
    """`transcripts: [a.vtt]` or `persons: [Ada]` are what people write first: the fix names
    the key (the text in it, where the item has only one required), and doing as it says
    takes the error away."""
    cbr_vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n"
    wrong: dict[str, Any] = {
        "transcripts": "cbr.vtt",
        "persons": ["Ada"],
        "chapters": ["00:00 Intro"],
        "funding": "https://ko-fi.com/ada",
    }
    root = make_project({"episodes/001-episode.md": episode(**wrong), "media/cbr.vtt": cbr_vtt})
    assert [problem.split(": error: ", 1)[1] for problem in report(root)] == [
        "transcripts: expected a list, got 'cbr.vtt' (write it as a list: 'transcripts:', "
        "then '  - file: cbr.vtt' for each item)",
        "persons.0: expected keys and values, got 'Ada' (write it with its key: '- name: Ada')",
        "chapters.0: expected keys and values, got '00:00 Intro' (write its keys, each on a "
        "line of its own: '- start: ...', '  title: ...')",
        "funding: expected a list, got 'https://ko-fi.com/ada' (write it as a list: 'funding:', "
        "then '  - url: ...', '    text: ...' for each item)",
    ]
    right: dict[str, Any] = {
        "transcripts": [{"file": "cbr.vtt"}],
        "persons": [{"name": "Ada"}],
        "chapters": [{"start": 0, "title": "Intro"}],
        "funding": [{"url": "https://ko-fi.com/ada", "text": "Support Ada"}],
    }
    (root / "episodes" / "001-episode.md").write_text(episode(**right))
    assert report(root) == []


@pytest.mark.parametrize(("written", "meant"), [("clean", "false"), ("Explicit", "true")])
def test_explicit_in_apple_s_old_words_is_told_the_new_ones(
    make_project: MakeProject, written: str, meant: str
) -> None:
    assert only_episode(make_project, episode(explicit=written)) == [
        f"episodes/001-episode.md:6: error: explicit: expected true or false, got '{written}' "
        f"(write {meant}: Apple's values are true and false now)"
    ]


def test_a_list_or_owner_written_on_one_line_is_told_its_form(make_project: MakeProject) -> None:
    """`categories: Technology` and an owner as a mail client writes one are what people
    type first: the fix is the lines to write, not a pointer to the README."""
    root = make_project(
        {"podcast.yaml": show(categories="Technology", owner="Ada Lovelace <ada@show.example.com>")}
    )
    assert [problem.split(": error: ", 1)[1] for problem in report(root)] == [
        "owner: expected keys and values, got 'Ada Lovelace <ada@show.example.com>' (write it "
        "as two lines under 'owner:', '  name: Ada Lovelace' and '  email: "
        "ada@show.example.com')",
        "categories: expected a list, got 'Technology' (write it as a list: 'categories:', "
        "then a line '  - Technology' for each item)",
    ]


def test_a_word_yaml_reads_as_true_or_false_is_quoted_as_written(make_project: MakeProject) -> None:
    """`language: no` (Norwegian) and `title: Yes` are booleans to YAML 1.1: the fix was to
    write `language: "False"`. It quotes what the file says; `init --language no` writes it
    quoted."""
    text = yaml.safe_dump(show(), sort_keys=False).replace("language: en", "language: no")
    root = make_project({"podcast.yaml": text, "episodes/001-episode.md": episode(title=None)})
    (root / "episodes" / "001-episode.md").write_text(
        episode().replace("title: An Episode", "title: Yes")
    )
    assert report(root) == [
        "episodes/001-episode.md:2: error: title: expected text, got 'Yes', which YAML reads as "
        'true (put it in quotes: title: "Yes")',
        "podcast.yaml:4: error: language: expected text, got 'no', which YAML reads as false "
        '(put it in quotes: language: "no")',
    ]
    code, _, err = run("init", str(root.parent / "norsk"), "--language", "no")
    assert (code, err) == (0, "")
    assert validate(root.parent / "norsk").show is not None
