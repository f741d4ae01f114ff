"""Show notes: Markdown rendered, sanitised to what apps display, and cut for description."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from podcast_feed import build, validate
from podcast_feed.notes import (
    ALLOWED_TAGS,
    DESCRIPTION_LIMIT,
    excerpt,
    fit_description,
    has_text,
    item_description,
    plain_text,
    render_notes,
    rendered_notes,
    shorten,
)

from .conftest import REPO, MakeProject, episode


def tags_in(fragment: str) -> set[str]:
    return set(re.findall(r"<([a-z0-9]+)", fragment))


def test_lists_links_and_emphasis_survive() -> None:
    rendered = render_notes(
        "Intro with **bold** and *em*.\n\n1. one\n2. [two](https://two.example)"
    )
    assert rendered == (
        "<p>Intro with <strong>bold</strong> and <em>em</em>.</p>\n<ol>\n"
        '<li>one</li>\n<li><a href="https://two.example">two</a></li>\n</ol>'
    )


def test_bare_urls_become_links() -> None:
    assert render_notes("See https://example.com/x for more.") == (
        '<p>See <a href="https://example.com/x">https://example.com/x</a> for more.</p>'
    )


def test_headings_become_strong_paragraphs_not_lost() -> None:
    assert render_notes("# Title\n\n### Sub *part*") == (
        "<p><strong>Title</strong></p>\n<p><strong>Sub <em>part</em></strong></p>"
    )


def test_footnotes_become_numbers_and_a_list_apps_can_show() -> None:
    """GFM's footnotes are links within the page (`#fn-1`), which no app follows: without
    this they were `[^1]` as typed, and with GFM's own HTML a relative link and `word1`."""
    notes = rendered_notes(
        "A claim[^source] and more[^2].\n\n[^source]: A book.\n[^2]: See [x](https://x.org).\n"
    )
    assert notes.html == (
        "<p>A claim[1] and more[2].</p>\n<ol>\n<li>\n<p>A book.</p>\n</li>\n<li>\n"
        '<p>See <a href="https://x.org">x</a>.</p>\n</li>\n</ol>'
    )
    assert notes.relative_links == ()


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("one<br>two", "one two"),
        ("one<BR/>two", "one two"),
        ("<div>one</div><div>two</div>", "one two"),
        ("<table><tr><td>one</td></tr><tr><td>two</td></tr></table>", "one two"),
        ("| a | b |\n|---|---|\n| one | two |", "a | b one | two"),  # a row a line
        ("one  \ntwo", "one two"),  # Markdown's own hard break
        ("<details><summary>one</summary>two</details>", "one two"),
        ("one<hr>two", "one two"),
        ("<figure>one</figure><aside>two</aside>", "one two"),
        ("<b>o</b><span>ne</span> two", "one two"),  # inline elements keep a word whole
    ],
)
def test_html_apps_do_not_show_never_glues_words_together(markdown: str, text: str) -> None:
    """`<br>` and block elements are not among the tags apps display: removed, they must
    leave a space, not `onetwo`."""
    rendered = render_notes(markdown)
    shown = lxml_html.fragment_fromstring(rendered, create_parent="div").text_content()
    assert " ".join(shown.split()) == text
    assert " ".join(plain_text(rendered).split()) == text


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<iframe src="https://evil.example"></iframe>',
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<p onclick="alert(1)">x</p>',
        "[x](javascript:alert(1))",
        '<svg onload="alert(1)"></svg>',
        "<object data=x></object>",
    ],
)
def test_nothing_executable_reaches_the_notes(hostile: str) -> None:
    rendered = render_notes(f"before\n\n{hostile}\n\nafter")
    assert not re.search(r"<(script|style|iframe|img|svg|object)", rendered)
    assert not re.search(r"\son\w+=", rendered)
    assert "javascript:" not in rendered
    assert tags_in(rendered) <= ALLOWED_TAGS


