"""podcast.yaml: the show's settings."""

from __future__ import annotations

import functools
from pathlib import Path

from .cache import Cache, remember
from .errors import Problem
from .layout import SHOW_FILE, require_show
from .models import Show
from .validation import validate_record
from .yamlfile import parse_yaml, read_text

__all__ = ["SHOW_FILE", "load_show", "require_show"]


def load_show(
    path: Path, shown_as: str = SHOW_FILE, cache: Cache | None = None
) -> tuple[Show | None, list[Problem]]:
    """The validated show, or every problem that stops podcast.yaml from being one (with the
    show without its wrong optional keys, when that is all, for the rest of the checks); as
    `cache` remembers it for the same file (validating it first builds pydantic's schemas for
    the show: a tenth of the rebuild of a 1,000-episode show after one edit)."""
    return remember(cache, "show", path, functools.partial(_read_show, path, shown_as), shown_as)


def _read_show(path: Path, shown_as: str) -> tuple[Show | None, list[Problem]]:
    text_file = read_text(path, shown_as)
    if text_file.text is None:
        return None, text_file.problems
    document, problems = parse_yaml(text_file.text, shown_as)
    problems = text_file.problems + problems
    if document is None:
        return None, problems
    show, found = validate_record(Show, document.data, document, shown_as, partial=True)
    if show is not None:
        show._key_lines = dict(document.key_lines)
    return show, problems + found
