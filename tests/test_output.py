"""A big build's files are created by a second process while the build renders the next
(output.py, staging.py): the same bytes and modes as created by the build itself, and a file
that process cannot write fails the build as one written here would, by name, with nothing
renamed into place. A file in pieces may take some from the file it replaces (the feed's
unchanged items), copied by the system."""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from podcast_feed import output, staging
from podcast_feed.build import build
from podcast_feed.errors import Interrupted
from podcast_feed.output import STAGING_PREFIX, CannotWrite, Copied
from podcast_feed.staging import HEADER

from .conftest import REPO, snapshot


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "sample"
    root.mkdir()
    for name in ("podcast.yaml", "episodes", "media"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, root / name)
    return root


def _modes(folder: Path) -> set[int]:
    return {stat.S_IMODE(path.stat().st_mode) for path in folder.rglob("*") if path.is_file()}


def test_files_created_by_the_second_process_are_the_files_created_here(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "_WRITER_FROM", 10**9)  # all here
    build(sample, sample / "here")
    monkeypatch.setattr(output, "_WRITER_FROM", 1)  # all but the first in the second process
    build(sample, sample / "there")
    here, there = snapshot(sample / "here"), snapshot(sample / "there")
    assert len(there) > 5 and there == here
    assert _modes(sample / "there") == _modes(sample / "here") == {0o644}
    assert not list((sample / "there").glob(f"{STAGING_PREFIX}*"))


@pytest.mark.parametrize("writer_from", [1, 10**9], ids=["second-process", "here"])
def test_a_file_too_large_to_write_fails_the_build_and_renames_nothing(
    sample: Path, monkeypatch: pytest.MonkeyPatch, writer_from: int
) -> None:
    monkeypatch.setattr(output, "_WRITER_FROM", writer_from)
    public = sample / "public"
    build(sample, public)
    before = snapshot(public)
    notes = sample / "episodes" / "001-what-is-product-ops.md"
    notes.write_text(notes.read_text() + "\nOne more line of notes.\n")
    # the feed (written last, so by the second process) outgrows the limit; no page does
    limit = max(len(data) for name, data in before.items() if name != "feed.xml") + 100
    assert len(before["feed.xml"]) > limit
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))  # the second process too
    try:
        with pytest.raises(CannotWrite) as failure:
            build(sample, public)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(failure.value) == f"cannot write {public / 'feed.xml'}: File too large"
    assert snapshot(public) == before  # not even the pages before the feed were replaced
    assert not list(public.glob(f"{STAGING_PREFIX}*"))


def test_a_first_build_that_fails_leaves_no_folder_the_second_process_made(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second process makes the folders of new pages before they are renamed in: a
    failed build must not leave them behind, nor the output folder it made."""
    monkeypatch.setattr(output, "_WRITER_FROM", 1)
    public = sample / "public"
    build(sample, sample / "reference")
    pages = snapshot(sample / "reference")
    limit = max(len(data) for name, data in pages.items() if name != "feed.xml") + 100
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        with pytest.raises(CannotWrite, match=r"feed\.xml: File too large"):
            build(sample, public)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert not public.exists()
    build(sample, public)  # and then it builds as it would have
    assert snapshot(public) == pages


def test_a_first_file_that_fails_half_written_leaves_nothing(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first file staged fails part-way (here, in this process): neither it, nor the
    staging folder, nor the output folder the build made is left."""
    monkeypatch.setattr(output, "_WRITER_FROM", 10**9)
    public = sample / "public"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (10, hard))
    try:
        with pytest.raises(CannotWrite, match="File too large"):
            build(sample, public)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert not public.exists()


def test_a_range_of_an_unlinked_file_that_came_up_short_names_the_file_written(
    tmp_path: Path,
) -> None:
    """A feed's items copied from the unlinked file another process wrote them into
    (worker.py), which holds fewer bytes than said: the error names the feed, not the
    unlinked file's descriptor."""
    public = tmp_path / "public"
    with tempfile.TemporaryFile() as items:
        items.write(b"<item/>")
        items.flush()
        pieces: list[output.Piece] = [b"<rss>", Copied(items, 0, 100), b"</rss>"]
        with pytest.raises(CannotWrite) as failure:
            output.write_all(public, [("feed.xml", pieces)])
    assert str(failure.value) == (
        f"cannot write {public / 'feed.xml'}: shortened while the build copied from it"
    )
    assert not public.exists()


