"""MP3 files read directly where mutagen would be slow: frame headers and ID3 chapters.

An MP3 without a Xing/VBRI header says nothing about its length: the only way to know it, and
to know whether its bitrate varies, is to walk its frames (ISO 11172-3 2.4.2.3, ISO 13818-3).
mutagen can, but builds an object per frame; this walks the 4-byte headers with one table
lookup each (of the stream's kinds of frame, by two of the header's bytes), ten to twenty
times faster. Chapters (ID3v2 CHAP frames) are read from the tag's bytes without parsing the
rest of the tag (cover art can be megabytes); a tag this reader does not handle (ID3v2.2,
unsynchronised, compressed) is left to mutagen.
"""

from __future__ import annotations

import functools
import mmap
from dataclasses import dataclass

_BITRATES_KBPS = {
    # (MPEG-1?, layer): bitrate index 1-14
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
"""By the header's version bits: 3 is MPEG-1, 2 is MPEG-2, 0 is MPEG-2.5 (1 is reserved)."""
_SYNC = 0x7FF


@dataclass(frozen=True)
class _Kind:
    """What 12 header bits (version, layer, protection, bitrate, sample rate, padding) mean."""

    length: int
    """Bytes in the frame; 0 for free format, whose length only the next frame tells."""
    samples: int
    sample_rate: int
    bitrate_kbps: int
    padding: int
    slot: int
    """Bytes per padding slot (4 in layer I)."""


@functools.cache
def _kinds() -> dict[int, _Kind]:
    """Every valid combination of the 12 bits, worked out once, when first needed (~10 ms:
    a build whose audio is all in the cache never is)."""
    kinds = {}
    for bits in range(1 << 12):
        version, layer_bits = bits >> 10, (bits >> 8) & 3
        bitrate_index, rate_index, padding = (bits >> 3) & 15, (bits >> 1) & 3, bits & 1
        if version == 1 or layer_bits == 0 or bitrate_index == 15 or rate_index == 3:
            continue
        layer, mpeg1 = 4 - layer_bits, version == 3
        sample_rate = _SAMPLE_RATES[version][rate_index]
        samples = 384 if layer == 1 else 1152 if layer == 2 or mpeg1 else 576
        slot = 4 if layer == 1 else 1
        kbps = _BITRATES_KBPS[(mpeg1, layer)][bitrate_index - 1] if bitrate_index else 0
        length = (samples // 8 * kbps * 1000 // sample_rate + padding) * slot if kbps else 0
        kinds[bits] = _Kind(length, samples, sample_rate, kbps, padding, slot)
    return kinds


_STREAM_BITS = 0xFFFE0C00
"""Sync, version, layer and sample rate: the header bits every frame of a stream shares."""


@dataclass(frozen=True)
class FrameScan:
    """What walking a stream's frame headers found."""

    frames: int
    samples: int
    sample_rate: int
    bitrates_kbps: frozenset[int]
    """The bitrates of the frames walked; 0 stands for free format."""
    end: int
    """Where the last whole frame ends: the start of a tag, junk, or the end of the file."""

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    @property
    def varying_bitrate(self) -> bool:
        return len(self.bitrates_kbps) > 1

    @property
    def free_format(self) -> bool:
        return 0 in self.bitrates_kbps


def scan_frames(data: bytes | mmap.mmap, start: int, limit: int | None = None) -> FrameScan:
    """Walk the frames of `data` (the file's bytes or an mmap of them) from `start`, the first
    frame, until something that is not a frame of the same stream, a frame cut short by the end
    of the file, or `limit` frames."""
    end = len(data)
    most = end if limit is None else limit  # (a frame is more than a byte)
    if most <= 0 or start + 4 > end:
        return FrameScan(0, 0, 0, frozenset(), start)
    first = int.from_bytes(data[start : start + 4], "big")
    kind = _kinds().get((first >> 9) & 0xFFF)
    if first >> 21 != _SYNC or kind is None:
        return FrameScan(0, 0, 0, frozenset(), start)
    stream_bits = first & _STREAM_BITS
    # every frame of a stream has the same samples and sample rate (its version and layer)
    samples, sample_rate = kind.samples, kind.sample_rate
    stream = _stream_kinds(stream_bits)
    frames = free_length = 0
    bitrates: set[int] = set()
    position = start
    while position + 4 <= end and frames < most:  # per frame: a byte, a lookup, a sum
        if data[position] != 0xFF:
            break
        kind = stream.get(data[position + 1] << 8 | data[position + 2])
        if kind is None:
            break
        length = kind.length
        if not length:
            free_length = free_length or _free_format_length(data, position, stream_bits)
            if not free_length:
                break
            length = free_length + kind.padding * kind.slot
        if position + length > end:
            break
        frames += 1
        bitrates.add(kind.bitrate_kbps)
        position += length
    return FrameScan(frames, frames * samples, sample_rate, frozenset(bitrates), position)


@functools.cache
def _stream_kinds(stream_bits: int) -> dict[int, _Kind]:
    """The kinds of frame of one stream (sync, version, layer and sample rate as in
    `stream_bits`), by a header's second and third bytes (with the private bit either way): a
    frame of the stream is then its first byte and one lookup, no 4-byte slice."""
    found = {}
    for bits, kind in _kinds().items():
        for private in (0, 1):
            key = 0xE000 | bits << 1 | private
            if (0xFF000000 | key << 8) & _STREAM_BITS == stream_bits:
                found[key] = kind
    return found


def continued(scan: FrameScan, data: bytes | mmap.mmap) -> FrameScan:
    """`scan` carried on to the end of the stream: the frames after its last one added."""
    rest = scan_frames(data, scan.end)
    return FrameScan(
        scan.frames + rest.frames,
        scan.samples + rest.samples,
        scan.sample_rate or rest.sample_rate,
        scan.bitrates_kbps | rest.bitrates_kbps,
        rest.end,
    )


def _free_format_length(data: bytes | mmap.mmap, position: int, stream_bits: int) -> int:
    """A free-format frame's length without padding: the distance to the next header of the
    same stream (the standard fixes it for the whole stream)."""
    search = position + 4
    while (found := data.find(b"\xff", search)) >= 0 and found + 4 <= len(data):
        header = int.from_bytes(data[found : found + 4], "big")
        if header & _STREAM_BITS == stream_bits and not (header >> 12) & 15:
            return found - position - ((data[position + 2] >> 1) & 1)
        search = found + 1
    return 0


def id3_chapters(tag: bytes) -> tuple[tuple[float, str], ...] | None:
    """(start in seconds, title) of each CHAP frame in an ID3v2.3/2.4 tag (its header and body),
    sorted; None when the tag uses a feature this reader leaves to mutagen."""
    major, flags = tag[3], tag[5]
    if major not in (3, 4) or flags & 0xC0:  # unsynchronisation or an extended header
        return None
    chapters = []
    position, end = 10, len(tag)
    while position + 10 <= end and tag[position] != 0:  # zero bytes: the padding
        frame_id = tag[position : position + 4]
        size = _frame_size(tag[position + 4 : position + 8], major)
        body = tag[position + 10 : position + 10 + size]
        if frame_id == b"CHAP":
            if tag[position + 9] or len(body) < size:  # compressed, encrypted, cut short
                return None
            chapter = _chapter(body, major)
            if chapter is None:
                return None
            chapters.append(chapter)
        position += 10 + size
    return tuple(sorted(chapters))


def syncsafe(size: bytes) -> int:
    """An ID3v2 tag's size, or an ID3v2.4 frame's: 7 bits a byte, so no byte looks like sync."""
    return (size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3]


def _frame_size(size: bytes, major: int) -> int:
    return syncsafe(size) if major == 4 else int.from_bytes(size, "big")


def _chapter(body: bytes, major: int) -> tuple[float, str] | None:
    """A CHAP frame's body: element id, four 32-bit times and offsets, then sub-frames."""
    id_end = body.find(b"\0")
    if id_end < 0 or id_end + 17 > len(body):
        return None
    start_ms = int.from_bytes(body[id_end + 1 : id_end + 5], "big")
    title = ""
    position = id_end + 17
    while position + 10 <= len(body) and body[position] != 0:
        size = _frame_size(body[position + 4 : position + 8], major)
        if body[position : position + 4] == b"TIT2":
            if body[position + 9]:
                return None
            title = _text(body[position + 10 : position + 10 + size])
        position += 10 + size
    return start_ms / 1000, title


_ENCODINGS = {0: "latin-1", 1: "utf-16", 2: "utf-16-be", 3: "utf-8"}


def _text(frame: bytes) -> str:
    """A text frame's value: an encoding byte, then the text, perhaps with a terminator."""
    if not frame or frame[0] not in _ENCODINGS:
        return ""
    terminator = b"\0\0" if frame[0] in (1, 2) else b"\0"
    text = frame[1:]
    while text.endswith(terminator) and (len(text) - len(terminator)) % len(terminator) == 0:
        text = text[: -len(terminator)]
    return text.decode(_ENCODINGS[frame[0]], errors="replace")
