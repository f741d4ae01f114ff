"""podcast-feed: a podcast RSS feed that every app accepts, from Markdown episode files."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# build and errors are light (build imports the pipeline when it runs); importing them here
# also keeps `podcast_feed.build` the function, not the module of that name
from .build import BuildResult, Validation, build, validate
from .errors import PodcastFeedError, Problem, ProblemsFound, Severity

__version__ = "0.1.0"
"""The one place the version is written (pyproject.toml reads it): no package metadata lookup
at start-up."""

if TYPE_CHECKING:
    from .models import Episode, FrontMatter, MediaInfo, Show

_EXPORTS = {"Episode": "models", "FrontMatter": "models", "MediaInfo": "models", "Show": "models"}
__all__ = [
    "BuildResult",
    "Episode",
    "FrontMatter",
    "MediaInfo",
    "PodcastFeedError",
    "Problem",
    "ProblemsFound",
    "Severity",
    "Show",
    "Validation",
    "build",
    "validate",
]


def __getattr__(name: str) -> Any:
    """The models, imported on first use: `podcast-feed --help` must not load pydantic."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
