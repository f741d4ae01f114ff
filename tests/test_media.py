"""Audio probing on real files made with lame and ffmpeg (see scripts/make_test_fixtures.sh)."""

from __future__ import annotations

import pickle
import shutil
import wave
from pathlib import Path, PurePath

import pytest

from podcast_feed import validate
from podcast_feed.media import (
    MisnamedMedia,
    UnreadableMedia,
    UnsupportedMedia,
    enclosure_type,
    inspect_audio,
    probe,
)

from .conftest import AUDIO, TRUE_DURATIONS, MakeProject, episode, run


@pytest.mark.parametrize(
    ("name", "mime_type"),
    [
        ("cbr.mp3", "audio/mpeg"),
        ("vbr.mp3", "audio/mpeg"),
        ("vbr-no-xing.mp3", "audio/mpeg"),
        ("tone.m4a", "audio/x-m4a"),
        ("video.mp4", "video/mp4"),
    ],
)
def test_probe_reads_real_size_type_and_duration(name: str, mime_type: str) -> None:
    info = probe(AUDIO / name)
    assert info.size == (AUDIO / name).stat().st_size
    assert info.mime_type == mime_type
    # encoders add up to ~0.1 s of padding to the source's length
    assert info.duration == pytest.approx(TRUE_DURATIONS[name], abs=0.15)


def test_cbr_without_info_header_is_not_flagged() -> None:
    assert probe(AUDIO / "cbr.mp3").vbr_without_header is False


def test_vbr_with_xing_header_is_exact_and_not_flagged() -> None:
    assert probe(AUDIO / "vbr.mp3").vbr_without_header is False


def test_vbr_without_xing_header_is_flagged_and_measured_by_frames() -> None:
    info = probe(AUDIO / "vbr-no-xing.mp3")
    assert info.vbr_without_header is True
    # mutagen's own estimate for this file is over three times too long
    assert info.duration == pytest.approx(TRUE_DURATIONS["vbr-no-xing.mp3"], abs=0.15)


def test_file_that_is_not_audio_is_unreadable() -> None:
    with pytest.raises(UnreadableMedia):
        probe(AUDIO / "not-audio.mp3")


def test_format_apple_does_not_accept_is_refused() -> None:
    with pytest.raises(UnsupportedMedia, match=r"\.ogg"):
        probe(AUDIO / "tone.ogg")


@pytest.mark.parametrize(
    ("fixture", "named", "holds", "suffix"),
    [
        ("tone.m4a", "wrong.mp3", "AAC audio in an MP4 file", ".m4a"),
        ("cbr.mp3", "wrong.m4a", "MP3 audio", ".mp3"),  # mutagen reads it, as an MP3
        ("vbr.mp3", "wrong.mp4", "MP3 audio", ".mp3"),
        ("video.mp4", "wrong.mp3", "an MP4 file", ".mp4"),
        ("tone.ogg", "wrong.m4a", "Ogg audio (Opus or Vorbis)", None),
    ],
)
def test_a_file_named_for_another_format_is_told_what_it_holds(
    tmp_path: Path, fixture: str, named: str, holds: str, suffix: str | None
) -> None:
    """Apps go by the enclosure's type, which comes from the name: an MP3 named .m4a was
    published as audio/x-m4a, and an M4A named .mp3 was "can't sync to MPEG frame"."""
    shutil.copy(AUDIO / fixture, tmp_path / named)
    with pytest.raises(MisnamedMedia) as raised:
        probe(tmp_path / named)
    assert (raised.value.holds, raised.value.suffix) == (holds, suffix)
    assert pickle.loads(pickle.dumps(raised.value)).suffix == suffix  # (the cache keeps it)


