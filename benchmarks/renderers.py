"""Markdown renderers for show notes, side by side: cmarkgfm, as podcast-feed calls it (each
document freed, `notes._markdown_to_html`), against the two Rust renderers issue 9 named,
pyromark (pulldown-cmark) and markdown-it-pyrs (markdown-it.rs), each set up with the
same extensions (tables, strikethrough, footnotes, bare URLs made links, raw HTML kept for
the sanitiser).

For each renderer it prints, in one run:

- what the notes become: the HTML podcast-feed publishes (the rendering, then the same
  post-processing and nh3 sanitising, `notes.rendered_notes`), compared with cmarkgfm's, note
  by note, for the benchmark corpus's notes, the sample show's and a case for each construct
  show notes use, exactly and but for line breaks; where they differ beyond line breaks,
  the first difference;
- speed: the rendering alone and the whole of `rendered_notes`, per note, for the corpus's
  ~3 KB of notes (what `catalogue_speed.py` renders for each episode) and for the mix of all
  the notes above (medians of `--runs`, the renderers taking turns);
- memory: what the process's resident memory grew by over 5,000 renderings (cmarkgfm's own
  wrapper last, as what it keeps is never given back: theacodes/cmarkgfm#53).

pyromark and markdown-it-pyrs are installed into `benchmarks/.renderers/` on first run.

    python benchmarks/renderers.py            # --runs 5
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from corpus import NOTES

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LIBRARIES = HERE / ".renderers"
REQUIREMENTS = ["pyromark>=0.10.3", "markdown-it-pyrs>=0.4.0"]
OURS = "cmarkgfm (podcast-feed)"

CASES = {
    "paragraphs and a heading": "One line\nwrapped.\n\n## Key Topics\n\nAnother paragraph.",
    "lists": "- one\n- two\n  - nested\n\n1. first\n2. second",
    "links": "[Team Topologies](https://teamtopologies.com) and <https://example.com/a>",
    "bare URLs": "See https://example.com/page and www.example.org for more.",
    "emphasis": "*one*, **two**, _three_ and ~~struck~~",
    "table": "| Time | Topic |\n|---|---|\n| 00:00 | Intro |\n| 05:30 | Ops |",
    "footnote": "A claim.[^1]\n\n[^1]: Its source.",
    "raw HTML": 'Text <b>bold</b> <script>alert(1)</script><span style="x">kept</span>',
    "image": "![Cover](https://example.com/c.jpg) and ![Me](me.jpg)",
    "code": "Run `podcast-feed build`:\n\n```sh\npodcast-feed build\n```",
    "timestamps": "00:00 Intro\n05:30 What product ops is\n1:02:03 The end",
    "hard break": "First line  \nsecond line\\\nthird",
    "entities": 'Q&A &amp; &copy; 5 < 6 > 4 "quoted"',
    "blockquote": "> A quote\n> on two lines",
}
"""A note for each construct show notes use."""


def installed() -> None:
    """The Rust renderers, in a folder of their own, importable from here."""
    if not (LIBRARIES / "pyromark").is_dir() or not (LIBRARIES / "markdown_it_pyrs").is_dir():
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(LIBRARIES)]
        subprocess.run([*command, *REQUIREMENTS], check=True)
    sys.path.insert(0, str(LIBRARIES))


def renderers() -> dict[str, Callable[[str], str]]:
    """Each renderer's Markdown to HTML, with the extensions podcast-feed's notes use."""
    import cmarkgfm
    import markdown_it_pyrs
    import pyromark

    from podcast_feed import notes

    options = (
        pyromark.Options.ENABLE_TABLES
        | pyromark.Options.ENABLE_STRIKETHROUGH
        | pyromark.Options.ENABLE_FOOTNOTES
    )
    markdown_it = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(
        ["table", "strikethrough", "footnote", "linkify"]
    )

    def cmarkgfm_wrapper(markdown: str) -> str:  # what leaks: the wrapper keeps each document
        return str(
            cmarkgfm.markdown_to_html_with_extensions(
                markdown,
                options=notes._OPTIONS,  # the notes' own settings
                extensions=notes._EXTENSIONS,
            )
        )

    return {
        OURS: notes._markdown_to_html,
        "pyromark": lambda markdown: str(pyromark.html(markdown, options=options)),
        "markdown-it-pyrs": lambda markdown: str(markdown_it.render(markdown)),
        "cmarkgfm's own wrapper": cmarkgfm_wrapper,
    }


def sample_notes() -> dict[str, str]:
    """The notes to compare: the corpus's, the sample show's episodes', and `CASES`."""
    from podcast_feed.yamlfile import split_front_matter

    found = {"the benchmark corpus's notes": NOTES}
    for path in sorted((REPO / "episodes").glob("*.md")):
        markdown, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        if markdown is not None:
            found[f"episodes/{path.name}"] = markdown.body
    return found | CASES


