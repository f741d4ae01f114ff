"""Rules across records, each triggered on a real project and asserted by its exact message."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
import uuid
from pathlib import Path

import pytest
import yaml
from PIL import Image

from podcast_feed import build, validate
from podcast_feed.errors import REPEATED_WARNINGS, ProblemsFound
from podcast_feed.models import podcast_guid_for
from podcast_feed.notes import NOTES_PLACEHOLDER
from podcast_feed.serve import PreviewServer

from .conftest import (
    AUDIO,
    MakeProject,
    age_inputs,
    episode,
    needed_tool,
    run,
    show,
    snapshot,
)


def codes_and_messages(root: Path) -> list[tuple[str, str]]:
    return [(problem.code, str(problem)) for problem in validate(root).problems]


def test_a_show_with_wrong_required_keys_is_checked_all_the_same(make_project: MakeProject) -> None:
    """A wrong owner's email, language code or category made podcast.yaml no show at all: the
    missing cover, the plain http address and the episode's time the clocks skip (read in the
    show's zone) were found only once those were fixed. Nothing is said of a stand-in value."""
    overrides = {
        "owner": {"name": "O", "email": "owner at example"},
        "language": "english",
        "categories": ["Tecnology"],
        "image": "cover-gone.jpg",
        "media_base_url": "http://show.example.com/media/",
        "timezone": "Europe/Berlin",
    }
    root = make_project(
        {
            "podcast.yaml": show(**overrides),
            "episodes/001-episode.md": episode(date="2025-03-30 02:30"),
        }
    )
    validation = validate(root)
    assert [(p.file, p.field, p.code) for p in validation.problems] == [
        ("episodes/001-episode.md", "date", "date-skipped-by-clocks"),
        ("podcast.yaml", "language", "invalid-language"),
        ("podcast.yaml", "owner.email", "invalid-email"),
        ("podcast.yaml", "image", "artwork-missing"),
        ("podcast.yaml", "categories.0.category", "unknown-category"),
        ("podcast.yaml", "media_base_url", "not-https"),
    ]
    assert validation.failed(strict=False)
    with pytest.raises(ProblemsFound):
        build(root, root / "public")
    assert not (root / "public").exists()


def test_a_show_whose_cover_is_wrong_says_nothing_of_its_stand_in(
    make_project: MakeProject,
) -> None:
    root = make_project({"podcast.yaml": show(image="/Users/me/cover.jpg")})
    assert [(p.field, p.code) for p in validate(root).problems] == [("image", "invalid-media-path")]


def test_duplicate_guid_audio_and_episode_number(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/001-episode.md": episode(episode=1),
            "episodes/002-copy.md": episode(episode=1),
        }
    )
    validation = validate(root)
    assert validation.show is not None
    suggested = str(uuid.uuid5(validation.show.guid, "002-copy"))  # what a file without one gets
    assert codes_and_messages(root) == [
        (
            "duplicate-title",
            "episodes/002-copy.md:2: warning: title: 'An Episode' is also used by "
            "episodes/001-episode.md; listeners cannot tell the two apart in their app "
            "(give each episode its own title: add a part, or a guest's name)",
        ),
        (
            "duplicate-audio",
            "episodes/002-copy.md:4: error: audio: 'cbr.mp3' is also used by "
            "episodes/001-episode.md; Apple ignores episodes whose enclosure URL repeats "
            "(point each episode at its own audio file)",
        ),
        (
            "duplicate-guid",
            "episodes/002-copy.md:5: error: guid: 'test-guid-1' is also used by "
            "episodes/001-episode.md; apps would treat the episodes as one "
            f"(give this episode a guid of its own, e.g. 'guid: {suggested}'; if this is the "
            "one already published, change the other's instead: a published guid never "
            "changes)",
        ),
        (
            "duplicate-episode-number",
            "episodes/002-copy.md:6: error: episode: 'season 1, "
            "episode 1' is also used by episodes/001-episode.md; two episodes share this number "
            "(renumber one of them)",
        ),
    ]
    copy = root / "episodes/002-copy.md"  # the fix as told: that guid is its own
    copy.write_text(copy.read_text().replace("guid: test-guid-1", f"guid: {suggested}"))
    assert "duplicate-guid" not in [code for code, _ in codes_and_messages(root)]


def test_titles_that_differ_only_in_case_or_spacing_are_the_same_to_a_listener(
    make_project: MakeProject,
) -> None:
    root = make_project(
        {
            "episodes/001-episode.md": episode(title="Ask Me  Anything"),
            "episodes/002-again.md": episode(title="ask me anything", guid="g2", audio="vbr.mp3"),
            "episodes/003-other.md": episode(title="Ask Me Nothing", guid="g3", audio="tone.m4a"),
        }
    )
    assert [(p.file, p.code, p.severity) for p in validate(root).problems] == [
        ("episodes/002-again.md", "duplicate-title", "warning")
    ]


