# mypy: disable-error-code="no-untyped-call"
# (mutagen's frame classes have no type hints)
"""The direct MP3 reader (frame headers, ID3 chapters) against outside judges: ffprobe's frame
count, lame's decoder, and mutagen's own frame and tag parsers."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, TIT3, CTOCFlags, Frame
from mutagen.mp3 import HeaderNotFoundError, MPEGFrame, MPEGInfo

from podcast_feed.media import UnreadableMedia, probe
from podcast_feed.mp3 import continued, id3_chapters, scan_frames

from .conftest import FIXTURES, needed_tool

AUDIO = FIXTURES / "audio"
WITHOUT_XING = [
    "cbr.mp3",
    "mpeg2-cbr-no-xing.mp3",
    "vbr-no-xing.mp3",
    "mpeg2-vbr-no-xing.mp3",
    "mpeg25-vbr-no-xing.mp3",
]
VARYING = {"vbr-no-xing.mp3", "mpeg2-vbr-no-xing.mp3", "mpeg25-vbr-no-xing.mp3"}


def ffprobe_frames(path: Path) -> int | None:
    """Frames ffmpeg's decoder reads; None when it cannot read the file."""
    result = subprocess.run(
        [
            *(needed_tool("ffprobe"), "-v", "error", "-count_frames", "-select_streams", "a:0"),
            *("-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    count = result.stdout.strip().rstrip(",")
    return int(count) if result.returncode == 0 and count.isdigit() else None


def mutagen_frames(path: Path) -> tuple[int, set[int]]:
    """The frames mutagen's own frame parser walks, and their bitrates in kbit/s."""
    with path.open("rb") as stream:
        stream.seek(MPEGInfo(stream).frame_offset)
        count, bitrates = 0, set[int]()
        while True:
            try:
                frame = MPEGFrame(stream)
            except (HeaderNotFoundError, EOFError):
                return count, bitrates
            count += 1
            bitrates.add(frame.bitrate // 1000)


def first_frame(path: Path) -> int:
    with path.open("rb") as stream:
        return int(MPEGInfo(stream).frame_offset)


@pytest.mark.parametrize("name", WITHOUT_XING)
def test_the_frame_count_is_ffprobes(name: str) -> None:
    path = AUDIO / name
    scan = scan_frames(path.read_bytes(), first_frame(path))
    assert scan.frames == ffprobe_frames(path)
    assert scan.end == path.stat().st_size  # every byte is a frame: nothing skipped


@pytest.mark.parametrize("name", WITHOUT_XING)
def test_frames_and_bitrates_agree_with_mutagens_parser(name: str) -> None:
    path = AUDIO / name
    scan = scan_frames(path.read_bytes(), first_frame(path))
    count, bitrates = mutagen_frames(path)
    assert (scan.frames, set(scan.bitrates_kbps)) == (count, bitrates)
    assert scan.varying_bitrate is (name in VARYING)


@pytest.mark.parametrize("name", ["mpeg2-vbr-no-xing.mp3", "mpeg25-vbr-no-xing.mp3"])
def test_mpeg2_and_25_durations_are_measured_by_frames(name: str) -> None:
    path = AUDIO / name
    info = probe(path)
    frames = ffprobe_frames(path)
    assert frames is not None
    assert info.vbr_without_header
    sample_rate = 22050 if name.startswith("mpeg2-") else 8000
    assert info.sample_rate == sample_rate
    assert info.duration == pytest.approx(frames * 576 / sample_rate)


def test_a_frame_cut_by_the_end_of_the_file_is_not_counted(tmp_path: Path) -> None:
    whole = (AUDIO / "mpeg2-vbr-no-xing.mp3").read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[:9000])
    scan = scan_frames(cut.read_bytes(), first_frame(cut))
    ffprobe_count = ffprobe_frames(cut)
    assert ffprobe_count is not None
    assert scan.end < 9000  # the last frame does not fit...
    assert scan.frames == ffprobe_count - 1  # ...ffmpeg decodes what there is of it; we skip it


def test_a_limit_stops_the_walk() -> None:
    path = AUDIO / "vbr-no-xing.mp3"
    assert scan_frames(path.read_bytes(), first_frame(path), limit=10).frames == 10


def test_free_format_frames_are_walked_and_the_file_refused(tmp_path: Path) -> None:
    path = AUDIO / "free-format.mp3"
    scan = scan_frames(path.read_bytes(), 0)
    assert scan.free_format and scan.end == path.stat().st_size
    decoded = tmp_path / "decoded.wav"
    subprocess.run(
        [needed_tool("lame"), "--quiet", "--decode", str(path), str(decoded)], check=True
    )
    with wave.open(str(decoded)) as samples:
        # lame's decoder drops its 529-sample delay from the frames' 576 samples each
        assert samples.getnframes() == scan.frames * 576 - 529
    assert ffprobe_frames(path) is None  # ffmpeg cannot read free format: nor can many apps
    with pytest.raises(UnreadableMedia, match="free-format"):
        probe(path)


def test_not_audio_has_no_frames() -> None:
    assert scan_frames((AUDIO / "not-audio.mp3").read_bytes(), 0).frames == 0


def _tag_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    size = sum((byte & 0x7F) << (7 * (3 - index)) for index, byte in enumerate(data[6:10]))
    return data[: 10 + size]


def _mutagen_chapters(path: Path) -> tuple[tuple[float, str], ...]:
    frames = ID3(path).getall("CHAP")
    return tuple(sorted((f.start_time / 1000, str(f.sub_frames.get("TIT2", ""))) for f in frames))


def _retagged(tmp_path: Path, version: int, encoding: int) -> Path:
    """chapters.mp3's audio with a new tag: chapters titled in `encoding`, and cover art."""
    path = tmp_path / f"v2{version}-{encoding}.mp3"
    shutil.copy(AUDIO / "cbr.mp3", path)
    tag = ID3()
    tag.add(APIC(encoding=3, mime="image/jpeg", type=3, data=(FIXTURES / "cover.jpg").read_bytes()))
    titles = ["Überblick", "Café", "Schluß"] if encoding == 0 else ["Überblick", "Дальше", "終わり"]
    for number, title in enumerate(titles):
        sub = [TIT2(encoding=encoding, text=[title])]
        tag.add(
            CHAP(
                element_id=f"c{number}",
                start_time=number * 900,
                end_time=number * 900 + 900,
                sub_frames=sub,
            )
        )
    tag.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=["c0", "c1", "c2"],
            sub_frames=[],
        )
    )
    tag.save(path, v2_version=version)
    return path


@pytest.mark.parametrize("version", [3, 4])
@pytest.mark.parametrize("encoding", [1, 3])  # UTF-16 with a byte-order mark, UTF-8
def test_id3_chapters_are_mutagens_without_a_full_parse(
    tmp_path: Path, version: int, encoding: int
) -> None:
    if version == 3 and encoding == 3:
        encoding = 0  # ID3v2.3 has no UTF-8: Latin-1 instead, with a title it can hold
    path = _retagged(tmp_path, version, encoding)
    direct = id3_chapters(_tag_bytes(path))
    assert direct is not None
    assert direct == _mutagen_chapters(path)
    assert probe(path).chapters == direct


def test_the_fixtures_chapters_read_directly() -> None:
    path = AUDIO / "chapters.mp3"
    assert id3_chapters(_tag_bytes(path)) == _mutagen_chapters(path) != ()


def test_an_unsynchronised_tag_is_left_to_mutagen(tmp_path: Path) -> None:
    path = _retagged(tmp_path, 4, 3)
    data = bytearray(path.read_bytes())
    data[5] |= 0x80  # the tag says it is unsynchronised (none of its bytes needed it)
    path.write_bytes(bytes(data))
    assert id3_chapters(_tag_bytes(path)) is None
    assert probe(path).chapters == _mutagen_chapters(path) != ()


@pytest.mark.parametrize("name", sorted(VARYING))
def test_a_walk_carried_on_counts_as_one_walk(name: str) -> None:
    data = (AUDIO / name).read_bytes()
    whole = scan_frames(data, first_frame(AUDIO / name))
    assert continued(scan_frames(data, first_frame(AUDIO / name), 10), data) == whole


_TITLES = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\0"),
    max_size=30,
)
"""Chapter titles: any text but NUL (ID3's terminator, which a title never keeps: see
`chapters.embedded_chapters`) and lone surrogates (which no encoding holds)."""


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    version=st.sampled_from([3, 4]),
    encoding=st.sampled_from([0, 1, 2, 3]),
    chapters=st.lists(
        st.tuples(st.integers(0, 2**32 - 1), _TITLES, st.booleans(), st.booleans()), max_size=6
    ),
)
def test_any_chapters_read_directly_are_mutagens(
    tmp_path: Path, version: int, encoding: int, chapters: list[tuple[int, str, bool, bool]]
) -> None:
    """Whatever the tag holds (any titles, in any of ID3's text encodings, none, or beside
    other sub-frames), the direct reader gives mutagen's chapters or leaves them to it."""
    if version == 3:
        encoding = min(encoding, 1)  # ID3v2.3 has Latin-1 and UTF-16 only
    tag = ID3()
    for number, (start, title, titled, more) in enumerate(chapters):
        if encoding == 0:
            title = title.encode("latin-1", "replace").decode("latin-1")
        sub: list[Frame] = [TIT2(encoding=encoding, text=[title])] if titled else []
        if more:
            sub.append(TIT3(encoding=encoding, text=["a subtitle"]))
        tag.add(CHAP(element_id=f"c{number}", start_time=start, end_time=start, sub_frames=sub))
    path = tmp_path / f"tagged-{version}-{encoding}.mp3"
    shutil.copy(AUDIO / "cbr.mp3", path)
    tag.save(path, v2_version=version)
    direct = id3_chapters(_tag_bytes(path))
    assert direct is None or direct == _mutagen_chapters(path)
