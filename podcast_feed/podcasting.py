"""The Podcasting 2.0 values a show or an episode can carry: chapters, transcripts, people,
funding, location, license, soundbites, alternate enclosures, txt, update frequency and podroll.
Each field's docstring says which `podcast:` tag it becomes (SPEC 4)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from .fields import (
    FieldProblem,
    ImageRef,
    MediaPath,
    Model,
    Seconds,
    ShortForm,
    Text32,
    Text128,
    Text4000,
    Url,
    brief,
    iso_639,
    media_path,
)
from .filetypes import TRANSCRIPT_TYPES
from .vocabulary import (
    ISO_3166_1,
    KNOWN_LICENSES,
    PERSON_ROLES,
    did_you_mean,
)


class Chapter(Model):
    """A chapter: `podcast:chapters` JSON, `psc:chapter`, and description timestamps."""

    start: Seconds
    """`startTime`, in seconds from the start of the audio."""
    title: Text128
    url: Url | None = None
    """A web page about the chapter's topic."""
    image: ImageRef | None = None
    """Chapter artwork: a file in media/ or an https URL."""
    hidden: bool = False
    """`toc: false`: the chapter changes the artwork or link but is not listed."""


def _transcript_file(value: Any) -> Any:
    value = media_path(value)
    if isinstance(value, str) and PurePosixPath(value).suffix.lower() not in TRANSCRIPT_TYPES:
        raise FieldProblem(
            "transcript-type",
            f"{brief.repr(value)} is not a transcript type apps read",
            "use .vtt (best: Apple shows speakers), .srt, .json, .html or .txt",
        )
    return value


class TranscriptRef(Model):
    """`podcast:transcript`: a transcript file in media/."""

    file: Annotated[str, BeforeValidator(_transcript_file)]
    language: str | None = None
    """The transcript's language; the show's when left out."""

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else iso_639(value)


class Person(Model):
    """`podcast:person`: someone who made the show or episode."""

    name: Text128
    role: str = "host"
    """A role from the Podcasting 2.0 taxonomy (host, guest, producer...)."""
    group: str = "cast"
    """The role's group in the taxonomy (cast, writing, audio production...)."""
    img: Url | None = None
    """A picture of the person."""
    href: Url | None = None
    """The person's web page."""

    @model_validator(mode="after")
    def _in_taxonomy(self) -> Person:
        group, role = self.group.casefold(), self.role.casefold()
        if group not in PERSON_ROLES:
            raise FieldProblem(
                "unknown-person-role",
                f"{brief.repr(self.group)} is not a group of the Podcasting 2.0 taxonomy",
                did_you_mean(group, PERSON_ROLES) or f"use one of: {', '.join(PERSON_ROLES)}",
                key="group",
            )
        if role not in PERSON_ROLES[group]:
            in_group = [g for g, roles in PERSON_ROLES.items() if role in roles]
            raise FieldProblem(
                "unknown-person-role",
                f"{brief.repr(self.role)} is not a role of the group {brief.repr(self.group)}",
                f"set group: {in_group[0]}"
                if in_group
                else did_you_mean(role, PERSON_ROLES[group])
                or f"use one of: {', '.join(PERSON_ROLES[group])}",
                key="role",
            )
        return self


class Funding(Model):
    """`podcast:funding`: where listeners can support the show."""

    url: Url
    text: Text128


class Location(ShortForm):
    """`podcast:location`: what the show or episode is about (or where it was made)."""

    _short_form_key = "name"

    name: Text128
    geo: (
        Annotated[
            str,
            Field(
                pattern=r"^geo:-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?"
                r"(,-?\d+(\.\d+)?)?(;[^\s]*)?$"
            ),
        ]
        | None
    ) = None
    """An RFC 5870 geo URI: geo:52.52,13.40."""
    osm: Annotated[str, Field(pattern=r"^[NWR]\d+(#\d+)?$")] | None = None
    """An OpenStreetMap object: type letter and id, e.g. R62422."""
    country: str | None = None
    """ISO 3166-1 alpha-2 code."""
    rel: Literal["subject", "creator"] | None = None

    @field_validator("country")
    @classmethod
    def _iso_3166(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in ISO_3166_1:
            raise FieldProblem(
                "invalid-country",
                f"{brief.repr(value)} is not an ISO 3166-1 country code",
                "use two letters: de, us, gb",
            )
        return value


class License(ShortForm):
    """`podcast:license`: a well-known licence identifier, or a custom one with its url."""

    _short_form_key = "identifier"

    identifier: Text128
    url: Url | None = None

    @model_validator(mode="after")
    def _known_or_linked(self) -> License:
        if self.url is None and self.identifier.casefold() not in KNOWN_LICENSES:
            raise FieldProblem(
                "unknown-license",
                f"{brief.repr(self.identifier)} is not a well-known licence",
                "add url: with the licence's full text, "
                "or use ARR, CC-BY-4.0, CC-BY-NC-4.0, CC-BY-NC-ND-4.0",
            )
        return self


class Soundbite(Model):
    """`podcast:soundbite`: a short clip apps can play as a preview."""

    start: Seconds
    duration: Annotated[Seconds, Field(gt=0)]
    title: Text128 | None = None


class AlternateEnclosure(Model):
    """`podcast:alternateEnclosure`: the same episode in another file (format, quality)."""

    audio: MediaPath
    title: Text32 | None = None
    default: bool = False


class Txt(Model):
    """`podcast:txt`: free text such as an ownership verification code."""

    value: Text4000
    purpose: Text128 | None = None
    """e.g. applepodcastsverify."""


class UpdateFrequency(Model):
    """`podcast:updateFrequency`: how often episodes come out."""

    text: Text128
    """What listeners read: "Every Tuesday"."""
    rrule: (
        Annotated[
            str,
            Field(
                pattern=r"^FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|"
                r"MONTHLY|YEARLY)(;[A-Z]+=[^;\s]+)*$"
            ),
        ]
        | None
    ) = None
    """An RFC 5545 rule: FREQ=WEEKLY;BYDAY=TU."""
    complete: bool = False
    dtstart: datetime | None = None


class RemoteItem(Model):
    """A show recommended in `podcast:podroll`."""

    feed_guid: uuid.UUID
    feed_url: Url | None = None
    title: Text128 | None = None
