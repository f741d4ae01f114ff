"""init, new and inspect through the CLI, on real folders and real audio files."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from mutagen.id3 import ID3, TIT2

from podcast_feed import validate
from podcast_feed.installed import ci_requirement
from podcast_feed.models import podcast_guid_for
from podcast_feed.notes import NOTES_PLACEHOLDER, NOTES_TEMPLATE_LINK
from podcast_feed.scaffold import created

from .conftest import AUDIO, REPO, MakeProject, needed_tool, run, show, snapshot


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_creates_a_show_that_validates(tmp_path: Path) -> None:
    folder = tmp_path / "new-show"
    code, out, _ = run(
        "init",
        str(folder),
        "--title",
        "Küche & Code",
        "--feed-url",
        "https://kc.example.com/podcast/feed.xml",
        "--author",
        "Ada",
        "--email",
        "ada@kc.example.com",
    )
    assert code == 0
    made = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert made == [
        ".github/workflows/podcast-feed.yml",
        ".gitignore",
        "episodes/.gitkeep",
        "media/cover.jpg",
        "podcast.yaml",
    ]
    wrote = [line.split("new-show/")[1] for line in out.splitlines() if line.startswith("wrote ")]
    assert sorted(wrote) == made
    assert wrote[-1] == "podcast.yaml"  # last: an init stopped before it is run again
    settings = yaml.safe_load((folder / "podcast.yaml").read_text())
    assert settings["title"] == "Küche & Code"
    assert settings["media_base_url"] == "https://kc.example.com/podcast/media/"
    assert settings["podcast_guid"] == str(
        podcast_guid_for("https://kc.example.com/podcast/feed.xml")
    )
    assert "# copyright:" in (folder / "podcast.yaml").read_text()  # optional keys documented
    assert (folder / ".gitignore").read_text() == "/public/\n/.podcast-feed-cache/\n"
    assert_github_accepts(folder / ".github/workflows/podcast-feed.yml")
    workflow = yaml.safe_load((folder / ".github/workflows/podcast-feed.yml").read_text())
    steps = [step.get("run", "") for step in workflow["jobs"]["feed"]["steps"]]
    assert steps[steps.index("podcast-feed validate --strict --format github") :][-2:] == [
        "podcast-feed publish --dry-run",
        "podcast-feed publish --strict",
    ]
    # the podcast-feed that wrote it (installed.py), or a step failing with what to write
    install = next(step for step in steps if "pip install" in step or "::error::" in step)
    requirement = ci_requirement().line
    if requirement is not None:
        assert install == f'pip install "{requirement}"'
    else:
        assert install.endswith(' where to install podcast-feed from" && exit 1')
        assert "note: podcast-feed was installed from" in out
    assert workflow["concurrency"]["cancel-in-progress"] is False
    readme = (REPO / "README.md").read_text()
    recipe = readme.split("## Running in CI", 1)[1].split("```yaml\n")[1].split("```")[0]
    in_readme = yaml.safe_load(recipe)
    readme_steps = in_readme["jobs"]["feed"]["steps"]
    at = next(i for i, step in enumerate(readme_steps) if "pip install" in step.get("run", ""))
    assert readme_steps[at]["run"].startswith('pip install "podcast-feed @ git+https://')
    readme_steps[at] = {"run": install}
    assert in_readme == workflow  # the README's copy is what init writes, but for the commit
    assert workflow[True]["schedule"] == [{"cron": "7 * * * *"}]  # YAML 1.1 reads `on` as True
    # what init wrote is valid: until `new`, nothing is published; its placeholders are named
    assert [(p.code, p.field) for p in validate(folder).problems] == [
        ("no-episodes", None),
        ("show-template", "description"),
        ("show-template", "image"),
    ]


def assert_github_accepts(workflow: Path) -> None:
    """GitHub's schema for workflow files, as SchemaStore publishes it, accepts the file."""
    schema = ("--builtin-schema", "vendor.github-workflows")
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema, str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


class _Context(dict[str, Any]):
    """A GitHub Actions context: a property it lacks is null, as in GitHub's expressions."""

    def __getattr__(self, name: str) -> Any:
        value = self.get(name)
        return _Context(value) if isinstance(value, dict) else value


