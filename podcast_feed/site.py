"""The show's website, written beside feed.xml from the same records: an index, a page per
episode with a player, chapters and transcript, a sitemap and a 404 page.

Jinja2 renders (the only module that knows it), with autoescaping on: text from podcast.yaml
and front matter is always escaped; only the show notes, already sanitised for the feed, go
in as HTML. Templates ship in the package; a show overrides any of them from `templates/`.
Pages link to each other relatively (`../../index.html`), so the site works from any host,
from `serve` and from a folder; canonical and sharing URLs use the site's public address.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import re
import traceback
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import jinja2.bccache
import jinja2.meta
import jinja2.nodes
from markupsafe import Markup

from .chapters import timestamp
from .errors import Problem, error, has_errors, warning
from .fields import FieldProblem, time_in_audio
from .labels import translator
from .layout import PACKAGED_TEMPLATES, PAGES_FOLDER, TEMPLATES_FOLDER, packaged_templates
from .memo import OutputMemo
from .models import Episode, MediaInfo, Show
from .notes import excerpt, shorten
from .podcasting import Funding, Person
from .vocabulary import suggest

"""A show's own templates, each overriding the packaged one of the same name."""
PAGE_SIZE = 50
"""Episodes listed on each page of the index."""
STATIC_FILES = ("style.css", "player.js")
"""Copied as they are (after any override), never rendered."""
PAGE_TEMPLATES = ("index.html", "episode.html", "404.html", "sitemap.xml")