def published(render: Callable[[str], str], markdown: str) -> str:
    """The notes as podcast-feed publishes them, rendered by `render`."""
    from podcast_feed import notes

    kept = notes._markdown_to_html
    notes._markdown_to_html = render  # type: ignore[assignment]  # only the rendering changes
    try:
        return notes.rendered_notes(markdown).html
    finally:
        notes._markdown_to_html = kept


def spaced(html: str) -> str:
    """`html` with each run of white space one space, as a browser shows it."""
    return " ".join(html.split())


def first_difference(expected: str, found: str) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(expected, found, strict=False)) if a != b),
        min(len(expected), len(found)),
    )
    start = max(0, at - 30)
    return f"cmarkgfm …{expected[start : at + 40]!r}… here …{found[start : at + 40]!r}…"


def per_note(work: Callable[[str], object], texts: list[str]) -> float:
    """Microseconds a note that `work` took over `texts`."""
    start = time.perf_counter()
    for text in texts:
        work(text)
    return (time.perf_counter() - start) / len(texts) * 1e6


def resident() -> int:
    """This process's resident memory, in bytes."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    installed()
    import importlib.metadata

    every = renderers()
    notes = sample_notes()
    mixed = list(notes.values()) * 20  # 20 passes over them per timing
    print(
        "versions: "
        + ", ".join(
            f"{name} {importlib.metadata.version(name)}"
            for name in ("cmarkgfm", "pyromark", "markdown-it-pyrs", "nh3")
        )
    )
    print(f"\n## Output: {len(notes)} notes, as published, against cmarkgfm's\n")
    expected = {name: published(every[OURS], text) for name, text in notes.items()}
    for renderer, render in every.items():
        if renderer == OURS:
            continue
        differing = {
            name: found
            for name, text in notes.items()
            if (found := published(render, text)) != expected[name]
        }
        beyond_spaces = {  # a line break in a paragraph is a space to a browser, not to
            name: (spaced(expected[name]), spaced(found))  # every app: cmarkgfm is told to
            for name, found in differing.items()  # write none (CMARK_OPT_NOBREAKS)
            if spaced(found) != spaced(expected[name])
        }
        print(
            f"- {renderer}: {len(notes) - len(differing)} of {len(notes)} the same, "
            f"{len(notes) - len(beyond_spaces)} but for line breaks"
        )
        for name, (ours, theirs) in beyond_spaces.items():  # (where, spaces aside)
            print(f"  - {name}: {first_difference(ours, theirs)}")
    print(f"\n## Speed: microseconds a note, medians of {arguments.runs}\n")
    print(
        "| renderer | the corpus's notes (3 KB), rendering alone | as published (rendering, "
        "post-processing, nh3) | all the notes above, as published |"
    )
    print("|---|---|---|---|")
    corpus = [NOTES] * 200
    columns: dict[str, list[list[float]]] = {name: [[], [], []] for name in every}
    for _ in range(arguments.runs):  # the renderers take turns: a noisy second hits them all
        for name, render in every.items():
            as_published = functools.partial(published, render)
            jobs: list[tuple[Callable[[str], object], list[str]]] = [
                (render, corpus),
                (as_published, corpus),
                (as_published, mixed),
            ]
            for column, (work, texts) in zip(columns[name], jobs, strict=True):
                column.append(per_note(work, texts))
    for name, times in columns.items():
        print(f"| {name} | " + " | ".join(f"{statistics.median(c):.1f}" for c in times) + " |")
    print("\n## Memory: resident growth over 5,000 renderings of the corpus's notes\n")
    for name, render in every.items():  # the wrapper that keeps its documents last
        gc.collect()
        before = resident()
        for _ in range(5000):
            render(NOTES)
        gc.collect()
        print(f"- {name}: {(resident() - before) / 2**20:+.1f} MiB")


if __name__ == "__main__":
    main()
