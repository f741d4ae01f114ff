"""podcast-feed: a podcast RSS feed that every app accepts, from Markdown episode files."""

from .build import BuildResult, Validation, build, validate
from .errors import PodcastFeedError, Problem, ProblemsFound, Severity
from .models import Episode, FrontMatter, MediaInfo, Show

__version__ = "0.1.0"
"""The one place the version is written (pyproject.toml reads it): no package metadata lookup
at start-up."""

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