def _evaluated(expression: str, event: str, ref: str, default_branch: str | None) -> Any:
    """A workflow expression (the subset init writes: ==, !=, &&, ||, parentheses, strings,
    properties and format) evaluated for one event; `default_branch` None: the event carries
    no repository, as a schedule's does."""
    inner = expression.strip().removeprefix("${{").removesuffix("}}")
    assert set(re.findall(r"[&|!=]+", inner)) <= {"&&", "||", "==", "!="}, inner
    python = inner.replace("&&", " and ").replace("||", " or ")
    repository = {} if default_branch is None else {"default_branch": default_branch}
    github = _Context(
        event_name=event,
        ref=ref,
        ref_name=ref.removeprefix("refs/heads/"),
        event={"repository": repository} if repository else {},
    )
    namespace = {"github": github, "format": lambda text, *args: text.format(*args)}
    return eval(python, {"__builtins__": {}}, namespace)  # init's own template, no input


@pytest.mark.parametrize(
    ("event", "ref", "default_branch", "publishes"),
    [
        ("push", "refs/heads/main", "main", True),
        ("push", "refs/heads/master", "master", True),  # not every default branch is main
        ("push", "refs/heads/main", "master", False),
        ("push", "refs/heads/draft-episode", "main", False),
        ("pull_request", "refs/pull/7/merge", "main", False),
        ("schedule", "refs/heads/master", None, True),  # its event names no repository
        ("workflow_dispatch", "refs/heads/main", "main", True),
        ("workflow_dispatch", "refs/heads/draft-episode", "main", False),
    ],
)
def test_init_workflow_publishes_from_the_default_branch_and_queues_only_publishes_together(
    tmp_path: Path, event: str, ref: str, default_branch: str | None, publishes: bool
) -> None:
    """GitHub keeps one waiting run per concurrency group and cancels it for the next: a
    check of another branch sharing the publishing group would cancel a waiting publish."""
    assert run("init", str(tmp_path / "show"))[0] == 0
    path = tmp_path / "show/.github/workflows/podcast-feed.yml"
    workflow = yaml.safe_load(path.read_text())
    step = next(
        s
        for s in workflow["jobs"]["feed"]["steps"]
        if s.get("run", "").endswith("--strict") and "publish" in s["run"]
    )
    assert bool(_evaluated(step["if"], event, ref, default_branch)) is publishes
    group = _evaluated(workflow["concurrency"]["group"], event, ref, default_branch)
    assert group == ("podcast-feed-publish" if publishes else f"podcast-feed-{ref}")


def test_init_in_a_folder_of_a_repository_writes_a_workflow_that_runs_there(
    tmp_path: Path,
) -> None:
    """GitHub runs only the workflows at a repository's top: for a show in a folder of one,
    init's workflow works in that folder, and init says where to move it."""
    top = tmp_path / "site"
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    show = top / "pod: cast #1"  # a name YAML must quote
    code, out, _ = run("init", str(show))
    assert code == 0
    assert out.splitlines()[-2] == (
        f"note: {show} is inside the git repository {top}, and GitHub runs only the workflows "
        f"at a repository's top: move {show}/.github/workflows/podcast-feed.yml to "
        f"{top}/.github/workflows/podcast-feed.yml (it already runs in the show's folder)"
    )
    assert_github_accepts(show / ".github/workflows/podcast-feed.yml")
    nested = yaml.safe_load((show / ".github/workflows/podcast-feed.yml").read_text())
    assert nested["jobs"]["feed"].pop("defaults") == {"run": {"working-directory": show.name}}
    cache = next(s for s in nested["jobs"]["feed"]["steps"] if "actions/cache" in s.get("uses", ""))
    assert cache["with"]["path"] == f"{show.name}/.podcast-feed-cache"
    cache["with"]["path"] = ".podcast-feed-cache"
    # at a repository's own top, the workflow is the usual one, and nothing is said
    code, out, _ = run("init", str(top))
    assert code == 0 and "inside the git repository" not in out
    assert yaml.safe_load((top / ".github/workflows/podcast-feed.yml").read_text()) == nested


