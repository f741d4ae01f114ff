"""The show and its episodes in podcast words, validated with pydantic.

`Show` is podcast.yaml, `FrontMatter` is an episode file's YAML header. Each field's docstring
says which feed tag it becomes; only `feed.py` knows the tags themselves.
"""

from __future__ import annotations

import re
import reprlib
import uuid
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar, Literal, TypeVar
from urllib.parse import quote, urljoin, urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import Problem, error
from .filetypes import TRANSCRIPT_TYPES
from .vocabulary import (
    APPLE_CATEGORIES,
    ISO_639_1,
    ISO_3166_1,
    KNOWN_LICENSES,
    LEGACY_CATEGORIES,
    PERSON_ROLES,
    did_you_mean,
    suggest,
)
from .yamlfile import FORBIDDEN_CHARACTER, YamlDocument

# Values quoted in messages are cut short: a pasted essay must not flood the report.
_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlevel = 2


class FieldProblem(ValueError):
    """A value that is wrong in a way we can explain, with a stable code and a fix."""

    def __init__(self, code: str, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fix = fix


def _url(value: Any) -> Any:
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            raise FieldProblem(
                "invalid-url",
                f"{_short.repr(value)} is not a web address",
                "write a full URL such as https://example.com/podcast",
            )
    return value


def _email(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise FieldProblem(
            "invalid-email",
            f"{_short.repr(value)} is not a valid email address",
            "write it as name@example.com",
        )
    return value


def _media_path(value: Any) -> Any:
    """A path inside media/: relative, forward slashes, never climbing out of the folder."""
    if isinstance(value, str):
        path = PurePosixPath(value)
        if (
            value.strip() != value
            or not value
            or path.is_absolute()
            or ".." in path.parts
            or "\\" in value
        ):
            raise FieldProblem(
                "invalid-media-path",
                f"{_short.repr(value)} is not a file name inside media/",
                "give the file's path relative to media/, e.g. episode-1.mp3",
            )
    return value


def _plain_text(value: Any) -> Any:
    """Titles, names and summaries are text: apps show a tag or an entity as it is typed."""
    if not isinstance(value, str):
        return value
    if value != value.strip():
        raise FieldProblem(
            "surrounding-space",
            f"{_short.repr(value)} starts or ends with white space",
            "remove the spaces around it; Apple rejects them",
        )
    markup = _MARKUP.search(value)
    if markup:
        raise FieldProblem(
            "markup-in-text",
            f"{_short.repr(value)} contains HTML ({markup.group()!r}), which apps would show "
            "as typed",
            "write plain text (& and < are fine on their own); formatting belongs in the "
            "show notes",
        )
    return value


_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|<!--|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);")


Url = Annotated[str, BeforeValidator(_url)]
Email = Annotated[str, BeforeValidator(_email)]
MediaPath = Annotated[str, BeforeValidator(_media_path)]
Text = Annotated[str, BeforeValidator(_plain_text), Field(min_length=1)]
PositiveInt = Annotated[int, Field(gt=0, strict=True)]


def _image_reference(value: Any) -> Any:
    if isinstance(value, str) and "://" in value:
        return _url(value)
    return _media_path(value)


ImageRef = Annotated[str, BeforeValidator(_image_reference)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

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


class Owner(_Model):
    name: Text
    """`itunes:owner/itunes:name`."""
    email: Email
    """`itunes:owner/itunes:email`: Spotify and YouTube check it to verify ownership."""


class _ShortForm(_Model):
    """A model that may also be written as a plain string, meaning its main key alone
    (`- Technology` for `- category: Technology`)."""

    _short_form_key: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _from_short_form(cls, value: Any) -> Any:
        return {cls._short_form_key: value} if isinstance(value, str) else value


class Category(_ShortForm):
    """One of Apple's categories, optionally with one of its subcategories."""

    _short_form_key = "category"

    category: str
    """`itunes:category text`."""
    subcategory: str | None = None
    """The nested `itunes:category text`."""

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value in APPLE_CATEGORIES:
            return value
        if value in LEGACY_CATEGORIES:
            raise FieldProblem(
                "legacy-category",
                f"{_short.repr(value)} is a pre-2019 category Apple no longer accepts",
                f"use '{LEGACY_CATEGORIES[value]}'",
            )
        raise FieldProblem(
            "unknown-category",
            f"{_short.repr(value)} is not one of Apple's categories",
            did_you_mean(value, APPLE_CATEGORIES) or "see the list in the README",
        )

    @model_validator(mode="after")
    def _known_subcategory(self) -> Category:
        allowed = APPLE_CATEGORIES[self.category]
        if self.subcategory is not None and self.subcategory not in allowed:
            choices = ", ".join(allowed) if allowed else "none"
            raise FieldProblem(
                "unknown-category",
                f"{_short.repr(self.subcategory)} is not a subcategory of {self.category!r}",
                did_you_mean(self.subcategory, allowed) or f"choose from: {choices}",
            )
        return self


def podcast_guid_for(feed_url: str) -> uuid.UUID:
    """The Podcasting 2.0 `podcast:guid`: UUIDv5 over the feed URL without scheme or end slashes.

    >>> str(podcast_guid_for("https://podnews.net/rss"))
    '9b024349-ccf0-5f69-a609-6b82873eab3c'
    >>> str(podcast_guid_for("http://mp3s.nashownotes.com/pc20rss.xml/"))
    '917393e3-1b1e-5cef-ace4-edaa54e1f810'
    """
    without_scheme = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url)
    return uuid.uuid5(PODCAST_NAMESPACE, without_scheme.rstrip("/"))


PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def _seconds(value: Any) -> Any:
    """A time in the audio: seconds, or HH:MM:SS(.mmm) / MM:SS.

    YAML reads an unquoted 01:30 as 90 already (base 60), so numbers arrive as seconds.
    """
    if isinstance(value, bool):
        raise FieldProblem("invalid-time", f"expected a time, got {_show(value)}", _TIME_FIX)
    if isinstance(value, int | float):
        if value < 0 or value != value:
            raise FieldProblem("invalid-time", f"expected a time, got {_show(value)}", _TIME_FIX)
        return float(value)
    if isinstance(value, str):
        match = re.fullmatch(r"(?:(\d+):)?([0-5]?\d):([0-5]?\d(?:\.\d{1,3})?)", value.strip())
        if match:
            hours, minutes, seconds = match.groups()
            return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    raise FieldProblem("invalid-time", f"expected a time, got {_show(value)}", _TIME_FIX)


_TIME_FIX = 'write seconds (95.5) or HH:MM:SS(.mmm) in quotes, e.g. "01:02:03.500"'
Seconds = Annotated[float, BeforeValidator(_seconds)]


def _text_up_to(max_length: int) -> Any:
    return Field(min_length=1, max_length=max_length)


Text128 = Annotated[str, BeforeValidator(_plain_text), _text_up_to(128)]
Text32 = Annotated[str, BeforeValidator(_plain_text), _text_up_to(32)]
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


class Chapter(_Model):
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
    value = _media_path(value)
    if isinstance(value, str) and PurePosixPath(value).suffix.lower() not in TRANSCRIPT_TYPES:
        raise FieldProblem(
            "transcript-type",
            f"{_short.repr(value)} is not a transcript type apps read",
            "use .vtt (best: Apple shows speakers), .srt, .json, .html or .txt",
        )
    return value


class TranscriptRef(_Model):
    """`podcast:transcript`: a transcript file in media/."""

    file: Annotated[str, BeforeValidator(_transcript_file)]
    language: str | None = None
    """The transcript's language; the show's when left out."""

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None else _iso_639(value)


class Person(_Model):
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
                f"{_short.repr(self.group)} is not a group of the Podcasting 2.0 taxonomy",
                did_you_mean(group, PERSON_ROLES) or f"use one of: {', '.join(PERSON_ROLES)}",
            )
        if role not in PERSON_ROLES[group]:
            in_group = [g for g, roles in PERSON_ROLES.items() if role in roles]
            raise FieldProblem(
                "unknown-person-role",
                f"{_short.repr(self.role)} is not a role of the group {_short.repr(self.group)}",
                f"set group: {in_group[0]}"
                if in_group
                else did_you_mean(role, PERSON_ROLES[group])
                or f"use one of: {', '.join(PERSON_ROLES[group])}",
            )
        return self