class TemplateProblems(Exception):
    """A show's template override is broken; raised with problems naming its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class Link:
    """One chapter, soundbite or cue as a link that seeks the player."""

    start: float
    label: str
    """The time shown: MM:SS or H:MM:SS."""
    title: str
    end_label: str = ""
    speaker: str | None = None
    url: str | None = None

    @property
    def href(self) -> str:
        """A media-fragment link (`#t=01:35`): it works without JavaScript once the page loads."""
        return f"#t={self.label}"

    @property
    def start_attribute(self) -> str:
        return f"{self.start:g}"


_NOTES_TIMESTAMP = re.compile(r"(<(?:p|li)>[(\[]?)((?:\d{1,2}:)?\d{1,2}:\d{2})(?=[)\]]?[\s<])")
"""A time opening a paragraph or list item, `05:30 Topic`, `[1:02:03] Topic` or `(05:30)`:
the form of a chapter list written into the notes (notes.py keeps each such line apart)."""


def seekable_notes(notes_html: str, duration: float) -> str:
    """The notes with each time that opens a paragraph or list item (a chapter list written
    into the notes) made a link that seeks the player, as Apple Podcasts and Spotify make
    such times in a description; a time past the episode's end is left as text (`10:00 am`
    in a five-minute episode).

    >>> seekable_notes("<p>(01:05) Intro</p><p>99:00 End</p>", 600)
    '<p>(<a class="time" href="#t=01:05" data-start="65">01:05</a>) Intro</p><p>99:00 End</p>'
    """

    def link(found: re.Match[str]) -> str:
        opening, text = found.groups()
        try:
            start = time_in_audio(text)  # as a chapter's start is read: 05:75 is no time
        except FieldProblem:
            return found.group(0)
        if start > duration:
            return found.group(0)
        return f'{opening}<a class="time" href="#t={text}" data-start="{start:g}">{text}</a>'

    return _NOTES_TIMESTAMP.sub(link, notes_html)


@dataclass
class EpisodePage:
    """What an episode's page and its entry in the index show.

    The fields are what every build needs of every page (links between neighbours, what the
    memo keys pages by); the rest is made when a page that shows it is rendered, so a build
    that keeps most pages as they are (see memo.py) spends nothing on them (at 10,000
    episodes, encoding each path and converting each date took 40 ms of a one-change build).
    """

    show: Show = field(repr=False)
    episode: Episode
    title: str
    path: str
    """The page's folder relative to the site root: `episodes/001-intro/`."""
    website: str = field(repr=False)
    """`show.website`, asked for once for all the pages."""
    zone: zoneinfo.ZoneInfo = field(repr=False)
    """`show.zone`, likewise."""
    previous: EpisodePage | None = field(default=None, repr=False)
    next: EpisodePage | None = field(default=None, repr=False)

    @functools.cached_property
    def href(self) -> str:
        """`path` percent-encoded, for links between pages."""
        return quote(self.path)

    @functools.cached_property
    def url(self) -> str:
        """The canonical URL of the page (`show.page_url(episode)`)."""
        return f"{self.website}{self.href}"

    @functools.cached_property
    def date(self) -> str:
        """YYYY-MM-DD, in the show's time zone (what listeners read)."""
        return _local_date(self.episode.published, self.zone)

    @functools.cached_property
    def datetime(self) -> str:
        """The full ISO 8601 time for `<time datetime>` and JSON-LD."""
        return self.episode.published.astimezone(self.zone).isoformat()

    @functools.cached_property
    def duration(self) -> str:
        """For people: 1 h 05 min, 31 min, 45 s."""
        return human_duration(self._media.duration)

    @functools.cached_property
    def iso_duration(self) -> str:
        return iso_duration(self._media.duration)

    @functools.cached_property
    def number(self) -> str:
        """S1 E3, E3, Trailer, Bonus, or the episode's `episode_display`."""
        return _number(self.episode)

    @functools.cached_property
    def audio_url(self) -> str:
        return self.show.enclosure_url(self.episode)

    @property
    def audio_type(self) -> str:
        return self._media.mime_type

    @property
    def player(self) -> str:
        """The page's player element: `video` for a video episode (MP4, M4V, MOV), whose
        picture an `audio` element would drop, else `audio`."""
        return "video" if self._media.mime_type.startswith("video/") else "audio"

    @functools.cached_property
    def image_url(self) -> str:
        return self.show.image_url(self.episode.meta.image or self.show.image)

    @property
    def notes(self) -> Markup:
        """The show notes, sanitised by notes.render_notes: marked safe as they are shown
        (a Markup is a copy, and a catalogue's notes are 30 MB), their timestamps made links
        that seek the player (`seekable_notes`)."""
        return Markup(seekable_notes(self.episode.notes_html, self._media.duration))

    @functools.cached_property
    def chapters(self) -> list[Link]:
        return [
            Link(c.start, timestamp(c.start, self._long), c.title, url=c.url)
            for c in self.episode.chapters
            if not c.hidden
        ]

    @functools.cached_property
    def soundbites(self) -> list[Link]:
        meta, long = self.episode.meta, self._long
        return [
            Link(
                s.start,
                timestamp(s.start, long),
                s.title or meta.title,
                end_label=timestamp(s.start + s.duration, long),
            )
            for s in meta.soundbites
        ]

    @functools.cached_property
    def transcript_files(self) -> list[tuple[str, str]]:
        """(URL, type) of every transcript, for a download link."""
        return [(self.show.media_url(t.file), t.mime_type) for t in self.episode.transcripts]

    @functools.cached_property
    def persons(self) -> list[Person]:
        meta = self.episode.meta
        return list(meta.persons if meta.persons is not None else self.show.persons)

    @functools.cached_property
    def funding(self) -> list[Funding]:
        return list(self.episode.meta.funding)

    @functools.cached_property
    def summary(self) -> str:
        meta = self.episode.meta
        return shorten(meta.summary) if meta.summary else excerpt(self.episode.notes_html)

    @functools.cached_property
    def cues(self) -> list[Link]:
        return [
            Link(cue.start, timestamp(cue.start, self._long), cue.text, speaker=cue.speaker)
            for transcript in self.episode.transcripts[:1]
            for cue in transcript.cues
        ]

    @property
    def _media(self) -> MediaInfo:
        media = self.episode.media
        assert media is not None, "pages are made for probed episodes only"
        return media

    @property
    def _long(self) -> bool:
        """Times are written with hours when the episode lasts an hour or more."""
        return self._media.duration >= 3600


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja2's own cache of compiled templates (checked against their source when loaded),
    except that a folder it cannot write to only costs compiling them again."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def site_templates(root: Path, compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment: the show's `templates/` first, then the packaged ones.

    `compiled`: a folder where Jinja2 keeps the templates compiled, checked against their
    source: compiling them is a tenth of a one-change build of 10,000 episodes."""
    loaders: list[jinja2.BaseLoader] = []
    overrides = root / TEMPLATES_FOLDER
    if overrides.is_dir():
        loaders.append(jinja2.FileSystemLoader(overrides))
    loaders.append(jinja2.FileSystemLoader(PACKAGED_TEMPLATES))
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_CompiledTemplates(str(compiled)) if compiled else None,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["_"] = translator("en")  # until `site_files` knows the show's language
    environment.filters["json_ld"] = _json_ld
    environment.filters["shorten"] = shorten
    return environment


SAMPLE_EPISODES = 3
"""Episodes whose pages `check_templates` renders: the middle one has both neighbours."""


def check_templates(
    root: Path,
    show: Show | None = None,
    published: Sequence[Episode] = (),
    compiled: Path | None = None,
) -> list[Problem]:
    """Every template of the show's `templates/` compiles (syntax errors with file and line),
    names only templates there are, and each is used: one the site never renders nor
    includes (`episdoe.html`) would leave the podcaster editing a file that changes nothing.
    Hidden files are neither: the site uses none, and macOS leaves a binary `.DS_Store` in
    every folder Finder opens. Then, with the `show` and a few of its `published` episodes
    (`SAMPLE_EPISODES`, in feed order), their site is rendered and dropped: a name that does
    not exist (`page.titel`) fails there, in `validate` as in `build`. `compiled` is
    `site_templates`' (compiling the templates is most of the time this takes)."""
    overrides = root / TEMPLATES_FOLDER
    if not overrides.is_dir():
        return []
    environment = site_templates(root, compiled)
    loader = environment.loader
    assert loader is not None
    problems = []
    names = []
    for path in sorted(overrides.rglob("*")):
        name = path.relative_to(overrides).as_posix()
        hidden = any(part.startswith(".") for part in name.split("/"))  # .DS_Store, .swp
        if not path.is_file() or name in STATIC_FILES or hidden:
            continue
        names.append(name)
        try:
            environment.get_template(name)
            source, _, _ = loader.get_source(environment, name)
            tree = environment.parse(source)  # once, for both checks of what it holds
            problems += _outside_blocks(tree, f"{TEMPLATES_FOLDER}/{name}")
            problems += _missing_templates(root, environment, name, tree)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(_template_problem(root, name, exc.lineno, exc.message or str(exc)))
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(_template_problem(root, name, None, str(exc)))
    if problems:
        return problems
    packaged = packaged_templates()
    used = set(packaged) | _referenced(environment, packaged)
    for name in names:
        if name not in used:
            problems.append(
                warning(
                    "template-unused",
                    f"{TEMPLATES_FOLDER}/{name}",
                    None,
                    "is not one of the website's templates, and no template includes it, so "
                    "it changes nothing",
                    _meant_template(name, packaged)
                    or f"name it after the page it replaces: {', '.join(packaged)}",
                )
            )
    if show is not None and not has_errors(problems):
        try:
            for _ in site_files(root, show, published, compiled=compiled):
                pass
        except TemplateProblems as exc:
            problems += exc.problems
    return problems