def test_init_in_a_folder_with_a_gitignore_adds_what_it_lacks(tmp_path: Path) -> None:
    """A repository's own .gitignore is kept, with the build's output and the cache added
    where it lacks them: else `git add -A` commits a 32 MB cache. `public` counts."""
    folder = tmp_path / "show"
    folder.mkdir()
    (folder / ".gitignore").write_text("node_modules/\npublic")
    code, out, _ = run("init", str(folder))
    assert code == 0
    assert f"added /.podcast-feed-cache/ to {folder / '.gitignore'}" in out.splitlines()
    assert (folder / ".gitignore").read_text() == (
        "node_modules/\npublic\n# podcast-feed: the build's output and its cache\n"
        "/.podcast-feed-cache/\n"
    )
    # git agrees: neither the output nor the cache would be committed
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / "public").mkdir()
    (folder / "public" / "feed.xml").write_text("x")
    (folder / ".podcast-feed-cache").mkdir()
    (folder / ".podcast-feed-cache" / "cache.sqlite3").write_text("x")
    listed = subprocess.run(
        ["git", "-C", str(folder), "ls-files", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "podcast.yaml" in listed
    assert not [name for name in listed if name.startswith(("public/", ".podcast-feed-cache/"))]


def test_init_refuses_to_overwrite_a_show(make_project: MakeProject) -> None:
    root = make_project()
    before = (root / "podcast.yaml").read_bytes()
    code, out, err = run("init", str(root))
    assert (code, out) == (1, "")
    assert err == f"error: {root}/podcast.yaml already exists; init never overwrites a show\n"
    assert (root / "podcast.yaml").read_bytes() == before


def test_new_copies_audio_and_writes_the_next_episode(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project()
    recording = tmp_path / "recordings" / "Épisode Spécial (final).m4a"
    recording.parent.mkdir()
    shutil.copy(AUDIO / "tone.m4a", recording)
    before = sha(recording)
    code, out, _ = run("new", str(recording), "--root", str(root), "--now", "2025-03-04T05:06:00Z")
    assert code == 0, out
    assert out.splitlines()[:2] == [
        f"copied {recording} -> {root}/media/episode-special-final.m4a",
        f"wrote {root}/episodes/002-episode-special-final.md (episode 2: 'Épisode Spécial "
        "(final)')",
    ]
    assert sha(recording) == before and recording.exists()  # original untouched
    assert sha(root / "media" / "episode-special-final.m4a") == before
    text = (root / "episodes" / "002-episode-special-final.md").read_text()
    front = yaml.safe_load(text.split("---")[1])
    assert front["title"] == "Épisode Spécial (final)"
    assert front["date"] == "2025-03-04 05:06"
    assert front["audio"] == "episode-special-final.m4a"
    assert front["episode"] == 2
    assert len(front["guid"]) == 36
    assert "## Key Topics Covered" in text
    problems = validate(root).problems
    assert [p.code for p in problems] == ["notes-template"] * 2
    lines = text.splitlines()
    placeholder = lines.index(NOTES_PLACEHOLDER) + 1
    link = lines.index(f"- {NOTES_TEMPLATE_LINK}") + 1
    # where the text and the link to replace are, in the file's order
    assert [(p.line, p.message.split(" still hold ")[1]) for p in problems] == [
        (placeholder, "the text 'podcast-feed new' wrote"),
        (link, "the link 'podcast-feed new' wrote"),
    ]
    path = root / "episodes" / "002-episode-special-final.md"
    path.write_text(text.replace(NOTES_PLACEHOLDER, "Ada on product ops."))
    assert [p.line for p in validate(root).problems] == [link]  # one left: its warning left


def test_new_twice_on_one_recording_is_refused(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    recording = tmp_path / "take-1.m4a"
    shutil.copy(AUDIO / "tone.m4a", recording)
    assert run("new", str(recording), "--root", str(root), "--title", "Hello")[0] == 0
    before = snapshot(root)
    code, out, err = run("new", str(recording), "--root", str(root), "--title", "Hello again")
    assert (code, out) == (1, "")
    assert err == (
        "error: take-1.m4a is already the audio of episodes/002-hello.md (media/hello.m4a); "
        "edit that episode, or pass another recording\n"
    )
    assert snapshot(root) == before


def test_new_says_copied_only_when_it_copied(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    recording = tmp_path / "take-1.m4a"
    shutil.copy(AUDIO / "tone.m4a", recording)
    assert run("new", str(recording), "--root", str(root), "--title", "Hello")[1].startswith(
        "copied "
    )
    (root / "episodes" / "002-hello.md").unlink()  # the episode goes, its audio stays in media/
    code, out, _ = run("new", str(recording), "--root", str(root), "--title", "Hello")
    assert code == 0
    assert out.splitlines()[0] == f"wrote {root}/episodes/002-hello.md (episode 2: 'Hello')"
    assert sorted(p.name for p in (root / "media").glob("hello*")) == ["hello.m4a"]


def test_new_never_gives_two_recordings_one_stem(make_project: MakeProject, tmp_path: Path) -> None:
    """`hello.m4a` beside `hello.mp3` would share `hello.vtt`: the transcript, found by the
    audio's stem, of both episodes."""
    root = make_project()
    for recording, audio in (("a.mp3", "vbr.mp3"), ("b.m4a", "tone.m4a")):
        shutil.copy(AUDIO / audio, tmp_path / recording)
        assert (
            run("new", str(tmp_path / recording), "--root", str(root), "--title", "Hello")[0] == 0
        )
    assert sorted(p.name for p in (root / "media").glob("hello*")) == ["hello-2.m4a", "hello.mp3"]
    (root / "media" / "hello.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n")
    transcripts = {e.source: [t.file for t in e.transcripts] for e in validate(root).episodes}
    assert transcripts == {
        "episodes/001-episode.md": [],
        "episodes/002-hello.md": ["hello.vtt"],
        "episodes/003-hello.md": [],
    }


def test_new_names_a_title_without_latin_letters_for_its_number(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """Two Japanese titles once gave media/episode.mp3 and media/episode-2.mp3, the second for
    episode 4: a name that reads as another episode's."""
    root = make_project()
    names = []
    for recording, audio, title in (
        ("a.mp3", "vbr-no-xing.mp3", "最初の回"),
        ("b.mp3", "mpeg2-cbr-no-xing.mp3", "🎙️"),
    ):
        shutil.copy(AUDIO / audio, tmp_path / recording)
        assert run("new", str(tmp_path / recording), "--root", str(root), "--title", title)[0] == 0
        names.append(sorted(p.name for p in (root / "media").glob("episode-*")))
    assert names == [["episode-002.mp3"], ["episode-002.mp3", "episode-003.mp3"]]
    assert sorted(p.name for p in (root / "episodes").glob("00[23]-*.md")) == [
        "002-episode-002.md",
        "003-episode-003.md",
    ]
    assert {e.meta.title for e in validate(root).episodes} >= {"最初の回", "🎙️"}


def test_two_new_at_once_take_two_numbers(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    commands = []
    for name, audio in (("one", "tone.m4a"), ("two", "vbr.mp3")):
        shutil.copy(AUDIO / audio, tmp_path / f"{name}{Path(audio).suffix}")
        commands.append(
            [
                sys.executable,
                "-m",
                "podcast_feed",
                "new",
                str(tmp_path / f"{name}{Path(audio).suffix}"),
                "--root",
                str(root),
                "--title",
                "Same title",
            ]
        )
    running = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands
    ]
    assert [process.wait(timeout=60) for process in running] == [0, 0]
    created = sorted(p.name for p in (root / "episodes").glob("00[23]-*.md"))
    assert created == ["002-same-title.md", "003-same-title.md"]
    numbers = {
        yaml.safe_load((root / "episodes" / name).read_text().split("---")[1])["episode"]
        for name in created
    }
    assert numbers == {2, 3}
    codes = [p.code for p in validate(root).problems]
    assert sorted(codes) == ["duplicate-title", *["notes-template"] * 4]  # (text, link) x 2


def test_new_takes_the_title_from_the_audio_tags(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    tagged = tmp_path / "take3.mp3"
    shutil.copy(Path(__file__).parent.parent / "media" / "what-is-product-ops.mp3", tagged)
    code, out, _ = run("new", str(tagged), "--root", str(root))
    assert code == 0
    assert "(episode 2: 'What is Product Ops?')" in out


def test_new_with_audio_already_in_media_does_not_copy(make_project: MakeProject) -> None:
    root = make_project({"podcast.yaml": show(type="serial", timezone="Asia/Tokyo")})
    code, out, _ = run(
        "new",
        str(root / "media" / "vbr.mp3"),
        "--root",
        str(root),
        "--title",
        "Part two",
        "--season",
        "2",
        "--now",
        "2025-03-04T20:00:00Z",
    )
    assert code == 0
    assert not out.startswith("copied")
    # numbering per season; the file's name says the season, so it sorts after season 1's
    # 001-episode.md rather than beside it
    assert sorted(p.name for p in (root / "episodes").iterdir()) == [
        "001-episode.md",
        "s02e001-part-two.md",
    ]
    front = yaml.safe_load((root / "episodes" / "s02e001-part-two.md").read_text().split("---")[1])
    assert front["audio"] == "vbr.mp3"
    assert (front["season"], front["episode"]) == (2, 1)
    assert front["date"] == "2025-03-05 05:00"  # in the show's time zone


def test_new_refuses_audio_apple_does_not_accept_with_the_command_that_converts_it(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project()
    recording = tmp_path / "my recording.ogg"
    shutil.copy(AUDIO / "tone.ogg", recording)
    code, _, err = run("new", str(recording), "--root", str(root))
    assert code == 1
    converted = tmp_path / "my recording.mp3"
    command = f"ffmpeg -i '{recording}' -b:a 128k '{converted}'"
    assert err == (
        f"error: my recording.ogg: Apple does not accept .ogg files; convert it to MP3, e.g. "
        f"{command}, or to AAC in an .m4a file\n"
    )
    assert sorted(p.name for p in (root / "episodes").iterdir()) == ["001-episode.md"]
    # the command given does what it says
    ffmpeg, *arguments = shlex.split(command)
    subprocess.run([needed_tool(ffmpeg), "-loglevel", "error", *arguments], check=True)
    assert run("new", str(converted), "--root", str(root))[0] == 0


def test_new_tells_a_file_without_extension_to_be_named_for_its_format(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project()
    shutil.copy(AUDIO / "cbr.mp3", tmp_path / "recording")
    code, _, err = run("new", str(tmp_path / "recording"), "--root", str(root))
    assert (code, err) == (
        1,
        "error: recording: it has no extension; name it with its format's extension, one of "
        ".mp3, .m4a, .mp4, .m4v, .mov\n",
    )


def test_inspect_shows_a_chapter_at_the_second_it_starts_in(tmp_path: Path) -> None:
    """A chapter from 1.5 s is at 0:00:01, as the website's chapter list and the notes'
    timestamps have it (rounding said 0:00:02: a second after it starts)."""
    metadata = tmp_path / "chapters.txt"
    metadata.write_text(
        ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Opening\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3000\ntitle=Late start\n"
    )
    recording = tmp_path / "late.m4a"
    subprocess.run(
        [needed_tool("ffmpeg"), "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=3",
         "-i", str(metadata), "-map", "0", "-map_chapters", "1", "-c:a", "aac", str(recording)],
        check=True,
    )  # fmt: skip
    code, out, _ = run("inspect", str(recording))
    assert code == 0
    assert "  chapter 0:00:01 Late start\n" in out


def test_inspect_text_and_json() -> None:
    code, out, _ = run("inspect", str(AUDIO / "chapters.mp3"), str(AUDIO / "vbr-no-xing.mp3"))
    assert code == 0
    assert "  enclosure:   audio/mpeg" in out
    assert "  chapter 0:00:01 The middle" in out
    assert "VBR (no Xing/VBRI header; duration counted frame by frame)" in out
    code, out, _ = run(
        "inspect",
        "--format",
        "json",
        str(AUDIO / "tone.m4a"),
        str(Path(__file__).parent.parent / "media" / "what-is-product-ops.mp3"),
    )
    assert code == 0
    m4a, mp3 = json.loads(out)
    assert m4a["kind"] == mp3["kind"] == "audio"
    assert (m4a["format"], m4a["mime_type"], m4a["channels"]) == ("MP4", "audio/x-m4a", 1)  # mono
    assert abs(m4a["duration"] - 3.0) < 0.1
    assert mp3["tags"]["TIT2"] == ["What is Product Ops?"]
    assert mp3["bitrate_mode"] == "CBR"


def test_inspect_video_files() -> None:
    code, out, _ = run("inspect", str(AUDIO / "video.mp4"), str(AUDIO / "video.mov"))
    assert code == 0
    mp4, mov = out.split("\n\n")
    assert "  enclosure:   video/mp4" in mp4 and "  enclosure:   video/quicktime" in mov
    # the sound track's channels, not the picture's (the first track of each)
    assert "44100 Hz, 1 channel(s)" in mp4 and "44100 Hz, 1 channel(s)" in mov
    assert "  bitrate:     34 kbit/s" in mp4  # the AAC track's average
    assert "  bitrate:     not stated in the file" in mov  # not "0 kbit/s"
    assert "  index:       before the media (fast start)" in mp4
    code, out, _ = run("inspect", "--format", "json", str(AUDIO / "late-index.m4a"))
    assert json.loads(out)[0]["index_at_end"] is True


def test_inspect_reports_unreadable_files_and_fails(tmp_path: Path) -> None:
    (tmp_path / "noise.mp3").write_bytes(bytes(range(256)) * 8)  # no format, and not text
    pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a21\nsize 12345\n"
    (tmp_path / "ep.mp3").write_text(pointer)  # a checkout without `git lfs pull`
    (tmp_path / "ep.vtt").write_text(pointer)
    files = [AUDIO / "not-audio.mp3", tmp_path / "noise.mp3", tmp_path / "missing.mp3"]
    files += [tmp_path / "ep.mp3", tmp_path / "ep.vtt"]
    code, out, _ = run("inspect", *map(str, files))
    assert code == 1
    lfs = (
        "error: it is a Git LFS pointer, not the file: it was checked out without its content "
        "(run git lfs pull)"
    )
    assert out.splitlines() == [
        f"{AUDIO / 'not-audio.mp3'}: error: it holds text, not what its extension says (copy or "
        "download the recording again: this is text, such as the message a server sends "
        "instead of a file it will not give)",
        "",
        f"{tmp_path / 'noise.mp3'}: error: cannot be read as audio: can't sync to MPEG frame "
        "(check that the file is complete; export it again as MP3 or M4A)",
        "",
        f"{tmp_path / 'missing.mp3'}: error: no such file (check the path)",
        "",
        f"{tmp_path / 'ep.mp3'}: {lfs}",
        "",
        f"{tmp_path / 'ep.vtt'}: {lfs}",
    ]


def test_inspect_given_a_file_of_media_by_its_name_alone_points_there(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the show's folder, `inspect hello.mp3` means media/hello.mp3: it says so."""
    monkeypatch.chdir(make_project())
    code, out, _ = run("inspect", "cbr.mp3", "--format", "json")
    assert code == 1
    assert json.loads(out) == [
        {"file": "cbr.mp3", "error": "no such file (did you mean media/cbr.mp3?)"}
    ]
    assert run("inspect", "media/cbr.mp3")[0] == 0


def test_inspect_given_an_episode_file_names_its_audio(monkeypatch: pytest.MonkeyPatch) -> None:
    """`inspect episodes/001.md` was "no audio stream found": it is told what inspect reads,
    what checks these files, and the command for the episode's audio (which then works, from
    inside episodes/ too)."""
    sample = Path(__file__).parent.parent
    [episode_file] = sorted((sample / "episodes").glob("*.md"))[:1]
    code, out, _ = run("inspect", str(episode_file), str(sample / "podcast.yaml"))
    assert code == 1
    said = (
        "error: is not a media file: inspect reads audio, video, artwork and transcripts "
        "('podcast-feed validate' checks the episode files and podcast.yaml)"
    )
    episode_report, show_report = out.split("\n\n")
    assert show_report == f"{sample / 'podcast.yaml'}: {said}\n"
    assert episode_report.startswith(f"{episode_file}: {said}; its audio: podcast-feed inspect ")
    command = episode_report.rsplit("podcast-feed inspect ", 1)[1]
    code, out, _ = run("inspect", command)
    assert (code, out.splitlines()[0]) == (0, command.strip())
    assert out.splitlines()[1].startswith("  format:      ")
    monkeypatch.chdir(sample / "episodes")
    out = run("inspect", episode_file.name)[1]
    command = out.rsplit("podcast-feed inspect ", 1)[1].strip()
    assert command.startswith("../media/")
    assert run("inspect", command)[0] == 0


def test_inspect_given_a_feed_says_what_reads_one(make_project: MakeProject) -> None:
    root = make_project()
    assert run("build", "--root", str(root))[0] == 0
    feed = root / "public" / "feed.xml"
    code, out, _ = run("inspect", str(feed))
    assert (code, out) == (
        1,
        f"{feed}: error: is not a media file: inspect reads audio, video, artwork and "
        "transcripts ('podcast-feed validate --previous FEED' reads a feed, and checks the show "
        "against it)\n",
    )


def test_inspect_judges_an_image_as_artwork_and_reads_a_transcripts_cues(tmp_path: Path) -> None:
    """Before, any file not audio was 'no audio stream found', a cover image too."""
    from PIL import Image

    Image.new("CMYK", (1400, 1000)).save(tmp_path / "cover.jpg")
    sample = REPO / "media"
    code, out, _ = run(
        "inspect", str(tmp_path / "cover.jpg"), str(sample / "what-is-product-ops.vtt")
    )
    assert code == 0
    image, transcript = out.split("\n\n")
    assert image.splitlines()[1:] == [
        "  format:      JPEG, 1400x1000 px, CMYK",
        f"  size:        {(tmp_path / 'cover.jpg').stat().st_size} bytes",
        "  as artwork:  error: 'cover.jpg' is 1400x1000 px, not square (crop it to a square) "
        "[artwork-not-square]",
        "  as artwork:  error: 'cover.jpg' is 1400x1000 px; Apple accepts 1400 to 3000 px "
        "(export it at 3000x3000 px) [artwork-too-small]",
        "  as artwork:  error: 'cover.jpg' is in the CMYK colour space, not RGB (convert it to "
        "RGB) [artwork-colour-space]",
    ]
    assert transcript.splitlines()[1:] == [
        "  format:      VTT",
        "  cues:        3, from 0:00:00 to 0:00:30",
        "  speakers:    Petra Wille, Teresa Torres",
    ]
    code, out, _ = run("inspect", "--format", "json", str(sample / "cover.jpg"))
    [cover] = json.loads(out)
    assert (cover["kind"], cover["format"], cover["as_artwork"]) == ("image", "JPEG", [])
    code, out, _ = run("inspect", str(sample / "cover.jpg"))
    assert out.splitlines()[-1] == "  as artwork:  accepted by Apple"
    (tmp_path / "renamed.vtt").write_text("1\n00:00:01,000 --> 00:00:02,000\nOne\n")
    code, out, _ = run("inspect", str(tmp_path / "renamed.vtt"))
    assert (code, out) == (
        1,
        f"{tmp_path / 'renamed.vtt'}: error: it is an SRT file (no WEBVTT line, commas in its "
        "times) (rename it .srt and its name under transcripts:, if the episode lists it)\n",
    )


def test_init_refuses_a_value_on_two_lines(tmp_path: Path) -> None:
    code, out, err = run(
        "init",
        str(tmp_path / "show"),
        "--title",
        "T",
        "--feed-url",
        "https://x.example.com/feed.xml",
        "--author",
        "Ada\nLovelace",
        "--email",
        "a@x.example.com",
    )
    assert (code, out) == (1, "")
    assert err == (
        "error: --author 'Ada\\nLovelace' has a line break or control character; give it on one "
        "line\n"
    )
    assert not (tmp_path / "show" / "podcast.yaml").exists()


def test_init_writes_the_show_s_language_and_refuses_a_name_for_one(tmp_path: Path) -> None:
    code, _, err = run("init", str(tmp_path / "de"), "--language", "de-at")
    assert (code, err) == (0, "")
    assert validate(tmp_path / "de").show is not None
    assert "language: de-at " in (tmp_path / "de" / "podcast.yaml").read_text()
    code, out, err = run("init", str(tmp_path / "x"), "--language", "Deutsch")
    assert (code, out) == (1, "")
    assert (
        err == "error: --language 'Deutsch' is not an ISO 639-1 language code; write its code: de\n"
    )
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("feed_url", "message"),
    [
        (
            "feed.xml",
            "is not a web address; give the whole address where the feed will be, e.g. "
            "https://example.com/podcast/feed.xml",
        ),
        (
            "https://kc.example.com/podcast/",
            "is a folder's address, not a file's; end it with "
            "the feed's file name, e.g. https://kc.example.com/podcast/feed.xml",
        ),
    ],
)
def test_init_refuses_a_feed_url_no_app_could_subscribe_to(
    tmp_path: Path, feed_url: str, message: str
) -> None:
    code, out, err = run("init", str(tmp_path / "show"), "--feed-url", feed_url)
    assert (code, out, err) == (1, "", f"error: --feed-url {feed_url!r} {message}\n")
    assert not (tmp_path / "show").exists()


def test_new_puts_a_title_on_one_line(make_project: MakeProject, tmp_path: Path) -> None:
    """A title on two lines is refused from --title (as init refuses one), and put on one
    line from a tag, which may hold line breaks: validate would refuse it (line-break)."""
    root = make_project()
    code, _, err = run("new", str(AUDIO / "vbr.mp3"), "--root", str(root), "--title", "A\nB")
    assert (code, err) == (
        1,
        "error: --title 'A\\nB' has a line break or control character; give it on one line\n",
    )
    assert sorted(p.name for p in (root / "episodes").iterdir()) == ["001-episode.md"]
    tagged = tmp_path / "tagged.mp3"
    shutil.copy(AUDIO / "vbr.mp3", tagged)
    tags = ID3()  # type: ignore[no-untyped-call]  # (mutagen has no type hints)
    tags.add(TIT2(encoding=3, text="Part one:\nthe\tstart"))  # type: ignore[no-untyped-call]
    tags.save(tagged)
    code, out, _ = run("new", str(tagged), "--root", str(root))
    assert code == 0
    assert "(episode 2: 'Part one: the start')" in out
    assert [p.code for p in validate(root).problems] == ["notes-template"] * 2


@pytest.mark.parametrize(
    ("tag", "title"),
    [
        ("Test Show Ep. 12: The Big Interview", "The Big Interview"),
        ("#7 - Seven Ways | Test Show", "Seven Ways"),
        ("S02E05 – Pilot", "Pilot"),
        ("2024: A Year with Test Show", None),  # the show's name inside, a year: kept
        ("#1 Hit Songs", None),
    ],
)
def test_new_takes_the_episode_s_own_title_from_a_tag(
    make_project: MakeProject, tmp_path: Path, tag: str, title: str | None
) -> None:
    """Apple asks for the episode's own title: a tag's show name and episode number go,
    and `new` says what it took them from; a title that only looks numbered stays."""
    root = make_project()
    tagged = tmp_path / "tagged.mp3"
    shutil.copy(AUDIO / "vbr.mp3", tagged)
    tags = ID3()  # type: ignore[no-untyped-call]  # (mutagen has no type hints)
    tags.add(TIT2(encoding=3, text=tag))  # type: ignore[no-untyped-call]
    tags.save(tagged)
    code, out, _ = run("new", str(tagged), "--root", str(root))
    assert code == 0
    written = yaml.safe_load(next((root / "episodes").glob("002-*.md")).read_text().split("---")[1])
    assert written["title"] == (title or tag)
    note = (
        f"note: the title is {tag!r} without the show's name or its number (Apple asks for "
        "the episode's own title); edit 'title:' if that is wrong"
    )
    assert (note in out.splitlines()) is (title is not None)
    problems = {p.code for p in validate(root).problems}
    assert ("title-has-show-name" in problems) is (title is None and "Test Show" in tag)
    # --title is taken as given
    code, out, _ = run("new", str(AUDIO / "chapters.mp3"), "--root", str(root), "--title", tag)
    assert f"(episode 3: {tag!r})" in out and "note:" not in out


def test_init_writes_values_yaml_reads_back(tmp_path: Path) -> None:
    title = "Ask: #1 'quotes' & \"more\" " + "long " * 300 + "end"
    code, _, err = run(
        "init",
        str(tmp_path / "show"),
        "--title",
        title,
        "--feed-url",
        "https://x.example.com/feed.xml",
        "--author",
        "- Ada: a # b",
        "--email",
        "a@x.example.com",
    )
    assert code == 0, err
    settings = yaml.safe_load((tmp_path / "show" / "podcast.yaml").read_text())
    assert (settings["title"], settings["author"]) == (title, "- Ada: a # b")


def test_an_init_that_failed_part_way_runs_again(tmp_path: Path) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    (folder / ".github").write_text("a file where the workflow's folder goes")
    code, _, err = run("init", str(folder))
    assert code == 1 and ".github" in err
    assert not (folder / "podcast.yaml").exists()  # so the show is not taken for made
    assert not list(folder.rglob("*.part")) and not list(folder.rglob(".*.part"))
    (folder / ".github").unlink()
    assert run("init", str(folder))[0] == 0
    assert (folder / ".github/workflows/podcast-feed.yml").is_file()
    assert (folder / "podcast.yaml").is_file()


@pytest.mark.parametrize("stopped_by", [KeyboardInterrupt, OSError])
def test_a_file_stopped_half_way_leaves_nothing_under_its_name(
    tmp_path: Path, stopped_by: type[BaseException]
) -> None:
    recording = tmp_path / "episode.mp3"

    def copy_half(part: Path) -> None:
        part.write_bytes((AUDIO / "cbr.mp3").read_bytes()[:1000])
        raise stopped_by

    with pytest.raises(stopped_by):
        created(recording, copy_half)
    assert list(tmp_path.iterdir()) == []
    assert created(recording, b"whole")
    assert not created(recording, b"another")  # never replaced
    (tmp_path / "link.mp3").symlink_to(tmp_path / "nowhere.mp3")
    assert not created(tmp_path / "link.mp3", b"through a link")
    assert recording.read_bytes() == b"whole" and not (tmp_path / "nowhere.mp3").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["episode.mp3", "link.mp3"]


def test_init_never_writes_through_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    outside = tmp_path / "outside.yaml"
    (folder / "podcast.yaml").symlink_to(outside)  # dangling: the target does not exist yet
    (folder / ".gitignore").symlink_to(tmp_path / "outside-gitignore")
    code, _, err = run(
        "init",
        str(folder),
        "--title",
        "T",
        "--feed-url",
        "https://x.example.com/feed.xml",
        "--author",
        "Ada",
        "--email",
        "a@x.example.com",
    )
    assert code == 1 and "already exists; init never overwrites a show" in err
    assert not outside.exists()
    (folder / "podcast.yaml").unlink()
    assert (
        run(
            "init",
            str(folder),
            "--title",
            "T",
            "--feed-url",
            "https://x.example.com/feed.xml",
            "--author",
            "Ada",
            "--email",
            "a@x.example.com",
        )[0]
        == 0
    )
    assert not (tmp_path / "outside-gitignore").exists()