class Funding(_Model):
    """`podcast:funding`: where listeners can support the show."""

    url: Url
    text: Text128


class Location(_ShortForm):
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
                f"{_short.repr(value)} is not an ISO 3166-1 country code",
                "use two letters: de, us, gb",
            )
        return value


class License(_ShortForm):
    """`podcast:license`: a well-known licence identifier, or a custom one with its url."""

    _short_form_key = "identifier"

    identifier: Text128
    url: Url | None = None

    @model_validator(mode="after")
    def _known_or_linked(self) -> License:
        if self.url is None and self.identifier.casefold() not in KNOWN_LICENSES:
            raise FieldProblem(
                "unknown-license",
                f"{_short.repr(self.identifier)} is not a well-known licence",
                "add url: with the licence's full text, "
                "or use ARR, CC-BY-4.0, CC-BY-NC-4.0, CC-BY-NC-ND-4.0",
            )
        return self


class Soundbite(_Model):
    """`podcast:soundbite`: a short clip apps can play as a preview."""

    start: Seconds
    duration: Annotated[Seconds, Field(gt=0)]
    title: Text128 | None = None


class AlternateEnclosure(_Model):
    """`podcast:alternateEnclosure`: the same episode in another file (format, quality)."""

    audio: MediaPath
    title: Text32 | None = None
    default: bool = False