def test_serial_show_needs_episode_numbers(make_project: MakeProject) -> None:
    root = make_project({"podcast.yaml": show(type="serial")})
    assert codes_and_messages(root) == [
        (
            "serial-episode-number",
            "episodes/001-episode.md: error: episode: serial shows need "
            "an episode number on every full episode (add a line 'episode: N')",
        )
    ]


def test_titles_with_number_or_show_name(make_project: MakeProject) -> None:
    root = make_project(
        {"episodes/001-episode.md": episode(title="Ep. 7: Test Show live", episode=7)}
    )
    assert [code for code, _ in codes_and_messages(root)] == [
        "title-has-number",
        "title-has-show-name",
    ]


def test_missing_and_mismatched_podcast_guid(make_project: MakeProject) -> None:
    root = make_project({"podcast.yaml": show(podcast_guid=None)})
    assert codes_and_messages(root) == [
        (
            "podcast-guid-missing",
            "podcast.yaml: warning: podcast_guid: not set; using "
            "a4d5a761-ce35-5c3b-b691-ed0db4a0ff21, derived from feed_url (add the line "
            "'podcast_guid: \"a4d5a761-ce35-5c3b-b691-ed0db4a0ff21\"' so it never changes if the "
            "feed moves)",
        )
    ]


def test_podcast_guid_that_differs_from_the_derived_one(make_project: MakeProject) -> None:
    """As after feed_url is changed from init's example: the fix says when to keep it, and
    otherwise the line to write, which then quiets it."""
    root = make_project({"podcast.yaml": show(podcast_guid="9b024349-ccf0-5f69-a609-6b82873eab3c")})
    [(code, message)] = codes_and_messages(root)
    assert code == "podcast-guid-mismatch"
    assert message.endswith(
        "(keep it if the feed moved, as a published guid must never change; if the show was "
        "never published (feed_url was init's example until now), write "
        "'podcast_guid: \"a4d5a761-ce35-5c3b-b691-ed0db4a0ff21\"')"
    ), message
    line = message.rsplit("write '", 1)[1].removesuffix("')")
    shown = (root / "podcast.yaml").read_text().splitlines()
    fixed = [line if entry.startswith("podcast_guid:") else entry for entry in shown]
    (root / "podcast.yaml").write_text("\n".join(fixed) + "\n")
    assert codes_and_messages(root) == []


def test_http_urls_warn(make_project: MakeProject) -> None:
    root = make_project({"podcast.yaml": show(media_base_url="http://show.example.com/media/")})
    assert codes_and_messages(root) == [
        (
            "not-https",
            "podcast.yaml:14: warning: media_base_url: "
            "'http://show.example.com/media/' is not https (use its https address; Apple "
            "recommends https and Podcasting 2.0 requires it)",
        )
    ]


@pytest.mark.parametrize(
    ("zone", "written", "expected"),
    [
        (
            "Europe/Berlin",
            "2026-03-29 02:30",
            "there is no 02:30 on 2026-03-29 in Europe/Berlin: the clocks go forward an hour "
            "that day, so it is read as 03:30 CEST (write the time as the clocks show it, e.g. "
            "'date: 2026-03-29 03:30' for the moment it is read as now)",
        ),
        (
            "Australia/Lord_Howe",  # summer time there is half an hour on
            "2026-10-04 02:10",
            "there is no 02:10 on 2026-10-04 in Australia/Lord_Howe: the clocks go forward 30 "
            "minutes that day, so it is read as 02:40 +11 (write the time as the clocks show "
            "it, e.g. 'date: 2026-10-04 02:40' for the moment it is read as now)",
        ),
        ("Europe/Berlin", "2026-03-29 03:30", None),
        ("Europe/Berlin", "2026-03-29 02:30+01:00", None),  # an offset says which moment
        ("Europe/Berlin", "2026-10-25 02:30", None),  # twice that night: the first is meant
        ("America/Havana", "2026-03-08", "there is no 00:00 on 2026-03-08 in America/Havana"),
    ],
)
def test_a_time_the_clocks_skip_is_told_what_it_is_read_as(
    make_project: MakeProject, zone: str, written: str, expected: str | None
) -> None:
    root = make_project(
        {"podcast.yaml": show(timezone=zone), "episodes/001-episode.md": episode(date=written)}
    )
    found = [
        str(problem)
        for problem in validate(root).problems
        if problem.code == "date-skipped-by-clocks"
    ]
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1
        assert found[0].startswith("episodes/001-episode.md:3: warning: date: " + expected)


