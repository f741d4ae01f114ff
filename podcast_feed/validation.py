"""pydantic's validation errors as problems a person can act on: the file, the line, the dotted
field, what is wrong and what to do. Only `config.py` and `episodes.py` use it."""

from __future__ import annotations

import re
from datetime import date
from email.utils import parseaddr
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ValidationError,
)

from .errors import Problem, error
from .fields import FieldProblem, Model, ShortForm, described
from .vocabulary import did_you_mean, other_name_fix
from .yamlfile import YamlDocument

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_record(
    model: type[ModelT],
    data: Any,
    document: YamlDocument,
    shown_as: str,
    partial: bool = False,
) -> tuple[ModelT | None, list[Problem]]:
    """Validate one YAML document against a model, turning every error into a Problem.

    With `partial`, a record with errors still comes back, without the keys that failed, when
    each of them is optional: what the record's other checks can run on, so that one run
    reports all of its problems. The errors say it is not to be used.
    """
    if not isinstance(data, dict):
        return None, [
            error(
                "not-a-mapping",
                shown_as,
                None,
                f"expected keys and values, got {described(data)}",
                "write one 'key: value' per line",
                line=document.first_line,
            )
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems = [
            _problem(model, item, document, shown_as)
            for item in errors
            if not _misspelt_here(model, item, errors)
        ]
        return (_without_failed_keys(model, data, errors) if partial else None), problems


def _without_failed_keys(model: type[ModelT], data: dict[str, Any], errors: Any) -> ModelT | None:
    """The record without what failed, for the checks of the rest: of a list (`chapters`),
    the items that failed (a chapter after the end is reported beside another chapter's
    misspelt key); else the key, or for a required key its stand-in (`Model.stand_ins`, which
    the record names in `stand_in_keys`). None if a required key has none (or an error is not
    at a key). A record with items left out keeps their positions in the file
    (`FrontMatter.item_field`), for the lines of its later problems."""
    failed: set[Any] = {item["loc"][0] if item["loc"] else None for item in errors}
    if None in failed:
        return None
    fields = model.model_fields
    stand_ins = model.stand_ins if issubclass(model, Model) else {}
    kept: dict[str, tuple[int, ...]] = {}  # of each list with failed items, the others
    for key in failed:
        items = data.get(key)
        bad = {
            item["loc"][1] if len(item["loc"]) > 1 else None
            for item in errors
            if item["loc"][0] == key
        }
        if isinstance(items, list) and all(isinstance(index, int) for index in bad):
            kept[key] = tuple(index for index in range(len(items)) if index not in bad)
    for tried in (kept, {}) if kept else ({},):  # items left out; else whole keys
        standing_in = {k for k in failed - tried.keys() if k in fields and fields[k].is_required()}
        if not standing_in <= stand_ins.keys():
            continue
        values = {
            key: [value[index] for index in tried[key]] if key in tried else value
            for key, value in data.items()
            if key not in failed or key in tried
        }
        try:
            record = model.model_validate(values | {k: stand_ins[k] for k in standing_in})
        except ValidationError:
            continue
        if tried and "_kept_items" in model.__private_attributes__:
            record._kept_items = tried  # type: ignore[attr-defined]
        if standing_in:
            record._stand_ins = frozenset(standing_in)  # type: ignore[attr-defined]
        return record
    return None


def _misspelt_here(model: type[BaseModel], item: Any, errors: Any) -> bool:
    """Whether `item` is a missing key that an unknown key beside it is told to be (`Title:`
    for `title`): that error says so, and "add a line 'title: ...'" would have the podcaster
    write a second one."""
    if item["type"] != "missing" or not item["loc"]:
        return False
    *parent, key = item["loc"]
    return any(
        other["type"] == "extra_forbidden"
        and list(other["loc"][:-1]) == parent
        and _unknown_key_fix(model, tuple(other["loc"])) == f"did you mean '{key}'?"
        for other in errors
    )


def _unknown_key_fix(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """What to do about the unknown key at `loc`: the key it is another spelling of, or the
    keys there are."""
    where = _model_at(model, loc[:-1])
    known = list(where.model_fields) if where is not None else []
    elsewhere = where.keys_elsewhere if where is not None and issubclass(where, Model) else {}
    return (
        other_name_fix(str(loc[-1]), known, elsewhere)
        or did_you_mean(str(loc[-1]), known)
        or f"known keys: {', '.join(sorted(known))}"
    )


_EXPLICIT_WORDS = {"clean": "false", "explicit": "true"}
"""itunes:explicit's values before Apple made it true or false (feedgen still writes them)."""


def _problem(model: type[BaseModel], item: Any, document: YamlDocument, shown_as: str) -> Problem:
    loc = tuple(item["loc"])
    kind = item["type"]
    value = item.get("input")
    context = item.get("ctx") or {}
    cause = context.get("error")
    if isinstance(cause, FieldProblem) and cause.key is not None:
        loc = (*loc, cause.key)
    dotted = ".".join(str(part) for part in loc) or None
    line = document.line_of(loc)

    def make(code: str, message: str, fix: str = "") -> Problem:
        return error(code, shown_as, dotted, message, fix, line=line)

    if isinstance(cause, FieldProblem):
        return make(cause.code, cause.message, cause.fix)
    if kind == "extra_forbidden":
        return make("unknown-key", f"unknown key {str(loc[-1])!r}", _unknown_key_fix(model, loc))
    if kind == "missing":
        return make("missing-key", "this required key is missing", f"add a line '{loc[-1]}: ...'")
    if kind in ("string_type",):
        written = document.written.get(loc, str(value))  # `no`, not the False YAML made of it
        quoted = f'- "{written}"' if isinstance(loc[-1], int) else f'{loc[-1]}: "{written}"'
        fix = (
            f"put it in quotes: {quoted}"
            if isinstance(value, int | float | date)  # (a bool is an int)
            else "write it as text"
        )
        got = described(value)
        if isinstance(value, bool) and loc in document.written:
            got = f"{written!r}, which YAML reads as {str(value).lower()}"
        return make("wrong-type", f"expected text, got {got}", fix)
    if kind in ("bool_type", "bool_parsing"):
        meant = _EXPLICIT_WORDS.get(str(value).casefold()) if loc[-1] == "explicit" else None
        return make(
            "wrong-type",
            f"expected true or false, got {described(value)}",
            f"write {meant}: Apple's values are true and false now"
            if meant
            else "write true or false",
        )
    if kind.startswith("int_") or (kind == "greater_than" and loc[-1] in ("episode", "season")):
        return make(
            "wrong-type",
            f"expected a whole number above 0, got {described(value)}",
            "write a number such as 1, without quotes",
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", context.get("expected", ""))
        return make(
            "invalid-value",
            f"{described(value)} is not allowed here",
            did_you_mean(str(value), choices) or f"use one of: {', '.join(choices)}",
        )
    if kind == "uuid_parsing" or kind == "uuid_type":
        return make(
            "invalid-uuid",
            f"{described(value)} is not a UUID",
            "delete the line; build prints the value to put there",
        )
    if kind in ("too_short", "string_too_short") and isinstance(value, list | str):
        return make("empty-value", "must not be empty", "fill it in or remove the key")
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return make("too-long", f"longer than {context.get('max_length')} characters", "shorten it")
    if kind == "string_pattern_mismatch":
        return make(
            "invalid-value",
            f"{described(value)} is not in the expected form",
            _PATTERN_FIXES.get(str(loc[-1]), "see the README for this key's form"),
        )
    if kind in ("greater_than", "greater_than_equal") and isinstance(value, float | int):
        return make(
            "invalid-value",
            f"must be above {context.get('gt', 0)}, got {described(value)}",
            "write a positive number",
        )
    if kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
        wanted = "a list" if kind == "list_type" else "keys and values"
        return make(
            "wrong-type",
            f"expected {wanted}, got {described(value)}",
            _structure_fix(str(loc[-1]), kind, value, _model_at(model, loc)),
        )
    return make("invalid-value", f"{item['msg']} (got {described(value)})", "")


def _structure_fix(key: str, kind: str, value: object, wanted: type[BaseModel] | None) -> str:
    """What to write for a list or mapping given as one line of text: the list of that one
    item, an owner's `Name <email>` as its two keys, and text where `wanted`'s keys belong
    (the model expected there, or in the list's items) as those keys (`- file: a.vtt` for a
    transcript)."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return "see the README for this key's form"
    name, address = parseaddr(str(value)) if key == "owner" else ("", "")
    if "@" in address:
        return (
            f"write it as two lines under 'owner:', '  name: {name or '...'}' and "
            f"'  email: {address}'"
        )
    required = _required_keys(wanted)
    if kind == "list_type":
        if not required:
            return f"write it as a list: '{key}:', then a line '  - {value}' for each item"
        item = ", ".join(_as_keys(required, value, "  - ", "    "))
        return f"write it as a list: '{key}:', then {item} for each item"
    if not required:
        return "see the README for this key's form"
    lines = _as_keys(required, value, *(("- ", "  ") if key.isdigit() else ("", "")))
    if len(lines) == 1:
        return f"write it with its key: {lines[0]}"
    return f"write its keys, each on a line of its own: {', '.join(lines)}"


def _required_keys(model: type[BaseModel] | None) -> list[str]:
    """The keys `model` requires; none for one that may be written as text alone (a
    `ShortForm`: `- Technology` will do)."""
    if model is None or issubclass(model, ShortForm):
        return []
    return [name for name, info in model.model_fields.items() if info.is_required()]


def _as_keys(keys: list[str], value: object, first: str, then: str) -> list[str]:
    """The lines of `keys`, quoted, with `value` if there is one key (of several, which
    one it is for is a guess), `first` and `then` the starts of the first line and of the
    others."""
    shown = value if len(keys) == 1 else "..."
    return [f"'{first}{keys[0]}: {shown}'", *(f"'{then}{key}: ...'" for key in keys[1:])]


_PATTERN_FIXES = {
    "geo": "write an RFC 5870 geo URI: geo:52.52,13.405",
    "osm": "write the OpenStreetMap type letter and id: R62422",
    "rrule": "write an RFC 5545 rule: FREQ=WEEKLY;BYDAY=TU",
}


def _model_at(model: type[BaseModel], parent: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose keys are allowed at `parent` inside `model`, for suggestions."""
    current: type[BaseModel] | None = model
    for part in parent:
        if isinstance(part, int):
            continue
        field_info = current.model_fields.get(part) if current is not None else None
        if field_info is None:
            return None
        current = _model_in(field_info.annotation)
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
