"""Where this podcast-feed was installed from, as a pip requirement that installs the same code
elsewhere: what init's CI workflow installs, so that CI builds what `build` built here.

pip records how it installed a package (PEP 610's `direct_url.json`): from an index (no
record: `podcast-feed==VERSION`), from a git URL (its commit), or from a folder, where the
folder's own git checkout says which repository and commit CI can fetch instead, if that
commit has been pushed and the checkout has no changes. Anything else cannot be reached from
CI, and `ci_requirement` says why instead.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import __version__

DISTRIBUTION = "podcast-feed"


@dataclass(frozen=True)
class Requirement:
    """A pip requirement for the same podcast-feed, or why there is none."""

    line: str | None
    """`podcast-feed==0.1.0` or `podcast-feed @ git+https://...@COMMIT`; None if unknown."""
    why_not: str = ""
    """For None: where it was installed from, and why CI cannot install it from there."""


def ci_requirement() -> Requirement:
    """How CI installs the podcast-feed running now."""
    try:
        recorded = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:  # run from a source tree, not installed
        return Requirement(
            None, f"podcast-feed is not installed (it runs from {_package_folder()})"
        )
    if recorded is None:
        return Requirement(f"{DISTRIBUTION}=={__version__}")  # from an index
    try:
        direct = json.loads(recorded)
    except ValueError:
        direct = {}
    return requirement_for(direct if isinstance(direct, dict) else {})


def requirement_for(direct: dict[str, object]) -> Requirement:
    """The requirement for a PEP 610 record (`direct_url.json`, read)."""
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        public = public_git_url(url)
        if public is not None:
            return Requirement(f"{DISTRIBUTION} @ git+{public}@{vcs['commit_id']}")
        return Requirement(None, f"podcast-feed was installed from {url}, which CI cannot reach")
    if "dir_info" in direct and url.startswith("file://"):
        return _from_checkout(Path(unquote(urlsplit(url).path)))
    if "archive_info" in direct and url.startswith("https://"):
        return Requirement(f"{DISTRIBUTION} @ {url}")
    return Requirement(None, f"podcast-feed was installed from {url or 'an unknown place'}")


def _from_checkout(folder: Path) -> Requirement:
    """A folder's podcast-feed as its commit in the repository it was cloned from."""

    def git(*arguments: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *arguments],
                capture_output=True,
                text=True,
                check=False,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    place = f"podcast-feed was installed from the folder {folder}"
    commit = git("rev-parse", "--verify", "HEAD")
    if commit is None:
        return Requirement(None, f"{place}, which is not a git checkout")
    if git("status", "--porcelain", "--untracked-files=no"):
        return Requirement(None, f"{place}, which has changes not committed")
    for remote in (git("remote") or "").split():
        public = public_git_url(git("remote", "get-url", remote) or "")
        pushed = git("branch", "--remotes", "--contains", commit, "--list", f"{remote}/*")
        if public is not None and pushed:
            return Requirement(f"{DISTRIBUTION} @ git+{public}@{commit}")
    return Requirement(None, f"{place}, whose commit {commit[:12]} is on no public remote")


_SCP_LIKE = re.compile(r"(?:[\w.-]+@)?([\w-]+(?:\.[\w-]+)+):(?!//)(.+)")
"""git's `git@github.com:owner/repo.git` (a host with a dot: `C:/src` is a Windows folder)."""


def public_git_url(url: str) -> str | None:
    """The https URL CI clones a git remote by, without credentials; None for a remote on
    this machine.

    >>> public_git_url("git@github.com:owner/podcast-feed.git")
    'https://github.com/owner/podcast-feed.git'
    >>> public_git_url("https://token@gitlab.com/owner/podcast-feed"), public_git_url("/srv/git")
    ('https://gitlab.com/owner/podcast-feed', None)
    """
    parts = urlsplit(url)
    if parts.scheme in ("https", "ssh", "git") and parts.hostname:
        port = f":{parts.port}" if parts.scheme == "https" and parts.port else ""
        return f"https://{parts.hostname}{port}{parts.path}"
    scp = _SCP_LIKE.fullmatch(url) if "://" not in url else None
    if scp is not None:
        return f"https://{scp.group(1)}/{scp.group(2).lstrip('/')}"
    return None


def _package_folder() -> Path:
    return Path(__file__).resolve().parent.parent