def test_every_address_apps_or_visitors_are_sent_to_is_held_to_https(
    make_project: MakeProject,
) -> None:
    """SPEC 2.1: https everywhere; nested and listed addresses too, in both kinds of file;
    not the storage publish writes to, nor where the media used to be."""
    root = make_project(
        {
            "podcast.yaml": show(
                persons=[
                    {"name": "Host", "href": "https://h.example.com", "img": "http://h/i.jpg"}
                ],
                directories={"Apple Podcasts": "HTTP://podcasts.apple.com/x"},
                media_moved_from="http://old.example.com/media/",
                publish={"destination": "s3://bucket/show", "endpoint": "http://127.0.0.1:9000"},
            ),
            "episodes/001-episode.md": episode(
                link="http://elsewhere.example.com/1",
                chapters=[{"start": 0, "title": "Start", "url": "http://c.example.com"}],
                funding=[{"url": "https://give.example.com", "text": "Support"}],
            ),
        }
    )
    warned = [message.split(": ", 2)[2] for code, message in codes_and_messages(root)]
    assert [address.split(":")[0] for address in warned] == [
        "link",
        "chapters.0.url",
        "persons.0.img",
        "directories.Apple Podcasts",
    ]


def test_an_mp4_with_its_index_at_the_end_is_told_the_command_that_moves_it(
    make_project: MakeProject,
) -> None:
    """ffmpeg writes the moov box after the audio unless told otherwise: an app must fetch the
    end of the file before it plays. The fix given is run, and then nothing is reported."""
    root = make_project({"episodes/001-episode.md": episode(audio="late-index.m4a")})
    [(code, message)] = codes_and_messages(root)
    command = (
        "ffmpeg -i media/late-index.m4a -c copy -movflags +faststart media/late-index-fast.m4a "
        "&& mv media/late-index-fast.m4a media/late-index.m4a"
    )
    assert (code, message) == (
        "moov-at-end",
        "episodes/001-episode.md:4: warning: audio: 'late-index.m4a' keeps its index (the moov "
        "box) after the audio: an app must fetch the end of the file before it plays, and all "
        "of it from a host without byte ranges (move the index to the front, without encoding "
        f"again: {command})",
    )
    needed_tool("ffmpeg")
    subprocess.run(
        command.replace("ffmpeg ", "ffmpeg -loglevel error ", 1), shell=True, cwd=root, check=True
    )
    assert codes_and_messages(root) == []


def test_vbr_without_header_warns(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(audio="vbr-no-xing.mp3")})
    assert codes_and_messages(root) == [
        (
            "vbr-without-header",
            "episodes/001-episode.md:4: warning: audio: 'vbr-no-xing.mp3' "
            "is VBR without a Xing/VBRI header: apps will guess its length wrongly and seek badly "
            "(re-encode it with a header: lame writes one by default, ffmpeg with -write_xing 1)",
        )
    ]


def test_audio_problems(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/001-episode.md": episode(audio="cbr.mp4"),
            "episodes/002.md": episode(guid="2", audio="tone.ogg"),
            "episodes/003.md": episode(guid="3", audio="not-audio.mp3"),
        }
    )
    assert codes_and_messages(root) == [
        (
            "audio-missing",
            "episodes/001-episode.md:4: error: audio: 'cbr.mp4' is not in "
            "media/ (did you mean 'cbr.mp3'?)",
        ),
        (
            "audio-unsupported-type",
            "episodes/002.md:4: error: audio: 'tone.ogg': Apple does not accept .ogg files "
            "(convert it to MP3, e.g. ffmpeg -i media/tone.ogg -b:a 128k media/tone.mp3, or to "
            "AAC in an .m4a file)",
        ),
        (  # it was "cannot be read as audio: can't sync to MPEG frame"
            "audio-misnamed",
            "episodes/003.md:4: error: audio: 'not-audio.mp3' holds text, not what its "
            "extension says: apps are told audio/mpeg and fail to play it (copy or download the "
            "recording again: this is text, such as the message a server sends instead of a "
            "file it will not give)",
        ),
    ]


@pytest.mark.parametrize(
    ("media_is", "message"),
    [
        (
            "missing",
            "media/: error: there is no media/ folder beside podcast.yaml, and podcast.yaml and "
            "2 episode files name files in it (create media/ and put the audio and artwork in "
            "it; in CI, check that they are committed and that .gitignore does not leave them "
            "out)",
        ),
        (
            "a file",
            "media: error: is a file, not a folder, and podcast.yaml and 2 episode files name "
            "files in media/ (rename or remove that file, then make media/ a folder beside "
            "podcast.yaml and put the audio and artwork in it)",
        ),
    ],
)
def test_no_media_folder_is_one_error_not_one_per_file(
    make_project: MakeProject, media_is: str, message: str
) -> None:
    """A clone without its audio (media/ in .gitignore) listed every file of every episode as
    missing; a file named media, every one as unreadable ('Not a directory')."""
    chapters = [{"start": 0, "title": "A", "image": "chapter-a.png"}]
    root = make_project({"episodes/002.md": episode(guid="2", audio="vbr.mp3", chapters=chapters)})
    shutil.rmtree(root / "media")
    if media_is == "a file":
        (root / "media").write_bytes(b"")
    assert codes_and_messages(root) == [("media-not-a-folder", message)]
    assert run("build", "--root", str(root))[0] == 1
    assert not (root / "public").exists()


