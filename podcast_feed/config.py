"""podcast.yaml: the show's settings."""

from __future__ import annotations

from pathlib import Path

from .errors import Problem, ShowNotFound
from .models import SHOW_FILE, Show
from .validation import validate_record
from .yamlfile import parse_yaml, read_text

__all__ = ["SHOW_FILE", "load_show", "require_show"]


def require_show(root: Path) -> None:
    """Every command that works on a show starts here: no podcast.yaml, no show."""
    if not (root / SHOW_FILE).is_file():
        raise ShowNotFound(
            f"no {SHOW_FILE} in {root}; run the command in the show's folder or pass --root"
        )


def load_show(path: Path, shown_as: str = SHOW_FILE) -> tuple[Show | None, list[Problem]]:
    """The validated show, or every problem that stops podcast.yaml from being one."""
    text_file = read_text(path, shown_as)
    if text_file.text is None:
        return None, text_file.problems
    document, problems = parse_yaml(text_file.text, shown_as)
    if document is None:
        return None, problems
    show, problems = validate_record(Show, document.data, document, shown_as)
    if show is not None:
        show._key_lines = dict(document.key_lines)
    return show, problems
