"""Where init's CI workflow installs podcast-feed from: the records pip writes (PEP 610's
direct_url.json) and real git checkouts, pushed to a real (local, bare) repository whose
remote then gets the public address a clone from GitHub has."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement as Pep508

from podcast_feed.installed import requirement_for
from podcast_feed.scaffold import WORKFLOW_FILE, workflow

from .conftest import needed_tool
from .test_daily_loop import assert_github_accepts

PUBLIC = "https://github.com/owner/podcast-feed.git"


def git(folder: Path, *arguments: str) -> str:
    done = subprocess.run(
        [needed_tool("git"), "-C", str(folder), *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={"GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(folder), "PATH": "/usr/bin:/bin"},
    )
    return done.stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, str]:
    """A clone of podcast-feed as a user has one: a commit, pushed to its origin, whose
    address is the public one (the push went to a bare repository on this machine)."""
    origin, folder = tmp_path / "origin.git", tmp_path / "podcast-feed"
    subprocess.run([needed_tool("git"), "init", "-q", "--bare", str(origin)], check=True)
    subprocess.run([needed_tool("git"), "init", "-q", "-b", "main", str(folder)], check=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "podcast-feed"\n')
    git(folder, "add", ".")
    git(folder, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "one")
    git(folder, "remote", "add", "origin", str(origin))
    git(folder, "push", "-q", "origin", "main")
    git(folder, "remote", "set-url", "origin", PUBLIC)
    return folder, git(folder, "rev-parse", "HEAD")


def record_of(folder: Path) -> dict[str, object]:
    """What `pip install FOLDER` records (`-e` adds "editable": true to dir_info)."""
    return {"url": folder.as_uri(), "dir_info": {}}


def test_a_clone_s_pushed_commit_is_what_ci_installs(checkout: tuple[Path, str]) -> None:
    folder, commit = checkout
    line = requirement_for(record_of(folder)).line
    assert line == f"podcast-feed @ git+{PUBLIC}@{commit}"
    assert Pep508(line).url == f"git+{PUBLIC}@{commit}"  # pip reads it as meant


def test_a_clone_ci_cannot_install_the_same_code_from_says_why(
    checkout: tuple[Path, str], tmp_path: Path
) -> None:
    folder, _ = checkout
    (folder / "pyproject.toml").write_text("changed\n")
    assert requirement_for(record_of(folder)).line is None
    assert "has changes not committed" in requirement_for(record_of(folder)).why_not
    git(folder, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qam", "two")
    unpushed = requirement_for(record_of(folder))
    assert unpushed.line is None
    assert "is on no public remote" in unpushed.why_not
    git(folder, "remote", "set-url", "origin", str(tmp_path / "origin.git"))
    git(folder, "push", "-q", "origin", "main")  # pushed, but to a folder CI cannot reach
    assert "is on no public remote" in requirement_for(record_of(folder)).why_not
    (tmp_path / "plain").mkdir()
    assert "not a git checkout" in requirement_for(record_of(tmp_path / "plain")).why_not


@pytest.mark.parametrize(
    ("record", "line"),
    [
        (
            {"url": "https://github.com/o/p", "vcs_info": {"vcs": "git", "commit_id": "abc1"}},
            "podcast-feed @ git+https://github.com/o/p@abc1",
        ),
        (  # pip install git+ssh://...: CI has no key for it
            {"url": "ssh://git@github.com/o/p.git", "vcs_info": {"vcs": "git", "commit_id": "c"}},
            "podcast-feed @ git+https://github.com/o/p.git@c",
        ),
        (
            {"url": "https://x.example.com/podcast_feed-1.0-py3-none-any.whl", "archive_info": {}},
            "podcast-feed @ https://x.example.com/podcast_feed-1.0-py3-none-any.whl",
        ),
        ({"url": "file:///tmp/podcast_feed-1.0-py3-none-any.whl", "archive_info": {}}, None),
        ({"url": "file:///srv/git/p", "vcs_info": {"vcs": "git", "commit_id": "c"}}, None),
        ({}, None),
    ],
)
def test_what_pip_recorded_says_what_ci_installs(
    record: dict[str, object], line: str | None
) -> None:
    assert requirement_for(record).line == line


def test_the_workflow_installs_it_or_fails_saying_what_to_write(tmp_path: Path) -> None:
    pinned = workflow(tmp_path, "podcast-feed @ git+https://github.com/o/p@abc1")
    assert '      - run: pip install "podcast-feed @ git+https://github.com/o/p@abc1"\n' in pinned
    unknown = workflow(tmp_path, None)
    assert "pip install" not in unknown.replace("# - run: pip install", "")
    assert (
        f'- run: \'echo "::error::say in {WORKFLOW_FILE} where to install podcast-feed from" '
        "&& exit 1'" in unknown
    )
    for name, text in (("pinned.yml", pinned), ("unknown.yml", unknown)):
        (tmp_path / name).write_text(text)
        assert_github_accepts(tmp_path / name)
