"""Audio files: real duration, size and type, read with mutagen (the only module that knows it).

MP3s are read through `MPEGInfo` alone, which skips the ID3 tags (cover art can be megabytes);
other formats go through `mutagen.File`. mutagen is imported by the functions that read a file:
a rebuild that finds every file's facts in the cache reads none, and its 14 ms are spared.
"""

from __future__ import annotations

import errno
import functools
import mmap
import os
import shlex
import stat
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any, BinaryIO, cast

from .assets import MediaFiles, lfs_pointer_problem
from .cache import Cache, Job, remember
from .chapters import embedded_chapters
from .errors import PodcastFeedError, Problem
from .filetypes import ENCLOSURE_TYPES
from .models import Episode, MediaInfo
from .mp3 import continued, id3_chapters, scan_frames, syncsafe
from .podcasting import AlternateEnclosure


class UnreadableMedia(PodcastFeedError):
    """mutagen could not make sense of the file."""


UNREADABLE_FIX = "check that the file is complete; export it again as MP3 or M4A"
"""What to do about an `UnreadableMedia` that is not a `MisnamedMedia`."""


class MisnamedMedia(UnreadableMedia):
    """The file holds another format than its extension says: apps are told the extension's
    type, and fail to play it."""

    def __init__(self, holds: str, suffix: str | None) -> None:
        super().__init__(holds, suffix)  # its arguments: pickled into the cache, made again
        self.holds = holds
        """What the file is: "MP3 audio", "a WAV recording", "a web page"."""
        self.suffix = suffix
        """The extension Apple accepts that it should have; None for what Apple accepts none."""

    def __str__(self) -> str:
        return f"it holds {self.holds}, not what its extension says"

    def fix(self, path: PurePath) -> str:
        if self.suffix is not None:
            return f"rename it {path.stem}{self.suffix}, and write that name here"
        if self.holds == _WEB_PAGE:
            return "download it again: this is the page a server sent instead of the file"
        if self.holds == _TEXT:
            return (
                "copy or download the recording again: this is text, such as the message a "
                "server sends instead of a file it will not give"
            )
        converted = path.with_name(f"{path.stem}-128k.mp3")
        return (
            f"convert it to MP3, e.g. ffmpeg -i {path} -b:a 128k {converted}, or to AAC in an "
            f".m4a file: Apple does not take {self.holds}"
        )


_WEB_PAGE = "a web page or an error message"
_TEXT = "text"
_SIGNATURES: tuple[tuple[int, bytes, str, str | None], ...] = (
    (4, b"ftypM4A ", "AAC audio in an MP4 file", ".m4a"),
    (4, b"ftypM4B ", "AAC audio in an MP4 file", ".m4a"),
    (4, b"ftyp", "an MP4 file", ".mp4"),
    (0, b"ID3", "MP3 audio", ".mp3"),
    (0, b"fLaC", "FLAC audio", None),
    (0, b"OggS", "Ogg audio (Opus or Vorbis)", None),
    (8, b"WAVE", "a WAV recording", None),
    (8, b"AIFF", "an AIFF recording", None),
    (8, b"AIFC", "an AIFF recording", None),
)
"""Each format by the bytes it starts with at an offset (ISO 14496-12's ftyp box and its
brand, ID3v2, FLAC, Ogg, RIFF WAVE, IFF AIFF)."""


def _what_it_holds(path: Path) -> tuple[str, str | None] | None:
    """What a file that failed to read as its extension's format holds, from its first bytes;
    None if it is none of the formats above (damaged, or something else)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(64)
    except OSError:
        return None
    for offset, signature, holds, suffix in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return holds, suffix
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG frame's sync
        return "MP3 audio", ".mp3"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<?xml")):
        return _WEB_PAGE, None
    if _is_text(head):  # "Not Found", {"error": "AccessDenied"}, a note saved by mistake
        return _TEXT, None
    return None


def _is_text(head: bytes) -> bool:
    """Whether a file's first bytes are text: UTF-8 (a character cut at their end aside) of
    printable characters and line breaks, as no audio format starts."""
    for cut in range(4):  # the last character may be cut in the middle of its bytes
        try:
            text = head[: len(head) - cut].decode()
        except UnicodeDecodeError:
            continue
        return bool(text.strip()) and all(c.isprintable() or c in "\t\r\n" for c in text)
    return False


_CONTAINERS = {".mp3": "mp3", ".m4a": "mp4", ".mp4": "mp4", ".m4v": "mp4", ".mov": "mp4"}
"""Each enclosure extension's container: a damaged .m4v holding an MP4 is not misnamed."""