def test_a_file_in_the_way_of_a_new_pages_folder_fails_the_build_by_name(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "_WRITER_FROM", 1)
    public = sample / "public"
    (public / "episodes").mkdir(parents=True)
    in_the_way = public / "episodes" / "001-what-is-product-ops"
    in_the_way.write_text("not a folder")
    with pytest.raises(CannotWrite) as failure:
        build(sample, public)
    assert str(failure.value) == (
        f"cannot write {in_the_way}: File exists (a file or folder of that name is in the way;"
        " move it)"
    )
    assert snapshot(public) == {"episodes/001-what-is-product-ops": b"not a folder"}


def test_the_second_process_writes_each_file_and_answers_with_the_first_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    folder = tmp_path / "staging"
    folder.mkdir()
    big = bytes(range(256)) * 12_000  # 3 MB: read from the pipe in several chunks
    made, there = tmp_path / "made", tmp_path / "there"
    there.mkdir()  # made meanwhile (by another build): as good
    folders = [(-2, os.fsencode(made)), (-3, os.fsencode(there))]
    files = [*folders, (0, b"first"), (1, big), (2, b"third"), (3, b"fourth")]
    (folder / "2.tmp").mkdir()  # in the way of file 2

    def sent(numbered: list[tuple[int, bytes]]) -> bytes:
        headers = [HEADER.pack(number, len(data)) + data for number, data in numbered]
        return b"".join(headers) + HEADER.pack(-1, 0)

    # here, as the process runs it (its standard input a file)
    (tmp_path / "sent").write_bytes(sent(files))
    with (tmp_path / "sent").open("rb") as standard_input:
        monkeypatch.setattr(sys, "stdin", standard_input)
        assert staging.main(str(folder)) == 0
    answer = capsysbinary.readouterr().out
    assert HEADER.unpack_from(answer) == (2, errno.EEXIST)
    assert answer[HEADER.size :] == b"File exists"
    assert snapshot(folder) == {"0.tmp": b"first", "1.tmp": big}  # the rest read, dropped
    assert _modes(folder) == {0o644}
    assert made.is_dir() and there.is_dir()

    # a folder that cannot be made: a file is in the way
    (tmp_path / "file").write_bytes(b"")
    (tmp_path / "sent").write_bytes(sent([(-2, os.fsencode(tmp_path / "file")), (0, b"x")]))
    with (tmp_path / "sent").open("rb") as standard_input:
        monkeypatch.setattr(sys, "stdin", standard_input)
        assert staging.main(str(folder)) == 0
    answer = capsysbinary.readouterr().out
    assert HEADER.unpack_from(answer) == (-2, errno.EEXIST)

    # and as the build starts it: a process of its own, through a pipe
    (folder / "2.tmp").rmdir()
    command = [sys.executable, "-I", "-S", staging.__file__, str(folder)]
    done = subprocess.run(command, input=sent([(2, b"third")]), capture_output=True, check=True)
    assert HEADER.unpack(done.stdout) == (-1, 0)
    assert (folder / "2.tmp").read_bytes() == b"third"

    # a build that stops sending mid-file: the process ends, having answered nothing
    cut = sent([(3, b"fourth")])[: HEADER.size + 2]
    done = subprocess.run(command, input=cut, capture_output=True, check=False)
    assert done.returncode != 0 and done.stdout == b""


def test_an_error_names_the_file_a_staged_copy_stands_for(tmp_path: Path) -> None:
    public, folder = tmp_path / "public", tmp_path / "public" / f"{STAGING_PREFIX}1"
    staged, current = ["index.html", "episodes/a/index.html", "feed.xml"], public / "feed.xml"

    def named(filename: Path) -> Path:
        error = OSError(errno.EFBIG, "File too large", str(filename))
        return output._failed(error, public, folder, staged, current)

    assert named(folder / "1.tmp") == public / "episodes/a/index.html"  # sent earlier
    assert named(folder / "3.tmp") == current  # the one being staged
    assert named(folder) == public  # the staging folder itself
    assert named(tmp_path / "elsewhere") == tmp_path / "elsewhere"


def test_what_runs_while_the_disk_flushes_runs_and_a_failed_flush_is_raised(
    tmp_path: Path,
) -> None:
    done: list[str] = []
    with pytest.raises(FileNotFoundError):  # nothing staged there to flush
        output._flushed_while(tmp_path / "missing", 1, lambda: done.append("records"))
    assert done == ["records"]
    (tmp_path / "staged").mkdir()
    (tmp_path / "staged" / "0.tmp").write_bytes(b"a page")
    output._flushed_while(tmp_path / "staged", 1, lambda: done.append("again"))
    assert done == ["records", "again"]


