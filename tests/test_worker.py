"""A big build's feed items are rendered by a second Python process while the pages render
(worker.py): the same feed, byte for byte, as rendered in the build alone, with or without a
website and a cache; a second process that fails in any way leaves the items it did not
render to the build; a build that fails meanwhile stops it."""

from __future__ import annotations

import importlib
import io
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from podcast_feed import worker
from podcast_feed.build import build
from podcast_feed.cache import Cache
from podcast_feed.errors import ProblemsFound
from podcast_feed.feed import item_blocks, render_feed
from podcast_feed.worker import ItemWorker

from .conftest import MakeProject, episode, show, snapshot

build_module = importlib.import_module("podcast_feed.build")  # (`build` is the function)
_AUDIO = ["cbr.mp3", "vbr.mp3", "chapters.mp3", "tone.m4a", "chapters.m4a", "stereo.m4a"]


def _show(make_project: MakeProject, **settings: Any) -> Path:
    return make_project(
        {
            "podcast.yaml": show(**settings),
            **{
                f"episodes/{n:03d}-episode.md": episode(
                    notes=f"Notes of episode {n}: [a link](https://example.com/{n}).",
                    title=f"Episode {n}",
                    date=f"2025-01-{n:02d} 10:00",
                    audio=audio,
                    guid=f"g-{n}",
                )
                for n, audio in enumerate([*_AUDIO, "vbr-no-xing.mp3"], start=1)
            },
        },
        with_default_episode=False,
    )


def _children() -> set[int]:
    """The processes this one started that are still there (not yet waited for included):
    compared with those before the test, which others may have left."""
    return {
        int(child)
        for task in Path(f"/proc/{os.getpid()}/task").iterdir()
        for child in (task / "children").read_text().split()
    }


@pytest.fixture
def children_before() -> set[int]:
    return _children()


@pytest.fixture
def rendered_by_worker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every build with 1 item or more to render starts the second process, sent 2 episodes
    at a time; what it rendered, per build, is noted (its behaviour unchanged)."""
    monkeypatch.setattr(build_module, "_AHEAD_FROM", 1)
    monkeypatch.setattr(worker, "_BATCH", 2)
    counts: list[int] = []
    rendered = ItemWorker.rendered

    def noting(self: ItemWorker) -> Any:
        found = rendered(self)
        counts.append(len(found))
        return found

    monkeypatch.setattr(ItemWorker, "rendered", noting)
    return counts


@pytest.mark.parametrize("site", [True, False], ids=["website", "feed-only"])
def test_items_rendered_by_the_second_process_are_the_items_rendered_here(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    rendered_by_worker: list[int],
    children_before: set[int],
    site: bool,
) -> None:
    root = _show(make_project, site=site)
    build(root, root / "worker")
    cached = Cache.open(root / "cache")
    build(root, root / "worker-cached", cache=cached)  # a first build filling a cache
    cached.close()
    # the first batch is always the process's, and answered for (the build may take others)
    assert len(rendered_by_worker) == 2 and all(count >= 2 for count in rendered_by_worker)
    monkeypatch.setattr(build_module, "_AHEAD_FROM", 10**9)
    build(root, root / "here")
    expected = snapshot(root / "here")
    assert b"<item>" in expected["feed.xml"] and ("index.html" in expected) == site
    assert snapshot(root / "worker") == snapshot(root / "worker-cached") == expected
    assert _children() <= children_before


_ANSWERS = (
    "import pickle, struct, sys\n"
    "size, = struct.unpack('<q', sys.stdin.buffer.read(8)); sys.stdin.buffer.read(size)\n"
    "answer = {answer}\n"
    "sys.stdout.buffer.write(struct.pack('<q', len(answer)) + answer); sys.stdout.buffer.flush()\n"
    "sys.stdin.buffer.read()\n"
)
"""A process that answers the first batch with `answer` (its bytes), then waits."""


@pytest.mark.parametrize(
    "boot",
    [
        "import sys; sys.exit(3)",
        "import sys; sys.stdin.buffer.read(8); sys.exit(0)",
        _ANSWERS.format(answer="pickle.dumps([1])"),
        _ANSWERS.format(answer="b'not a pickle'"),
        worker._BOOT.replace("main(int(sys.argv[2]))", "main(999)"),  # writes to no file
        "import sys, time; sys.stdin.buffer.read(8); time.sleep(600)",
    ],
    ids=[
        "exits-at-once",
        "exits-half-way-through-a-batch",
        "answers-wrong-lengths",
        "answers-garbage",
        "no-file",
        "stuck",
    ],
)
def test_a_second_process_that_fails_leaves_its_items_to_the_build(
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
    rendered_by_worker: list[int],
    children_before: set[int],
    boot: str,
) -> None:
    root = _show(make_project)
    build(root, root / "here")
    monkeypatch.setattr(worker, "_BOOT", boot)
    monkeypatch.setattr(worker, "_PATIENCE", 1.0)  # for the stuck one
    build(root, root / "public")
    assert rendered_by_worker[-1] == 0  # (the build "here" had the real one)
    assert snapshot(root / "public") == snapshot(root / "here")
    assert _children() <= children_before


def test_a_build_that_fails_while_the_second_process_renders_stops_it(
    make_project: MakeProject, rendered_by_worker: list[int], children_before: set[int]
) -> None:
    root = _show(make_project)
    (root / "templates").mkdir()
    (root / "templates" / "episode.html").write_text(
        '{% extends "base.html" %}\n{% block content %}{{ 1 / 0 }}{% endblock %}\n'
    )
    with pytest.raises(ProblemsFound) as failed:
        build(root, root / "public")
    assert [p.file for p in failed.value.problems if p.code == "template-error"] == [
        "templates/episode.html"
    ]
    assert rendered_by_worker == []  # the feed's turn never came
    assert _children() <= children_before
    assert not (root / "public").exists()
    assert sorted(path.name for path in root.iterdir()) == [
        "episodes",
        "media",
        "podcast.yaml",
        "templates",
    ]


def test_the_process_writes_each_batch_s_items_into_its_file_and_answers_their_lengths(
    make_project: MakeProject,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    """`worker.main` as the process runs it, here: its standard input a file of two batches
    and the end, its items written into a file of its own."""
    root = _show(make_project)
    validation = build_module.validate(root)
    assert validation.show is not None
    show = validation.show
    published = build_module.in_feed_order(show, validation.episodes)
    batches = [published[:3], published[3:]]
    frames = [pickle.dumps((show, batch)) for batch in batches]
    sent = b"".join(worker._SIZE.pack(len(frame)) + frame for frame in frames)
    (tmp_path / "sent").write_bytes(sent + worker._SIZE.pack(0))
    with (tmp_path / "sent").open("rb") as raw, (tmp_path / "items").open("wb") as items:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(raw))
        assert worker.main(items.fileno()) == 0
    answers, lengths = capsysbinary.readouterr().out, []
    while answers:
        (size,) = worker._SIZE.unpack_from(answers)
        lengths.append(pickle.loads(answers[worker._SIZE.size : worker._SIZE.size + size]))
        answers = answers[worker._SIZE.size + size :]
    expected = [item_blocks(show, batch) or [] for batch in batches]
    assert lengths == [[len(block) for block in blocks] for blocks in expected]
    written = (tmp_path / "items").read_bytes()
    assert written == b"".join(b"".join(blocks) for blocks in expected)
    # the items of the feed rendered whole, one after another
    assert written.count(b"<item>") == len(published) and written in render_feed(show, published)