@pytest.mark.parametrize(
    ("notes", "besides"),
    [("", []), ("&nbsp;", []), ("![](cover.png)", ["notes-image"])],
    ids=["none", "nbsp", "image"],
)
def test_empty_show_notes_warn(make_project: MakeProject, notes: str, besides: list[str]) -> None:
    root = make_project({"episodes/001-episode.md": episode(notes=notes)})
    assert [code for code, _ in codes_and_messages(root)] == ["empty-show-notes", *besides]


def test_description_over_4000_bytes(make_project: MakeProject) -> None:
    root = make_project({"podcast.yaml": show(description="é" * 2001)})
    assert codes_and_messages(root) == [
        (
            "description-too-long",
            "podcast.yaml:2: error: description: 4002 bytes; Apple allows 4000 (shorten it)",
        )
    ]


def test_non_ascii_audio_name_warns(make_project: MakeProject) -> None:
    root = make_project()
    (root / "media" / "épisode 1.mp3").write_bytes((root / "media" / "cbr.mp3").read_bytes())
    (root / "episodes" / "001-episode.md").write_text(episode(audio="épisode 1.mp3"))
    assert [code for code, _ in codes_and_messages(root)] == ["media-file-name"]


@pytest.mark.parametrize(
    ("size", "mode", "save_as", "suffix", "codes"),
    [
        ((1400, 1400), "RGB", "JPEG", ".jpg", []),
        ((3000, 3000), "RGB", "PNG", ".png", []),
        ((1000, 1000), "RGB", "JPEG", ".jpg", ["artwork-too-small"]),
        ((3200, 3200), "RGB", "JPEG", ".jpg", ["artwork-too-large"]),
        ((1400, 1500), "RGB", "JPEG", ".jpg", ["artwork-not-square"]),
        ((1400, 1400), "RGBA", "PNG", ".png", ["artwork-alpha"]),
        ((1400, 1400), "CMYK", "JPEG", ".jpg", ["artwork-colour-space"]),
        ((1400, 1400), "RGB", "PNG", ".jpg", ["artwork-format"]),
        ((1400, 1400), "RGB", "WEBP", ".png", ["artwork-format"]),
    ],
)
def test_show_artwork(
    make_project: MakeProject,
    size: tuple[int, int],
    mode: str,
    save_as: str,
    suffix: str,
    codes: list[str],
) -> None:
    root = make_project({"podcast.yaml": show(image=f"art{suffix}")})
    Image.new(mode, size).save(root / "media" / f"art{suffix}", save_as)
    assert [code for code, _ in codes_and_messages(root)] == codes


def test_artwork_messages_name_the_image(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(image="art.png"),
            "episodes/001-episode.md": episode(image="missing.jpg"),
            "episodes/002-cmyk.md": episode(
                title="In Print", guid="g2", audio="vbr.mp3", image="print.jpg"
            ),
        }
    )
    Image.new("RGBA", (600, 600)).save(root / "media" / "art.png", "PNG")
    Image.new("CMYK", (1400, 1400)).save(root / "media" / "print.jpg", "JPEG")
    assert [message for _, message in codes_and_messages(root)] == [
        "episodes/001-episode.md:6: error: image: 'missing.jpg' is not in media/ "
        "(add the file or correct the name)",
        "episodes/002-cmyk.md:6: error: image: 'print.jpg' is in the CMYK colour space, not RGB "
        "(convert it to RGB)",
        "podcast.yaml:9: error: image: 'art.png' has an alpha channel (transparency) "
        "(export it without transparency)",
        "podcast.yaml:9: error: image: 'art.png' is 600x600 px; Apple accepts 1400 to 3000 px "
        "(export it at 3000x3000 px)",
    ]


def test_no_published_episode_is_an_error(make_project: MakeProject) -> None:
    root = make_project({"episodes/001-episode.md": episode(draft=True)})
    assert codes_and_messages(root) == [
        (
            "no-episodes",
            "episodes: error: no episode is published (all are drafts, scheduled or missing), "
            "and a feed without episodes would empty the show in every app "
            "(add an episode with 'podcast-feed new RECORDING', or publish a draft)",
        )
    ]
    shutil.rmtree(root / "episodes")
    assert codes_and_messages(root)[0][1].startswith(
        "episodes: error: there is no episodes/ folder, and a feed without episodes"
    )
    (root / "episodes").write_bytes(b"")
    assert codes_and_messages(root)[0][1].startswith(
        "episodes: error: is a file, not a folder, and a feed without episodes"
    )