def _misnamed(path: Path) -> MisnamedMedia | None:
    """For a file that failed to read: the error if it holds another format than its name
    says; None if its name is right, its first bytes are no format known here, or its name
    is no enclosure's (a damaged .ogg holds Ogg audio)."""
    named = _CONTAINERS.get(path.suffix.lower())
    found = _what_it_holds(path) if named is not None else None
    if found is None:
        return None
    holds, suffix = found
    if suffix is not None and _CONTAINERS[suffix] == named:
        return None
    return MisnamedMedia(holds, suffix)


def _as_named(path: Path, media: Any) -> None:
    """Refuse what mutagen read (by content) when it is not the container the name says: an
    MP3 (or WAV...) named .m4a, an MP4 named .mp3."""
    from mutagen.mp4 import MP4

    if isinstance(media, MP4) != (_CONTAINERS.get(path.suffix.lower()) == "mp4"):
        raise MisnamedMedia(*(_what_it_holds(path) or (type(media).__name__, None)))


class UnsupportedMedia(PodcastFeedError):
    """The file's extension is not one Apple accepts in an enclosure."""

    def __init__(self, path: PurePath) -> None:
        super().__init__(path)  # its one argument: pickled into the cache, made again from it
        self.path = path

    def __str__(self) -> str:
        suffix = self.path.suffix
        return f"Apple does not accept {suffix} files" if suffix else "it has no extension"

    def fix(self, shown: str) -> str:
        """What to do with the file at `shown` (as the person knows it), with the command that
        does it where there is one."""
        if not self.path.suffix:
            return f"name it with its format's extension, one of {', '.join(ENCLOSURE_TYPES)}"
        converted = str(PurePath(shown).with_suffix(".mp3"))
        return (
            f"convert it to MP3, e.g. ffmpeg -i {shlex.quote(shown)} -b:a 128k "
            f"{shlex.quote(converted)}, or to AAC in an .m4a file"
        )


def enclosure_type(path: Path) -> str:
    """The enclosure MIME type for a file name.

    >>> enclosure_type(Path("Episode 1.M4A"))
    'audio/x-m4a'
    """
    try:
        return ENCLOSURE_TYPES[path.suffix.lower()]
    except KeyError:
        raise UnsupportedMedia(path) from None


def _refuse_empty(size: int) -> None:
    """A file a copy or export never filled is said to be empty, not "can't sync to MPEG
    frame" or "no audio stream found"."""
    if size == 0:
        raise UnreadableMedia("it is empty (0 bytes)")


def probe(path: Path) -> MediaInfo:
    """What the file itself says: size on disk, type, duration and stream details."""
    import mutagen
    from mutagen.mp3 import HeaderNotFoundError

    status = path.stat()  # first: a missing file is reported as missing, whatever its name
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if not stat.S_ISREG(status.st_mode):
        raise UnreadableMedia("not a regular file")  # a FIFO or device would never end
    _refuse_empty(status.st_size)
    mime_type = enclosure_type(path)
    if mime_type == "audio/mpeg":
        try:
            return _probe_mp3(path, status.st_size)
        except (mutagen.MutagenError, HeaderNotFoundError, ValueError, EOFError, OSError) as exc:
            raise _misnamed(path) or UnreadableMedia(str(exc) or type(exc).__name__) from exc
    media = _read(path)
    _as_named(path, media)
    return _media_info(media, path, status.st_size, mime_type)


def _read(path: Path) -> Any:
    """The file through `mutagen.File`: stream information and tags in one read; one it
    cannot read is told apart when it holds another format (`_misnamed`)."""
    import mutagen
    from mutagen.mp3 import HeaderNotFoundError

    try:
        media = mutagen.File(path)
    except (mutagen.MutagenError, HeaderNotFoundError, ValueError, EOFError, OSError) as exc:
        raise _misnamed(path) or UnreadableMedia(str(exc) or type(exc).__name__) from exc
    if media is None or media.info is None or not media.info.length:
        raise _misnamed(path) or UnreadableMedia("no audio stream found")
    return media


