"""Show notes: Markdown in, the small HTML subset podcast apps display out.

cmarkgfm (GitHub's C renderer) renders, nh3 (the ammonia sanitiser) keeps only the tags Apple
and PSP-1 allow. Headings, code blocks and table rows are turned into paragraphs first so
their text keeps its own line instead of running into the next block.
"""

from __future__ import annotations

import ctypes
import html
import itertools
import re
from typing import Any, NamedTuple

import cmarkgfm
import nh3
from cmarkgfm import _cmark, cmark
from cmarkgfm.cmark import Options
from lxml import html as lxml_html

from .errors import Problem, warning
from .vocabulary import meant_address

ALLOWED_TAGS = frozenset({"p", "ol", "ul", "li", "a", "b", "i", "strong", "em"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
NOTES_PLACEHOLDER = "What this episode is about, in two or three sentences."
"""The first line `podcast-feed new` writes; a check warns while it is still there."""
NOTES_TEMPLATE_LINK = "[A link](https://example.com)"
"""The link `new` writes under "Resources & Links", warned about the same way: a listener who
taps it lands on a page kept for examples."""
SHOW_DESCRIPTION_PLACEHOLDER = "What the show is about, for people deciding whether to subscribe."
"""The description `podcast-feed init` writes into podcast.yaml, warned about the same way."""
DESCRIPTION_LIMIT = 4000
"""Apple's limit for `description`, in bytes of UTF-8."""

# Soft line breaks become spaces: apps that show the notes as text keep whole paragraphs.
_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_NOBREAKS | Options.CMARK_OPT_FOOTNOTES
_EXTENSIONS = ["autolink", "strikethrough", "table"]
_FOOTNOTE_REFERENCE = re.compile(
    r'<sup class="footnote-ref"><a href="#fn-[^"]*"[^>]*>(\d+)</a></sup>'
)
_FOOTNOTE_BACKREFERENCE = re.compile(
    r' ?<a href="#fnref-[^"]*" class="footnote-backref"[^>]*>[^<]*</a>'
)
"""GFM's footnotes link within the page, which no app can follow: a reference becomes `[1]`
and the notes at the end a numbered list, without the links back."""
_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.DOTALL)
_CODE_BLOCK = re.compile(r"<pre[^>]*>(.*?)</pre>", re.DOTALL)
_TABLE = re.compile(r"<table(?:\s[^>]*)?>(.*?)</table>", re.DOTALL | re.IGNORECASE)
_TABLE_ROW = re.compile(r"<tr(?:\s[^>]*)?>(.*?)</tr>", re.DOTALL | re.IGNORECASE)
_TABLE_CELL = re.compile(r"<t[hd](?:\s[^>]*)?>(.*?)</t[hd]>", re.DOTALL | re.IGNORECASE)
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_LINE_BREAK = re.compile(r"<br\b[^>]*>\n?", re.IGNORECASE)
_OPENING_TAG = re.compile(r"<(?!(?:br|hr|img|wbr)\b)[a-zA-Z][^>]*(?<!/)>", re.IGNORECASE)
"""A tag that a closing one ends: not `<br>` or `<img>`, which have none."""
_CLOSING_TAG = re.compile(r"</[a-zA-Z]")
_GLUING_TAG = re.compile(
    r"<(?:br|hr)\b[^>]*>(?!\n)|</(?:address|article|aside|blockquote|caption|dd|details|dialog"
    r"|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|header|hgroup|main|nav|pre"
    r"|section|summary|table|td|th|tr)>(?!\n)",
    re.IGNORECASE,
)
"""Raw HTML that the sanitiser removes and that stood between words: `a<br>b`,
`<div>a</div><div>b</div>` and `<summary>a</summary>b` would become `ab` (the ends of HTML's
block elements, and of table cells). A line break after it is a space in HTML."""
_BLANK_LINES = re.compile(r"\n\s*\n+")
_TIMESTAMP_LINE = re.compile(r"[ \t]{0,3}[(\[]?(?:\d{1,2}:)?\d{1,2}:\d{2}[)\]]?[ \t]+\S")
_FENCE = re.compile(r"[ \t]{0,3}(```|~~~)")
_NO_TEXT_YET = re.compile(r"""(?:<(?:[^>"']|"[^"]*"|'[^']*')*>|&#?\w+;|[^<&\w])*""")
"""What notes may start with before their first letter or digit: tags (a quoted attribute
may hold a >), character references (&nbsp; is no text) and anything else but letters."""
_WORD = re.compile(r"\w")
_MEDIA_OR_LINK = re.compile(
    r"""<(/?)a\b[^>]*>|<(img|iframe|video|audio|embed|source)\b(?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.IGNORECASE,
)
_EMBEDDED = re.compile(r"<(?:iframe|video|audio|embed|source)\b", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ABSOLUTE_URL = re.compile(r"https?://", re.IGNORECASE)
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")
_RELATIVE_HREF = re.compile(
    r'<a href="(?![Hh][Tt][Tt][Pp][Ss]?:|[Mm][Aa][Ii][Ll][Tt][Oo]:)([^"]*)"'
)


class RenderedNotes(NamedTuple):
    """Show notes as published, and what of them apps cannot show or follow."""

    html: str
    images: tuple[tuple[str, bool], ...]
    """Each image's address, and whether it became a link to it (else its alt text): apps show
    no images."""
    relative_links: tuple[str, ...]
    """Each link without a scheme (`/about`, `002-next.md`): an app has nothing to resolve it
    against."""
    embeds: tuple[tuple[str, bool], ...] = ()
    """Each embedded player's or media file's address (`<iframe>`, `<video>`, `<audio>`...), and
    whether it became a link to it: apps show none of them."""
    dropped_links: tuple[str, ...] = ()
    """Each link the sanitiser took out, its text kept, for a scheme apps do not open or that
    could run code (`htp://` mistyped, `ftp:`, `javascript:`)."""


def render_notes(markdown: str) -> str:
    """Markdown show notes as sanitised HTML, every link kept as `<a href>`.

    >>> render_notes("## Links\\n\\n- [Site](https://example.com)<script>x</script>")
    '<p><strong>Links</strong></p>\\n<ul>\\n<li><a href="https://example.com">Site</a></li>\\n</ul>'
    """
    return rendered_notes(markdown).html


def rendered_notes(markdown: str) -> RenderedNotes:
    """`render_notes`, with the images it turned into text or links and the relative links.

    >>> notes = rendered_notes("![Cover](https://x.example/c.jpg), ![Me](me.jpg), [2](002.md)")
    >>> notes.html
    '<p><a href="https://x.example/c.jpg">Cover</a>, Me, <a href="002.md">2</a></p>'
    >>> notes.images, notes.relative_links
    ((('https://x.example/c.jpg', True), ('me.jpg', False)), ('002.md',))
    """
    # Raw HTML is let through to the sanitiser, which drops scripts with their content;
    # GFM's tagfilter would instead print them as visible text.
    rendered = _markdown_to_html(timestamp_lines_apart(markdown))
    if "<br" in rendered or "<BR" in rendered:
        rendered = _PARAGRAPH.sub(_line_breaks_as_paragraphs, rendered)
    if 'class="footnote-ref"' in rendered:
        rendered = _FOOTNOTE_REFERENCE.sub(r"[\1]", rendered)
        rendered = _FOOTNOTE_BACKREFERENCE.sub("", rendered)
    rendered = _HEADING.sub(r"<p><strong>\1</strong></p>", rendered)
    rendered = _CODE_BLOCK.sub(r"<p>\1</p>", rendered)
    if "<table" in rendered:
        rendered = _TABLE.sub(_table_as_paragraphs, rendered)
    rendered = _GLUING_TAG.sub("\\g<0>\n", rendered)
    images: list[tuple[str, bool]] = []
    embeds: list[tuple[str, bool]] = []
    if "<img" in rendered or _EMBEDDED.search(rendered):
        rendered = _media_as_text(rendered, images, embeds)
    dropped = _dropped_links(rendered) if "href" in rendered else ()
    cleaned = nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=None,
        clean_content_tags={"script", "style"},
    )
    cleaned = _BLANK_LINES.sub("\n", _EMPTY_PARAGRAPH.sub("", cleaned)).strip()
    relative = tuple(html.unescape(href) for href in _RELATIVE_HREF.findall(cleaned))
    return RenderedNotes(cleaned, tuple(images), relative, tuple(embeds), dropped)


def _dropped_links(rendered: str) -> tuple[str, ...]:
    """The links of `rendered` (before sanitising) whose scheme the sanitiser does not keep.

    >>> _dropped_links('<a href="htp://x.com">x</a> <a href="HTTPS://x.com">y</a> <a href=/a>')
    ('htp://x.com',)
    """
    dropped = []
    for groups in _HREF.findall(rendered):
        href = html.unescape("".join(groups))
        scheme = _SCHEME.match(href)
        if scheme is not None and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES:
            dropped.append(href.strip())
    return tuple(dropped)


def _media_as_text(
    rendered: str, images: list[tuple[str, bool]], embeds: list[tuple[str, bool]]
) -> str:
    """Each `<img>` as what apps can show of it, its address noted in `images`: a link to it
    if its address is absolute and it is not inside a link already (a badge linking to a site
    keeps that link), with its alt text (or the address) as the link's text, else its alt
    text. An embedded player or media file (`<iframe>`, `<video>`, `<audio>`, `<embed>`,
    `<source>`) the same way, noted in `embeds`, with its title (or address) as the text."""
    depth = 0  # of the links the image would be in

    def replaced(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(1) is not None:  # <a ...> or </a>
            depth = max(0, depth + (-1 if match.group(1) else 1))
            return match.group()
        if match.group(2).lower() == "img":
            return _element_as_text(match.group(), images, linked=depth > 0, text="alt")
        # a line break after it, a space in HTML: a <video>'s <source>s are side by side
        return _element_as_text(match.group(), embeds, linked=depth > 0, text="title") + "\n"

    return _MEDIA_OR_LINK.sub(replaced, rendered)


def _element_as_text(tag: str, found_in: list[tuple[str, bool]], linked: bool, text: str) -> str:
    """The `<img>` or embed `tag` as a link to its `src` (its `text` attribute the link's text),
    or that text alone; its address noted in `found_in`."""
    found = {name.lower(): "".join(values) for name, *values in _ATTRIBUTE.findall(tag)}
    source, shown = html.unescape(found.get("src", "")), html.unescape(found.get(text, ""))
    if not source and text == "title":
        return ""  # a <video> or <audio> holding <source>s, each with its own address
    as_link = bool(_ABSOLUTE_URL.match(source)) and not linked
    found_in.append((source, as_link))
    if as_link:
        return f'<a href="{html.escape(source)}">{html.escape(shown or source)}</a>'
    return html.escape(shown)


class _Allocator(ctypes.Structure):
    """cmark's `cmark_mem`: the allocator its strings and nodes come from."""

    _fields_ = [
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


def _cmark_freeing() -> tuple[Any, Any] | None:
    """`cmark_node_free` and cmark's `free`, from the library cmarkgfm already loaded; None if a
    future build stops exporting them."""
    try:
        library = ctypes.CDLL(_cmark.__file__)
        node_free = library.cmark_node_free
        default_allocator = library.cmark_get_default_mem_allocator
    except (OSError, AttributeError):
        return None
    node_free.argtypes, node_free.restype = [ctypes.c_void_p], None
    default_allocator.restype = ctypes.POINTER(_Allocator)
    return node_free, default_allocator().contents.free


_FREEING = _cmark_freeing()


def _markdown_to_html(markdown: str) -> str:
    """`cmarkgfm.markdown_to_html_with_extensions`, but freeing the document tree and the HTML
    string, which that wrapper keeps: 22-33 KiB a call, 326 MiB over 10,000 episodes
    (theacodes/cmarkgfm#53)."""
    if _FREEING is None:
        return str(
            cmarkgfm.markdown_to_html_with_extensions(
                markdown, options=_OPTIONS, extensions=_EXTENSIONS
            )
        )
    node_free, free = _FREEING
    cmark.core_extensions_ensure_registered()
    parser = cmark.parser_new(options=_OPTIONS)
    try:
        for name in _EXTENSIONS:
            cmark.parser_attach_syntax_extension(parser, cmark.find_syntax_extension(name))
        cmark.parser_feed(parser, markdown)
        root = cmark.parser_finish(parser)
        extensions = cmark.parser_get_syntax_extensions(parser)
        rendered = _cmark.lib.cmark_render_html(root, _OPTIONS, extensions)
        try:
            return bytes(_cmark.ffi.string(rendered)).decode()
        finally:
            free(int(_cmark.ffi.cast("uintptr_t", rendered)))
            node_free(int(_cmark.ffi.cast("uintptr_t", root)))
    finally:
        cmark.parser_free(parser)


def timestamp_lines_apart(markdown: str) -> str:
    """Each line starting with a time (`(03:10) Topic`, `1:02:03 Outro`) made a paragraph of
    its own: a list of chapters typed one per line must not run into one line.

    >>> timestamp_lines_apart("Chapters\\n(00:00) Intro\\n(03:10) Topic")
    'Chapters\\n\\n(00:00) Intro\\n\\n(03:10) Topic'
    """
    lines: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _TIMESTAMP_LINE.match(line) and lines and lines[-1].strip():
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


_BLOCK_MARKER = r"[#>|]|[-*+][ \t]|\d{1,9}[.)][ \t]"
"""How a heading, quote, table or list line starts (after up to three spaces)."""
_NOT_PARAGRAPH_TEXT = re.compile(rf"[ \t]{{0,3}}(?:{_BLOCK_MARKER}|[-=_*][-=_* \t]*$)|[ \t]{{4}}")
"""A line that is no plain text of a paragraph: a heading, quote, table or list line, a rule
or setext underline, indented code."""
_NO_BLOCK_MARKER = rf"[ \t]{{0,3}}(?!{_BLOCK_MARKER})"
_FOUR_TEXT_LINES = re.compile(
    rf"(?m)^{_NO_BLOCK_MARKER}\S.*\n(?:{_NO_BLOCK_MARKER}[^\sa-z].*\n){{2}}{_NO_BLOCK_MARKER}[^\sa-z]"
)
"""Four lines in a row, no list items, headings or quotes, the last three starting with no
lowercase letter: what a joined paragraph has, looked for at once in the whole notes (most
have none: wrapped prose has lines that start in lowercase)."""
_HARD_BREAK = re.compile(r".*(?:  |\\)$")
_UNTIL_A_BLANK_LINE = re.compile(
    r"[ \t]{0,3}<(?![a-zA-Z][\w+.-]*:|[^\s>]+@)|.*\|[ \t]*:?-{3,}:?[ \t]*(?:\||$)"
)
"""Raw HTML (not an autolink, `<https://...>`) and GFM table delimiter rows: the block goes
on to the next blank line."""
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]*_]*$")
_GOES_ON = re.compile(
    r"(?:[,;(&/+\-–—]|\b(?:a|an|and|are|as|at|but|by|for|from|in|is|of|on|or|the|to|was|with))$"
)
"""The end of a line that a sentence goes on after: `with` before `Teresa Torres` is prose."""


def joined_lines(markdown: str) -> list[tuple[int, int, str]]:
    """Paragraphs typed as one line per item, which Markdown joins into one: plain text
    pasted from a host's page (a heading line, then a line a topic) reaches every app as one
    run of words. Each is (first line, last line, counted from 0, and the words where two of
    its lines meet). A paragraph is taken for one when it has four lines or more, each after
    the first starts with no lowercase letter, no line but the last goes on (`,` `-`...), and
    some line is no whole sentence; hard-wrapped prose, and one sentence a line, are not.

    >>> joined_lines("Key Topics Covered:\\nWhat it is not\\nWhen to hire\\nThe shipyard")
    [(0, 3, 'Key Topics Covered: What it is not')]
    >>> joined_lines("We talk with\\nTeresa Torres and\\nPetra Wille about\\nProduct Ops.")
    []
    """
    found: list[tuple[int, int, str]] = []
    if not _FOUR_TEXT_LINES.search(markdown):
        return found  # most notes: lists and short paragraphs, told apart at once
    paragraph: list[tuple[int, str]] = []

    def paragraph_ended() -> None:
        texts = [text.strip() for _, text in paragraph]
        breaks = list(itertools.pairwise(texts))
        if len(texts) >= 4 and all(
            not after[0].islower() and not _GOES_ON.search(before) for before, after in breaks
        ):
            unended = [(b, a) for b, a in breaks if not _SENTENCE_END.search(b)]
            if unended:
                before, after = unended[0]
                words = f"{before[-40:]} {after[:40]}"
                found.append((paragraph[0][0], paragraph[-1][0], words))
        paragraph.clear()

    skipping: str | None = None  # a fence's marker, or "" for a block up to a blank line
    for number, line in enumerate(markdown.split("\n")):
        fence = _FENCE.match(line)
        if skipping:  # inside a fenced block
            skipping = None if fence and fence.group(1) == skipping else skipping
        elif not line.strip():
            paragraph_ended()
            skipping = None
        elif skipping == "":  # inside raw HTML or a table
            continue
        elif fence:
            paragraph_ended()
            skipping = fence.group(1)
        elif _UNTIL_A_BLANK_LINE.match(line):
            paragraph.clear()  # a table's header row stood in it: it was no paragraph
            skipping = ""
        elif _NOT_PARAGRAPH_TEXT.match(line) or _TIMESTAMP_LINE.match(line):
            paragraph_ended()
        else:
            paragraph.append((number, line))
            if _HARD_BREAK.match(line):  # rendered as paragraphs apart
                paragraph_ended()
    paragraph_ended()
    return found


def _line_breaks_as_paragraphs(paragraph: re.Match[str]) -> str:
    """A paragraph's line breaks (two spaces or `\\` at a line's end, `<br>`) as paragraphs
    apart: apps show no `<br>`, and the lines a podcaster broke on purpose ("Hosted by...",
    "Edited by...") would run together. A break inside a link or emphasis stays a space.

    >>> _PARAGRAPH.sub(_line_breaks_as_paragraphs, "<p>a<br />\\nb <em>c<br>d</em> e<br>f</p>")
    '<p>a</p>\\n<p>b <em>c<br>d</em> e</p>\\n<p>f</p>'
    """
    text = paragraph.group(1)
    lines, start = [], 0
    for line_break in _LINE_BREAK.finditer(text):
        before = text[start : line_break.start()]
        if len(_OPENING_TAG.findall(before)) == len(_CLOSING_TAG.findall(before)):
            lines.append(before)
            start = line_break.end()
    lines.append(text[start:])
    return "\n".join(f"<p>{line}</p>" for line in lines)


def _table_as_paragraphs(table: re.Match[str]) -> str:
    """A table as a paragraph a row, its cells apart by ` | `: apps show no tables. The table
    goes too, as paragraphs left inside it are moved out of it by an HTML parser, and the
    line breaks between them dropped (a row's text glued to the next one's in plain text)."""
    rows = _TABLE_ROW.findall(table.group(1))
    return "".join(f"<p>{' | '.join(_TABLE_CELL.findall(row))}</p>\n" for row in rows)


def fit_description(notes_html: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The show notes cut to `limit` bytes at a block boundary, for `description`.

    Whole top-level blocks are kept while they fit; a first block too long on its own becomes
    a paragraph of its text, cut at a character boundary.

    >>> fit_description("<p>one</p>\\n<p>two</p>", limit=12)
    '<p>one</p>'
    >>> fit_description("<p>żółw żółw</p>", limit=20)
    '<p>żółw…</p>'
    """
    if len(notes_html.encode()) <= limit:
        return notes_html
    kept: list[str] = []
    size = 0
    for block in _blocks(notes_html):
        block_size = len(block.encode()) + (1 if kept else 0)
        if size + block_size > limit:
            break
        kept.append(block)
        size += block_size
    if kept:
        return "\n".join(kept)
    return _cut_text(
        lxml_html.fragment_fromstring(notes_html, create_parent="div").text_content(), limit
    )


def item_description(summary: str | None, notes_html: str, timestamps: str) -> tuple[str, bool]:
    """An item's `description`, and whether the chapters' `timestamps` lines are in it: the
    summary, else the notes cut to fit, then those lines if the whole stays within
    `DESCRIPTION_LIMIT` bytes. The summary is the user's own text and is never cut for them
    (one over the limit on its own is an error of `checks`); the notes are, down to a few
    bytes.

    >>> item_description(None, "<p>Notes</p>", "<p>00:00 Intro</p>")
    ('<p>Notes</p>\\n<p>00:00 Intro</p>', True)
    >>> item_description(None, "<p>Notes</p>", "<p>00:00 Intro</p>" * 250)[1]
    False
    """
    if summary:
        description = html.escape(summary, quote=False)
        with_timestamps = f"{description}\n{timestamps}" if timestamps else description
        if len(with_timestamps.encode()) <= DESCRIPTION_LIMIT:
            return with_timestamps, bool(timestamps)
        return description, False
    if timestamps:
        room = DESCRIPTION_LIMIT - len(timestamps.encode()) - 1
        notes = fit_description(notes_html, room) if room > 0 else None
        if notes is not None and len(notes.encode()) <= room:
            return "\n".join(part for part in (notes, timestamps) if part), True
    return fit_description(notes_html), False


def _blocks(notes_html: str) -> list[str]:
    fragments = lxml_html.fragments_fromstring(notes_html)
    blocks = []
    for fragment in fragments:
        if isinstance(fragment, str):
            if fragment.strip():
                blocks.append(html.escape(fragment.strip(), quote=False))
            continue
        tail, fragment.tail = fragment.tail, None
        blocks.append(lxml_html.tostring(fragment, encoding="unicode"))
        if tail and tail.strip():
            blocks.append(html.escape(tail.strip(), quote=False))
    return blocks


def _cut_text(text: str, limit: int) -> str:
    budget = limit - len("<p>…</p>".encode())
    pieces: list[str] = []
    for character in " ".join(text.split()):
        piece = html.escape(character, quote=False)
        budget -= len(piece.encode())
        if budget < 0:
            break
        pieces.append(piece)
    cut = "".join(pieces)
    if budget < 0 and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return f"<p>{cut}…</p>"


def has_text(notes_html: str) -> bool:
    """Whether the notes hold any text, not only tags and white space (without parsing them
    when a letter or digit outside the tags says so at once).

    >>> has_text('<p><img src="a.png" alt="Cover"></p>'), has_text("<p><em>Hi</em></p>")
    (False, True)
    """
    start = _NO_TEXT_YET.match(notes_html)
    if start is not None and _WORD.match(notes_html, start.end()):  # 0.7 us, no parse
        return True
    return bool(plain_text(notes_html).strip())


def plain_text(notes_html: str) -> str:
    """The notes' text without tags, e.g. to check that they are not empty."""
    if not notes_html:
        return ""
    return str(lxml_html.fragment_fromstring(notes_html, create_parent="div").text_content())


def excerpt(notes_html: str, limit: int = 280) -> str:
    """The start of the notes as one line of text, cut at a word, for lists and link previews.

    >>> excerpt("<p>One two</p>\\n<ul><li>three four five</li></ul>", limit=14)
    'One two three…'
    """
    # the text of the first few blocks is enough: no need to parse an hour's notes, unless
    # they hold too little text (a list of long links)
    start = _whole_tags(notes_html[: limit * 8])
    if len(start) < len(notes_html):
        text = " ".join(plain_text(start).split())
        if len(text) > limit:  # a prefix of the whole text, cut as the whole would be
            return shorten(text, limit)
    return shorten(plain_text(notes_html), limit)


def _whole_tags(start: str) -> str:
    """`start` without a tag or character reference cut off at its end: its text is then
    where the whole notes' text starts."""
    for opening, closing in (("<", ">"), ("&", ";")):
        cut = start.rfind(opening)
        if cut > start.rfind(closing):
            start = start[:cut]
    return start


def shorten(text: str, limit: int = 280) -> str:
    """Text on one line, at most `limit` characters, cut at a word with an ellipsis.

    >>> shorten("a  long\\nline of words", 12)
    'a long line…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " ":  # the cut fell inside a word: drop that word
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"


def left_out_problems(
    notes: RenderedNotes, markdown: str, first_line: int, shown_as: str
) -> list[Problem]:
    """A warning for each image and relative link of `notes` (rendered from `markdown`, which
    starts on the file's `first_line`), on the line that names it where it is found; and for
    the placeholder `new` wrote, still there."""

    def line_of(target: str) -> int:
        found = markdown.find(target) if target else -1
        return first_line + (markdown.count("\n", 0, found) if found >= 0 else 0)

    problems = [
        warning(
            "notes-image",
            shown_as,
            None,
            f"the image {source!r} is not shown: podcast apps show no images in show notes, "
            "so it is published as " + ("a link to it" if as_link else "its alt text alone"),
            "link to it instead, as in [a photo](https://...), or make it the episode's "
            "`image` or a chapter's",
            line=line_of(source),
        )
        for source, as_link in notes.images
    ]
    problems += [
        warning(
            "notes-embed",
            shown_as,
            None,
            f"the embedded {source!r} is not shown: podcast apps play and show nothing embedded "
            "in show notes, so it is published as " + ("a link to it" if as_link else "nothing"),
            "link to it instead, as in [the video](https://...)",
            line=line_of(source),
        )
        for source, as_link in notes.embeds
    ]
    problems += [
        warning(
            "notes-lines-joined",
            shown_as,
            None,
            f"lines {first_line + first} to {first_line + last} are one paragraph, as Markdown "
            f"joins lines with no blank line between them: apps show '…{words}…' run together",
            "leave a blank line between paragraphs, start each list item with '- ', or end a "
            "line with a backslash to keep its line break",
            line=first_line + first,
        )
        for first, last, words in joined_lines(markdown)
    ]
    problems += [
        warning(
            "notes-relative-link",
            shown_as,
            None,
            f"the link {href!r} is not a whole address: podcast apps cannot open it",
            "write it in full, with https:// and the site's name",
            line=line_of(href),
        )
        for href in notes.relative_links
    ]
    problems += [
        warning(
            "notes-link-dropped",
            shown_as,
            None,
            f"the link {href!r} is left out, its text kept: podcast apps open only https://, "
            "http:// and mailto: links",
            _dropped_link_fix(href),
            line=line_of(href),
        )
        for href in notes.dropped_links
    ]
    problems += [
        warning(
            "notes-template",
            shown_as,
            None,
            f"the show notes still hold the {what} 'podcast-feed new' wrote",
            fix,
            line=line_of(left),
        )
        for left, what, fix in (
            (NOTES_PLACEHOLDER, "text", "write the episode's own notes"),
            (NOTES_TEMPLATE_LINK, "link", "link to what the episode mentions, or remove it"),
        )
        if left in markdown
    ]
    return problems


def _dropped_link_fix(href: str) -> str:
    """What to write instead of `href`: a mistyped http(s) scheme put right, else in general.

    >>> _dropped_link_fix("htps://example.com/a")
    "did you mean 'https://example.com/a'?"
    """
    meant = meant_address(href)
    if meant is not None:
        return f"did you mean {meant!r}?"
    return "link to a web page (https://...) that has it, or leave the link out"
