"""The show and its episodes in podcast words, validated with pydantic.

`Show` is podcast.yaml, `FrontMatter` is an episode file's YAML header. Each field's docstring
says which feed tag it becomes; only `feed.py` knows the tags themselves.
"""

from __future__ import annotations

import pickle
import posixpath
import re
import uuid
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, SupportsBytes
from urllib.parse import quote, urljoin

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .cache import Deferred
from .errors import Problem, error, warning
from .fields import (
    Destination,
    Email,
    FieldProblem,
    ImageRef,
    KeyPrefix,
    Line,
    MediaPath,
    Medium,
    Model,
    PositiveInt,
    ShortForm,
    Text,
    Text32,
    Text128,
    Url,
    WarningCode,
    brief,
    date_or_datetime,
    iso_639,
)
from .layout import SHOW_FILE
from .podcasting import (
    AlternateEnclosure,
    Chapter,
    Funding,
    License,
    Location,
    Person,
    RemoteItem,
    Soundbite,
    TranscriptRef,
    Txt,
    UpdateFrequency,
)
from .vocabulary import (
    APPLE_CATEGORIES,
    EPISODE_KEYS_ELSEWHERE,
    LEGACY_CATEGORIES,
    SHOW_KEYS_ELSEWHERE,
    did_you_mean,
)


class Owner(Model):
    name: Line
    """`itunes:owner/itunes:name`."""
    email: Email
    """`itunes:owner/itunes:email`: Spotify and YouTube check it to verify ownership."""