def _media_info(media: Any, path: Path, size: int, mime_type: str) -> MediaInfo:
    from mutagen.mp4 import MP4

    info = media.info
    chapters = tuple((float(c.start), str(c.title)) for c in getattr(media, "chapters", None) or ())
    channels = int(getattr(info, "channels", 0) or 0)
    if isinstance(media, MP4) and str(getattr(info, "codec", "")).startswith("mp4a"):
        channels = _aac_channels(path) or channels
    return MediaInfo(
        size=size,
        mime_type=mime_type,
        duration=float(info.length),
        index_at_end=isinstance(media, MP4) and _index_at_end(path),
        vbr_without_header=False,
        bitrate=int(getattr(info, "bitrate", 0) or 0),
        sample_rate=int(getattr(info, "sample_rate", 0) or 0),
        channels=channels,
        chapters=chapters,
        bitrate_mode=_mode_name(getattr(info, "bitrate_mode", None)),
    )


def _mode_name(mode: object) -> str:
    """mutagen's BitrateMode as a word: CBR, VBR, ABR; "" when the file does not say."""
    name = str(mode or "").rsplit(".", 1)[-1]
    return "" if name in ("", "UNKNOWN") else name


_BOX_HEADER = struct.Struct(">I4s")


def _index_at_end(path: Path) -> bool:
    """Whether an MP4's `moov` box (its index) comes after its `mdat` (the media), from the
    headers of its top-level boxes alone (ISO 14496-12 4.2)."""
    with path.open("rb") as stream:
        while len(header := stream.read(_BOX_HEADER.size)) == _BOX_HEADER.size:
            size, name = cast(tuple[int, bytes], _BOX_HEADER.unpack(header))
            if name in (b"moov", b"mdat"):
                return name == b"mdat"
            if size == 1:  # a 64-bit size follows the name
                large = stream.read(8)
                if len(large) < 8:
                    return False
                size = int.from_bytes(large) - 8
            if size < _BOX_HEADER.size:  # 0: to the end of the file; below 8: damaged
                return False
            stream.seek(size - _BOX_HEADER.size, os.SEEK_CUR)
    return False


def _aac_channels(path: Path) -> int | None:
    """The channel count an AAC stream's own configuration gives (ISO 14496-3 1.6.2.1).

    The MP4 sample entry says 2 for almost every AAC file, mono ones included, and mutagen
    falls back to it for mono; the `esds` box's AudioSpecificConfig has the real count. It is
    read from the sound track, as mutagen reads the rest: a video's first track is its picture.
    """
    import mutagen
    from mutagen.mp4._atom import Atoms

    with path.open("rb") as stream:
        try:
            for track in Atoms(stream)[b"moov"].findall(b"trak"):
                found, handler = track[b"mdia", b"hdlr"].read(stream)
                if found and handler[8:12] == b"soun":
                    break
            else:
                return None
            stsd = track[b"mdia", b"minf", b"stbl", b"stsd"]
            found, data = stsd.read(stream)
        except (mutagen.MutagenError, KeyError, EOFError, ValueError):
            return None
    start = data.find(b"esds") if found else -1
    if start < 0:
        return None
    position = start + 8  # the box name, then its version and flags
    try:
        for expected in (0x03, 0x04, 0x05):  # ES, decoder configuration, decoder-specific info
            if data[position] != expected:
                return None
            position += 1
            for _ in range(4):  # the length: 7 bits a byte, high bit set while more follow
                position += 1
                if not data[position - 1] & 0x80:
                    break
            if expected == 0x03:
                flags = data[position + 2]
                position += 3
                position += 2 if flags & 0x80 else 0  # depends on another stream
                position += 1 + data[position] if flags & 0x40 else 0  # a URL
                position += 2 if flags & 0x20 else 0  # an OCR stream
            elif expected == 0x04:
                position += 13
    except IndexError:
        return None
    config = data[position : position + 5]
    if len(config) < 2 or config[0] >> 3 == 31:  # an escaped object type: too rare to read
        return None
    frequency_index = ((config[0] & 0x07) << 1) | (config[1] >> 7)
    if frequency_index == 15:  # an explicit 24-bit frequency comes first
        if len(config) < 5:
            return None
        channel_configuration = (config[4] >> 3) & 0x0F
    else:
        channel_configuration = (config[1] >> 3) & 0x0F
    return {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8}.get(channel_configuration)


def read_title(path: Path) -> str | None:
    """The title tag (ID3 TIT2, MP4 ©nam...), if the file has one."""
    import mutagen

    _refuse_empty(path.stat().st_size)
    try:
        media = mutagen.File(path, easy=True)
    except (mutagen.MutagenError, ValueError, EOFError, OSError) as exc:
        raise _misnamed(path) or UnreadableMedia(str(exc) or type(exc).__name__) from exc
    if media is None:
        raise _misnamed(path) or UnreadableMedia("not an audio file mutagen knows")
    _as_named(path, media)
    titles = (media.tags or {}).get("title") or []
    return str(titles[0]).strip() or None if titles else None


