"""Audio probing on real files made with lame and ffmpeg (see scripts/make_test_fixtures.sh)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from podcast_feed import validate
from podcast_feed.media import (
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


def test_m4a_renamed_to_mp3_is_unreadable(tmp_path: Path) -> None:
    shutil.copy(AUDIO / "tone.m4a", tmp_path / "wrong.mp3")
    with pytest.raises(UnreadableMedia):
        probe(tmp_path / "wrong.mp3")


def test_empty_file_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "empty.m4a").write_bytes(b"")
    with pytest.raises(UnreadableMedia):
        probe(tmp_path / "empty.m4a")


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
