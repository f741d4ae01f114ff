"""podcast-feed: a podcast RSS feed that every app accepts, from Markdown episode files."""

from importlib.metadata import PackageNotFoundError, version

from .build import BuildResult, Validation, build, validate
from .errors import PodcastFeedError, Problem, ProblemsFound, Severity
from .models import Episode, FrontMatter, MediaInfo, Show

try:
    __version__ = version("podcast-feed")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

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