@pytest.mark.parametrize("system_copy", [True, False], ids=["copy_file_range", "read-write"])
def test_ranges_of_the_file_being_replaced_are_copied_into_the_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_copy: bool
) -> None:
    """A one-change rebuild's feed: its unchanged items are ranges of the feed in place, which
    stays open while the new one is staged; the pages around it go to the second process."""
    if not system_copy:  # as on a system without it (macOS)
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    monkeypatch.setattr(output, "_WRITER_FROM", 0)
    public = tmp_path / "public"
    public.mkdir()
    big = bytes(range(256)) * 8_000  # 2 MB: more than one read in the fallback
    (public / "feed.xml").write_bytes(b"<head>" + b"<one>" + big + b"<end>")
    with (public / "feed.xml").open("rb") as previous:
        pieces: list[output.Piece] = [
            b"<new head>",
            Copied(previous, 6, 5),  # <one>, then the big item: one range
            Copied(previous, 11, len(big)),
            b"<two>",
            Copied(previous, 6, 5),  # <one> again, from elsewhere
            b"<end>",
        ]
        assert len(output._joined_ranges(pieces)) == 5
        files: list[tuple[str, output.Content]] = [
            ("index.html", b"a page"),
            ("feed.xml", pieces),
            ("last.html", b"last"),
        ]
        assert output.write_all(public, files) == ["index.html", "feed.xml", "last.html"]
    assert (public / "feed.xml").read_bytes() == b"<new head><one>" + big + b"<two><one><end>"
    assert snapshot(public)["last.html"] == b"last"
    assert _modes(public) == {0o644}
    assert [len(piece) for piece in pieces] == [10, 5, len(big), 5, 5, 5]  # known after


def test_a_file_given_as_ranges_of_itself_is_kept_unless_they_move_its_bytes(
    tmp_path: Path,
) -> None:
    """Its own ranges in place are not read; moved ones are compared a megabyte at a time."""
    public = tmp_path / "public"
    public.mkdir()
    feed = public / "feed.xml"
    half = bytes(range(256)) * 6_000  # 1.5 MB: compared in two reads
    feed.write_bytes(half + half)
    os.utime(feed, ns=(10**18, 10**18))
    with feed.open("rb") as previous:  # its own bytes, in place, in three ranges
        in_place = [
            Copied(previous, 0, len(half)),
            Copied(previous, len(half), 3),
            Copied(previous, len(half) + 3, len(half) - 3),
        ]
        output.write_all(public, [("feed.xml", in_place)])
    with feed.open("rb") as previous:  # swapped, but the same bytes
        swapped = [Copied(previous, len(half), len(half)), Copied(previous, 0, len(half))]
        output.write_all(public, [("feed.xml", swapped)])
    assert feed.stat().st_mtime_ns == 10**18
    feed.write_bytes(half + half[:-1] + b"!")  # the halves differ in their last byte
    with feed.open("rb") as previous:
        swapped = [Copied(previous, len(half), len(half)), Copied(previous, 0, len(half))]
        output.write_all(public, [("feed.xml", swapped)])
    assert feed.read_bytes() == half[:-1] + b"!" + half


def test_a_range_past_the_end_of_its_file_fails_the_build_by_name(tmp_path: Path) -> None:
    """The feed in place shortened by hand while the build copied from it: the build fails
    and renames nothing, rather than write a feed with items cut off."""
    public = tmp_path / "public"
    public.mkdir()
    (public / "feed.xml").write_bytes(b"<head><item>")
    with (public / "feed.xml").open("rb") as previous, pytest.raises(CannotWrite) as failure:
        pieces: list[output.Piece] = [b"<head>", Copied(previous, 6, 100)]
        output.write_all(public, [("index.html", b"a page"), ("feed.xml", pieces)])
    expected = f"cannot write {public / 'feed.xml'}: shortened while the build copied from it"
    assert str(failure.value) == expected
    assert snapshot(public) == {"feed.xml": b"<head><item>"}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_while_a_build_s_files_are_renamed_into_place_waits_for_the_last(
    stop: signal.Signals,
) -> None:
    """A site half old, half new would link pages that are not there: the interrupt comes
    when the renames are done, saying so."""
    renamed = []
    before = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with (
            pytest.raises(Interrupted, match="all in place"),
            output._interruptions_held("all in place"),
        ):
            for number in range(3):
                if number == 1:
                    os.kill(os.getpid(), stop)
                renamed.append(number)
    finally:
        signal.signal(signal.SIGTERM, before)
    assert renamed == [0, 1, 2]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # as it was