@dataclass(frozen=True)
class AudioReport:
    """Everything `podcast-feed inspect` shows about one file."""

    file: str
    format: str
    mime_type: str | None
    duration: float
    duration_exact: bool
    bitrate: int
    bitrate_mode: str
    sample_rate: int
    channels: int
    size: int
    tags: dict[str, list[str]]
    chapters: list[tuple[float, str]]
    artwork: list[str]
    index_at_end: bool = False


def inspect_audio(path: Path) -> AudioReport:
    """`probe`'s view of a file, with what it leaves out (tags, artwork); formats Apple does
    not accept are shown too. Each file is read once: an MP3's tag apart from its stream."""
    import mutagen
    from mutagen.id3 import ID3

    size = path.stat().st_size  # a missing file is an OSError, not a mutagen error
    _refuse_empty(size)
    try:
        mime_type: str | None = enclosure_type(path)
    except UnsupportedMedia:
        mime_type = None
    if mime_type == "audio/mpeg":
        measured, file_format = probe(path), "MP3"
        try:
            tags: Any = ID3(path)  # type: ignore[no-untyped-call]
        except (mutagen.MutagenError, ValueError, EOFError):
            tags = {}
    else:
        media = _read(path)
        if mime_type is not None:  # as `probe` refuses it
            _as_named(path, media)
        measured = _media_info(media, path, size, mime_type or "")
        file_format, tags = type(media).__name__, media.tags
    mode = measured.bitrate_mode or "not stated"
    if measured.promised_bytes is not None:
        mode += (
            f"; TRUNCATED: the header promises {measured.promised_bytes:,} bytes of audio, "
            f"the file holds {measured.size:,}"
        )
    elif measured.vbr_without_header:
        mode = "VBR (no Xing/VBRI header; duration counted frame by frame)"
    elif file_format == "MP3" and not measured.bitrate_mode:
        mode = "CBR (no Xing/Info header; constant bitrate measured)"
    found_tags: dict[str, list[str]] = {}
    artwork: list[str] = []
    for key, value in (tags or {}).items():
        values = value if isinstance(value, list) else [value]
        if str(key).startswith(("APIC", "covr")) or key == "METADATA_BLOCK_PICTURE":
            artwork += [_describe_picture(v) for v in values]
        elif not str(key).startswith(("CHAP", "CTOC")):
            found_tags[str(key)] = [_short_text(v) for v in values]
    return AudioReport(
        file=str(path),
        format=file_format,
        mime_type=mime_type,
        duration=measured.duration,
        duration_exact=not measured.truncated,
        bitrate=measured.bitrate,
        bitrate_mode=mode,
        sample_rate=measured.sample_rate,
        channels=measured.channels,
        size=size,
        tags=dict(sorted(found_tags.items())),
        chapters=list(measured.chapters),
        artwork=artwork,
        index_at_end=measured.index_at_end,
    )


def _describe_picture(picture: Any) -> str:
    """ID3 APIC frames carry .data and .mime; MP4 covr values are the bytes themselves."""
    data = bytes(getattr(picture, "data", picture))
    mime = getattr(picture, "mime", None) or (
        "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
    )
    return f"{mime}, {len(data)} bytes"


def _short_text(value: object) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def _probe_mp3(path: Path, size: int) -> MediaInfo:
    from mutagen.mp3 import BitrateMode, HeaderNotFoundError, MPEGInfo

    with path.open("rb") as stream:
        try:
            info = MPEGInfo(stream)
        except HeaderNotFoundError:
            if _free_format(stream):
                raise UnreadableMedia(
                    "it is a free-format MP3 (its frames state no bitrate), which many players "
                    "cannot play; ffmpeg cannot read it either"
                ) from None
            raise
        if info.sketchy or not info.length:
            raise UnreadableMedia("no valid MPEG audio frames found")
        duration = float(info.length)
        bitrate = int(info.bitrate)
        vbr_without_header = False
        # Without a Xing/VBRI header mutagen guesses the length from the first frame's
        # bitrate: right for CBR, off by minutes for VBR, where we count every frame instead.
        if info.bitrate_mode is BitrateMode.UNKNOWN:
            with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
                start = scan_frames(data, info.frame_offset, 400)
                vbr_without_header = start.varying_bitrate
                if vbr_without_header:
                    duration = continued(start, data).duration
        if vbr_without_header and duration:
            # mutagen's bitrate is the first frame's: the average is what the file holds
            bitrate = round((size - info.frame_offset) * 8 / duration)
        promised = _header_bytes(stream, info.frame_offset)
        chapters = _id3_chapters(stream, path)
    # some old encoders count the ID3 tag too: a file at least as big as promised is whole
    cut_short = (
        promised is not None and size - info.frame_offset < promised * _COMPLETE and size < promised
    )
    return MediaInfo(
        size=size,
        mime_type="audio/mpeg",
        duration=duration,
        vbr_without_header=vbr_without_header,
        bitrate=bitrate,
        sample_rate=int(info.sample_rate),
        channels=int(info.channels),
        chapters=chapters,
        promised_bytes=promised if cut_short else None,
        bitrate_mode="VBR" if vbr_without_header else _mode_name(info.bitrate_mode),
    )


