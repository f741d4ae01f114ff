"""The build cache never changes what a build writes: a build that reuses facts, and one that
replays a whole remembered build, are byte-identical to a build without a cache, after a
change to a file of each kind; a damaged cache is set aside, and builds at once share it."""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from podcast_feed import cache as cache_module
from podcast_feed import memo as memo_module
from podcast_feed.build import build, validate
from podcast_feed.cache import CACHE_FILE, Cache
from podcast_feed.errors import ProblemsFound
from podcast_feed.layout import CACHE_FOLDER
from podcast_feed.memo import PagesOnDisk

from .conftest import AUDIO, REPO, MakeProject, age_inputs, episode, run, snapshot

SHOW_FILES = ("podcast.yaml", "episodes", "media")


def _mtimes(root: Path) -> dict[Path, int]:
    inputs = [root / "podcast.yaml", *root.glob("episodes/**/*"), *root.glob("media/**/*")]
    return {path: path.stat().st_mtime_ns for path in inputs}


def _built(root: Path, output: str, cache: Cache | None) -> dict[str, bytes]:
    """What the build wrote, and (under a name no file has) the warnings it reported."""
    warnings = "\n".join(map(str, build(root, root / output, cache=cache).problems))
    return {**snapshot(root / output), "(warnings)": warnings.encode()}


def _cold(root: Path) -> dict[str, bytes]:
    shutil.rmtree(root / "cold", ignore_errors=True)
    return _built(root, "cold", None)


def _cached(root: Path, output: str = "public") -> tuple[dict[str, bytes], Cache]:
    cache = Cache.open(root / CACHE_FOLDER)
    try:
        return _built(root, output, cache), cache
    finally:
        cache.close()