@pytest.mark.parametrize("how", ["emptied", "removed"])
def test_an_empty_show_never_replaces_a_feed_full_of_episodes(
    make_project: MakeProject, how: str
) -> None:
    root = make_project()
    assert run("build", "--root", str(root))[0] == 0
    before = snapshot(root / "public")
    if how == "emptied":
        (root / "episodes" / "001-episode.md").unlink()
    else:
        shutil.rmtree(root / "episodes")
    code, _, err = run("build", "--root", str(root))
    assert code == 1
    said = "no episode is published" if how == "emptied" else "there is no episodes/ folder"
    assert f"episodes: error: {said}" in err
    assert snapshot(root / "public") == before


def test_a_folder_named_like_an_episode_is_reported(make_project: MakeProject) -> None:
    root = make_project()
    (root / "episodes" / "002-next.md").mkdir()
    assert codes_and_messages(root) == [
        (
            "episode-not-a-file",
            "episodes/002-next.md: error: is a folder (or not a regular file), so it is not an "
            "episode (move it out of episodes/, or rename it without .md)",
        )
    ]


def test_image_urls_must_name_a_jpeg_or_png(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(image="https://cdn.example.com/art.webp?v=2"),
            "episodes/001-episode.md": episode(image="https://cdn.example.com/ep1.jpeg?v=1"),
        }
    )
    assert codes_and_messages(root) == [
        (
            "artwork-format",
            "podcast.yaml:9: error: image: 'https://cdn.example.com/art.webp?v=2' does not end "
            "in .jpg, .jpeg or .png (link the JPEG or PNG file itself; Apple goes by the URL's "
            "extension)",
        )
    ]
    (root / "podcast.yaml").write_text(yaml.safe_dump(show()))
    feed = build(root, root / "public").feed_path.read_text()  # .jpeg, which feedgen refuses
    assert '<itunes:image href="https://cdn.example.com/ep1.jpeg?v=1"/>' in feed


def test_chapter_image_must_exist(make_project: MakeProject) -> None:
    root = make_project(
        {
            "episodes/001-episode.md": episode(
                chapters=[{"start": 0, "title": "A", "image": "chapter-a.png"}]
            )
        }
    )
    assert codes_and_messages(root) == [
        (
            "chapter-image-missing",
            "episodes/001-episode.md:9: error: chapters.0.image: the image of chapter 'A', "
            "'chapter-a.png', is not in media/ (add the file or correct the name)",
        )
    ]


def test_a_missing_file_gets_the_nearest_name_of_its_kind(make_project: MakeProject) -> None:
    """The name that looks the same but is another Unicode form (macOS may save a name's
    accents decomposed) is said to be so; an image is suggested for an image, not for audio;
    and the episode whose audio is missing has its other files checked all the same."""
    decomposed = unicodedata.normalize("NFD", "café.mp3")
    root = make_project(
        {
            "episodes/001-episode.md": episode(
                audio="café.mp3",
                image="chapter-a.jpg",
                chapters=[{"start": 0, "title": "A", "image": "chapter-a.jpg"}],
            )
        }
    )
    shutil.copy(root / "media" / "cbr.mp3", root / "media" / decomposed)
    Image.new("RGB", (1400, 1400)).save(root / "media" / "Chapter-A.png", "PNG")
    (root / "media" / "chapter-a.vtt").write_text("WEBVTT\n")
    assert codes_and_messages(root) == [
        (
            "media-file-name",
            "episodes/001-episode.md:4: warning: audio: 'café.mp3' has spaces or non-ASCII "
            "characters; some apps fail on them (rename the file using only a-z, A-Z, 0-9, '-', "
            "'_' and '.', and write the new name here; for an episode already published, add "
            "'republish: true' too: its address changes)",
        ),
        (
            "audio-missing",
            "episodes/001-episode.md:4: error: audio: 'café.mp3' is not in media/ (the file is "
            f"named {decomposed!r}: the same letters in another Unicode form, its accents "
            "written apart as macOS may save a name; rename the file using only a-z, 0-9, '-', "
            "'_' and '.', and write that name here)",
        ),
        (
            "artwork-missing",
            "episodes/001-episode.md:6: error: image: 'chapter-a.jpg' is not in media/ "
            "(did you mean 'Chapter-A.png'?)",
        ),
        (
            "chapter-image-missing",
            "episodes/001-episode.md:10: error: chapters.0.image: the image of chapter 'A', "
            "'chapter-a.jpg', is not in media/ (did you mean 'Chapter-A.png'?)",
        ),
    ]


