"""Builders for small, real shows: valid defaults, so each test states only what it is about."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from podcast_feed.cli import app

# Property tests: a default that keeps the suite within minutes; `--hypothesis-profile
# thorough` (or `ci`) for more examples, `--hypothesis-seed N` to replay a run.
settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("ci", settings.get_profile("default"), max_examples=200)
settings.register_profile("thorough", settings.get_profile("default"), max_examples=3000)
settings.load_profile("default")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AUDIO = FIXTURES / "audio"
TRUE_DURATIONS: dict[str, float] = json.loads((AUDIO / "durations.json").read_text())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*/expected.xml from the current output",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def show(**overrides: Any) -> dict[str, Any]:
    """podcast.yaml as a dict; a key set to None is left out."""
    values: dict[str, Any] = {
        "title": "Test Show",
        "description": "A show made by the tests.",
        "link": "https://show.example.com/",
        "language": "en",
        "author": "Test Author",
        "owner": {"name": "Test Owner", "email": "owner@show.example.com"},
        "image": "cover.jpg",
        "categories": ["Technology"],
        "explicit": False,
        "feed_url": "https://show.example.com/feed.xml",
        "media_base_url": "https://show.example.com/media/",
        "podcast_guid": "a4d5a761-ce35-5c3b-b691-ed0db4a0ff21",
        "timezone": "UTC",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


PUBLISHED_AT = "https://listen.podcast-feed-tests.net"
"""Where the shows that tests publish say they are served: `publish` refuses addresses at
names kept for examples (example.com), as a feed pointing there gives apps nothing."""


def published_show(**overrides: Any) -> dict[str, Any]:
    """`show()` with its addresses at `PUBLISHED_AT`, and the podcast:guid derived from it."""
    from podcast_feed.models import podcast_guid_for

    feed_url = overrides.get("feed_url", f"{PUBLISHED_AT}/feed.xml")
    values: dict[str, Any] = {
        "link": f"{PUBLISHED_AT}/",
        "owner": {"name": "Test Owner", "email": "owner@podcast-feed-tests.net"},
        "feed_url": feed_url,
        "media_base_url": f"{PUBLISHED_AT}/media/",
        "podcast_guid": str(podcast_guid_for(feed_url)),
    }
    return show(**(values | overrides))


def episode(
    notes: str = "Show notes with a [link](https://example.com/a).", **overrides: Any
) -> str:
    """An episode file's text; a key set to None is left out."""
    values: dict[str, Any] = {
        "title": "An Episode",
        "date": "2025-01-06 10:00",
        "audio": "cbr.mp3",
        "guid": "test-guid-1",
    }
    values.update(overrides)
    front = yaml.safe_dump(
        {k: v for k, v in values.items() if v is not None}, sort_keys=False, allow_unicode=True
    )
    return f"---\n{front}---\n\n{notes}\n"


MakeProject = Callable[..., Path]


def age_inputs(root: Path, seconds: float = 60) -> None:
    """Every input dated `seconds` ago: older than the two seconds within which a changed
    file's mtime is not trusted (the racy-mtime guard would otherwise hide the cache)."""
    past = time.time() - seconds
    for path in [root / "podcast.yaml", *root.glob("episodes/**/*"), *root.glob("media/**/*")]:
        os.utime(path, (past, past))


def run(*args: str) -> tuple[int, str, str]:
    """The command line as a user runs it: exit code, standard output, standard error."""
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A show folder under tmp_path: podcast.yaml, episodes/, media/ with the audio fixtures.

    `files` maps a path to text (written as is), bytes, or a dict (podcast.yaml as YAML).
    """

    def make(
        files: dict[str, str | bytes | dict[str, Any]] | None = None,
        with_default_episode: bool = True,
    ) -> Path:
        root = tmp_path / "show"
        (root / "episodes").mkdir(parents=True)
        shutil.copytree(AUDIO, root / "media")
        (root / "media" / "durations.json").unlink()
        shutil.copy(FIXTURES / "cover.jpg", root / "media" / "cover.jpg")
        contents: dict[str, str | bytes | dict[str, Any]] = {"podcast.yaml": show()}
        if with_default_episode:
            contents["episodes/001-episode.md"] = episode()
        contents.update(files or {})
        for name, content in contents.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, dict):
                path.write_text(
                    yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8"
                )
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: to prove a command wrote nothing there."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(autouse=True)
def _no_cloud_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without credentials, object stores ask the cloud's metadata service for some: keep
    those requests on this machine (a closed port answers at once)."""
    monkeypatch.setenv("AWS_METADATA_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def needed_tool(name: str) -> str:
    """The path of an outside program a test runs: skipped without it locally, failed on CI
    (`.ci/run` installs it)."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing; .ci/run installs it")
        pytest.skip(f"needs {name}")
    return found