def test_the_sample_show_from_the_cache_is_the_cold_build(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    root.mkdir()
    for name in SHOW_FILES:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
    age_inputs(root)
    cold = _cold(root)
    first, cache = _cached(root)
    assert cache.misses > 0 and cache.hits == 0
    assert first == cold
    age_inputs(root, 30)  # new mtimes: no replay, and no fact found by size and mtime
    again, cache = _cached(root)
    assert again == cold
    replayed, cache = _cached(root)
    assert (cache.hits, cache.misses) == (0, 0)  # the whole build replayed: nothing looked up
    assert replayed == cold


def test_an_unpickled_episode_is_the_episode_with_its_details_unpickled_when_asked() -> None:
    """A rebuild reads only the outline of 10,000 unchanged episodes (see models.Episode):
    what it does not read must still be all there, whichever attribute is asked for first."""
    episodes = validate(REPO, now=datetime.now(UTC)).episodes
    assert any(e.transcripts for e in episodes) and any(e.chapters for e in episodes)
    for original in episodes:
        copy = pickle.loads(pickle.dumps(original))
        assert "meta" not in vars(copy)  # the outline only, so far
        assert getattr(copy, "no_such_field", None) is None  # leaves the details alone
        for name in ("draft", "episode_type", "season", "number", "title", "duration", "files"):
            assert getattr(copy, name) == getattr(original, name)
        again = pickle.loads(pickle.dumps(copy))  # pickled again before it was unpickled
        assert again.transcripts == original.transcripts
        assert again == original == copy
        assert again.line_of("audio") == original.line_of("audio") is not None


def test_checking_unchanged_episodes_reads_only_their_outline(make_project: MakeProject) -> None:
    """What runs over every episode (duplicate checks, ignore_warnings, the history guard)
    reads only their outline: unpickling the details of 10,000 unchanged episodes took half a
    second. Episodes with warnings, one ignored, and an edited one among them."""
    root = make_project(
        {
            "episodes/002-vbr.md": episode(
                title="VBR", audio="vbr-no-xing.mp3", guid="g-2", ignore_warnings=["not-https"]
            ),
            "episodes/003-chapters.md": episode(title="Chapters", audio="chapters.mp3", guid="g-3"),
        }
    )
    live = root / "live"
    build(root, live)
    age_inputs(root)
    cache = Cache.open(root / CACHE_FOLDER)
    validate(root, cache=cache)
    cache.close()
    cache = Cache.open(root / CACHE_FOLDER)  # the outcomes as the next build reads them
    edited = root / "episodes" / "003-chapters.md"
    edited.write_text(episode("Edited notes.", title="Chapters", audio="chapters.mp3", guid="g-3"))
    os.utime(edited, (time.time() - 10, time.time() - 10))  # as a pulled commit is
    checked = validate(root, cache=cache, previous=str(live / "feed.xml"))
    cache.close()
    assert [p.code for p in checked.problems] == ["vbr-without-header"]
    unread = {e.source for e in checked.episodes if "meta" not in vars(e)}
    assert unread == {"episodes/001-episode.md", "episodes/002-vbr.md"}


def _rows_after_a_rebuild(root: Path, first: dict[str, bytes]) -> list[bytes]:
    """The rows of outcomes after a build that cannot replay the last one (its feed is gone):
    the build must be the first one and a cold one, with no warning about the cache."""
    (root / "public" / "feed.xml").unlink()
    again, cache = _cached(root)
    assert again == first == _cold(root)
    assert cache.problems == []
    with sqlite3.connect(root / CACHE_FOLDER / CACHE_FILE) as database:
        stored = [value for (value,) in database.execute("SELECT value FROM placed")]
    database.close()
    return stored


def test_a_row_of_episodes_gives_each_its_details_when_asked() -> None:
    """A row of the cache stores the episodes' details apart, compressed in groups, and
    decompresses a group only when one of its episodes is asked for: each must still get its
    own details, in any order, and a row read back and stored again (a changed episode's
    row, the rest unread) must keep them."""
    episodes = validate(REPO, now=datetime.now(UTC)).episodes
    many = {f"e{n}": pickle.loads(pickle.dumps(episodes[n % len(episodes)])) for n in range(60)}
    stored = cache_module._packed_row(many)
    row = cache_module._unpacked_row(stored)
    assert all("meta" not in vars(copy) for copy in row.values())
    again = cache_module._unpacked_row(cache_module._packed_row(row))  # stored again, unread
    for name in reversed(many):
        assert row[name] == many[name] == again[name]
        assert row[name].notes_html == many[name].notes_html
    unread = cache_module._unpacked_row(stored)["e7"]
    assert pickle.loads(pickle.dumps(unread)) == many["e7"]  # pickled outside a row, unread
    groups = pickle.loads(stored)[2]
    assert 1 < len(groups) < len(many)  # apart, and not one by one


def test_a_row_whose_details_are_damaged_is_computed_again(make_project: MakeProject) -> None:
    """The details of a row are decompressed only while rendering, where an episode cannot be
    read again: damage to them must be found when the row is read (its checksum)."""
    root = make_project({"episodes/002-two.md": episode(title="Two", audio="vbr.mp3", guid="g-2")})
    age_inputs(root)
    first, _ = _cached(root)
    with sqlite3.connect(root / CACHE_FOLDER / CACHE_FILE) as database:
        damaged = 0
        for rowid, value in database.execute("SELECT rowid, value FROM placed").fetchall():
            marker, entries, groups, firsts, lengths, checksum = pickle.loads(value)
            group = bytearray(groups[0])
            group[len(group) // 2] ^= 0xFF
            groups[0] = bytes(group)
            row = (marker, entries, groups, firsts, lengths, checksum)
            database.execute(
                "UPDATE placed SET value = ? WHERE rowid = ?", (pickle.dumps(row), rowid)
            )
            damaged += 1
    database.close()
    assert damaged > 0
    stored = _rows_after_a_rebuild(root, first)
    assert len(stored) == damaged
    for value in stored:  # found damaged, and written again whole
        assert all(
            vars(outcome.episode) for _, outcome in cache_module._unpacked_row(value).values()
        )


def _git(root: Path, *arguments: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_fresh_checkout_finds_its_facts_by_git_blob(make_project: MakeProject) -> None:
    """CI checks the repository out afresh: every mtime is new, every blob id the same."""
    root = make_project({"episodes/002-two.md": episode(title="Two", audio="vbr.mp3", guid="g-2")})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "show")
    age_inputs(root)
    _git(root, "update-index", "-q", "--refresh")
    _, cache = _cached(root)
    assert cache.misses > 0
    age_inputs(root, 10)  # what a new checkout does to mtimes...
    _git(root, "update-index", "-q", "--refresh")  # ...with an index that matches them
    again, cache = _cached(root)
    assert cache.hits > 0 and cache.misses == 0
    assert again == _cold(root)


def _edit_notes(root: Path) -> None:
    path = root / "episodes" / "001-episode.md"
    path.write_text(path.read_text().replace("Show notes", "Edited notes"))


def _redated(root: Path) -> None:
    """A change to the episode's date: what the sitemap shows of it."""
    path = root / "episodes" / "001-episode.md"
    path.write_text(path.read_text().replace("2025-01-06 10:00", "2025-01-05 09:00"))


def _swap_audio(root: Path) -> None:
    shutil.copy(AUDIO / "vbr-no-xing.mp3", root / "media" / "cbr.mp3")


def _artwork(root: Path) -> None:
    Image.new("RGB", (1400, 1400), (200, 10, 10)).save(root / "media" / "cover.jpg", "JPEG")


def _artwork_broken(root: Path) -> None:
    Image.new("RGBA", (1400, 1300), (200, 10, 10, 100)).save(root / "media" / "cover.png")
    (root / "media" / "cover.png").replace(root / "media" / "cover.jpg")


def _transcript(root: Path) -> None:
    (root / "media" / "cbr.vtt").write_text(
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n<v Ana>Changed words\n"
    )


def _chapter_image(root: Path) -> None:
    Image.new("RGB", (300, 300), (0, 90, 0)).save(root / "media" / "chapter.jpg", "JPEG")


def _show_file(root: Path) -> None:
    path = root / "podcast.yaml"
    path.write_text(path.read_text().replace("Test Show", "Renamed Show"))


def _media_moved(root: Path) -> None:
    """A change to podcast.yaml that every feed item shows (each enclosure's URL)."""
    path = root / "podcast.yaml"
    path.write_text(path.read_text().replace("show.example.com/media/", "cdn.example.com/m/"))


CHANGES: dict[str, Callable[[Path], None]] = {
    "notes": _edit_notes,
    "episode date": _redated,
    "audio": _swap_audio,
    "artwork": _artwork,
    "transcript": _transcript,
    "chapter image": _chapter_image,
    "podcast.yaml": _show_file,
    "podcast.yaml, media address": _media_moved,
}


@pytest.mark.parametrize("kind", CHANGES)
def test_a_changed_file_of_each_kind_builds_as_without_a_cache(
    make_project: MakeProject, kind: str
) -> None:
    root = make_project(
        {
            "episodes/001-episode.md": episode(
                chapters=[
                    {"start": 0, "title": "Start"},
                    {"start": 1, "title": "Next", "image": "chapter.jpg"},
                ]
            ),
            "media/cbr.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Ana>Hello there\n",
            # unchanged by every change: its warnings come with its outcome from the cache
            "episodes/002-warned.md": episode(
                "Notes with ![a photo](photo.png) and [a page](/about).",
                guid="g2",
                audio="vbr.mp3",
            ),
        }
    )
    _chapter_image(root)
    (root / "media" / "chapter.jpg").write_bytes(b"")  # replaced by the change below
    Image.new("RGB", (200, 200)).save(root / "media" / "chapter.jpg", "JPEG")
    age_inputs(root, 120)
    before, _ = _cached(root)
    dated = _mtimes(root)
    CHANGES[kind](root)
    for path, mtime in _mtimes(root).items():
        if dated.get(path) != mtime:  # changed: dated a minute ago, so that it is trusted
            os.utime(path, (time.time() - 60, time.time() - 60))
    after, cache = _cached(root)
    assert after == _cold(root)
    # images are checked, not copied into the feed: the output changes with the others only
    assert (after != before) is (kind not in ("artwork", "chapter image"))
    assert cache.hits > 0  # the files that did not change came from the cache
    # the changed file was read again (chapter images are checked every build)
    assert cache.misses == (0 if kind == "chapter image" else 1)


def test_a_changed_file_that_breaks_the_show_fails_as_without_a_cache(
    make_project: MakeProject,
) -> None:
    root = make_project()
    age_inputs(root)
    assert run("build", "--root", str(root))[0] == 0
    _artwork_broken(root)
    age_inputs(root, 30)
    code, _, cached_errors = run("build", "--root", str(root))
    cold_code, _, cold_errors = run("build", "--root", str(root), "--no-cache")
    assert code == cold_code == 1
    assert cached_errors == cold_errors
    assert "artwork-not-square" in cached_errors or "not square" in cached_errors


def test_an_episode_file_linked_to_nothing_fails_the_next_build(make_project: MakeProject) -> None:
    """A link to nothing has no size or date, yet adding one to episodes/ is a change: the
    build reports it, as a build without a cache does, rather than replaying the last one."""
    root = make_project()
    age_inputs(root)
    assert run("build", "--root", str(root))[0] == 0
    (root / "episodes" / "002-gone.md").symlink_to(root / "nowhere.md")
    code, _, cached_errors = run("build", "--root", str(root))
    cold_code, _, cold_errors = run("build", "--root", str(root), "--no-cache")
    assert code == cold_code == 1
    assert cached_errors == cold_errors
    assert "episodes/002-gone.md: error:" in cached_errors


def test_links_in_media_are_told_apart_as_without_a_cache(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """The build's walk of the show says which media files are links: one to a file in the
    show is used, one out of it is an error, with the cache as without it."""
    root = make_project(
        {
            "episodes/002-alias.md": episode(
                title="Alias", audio="alias.mp3", guid="g-2", date="2025-01-02 10:00"
            )
        }
    )
    (root / "media" / "alias.mp3").symlink_to(root / "media" / "vbr.mp3")
    age_inputs(root)
    cached, _ = _cached(root)
    assert cached == _cold(root)
    outside = tmp_path / "elsewhere.mp3"
    shutil.copy(root / "media" / "vbr.mp3", outside)
    (root / "media" / "alias.mp3").unlink()
    (root / "media" / "alias.mp3").symlink_to(outside)
    code, _, cached_errors = run("build", "--root", str(root))
    cold_code, _, cold_errors = run("build", "--root", str(root), "--no-cache")
    assert code == cold_code == 1
    assert cached_errors == cold_errors
    assert f"'alias.mp3' is a link to {outside}, outside the show's folder" in cached_errors


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"not a database at all" * 100), id="garbage"),
        pytest.param(
            lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
            id="truncated",
        ),
        pytest.param(None, id="foreign"),
    ],
)
def test_a_damaged_cache_is_set_aside_with_a_warning(
    make_project: MakeProject, damage: Callable[[Path], None] | None
) -> None:
    root = make_project()
    age_inputs(root)
    assert run("build", "--root", str(root))[0] == 0
    cache_file = root / CACHE_FOLDER / CACHE_FILE
    expected = snapshot(root / "public")
    if damage is None:  # another program's sqlite file
        cache_file.unlink()
        with sqlite3.connect(cache_file) as other:
            other.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
            other.execute("INSERT INTO meta VALUES ('format', 'someone else 7')")
        other.close()
    else:
        damage(cache_file)
    shutil.rmtree(root / "public")
    code, out, err = run("build", "--root", str(root))
    assert code == 0, err
    assert f"{CACHE_FOLDER}/{CACHE_FILE}: warning: the build cache was ignored" in err
    assert "Traceback" not in err + out
    assert snapshot(root / "public") == expected
    # rebuilt: the next build finds its facts again, without a warning
    age_inputs(root, 30)
    code, _, err = run("build", "--root", str(root))
    assert code == 0 and "ignored" not in err