def test_suggestions_stay_quick_when_every_file_is_missing(make_project: MakeProject) -> None:
    """A show whose audio was all renamed: the first twenty missing names are compared with
    every file (difflib costs 45 ms a name among 10,000 files), the rest only looked up by case
    and Unicode form, so that thousands of missing files are reported in seconds."""
    root = make_project(
        {
            f"episodes/{n:03d}.md": episode(guid=f"g{n}", audio=f"ep-{n:03d}.mp3")
            for n in range(1, 26)
        }
        | {"episodes/026.md": episode(guid="g26", audio="Bonus.mp3")}
    )
    for name in [*(f"ep-{n:03d}-final.mp3" for n in range(1, 26)), "bonus.mp3"]:
        shutil.copy(root / "media" / "cbr.mp3", root / "media" / name)
    fixes = [p.fix for p in validate(root).problems if p.code == "audio-missing"]
    assert fixes[:20] == [f"did you mean 'ep-{n:03d}-final.mp3'?" for n in range(1, 21)]
    assert fixes[20:] == ["add the file to media/"] * 5 + ["did you mean 'bonus.mp3'?"]


def test_git_lfs_pointers_are_named_as_such(make_project: MakeProject) -> None:
    """A checkout without `git lfs pull` leaves each file a pointer of three lines: audio,
    artwork and captions fail to read, and a text transcript or chapter image would go out
    as the pointer itself."""
    root = make_project(
        {
            "episodes/001-episode.md": episode(
                image="episode.jpg",
                transcripts=[{"file": "cbr.vtt"}, {"file": "cbr.txt"}],
                chapters=[{"start": 0, "title": "A", "image": "chapter.png"}],
                alternate_enclosures=[{"audio": "tone.m4a"}],
            )
        }
    )
    for name in ["cbr.mp3", "episode.jpg", "cbr.vtt", "cbr.txt", "chapter.png", "tone.m4a"]:
        (root / "media" / name).write_text(
            "version https://git-lfs.github.com/spec/v1\n"
            "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
            "size 12345\n"
        )
    assert codes_and_messages(root) == [
        (
            "lfs-pointer",
            f"episodes/001-episode.md:{line}: error: {field}: '{name}' is a Git LFS pointer, "
            "not the file: it was checked out without its content (run git lfs pull; in "
            "GitHub Actions, give actions/checkout `lfs: true`)",
        )
        for line, field, name in [
            (4, "audio", "cbr.mp3"),
            (6, "image", "episode.jpg"),
            (8, "transcripts.0.file", "cbr.vtt"),
            (9, "transcripts.1.file", "cbr.txt"),
            (13, "chapters.0.image", "chapter.png"),
            (15, "alternate_enclosures.0.audio", "tone.m4a"),
        ]
    ]


def test_markup_in_plain_text_fields_is_refused_not_published(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(author="Ada &amp; Bob"),
            "episodes/001-episode.md": episode(
                title="<b>Bold</b> & <script>alert(1)</script>",
                summary="Fine & dandy < 3, but <i>this</i> is not",
                chapters=[{"start": 0, "title": "Intro<br>"}],
            ),
        }
    )
    found = codes_and_messages(root)
    assert [code for code, _ in found] == ["markup-in-text"] * 4
    assert found[0][1] == (
        "episodes/001-episode.md:2: error: title: '<b>Bold</b> & <script>alert(1)</script>' "
        "contains HTML ('<b>'), which apps would show as typed (write plain text, where & and < "
        "on their own are fine; formatting belongs in the show notes)"
    )
    assert [message.split(": error: ")[1].split(":")[0] for _, message in found] == [
        "title",
        "summary",
        "chapters.0.title",
        "author",
    ]


@pytest.mark.parametrize(
    "feed_url", ["https://show.example.com/podcast/", "https://show.example.com"]
)
def test_a_feed_url_that_names_a_folder_is_refused(
    make_project: MakeProject, feed_url: str
) -> None:
    """A static host answers a folder's address with its index page: the apps that subscribe
    to it would never get the feed (and publish took the folder's name for the feed's)."""
    settings = {
        "feed_url": feed_url,
        "site": False,
        "podcast_guid": str(podcast_guid_for(feed_url)),
    }
    root = make_project({"podcast.yaml": show(**settings)})
    assert codes_and_messages(root) == [
        (
            "feed-url-not-a-file",
            f"podcast.yaml:13: error: feed_url: '{feed_url}' is a folder's address, not a file's: "
            "a web server or bucket answers it with the folder's index page, never with the "
            f"feed (end it with the feed's file name, e.g. {feed_url.rstrip('/')}/feed.xml, or "
            "set publish.feed_path to the file your host serves at that address)",
        )
    ]
    # a host that maps the address to a file: publish.feed_path says which
    (root / "podcast.yaml").write_text(
        yaml.safe_dump(show(**settings, publish={"feed_path": "index.xml"}))
    )
    assert codes_and_messages(root) == []


