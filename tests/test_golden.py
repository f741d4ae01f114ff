"""Golden feeds: each case under tests/golden/ is built and compared byte for byte.

A case folder holds podcast.yaml and episodes/; its media/ is the shared audio fixtures.
Run `pytest --update-golden` to rewrite expected.xml after a deliberate change, then review
the diff before committing it.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from podcast_feed import build

from .conftest import AUDIO, FIXTURES, REPO

GOLDEN = Path(__file__).resolve().parent / "golden"
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
    return tmp_path


@pytest.mark.parametrize("case", CASES)
def test_golden_feed(case: str, tmp_path: Path, update_golden: bool) -> None:
    root = project_for(case, tmp_path / "show")
    now_file = GOLDEN / case / "now.txt"
    now = datetime.fromisoformat(now_file.read_text().strip()) if now_file.exists() else None
    produced = build(root, tmp_path / "out", now=now).feed_path.read_bytes()
    expected = GOLDEN / case / "expected.xml"
    if update_golden:
        expected.write_bytes(produced)
    assert expected.exists(), f"no {expected}; run pytest --update-golden"
    assert produced == expected.read_bytes()
