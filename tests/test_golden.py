"""Golden feeds and sites: each case under tests/golden/ is built and compared byte for byte.

A case folder holds podcast.yaml and episodes/ (and a now.txt: the clock the build sees); its
media/ is the shared audio fixtures plus the case's own media/ files, if any. `every-tag` uses
every key of podcast.yaml and of the front matter, so that every optional tag is pinned.
`expected.xml` is the feed, `expected-site/` the website's pages (the packaged style.css and
player.js are left out: they are copied, not rendered).
Run `pytest --update-golden` to rewrite them after a deliberate change, then review the diff
before committing it.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podcast_feed import build, validate
from podcast_feed import feed as feed_module
from podcast_feed.build import in_feed_order, publishable
from podcast_feed.feed import _render as whole_feed
from podcast_feed.feed import feed_pieces
from podcast_feed.models import Episode, Show
from podcast_feed.site import STATIC_FILES

from .conftest import AUDIO, FIXTURES, REPO

GOLDEN = Path(__file__).resolve().parent / "golden"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
CASES = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())


def project_for(case: str, tmp_path: Path) -> Path:
    if case == "sample-show":
        source = REPO
        shutil.copytree(source / "media", tmp_path / "media")
    else:
        source = GOLDEN / case
        shutil.copytree(AUDIO, tmp_path / "media")
        shutil.copy(FIXTURES / "cover.jpg", tmp_path / "media" / "cover.jpg")
    shutil.copy(source / "podcast.yaml", tmp_path / "podcast.yaml")
    shutil.copytree(source / "episodes", tmp_path / "episodes")
    if case != "sample-show" and (source / "media").is_dir():  # the case's own transcripts...
        shutil.copytree(source / "media", tmp_path / "media", dirs_exist_ok=True)
    return tmp_path


@pytest.mark.parametrize("case", CASES)
def test_golden_feed(case: str, tmp_path: Path, update_golden: bool) -> None:
    root = project_for(case, tmp_path / "show")
    now_file = GOLDEN / case / "now.txt"
    now = datetime.fromisoformat(now_file.read_text().strip()) if now_file.exists() else None
    output = tmp_path / "out"
    produced = build(root, output, now=now).feed_path.read_bytes()
    expected = GOLDEN / case / "expected.xml"
    pages = {
        path.relative_to(output).as_posix(): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.suffix in (".html", ".xml") and path.name != "feed.xml"
    }
    assert pages.keys() >= {"index.html", "404.html", "sitemap.xml"}
    assert not pages.keys() & set(STATIC_FILES)
    expected_site = GOLDEN / case / "expected-site"
    if update_golden:
        expected.write_bytes(produced)
        shutil.rmtree(expected_site, ignore_errors=True)
        for relative, data in pages.items():
            (expected_site / relative).parent.mkdir(parents=True, exist_ok=True)
            (expected_site / relative).write_bytes(data)
    assert expected.exists(), f"no {expected}; run pytest --update-golden"
    assert produced == expected.read_bytes()
    stored = {
        path.relative_to(expected_site).as_posix(): path.read_bytes()
        for path in sorted(expected_site.rglob("*"))
        if path.is_file()
    }
    assert pages.keys() == stored.keys()
    for relative, data in pages.items():
        assert data == stored[relative], f"{relative} differs from {expected_site / relative}"


@pytest.mark.parametrize("case", CASES)
def test_the_feed_cut_into_items_is_the_feed_rendered_whole(case: str, tmp_path: Path) -> None:
    """Items are rendered in batches and cut out (and reused by later builds): the pieces must
    join to exactly what feedgen writes for the whole feed, one piece per item."""
    root = project_for(case, tmp_path / "show")
    now_file = GOLDEN / case / "now.txt"
    now = datetime.fromisoformat(now_file.read_text().strip()) if now_file.exists() else NOW
    validation = validate(root, now=now)
    assert validation.show is not None
    published = in_feed_order(validation.show, publishable(validation.episodes, now))
    for batch in (1, 2, 500):
        pieces = feed_pieces_in_batches(validation.show, published, batch)
        assert len(pieces) == len(published) + 2
        assert all(piece.startswith(b"    <item>") for piece in pieces[1:-1])
        assert b"".join(pieces) == whole_feed(validation.show, published, published)
    # an item given as known is used as it is, unrendered
    marked = [b"    <item>known</item>\n"] + [None] * (len(published) - 1)
    assert feed_pieces(validation.show, published, marked)[1] == marked[0]


def feed_pieces_in_batches(show: Show, episodes: list[Episode], batch: int) -> list[bytes]:
    original = feed_module._BATCH
    feed_module._BATCH = batch
    try:
        return feed_pieces(show, episodes)
    finally:
        feed_module._BATCH = original