class Category(ShortForm):
    """One of Apple's categories, optionally with one of its subcategories."""

    _short_form_key = "category"

    category: str
    """`itunes:category text`."""
    subcategory: str | None = None
    """The nested `itunes:category text`."""

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        """`- Business: Management`, the briefest way YAML writes a category and its
        subcategory, for `- category: Business` and `subcategory: Management`."""
        if isinstance(value, dict) and len(value) == 1:
            [(key, subcategory)] = value.items()
            if isinstance(key, str) and key not in cls.model_fields:
                return {"category": key, "subcategory": subcategory}
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value in APPLE_CATEGORIES:
            return value
        if value in LEGACY_CATEGORIES:
            raise FieldProblem(
                "legacy-category",
                f"{brief.repr(value)} is a pre-2019 category Apple no longer accepts",
                f"use '{LEGACY_CATEGORIES[value]}'",
            )
        raise FieldProblem(
            "unknown-category",
            f"{brief.repr(value)} is not one of Apple's categories",
            _as_category_and_subcategory(value)
            or did_you_mean(value, APPLE_CATEGORIES)
            or "see the list in the README",
        )

    @field_validator("subcategory")
    @classmethod
    def _known_subcategory(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Reported at the subcategory's own line (`category` is checked first)."""
        category = info.data.get("category")  # absent when it failed its own check
        if value is not None and category is not None and value not in APPLE_CATEGORIES[category]:
            raise FieldProblem(
                "unknown-category",
                f"{brief.repr(value)} is not a subcategory of {category!r}",
                _subcategory_fix(category, value),
            )
        return value


_BETWEEN_CATEGORY_AND_SUBCATEGORY = re.compile(r"\s*(?:[:>/|›»]|\s-)\s*")


def _as_category_and_subcategory(value: str) -> str | None:
    """The fix for Apple's category and subcategory written as one name (`Arts: Books`,
    `Arts > Books`, `arts/books`); None if it does not start with a category."""
    parts = _BETWEEN_CATEGORY_AND_SUBCATEGORY.split(value.strip(), maxsplit=1)
    spelt = {name.casefold(): name for name in APPLE_CATEGORIES}
    category = spelt.get(parts[0].casefold()) if len(parts) == 2 else None
    if category is None:
        return None
    allowed = APPLE_CATEGORIES[category]
    subcategory = {name.casefold(): name for name in allowed}.get(parts[1].casefold())
    if subcategory is None:
        return _subcategory_fix(category, parts[1])
    return (
        f"a category and its subcategory are two keys: write '- {category}: {subcategory}', "
        f"without quotes, or 'category: {category}' and 'subcategory: {subcategory}'"
    )


def _subcategory_fix(category: str, written: str) -> str:
    """What to do about `written`, which is not a subcategory of `category`."""
    allowed = APPLE_CATEGORIES[category]
    typo = did_you_mean(written, allowed) if allowed else None
    if typo:
        return typo
    for other, names in APPLE_CATEGORIES.items():
        for name in names:
            if name.casefold() == written.casefold():
                return f"{name!r} is a subcategory of {other!r}: make that the category"
    if not allowed:
        return f"{category!r} has no subcategories: write the category alone"
    return f"choose from: {', '.join(allowed)}"


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


class Publish(Model):
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
    feed_cache_control: Line = "public, max-age=300"
    """Cache-Control of the feed, chapters and transcripts: short, so corrections reach
    subscribers within minutes."""
    media_cache_control: Line = "public, max-age=604800"
    """Cache-Control of audio and artwork: long, since they never change under the same name."""


class Show(Model):
    """podcast.yaml: the channel of the feed."""

    keys_elsewhere = SHOW_KEYS_ELSEWHERE
    # what a show with a wrong owner's email, language code, cover's name or category is
    # checked with besides, never published with (its errors stop the build); title, link
    # and the URLs have none: episodes' titles and the derived guid are checked against them
    stand_ins: ClassVar[Mapping[str, Any]] = {
        "description": "A stand-in.",
        "language": "en",
        "author": "A stand-in",
        "owner": {"name": "A stand-in", "email": "stand-in@example.com"},
        "image": "https://stand-in.example.com/cover.jpg",  # a URL: no file to check
        "categories": ["Arts"],
        "explicit": False,
    }
    title: Line = Field(max_length=255)
    """`title`: the show's name only, no keywords."""
    description: Text
    """`description` (at most 4000 bytes)."""
    link: Url
    """`link`: the show's website."""
    language: str
    """`language`: an ISO 639-1 code, optionally with a region (`en`, `en-us`)."""
    author: Line
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
    copyright: Line | None = None
    """`copyright`."""
    feed_url: Url
    """`atom:link rel="self"`: where feed.xml is published."""
    media_base_url: Url
    """The public URL of the media/ folder; enclosure URLs start with it."""
    media_moved_from: Url | None = None
    """The `media_base_url` before the media moved: published episodes' audio URLs may change
    from it (a warning under `--previous`, not an error)."""
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
    ignore_warnings: list[WarningCode] = Field(default_factory=list)
    """Codes of warnings not to report anywhere in the show, nor count under `--strict`."""

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return iso_639(value)

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise FieldProblem(
                "invalid-timezone",
                f"{brief.repr(value)} is not a known time zone",
                did_you_mean(value, zoneinfo.available_timezones())
                or "use an IANA name such as Europe/Berlin or UTC",
            ) from None
        return value

    _key_lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)
    _stand_ins: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def stand_in_keys(self) -> frozenset[str]:
        """The keys that failed and hold their `stand_ins` value: a show with errors."""
        return self._stand_ins

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def line_of(self, *key: str | int) -> int | None:
        """The line of a key in podcast.yaml (`show.line_of("owner", "email")`)."""
        return self._key_lines.get(key)

    def error(self, code: str, field: str | None, message: str, fix: str = "") -> Problem:
        """A problem in podcast.yaml at `field` (dotted: `owner.email`), on its line."""
        return error(code, SHOW_FILE, field, message, fix, line=self._line_of_field(field))

    def warning(self, code: str, field: str | None, message: str, fix: str = "") -> Problem:
        return warning(code, SHOW_FILE, field, message, fix, line=self._line_of_field(field))

    def _line_of_field(self, field: str | None) -> int | None:
        if field is None:
            return None
        key = tuple(int(part) if part.isdigit() else part for part in field.split("."))
        return self.line_of(*key)

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
        return self.media_url(episode.audio)

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