class Txt(_Model):
    """`podcast:txt`: free text such as an ownership verification code."""

    value: Text4000
    purpose: Text128 | None = None
    """e.g. applepodcastsverify."""


class UpdateFrequency(_Model):
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


class RemoteItem(_Model):
    """A show recommended in `podcast:podroll`."""

    feed_guid: uuid.UUID
    feed_url: Url | None = None
    title: Text128 | None = None


def _destination(value: Any) -> Any:
    if isinstance(value, str) and "://" in value:
        scheme = value.split("://", 1)[0].lower()
        if scheme not in DESTINATION_SCHEMES:
            raise FieldProblem(
                "invalid-destination",
                f"{_short.repr(value)} is not a storage URL podcast-feed can publish to",
                "use s3://bucket/prefix (AWS, R2, B2, MinIO...), gs://bucket/prefix, "
                "az://container/prefix, file:///folder or a plain folder path",
            )
    return value


DESTINATION_SCHEMES = ("s3", "gs", "az", "file")
Destination = Annotated[str, BeforeValidator(_destination), Field(min_length=1)]
KeyPrefix = Annotated[str, BeforeValidator(_media_path)]


class Publish(_Model):
    """podcast.yaml `publish:`: where `podcast-feed publish` puts the show. Credentials never go
    here: they come from the environment (AWS_ACCESS_KEY_ID...) or the provider's own config."""

    destination: Destination | None = None
    """s3://bucket/prefix, gs://bucket/prefix, az://container/prefix, file:///folder or a
    folder path: the place that `feed_url`'s folder is served from."""
    endpoint: Url | None = None
    """An S3-compatible store's API endpoint (R2, B2, MinIO...); AWS_ENDPOINT_URL overrides it."""
    region: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    """The bucket's region (R2 takes `auto`); AWS_REGION overrides it."""
    feed_path: KeyPrefix | None = None
    """Where feed.xml goes under the destination; by default the last part of `feed_url`."""
    media_path: KeyPrefix | None = None
    """Where media/ goes under the destination; by default `media_base_url`'s path relative
    to `feed_url`'s folder, else `media/`."""
    feed_cache_control: Text = "public, max-age=300"
    """Cache-Control of the feed, chapters and transcripts: short, so corrections reach
    subscribers within minutes."""
    media_cache_control: Text = "public, max-age=604800"
    """Cache-Control of audio and artwork: long, since they never change under the same name."""