@pytest.mark.parametrize(
    "markdown",
    [
        "Hosted by Ada  \nEdited by Bob",
        "Hosted by Ada\\\nEdited by Bob",
        "Hosted by Ada<br>Edited by Bob",
    ],
)
def test_a_line_break_typed_on_purpose_is_a_paragraph_apps_show_apart(markdown: str) -> None:
    """Apps show no `<br>`: a hard line break (two spaces or a backslash at the line's end, or
    `<br>`) ran its lines together. Inside emphasis or a link it stays a space, as before,
    since a paragraph cannot end there."""
    assert render_notes(markdown) == "<p>Hosted by Ada</p>\n<p>Edited by Bob</p>"
    assert render_notes(f"*{markdown}* and [a  \nlink](https://x.org)") == (
        '<p><em>Hosted by Ada\nEdited by Bob</em> and <a href="https://x.org">a\nlink</a></p>'
    )


def test_cdata_terminator_is_escaped() -> None:
    assert "]]>" not in render_notes("a ]]> b\n\n```\n]]>\n```")


def test_description_is_kept_whole_when_it_fits() -> None:
    notes = render_notes("para one\n\npara two")
    assert fit_description(notes) == notes


def test_description_cut_at_block_boundary_within_4000_bytes() -> None:
    # 3-byte characters: 4000 characters would be 12000 bytes
    paragraphs = "\n\n".join(f"{index} " + "€" * 300 for index in range(20))
    notes = render_notes(paragraphs)
    description = fit_description(notes)
    assert len(description.encode()) <= 4000
    assert notes.startswith(description)
    assert description.endswith("</p>")
    assert len(lxml_html.fragments_fromstring(description)) == 4  # 4 whole paragraphs fit


def test_description_of_one_huge_block_is_its_text_cut_cleanly() -> None:
    notes = render_notes("- " + "żółw " * 2000)
    description = fit_description(notes)
    assert len(description.encode()) <= 4000
    assert description.startswith("<p>żółw żółw") and description.endswith("żółw…</p>")
    description.encode().decode("utf-8")  # no broken multi-byte character


def test_empty_notes_render_empty() -> None:
    assert render_notes("") == ""
    assert render_notes("<script>only</script>") == ""


def test_timestamp_lines_keep_one_line_each_in_description_and_content(
    make_project: MakeProject,
) -> None:
    notes = (
        "What we talk about:\n(00:00) Intro\n(03:10) The topic\n[1:02:03] Outro\n\n"
        "```\n00:00 inside a code block stays as it is\n```\n"
    )
    root = make_project({"episodes/001-episode.md": episode(notes)})
    parsed = feedparser.parse(build(root, root / "public").feed_path.read_bytes())
    entry = parsed.entries[0]
    expected = (
        "<p>What we talk about:</p>\n<p>(00:00) Intro</p>\n<p>(03:10) The topic</p>\n"
        "<p>[1:02:03] Outro</p>\n<p>00:00 inside a code block stays as it is\n</p>"
    )
    assert entry.content[0].value == expected
    assert entry.summary == expected


PASTED_NOTES = """\
In this episode, Teresa Torres and Petra Wille unpack Product Operations.
Key Topics Covered:
What product ops is not—and why the role is often misunderstood
Product ops vs. product leadership: where’s the line?
The enabling team model from Team Topologies
"""
"""Show notes as a host's page gives them when copied (from ../shared/seed): a line each."""