def test_a_wav_recording_named_mp3_is_told_to_convert(tmp_path: Path) -> None:
    wav = tmp_path / "take.mp3"
    with wave.open(str(wav), "wb") as stream:  # a real WAV header, as a recorder writes it
        stream.setnchannels(1)
        stream.setsampwidth(2)
        stream.setframerate(8000)
        stream.writeframes(b"\0\0" * 8000)
    with pytest.raises(MisnamedMedia) as raised:
        probe(wav)
    assert raised.value.fix(PurePath("media/take.mp3")) == (
        "convert it to MP3, e.g. ffmpeg -i media/take.mp3 -b:a 128k media/take-128k.mp3, or to "
        "AAC in an .m4a file: Apple does not take a WAV recording"
    )


def test_a_damaged_file_of_the_right_container_is_not_called_misnamed(tmp_path: Path) -> None:
    """A cut-off .m4v holding an MP4 is damaged, not misnamed."""
    (tmp_path / "cut.m4v").write_bytes((AUDIO / "video.mp4").read_bytes()[:40])
    with pytest.raises(UnreadableMedia) as raised:
        probe(tmp_path / "cut.m4v")
    assert not isinstance(raised.value, MisnamedMedia)


def test_a_web_page_saved_as_audio_is_told_to_download_again(make_project: MakeProject) -> None:
    root = make_project(
        {
            "media/cbr.mp3": b"<!DOCTYPE html>\n<html><body>Rate limited</body></html>\n",
            "media/tone.m4a": (AUDIO / "vbr.mp3").read_bytes(),
            "episodes/002-two.md": episode(audio="tone.m4a", guid="g2", title="Two"),
        }
    )
    problems = [str(p) for p in validate(root).problems]
    assert problems == [
        "episodes/001-episode.md:4: error: audio: 'cbr.mp3' holds a web page or an error "
        "message, not what its extension says: apps are told audio/mpeg and fail to play it "
        "(download it again: this is the page a server sent instead of the file)",
        "episodes/002-two.md:4: error: audio: 'tone.m4a' holds MP3 audio, not what its "
        "extension says: apps are told audio/x-m4a and fail to play it (rename it tone.mp3, "
        "and write that name here)",
    ]
    code, out, _ = run("inspect", str(root / "media" / "tone.m4a"))
    assert (code, out) == (
        1,
        f"{root / 'media' / 'tone.m4a'}: error: it holds MP3 audio, not what its extension "
        f"says (rename it tone.mp3, and write that name here)\n",
    )
    code, _, err = run("new", str(root / "media" / "tone.m4a"), "--root", str(root))
    assert (code, err) == (
        1,
        "error: tone.m4a: it holds MP3 audio, not what its extension says; rename it tone.mp3, "
        "and write that name here\n",
    )


def test_an_empty_file_is_called_empty(make_project: MakeProject, tmp_path: Path) -> None:
    """A copy or export that never filled the file: said as that, wherever it is met (it was
    "can't sync to MPEG frame")."""
    root = make_project({"media/cbr.mp3": b""})
    assert [str(p) for p in validate(root).problems] == [
        "episodes/001-episode.md:4: error: audio: 'cbr.mp3' cannot be read as audio: it is "
        "empty (0 bytes) (check that the file is complete; export it again as MP3 or M4A)"
    ]
    (tmp_path / "take.m4a").write_bytes(b"")
    code, _, err = run("new", str(tmp_path / "take.m4a"), "--root", str(root))
    assert (code, err) == (
        1,
        "error: take.m4a cannot be read as audio: it is empty (0 bytes); check that the file is "
        "complete; export it again as MP3 or M4A\n",
    )
    code, out, _ = run("inspect", str(tmp_path / "take.m4a"))
    assert (code, out) == (
        1,
        f"{tmp_path / 'take.m4a'}: error: cannot be read as audio: it is empty (0 bytes) "
        "(check that the file is complete; export it again as MP3 or M4A)\n",
    )