def test_a_title_or_name_on_two_lines_is_refused(make_project: MakeProject) -> None:
    """A YAML block (`title: |-`) keeps its line ends; apps show titles, names and labels on
    one line, each its own way. The notes and the descriptions may have as many as they like."""
    root = make_project(
        {
            "podcast.yaml": show(author="Ada\nand Bob", description="Two\nlines are fine."),
            "episodes/001-episode.md": episode(
                title="Part 1\nThe Start\n",  # as `title: |` gives it: one error, not two
                summary="Two\nlines are fine here too.",
                chapters=[{"start": 0, "title": "Intro\r\nand welcome"}],
                persons=[{"name": "Jane\nGuest"}],
            ),
        }
    )
    found = codes_and_messages(root)
    assert [code for code, _ in found] == ["line-break"] * 4
    assert found[0][1] == (
        "episodes/001-episode.md:2: error: title: 'Part 1\\nThe Start\\n' has a line break (write "
        "it on one line: apps show titles, names and labels on one line)"
    )
    assert [message.split(": error: ")[1].split(":")[0] for _, message in found] == [
        "title",
        "chapters.0.title",
        "persons.0.name",
        "author",
    ]


def test_warnings_a_podcaster_ignores_are_counted_not_reported(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """`ignore_warnings` in podcast.yaml ignores a code everywhere; in an episode, only that
    episode's. The count line still says how many were left out, and `--strict` passes."""
    root = make_project(
        {
            "podcast.yaml": show(
                media_base_url="http://show.example.com/media/", ignore_warnings=["not-https"]
            ),
            "episodes/001-episode.md": episode(
                audio="vbr-no-xing.mp3", ignore_warnings=["vbr-without-header"]
            ),
            "episodes/002-other.md": episode(
                title="Other", audio="vbr-no-xing-2.mp3", guid="g2", episode=2
            ),
        }
    )
    shutil.copy(root / "media" / "vbr-no-xing.mp3", root / "media" / "vbr-no-xing-2.mp3")
    code, out, err = run("validate", "--root", str(root))
    assert code == 0
    assert out.splitlines()[1:] == ["0 errors, 1 warning, 2 ignored by ignore_warnings"]
    assert [line.rsplit(" [", 1)[-1] for line in out.splitlines()[:1]] == ["vbr-without-header]"]
    assert out.startswith("episodes/002-other.md:4: warning: audio: 'vbr-no-xing-2.mp3'")
    assert "title-has-number" not in out  # episode 2 is not in its title: no other warning

    (root / "episodes" / "002-other.md").unlink()
    age_inputs(root)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    for _ in range(2):  # the second build replays the first from the cache: the same report
        code, out, err = run("build", "--root", str(root), "--strict", *cache)
        assert code == 0, err
        assert err == "0 errors, 0 warnings, 2 ignored by ignore_warnings\n"
    assert out.endswith("(nothing changed)\n")


def test_a_warning_repeated_across_the_catalogue_names_ignore_warnings(
    make_project: MakeProject,
) -> None:
    """A back catalogue of old VBR recordings gives one warning an episode: the report says
    how many share the code and how to leave them out, once, after the count."""
    files: dict[str, str | bytes | dict[str, object]] = {}
    for n in range(1, REPEATED_WARNINGS + 1):
        files[f"episodes/{n:03d}-old.md"] = episode(
            title=f"Old {n}", audio=f"old-{n}.mp3", guid=f"old-{n}", date=f"2020-01-{n:02d}"
        )
        files[f"media/old-{n}.mp3"] = (AUDIO / "vbr-no-xing.mp3").read_bytes()
    root = make_project(files, with_default_episode=False)
    code, out, _ = run("validate", "--root", str(root))
    assert code == 0
    lines = out.splitlines()
    hint = (
        f"{REPEATED_WARNINGS} of the warnings are vbr-without-header: if they cannot be fixed, "
        "'ignore_warnings: [vbr-without-header]' in podcast.yaml leaves them out"
    )
    assert len(lines) == REPEATED_WARNINGS + 2
    assert lines[-2:] == [f"0 errors, {REPEATED_WARNINGS} warnings", hint]
    # serve, which prints the warnings after each rebuild, says it too
    reported: list[str] = []
    server = PreviewServer(root, "127.0.0.1", 0, report=reported.append)
    try:
        assert server.rebuild()
    finally:
        server.stop()
    assert reported[0].splitlines()[-1] == hint
    # a warning whose fix is to write something never gets such a line, however many
    for path in (root / "episodes").iterdir():
        path.write_text(path.read_text() + f"\n{NOTES_PLACEHOLDER}\n")
    code, out, _ = run("validate", "--root", str(root))
    assert out.count("[notes-template]") == REPEATED_WARNINGS
    assert out.splitlines()[-2:] == [f"0 errors, {2 * REPEATED_WARNINGS} warnings", hint]
    # and one fewer gives no such line
    (root / "episodes" / "001-old.md").unlink()
    code, out, _ = run("validate", "--root", str(root))
    assert out.splitlines()[-1] == f"0 errors, {2 * (REPEATED_WARNINGS - 1)} warnings"
    # and doing what it says leaves them out
    (root / "podcast.yaml").write_text(
        yaml.safe_dump(show(ignore_warnings=["vbr-without-header"]), sort_keys=False)
    )
    code, out, _ = run("validate", "--root", str(root))
    assert "[vbr-without-header]" not in out
    assert out.splitlines()[-1] == (
        f"0 errors, {REPEATED_WARNINGS - 1} warnings, "
        f"{REPEATED_WARNINGS - 1} ignored by ignore_warnings"
    )


def test_only_a_warning_s_code_can_be_ignored(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(
                ignore_warnings=["vbr-without-headr", "audio-missing", "cache-ignored"]
            ),
            "episodes/001-episode.md": episode(ignore_warnings="notes-template"),
        }
    )
    assert codes_and_messages(root) == [
        (
            "wrong-type",
            "episodes/001-episode.md:6: error: ignore_warnings: expected a list, got "
            "'notes-template' (write it as a list: 'ignore_warnings:', then a line "
            "'  - notes-template' for each item)",
        ),
        (
            "invalid-value",
            "podcast.yaml:18: error: ignore_warnings.0: 'vbr-without-headr' is not the code of a "
            "warning (did you mean 'vbr-without-header'?)",
        ),
        (
            "invalid-value",
            "podcast.yaml:19: error: ignore_warnings.1: 'audio-missing' is an error, and errors "
            "cannot be ignored (fix what it reports)",
        ),
        (
            "invalid-value",
            "podcast.yaml:20: error: ignore_warnings.2: 'cache-ignored' never fails a build and "
            "is not counted (remove it: there is nothing to ignore)",
        ),
    ]


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ({}, False),  # link is the feed's folder
        ({"link": "https://show.example.com"}, False),  # the same, without its slash
        ({"link": "https://www.homepage.example/"}, True),
        ({"link": "https://show.example.com/podcast/"}, True),
        ({"link": "https://www.homepage.example/", "site_url": "https://show.example.com/"}, False),
        ({"link": "https://www.homepage.example/", "site": False}, False),
    ],
)
def test_a_website_served_where_link_is_not_is_named(
    make_project: MakeProject, settings: dict[str, object], warned: bool
) -> None:
    """The website goes beside feed.xml; its addresses (and each item's link) come from
    `link` unless `site_url` is set: a `link` elsewhere makes every episode's link a 404."""
    root = make_project({"podcast.yaml": show(**settings)})
    problems = [(code, message) for code, message in codes_and_messages(root)]
    expected = (
        "podcast.yaml:3: warning: link: the website is written beside feed.xml, so it is "
        "served at https://show.example.com/, but its pages' addresses and each episode's link "
        f"in the feed start with `link`, {settings.get('link')}, where those pages are not "
        "(add 'site_url: https://show.example.com/', or 'site: false' if `link` is a website "
        "of its own)"
    )
    assert problems == ([("site-not-at-link", expected)] if warned else [])