def test_a_rebuild_with_nothing_changed_replays_and_restores_a_deleted_output(
    make_project: MakeProject,
) -> None:
    root = make_project()
    age_inputs(root)
    assert run("build", "--root", str(root))[0] == 0
    code, out, _ = run("build", "--root", str(root))
    assert code == 0 and "(nothing changed)" in out
    expected = snapshot(root / "public")
    (root / "public" / "feed.xml").unlink()
    code, out, _ = run("build", "--root", str(root))
    assert code == 0 and "(nothing changed)" not in out
    assert snapshot(root / "public") == expected


def test_a_scheduled_episode_appears_when_its_time_comes(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/002-later.md": episode(
                title="Later", audio="vbr.mp3", guid="g-2", date="2030-01-01"
            )
        }
    )
    age_inputs(root)
    before = ["build", "--root", str(root), "--now", "2029-12-31T00:00Z"]
    after = ["build", "--root", str(root), "--now", "2030-01-02T00:00Z"]
    assert run(*before)[0] == 0
    assert "(nothing changed)" in run(*before)[1]
    code, out, _ = run(*after)
    assert code == 0 and "Published 2 episodes" in out and "(nothing changed)" not in out
    code, out, _ = run(*before)  # and going back in time drops it again
    assert "Published 1 episode " in out


