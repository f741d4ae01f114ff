"""YAML documents that remember the line of every key, and Markdown files with front matter.

PyYAML's C loader builds a node tree once; the values are constructed from it and the
node tree gives each key's line, so an error can point at `episodes/012.md:7`.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem, error, warning

Path_ = tuple[str | int, ...]

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, whose value constructors raise Python's own errors for scalars
    its patterns let through (`2025-02-30`, `0x_`, `!!int x`): here they are YAML errors."""


def _guarded(construct: Any) -> Any:
    def construct_scalar(loader: Any, node: yaml.ScalarNode) -> Any:
        """The value, or, for a plain scalar only its pattern made a date or a number (an
        impossible day, an offset over 24 hours), the text as written: the key's own check
        then names it. With an explicit tag, a YAML error on its line."""
        try:
            return construct(loader, node)
        except yaml.YAMLError:
            raise
        except Exception:  # PyYAML raises ValueError, IndexError, KeyError, AttributeError...
            implicit = not node.style and node.tag == loader.resolve(
                yaml.ScalarNode, node.value, (True, False)
            )
            if implicit:
                return node.value
            tag = node.tag.removeprefix("tag:yaml.org,2002:")
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid !!{tag}", node.start_mark
            ) from None

    return construct_scalar


for _tag in ("bool", "int", "float", "binary", "timestamp"):
    _full_tag = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_full_tag, _guarded(_BASE_LOADER.yaml_constructors[_full_tag]))
_LOADER = _Loader
# XML 1.0 cannot carry these; a feed containing one is rejected by every parser.
FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Aliases can make a small document expand to billions of values ("billion laughs").
_MAX_EXPANDED_NODES = 20_000
_NAMED = 3
"""Control characters reported one by one; the rest are counted."""
_FRONT_MATTER_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


class YamlTooLarge(Exception):
    pass


@dataclass
class YamlDocument:
    """Parsed YAML plus where each key stands in its file."""

    data: Any
    key_lines: dict[Path_, int] = field(default_factory=dict)
    first_line: int = 1
    written: dict[Path_, str] = field(default_factory=dict)
    """Each value YAML read as something other than text (a number, a date, `no` as false),
    as it is written in the file: what to put in quotes to make it text."""

    def line_of(self, path: Path_) -> int:
        """The line of the deepest part of `path` that exists in the file."""
        for end in range(len(path), 0, -1):
            line = self.key_lines.get(path[:end])
            if line is not None:
                return line
        return self.first_line


@dataclass
class TextFile:
    """A file decoded as UTF-8 and the problems found reading it; no text when they stopped
    it being read."""

    text: str | None
    """None when the file cannot be read as text; with bytes that are not UTF-8 (a
    `not-utf8` error in `problems`), each is U+FFFD, for the rest of the checks."""
    problems: list[Problem]


def read_text(path: Any, shown_as: str) -> TextFile:
    """Read a UTF-8 file, reporting bad bytes and characters XML cannot carry, with lines.

    A byte-order mark is dropped and CRLF and CR line ends read as LF, as Python's text mode
    reads them: files saved on Windows (or checked out with git's `core.autocrlf`) give the
    same feed, byte for byte, as the files in the repository."""
    try:
        raw: bytes = path.read_bytes()
    except OSError as exc:
        return TextFile(
            None,
            [
                error(
                    "unreadable-file",
                    shown_as,
                    None,
                    f"cannot read the file: {exc.strerror}",
                    "check that it exists and is readable",
                )
            ],
        )
    not_utf8 = []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        not_utf8.append(
            error(
                "not-utf8",
                shown_as,
                None,
                f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                "save it as UTF-8 in your editor",
                line=raw.count(b"\n", 0, exc.start) + 1,
            )
        )
        # read on with each bad byte as U+FFFD: the file's other problems are found too
        text = raw.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:  # a binary file given a text file's name (or UTF-16): one error
        return TextFile(
            None,
            not_utf8
            or [
                error(
                    "control-character",
                    shown_as,
                    None,
                    "holds NUL bytes: it is not a text file",
                    "save it as UTF-8 text, or move it out of the show's text files",
                    line=text.count("\n", 0, text.index("\x00")) + 1,
                )
            ],
        )
    found = list(itertools.islice(FORBIDDEN_CHARACTER.finditer(text), _NAMED + 1))
    problems = []
    for number, match in enumerate(found[:_NAMED], start=1):
        more = (
            f"; {len(FORBIDDEN_CHARACTER.findall(text, match.end())):,} more after it"
            if number == _NAMED and len(found) > _NAMED
            else ""
        )
        problems.append(
            error(
                "control-character",
                shown_as,
                None,
                f"contains the control character U+{ord(match.group()):04X}, "
                f"which XML feeds cannot carry{more}",
                "delete it; it is often invisible, so retype the line",
                line=text.count("\n", 0, match.start()) + 1,
            )
        )
    return TextFile(None if problems else text, not_utf8 + problems)