def _missing_templates(
    root: Path, environment: jinja2.Environment, name: str, tree: jinja2.nodes.Template
) -> list[Problem]:
    """An error for each template that `name` (parsed: `tree`) extends, includes or imports
    by a name no template has (Jinja2 finds out only when it gets there, maybe on one page
    in a hundred); `{% include ... ignore missing %}` says that is fine."""
    loader = environment.loader
    assert loader is not None
    problems = []
    nodes = jinja2.nodes
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        assert isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport)
        if isinstance(node, nodes.Include) and node.ignore_missing:
            continue
        named = node.template
        if not isinstance(named, nodes.Const) or not isinstance(named.value, str):
            continue  # a name computed while rendering: checked then
        try:
            loader.get_source(environment, named.value)
        except jinja2.TemplateNotFound:
            problems.append(
                _template_problem(root, name, node.lineno, _not_found(named.value, environment))
            )
    return problems


def _not_found(name: str, environment: jinja2.Environment) -> str:
    """The message for a template asked for by a name no template has."""
    loader = environment.loader
    assert loader is not None
    known = [
        known
        for known in loader.list_templates()
        if known not in STATIC_FILES and not any(part.startswith(".") for part in known.split("/"))
    ]
    meant = _meant_template(name, known)
    found = f" ({meant})" if meant else f": {', '.join(known)}"
    return f"there is no template {name!r}, in {TEMPLATES_FOLDER}/ or among podcast-feed's{found}"