def test_notes_pasted_a_line_an_item_are_warned_of_not_prose_or_tables(
    make_project: MakeProject,
) -> None:
    """Apps showed the pasted notes as one run of words ('Covered: What product ops is
    not...'), and validate said nothing. Wrapped prose, one sentence a line, a table, code
    and lines with hard breaks are paragraphs as meant, and are not warned of."""
    meant = (
        "We talk with\nTeresa Torres and\nPetra Wille about\nProduct Ops at Acme.\n\n"
        "One sentence.\nAnother one!\nA third?\nThe last.\n\n"
        "Name | Role\n--- | ---\nTeresa | Host\nPetra | Host\nAda | Guest\n\n"
        "```\nLine one\nLine Two\nLine Three\nLine Four\n```\n\n"
        "Hosted by Ada\\\nEdited by Bob\\\nMusic by Carol\\\nArt by Dan\n"
    )
    root = make_project({"episodes/001-episode.md": episode(PASTED_NOTES + "\n" + meant)})
    assert [(p.code, p.line, p.message) for p in validate(root).problems] == [
        (
            "notes-lines-joined",
            8,
            "lines 8 to 12 are one paragraph, as Markdown joins lines with no blank line "
            "between them: apps show '…Key Topics Covered: What product ops is not—and why the "
            "role…' run together",
        )
    ]
    entry = feedparser.parse(build(root, root / "public").feed_path.read_bytes()).entries[0]
    assert "Key Topics Covered: What product ops is not" in entry.content[0].value
    shown = lxml_html.fragment_fromstring(entry.content[0].value, create_parent="div")
    assert [" ".join(e.text_content().split()) for e in shown.iter("p")][-4:] == [
        "Hosted by Ada",
        "Edited by Bob",
        "Music by Carol",
        "Art by Dan",
    ]

    as_meant = PASTED_NOTES.replace("Covered:\n", "Covered:\n\n").replace("\nWhat", "\n- What")
    as_meant = as_meant.replace("\nProduct ops vs", "\n- Product ops vs").replace(
        "\nThe enabling", "\n- The enabling"
    )
    (root / "episodes/001-episode.md").write_text(
        episode(as_meant.replace("Operations.\n", "Operations.\n\n"))
    )
    assert validate(root).problems == []
    entry = feedparser.parse(build(root, root / "public").feed_path.read_bytes()).entries[0]
    shown = lxml_html.fragment_fromstring(entry.content[0].value, create_parent="div")
    assert [" ".join(e.text_content().split()) for e in shown.iter("p", "li")] == [
        "In this episode, Teresa Torres and Petra Wille unpack Product Operations.",
        "Key Topics Covered:",
        "What product ops is not—and why the role is often misunderstood",
        "Product ops vs. product leadership: where’s the line?",
        "The enabling team model from Team Topologies",
    ]


def test_images_and_relative_links_are_warned_of_on_their_lines(make_project: MakeProject) -> None:
    """Apps show no images in show notes and cannot open a link without its site: each
    image goes out as a link to it (or its alt text), and each is named with its line."""
    notes = (
        "Intro.\n\n![Our studio](https://cdn.example/studio.jpg)\n\n"
        'See <img alt="the map" src=map.png> and [the last one](000-intro.md) or [us](/about).'
    )
    root = make_project({"episodes/001-episode.md": episode(notes)})
    assert [(p.code, p.line, p.message) for p in validate(root).problems] == [
        (
            "notes-image",
            10,
            "the image 'https://cdn.example/studio.jpg' is not shown: podcast apps show no "
            "images in show notes, so it is published as a link to it",
        ),
        (
            "notes-image",
            12,
            "the image 'map.png' is not shown: podcast apps show no images in show notes, so "
            "it is published as its alt text alone",
        ),
        (
            "notes-relative-link",
            12,
            "the link '/about' is not a whole address: podcast apps cannot open it",
        ),
        (
            "notes-relative-link",
            12,
            "the link '000-intro.md' is not a whole address: podcast apps cannot open it",
        ),
    ]
    entry = feedparser.parse(build(root, root / "public").feed_path.read_bytes()).entries[0]
    assert entry.content[0].value == (
        '<p>Intro.</p>\n<p><a href="https://cdn.example/studio.jpg">Our studio</a></p>\n'
        '<p>See the map and <a href="000-intro.md">the last one</a> or <a href="/about">us</a>.'
        "</p>"
    )