class Show(_Model):
    """podcast.yaml: the channel of the feed."""

    title: Text = Field(max_length=255)
    """`title`: the show's name only, no keywords."""
    description: Text
    """`description` (at most 4000 bytes)."""
    link: Url
    """`link`: the show's website."""
    language: str
    """`language`: an ISO 639-1 code, optionally with a region (`en`, `en-us`)."""
    author: Text
    """`itunes:author`: Spotify requires it."""
    owner: Owner
    """`itunes:owner`."""
    image: ImageRef
    """`itunes:image`: a file in media/ or an https URL; square, 1400-3000 px, JPEG or PNG."""
    categories: list[Category] = Field(min_length=1)
    """`itunes:category`; Apple uses only the first."""
    explicit: bool
    """`itunes:explicit`, written true/false."""
    type: Literal["episodic", "serial"] = "episodic"
    """`itunes:type`: episodic lists newest first, serial oldest first by episode number."""
    copyright: Text | None = None
    """`copyright`."""
    feed_url: Url
    """`atom:link rel="self"`: where feed.xml is published."""
    media_base_url: Url
    """The public URL of the media/ folder; enclosure URLs start with it."""
    podcast_guid: uuid.UUID | None = None
    """`podcast:guid`: set once, kept forever, even when the feed moves."""
    timezone: str = "UTC"
    """The zone of episode dates written without one (an IANA name like Europe/Berlin)."""
    complete: bool = False
    """`itunes:complete`: no more episodes will be published."""
    block: bool = False
    """`itunes:block`: keep the show out of Apple's directory."""
    new_feed_url: Url | None = None
    """`itunes:new-feed-url`: the feed has moved there."""
    locked: bool = False
    """`podcast:locked`: other platforms must not import the feed."""
    funding: list[Funding] = Field(default_factory=list)
    """`podcast:funding`."""
    persons: list[Person] = Field(default_factory=list)
    """`podcast:person`: the show's hosts and crew."""
    medium: Medium | None = None
    """`podcast:medium`: podcast, music, audiobook...; apps assume podcast."""
    license: License | None = None
    """`podcast:license`."""
    location: Location | None = None
    """`podcast:location`."""
    txt: list[Txt] = Field(default_factory=list)
    """`podcast:txt`, e.g. Apple's ownership verification code."""
    update_frequency: UpdateFrequency | None = None
    """`podcast:updateFrequency`."""
    podroll: list[RemoteItem] = Field(default_factory=list)
    """`podcast:podroll`: shows you recommend."""
    publish: Publish = Field(default_factory=Publish)
    """Where and how `podcast-feed publish` uploads the show."""
    chapters_in_description: bool = False
    """Also list chapters as timestamps at the end of each description, the form Spotify reads
    (three chapters or more, the first at 0:00)."""
    psc_chapters: bool = True
    """Also write chapters as Podlove Simple Chapters (`psc:chapters`), the only chapters
    gPodder reads; false keeps the W3C validator free of its "unknown namespace" warning."""
    site: bool = True
    """Write the show's website beside feed.xml: index.html, a page per episode, sitemap.xml."""
    site_url: Url | None = None
    """Where the website is served (its canonical URLs and each item's `link`); default `link`."""
    directories: dict[Text128, Url] = Field(default_factory=dict)
    """Subscribe links on the website, by the name shown: `Apple Podcasts: https://...`."""

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return _iso_639(value)

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise FieldProblem(
                "invalid-timezone",
                f"{_short.repr(value)} is not a known time zone",
                did_you_mean(value, zoneinfo.available_timezones())
                or "use an IANA name such as Europe/Berlin or UTC",
            ) from None
        return value

    _key_lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def line_of(self, *key: str) -> int | None:
        """The line of a key in podcast.yaml (`show.line_of("owner", "email")`)."""
        return self._key_lines.get(key)

    @property
    def guid(self) -> uuid.UUID:
        """`podcast:guid`: the configured one, else the one the spec derives from feed_url."""
        return self.podcast_guid or podcast_guid_for(self.feed_url)

    def media_url(self, path: str) -> str:
        """The public URL of a file in media/: the base URL plus the percent-encoded path.

        >>> Show.model_construct(media_base_url="https://cdn.example.com/m/").media_url(
        ...     "Épisode 1.mp3")
        'https://cdn.example.com/m/%C3%89pisode%201.mp3'
        """
        return self.media_base_url.rstrip("/") + "/" + quote(path)

    def published_url(self, path: str) -> str:
        """The public URL of a file written next to feed.xml (chapters/001.json).

        >>> Show.model_construct(feed_url="https://example.com/pod/feed.xml").published_url(
        ...     "chapters/1.json")
        'https://example.com/pod/chapters/1.json'
        >>> Show.model_construct(feed_url="https://example.com").published_url("chapters/1.json")
        'https://example.com/chapters/1.json'
        """
        return urljoin(self.feed_url, quote(path))

    def enclosure_url(self, episode: Episode) -> str:
        """The public URL of an episode's audio: its `enclosure`, and what identifies it in
        the live feed."""
        return self.media_url(episode.meta.audio)

    def image_url(self, image: str) -> str:
        """An image reference (a file in media/ or a URL) as a URL."""
        return image if "://" in image else self.media_url(image)

    @property
    def website(self) -> str:
        """The website's base URL, ending in `/`: `site_url`, else `link`."""
        base = self.site_url or self.link
        return base if base.endswith("/") else f"{base}/"

    def page_url(self, episode: Episode) -> str:
        """The public URL of an episode's page on the website, percent-encoded."""
        return f"{self.website}{quote(episode.page_path)}"

    def episode_link(self, episode: Episode) -> str | None:
        """`item link`: the episode's own `link`, else its page when the site is built."""
        return episode.meta.link or (self.page_url(episode) if self.site else None)