def _free_format(stream: BinaryIO) -> bool:
    """Whether the audio after the ID3 tag starts with free-format frames, which mutagen (and
    ffmpeg) cannot read."""
    stream.seek(0)
    head = stream.read(10)
    start = 10 + syncsafe(head[6:10]) if len(head) == 10 and head[:3] == b"ID3" else 0
    stream.seek(start)
    data = stream.read(64 * 1024)
    return scan_frames(data, 0, 3).free_format


_COMPLETE = 0.98
"""The share of the bytes a Xing/VBRI header promises that a whole file holds at least
(encoders round; a copy cut short holds far less)."""


def _header_bytes(stream: BinaryIO, first_frame: int) -> int | None:
    """The audio bytes the first frame's Xing or VBRI header says the file holds, if it says.

    A file cut short keeps its header: without this check its duration would be the header's
    promise, and apps would stop part-way through what the feed announced."""
    from mutagen.mp3 import HeaderNotFoundError, MPEGFrame
    from mutagen.mp3._util import VBRIHeader, VBRIHeaderError, XingHeader, XingHeaderError

    stream.seek(first_frame)
    try:
        frame = MPEGFrame(stream)  # type: ignore[no-untyped-call]
    except (HeaderNotFoundError, EOFError):
        return None
    readers: tuple[tuple[Any, type[Exception]], ...] = (
        (XingHeader, XingHeaderError),
        (VBRIHeader, VBRIHeaderError),
    )
    for header, failure in readers:
        stream.seek(first_frame + header.get_offset(frame))
        try:
            found = header(stream)
        except (failure, EOFError):
            continue
        return int(found.bytes) if found.bytes > 0 else None
    return None


def _id3_chapters(stream: BinaryIO, path: Path) -> tuple[tuple[float, str], ...]:
    """CHAP frames, read from the ID3 tag's bytes directly when they contain one; mutagen parses
    the whole tag (cover art included) only for tags the direct reader leaves to it."""
    import mutagen
    from mutagen.id3 import ID3

    stream.seek(0)
    header = stream.read(10)
    if len(header) < 10 or header[:3] != b"ID3":
        return ()
    tag = header + stream.read(syncsafe(header[6:10]))
    if b"CHAP" not in tag:
        return ()
    chapters = id3_chapters(tag)
    if chapters is not None:
        return chapters
    try:
        frames = ID3(path).getall("CHAP")  # type: ignore[no-untyped-call]
    except (mutagen.MutagenError, ValueError, EOFError):
        return ()
    return tuple(
        sorted((frame.start_time / 1000, str(frame.sub_frames.get("TIT2", ""))) for frame in frames)
    )


def audio_jobs(episodes: Sequence[Episode], media_dir: Path) -> list[Job]:
    """Probing the audio files of these episodes (drafts aside), for `Cache.prefetch` to run
    on every core at once: `with_media` then finds them remembered. An MP3 without a Xing or
    VBRI header is read frame by frame (~0.6 ms for 12 seconds of audio, and in proportion to
    its length)."""
    names = {
        name
        for episode in episodes
        if not episode.draft
        for name in (episode.audio, *(a.audio for a in episode.meta.alternate_enclosures))
    }
    paths = [media_dir / name for name in sorted(names)]
    return [Job("audio", path, functools.partial(probe, path)) for path in paths]


