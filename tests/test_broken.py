"""A corpus of broken shows, one folder per failure mode, each with its exact expected report.

Each folder under tests/broken/ holds podcast.yaml, episodes/ and optionally media/ files that
are laid over the shared audio fixtures. expected.txt is `podcast-feed validate`'s output;
`pytest --update-golden` rewrites it (review the diff).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcast_feed.cli import app

from .conftest import AUDIO, FIXTURES

BROKEN = Path(__file__).resolve().parent / "broken"
CASES = sorted(path.name for path in BROKEN.iterdir() if path.is_dir())
runner = CliRunner()


@pytest.mark.parametrize("case", CASES)
def test_broken_show_report(case: str, tmp_path: Path, update_golden: bool) -> None:
    root = tmp_path / case
    shutil.copytree(AUDIO, root / "media")
    shutil.copy(FIXTURES / "cover.jpg", root / "media" / "cover.jpg")
    shutil.copytree(BROKEN / case, root, dirs_exist_ok=True)
    (root / "expected.txt").unlink(missing_ok=True)

    result = runner.invoke(app, ["validate", "--root", str(root), "--now", "2026-01-01T00:00Z"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    report = f"exit {result.exit_code}\n{result.stdout}{result.stderr}"
    expected = BROKEN / case / "expected.txt"
    if update_golden:
        expected.write_text(report)
    assert report == expected.read_text()
    assert result.exit_code in (0, 1)

    build = runner.invoke(app, ["build", "--root", str(root), "--now", "2026-01-01T00:00Z"])
    assert build.exit_code == result.exit_code
    assert (root / "public" / "feed.xml").exists() == (build.exit_code == 0)
