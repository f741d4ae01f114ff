"""The field types of podcast.yaml and the front matter: what makes a URL, a plain text, a
time or a media path valid, with the message and fix a person gets when it is not.

Each validator raises `FieldProblem` (code, message, fix); `validation.py` turns it into a
problem with file, line and field.
"""

from __future__ import annotations

import functools
import re
import reprlib
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .errors import IGNORABLE_CODES, PROBLEM_CODES, WARNING_CODES
from .layout import file_name_in
from .vocabulary import (
    ISO_639_1,
    LANGUAGE_NAMES,
    did_you_mean,
    meant_address,
)
from .yamlfile import FORBIDDEN_CHARACTER

brief = reprlib.Repr()
brief.maxstring = 60
brief.maxother = 60
brief.maxlevel = 2


class FieldProblem(ValueError):
    """A value that is wrong in a way we can explain, with a stable code and a fix."""

    def __init__(self, code: str, message: str, fix: str = "", key: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix
        self.key = key
        """The key of the model being checked that is wrong, when a check of the whole model
        (a person's role in its group) finds it: the problem is reported at its line."""


def _url(value: Any) -> Any:
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            raise FieldProblem(
                "invalid-url",
                f"{brief.repr(value)} is not a web address",
                _url_fix(value),
            )
    return value


def _url_fix(value: str) -> str:
    """The address meant, for one written without its scheme or with a mistyped one."""
    meant = meant_address(value)
    if meant is not None:
        return f"did you mean {meant!r}?"
    return "write a full URL such as https://example.com/podcast"


def _email(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise FieldProblem(
            "invalid-email",
            f"{brief.repr(value)} is not a valid email address",
            "write it as name@example.com",
        )
    return value


def media_path(value: Any) -> Any:
    """A path inside media/: relative, forward slashes, never climbing out of the folder."""
    if isinstance(value, str) and re.match(r"[a-zA-Z][\w+.-]*://", value):
        name = file_name_in(value) or "episode-1.mp3"
        raise FieldProblem(
            "invalid-media-path",
            f"{brief.repr(value)} is an address, and the audio is read from its file: its "
            "size and duration go into the feed",
            f"download it into media/ and write its name here, e.g. {name}; the feed gives it "
            "the address media_base_url + that name",
        )
    if isinstance(value, str):
        path = PurePosixPath(value)
        if (
            value.strip() != value
            or not value
            or path.is_absolute()
            or ".." in path.parts
            or "\\" in value
        ):
            slashed = value.strip().replace("\\", "/")
            raise FieldProblem(
                "invalid-media-path",
                f"{brief.repr(value)} is not a file name inside media/",
                f"write / between folders, as URLs do: {slashed}"
                if "\\" in value and _is_media_path(slashed)
                else "give the file's path relative to media/, e.g. episode-1.mp3",
            )
    return value


def _is_media_path(value: str) -> bool:
    try:
        media_path(value)
    except FieldProblem:
        return False
    return True


def _plain_text(value: Any) -> Any:
    """Titles, names and summaries are text: apps show a tag or an entity as it is typed."""
    if not isinstance(value, str):
        return value
    # the line break a YAML block ends in (`description: |`) is YAML's, not the podcaster's
    value = value.removesuffix("\n")
    if value != value.strip():
        raise FieldProblem(
            "surrounding-space",
            f"{brief.repr(value)} starts or ends with white space",
            "remove the spaces around it; Apple rejects them",
        )
    markup = _MARKUP.search(value)
    if markup:
        raise FieldProblem(
            "markup-in-text",
            f"{brief.repr(value)} contains HTML ({markup.group()!r}), which apps would show "
            "as typed",
            "write plain text, where & and < on their own are fine; formatting belongs in the "
            "show notes",
        )
    return value


def _one_line(value: Any) -> Any:
    """Titles, names and labels are shown on one line: a YAML block (`title: |`) keeps its
    line ends, and each app shows them differently, or cuts the title there."""
    # before the check of surrounding spaces: a `title: |` block also ends in a line break,
    # and this is the one fix it needs
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        raise FieldProblem(
            "line-break",
            f"{brief.repr(value)} has a line break",
            "write it on one line: apps show titles, names and labels on one line",
        )
    return _plain_text(value)


_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|<!--|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);")


Url = Annotated[str, BeforeValidator(_url)]
Email = Annotated[str, BeforeValidator(_email)]
MediaPath = Annotated[str, BeforeValidator(media_path)]
Text = Annotated[str, BeforeValidator(_plain_text), Field(min_length=1)]
Line = Annotated[str, BeforeValidator(_one_line), Field(min_length=1)]
"""Text on one line: a title, a name, a label, a header value."""
PositiveInt = Annotated[int, Field(gt=0, strict=True)]


def _image_reference(value: Any) -> Any:
    if isinstance(value, str) and "://" in value:
        return _url(value)
    return media_path(value)


ImageRef = Annotated[str, BeforeValidator(_image_reference)]


def addresses(model: BaseModel, within: str = "") -> Iterator[tuple[str, str]]:
    """Each web address among the model's values (its `Url` and `ImageRef` fields, in nested
    models, lists and mappings too), with its dotted field (`persons.0.img`)."""
    for name in _address_fields(type(model)):
        value = getattr(model, name)
        if value is not None:
            yield from _addresses(value, f"{within}{name}")


def _addresses(value: Any, field: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, BaseModel):
        yield from addresses(value, f"{field}.")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _addresses(item, f"{field}.{index}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _addresses(item, f"{field}.{key}")
    elif isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        yield field, value


_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
EXAMPLE_NAME = "a name kept for examples"
THIS_MACHINE = "this machine's own address"
_RESERVED_TOP_LEVEL = ("example", "test", "invalid")


def host_of(address: str) -> str:
    """The host of a web address, or the domain of a mail address ("" if it has none).

    >>> host_of("https://Pod.Example.com:8000/feed.xml"), host_of("you@example.com")
    ('pod.example.com', 'example.com')
    """
    if "://" in address:
        return urlsplit(address).hostname or ""
    return address.rpartition("@")[2].lower()


def reserved_host(host: str) -> str:
    """What `host` is, if it is a name set aside for examples and tests (RFC 2606, RFC 6761)
    or this machine: nothing on the internet ever answers there. "" for any other host.

    >>> [reserved_host(h) for h in ("my.example.com", "show.test", "127.0.0.1", "example.co")]
    ['a name kept for examples', 'a name kept for examples', "this machine's own address", '']
    """
    import ipaddress

    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return THIS_MACHINE
    if name.rsplit(".", 1)[-1] in _RESERVED_TOP_LEVEL:
        return EXAMPLE_NAME
    if any(name == domain or name.endswith(f".{domain}") for domain in _EXAMPLE_DOMAINS):
        return EXAMPLE_NAME
    try:
        loopback = ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return ""
    return THIS_MACHINE if loopback else ""


@functools.cache
def _address_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields whose type is, or holds, a `Url`, an `ImageRef` or a model."""
    return tuple(
        name
        for name, field in model.model_fields.items()
        if any(map(_names_address, field.metadata)) or _names_address(field.annotation)
    )


def _names_address(annotation: Any) -> bool:
    if isinstance(annotation, BeforeValidator):
        return annotation.func in (_url, _image_reference)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(map(_names_address, get_args(annotation)))


class Model(BaseModel):
    # defer_build: the schemas are built on first use, not when `podcast-feed --help` starts
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    keys_elsewhere: ClassVar[Mapping[str, str]] = {}
    """What other publishers call this model's keys, and what to write instead (by
    `vocabulary.plain_key`): the fix for such an unknown key (validation.py)."""
    stand_ins: ClassVar[Mapping[str, Any]] = {}
    """For a required key that no check of the other keys, nor of other files, reads: a
    value a record validated with its errors (validation.py's `partial`) takes when the key
    failed, so that its other keys are checked in the same run. Problems the checks find at
    such a key are left out: the key's own errors say what is wrong with it."""

    @field_validator("*", mode="after")
    @classmethod
    def _xml_compatible(cls, value: Any) -> Any:
        # The file's raw text is checked when read; YAML escapes ("\0", "\x07") slip past that.
        found = FORBIDDEN_CHARACTER.search(value) if isinstance(value, str) else None
        if found:
            raise FieldProblem(
                "control-character",
                f"contains the control character U+{ord(found.group()):04X}, which XML feeds "
                "cannot carry",
                "remove it; a YAML escape such as \\0 or \\x07 puts one there",
            )
        return value

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled with the field names as Python's own (interned) strings, each stored once
        per pickle: pydantic makes new ones for every model, and the cache's 10,000 episodes'
        front matter took twice the time and memory to unpickle with them."""
        state = super().__getstate__()
        state["__dict__"] = {sys.intern(name): value for name, value in self.__dict__.items()}
        fields_set = self.__pydantic_fields_set__
        state["__pydantic_fields_set__"] = {sys.intern(name) for name in fields_set}
        return state


class ShortForm(Model):
    """A model that may also be written as a plain string, meaning its main key alone
    (`- Technology` for `- category: Technology`)."""

    _short_form_key: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _from_short_form(cls, value: Any) -> Any:
        return {cls._short_form_key: value} if isinstance(value, str) else value


def time_in_audio(value: Any) -> Any:
    """A time in the audio: seconds, or HH:MM:SS(.mmm) / MM:SS.

    YAML reads an unquoted 01:30 as 90 already (base 60), so numbers arrive as seconds.
    """
    if isinstance(value, bool):
        raise FieldProblem("invalid-time", f"expected a time, got {described(value)}", _TIME_FIX)
    if isinstance(value, int | float):
        if value < 0 or value != value:
            raise FieldProblem(
                "invalid-time", f"expected a time, got {described(value)}", _TIME_FIX
            )
        return float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"(?:(\d+):)?([0-5]?\d):([0-5]?\d(?:\.\d{1,3})?)", value.strip())
        if match:
            hours, minutes, seconds = match.groups()
            return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    raise FieldProblem("invalid-time", f"expected a time, got {described(value)}", _TIME_FIX)


_TIME_FIX = 'write seconds (95.5) or HH:MM:SS(.mmm) in quotes, e.g. "01:02:03.500"'
Seconds = Annotated[float, BeforeValidator(time_in_audio)]


def _text_up_to(max_length: int) -> Any:
    return Field(min_length=1, max_length=max_length)


Text128 = Annotated[str, BeforeValidator(_one_line), _text_up_to(128)]
Text32 = Annotated[str, BeforeValidator(_one_line), _text_up_to(32)]
Text4000 = Annotated[str, BeforeValidator(_plain_text), _text_up_to(4000)]
Medium = Literal[
    "podcast",
    "music",
    "video",
    "film",
    "audiobook",
    "newsletter",
    "blog",
    "publisher",
    "course",
    "podcastL",
    "musicL",
    "videoL",
    "filmL",
    "audiobookL",
    "newsletterL",
    "blogL",
    "publisherL",
    "courseL",
    "mixed",
]
"""`podcast:medium` values (SPEC 4.2)."""


def destination(value: Any) -> Any:
    """Where `publish` writes: a bucket's URL, a file:// URL of a folder here, or a folder."""
    if isinstance(value, str) and "://" in value:
        scheme, _, rest = value.partition("://")
        if scheme.lower() not in DESTINATION_SCHEMES:
            raise FieldProblem(
                "invalid-destination",
                f"{brief.repr(value)} is not a storage URL podcast-feed can publish to",
                "use s3://bucket/prefix for AWS, R2, B2, MinIO and the like, gs://bucket/prefix, "
                "az://container/prefix, file:///folder or a plain folder path",
            )
        host = urlsplit(value).hostname or ""
        if scheme.lower() == "file" and host not in ("", "localhost"):
            # file://www/show is the folder /show on a machine named www: never this one's
            raise FieldProblem(
                "invalid-destination",
                f"{brief.repr(value)} names the machine {host!r}; a file:// URL names a folder "
                "on this one",
                f"write three slashes for a folder from the root, file:///{rest}, or a plain "
                "folder path",
            )
        if scheme.lower() != "file" and not host:
            raise FieldProblem(
                "invalid-destination",
                f"{brief.repr(value)} names no bucket",
                f"write {scheme.lower()}://BUCKET/prefix",
            )
    return value


DESTINATION_SCHEMES = ("s3", "gs", "az", "file")
Destination = Annotated[str, BeforeValidator(destination), Field(min_length=1)]
KeyPrefix = Annotated[str, BeforeValidator(media_path)]


def _warning_code(value: Any) -> Any:
    if isinstance(value, str) and value not in IGNORABLE_CODES:
        if value in WARNING_CODES:
            raise FieldProblem(
                "invalid-value",
                f"{brief.repr(value)} never fails a build and is not counted",
                "remove it: there is nothing to ignore",
            )
        if value in PROBLEM_CODES:
            raise FieldProblem(
                "invalid-value",
                f"{brief.repr(value)} is an error, and errors cannot be ignored",
                "fix what it reports",
            )
        raise FieldProblem(
            "invalid-value",
            f"{brief.repr(value)} is not the code of a warning",
            did_you_mean(value, IGNORABLE_CODES)
            or "copy the code in [brackets] at the end of the warning",
        )
    return value


WarningCode = Annotated[str, BeforeValidator(_warning_code)]


def iso_639(value: str) -> str:
    primary = value.split("-", 1)[0]
    if primary.lower() not in ISO_639_1 or not re.fullmatch(
        r"[A-Za-z]{2}(-[A-Za-z0-9]{2,8})*", value
    ):
        hyphened = value.replace("_", "-").lower()  # a locale's form: en_US
        named = LANGUAGE_NAMES.get("_".join(value.casefold().split()))
        fix = (
            f"write {hyphened}: a region follows a hyphen"
            if hyphened != value.lower() and hyphened.split("-", 1)[0] in ISO_639_1
            else f"write its code: {named}"
            if named
            else "use two letters, optionally with a region: en, en-us, de-at"
        )
        raise FieldProblem(
            "invalid-language", f"{brief.repr(value)} is not an ISO 639-1 language code", fix
        )
    return value


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_or_datetime(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    written_as = _as_iso(value)  # (only for a date that is wrong: it costs a few regexes)
    if isinstance(value, str) and _DATE_SHAPE.match(value.strip()):  # say which part is wrong
        try:
            date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise FieldProblem(
                "invalid-date",
                f"{brief.repr(value)} is not a day of the calendar",
                "check the month, 01 to 12, and the day of that month",
            ) from None
        raise FieldProblem(
            "invalid-date",
            f"{brief.repr(value)} has a time or offset that cannot be read",
            f"write it as {written_as}"
            if written_as
            else "write the time as HH:MM, 00:00 to 23:59, and any offset as +HH:MM under 24 "
            "hours, e.g. 2025-06-03 09:00+02:00",
        )
    raise FieldProblem(
        "invalid-date",
        f"expected a date, got {described(value)}",
        f"write it as {written_as}"
        if written_as
        else "write YYYY-MM-DD, or YYYY-MM-DD HH:MM with an optional +HH:MM offset",
    )


_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {
    name: number
    for number, month in enumerate(_MONTH_NAMES.split(), start=1)
    for name in (month, month[:3], "sept" if month == "september" else month[:3])
}
_CLOCK = r"(?:[ T,]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
_ZONE = r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
_WRITTEN_DATES = [
    re.compile(
        rf"(?P<year>\d{{4}})[-/.](?P<month>\d{{1,2}})[-/.](?P<day>\d{{1,2}}){_CLOCK}{_ZONE}"
    ),
    # 03.06.2025: the day first, as wherever dates are written with dots
    re.compile(rf"(?P<day>\d{{1,2}})\.(?P<month>\d{{1,2}})\.(?P<year>\d{{4}}){_CLOCK}{_ZONE}"),
    re.compile(
        rf"(?:[a-z]+,?\s+)?(?P<name>[a-z]+)\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
        rf"(?P<year>\d{{4}}){_CLOCK}{_ZONE}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:[a-z]+,?\s+)?(?P<day>\d{{1,2}})\.?\s+(?P<name>[a-z]+)\.?,?\s+"
        rf"(?P<year>\d{{4}}){_CLOCK}{_ZONE}",
        re.IGNORECASE,
    ),
]
"""Dates written in a form that says which day it is, which is not ours: 2025/06/03, 2025-6-3,
03.06.2025, June 3, 2025, Tue, 03 Jun 2025 09:00:00 +0000 (an RSS feed's pubDate). 06/03/2025
is not among them: June the 3rd in the US, 6 March in most other places."""


def _as_iso(value: object) -> str | None:
    """`value` as the front matter writes that date (2025-06-03, 2025-06-03 09:00+02:00),
    when it is a date written in another form that says which day it is, a YYYYMMDD number, or
    a Unix time (a number of seconds, or of milliseconds); else None.

    >>> _as_iso("Tue, 03 Jun 2025 09:00:00 +0000"), _as_iso("3. Juni 2025")
    ('2025-06-03 09:00+00:00', None)
    >>> _as_iso("June 3rd, 2025"), _as_iso("2025/6/3 9:05"), _as_iso(1748941200)
    ('2025-06-03', '2025-06-03 09:05', '2025-06-03 09:00+00:00')
    >>> _as_iso(20250603), _as_iso(20251303)  # YYYYMMDD, as file names and exports have it
    ('2025-06-03', None)
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if 10**7 <= value < 10**8:  # YYYYMMDD
            try:
                return date(value // 10000, value // 100 % 100, value % 100).isoformat()
            except ValueError:
                return None
        seconds = value / 1000 if value >= 10**11 else value
        if not 10**8 <= seconds < 10**10:
            return None
        return _written(datetime.fromtimestamp(seconds, UTC), "Z")
    if not isinstance(value, str):
        return None
    for pattern in _WRITTEN_DATES:
        found = pattern.fullmatch(value.strip())
        if found is None:
            continue
        parts = found.groupdict()
        month = _MONTHS.get((parts.get("name") or "").casefold()) or int(parts.get("month") or 0)
        try:
            when = datetime(
                int(parts["year"]),
                month,
                int(parts["day"]),
                int(parts["hour"] or 0),
                int(parts["minute"] or 0),
                int(parts["second"] or 0),
            )
        except ValueError:
            return None
        written = _written(when, parts["zone"], timed=parts["hour"] is not None)
        try:  # an offset of 25 hours is no more readable written our way
            datetime.fromisoformat(written)
        except ValueError:
            return None
        return written
    return None


def _written(when: datetime, zone: str | None, timed: bool = True) -> str:
    """A datetime as front matter has it: 2025-06-03, 2025-06-03 09:00, with +HH:MM."""
    if not timed:
        return when.date().isoformat()
    text = when.strftime("%Y-%m-%d %H:%M" + (":%S" if when.second else ""))
    if zone is None:
        return text
    if zone.upper() in ("Z", "UTC", "GMT"):
        return f"{text}+00:00"
    digits = zone.replace(":", "")
    return f"{text}{digits[:3]}:{digits[3:]}"


def described(value: Any) -> str:
    """A short description of a wrong value, safe for huge or nested input."""
    kinds = {
        bool: "the boolean",
        int: "the number",
        float: "the number",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
        date: "the date",
        datetime: "the date",
    }
    kind = kinds.get(type(value))
    if kind in ("a list", "a mapping", "nothing"):
        return kind or ""
    shown = brief.repr(value)
    return f"{kind} {shown}" if kind else shown