def test_the_build_that_removes_an_episodes_page_is_replayed_next(
    make_project: MakeProject,
) -> None:
    """The record of a build lists what the output's folders hold once stale pages and
    chapter files are gone: the next build with nothing changed replays it."""
    root = make_project(
        {
            "episodes/002-second.md": episode(
                title="Second", audio="vbr.mp3", guid="g-2", date="2025-02-01"
            )
        }
    )
    age_inputs(root)
    assert run("build", "--root", str(root))[0] == 0
    assert (root / "public" / "episodes" / "002-second" / "index.html").is_file()
    (root / "episodes" / "002-second.md").unlink()
    code, out, _ = run("build", "--root", str(root))
    assert code == 0 and "(nothing changed)" not in out
    assert not (root / "public" / "episodes" / "002-second").exists()
    code, out, _ = run("build", "--root", str(root))
    assert code == 0 and "(nothing changed)" in out


def test_cache_dir_and_no_cache(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project()
    elsewhere = tmp_path / "ci-cache"
    assert run("build", "--root", str(root), "--cache-dir", str(elsewhere))[0] == 0
    assert (elsewhere / CACHE_FILE).is_file()
    assert not (root / CACHE_FOLDER).exists()
    assert run("build", "--root", str(root), "--no-cache")[0] == 0
    assert not (root / CACHE_FOLDER).exists()
    assert run("validate", "--root", str(root))[0] == 0
    assert (root / CACHE_FOLDER / CACHE_FILE).is_file()


def test_builds_at_once_share_the_cache(make_project: MakeProject) -> None:
    root = make_project(
        {
            f"episodes/{n:03d}-episode.md": episode(title=f"Episode {n}", audio=name, guid=f"g-{n}")
            for n, name in enumerate(["vbr.mp3", "chapters.mp3", "tone.m4a"], start=2)
        }
    )
    age_inputs(root)
    expected = _cold(root)
    del expected["(warnings)"]  # (there are none; the processes would print them)
    for round_ in range(3):
        shutil.rmtree(root / CACHE_FOLDER, ignore_errors=True)
        outputs = [root / f"out-{round_}-{n}" for n in range(3)]
        running = [
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "podcast_feed", "build", "--root", str(root)),
                    *("--output", str(output)),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for output in outputs
        ]
        results = [process.communicate(timeout=120) for process in running]
        assert [process.returncode for process in running] == [0, 0, 0], results
        assert all("ignored" not in err for _, err in results), results
        for output in outputs:
            assert snapshot(output) == expected
    # another output folder: no replay, every fact looked up
    assert _cached(root, "check")[1].misses == 0  # what they stored together is whole


def test_init_keeps_the_cache_out_of_git_and_restores_it_in_ci(tmp_path: Path) -> None:
    code, _, err = run(
        "init",
        str(tmp_path / "new"),
        "--title",
        "New Show",
        "--feed-url",
        "https://example.com/feed.xml",
        "--author",
        "A",
        "--email",
        "a@example.com",
    )
    assert code == 0, err
    assert f"/{CACHE_FOLDER}/" in (tmp_path / "new" / ".gitignore").read_text()
    workflows = list((tmp_path / "new").glob(".github/workflows/*.yml"))
    assert workflows
    text = workflows[0].read_text()
    assert "actions/cache" in text and CACHE_FOLDER in text