def _iso_639(value: str) -> str:
    primary = value.split("-", 1)[0]
    if primary.lower() not in ISO_639_1 or not re.fullmatch(
        r"[A-Za-z]{2}(-[A-Za-z0-9]{2,8})*", value
    ):
        raise FieldProblem(
            "invalid-language",
            f"{_short.repr(value)} is not an ISO 639-1 language code",
            "use two letters, optionally with a region: en, en-us, de-at",
        )
    return value


def _date_or_datetime(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldProblem(
        "invalid-date",
        f"expected a date, got {_show(value)}",
        "write YYYY-MM-DD, or YYYY-MM-DD HH:MM with an optional +HH:MM offset",
    )


class FrontMatter(_Model):
    """An episode file's YAML header: an `item` of the feed."""

    title: Text = Field(max_length=255)
    """`title` and `itunes:title`: without the episode number or the show's name."""
    date: Annotated[datetime | date, BeforeValidator(_date_or_datetime)]
    """`pubDate`. A date without a zone takes the show's timezone; future dates are scheduled."""
    audio: MediaPath
    """`enclosure`: the audio file's path inside media/; size, type and duration are read
    from the file."""
    guid: Text | None = None
    """`guid`: set once, never changed, or every app downloads the episode again."""
    episode: PositiveInt | None = None
    """`itunes:episode`."""
    season: PositiveInt | None = None
    """`itunes:season`."""
    type: Literal["full", "trailer", "bonus"] = "full"
    """`itunes:episodeType`."""
    explicit: bool | None = None
    """`itunes:explicit`; the show's value when left out."""
    summary: Text | None = None
    """`description`: a short plain-text summary; the show notes are used when left out."""
    image: ImageRef | None = None
    """`itunes:image` of the episode: a file in media/ or an https URL."""
    link: Url | None = None
    """`link`: the episode's web page."""
    draft: bool = False
    """A draft is checked but not published."""
    republish: bool = False
    """Accept that this episode's guid or audio URL differs from the live feed (`--previous`):
    apps will download it again."""
    chapters: list[Chapter] = Field(default_factory=list)
    """Chapters; when left out, those embedded in the audio (ID3 CHAP, MP4 chpl) are used."""
    transcripts: list[TranscriptRef] = Field(default_factory=list)
    """`podcast:transcript`; a file next to the audio (`<audio name>.vtt` etc.) is found
    without this."""
    persons: list[Person] | None = None
    """`podcast:person` for this episode; replaces the show's list (per the spec)."""
    soundbites: list[Soundbite] = Field(default_factory=list)
    """`podcast:soundbite`."""
    funding: list[Funding] = Field(default_factory=list)
    """`podcast:funding` for this episode."""
    location: Location | None = None
    """`podcast:location` for this episode."""
    license: License | None = None
    """`podcast:license` for this episode."""
    season_name: Text128 | None = None
    """`podcast:season name`."""
    episode_display: Text32 | None = None
    """`podcast:episode display`: how apps show the number ("Part 1")."""
    alternate_enclosures: list[AlternateEnclosure] = Field(default_factory=list)
    """`podcast:alternateEnclosure`: the same episode in other files, probed like `audio`."""


@dataclass(frozen=True)
class MediaInfo:
    """What the audio file itself says, read by `media.probe`."""

    size: int
    """`enclosure length`, in bytes."""
    mime_type: str
    """`enclosure type`, from the file's extension."""
    duration: float
    """`itunes:duration`, in seconds."""
    vbr_without_header: bool
    """A VBR MP3 without a Xing/VBRI header: apps guess its length (often by minutes) and
    seek badly; `duration` comes from counting its frames."""
    bitrate: int
    """Bits per second: the average for VBR, counted from the file when no header says."""
    sample_rate: int
    channels: int
    """From the stream itself (an AAC file's container says 2 even for mono)."""
    chapters: tuple[tuple[float, str], ...] = ()
    """Chapters embedded in the file (ID3 CHAP, MP4 chpl): start in seconds, title."""
    bitrate_mode: str = ""
    """CBR, VBR or ABR, as the file's header says; "" when it does not."""
    promised_bytes: int | None = None
    """Set when the file is cut short: the audio bytes its Xing/VBRI header promises, of which
    the file holds fewer (`duration` is the header's, not what is there)."""

    @property
    def truncated(self) -> bool:
        return self.promised_bytes is not None


@dataclass(frozen=True)
class Cue:
    """One caption of a timed transcript, for the episode's web page."""

    start: float
    end: float
    speaker: str | None
    text: str


@dataclass(frozen=True)
class Transcript:
    """A transcript file in media/, ready for `podcast:transcript`."""

    file: str
    mime_type: str
    language: str | None
    timed: bool
    """VTT, SRT and JSON carry time codes: `rel="captions"`."""
    speakers: tuple[str, ...] = ()
    """Speaker names found in VTT `<v Name>` tags (Apple shows them)."""
    cues: tuple[Cue, ...] = ()
    """The captions of a VTT or SRT file, in order."""


@dataclass(frozen=True)
class Episode:
    """One episode file: its front matter, show notes and audio, ready for the feed."""

    source: str
    """The file, relative to the show's root (`episodes/001-intro.md`)."""
    meta: FrontMatter
    published: datetime
    """`meta.date` as an aware datetime."""
    notes_html: str
    """The show notes rendered and sanitised: `content:encoded`."""
    guid: str
    """`meta.guid`, or the value derived from the file name while it is missing."""
    key_lines: Mapping[str, int] = field(default_factory=dict)
    """The line of each front-matter key, for problems found after loading."""
    media: MediaInfo | None = None
    chapters: tuple[Chapter, ...] = ()
    """`meta.chapters`, else the chapters embedded in the audio."""
    transcripts: tuple[Transcript, ...] = ()
    alternates: tuple[tuple[AlternateEnclosure, MediaInfo], ...] = ()
    """Each alternate enclosure with its probed file."""

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)

    @property
    def slug(self) -> str:
        return PurePosixPath(self.source).stem

    @property
    def page_path(self) -> str:
        """The folder of the episode's web page, relative to the site's root.

        >>> Episode("episodes/001-intro.md", None, None, "", "").page_path  # type: ignore[arg-type]
        'episodes/001-intro/'
        """
        return f"episodes/{self.slug}/"