def parse_yaml(
    text: str, shown_as: str, first_line: int = 1
) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML document; `first_line` is the file line the text starts on. A document
    with a key given twice, or a value a '#' cut short, comes back with them as problems."""
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            lines: dict[Path_, int] = {}
            written: dict[Path_, str] = {}
            problems: list[Problem] = []  # keys given twice, values a '#' cut short
            if node is not None:
                source = text.split("\n") if "#" in text else None  # (for cut-off values)
                found = (lines, written, source)
                _walk(node, (), found, problems, first_line - 1, shown_as, [0])
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and re.search(r"quoted scalar|flow", exc.context or ""):
            mark = exc.context_mark  # where the quote or the [ or { that never closes opens
        line = mark.line + first_line if mark else first_line
        what = exc.problem or exc.context or "invalid YAML"
        text_lines = text.split("\n")
        marked = text_lines[mark.line] if mark and mark.line < len(text_lines) else ""
        return None, [
            error(
                "yaml-syntax",
                shown_as,
                None,
                f"YAML syntax error: {what}",
                _yaml_fix(what, marked),
                line=line,
            )
        ]
    except yaml.YAMLError as exc:
        return None, [
            error(
                "yaml-syntax",
                shown_as,
                None,
                f"YAML syntax error: {exc}",
                "check the YAML syntax",
                line=first_line,
            )
        ]
    except (YamlTooLarge, RecursionError):
        return None, [
            error(
                "yaml-too-large",
                shown_as,
                None,
                "the YAML is nested too deeply or expands to too many values",
                "simplify it; anchors and aliases are rarely needed here",
                line=first_line,
            )
        ]
    # a key given twice is reported, and the rest checked with the value YAML reads (the last)
    return YamlDocument(data, lines, first_line, written), problems


def _yaml_fix(what: str, line: str) -> str:
    """The fix for a syntax error `what` found on `line` (LibYAML says "cannot start any token"
    of a tab, where PyYAML's own parser names it)."""
    if "is not a valid !!" in what:
        return "correct the value, or remove its !! tag"
    if "tab" in what or "\t" in line[: len(line) - len(line.lstrip())]:
        return "indent with spaces, not tabs"
    pair = _KEY_AND_PLAIN_VALUE.match(line)
    if pair and "mapping values are not allowed" in what:
        return f"a value containing ': ' must be put in quotes: {pair[1]}{_quoted(pair[2])}"
    if pair and pair[2][0] in _INDICATORS:
        return (
            f"a value starting with {pair[2][0]} must be put in quotes: {pair[1]}{_quoted(pair[2])}"
        )
    if "mapping values are not allowed" in what:
        return "a value containing ': ' must be put in quotes"
    opened = _QUOTED_VALUE.match(line)
    if opened and "end of stream" in what:
        return (
            f"the value's opening {opened[1]} is never closed: end it with {opened[1]} on this line"
        )
    inner = line[opened.end() :].rstrip().removesuffix("'") if opened else ""
    if opened and opened[1] == "'" and "'" in inner:  # 'Ada's story'
        return (
            "an apostrophe ends a value in single quotes: put it in double quotes, "
            f"{line[: opened.start(1)]}{_quoted(inner)}"
        )
    return "check the indentation and quoting around this line"


_KEY_AND_PLAIN_VALUE = re.compile(r"(\s*(?:- )?[A-Za-z_][\w-]*:[ \t]+)([^\s'\"].*?)\s*$")
_QUOTED_VALUE = re.compile(r"\s*(?:- )?[A-Za-z_][\w-]*:[ \t]+(['\"])")
_INDICATORS = "[]{}@`%*&!,"
"""Characters YAML reads as syntax at the start of a value (`title: [Live] Q&A` is a list)."""


def _quoted(value: str) -> str:
    """`value` as a double-quoted YAML string (JSON's escapes are YAML's)."""
    return json.dumps(value, ensure_ascii=False)


_TEXT_TAG = "tag:yaml.org,2002:str"


def _walk(
    node: yaml.Node,
    path: Path_,
    found: tuple[dict[Path_, int], dict[Path_, str], list[str] | None],
    problems: list[Problem],
    offset: int,
    shown_as: str,
    seen: list[int],
) -> None:
    """Each key's line and each plain value that is not text as written (into `found`, with
    the text's lines when it has a '#'), and every key given twice and value cut off by a
    '#' (into `problems`); `seen` counts the nodes, aliases' expansions included."""
    seen[0] += 1
    if seen[0] > _MAX_EXPANDED_NODES:
        raise YamlTooLarge
    lines, written, source = found
    if isinstance(node, yaml.ScalarNode):
        if node.tag != _TEXT_TAG and not node.style:
            written[path] = node.value
        if source is not None and not node.style and node.tag == _TEXT_TAG:  # (not `false #x`)
            problems += _cut_by_comment(node, path, source, offset, shown_as)
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            child = (*path, key)
            line = key_node.start_mark.line + 1 + offset
            if child in lines:
                problems.append(
                    error(
                        "duplicate-key",
                        shown_as,
                        ".".join(map(str, child)),
                        f"the key appears twice, first on line {lines[child]}",
                        "keep one of them; YAML would silently use the last",
                        line=line,
                    )
                )
            lines[child] = line
            _walk(value_node, child, found, problems, offset, shown_as, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines.setdefault(child, item.start_mark.line + 1 + offset)
            _walk(item, child, found, problems, offset, shown_as, seen)


_COMMENT_IN_VALUE = re.compile(r"[ \t]+#(\S.*)")
"""What follows a plain value on its line when YAML takes the end of a value for a comment:
'#' after a space and before a character (`title: Episode #12`, `audio: take #2.mp3`); a
comment of one's own leaves a space after the '#' (`explicit: false  # no swearing`)."""


def _cut_by_comment(
    node: yaml.ScalarNode, path: Path_, source: list[str], offset: int, shown_as: str
) -> list[Problem]:
    """The warning for a plain value YAML cut short at a '#' it read as a comment's."""
    end = node.end_mark
    rest = source[end.line][end.column :] if end.line < len(source) else ""
    cut = _COMMENT_IN_VALUE.match(rest)
    if cut is None or not path:
        return []
    meant = f"{node.value}{rest.rstrip()}"
    written = f"{path[-1]}: {json.dumps(meant, ensure_ascii=False)}"
    if isinstance(path[-1], int):
        written = f"- {json.dumps(meant, ensure_ascii=False)}"
    return [
        warning(
            "yaml-comment-in-value",
            shown_as,
            ".".join(map(str, path)),
            f"the value is read as {node.value!r}: YAML takes '#{cut.group(1)}' for a comment, "
            "as it does everything from a '#' after a space",
            f"put the whole value in quotes: {written}",
            line=end.line + 1 + offset,
        )
    ]


@dataclass
class MarkdownFile:
    front_matter: YamlDocument
    body: str
    body_line: int
    """The file's line the body starts on."""


def split_front_matter(text: str, shown_as: str) -> tuple[MarkdownFile | None, list[Problem]]:
    """Split `---`-fenced YAML front matter from the Markdown that follows it."""
    opening = _FRONT_MATTER_FENCE.match(text)
    if opening is None:
        message, fix, line = (
            "the file does not start with YAML front matter",
            "start it with a line '---', the episode's keys, then '---'; a file that is not an "
            "episode, such as a README, belongs outside episodes/",
            1,
        )
        blank = len(text) - len(text.lstrip())
        if blank and _FRONT_MATTER_FENCE.match(text, blank):
            line = text.count("\n", 0, blank) + 1
            message = "the front matter's opening '---' is not on the first line"
            fix = "delete the blank lines above it"
        elif text.startswith("+++"):
            message = "the front matter is TOML (between '+++' lines), which is not read"
            fix = "write it as YAML between two '---' lines, one 'key: value' a line"
        return None, [error("no-front-matter", shown_as, None, message, fix, line=line)]
    closing = _FRONT_MATTER_END.search(text, opening.end())
    if closing is None:
        return None, [
            error(
                "no-front-matter",
                shown_as,
                None,
                "the front matter is never closed",
                "add a line '---' after the last key",
                line=1,
            )
        ]
    yaml_text = text[opening.end() : closing.start()]
    document, problems = parse_yaml(yaml_text.removeprefix("\n"), shown_as, first_line=2)
    if document is None:
        return None, problems
    body_start = closing.end() + 1 if text.startswith("\n", closing.end()) else closing.end()
    body_line = text.count("\n", 0, body_start) + 1
    return MarkdownFile(document, text[body_start:], body_line), problems
