"""The command line as a user meets it: exit codes and exact messages, on real files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from podcast_feed.cli import app
from podcast_feed.errors import PROBLEM_CODES, WARNING_CODES
from podcast_feed.models import Category, FrontMatter, Owner, Publish, Show
from podcast_feed.output import STAGING_PREFIX
from podcast_feed.podcasting import (
    AlternateEnclosure,
    Chapter,
    Funding,
    License,
    Location,
    Person,
    RemoteItem,
    Soundbite,
    TranscriptRef,
    Txt,
    UpdateFrequency,
)

from .conftest import REPO, MakeProject, episode, show, snapshot

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_build_writes_feed_and_prints_one_summary_line(make_project: MakeProject) -> None:
    root = make_project()
    code, out, err = run("build", "--root", str(root))
    assert code == 0, err
    assert re.fullmatch(
        r"Published 1 episode \(0 drafts and 0 scheduled skipped\), 0:00:03 in all, "
        r"feed \d+\.\d kB -> .*show/public/feed\.xml; website -> .*show/public/index\.html\n",
        out,
    )
    assert err == ""
    assert (root / "public" / "feed.xml").read_bytes().startswith(b"<?xml")


def test_build_twice_gives_identical_bytes(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    assert run("build", "--root", str(root), "--output", str(tmp_path / "a"))[0] == 0
    assert run("build", "--root", str(root), "--output", str(tmp_path / "b"))[0] == 0
    assert (tmp_path / "a" / "feed.xml").read_bytes() == (tmp_path / "b" / "feed.xml").read_bytes()


def test_broken_episode_names_file_line_and_field(make_project: MakeProject) -> None:
    root = make_project({"episodes/002-broken.md": episode(guid="g2", date="12/03/2025")})
    code, out, err = run("build", "--root", str(root))
    assert code == 1
    assert out == ""
    assert err == (
        "episodes/002-broken.md:3: error: date: expected a date, got '12/03/2025' "
        "(write YYYY-MM-DD, or YYYY-MM-DD HH:MM with an optional +HH:MM offset) [invalid-date]\n"
        "1 error, 0 warnings\n"
        "Nothing was written.\n"
    )
    assert not (root / "public").exists()


def test_every_problem_in_every_file_is_reported_in_one_run(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(language="english", titel="Typo"),
            "episodes/002-a.md": episode(guid="g2", explicit="maybe"),
            "episodes/003-b.md": episode(guid="g3", audio="missing.mp3", title=2024),
        }
    )
    code, out, err = run("validate", "--root", str(root))
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        "episodes/002-a.md:6: error: explicit: expected true or false, got 'maybe' "
        "(write true or false) [wrong-type]",
        "episodes/003-b.md:2: error: title: expected text, got the number 2024 "
        '(put it in quotes: title: "2024") [wrong-type]',
        "podcast.yaml:4: error: language: 'english' is not an ISO 639-1 language code "
        "(write its code: en) [invalid-language]",
        "podcast.yaml:17: error: titel: unknown key 'titel' (did you mean 'title'?) [unknown-key]",
        "4 errors, 0 warnings",
    ]


def test_failed_build_leaves_the_previous_feed_untouched(make_project: MakeProject) -> None:
    root = make_project()
    assert run("build", "--root", str(root))[0] == 0
    before = snapshot(root / "public")
    assert "feed.xml" in before and "index.html" in before
    (root / "episodes" / "002-bad.md").write_text(episode(guid="g2", audio="nope.mp3"))
    code, _, err = run("build", "--root", str(root))
    assert code == 1
    assert "episodes/002-bad.md:4: error: audio: 'nope.mp3' is not in media/" in err
    assert snapshot(root / "public") == before  # no temporary file left either


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_build_stopped_part_way_says_so_and_leaves_the_last_one(
    make_project: MakeProject, stop: signal.Signals
) -> None:
    """Ctrl-C, or the SIGTERM a cancelled CI job gets, while the build reads its inputs."""
    root = make_project()
    assert run("build", "--root", str(root))[0] == 0
    before = snapshot(root / "public")
    cover = root / "media" / "cover.jpg"
    cover.unlink()
    os.mkfifo(cover)  # a read that waits, as on a stalled network drive, until it is written
    command = [sys.executable, "-m", "podcast_feed", "build", "--root", str(root)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as build:
        with cover.open("wb"):  # returns once the build has opened the cover to read it
            build.send_signal(stop)
        out, err = build.communicate(timeout=60)
    assert build.returncode == 130, err
    assert err.decode().splitlines()[-1] == "interrupted: nothing was written"
    assert b"Traceback" not in out + err
    assert snapshot(root / "public") == before  # no staging folder left either


def test_build_never_modifies_episodes_or_media(make_project: MakeProject) -> None:
    root = make_project({"episodes/002-no-guid.md": episode(guid=None, audio="vbr.mp3")})
    before = digest(root / "episodes") | digest(root / "media")
    assert run("build", "--root", str(root))[0] == 0
    assert digest(root / "episodes") | digest(root / "media") == before


def test_missing_guid_warns_with_the_exact_line_to_add(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(guid=None)})
    code, _, err = run("build", "--root", str(root))
    assert code == 0
    guid = re.search(r"using ([0-9a-f-]{36})", err)
    assert guid, err
    assert err.splitlines()[0] == (
        f"episodes/001-episode.md: warning: guid: not set; using {guid[1]} "
        f"(add the line 'guid: \"{guid[1]}\"' to the front matter so it never changes) "
        "[episode-guid-missing]"
    )
    assert (
        f'<guid isPermaLink="false">{guid[1]}</guid>' in (root / "public" / "feed.xml").read_text()
    )
    # the stand-in is stable from one build to the next
    assert run("build", "--root", str(root))[2] == err


def test_strict_turns_warnings_into_failure(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(guid=None)})
    assert run("validate", "--root", str(root))[0] == 0
    assert run("validate", "--root", str(root), "--strict")[0] == 1
    code, _, err = run("build", "--root", str(root), "--strict")
    assert code == 1
    assert err.endswith("0 errors, 1 warning\nNothing was written.\n")


def test_validate_json_report(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(titel="x")})
    code, out, _ = run("validate", "--root", str(root), "--format", "json")
    assert code == 1
    assert json.loads(out) == [
        {
            "file": "episodes/001-episode.md",
            "line": 6,
            "field": "titel",
            "severity": "error",
            "code": "unknown-key",
            "message": "unknown key 'titel'",
            "fix": "did you mean 'title'?",
        }
    ]


def test_no_show_here_is_a_clear_error(tmp_path: Path) -> None:
    code, out, err = run("build", "--root", str(tmp_path))
    assert (code, out) == (1, "")
    assert err == (
        f"error: no podcast.yaml in {tmp_path}; run the command in the show's "
        "folder or pass --root\n"
    )


def test_a_folder_inside_a_show_is_told_which_root_to_pass(make_project: MakeProject) -> None:
    root = make_project()
    code, _, err = run("validate", "--root", str(root / "episodes"))
    assert code == 1
    assert err == (
        f"error: no podcast.yaml in {root / 'episodes'}; run the command in the show's folder "
        f"or pass --root {root.resolve()}\n"
    )


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (Path.mkdir, "is a folder; the show's settings must be a YAML file of that name"),
        (os.mkfifo, "is not a regular file (a pipe or a device); the show's settings must be"),
        (
            lambda path: path.symlink_to("settings/podcast.yaml"),
            "is a link to settings/podcast.yaml, which does not exist; point it at",
        ),
    ],
)
def test_a_podcast_yaml_that_is_not_a_file_is_told_what_it_is(
    tmp_path: Path, make: Callable[[Path], object], said: str
) -> None:
    make(tmp_path / "podcast.yaml")  # was "no podcast.yaml in ...", with one right there
    code, out, err = run("validate", "--root", str(tmp_path))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {tmp_path / 'podcast.yaml'} {said}"), err


def test_usage_errors_exit_2(make_project: MakeProject) -> None:
    root = make_project()
    assert run("build", "--root", str(root), "--now", "yesterday")[0] == 2
    assert run("validate", "--format", "xml")[0] == 2
    assert run("frobnicate")[0] == 2


@pytest.mark.parametrize("command", [["build"], ["validate"], ["publish", "out"], ["new", "a.mp3"]])
def test_a_time_that_is_not_one_names_the_option(
    make_project: MakeProject, command: list[str]
) -> None:
    """It said "Invalid value: 'yesterday' is not...": which of the options?"""
    root = make_project()
    code, _, err = run(*command, "--root", str(root), "--now", "yesterday")
    assert code == 2
    assert err.endswith(
        "Error: Invalid value for '--now': 'yesterday' is not an ISO date like 2025-06-03T09:00Z\n"
    ), err


@pytest.mark.parametrize(("guid", "exit_code"), [(None, 0), ("", 1)])
def test_a_reader_gone_away_ends_the_output_not_the_exit_code(
    make_project: MakeProject, guid: str | None, exit_code: int
) -> None:
    """`validate | head` under CI's pipefail: a warning-only show still passes, a broken one
    still fails, and neither prints a 'Broken pipe' error."""
    root = make_project({"episodes/001-episode.md": episode(guid=guid)})
    for output in ("stdout", "stderr"):
        reading, writing = os.pipe()
        os.close(reading)  # the reader left before the first line
        pipes: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
        pipes[output] = writing
        command = [sys.executable, "-m", "podcast_feed", "validate", "--root", str(root)]
        finished = subprocess.run(command, **pipes, timeout=60, check=False)
        os.close(writing)
        assert finished.returncode == exit_code, (output, finished.stderr)
        assert finished.stderr in (None, b""), output


def test_scheduled_and_draft_episodes_are_left_out_and_counted(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/002-later.md": episode(guid="g2", date="2025-02-01 10:00", audio="vbr.mp3"),
            "episodes/003-draft.md": episode(guid="g3", draft=True, audio="not-recorded-yet.mp3"),
            "episodes/004-last.md": episode(guid="g4", date="2025-03-01 10:00", audio="tone.m4a"),
        }
    )
    code, out, _ = run("build", "--root", str(root), "--now", "2025-01-31T00:00:00Z")
    assert code == 0
    assert out.startswith(  # the first to go out, when: the schedule, confirmed
        "Published 1 episode (1 draft and 2 scheduled skipped: the next, episodes/002-later.md, "
        "goes out 2025-02-01 10:00 UTC), "
    )
    code, out, _ = run("build", "--root", str(root), "--now", "2025-03-01T10:00:00Z")
    assert out.startswith("Published 3 episodes (1 draft and 0 scheduled skipped), ")


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    commands = [command.name for command in app.registered_commands if command.name]
    assert commands
    for name in commands:
        code, out, _ = run(name, "--help")
        assert code == 0
        assert "Example: podcast-feed " + name in out
        assert f"podcast-feed {name}" in readme, f"README does not show `{name}`"
    # the list of commands gives each its whole summary, never one cut off with "..."
    listed = run("--help")[1].split("Commands:")[1].splitlines()
    summaries = dict(line.split(maxsplit=1) for line in listed if line.strip())
    assert sorted(summaries) == sorted(commands)
    assert not [summary for summary in summaries.values() if summary.endswith("...")]


def test_every_value_in_the_help_is_named_for_what_it_holds() -> None:
    """click 8.5 names a value by its type (`--now <str>`, `--season <int range>`, `{audio}`):
    each is named for what it is, as the README writes them, or lists its choices."""
    names = {"DIR", "TIME", "FEED", "TEXT", "URL", "NAME", "EMAIL", "CODE", "N", "ADDRESS", "PORT"}
    commands = [command.name for command in app.registered_commands if command.name]
    for name in commands:
        out = run(name, "--help")[1]
        values = re.findall(r"^ +(?:-\w, )?--[\w-]+ (\S+)  ", out, re.MULTILINE)
        assert [value for value in values if value not in names and "|" not in value] == []
        usage = out.splitlines()[0]
        arguments = usage.split("[OPTIONS]")[1].split()
        assert [
            a for a in arguments if not re.fullmatch(r"[\[{][A-Z]+(\.\.\.)?[\]}](\.\.\.)?", a)
        ] == []


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert re.fullmatch(r"podcast-feed \S+\n", out)


def test_every_problem_code_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    assert len(PROBLEM_CODES) > 80
    assert sorted(code for code in PROBLEM_CODES if f"`{code}`" not in readme) == []


def test_github_format_annotates_each_problem_on_its_line(make_project: MakeProject) -> None:
    """GitHub's workflow commands: `%`, CR and LF escaped everywhere, `:` and `,` in the
    properties too (a file name with a comma must stay one property)."""
    root = make_project(
        {
            "episodes/001-episode.md": episode(date="12/03/2025"),
            "episodes/002-a, b.md": episode(title="A", audio="vbr-no-xing.mp3", guid="g2"),
        }
    )
    code, out, _ = run("validate", "--root", str(root), "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        "::error file=episodes/001-episode.md,line=3,title=invalid-date::date: expected a date, "
        "got '12/03/2025' (write YYYY-MM-DD, or YYYY-MM-DD HH:MM with an optional +HH:MM "
        "offset)",
        "::warning file=episodes/002-a%2C b.md,line=4,title=vbr-without-header::audio: "
        "'vbr-no-xing.mp3' is VBR without a Xing/VBRI header: apps will guess its length "
        "wrongly and seek badly (re-encode it with a header: lame writes one by default, "
        "ffmpeg with -write_xing 1)",
        "1 error, 1 warning",
    ]


def test_github_format_says_when_there_are_more_problems_than_github_annotates(
    make_project: MakeProject,
) -> None:
    """GitHub shows 10 annotations of a kind a step and drops the rest silently: past that,
    a notice says how many are only in the log."""
    root = make_project(
        {f"episodes/{n:03d}-episode.md": episode(guid=None, title=f"E{n}") for n in range(1, 13)}
    )
    code, out, _ = run("validate", "--root", str(root), "--format", "github")
    lines = out.splitlines()
    assert code == 1  # every episode after the first shares the first one's audio
    assert sum(line.startswith("::error ") for line in lines) == 11
    assert sum(line.startswith("::warning ") for line in lines) == 12
    assert lines[23:] == [
        "::notice title=podcast-feed::GitHub annotates 10 problems of a kind a step; 1 of the "
        "11 errors and 2 of the 12 warnings are only in this step's log, which lists them all",
        "11 errors, 12 warnings",
    ]


def test_github_annotations_name_files_from_the_top_of_the_repository(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A show in a folder of its repository (`--root podcast`): GitHub places an annotation by
    its path from the checkout's top, GITHUB_WORKSPACE."""
    root = make_project({"episodes/001-episode.md": episode(date="12/03/2025")})
    monkeypatch.setenv("GITHUB_WORKSPACE", str(root.parent))
    _, out, _ = run("validate", "--root", str(root), "--format", "github")
    assert out.startswith(f"::error file={root.name}/episodes/001-episode.md,line=3,")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(root))
    _, out, _ = run("validate", "--root", str(root), "--format", "github")
    assert out.startswith("::error file=episodes/001-episode.md,line=3,")


