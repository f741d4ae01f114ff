"""The feed's items rendered by a second Python process, on the second core, while the build
renders the website and the rest of the feed.

The build sends it the episodes 500 at a time, pickled, from a thread; it writes each batch's
`<item>` blocks into a temporary file the build opened (unlinked: nothing is ever left
behind) and answers with their lengths, so the build holds none of them: they are copied from
that file into the feed by the system. When the build reaches the feed, it renders the
batches not yet sent itself, from the end, while the process finishes those it has. If the
process fails in any way, the build renders the items it did not answer for: a feed is never
wrong, only later.

A fresh interpreter, not a fork: both processes read every episode, CPython writes a
reference count into each object it reads, and the system then copies each page of memory
that either wrote. Measured on a clean build of 10,000 episodes, a forked child came to
96 MiB of such copies against a limit of 256 for the whole build; this process holds the
batch at hand only.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from .output import Copied

if TYPE_CHECKING:
    from .models import Episode, Show

_SIZE = struct.Struct("<q")
_BATCH = 500
"""Episodes sent at a time (as feed.py renders them): ~1.4 MB pickled, ~2 MB of items."""
_PATIENCE = 60.0
"""Seconds the build waits for the batches still being rendered when it has taken the rest
(at most two: well under a second), before it takes the process for stuck."""
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from podcast_feed.worker import main; sys.exit(main(int(sys.argv[2])))"
)
"""The process's command: the build's own module path (the same podcast_feed, whether
installed, editable or on PYTHONPATH), then the file's descriptor."""


class ItemWorker:
    """The process rendering the items of `episodes[i]` for `indices`, and the thread that
    feeds it."""

    def __init__(
        self,
        show: Show,
        episodes: Sequence[Episode],
        indices: Sequence[int],
        process: subprocess.Popen[bytes],
        file: BinaryIO,
    ) -> None:
        self._show, self._episodes, self._process = show, episodes, process
        self.file = file
        """What the process wrote: open until `close`, for the items to be copied from."""
        batches = range(0, len(indices), _BATCH)
        self._unsent = deque(indices[start : start + _BATCH] for start in batches)
        self._lock = threading.Lock()
        self._rendered: dict[int, Copied] = {}
        first = self._unsent.popleft() if self._unsent else None  # the process renders it, always
        self._thread = threading.Thread(
            target=self._feed, args=(first,), name="podcast-feed items", daemon=True
        )
        self._thread.start()

    @classmethod
    def start(
        cls, show: Show, episodes: Sequence[Episode], indices: Sequence[int], near: Path
    ) -> ItemWorker | None:
        """The worker, its file on the file system of `near` (a file or folder, which may not
        exist yet: its nearest folder that does), so that the system copies from it; None
        where it cannot start (the build renders every item)."""
        import tempfile

        if os.name != "posix" or not sys.executable:  # (pass_fds, os.pwrite; an interpreter)
            return None
        folder = near
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        try:  # unlinked at once
            file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - open until `close`
        except OSError:  # a folder it cannot write to
            return None
        path = json.dumps([str(entry) for entry in sys.path])  # (a tool may have put a Path)
        command = [sys.executable, "-P", "-c", _BOOT, path, str(file.fileno())]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=[file.fileno()],
            )
        except (OSError, ValueError):  # (no such interpreter; a NUL in its path)
            file.close()
            return None
        return cls(show, episodes, indices, process, file)

    def take_batch(self) -> Sequence[int] | None:
        """Indices of a batch not sent yet, the last, for the build to render itself."""
        with self._lock:
            return self._unsent.pop() if self._unsent else None

    def rendered(self) -> dict[int, Copied]:
        """Each item the process rendered, by its index, as a range of `file`, once it is done
        with all it was sent (call once no batch is left to take). If it failed, those it
        answered for before are there, the rest for the build to render."""
        self._thread.join(_PATIENCE)
        if self._thread.is_alive():  # stuck: its blocked pipe fails once it is gone
            self._process.kill()
            self._thread.join()
        self._process.wait()
        return self._rendered

    def close(self) -> None:
        """The process stopped if it still runs, its file closed."""
        with self._lock:
            self._unsent.clear()
        if self._process.poll() is None:
            self._process.kill()
        self._thread.join()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # what was left unsent, to a process gone
                    stream.close()
        self.file.close()

    def __enter__(self) -> ItemWorker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _feed(self, first: Sequence[int] | None) -> None:
        """In the thread: send `first`, then the batches one ahead of the one being rendered,
        and note where each batch's items are as its lengths come back."""
        sending, answers = self._process.stdin, self._process.stdout
        assert sending is not None and answers is not None
        sent: deque[Sequence[int]] = deque()
        offset = 0
        try:
            while True:
                batch, first = first, None
                if batch is None:
                    with self._lock:
                        batch = self._unsent.popleft() if self._unsent else None
                if batch is not None:
                    sent.append(batch)
                    message = pickle.dumps(
                        (self._show, [self._episodes[index] for index in batch]),
                        pickle.HIGHEST_PROTOCOL,
                    )
                    sending.write(_SIZE.pack(len(message)) + message)
                    sending.flush()
                if sent and (batch is None or len(sent) > 1):
                    lengths = _received(answers)
                    if lengths is None or len(lengths) != len(sent[0]):
                        raise ValueError("the items were not rendered")
                    for index, length in zip(sent.popleft(), lengths, strict=True):
                        self._rendered[index] = Copied(self.file, offset, length)
                        offset += length
                if batch is None and not sent:
                    sending.write(_SIZE.pack(0))
                    sending.flush()
                    return
        except Exception:  # a pipe closed, an answer garbled...: the build renders the rest
            self._process.kill()
            with self._lock:  # those sent and not answered for among them
                self._unsent.extendleft(reversed(sent))


def _received(answers: IO[bytes]) -> list[int] | None:
    header = answers.read(_SIZE.size)
    if len(header) != _SIZE.size:
        raise EOFError("the process stopped")
    (size,) = _SIZE.unpack(header)
    answer: list[int] | None = pickle.loads(answers.read(size))
    return answer


def main(descriptor: int) -> int:
    """In the process: render each batch sent on standard input into the file open at
    `descriptor`, one batch after another, and answer its items' lengths (None if they did
    not render) on standard output; stop at a batch of size 0."""
    from .feed import item_blocks

    sent, answers = sys.stdin.buffer, sys.stdout.buffer
    offset = 0
    while len(header := sent.read(_SIZE.size)) == _SIZE.size:
        (size,) = _SIZE.unpack(header)
        if size == 0:
            return 0
        show, episodes = pickle.loads(sent.read(size))
        blocks = item_blocks(show, episodes)
        if blocks is not None:
            data = memoryview(b"".join(blocks))
            while data:
                written = os.pwrite(descriptor, data, offset)
                offset, data = offset + written, data[written:]
        answer = pickle.dumps(None if blocks is None else [len(block) for block in blocks])
        answers.write(_SIZE.pack(len(answer)) + answer)
        answers.flush()
    return 1  # the build went away