def test_a_transcript_two_episodes_would_share_is_named(make_project: MakeProject) -> None:
    """`hello.mp3` and `hello.m4a` both find `hello.vtt`; `transcripts: []` says which
    episode has none."""
    vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n"
    root = make_project(
        {
            "episodes/002-mp3.md": episode(title="MP3", audio="hello.mp3", guid="g2"),
            "episodes/003-m4a.md": episode(title="M4A", audio="hello.m4a", guid="g3"),
            "media/hello.vtt": vtt,
        }
    )
    shutil.copy(root / "media" / "cbr.mp3", root / "media" / "hello.mp3")
    shutil.copy(root / "media" / "tone.m4a", root / "media" / "hello.m4a")
    assert codes_and_messages(root) == [
        (
            "transcript-shared",
            "episodes/003-m4a.md:4: warning: transcripts: 'hello.vtt' is also the transcript of "
            "episodes/002-mp3.md: a transcript beside the audio goes to each episode whose audio "
            "has its name (give each its own: rename one episode's audio, or write "
            "'transcripts: []' in the episode that has none)",
        )
    ]
    (root / "episodes" / "003-m4a.md").write_text(
        episode(title="M4A", audio="hello.m4a", guid="g3", transcripts=[])
    )
    checked = validate(root)
    assert checked.problems == []
    assert {e.source: [t.file for t in e.transcripts] for e in checked.episodes} == {
        "episodes/001-episode.md": [],
        "episodes/002-mp3.md": ["hello.vtt"],
        "episodes/003-m4a.md": [],
    }