class FrontMatter(Model):
    """An episode file's YAML header: an `item` of the feed."""

    keys_elsewhere = EPISODE_KEYS_ELSEWHERE
    title: Line = Field(max_length=255)
    """`title` and `itunes:title`: without the episode number or the show's name."""
    date: Annotated[datetime | date, BeforeValidator(date_or_datetime)]
    """`pubDate`. A date without a zone takes the show's timezone; future dates are scheduled."""
    audio: MediaPath
    """`enclosure`: the audio file's path inside media/; size, type and duration are read
    from the file."""
    guid: Line | None = None
    """`guid`: set once, never changed, or every app downloads the episode again."""
    episode: PositiveInt | None = None
    """`itunes:episode`."""
    season: PositiveInt | None = None
    """`itunes:season`."""
    type: Literal["full", "trailer", "bonus"] = "full"
    """`itunes:episodeType`."""
    explicit: bool | None = None
    """`itunes:explicit`; the show's value when left out."""
    block: bool = False
    """`itunes:block`: Apple Podcasts leaves the episode out; every other app shows it."""
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
    transcripts: list[TranscriptRef] | None = None
    """`podcast:transcript`; left out, a file next to the audio (`<audio name>.vtt` etc.) is
    found; `[]`, none at all."""
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
    ignore_warnings: list[WarningCode] = Field(default_factory=list)
    """Codes of this episode's warnings not to report, nor count under `--strict`."""
    _kept_items: Mapping[str, tuple[int, ...]] = PrivateAttr()
    """Of a record validated without its failed list items (validation.py), each such list's
    other items' positions in the file. Only such a record has it (no default: the 10,000
    records of a catalogue hold nothing for it)."""

    def item_field(self, key: str, position: int) -> str:
        """The dotted field of the item at `position` in the list `key` (`chapters.2`), as
        the file numbers it: a record with errors may have left items out."""
        kept = getattr(self, "_kept_items", {}).get(key)
        return f"{key}.{kept[position] if kept is not None else position}"


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
    index_at_end: bool = False
    """An MP4 whose index (its `moov` box) comes after the media: an app streaming it must
    fetch the end of the file before it can play, and from a host without byte ranges, all of
    it (ffmpeg writes it so unless told `-movflags +faststart`)."""

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


_DETAILS = ("meta", "notes_html", "key_lines", "media", "chapters", "transcripts", "alternates")
"""What `Episode` unpickles only when it is first asked for (see `Episode.__reduce__`)."""
_OUTLINE = (
    "source", "published", "published_at", "guid", "slug", "page_path", "draft", "episode_type",
    "season", "number", "title", "duration", "has_chapters", "files", "ignore_warnings",
    "republish",
)  # fmt: skip
"""What is unpickled with the episode: its file and its outline."""