def test_a_link_apps_cannot_open_is_left_out_and_warned_of(make_project: MakeProject) -> None:
    """A mistyped `htp://` vanished from the feed without a word (the sanitiser keeps only
    https, http and mailto links): it is told, with the address it was meant to be."""
    notes = (
        "Intro.\n\n"
        "Read [the paper](htp://example.com/paper) and [our FTP](ftp://files.example/a).\n\n"
        "<a href='javascript:alert(1)'>Click</a> or [mail](mailto:a@example.com) or "
        "[the site](HTTPS://example.com)."
    )
    root = make_project({"episodes/001-episode.md": episode(notes)})
    dropped = [p for p in validate(root).problems if p.code == "notes-link-dropped"]
    assert [(p.line, p.message, p.fix) for p in dropped] == [
        (
            10,
            "the link 'ftp://files.example/a' is left out, its text kept: podcast apps open "
            "only https://, http:// and mailto: links",
            "link to a web page (https://...) that has it, or leave the link out",
        ),
        (
            10,
            "the link 'htp://example.com/paper' is left out, its text kept: podcast apps open "
            "only https://, http:// and mailto: links",
            "did you mean 'https://example.com/paper'?",
        ),
        (
            12,
            "the link 'javascript:alert(1)' is left out, its text kept: podcast apps open "
            "only https://, http:// and mailto: links",
            "link to a web page (https://...) that has it, or leave the link out",
        ),
    ]
    entry = feedparser.parse(build(root, root / "public").feed_path.read_bytes()).entries[0]
    assert entry.content[0].value == (
        "<p>Intro.</p>\n<p>Read <a>the paper</a> and <a>our FTP</a>.</p>\n"
        '<p><a>Click</a> or <a href="mailto:a@example.com">mail</a> or '
        '<a href="HTTPS://example.com">the site</a>.</p>'
    )


def test_an_embedded_player_becomes_a_link_and_is_warned_of(make_project: MakeProject) -> None:
    """A YouTube `<iframe>` pasted from a blog post vanished without a word: apps play and
    show nothing embedded. It goes out as a link to it, as an image does; each source of a
    `<video>` too, apart."""
    notes = (
        "Watch it:\n\n"
        '<iframe src="https://www.youtube.com/embed/abc" title="Our talk"></iframe>\n\n'
        '<video controls><source src="https://cdn.example/a.mp4">'
        '<source src="https://cdn.example/a.webm"></video>'
    )
    root = make_project({"episodes/001-episode.md": episode(notes)})
    assert [(p.code, p.line, p.message) for p in validate(root).problems] == [
        (
            "notes-embed",
            line,
            f"the embedded {address!r} is not shown: podcast apps play and show nothing "
            "embedded in show notes, so it is published as a link to it",
        )
        for line, address in [
            (10, "https://www.youtube.com/embed/abc"),
            (12, "https://cdn.example/a.mp4"),
            (12, "https://cdn.example/a.webm"),
        ]
    ]
    entry = feedparser.parse(build(root, root / "public").feed_path.read_bytes()).entries[0]
    shown = lxml_html.fragment_fromstring(entry.content[0].value, create_parent="div")
    assert [(a.get("href"), a.text) for a in shown.iter("a")] == [
        ("https://www.youtube.com/embed/abc", "Our talk"),
        ("https://cdn.example/a.mp4", "https://cdn.example/a.mp4"),
        ("https://cdn.example/a.webm", "https://cdn.example/a.webm"),
    ]
    assert " ".join(shown.text_content().split()) == (
        "Watch it: Our talk https://cdn.example/a.mp4 https://cdn.example/a.webm"
    )


def test_an_image_inside_a_link_leaves_the_link_whole() -> None:
    """A badge linking to a site (`[![alt](image)](site)`) keeps its link, with the alt text
    as its text: a link to the image inside it would split it in two."""
    notes = rendered_notes("[![Listen on Apple](https://b.example/apple.svg)](https://a.example)")
    assert notes.html == '<p><a href="https://a.example">Listen on Apple</a></p>'
    assert notes.images == (("https://b.example/apple.svg", False),)