def _meant_template(name: str, known: Sequence[str]) -> str:
    """The "did you mean 'episode.html'?" for `episdoe.html`: names compared without the
    extension they share (`nope.html` is not `index.html`), else whole."""
    stem, dot, extension = name.rpartition(".")
    alike = {k.rpartition(".")[0]: k for k in known if dot and k.endswith(f".{extension}")}
    closest = alike.get(suggest(stem, alike) or "") if alike else suggest(name, known)
    return f"did you mean {closest!r}?" if closest else ""


def _outside_blocks(tree: jinja2.nodes.Template, shown_as: str) -> list[Problem]:
    """A warning for what a template (parsed: `tree`) that extends another has outside its
    blocks: Jinja2 shows a child template's blocks alone, so text added below
    `{% endblock %}` (where a copy of episode.html ends) never reaches a page, without a
    word."""
    body = tree.body
    if not any(isinstance(node, jinja2.nodes.Extends) for node in body):
        return []
    shown = [
        part
        for node in body
        if isinstance(node, jinja2.nodes.Output)
        for part in node.nodes
        if not isinstance(part, jinja2.nodes.TemplateData) or part.data.strip()
    ]
    if not shown:
        return []
    first = shown[0]  # its line: the first one not blank
    blank = (
        first.data[: len(first.data) - len(first.data.lstrip())]
        if isinstance(first, jinja2.nodes.TemplateData)
        else ""
    )
    return [
        warning(
            "template-outside-block",
            shown_as,
            None,
            "is outside every {% block %}: a template that extends another shows only its "
            "blocks, so this never reaches a page",
            "move it into one of the blocks, before its {% endblock %}",
            line=first.lineno + blank.count("\n"),
        )
    ]


def _referenced(environment: jinja2.Environment, names: Sequence[str]) -> set[str]:
    """Every template that those named include, import or extend, and those they do."""
    loader = environment.loader
    assert loader is not None
    found: set[str] = set()
    waiting = [name for name in names if name not in STATIC_FILES]
    while waiting:
        name = waiting.pop()
        try:
            source, _, _ = loader.get_source(environment, name)
        except jinja2.TemplateNotFound:  # reported when a page is rendered
            continue
        for referenced in jinja2.meta.find_referenced_templates(environment.parse(source)):
            if referenced is not None and referenced not in found:
                found.add(referenced)
                waiting.append(referenced)
    return found


def render_site(root: Path, show: Show, episodes: Sequence[Episode]) -> dict[str, bytes]:
    """Every file of the site by its path in the output folder, for episodes in feed order.

    Raises `TemplateProblems` when a template of the show fails to render.
    """
    return {path: data for path, data in site_files(root, show, episodes) if data is not None}