@dataclass(frozen=True)
class Episode:
    """One episode file: its front matter, show notes and audio, ready for the feed.

    Besides its fields it carries an outline, copied from them when it is made: what the
    steps that go over every episode read (order, numbers, duplicates, totals, the files it
    names, the titles of neighbouring pages). A rebuild takes thousands of unchanged episodes
    from the cache and reads nothing else of them, so their other fields (front matter, notes,
    chapters, transcripts) stay pickled until asked for: unpickling 10,000 then takes a third
    of the time.
    """

    source: str
    """The file, relative to the show's root (`episodes/001-intro.md`)."""
    meta: FrontMatter
    published: datetime
    """`meta.date` as an aware datetime."""
    notes_html: str
    """The show notes rendered and sanitised: `content:encoded`."""
    guid: str
    """`meta.guid`, or the value derived from the file name while it is missing."""
    key_lines: Mapping[str, int]
    """The line of each front-matter key by its dotted path (`chapters.2.start`), for
    problems found after loading."""
    media: MediaInfo | None
    chapters: tuple[Chapter, ...]
    """`meta.chapters`, else the chapters embedded in the audio."""
    transcripts: tuple[Transcript, ...]
    alternates: tuple[tuple[AlternateEnclosure, MediaInfo], ...]
    """Each alternate enclosure with its probed file."""
    # The outline (no defaults above: a class attribute would hide a field not yet unpickled)
    published_at: float = field(init=False, repr=False, compare=False)
    """`published` as a POSIX timestamp: compared with the time of a build for every episode,
    a float takes 0.03 us where a datetime in another zone than the build's takes 0.7."""
    slug: str = field(init=False, repr=False, compare=False)
    """The file name without `.md` (what `PurePosixPath.stem` gives, 20 times faster)."""
    page_path: str = field(init=False, repr=False, compare=False)
    """The folder of the episode's web page, relative to the site's root."""
    draft: bool = field(init=False, repr=False, compare=False)
    episode_type: str = field(init=False, repr=False, compare=False)
    """`meta.type`: full, trailer or bonus."""
    season: int | None = field(init=False, repr=False, compare=False)
    number: int | None = field(init=False, repr=False, compare=False)
    """`meta.episode`."""
    title: str = field(init=False, repr=False, compare=False)
    duration: float = field(init=False, repr=False, compare=False)
    """Seconds of audio; 0 before it is probed."""
    has_chapters: bool = field(init=False, repr=False, compare=False)
    files: tuple[tuple[str, str, int | None], ...] = field(init=False, repr=False, compare=False)
    """Each local file in media/ the episode points at: its path, the field that names it
    and that field's line. What its outcome and pages are made from besides its own file
    (see catalogue.py and memo.py)."""
    ignore_warnings: frozenset[str] = field(init=False, repr=False, compare=False)
    """`meta.ignore_warnings`, read for every episode when the problems are reported."""
    republish: bool = field(init=False, repr=False, compare=False)
    """`meta.republish`, read for every episode of the live feed by the history guard."""

    def __post_init__(self) -> None:
        """The outline, from the fields.

        >>> episode = Episode("episodes/001-intro.md", FrontMatter(title="Intro",
        ...     date=date(2025, 1, 6), audio="001.mp3"), datetime(2025, 1, 6), "", "", {"audio": 4},
        ...     None, (), (), ())
        >>> episode.page_path, episode.files
        ('episodes/001-intro/', (('001.mp3', 'audio', 4),))
        """
        meta, lines = self.meta, self.key_lines
        slug = posixpath.splitext(posixpath.basename(self.source))[0]
        outline = {
            "published_at": self.published.timestamp(),
            "slug": slug,
            "page_path": f"episodes/{slug}/",
            "draft": meta.draft,
            "episode_type": meta.type,
            "season": meta.season,
            "number": meta.episode,
            "title": meta.title,
            "duration": self.media.duration if self.media is not None else 0.0,
            "has_chapters": bool(self.chapters),
            "files": tuple((file, key, lines.get(key)) for file, key in self._named_files()),
            "ignore_warnings": frozenset(meta.ignore_warnings),
            "republish": meta.republish,
        }
        for name, value in outline.items():
            object.__setattr__(self, name, value)

    @property
    def audio(self) -> str:
        """`meta.audio`: the first of `files`."""
        return self.files[0][0]

    def _named_files(self) -> Iterator[tuple[str, str]]:
        meta = self.meta
        yield meta.audio, "audio"
        for alternate, _ in self.alternates:
            yield alternate.audio, "alternate_enclosures"
        if meta.image and "://" not in meta.image:
            yield meta.image, "image"
        for chapter in self.chapters:
            if chapter.image and "://" not in chapter.image:
                yield chapter.image, "chapters"
        for transcript in self.transcripts:
            yield transcript.file, "transcripts"

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as its outline and, in a nested pickle, the rest (`_DETAILS`): bytes that
        the cache's rows store apart (`Deferred`), and read only when asked for."""
        state = self.__dict__
        details = state.get("_details")
        if details is None:
            nested = pickle.dumps(tuple(state[name] for name in _DETAILS), pickle.HIGHEST_PROTOCOL)
            details = Deferred(nested)
        return _unpickled, (tuple(state[name] for name in _OUTLINE), details)

    if not TYPE_CHECKING:  # for mypy, every field is there, and nothing else is

        def __getattr__(self, name: str) -> object:
            """A field not yet unpickled: all of them are, now (Python asks only for
            attributes the episode does not have)."""
            state = self.__dict__
            details = state.get("_details")
            if name not in _DETAILS or details is None:
                raise AttributeError(name)
            # the fields first, then the pickle dropped: another thread asking meanwhile finds
            # one or the other
            state.update(zip(_DETAILS, pickle.loads(bytes(details)), strict=True))
            state.pop("_details", None)
            return state[name]

    def line_of(self, field: str) -> int | None:
        """The line of `field` (`chapters.2.start`), else of the deepest key above it that
        is in the file."""
        lines = self.key_lines
        while True:
            line = lines.get(field)
            if line is not None or "." not in field:
                return line
            field = field.rsplit(".", 1)[0]

    def error(self, code: str, field: str | None, message: str, fix: str = "") -> Problem:
        """A problem in this episode's file at `field`, on the line of its key."""
        line = self.line_of(field) if field else None
        return error(code, self.source, field, message, fix, line=line)

    def warning(self, code: str, field: str | None, message: str, fix: str = "") -> Problem:
        line = self.line_of(field) if field else None
        return warning(code, self.source, field, message, fix, line=line)


def _unpickled(outline: tuple[object, ...], details: SupportsBytes) -> Episode:
    episode = object.__new__(Episode)
    state = episode.__dict__
    state.update(zip(_OUTLINE, outline, strict=True))
    state["_details"] = details
    return episode


def aware(when: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """A front-matter date as an aware datetime; naive values are in the show's zone.

    >>> aware(date(2025, 6, 3), zoneinfo.ZoneInfo("Europe/Berlin")).isoformat()
    '2025-06-03T00:00:00+02:00'
    """
    if not isinstance(when, datetime):
        when = datetime.combine(when, time())
    return when if when.tzinfo is not None else when.replace(tzinfo=zone)