def with_media(
    episodes: Sequence[Episode],
    media_dir: Path,
    shown_as: str = "media",
    cache: Cache | None = None,
    available: MediaFiles | None = None,
) -> tuple[list[Episode], list[Problem]]:
    """Each episode with its probed audio (or what `cache` remembers of it); drafts are left
    unprobed (their audio may not exist). `available` is the listing of media/ the build
    made, which a missing file's suggestion comes from (else it is listed then).

    An episode whose audio cannot be used is dropped from the list and reported (with its
    alternate enclosures' problems: all of them at once).
    """
    probed: list[Episode] = []
    problems: list[Problem] = []
    for episode in episodes:
        if episode.meta.draft:
            probed.append(episode)
            continue
        audio = episode.meta.audio
        path = media_dir / audio
        alternates, found = _probe_alternates(episode, media_dir, cache, available)  # always
        problems += found
        try:
            info = remember(cache, "audio", path, functools.partial(probe, path))
        except UnsupportedMedia as exc:
            problems.append(
                episode.error(
                    "audio-unsupported-type",
                    "audio",
                    f"{audio!r}: {exc}",
                    exc.fix(f"{shown_as}/{audio}"),
                )
            )
        except FileNotFoundError:
            problems.append(
                episode.error(
                    "audio-missing",
                    "audio",
                    f"{audio!r} is not in {shown_as}/",
                    MediaFiles.listed(media_dir, available).missing_fix(
                        audio, f"add the file to {shown_as}/", ENCLOSURE_TYPES
                    ),
                )
            )
        except IsADirectoryError:
            problems.append(
                episode.error(
                    "audio-missing",
                    "audio",
                    f"{audio!r} is a folder, not a file",
                    "name the audio file itself",
                )
            )
        except OSError as exc:
            problems.append(
                episode.error(
                    "audio-unreadable",
                    "audio",
                    f"{audio!r} cannot be read: {exc.strerror}",
                    "check the file's permissions",
                )
            )
        except MisnamedMedia as exc:
            problems.append(
                lfs_pointer_problem(episode, "audio", path, audio)  # text: the pointer's
                or episode.error(
                    "audio-misnamed",
                    "audio",
                    f"{audio!r} holds {exc.holds}, not what its extension says: apps are told "
                    f"{enclosure_type(path)} and fail to play it",
                    exc.fix(PurePath(shown_as) / audio),
                )
            )
        except UnreadableMedia as exc:
            problems.append(
                lfs_pointer_problem(episode, "audio", path, audio)
                or episode.error(
                    "audio-unreadable",
                    "audio",
                    f"{audio!r} cannot be read as audio: {exc}",
                    UNREADABLE_FIX,
                )
            )
        else:
            if info.promised_bytes is not None:
                problems.append(
                    episode.error(
                        "audio-truncated",
                        "audio",
                        f"{audio!r} is cut short: its header promises {info.duration:.1f} s in "
                        f"{info.promised_bytes:,} bytes, but the file holds {info.size:,} bytes",
                        "copy or export the file again; apps would stop part-way through",
                    )
                )
                continue
            chapters = episode.chapters or (
                embedded_chapters(info.chapters) if info.chapters else ()
            )
            probed.append(replace(episode, media=info, alternates=alternates, chapters=chapters))
    return probed, problems


def _probe_alternates(
    episode: Episode, media_dir: Path, cache: Cache | None, available: MediaFiles | None
) -> tuple[tuple[tuple[AlternateEnclosure, MediaInfo], ...], list[Problem]]:
    alternates = []
    problems = []
    for position, alternate in enumerate(episode.meta.alternate_enclosures):
        field = f"{episode.meta.item_field('alternate_enclosures', position)}.audio"
        try:
            path = media_dir / alternate.audio
            alternates.append(
                (alternate, remember(cache, "audio", path, functools.partial(probe, path)))
            )
        except (UnsupportedMedia, UnreadableMedia, OSError) as exc:
            missing = isinstance(exc, FileNotFoundError)
            fix = (
                exc.fix(PurePath("media") / alternate.audio)
                if isinstance(exc, MisnamedMedia)
                else "add the file or remove the entry"
            )
            pointer = isinstance(exc, UnreadableMedia) and lfs_pointer_problem(
                episode, field, path, alternate.audio
            )
            problems.append(
                pointer
                or episode.error(
                    "alternate-enclosure-unusable",
                    field,
                    f"{alternate.audio!r} "
                    + ("is not in media/" if missing else f"cannot be used: {exc}"),
                    MediaFiles.listed(media_dir, available).missing_fix(
                        alternate.audio, fix, ENCLOSURE_TYPES
                    )
                    if missing
                    else fix,
                )
            )
    return tuple(alternates), problems