def site_files(
    root: Path,
    show: Show,
    episodes: Sequence[Episode],
    memo: OutputMemo | None = None,
    compiled: Path | None = None,
) -> Iterator[tuple[str, bytes | None]]:
    """The files of `render_site` one at a time, each rendered when it is asked for: a build
    writes each page before the next is rendered, never holding 10,000 pages at once. A page
    `memo` says is unchanged comes as (path, None), not rendered; `compiled` is
    `site_templates`'."""
    environment = site_templates(root, compiled)
    environment.globals["_"] = translator(show.language)
    website, zone = show.website, show.zone  # each a little work, asked for once a page
    pages = [
        EpisodePage(show, episode, episode.title, episode.page_path, website, zone)
        for episode in episodes
    ]
    by_date = sorted(pages, key=lambda page: (page.episode.published, page.path))
    chronological = list(pages) if show.type == "serial" else by_date
    for earlier, later in itertools.pairwise(chronological):
        earlier.next, later.previous = later, earlier
    common = {
        "show": show,
        "site_url": show.website,
        "site_path": urlsplit(show.website).path or "/",
        "cover_url": show.image_url(show.image),
        "description": show.description,
        "directories": list(show.directories.items()),
    }

    def render(name: str, output: str, **context: Any) -> tuple[str, bytes]:
        return output, _render(root, environment, name, common | context)

    chunks = [pages[start : start + PAGE_SIZE] for start in range(0, len(pages), PAGE_SIZE)]
    for number, chunk in enumerate(chunks or [[]], start=1):
        output = "index.html" if number == 1 else f"{PAGES_FOLDER}/{number}/index.html"
        listed: list[str | None] = [page.episode.source for page in chunk]
        if memo is not None and memo.page(output, listed, number, len(chunks)):
            yield output, None
            continue
        yield render(
            "index.html",
            output,
            root="./" if number == 1 else "../../",
            canonical=show.website if number == 1 else f"{show.website}{PAGES_FOLDER}/{number}/",
            episodes=chunk,
            page=number,
            pages=len(chunks),
            json_ld=_series_json_ld(show),
        )
    for page in pages:
        output = f"{page.path}index.html"
        previous, following = page.previous, page.next
        sources = (
            page.episode.source,
            previous.episode.source if previous else None,
            following.episode.source if following else None,
        )
        if memo is not None and memo.page(output, sources):
            yield output, None
            continue
        yield render(
            "episode.html",
            output,
            root="../../",
            canonical=page.url,
            page=page,
            json_ld=_episode_json_ld(show, page),
        )
    yield render("404.html", "404.html", root=common["site_path"], canonical=None)
    index_pages = [
        show.website if n == 1 else f"{show.website}{PAGES_FOLDER}/{n}/"
        for n in range(1, len(chunks) + 1)
    ]
    latest = by_date[-1].episode.published if by_date else None
    newest = _local_date(latest, zone) if latest is not None else None
    # remembered by what it lists, not by the episodes' inputs: an edit to one episode's
    # notes leaves it as it is (rendering it is a loop over every episode). Each page's URL
    # and date are those of its path and time (the site's address and zone are podcast.yaml's,
    # which every page's key has).
    # (the instant, not its text: formatting 10,000 datetimes took 17 ms)
    listed = [f"{page.path} {page.episode.published_at}" for page in pages]
    if memo is not None and memo.page("sitemap.xml", [], newest, *index_pages, *listed):
        yield "sitemap.xml", None
    else:
        yield render(
            "sitemap.xml", "sitemap.xml", index_pages=index_pages, pages=pages, newest=newest
        )
    loader = environment.loader
    assert loader is not None
    for name in STATIC_FILES:
        try:
            source, _, _ = loader.get_source(environment, name)
        except (UnicodeDecodeError, OSError) as exc:
            raise TemplateProblems([_template_problem(root, name, None, str(exc))]) from None
        yield name, source.encode()