def test_a_cache_git_would_commit_is_said_once(make_project: MakeProject) -> None:
    """A show's repository not made by `init` has no .gitignore line for the cache: 'git add .'
    would commit 32 MB at 10,000 episodes. The first build that makes the cache says so (on
    stderr, counted as nothing); the next builds, and a repository that ignores it, do not."""
    root = make_project()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    code, _, err = run("build", "--root", str(root))
    assert code == 0
    assert err == (
        f"{CACHE_FOLDER}: warning: git does not ignore the build cache, so 'git add .' would "
        "commit it (32 MB at 10,000 episodes, which the build makes again whenever it is "
        f"missing) (add the line '/{CACHE_FOLDER}/' to the repository's .gitignore) "
        "[cache-not-ignored]\n"
    )
    assert run("build", "--root", str(root))[2] == ""
    shutil.rmtree(root / CACHE_FOLDER)
    (root / ".gitignore").write_text(f"/{CACHE_FOLDER}/\n")
    assert run("build", "--root", str(root))[2] == ""


def test_files_read_on_every_core_build_as_without_a_cache(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process pool that reads a big catalogue's new episode files, probes their audio
    and parses their transcripts, here from 3 files, with a cache and with the cache off
    (`--no-cache`): the same feed, and the same problems for a broken episode file, an audio
    file that is not audio and subtitles that are not subtitles, as a build without any cache,
    which reads every file in its own process."""
    if threading.active_count() > 1:
        pytest.skip("a server thread of another test is running: the pool would not fork")
    monkeypatch.setattr(cache_module, "_PARALLEL_FROM", 3)
    root = make_project(
        {
            f"episodes/{n:03d}-episode.md": episode(
                notes=f"Notes of episode {n}, [a link](https://example.com/{n}).",
                title=f"Episode {n}",
                audio=name,
                guid=f"g-{n}",
            )
            for n, name in enumerate(["vbr.mp3", "chapters.mp3", "tone.m4a"], start=2)
        }
    )
    (root / "media" / "vbr.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n")
    broken = {
        root / "episodes" / "009-broken.md": "---\ntitle: [unclosed\n---\n",
        root / "episodes" / "010-not-audio.md": episode(audio="words.mp3", guid="g-10"),
        root / "media" / "words.mp3": "these are words, not frames of audio\n" * 40,
        root / "media" / "chapters.srt": "these are not subtitles\n",
    }
    expected = _cold(root)
    for path, text in broken.items():
        path.write_text(text)
    age_inputs(root)
    with pytest.raises(ProblemsFound) as unpooled:
        build(root, root / "cold")
    problems = "\n".join(problem.report_line for problem in unpooled.value.problems)
    assert "words.mp3" in problems and "chapters.srt" in problems
    for cache in (Cache.disabled(), Cache.open(root / CACHE_FOLDER)):
        with pytest.raises(ProblemsFound) as failed:
            build(root, root / "public", cache=cache)
        # six episode files, then the audio of the five that loaded (words.mp3 among them)
        # and the transcripts beside two of them (chapters.srt is not one)
        assert cache.in_parallel == 13
        assert "\n".join(p.report_line for p in failed.value.problems) == problems
        cache.close()
    off_code, _, off_errors = run("build", "--root", str(root), "--no-cache")
    assert off_code == 1 and problems in off_errors
    for path in broken:
        path.unlink()
    off = Cache.disabled()
    assert _built(root, "off", off) == expected
    assert off.in_parallel == 9  # four episode files, their audio, vbr.vtt
    cache = Cache.open(root / CACHE_FOLDER)
    assert _built(root, "public", cache) == expected
    cache.close()


def _built_dated_show(make_project: MakeProject) -> Path:
    """A show of episodes 002 to 004, a day apart (001, the project's own, is the newest),
    built once with the cache."""
    root = make_project(
        {
            f"episodes/00{n}-episode.md": episode(
                title=f"Episode {n}", audio=name, guid=f"g-{n}", date=f"2025-01-0{n} 10:00"
            )
            for n, name in enumerate(["vbr.mp3", "chapters.mp3", "tone.m4a"], start=2)
        }
    )
    age_inputs(root, 120)
    _cached(root)
    return root


def test_a_changed_title_changes_its_neighbours_pages_as_without_a_cache(
    make_project: MakeProject,
) -> None:
    """Pages of unchanged episodes are kept, not rendered, unless what they show of another
    episode changed: the previous/next links and the index list titles."""
    root = _built_dated_show(make_project)
    path = root / "episodes" / "003-episode.md"
    path.write_text(path.read_text().replace("Episode 3", "Renamed in the middle"))
    os.utime(path, (time.time() - 60, time.time() - 60))
    (root / "templates").mkdir()
    after, _ = _cached(root)
    assert after == _cold(root)
    assert b"Renamed in the middle" in after["episodes/002-episode/index.html"]
    assert b"Renamed in the middle" in after["episodes/004-episode/index.html"]
    # a template override changes every page
    (root / "templates" / "episode.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ page.title }}!</h1>{% endblock %}'
    )
    os.utime(root / "templates" / "episode.html", (time.time() - 60, time.time() - 60))
    after, _ = _cached(root)
    assert after == _cold(root)
    assert b"<h1>Episode 2!</h1>" in after["episodes/002-episode/index.html"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_file_edited_since_git_staged_it_is_not_taken_for_the_staged_one(
    make_project: MakeProject,
) -> None:
    """git's blob id names the staged content: a file edited since is known by size and
    mtime instead, whatever its blob id says."""
    root = make_project()
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "show")
    age_inputs(root)
    _git(root, "update-index", "-q", "--refresh")
    _cached(root)
    _edit_notes(root)  # not staged
    os.utime(root / "episodes" / "001-episode.md", (time.time() - 30, time.time() - 30))
    after, cache = _cached(root)
    assert b"Edited notes" in after["feed.xml"]
    assert after == _cold(root)
    assert cache.misses == 1


def test_a_cache_folder_that_cannot_be_made_is_a_warning(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code, out, err = run("build", "--root", str(root), "--cache-dir", str(blocked / "cache"))
    assert code == 0, err
    assert "warning: the build cache was ignored: it cannot be opened" in err
    assert "Published 1 episode" in out


@pytest.mark.parametrize("bound", ["kept", "lost"])
def test_facts_of_old_file_versions_do_not_pile_up(tmp_path: Path, bound: str) -> None:
    """They are pruned whether the count of facts kept since the last prune is there or was
    lost (it only spares counting them)."""
    files = []
    for number in range(1200):
        path = tmp_path / "show" / f"{number}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(str(number))
        files.append(path)
    for path in files:
        os.utime(path, (time.time() - 60, time.time() - 60))
    cache = Cache.open(tmp_path / "cache")
    cache.for_show(tmp_path / "show")
    for path in files:
        assert cache.remember("test", path, path.read_text) == path.read_text()
    cache.save()
    cache.close()
    if bound == "lost":
        with sqlite3.connect(tmp_path / "cache" / CACHE_FILE) as database:
            database.execute("DELETE FROM meta WHERE name = 'facts at most'")
        database.close()
    files[0].write_text("changed")  # a new version of one file, the only one still in use
    os.utime(files[0], (time.time() - 30, time.time() - 30))
    cache = Cache.open(tmp_path / "cache")
    cache.for_show(tmp_path / "show")
    assert cache.remember("test", files[0], files[0].read_text) == "changed"
    assert cache.remember("test", files[1], files[1].read_text) == "1"
    cache.save()
    cache.close()
    with sqlite3.connect(tmp_path / "cache" / CACHE_FILE) as database:
        (count,) = database.execute("SELECT COUNT(*) FROM facts").fetchone()
    database.close()
    assert count == 2


def test_facts_written_while_the_build_runs_are_found_again(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big first build writes its facts out every few hundred (here every 2), so it never
    holds them all; the next build finds every one, and nothing was pruned too early."""
    monkeypatch.setattr(cache_module, "_WRITE_EVERY", 2)
    root = make_project(
        {
            f"episodes/00{n}-episode.md": episode(title=f"Episode {n}", audio=name, guid=f"g-{n}")
            for n, name in enumerate(["vbr.mp3", "chapters.mp3", "tone.m4a"], start=2)
        }
    )
    age_inputs(root)
    first, cache = _cached(root)
    computed = cache.misses
    assert computed > 4 and cache.hits == 0
    second, cache = _cached(root, "second")
    assert cache.hits > 0 and cache.misses == 0  # nothing computed again
    assert first == second == _cold(root)


def test_files_with_the_same_size_and_date_are_told_apart(make_project: MakeProject) -> None:
    """Outside git a file is known by its size and mtime: two transcripts of one length,
    unpacked with one date, must still each be read (not one taken for the other)."""
    root = make_project(
        {
            "episodes/002-two.md": episode(title="Two", audio="vbr.mp3", guid="g-2"),
            "media/cbr.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Ana>Hello there\n",
            "media/vbr.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Bob>Other words\n",
        }
    )
    age_inputs(root)  # every file dated alike
    cached, _ = _cached(root)
    assert cached == _cold(root)
    assert b"Other words" in cached["episodes/002-two/index.html"]


def test_a_transcript_added_beside_the_audio_is_found(make_project: MakeProject) -> None:
    """An episode taken whole from the cache was made without `media/<audio>.vtt`: one that
    appears since makes it read again."""
    root = make_project({"episodes/002-two.md": episode(title="Two", audio="vbr.mp3", guid="g-2")})
    age_inputs(root, 120)
    before, _ = _cached(root)
    added = root / "media" / "cbr.vtt"
    added.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Ana>Hello there\n")
    os.utime(added, (time.time() - 60, time.time() - 60))
    after, cache = _cached(root)
    assert after == _cold(root)
    assert b"cbr.vtt" in after["feed.xml"] and b"cbr.vtt" not in before["feed.xml"]
    assert cache.hits > 0  # the other episode was taken from the cache


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_two_episode_files_with_the_same_text_stay_two(make_project: MakeProject) -> None:
    """In git, files are known by their content: an episode file copied as a start for the
    next one is still its own episode (its own guid, its own problems), not the first again."""
    text = episode(guid=None)
    root = make_project({"episodes/001-episode.md": text, "episodes/002-copy.md": text})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "show")
    age_inputs(root)
    _git(root, "update-index", "-q", "--refresh")
    cold = validate(root)
    for _ in range(2):  # the second finds both in the cache
        cache = Cache.open(root / CACHE_FOLDER)
        cached = validate(root, cache=cache)
        cache.close()
        assert [e.source for e in cached.episodes] == [e.source for e in cold.episodes]
        assert [e.guid for e in cached.episodes] == [e.guid for e in cold.episodes]
        assert cached.problems == cold.problems
    assert cache.hits > 0
    assert len({e.guid for e in cold.episodes}) == 2


def test_an_edited_template_is_compiled_again(make_project: MakeProject) -> None:
    """Compiled templates are kept in the cache folder: a template edited in place, to text of
    the same length, is compiled again."""
    page = '{% extends "base.html" %}\n{% block content %}<p>Lost: AAAA</p>{% endblock %}\n'
    root = make_project({"templates/404.html": page})
    age_inputs(root)
    before, _ = _cached(root)
    assert list((root / CACHE_FOLDER / "templates").iterdir())  # compiled templates kept
    template = root / "templates" / "404.html"
    template.write_text(page.replace("AAAA", "BBBB"))
    age_inputs(root, 30)
    after, _ = _cached(root)
    assert b"Lost: BBBB" in after["404.html"] and b"Lost: AAAA" in before["404.html"]
    assert after == _cold(root)


def test_a_damaged_row_of_outcomes_is_computed_again(make_project: MakeProject) -> None:
    """Episodes' outcomes are stored in rows of many: a row that cannot be read costs its
    episodes a fresh check, never a wrong feed or a traceback."""
    root = make_project(
        {
            f"episodes/00{n}-episode.md": episode(title=f"Episode {n}", audio=name, guid=f"g-{n}")
            for n, name in enumerate(["vbr.mp3", "chapters.mp3", "tone.m4a"], start=2)
        }
    )
    age_inputs(root)
    first, _ = _cached(root)
    with sqlite3.connect(root / CACHE_FOLDER / CACHE_FILE) as database:
        (rows,) = database.execute("SELECT COUNT(*) FROM placed").fetchone()
        damaged = database.execute(
            "UPDATE placed SET value = ? WHERE rowid = (SELECT MIN(rowid) FROM placed)",
            (b"\x78\x01garbage",),
        ).rowcount
    database.close()
    assert rows > 1 and damaged == 1
    stored = _rows_after_a_rebuild(root, first)
    assert len(stored) == rows and b"\x78\x01garbage" not in stored  # written again whole


@pytest.mark.parametrize(
    "stored",
    [b"\x80\x05garbage", b"\x80\x09unknown protocol", b"\x78\x01garbage"],
    ids=["plain", "protocol", "compressed"],
)
def test_damaged_records_of_pages_and_feed_items_render_them_again(
    make_project: MakeProject, stored: bytes
) -> None:
    """The pages' and feed items' records are plain pickles (the rest compressed): either
    kind, damaged, costs a rendering of what they describe, never a wrong file or a
    traceback."""
    root = _built_dated_show(make_project)
    with sqlite3.connect(root / CACHE_FOLDER / CACHE_FILE) as database:
        damaged = database.execute(
            "UPDATE builds SET value = ? WHERE input LIKE 'pages:%' OR input LIKE 'feed:%'",
            (stored,),
        ).rowcount
    database.close()
    assert damaged == 2
    _edit_notes(root)
    os.utime(root / "episodes/001-episode.md", (time.time() - 60, time.time() - 60))
    after, cache = _cached(root)
    assert b"Edited notes" in after["feed.xml"]
    assert after == _cold(root)
    assert cache.problems == []


def test_a_long_lived_cache_follows_changes_as_serve_does(make_project: MakeProject) -> None:
    """`serve` keeps one cache open and its outcomes in memory between rebuilds: an episode
    edited, one added and one deleted build as without a cache."""
    notes = "With ![a photo](photo.png): a warning that must come from memory too."
    root = make_project(
        {"episodes/002-two.md": episode(notes, title="Two", audio="vbr.mp3", guid="g-2")}
    )
    age_inputs(root, 120)
    cache = Cache.open(root / CACHE_FOLDER)
    try:
        assert _built(root, "public", cache) == _cold(root)
        with sqlite3.connect(root / CACHE_FOLDER / CACHE_FILE) as database:
            database.execute("DELETE FROM placed")  # what it found is what it kept in memory
        database.close()
        _edit_notes(root)
        added = root / "episodes" / "003-three.md"
        added.write_text(episode(title="Three", audio="tone.m4a", guid="g-3"))
        for path in (root / "episodes" / "001-episode.md", added):  # changed a minute ago
            os.utime(path, (time.time() - 60, time.time() - 60))
        hits = cache.hits
        assert _built(root, "public", cache) == _cold(root)
        assert cache.hits == hits + 1  # 002 came from memory, 001 and 003 were read
        (root / "episodes" / "002-two.md").unlink()
        built = _built(root, "public", cache)
        assert built == _cold(root) and "episodes/002-two/index.html" not in built
        assert cache.hits == hits + 3  # 001 and 003 now
    finally:
        cache.close()


def _same_size_change(path: Path, old: bytes, new: bytes) -> None:
    """`old` replaced by `new` (as long) in the file, its mtime put back: what a build cannot
    tell from the file as it left it without reading it."""
    status = path.stat()
    data = path.read_bytes()
    assert old in data and len(old) == len(new)
    path.write_bytes(data.replace(old, new))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


@pytest.mark.parametrize("looked_at_by", ["this process", "a child process"])
def test_pages_changed_on_disk_since_the_last_build_are_written_again(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, looked_at_by: str
) -> None:
    """Whether the last build's pages are as it left them is asked of the disk page by page,
    or for a big site by a child process while the show is validated: either way a page edited,
    touched or deleted since is written again, and the build is the cold one."""
    if looked_at_by == "a child process":
        monkeypatch.setattr(memo_module, "_FORK_FROM", 1)
    root = _built_dated_show(make_project)
    pages = root / "public" / "episodes"
    (pages / "002-episode/index.html").write_text("edited by hand")
    os.utime(pages / "003-episode/index.html", (1, 1))  # the same bytes, another date
    (pages / "004-episode/index.html").unlink()
    _edit_notes(root)
    os.utime(root / "episodes/001-episode.md", (time.time() - 60, time.time() - 60))
    after, _ = _cached(root)
    assert after == _cold(root)


def _zombies() -> set[int]:
    """This process's children that ended and were never waited for."""
    children: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children |= {int(child) for child in (task / "children").read_text().split()}
    ended = set()
    for child in children:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{child}/stat").read_text().rpartition(") ")[2].startswith("Z"):
                ended.add(child)
    return ended


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_a_build_that_fails_leaves_no_child_behind(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child looking at the last build's pages is waited for when the build stops before
    it asks (here: an episode that fails its checks)."""
    monkeypatch.setattr(memo_module, "_FORK_FROM", 1)
    root = _built_dated_show(make_project)
    before = _zombies()
    path = root / "episodes" / "002-episode.md"
    path.write_text(path.read_text().replace("vbr.mp3", "missing.mp3"))
    os.utime(path, (time.time() - 60, time.time() - 60))
    with pytest.raises(ProblemsFound):
        _cached(root)
    assert _zombies() == before


@pytest.mark.parametrize("looked_at_by", ["this process", "a child process"])
def test_the_pages_not_as_written_are_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, looked_at_by: str
) -> None:
    if looked_at_by == "a child process":
        monkeypatch.setattr(memo_module, "_FORK_FROM", 1)
    output = tmp_path / "public"
    output.mkdir()
    before = {}
    for name in ("kept.html", "edited.html", "deleted.html", "touched.html"):
        (output / name).write_text(name)
        status = (output / name).stat()
        before[name] = (status.st_size, status.st_mtime_ns, b"digest")
    (output / "edited.html").write_text("another text")
    (output / "deleted.html").unlink()
    os.utime(output / "touched.html", (1, 1))
    cache = Cache.open(tmp_path / "cache")
    cache.keep_record(f"pages:{output.resolve()}", before, compressed=False)
    cache.save()
    on_disk = PagesOnDisk.look(cache, output)
    try:
        found = {name: on_disk.as_written(name, known) for name, known in before.items()}
    finally:
        on_disk.close()
        cache.close()
    assert found == {
        "kept.html": True,
        "edited.html": False,
        "deleted.html": False,
        "touched.html": False,
    }
    if looked_at_by == "a child process":  # it answered, and was waited for
        assert on_disk.changed == frozenset({"edited.html", "deleted.html", "touched.html"})
    else:
        assert on_disk.changed is None


def test_unchanged_episodes_pages_and_feed_items_are_kept_not_rendered(
    make_project: MakeProject,
) -> None:
    """After one episode changes, the pages and feed items of the episodes it does not touch
    are taken from the last build as it left them (known by size and mtime), not rendered:
    a same-size change to one of them survives the rebuild, which a rendering would undo.
    So does one to the sitemap, which lists no notes."""
    root = _built_dated_show(make_project)
    page, feed = root / "public/episodes/002-episode/index.html", root / "public/feed.xml"
    sitemap = root / "public/sitemap.xml"
    _same_size_change(page, b"Episode 2", b"Episode X")
    _same_size_change(feed, b"<title>Episode 2</title>", b"<title>Episode X</title>")
    _same_size_change(sitemap, b"<lastmod>", b"<lastMOD>")
    _edit_notes(root)  # 001, the newest: a neighbour of 004 only
    os.utime(root / "episodes/001-episode.md", (time.time() - 60, time.time() - 60))
    after, _ = _cached(root)
    assert b"Episode X" in page.read_bytes()
    assert b"<title>Episode X</title>" in feed.read_bytes()
    assert b"<lastMOD>" in sitemap.read_bytes()
    assert b"Edited notes" in after["feed.xml"]
    assert b"Edited notes" in after["episodes/001-episode/index.html"]
    assert (
        after["episodes/004-episode/index.html"] == _cold(root)["episodes/004-episode/index.html"]
    )
