"""Creating a staged file, here or in the second process that `output.write_all` starts to
create them while the build renders the next (run as a script by path: the standard library
only, no package import).

Each file comes on standard input as a header (its number, its size) and its bytes; a header
with number -2 or less is a folder to make in the output instead (-2 - its number among the
folders, the size of its path), then its path; a header with number -1 ends the run, and the
answer on standard output is one header: -1 and 0 if all were made, else the number and
errno of the first file or folder that was not, followed by the error's message. After a
failure the rest is read and dropped.
"""

from __future__ import annotations

import errno
import os
import struct
import sys
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False  # importing typing would be a third of this process's start-up
if TYPE_CHECKING:
    from typing import BinaryIO, Protocol

    class CopiedRange(Protocol):
        """A range of another file (`output.Copied`: the build's only, never sent here)."""

        def copy_into(self, descriptor: int) -> None: ...


HEADER = struct.Struct("<qq")
_CHUNK = 1 << 20
"""Bytes read from the pipe at a time: a 40 MB feed is never held whole."""


def staged_copy(
    temporary: str | os.PathLike[str], data: bytes | Iterable[bytes | CopiedRange]
) -> None:
    """`data` in a new file, readable by a web server (mode 644) once renamed into place."""
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        os.fchmod(stream.fileno(), 0o644)
        for piece in [data] if isinstance(data, bytes) else data:
            if isinstance(piece, bytes):
                stream.write(piece)
            else:  # what is buffered goes first; then the range goes where the file ends
                stream.flush()
                piece.copy_into(stream.fileno())


def make_folder(path: str) -> None:
    """A folder of the output that a staged file will be renamed into (one another build made
    meanwhile will do; a file of that name will not)."""
    try:
        os.mkdir(path)  # noqa: PTH102
    except FileExistsError:
        if not os.path.isdir(path):  # noqa: PTH112
            raise


def _chunks(sent: BinaryIO, size: int) -> Iterator[bytes]:
    while size:
        chunk = sent.read(min(size, _CHUNK))
        if not chunk:
            raise EOFError("the build stopped sending")
        size -= len(chunk)
        yield chunk


def main(staging: str) -> int:
    sent, failure = os.fdopen(sys.stdin.fileno(), "rb", _CHUNK, closefd=False), b""
    while len(header := sent.read(HEADER.size)) == HEADER.size:
        number, size = HEADER.unpack(header)
        if number == -1:
            sys.stdout.buffer.write(failure or HEADER.pack(-1, 0))
            sys.stdout.buffer.flush()
            return 0
        chunks = _chunks(sent, size)
        if not failure:
            try:
                if number < -1:
                    make_folder(os.fsdecode(b"".join(chunks)))
                else:
                    staged_copy(os.path.join(staging, f"{number}.tmp"), chunks)  # noqa: PTH118
            except OSError as exc:
                message = (exc.strerror or str(exc)).encode()
                failure = HEADER.pack(number, exc.errno or errno.EIO) + message
        for _ in chunks:  # what a failure left unread
            pass
    return 1  # the build went away


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