def _resident_bytes() -> int:
    return int(STATM.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


STATM = Path("/proc/self/statm")


@pytest.mark.skipif(not STATM.exists(), reason="reads Linux's /proc")
def test_rendering_keeps_no_memory() -> None:
    """cmarkgfm's own wrapper keeps ~22 KiB a call (the document tree and the HTML); 2,000
    episodes' notes would keep over 40 MiB."""
    notes = (REPO / "episodes").glob("*.md").__next__().read_text() * 3
    render_notes(notes)
    before = _resident_bytes()
    for _ in range(2000):
        render_notes(notes)
    assert _resident_bytes() - before < 8 * 1024 * 1024


_MARKDOWN_PIECES = [
    "word", "Ünïcode", "_", "42", " ", "\n\n", "*", "**bold**", "[a link](https://x.example)",
    "![](cover.png)", "<br>", "&nbsp;", "\u00a0", "&amp;", "<p></p>", "`code`", "# ", "- ",
    "> ", "1. ", "<img src=a.png alt=Cover>", "<!-- a comment -->", "<span title='a>b'></span>",
]  # fmt: skip


@given(st.lists(st.sampled_from(_MARKDOWN_PIECES), max_size=12).map("".join))
def test_notes_have_text_exactly_when_their_plain_text_does(markdown: str) -> None:
    """`has_text` answers without parsing when it sees a letter outside the tags: that
    answer must be the parser's."""
    notes = render_notes(markdown)
    assert has_text(notes) == bool(plain_text(notes).strip())


_LONG_LINK = "[a resource](https://example.com/a/long/path?utm_source=podcast&amp;utm_medium=notes)"


@given(
    st.lists(st.sampled_from([*_MARKDOWN_PIECES, _LONG_LINK, "- ", "\n"]), max_size=40).map(
        "".join
    ),
    st.integers(min_value=1, max_value=300),
)
def test_an_excerpt_is_the_start_of_the_whole_notes_text(markdown: str, limit: int) -> None:
    """`excerpt` reads only the start of long notes: what it makes of that start must be what
    the whole notes' text gives, also when the start cuts a tag or a character reference in
    two, or holds less text than the excerpt needs (a list of long links)."""
    notes = render_notes(markdown)
    assert excerpt(notes, limit) == shorten(plain_text(notes), limit)


@given(
    st.lists(st.sampled_from([*_MARKDOWN_PIECES, _LONG_LINK, "- ", "\n"]), max_size=40).map(
        "".join
    ),
    st.integers(min_value=10, max_value=600),
)
def test_a_description_fits_its_bytes_and_is_html(markdown: str, limit: int) -> None:
    notes = render_notes(markdown)
    description = fit_description(notes, limit)
    assert len(description.encode()) <= limit
    if description:
        lxml_html.fragment_fromstring(description, create_parent="div")  # parses
    if len(notes.encode()) <= limit:
        assert description == notes


@given(
    st.one_of(st.none(), st.text(max_size=4100)),
    st.lists(st.sampled_from([*_MARKDOWN_PIECES, _LONG_LINK, "- ", "\n"]), max_size=60).map(
        "".join
    ),
    st.integers(min_value=0, max_value=400).map(lambda n: "<p>00:00 A chapter</p>\n" * n),
)
def test_an_items_description_never_passes_4000_bytes(
    summary: str | None, markdown: str, timestamps: str
) -> None:
    """Whatever the summary, the notes and the chapters' timestamp lines, the description is
    at most the 4,000 bytes Apple takes (a summary is never cut: a longer one is an error of
    its own), and the timestamps come whole at its end or not at all."""
    timestamps = timestamps.rstrip("\n")
    description, kept = item_description(summary, render_notes(markdown), timestamps)
    escaped = html.escape(summary or "", quote=False)  # as the feed carries it
    if len(escaped.encode()) <= DESCRIPTION_LIMIT:
        assert len(description.encode()) <= DESCRIPTION_LIMIT
    assert kept == (bool(timestamps) and description.endswith(timestamps))