def aware(when: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """A front-matter date as an aware datetime; naive values are in the show's zone.

    >>> aware(date(2025, 6, 3), zoneinfo.ZoneInfo("Europe/Berlin")).isoformat()
    '2025-06-03T00:00:00+02:00'
    """
    if not isinstance(when, datetime):
        when = datetime.combine(when, time())
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)


ModelT = TypeVar("ModelT", bound=BaseModel)


def _show(value: Any) -> str:
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
    shown = _short.repr(value)
    return f"{kind} {shown}" if kind else shown


def validate_record(
    model: type[ModelT], data: Any, document: YamlDocument, shown_as: str
) -> tuple[ModelT | None, list[Problem]]:
    """Validate one YAML document against a model, turning every error into a Problem."""
    if not isinstance(data, dict):
        return None, [
            error(
                "not-a-mapping",
                shown_as,
                None,
                f"expected keys and values, got {_show(data)}",
                "write one 'key: value' per line",
                line=document.first_line,
            )
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = [
            _problem(model, item, document, shown_as) for item in exc.errors(include_url=False)
        ]
        return None, problems


def _problem(model: type[BaseModel], item: Any, document: YamlDocument, shown_as: str) -> Problem:
    loc = tuple(item["loc"])
    dotted = ".".join(str(part) for part in loc) or None
    line = document.line_of(loc)
    kind = item["type"]
    value = item.get("input")
    context = item.get("ctx") or {}

    def make(code: str, message: str, fix: str = "") -> Problem:
        return error(code, shown_as, dotted, message, fix, line=line)

    cause = context.get("error")
    if isinstance(cause, FieldProblem):
        return make(cause.code, cause.message, cause.fix)
    if kind == "extra_forbidden":
        known = _field_names(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), known) or f"known keys: {', '.join(sorted(known))}"
        return make("unknown-key", f"unknown key {str(loc[-1])!r}", hint)
    if kind == "missing":
        return make("missing-key", "this required key is missing", f"add a line '{loc[-1]}: ...'")
    if kind in ("string_type",):
        fix = (
            f'put it in quotes: {loc[-1]}: "{value}"'
            if isinstance(value, int | float | date)
            else "write it as text"
        )
        return make("wrong-type", f"expected text, got {_show(value)}", fix)
    if kind in ("bool_type", "bool_parsing"):
        return make(
            "wrong-type", f"expected true or false, got {_show(value)}", "write true or false"
        )
    if kind.startswith("int_") or (kind == "greater_than" and loc[-1] in ("episode", "season")):
        return make(
            "wrong-type",
            f"expected a whole number above 0, got {_show(value)}",
            "write a number such as 1, without quotes",
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", context.get("expected", ""))
        return make(
            "invalid-value",
            f"{_show(value)} is not allowed here",
            did_you_mean(str(value), choices) or f"use one of: {', '.join(choices)}",
        )
    if kind == "uuid_parsing" or kind == "uuid_type":
        return make(
            "invalid-uuid",
            f"{_show(value)} is not a UUID",
            "delete the line; build prints the value to put there",
        )
    if kind in ("too_short", "string_too_short") and isinstance(value, list | str):
        return make("empty-value", "must not be empty", "fill it in or remove the key")
    if kind == "string_too_long" or (kind == "too_long" and isinstance(value, str)):
        return make("too-long", f"longer than {context.get('max_length')} characters", "shorten it")
    if kind == "string_pattern_mismatch":
        return make(
            "invalid-value",
            f"{_show(value)} is not in the expected form",
            _PATTERN_FIXES.get(str(loc[-1]), "see the README for this key's form"),
        )
    if kind in ("greater_than", "greater_than_equal") and isinstance(value, float | int):
        return make(
            "invalid-value",
            f"must be above {context.get('gt', 0)}, got {_show(value)}",
            "write a positive number",
        )
    if kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
        wanted = "a list" if kind == "list_type" else "keys and values"
        return make(
            "wrong-type",
            f"expected {wanted}, got {_show(value)}",
            "see the README for this key's form",
        )
    return make("invalid-value", f"{item['msg']} (got {_show(value)})", "")


_PATTERN_FIXES = {
    "geo": "write an RFC 5870 geo URI: geo:52.52,13.405",
    "osm": "write the OpenStreetMap type letter and id: R62422",
    "rrule": "write an RFC 5545 rule: FREQ=WEEKLY;BYDAY=TU",
}


def _field_names(model: type[BaseModel], parent: tuple[Any, ...]) -> list[str]:
    """The keys allowed at `parent` inside `model`, for did-you-mean suggestions."""
    current: Any = model
    for part in parent:
        if isinstance(part, int):
            continue
        field_info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field_info is None:
            return []
        current = _model_in(field_info.annotation)
        if current is None:
            return []
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


__all__ = ["Category", "Episode", "FrontMatter", "MediaInfo", "Owner", "Show", "suggest"]