def test_the_readme_gives_each_code_the_severity_it_can_have() -> None:
    """`ignore_warnings` accepts exactly the codes the README's table calls a warning."""
    readme = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| (`[a-z0-9-]+`(?: / `[a-z0-9-]+`)*) \| ([^|]+) \|", readme, re.M)
    severities = {
        code: severity for codes, severity in rows for code in re.findall(r"`([^`]+)`", codes)
    }
    assert set(severities) == PROBLEM_CODES
    assert {code for code, severity in severities.items() if "warning" in severity} == (
        WARNING_CODES
    )


def test_every_code_the_package_names_is_registered() -> None:
    """The registry is complete: a code string written in the package but missing from it
    would fail only when its problem is first made."""
    sources = "".join(
        path.read_text()
        for path in (REPO / "podcast_feed").glob("*.py")
        if path.name != "vocabulary.py"  # person roles (co-host...) are not codes
    )
    quoted = set(re.findall(r'"([a-z0-9]+(?:-[a-z0-9]+)+)",?\n', sources))
    assert sorted(quoted - PROBLEM_CODES - {"podcast-feed"}) == []


def test_unwritable_output_is_a_clear_error(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    code, out, err = run("build", "--root", str(root), "--output", str(blocker / "public"))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: cannot write {blocker / 'public'}: Not a directory")
    assert "Traceback" not in err


def test_every_podcast_yaml_and_front_matter_key_is_documented() -> None:
    readme = (REPO / "README.md").read_text()
    models: list[type[BaseModel]] = [
        Show,
        FrontMatter,
        Owner,
        Category,
        Chapter,
        TranscriptRef,
        Person,
        Funding,
        Location,
        License,
        Soundbite,
        AlternateEnclosure,
        Txt,
        UpdateFrequency,
        RemoteItem,
        Publish,
    ]
    undocumented = sorted(
        f"{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        if not re.search(rf"(^|\s|-\s|\{{){re.escape(name)}:", readme, re.MULTILINE)
    )
    assert undocumented == []


def test_staging_folders_of_killed_builds_are_removed(make_project: MakeProject) -> None:
    root = make_project(
        {"episodes/001-episode.md": episode(chapters=[{"start": 0, "title": "Start"}])}
    )
    assert run("build", "--root", str(root))[0] == 0
    public = root / "public"
    dead = public / f"{STAGING_PREFIX}4194305"  # a process id no system hands out
    old = public / f"{STAGING_PREFIX}k2j4h5g6"
    fresh = public / f"{STAGING_PREFIX}a1b2c3d4"
    alive = public / f"{STAGING_PREFIX}{os.getpid()}"  # a build still running
    for folder in (dead, old, fresh, alive):
        folder.mkdir()
        (folder / "0.tmp").write_text("half a file")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert run("build", "--root", str(root))[0] == 0
    assert not dead.exists() and not old.exists()
    assert fresh.exists() and alive.exists()
    assert snapshot(fresh) == {"0.tmp": b"half a file"}


def test_a_build_that_fails_at_the_feed_deletes_nothing_and_names_the_file(
    make_project: MakeProject,
) -> None:
    with_chapters: dict[str, Any] = {"chapters": [{"start": 0, "title": "Start"}]}
    root = make_project(
        {
            "episodes/001-episode.md": episode(**with_chapters),
            "episodes/002-second.md": episode(guid="g2", audio="vbr.mp3", **with_chapters),
        }
    )
    assert run("build", "--root", str(root))[0] == 0
    public = root / "public"
    (public / "feed.xml").unlink()
    (public / "feed.xml").mkdir()  # the feed cannot be written: a folder is in the way
    (root / "episodes" / "002-second.md").unlink()
    code, out, err = run("build", "--root", str(root))
    assert (code, out) == (1, "")
    assert err == (
        f"error: cannot write {public / 'feed.xml'}: Is a directory (a file or folder of that "
        "name is in the way; move it)\n"
    )
    # the stale chapters and page of the removed episode stay until a feed without it is in place
    assert (public / "chapters" / "002-second.json").exists()
    assert (public / "episodes" / "002-second" / "index.html").exists()
    assert not list(public.glob(f"{STAGING_PREFIX}*"))


def test_concurrent_builds_with_stale_files_both_succeed(make_project: MakeProject) -> None:
    """Two builds at once (a save in `serve` and a CI job) each delete the stale chapter files
    and pages of removed episodes; the one that finds a file already gone goes on."""
    root = make_project()
    public = root / "public"
    for round_ in range(3):
        (public / "chapters").mkdir(parents=True, exist_ok=True)
        for n in range(300):
            (public / "chapters" / f"gone-{n}.json").write_text("{}")
            (public / "episodes" / f"gone-{n}").mkdir(parents=True, exist_ok=True)
            (public / "episodes" / f"gone-{n}" / "index.html").write_text("<p>old</p>")
        command = [sys.executable, "-m", "podcast_feed", "build", "--root", str(root)]
        running = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        results = [process.communicate(timeout=120) for process in running]
        assert [process.returncode for process in running] == [0, 0], (round_, results)
        assert not list((public / "chapters").glob("gone-*"))
        assert not list((public / "episodes").glob("gone-*"))