@pytest.mark.parametrize(
    "text", [b"Not Found\n", b'{"error": "AccessDenied"}', "Épisode à venir\n".encode() * 9]
)
def test_text_saved_as_audio_is_called_text(make_project: MakeProject, text: bytes) -> None:
    """A server's message saved under the recording's name was "can't sync to MPEG frame"."""
    root = make_project({"media/cbr.mp3": text})
    [problem] = validate(root).problems
    assert (problem.code, problem.message, problem.fix) == (
        "audio-misnamed",
        "'cbr.mp3' holds text, not what its extension says: apps are told audio/mpeg and fail "
        "to play it",
        "copy or download the recording again: this is text, such as the message a server "
        "sends instead of a file it will not give",
    )
    (root / "media" / "cbr.mp3").write_bytes(b"\xff\xfb" + text)  # an MPEG frame's start
    assert "holds text" not in str(validate(root).problems)


@pytest.mark.parametrize(
    "page", [b"<html><body>Not Found</body></html>", b"  <HTML>\n<head>", b"<?xml version='1.0'?>"]
)
def test_a_web_page_without_a_doctype_is_told_apart(
    make_project: MakeProject, tmp_path: Path, page: bytes
) -> None:
    root = make_project({"media/cbr.mp3": page})
    [problem] = validate(root).problems
    assert problem.code == "audio-misnamed" and "holds a web page" in problem.message
    (tmp_path / "take.mp3").write_bytes(page)
    code, _, err = run("new", str(tmp_path / "take.mp3"), "--root", str(root))
    assert code == 1 and "it holds a web page or an error message" in err
    (tmp_path / "take.m4a").write_bytes(page)  # inspect read an .m4a without asking
    code, out, _ = run("inspect", str(tmp_path / "take.m4a"))
    assert code == 1 and "it holds a web page or an error message" in out


def test_enclosure_type_ignores_case_and_the_machine() -> None:
    assert enclosure_type(Path("a.MP3")) == "audio/mpeg"
    assert enclosure_type(Path("a.m4v")) == "video/x-m4v"
    with pytest.raises(UnsupportedMedia):
        enclosure_type(Path("a.wav"))


@pytest.mark.parametrize("kept", [1000, 0.5, 0.9])
def test_an_mp3_cut_short_after_its_header_is_caught(
    make_project: MakeProject, kept: float
) -> None:
    whole = (AUDIO / "vbr.mp3").read_bytes()
    cut = whole[: kept if isinstance(kept, int) else int(len(whole) * kept)]
    root = make_project({"media/cut.mp3": cut, "episodes/001-episode.md": episode(audio="cut.mp3")})
    problems = validate(root).problems
    assert [p.code for p in problems] == ["audio-truncated"]
    assert str(problems[0]) == (
        f"episodes/001-episode.md:4: error: audio: 'cut.mp3' is cut short: its header promises "
        f"7.9 s in {len(whole):,} bytes, but the file holds {len(cut):,} bytes (copy or export "
        "the file again; apps would stop part-way through)"
    )
    code, out, _ = run("inspect", str(root / "media" / "cut.mp3"))
    assert code == 0
    assert "estimated" in out and "TRUNCATED: the header promises" in out


@pytest.mark.parametrize("name", ["cbr.mp3", "vbr.mp3", "chapters.mp3"])
def test_whole_mp3s_with_a_header_are_not_called_truncated(name: str) -> None:
    assert not probe(AUDIO / name).truncated


@pytest.mark.parametrize(
    ("name", "channels"), [("tone.m4a", 1), ("stereo.m4a", 2), ("video.mp4", 1)]
)
def test_aac_channels_come_from_the_stream_not_the_container(name: str, channels: int) -> None:
    # both files' MP4 sample entries say 2 (ffmpeg writes that for any AAC)
    assert probe(AUDIO / name).channels == channels
    assert inspect_audio(AUDIO / name).channels == channels


def test_a_headerless_vbr_file_has_its_average_bitrate() -> None:
    with_header, without = probe(AUDIO / "vbr.mp3"), probe(AUDIO / "vbr-no-xing.mp3")
    assert abs(without.bitrate - with_header.bitrate) < 1000  # 26.6 kbit/s, not the first frame's
    assert inspect_audio(AUDIO / "vbr-no-xing.mp3").bitrate == without.bitrate