def _local_date(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """YYYY-MM-DD of `moment` in `zone`."""
    return moment.astimezone(zone).date().isoformat()


def _number(episode: Episode) -> str:
    meta = episode.meta
    if meta.episode_display:
        return meta.episode_display
    if meta.type != "full" and meta.episode is None:
        return meta.type.capitalize()
    parts = [f"S{meta.season}" if meta.season is not None else ""]
    parts.append(f"E{meta.episode}" if meta.episode is not None else "")
    return " ".join(part for part in parts if part)


def human_duration(seconds: float) -> str:
    """A duration as people read it in a list of episodes.

    >>> human_duration(45), human_duration(1865), human_duration(3900)
    ('45 s', '31 min', '1 h 05 min')
    """
    whole = max(1, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = round(whole / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration, as schema.org asks.

    >>> iso_duration(3723.4), iso_duration(30)
    ('PT1H2M3S', 'PT30S')
    """
    whole = max(1, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}H" if hours else "",
        f"{minutes}M" if minutes else "",
        f"{secs}S" if secs else "",
    ]
    return "PT" + "".join(parts)


def _series_json_ld(show: Show) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": show.title,
        "description": show.description,
        "url": show.website,
        "image": show.image_url(show.image),
        "webFeed": show.feed_url,
        "inLanguage": show.language,
        "author": {"@type": "Person", "name": show.author},
    }


def _episode_json_ld(show: Show, page: EpisodePage) -> dict[str, Any]:
    meta = page.episode.meta
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": page.title,
        "url": page.url,
        "datePublished": page.date,
        "description": page.summary,
        "timeRequired": page.iso_duration,
        "image": page.image_url,
        "associatedMedia": {
            "@type": "MediaObject",
            "contentUrl": page.audio_url,
            "encodingFormat": page.audio_type,
            "duration": page.iso_duration,
        },
        "partOfSeries": {"@type": "PodcastSeries", "name": show.title, "url": show.website},
    }
    if meta.episode is not None:
        document["episodeNumber"] = meta.episode
    if meta.season is not None:
        document["partOfSeason"] = {"@type": "PodcastSeason", "seasonNumber": meta.season}
    return document


def _json_ld(document: dict[str, Any]) -> Markup:
    """JSON for a `<script>` element: `<`, `>` and `&` escaped so no text can close it."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped above


def _render(
    root: Path, environment: jinja2.Environment, name: str, context: dict[str, Any]
) -> bytes:
    try:
        return environment.get_template(name).render(context).encode()
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblems(
            [_template_problem(root, exc.name or name, exc.lineno, exc.message or str(exc))]
        ) from None
    except jinja2.TemplateNotFound as exc:  # a name computed while rendering
        where, line = _template_frame(root, exc, name)
        message = _not_found(str(exc.name), environment)
        raise TemplateProblems([_template_problem(root, where, line, message)]) from None
    except Exception as exc:  # a show's template can fail in any way: say where
        where, line = _template_frame(root, exc, name)
        message = _TEMPLATE_OBJECT.sub(_template_name, str(exc))
        raise TemplateProblems([_template_problem(root, where, line, message)]) from None


_TEMPLATE_OBJECT = re.compile(r"'podcast_feed\.\w+\.(\w+) object'")
"""How Jinja2 names an object of podcast-feed's in a message (`'podcast_feed.site.EpisodePage
object' has no attribute 'titel'`): by its Python class, which a template never names."""
_TEMPLATE_NAMES = {
    "EpisodePage": "an episode's page (page, page.previous, page.next)",
    "Episode": "an episode (page.episode)",
    "Show": "the show (show)",
}


def _template_name(found: re.Match[str]) -> str:
    """What a template calls the object of this class."""
    return _TEMPLATE_NAMES.get(found.group(1), found.group(1))


def _template_frame(root: Path, exc: BaseException, name: str) -> tuple[str, int | None]:
    """The innermost template frame of a rendering error: which file, which line."""
    overrides = (root / TEMPLATES_FOLDER).resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()  # relative when the show's root is (`.`)
        for folder in (overrides, PACKAGED_TEMPLATES):
            if path.is_relative_to(folder):
                return path.relative_to(folder).as_posix(), frame.lineno
    return name, None


def _template_problem(root: Path, name: str, line: int | None, message: str) -> Problem:
    overridden = (root / TEMPLATES_FOLDER / name).is_file()
    file = f"{TEMPLATES_FOLDER}/{name}" if overridden else f"podcast_feed/templates/{name}"
    return error(
        "template-error",
        file,
        None,
        message,
        "fix the template, or delete it to use the packaged one",
        line=line,
    )
