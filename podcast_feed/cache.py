"""What a build remembers between runs, so that it costs what changed, not the catalogue.

Two things, in one sqlite3 file (`.podcast-feed-cache/cache.sqlite3`, or `--cache-dir`):

- facts: what was derived from one input file (an episode parsed and its notes rendered, an
  audio file probed, a transcript parsed, an image's header read), keyed by the file's content.
  In a git repository that is the blob id git already computed (`git ls-files -s`), so a fresh
  CI checkout, where every mtime is new, still hits; elsewhere, and for files git does not
  track or that differ from its index, it is the size and mtime (and the file's name). A fact
  may also stand for a file at its place, checked against the other files it was made from
  (`keep`/`recall`: an episode's outcome, see catalogue.py), stored many to a row.
- build records: the whole input state (every file's size and mtime, the options, the code)
  of a successful build and the files it wrote. When nothing changed and the outputs are as
  written, `build` is a directory walk.

Every key includes the code's identity (podcast-feed's own files and its libraries' versions):
an upgrade starts afresh. A cache that cannot be read is set aside with a warning and rebuilt;
sqlite3 keeps concurrent builds from corrupting it. Only stdlib here: the no-change path must
not pay for importing the pipeline.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import hashlib
import importlib.util
import io
import itertools
import os
import pickle
import sqlite3
import stat
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

CACHE_FILE = "cache.sqlite3"
_FORMAT = "podcast-feed cache 1"
_RACY_SECONDS = 2.0
"""A file changed this recently may change again within the same mtime tick: not trusted."""
_LIBRARIES = (
    "cmarkgfm",
    "feedgen",
    "jinja2",
    "lxml",
    "mutagen",
    "nh3",
    "PIL",
    "pydantic",
    "pydantic_core",
    "webvtt",
    "yaml",
)
"""The libraries whose version can change what a build writes."""
_RECORDS_KEPT = 8
_FACTS_BOUND = "facts at most"
"""`meta`'s row of how many facts there are at most: counted at the last prune, plus those
written since (replaced ones counted again)."""
_PARALLEL_FROM = 2000
"""Files to read before a process pool pays for itself: starting it and sending results back
costs ~0.3 s, an episode file ~0.6 ms. Measured on two cores: at 1,000 it breaks even, at
10,000 it saved 3 s of 8 when first measured; on 2026-11-27 4,000 episode files took 1.8 s on
the pool against 2.3 s in one process (each worker ran ~40% slower than one process alone on
this shared VM, and each result is packed there and unpacked here). Probing audio is ~0.1 ms
a file with a Xing header and ~0.6 ms for 12 seconds without one (read frame by frame): a
first build of 10,000 such episodes with a cache took 38.3 and 40.4 s probing on the pool,
42.0 and 41.8 s without (alternating)."""
_CHUNK = 64
_WORKERS = min(os.cpu_count() or 1, 8)
_WRITE_EVERY = 500
_BUCKETS = 64

T = TypeVar("T")

_DAMAGED = (
    sqlite3.Error,
    zlib.error,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    TypeError,
    ValueError,
    LookupError,
    ImportError,
)
"""What reading a damaged row raises (a damaged pickle, any of the last seven): its fact is
computed again, and replaced."""


def code_identity() -> str:
    """A digest of podcast-feed's own files and of the installed libraries that shape the
    output: any change to either makes every cached fact and record stale."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".xml", ".txt"):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)  # finds the files without importing them
        origin = spec.origin if spec is not None else None
        if origin:  # reinstalling or upgrading rewrites the package's __init__
            status = Path(origin).stat()
            digest.update(f"{name}:{origin}:{status.st_size}:{status.st_mtime_ns}".encode())
    return digest.hexdigest()


def _content_key(name: str, size: int, mtime_ns: int, blob: str | None, now: float) -> str | None:
    """git's blob id with the size (an LFS pointer and its content share a blob), else the
    size and mtime; None for a file changed too recently to trust its mtime. Size and mtime
    say nothing of content: two files may share them (copied with their dates, unpacked from
    one archive), so that key names the file too."""
    if blob is not None:
        return f"git:{blob}:{size}"
    if now - mtime_ns / 1e9 < _RACY_SECONDS:
        return None
    return f"stat:{name}:{size}:{mtime_ns}"


class FileKeys:
    """A content key for each file of the show: git's blob id where git's index matches the
    file, else size and mtime; None for a file changed too recently to trust its mtime."""

    def __init__(
        self, root: Path, files: dict[str, tuple[int, int]] | None = None, git: bool = True
    ) -> None:
        self.root = root
        self._files = files or {}
        """What a walk of the show's inputs just found, by relative name: no second stat."""
        self._now = time.time()
        self._blobs: dict[str, str] | None = None if git else {}  # {}: git is not asked
        self._walked: dict[str, str | None] | None = None
        """The key of each file of the walk, by relative name, made together when the first
        is asked for: a rebuild of 10,000 episodes asks for 20,000, and one at a time each
        cost four times as much."""
        self._keys: dict[str, str | None] = {}  # other files, by name: hashing a Path costs more
        self._root_prefix = "" if str(root) == "." else str(root).rstrip(os.sep) + os.sep

    def key(self, path: Path) -> str | None:
        name = str(path)
        return self._key(name, self.relative(name))

    def key_in(self, relative: str) -> str | None:
        """`key` of the file at `relative` (forward slashes) in the show's folder, with no
        Path made."""
        walked = self._walked if self._walked is not None else self._walked_keys()
        if relative in walked:
            return walked[relative]
        return self._key(self._root_prefix + relative.replace("/", os.sep), relative)

    def _walked_keys(self) -> dict[str, str | None]:
        blobs, now = self.blobs(), self._now
        self._walked = {
            relative: _content_key(relative, size, mtime_ns, blobs.get(relative), now)
            for relative, (size, mtime_ns) in self._files.items()
        }
        return self._walked

    def _key(self, name: str, relative: str) -> str | None:
        walked = self._walked if self._walked is not None else self._walked_keys()
        if relative in walked:
            return walked[relative]
        if name not in self._keys:
            self._keys[name] = self._unwalked_key(name, relative)
        return self._keys[name]

    def _unwalked_key(self, name: str, relative: str) -> str | None:
        try:
            status = os.stat(name)  # noqa: PTH116 - a name, not a Path (see key_in)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        blob = self.blobs().get(relative)
        return _content_key(relative or name, status.st_size, status.st_mtime_ns, blob, self._now)

    def in_use(self) -> set[str]:
        """The content keys of the files walked and of those asked for besides: the file
        versions in the show this run."""
        walked = self._walked.values() if self._walked is not None else ()
        return {key for key in (*walked, *self._keys.values()) if key is not None}

    def relative(self, name: str) -> str:
        """The file's path in the show's folder, with forward slashes; '' outside it."""
        root = self._root_prefix
        return name[len(root) :].replace(os.sep, "/") if name.startswith(root) else ""

    def blobs(self) -> dict[str, str]:
        if self._blobs is None:
            self._blobs = _git_blobs(self.root)
        return self._blobs


def _git_blobs(root: Path) -> dict[str, str]:
    """Blob ids of the files under `root` that git tracks and whose content is the index's;
    nothing when `root` is not in a git work tree or git is missing."""
    if not any((folder / ".git").exists() for folder in (root.resolve(), *root.resolve().parents)):
        return {}
    import subprocess  # only in a git work tree: the no-change path never gets here

    try:
        listed = _git(root, "ls-files", "--stage", "-z", "--", ".")
        modified = set(_git(root, "diff-files", "--name-only", "--relative", "-z", "--", "."))
    except (OSError, subprocess.SubprocessError):
        return {}
    blobs = {}
    for line in listed:
        meta, _, name = line.partition("\t")
        mode, blob, stage = meta.split(" ")
        # symbolic links: git knows the link, not what it points to; conflicts: no single blob
        if mode != "120000" and stage == "0" and name not in modified:
            blobs[name] = blob
    return blobs


def _committable(folder: Path) -> bool:
    """Whether `folder` is in a git work tree and not ignored there: asked once, when the
    cache is first made (`git check-ignore` answers 1 for a path it does not ignore, 128
    outside a repository)."""
    import subprocess

    try:
        answer = subprocess.run(
            ["git", "-C", str(folder.parent), "check-ignore", "-q", "--", folder.name],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return answer.returncode == 1


def _git(root: Path, *arguments: str) -> list[str]:
    import subprocess

    result = subprocess.run(
        ["git", "-C", str(root), *arguments],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return [item for item in result.stdout.decode("utf-8", "surrogateescape").split("\0") if item]


@dataclass(frozen=True)
class InputState:
    """Every input file's size and mtime: what a build record is checked against, and the
    listing of the show's files the build's steps take instead of listing them again."""

    digest: str
    newest_mtime: float
    files: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    """Each regular file's size and mtime in ns, by its path relative to the show (for
    `Cache.for_show`; two ints, not the stat: a catalogue's 22,000 stats are 15 MiB)."""
    links: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The paths among `files` that are symbolic links (which `assets.check_inside_show`
    follows; for every other file, `files` says it is a plain file without an lstat)."""

    def media_files(self) -> list[str]:
        """`media.media_files`, as the walk found them."""
        return sorted(relative[6:] for relative in self.files if relative.startswith("media/"))


_INPUT_FOLDERS = ("episodes", "media", "templates")


def input_state(root: Path, show_file: str, options: Iterable[object]) -> InputState:
    """The digest of `options`, the code, and the size and mtime of every file in the show's
    input folders and of podcast.yaml, in a stable order; one stat a file."""
    digest = hashlib.sha256()
    for option in options:
        digest.update(repr(option).encode() + b"\0")
    newest = 0.0
    files = {}
    links = set()
    for relative, status, link in _walk_inputs(root, show_file):
        if status is None:  # a link to nothing: no size or date, but a change all the same
            digest.update(f"{relative}\0-\0".encode())
            continue
        newest = max(newest, status.st_mtime)
        digest.update(f"{relative}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
        if stat.S_ISREG(status.st_mode):
            files[relative] = (status.st_size, status.st_mtime_ns)
            if link:
                links.add(relative)
    return InputState(digest.hexdigest(), newest, files, frozenset(links))


_Walked = tuple[str, os.stat_result | None, bool]
"""A path relative to the show, its stat (None if it cannot be had), whether it is a link."""


def _walk_inputs(root: Path, show_file: str) -> Iterator[_Walked]:
    with contextlib.suppress(OSError):
        yield show_file, (root / show_file).stat(), False
    for folder in _INPUT_FOLDERS:
        yield from _walk(root / folder, folder)


def _walk(folder: Path, prefix: str) -> Iterator[_Walked]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        relative = f"{prefix}/{entry.name}"
        link = entry.is_symlink()  # known from the listing: no system call
        try:
            status = entry.stat()  # follows links, as the build does
        except OSError:
            yield relative, None, link
            continue
        if stat.S_ISDIR(status.st_mode):
            if not link:  # a link loop must not walk forever
                yield from _walk(Path(entry.path), relative)
        else:
            yield relative, status, link


@dataclass
class Cache:
    """The sqlite3 file, opened once per command; `problems` says why it was set aside."""

    path: Path | None
    """None: caching is off (`--no-cache`): nothing is stored, and a lookup finds only what
    `prefetch` computed on the process pool in this run."""
    shown_as: str = ""
    problems: list[Any] = field(default_factory=list)
    _connection: sqlite3.Connection | None = None
    _identity: str = ""
    _pending: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _ahead: dict[tuple[str, str], bytes] = field(default_factory=dict)
    """What `prefetch` computed, until `remember` takes it (once): never read back from the
    sqlite file, which it may already have gone to."""
    _records: dict[str, bytes] = field(default_factory=dict)
    _computed: set[tuple[str, str]] = field(default_factory=set)
    _buckets: dict[tuple[str, str, int], dict[str, tuple[str, Any]]] = field(default_factory=dict)
    """`recall`'s rows as read, and `keep`'s changes to them: by kind, show and bucket, each
    file's key and value by its name in the show."""
    _changed_buckets: set[tuple[str, str, int]] = field(default_factory=set)
    _keys: FileKeys | None = None
    hits: int = 0
    """Facts found in the cache this run (reported by benchmarks and checked by tests)."""
    misses: int = 0
    in_parallel: int = 0
    """Of the misses, the facts computed by a process pool."""

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @classmethod
    def open(cls, folder: Path, shown_as: str | None = None) -> Cache:
        cache = cls(folder / CACHE_FILE, shown_as or f"{folder.name}/{CACHE_FILE}")
        cache._identity = code_identity()
        new = not folder.exists()
        cache._connect()
        if new and cache.enabled and _committable(folder):
            from .errors import warning

            cache.problems.append(
                warning(
                    "cache-not-ignored",
                    cache.shown_as.rpartition("/")[0] or str(folder),
                    None,
                    "git does not ignore the build cache, so 'git add .' would commit it (32 MB "
                    "at 10,000 episodes, which the build makes again whenever it is missing)",
                    f"add the line '/{folder.name}/' to the repository's .gitignore",
                )
            )
        return cache

    def _connect(self) -> None:
        assert self.path is not None
        attempt, busy = 1, 0
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._connection = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
                self._prepare(self._connection)
                return
            except sqlite3.OperationalError as exc:  # busy, read-only, no space
                self.close()
                # switching a new file to WAL does not wait for another process doing so
                if "locked" in str(exc) and busy < 20:
                    busy += 1
                    time.sleep(0.05 * busy)
                    continue
                self._ignored(f"it cannot be opened ({exc})", "check the folder's permissions")
                return
            except sqlite3.DatabaseError as exc:  # not a database, or not ours
                self.close()
                if attempt == 2:
                    break
                attempt += 1
                self._set_aside(str(exc))
            except (OSError, sqlite3.Error) as exc:
                self.close()
                self._ignored(f"it cannot be opened ({exc})", "check the folder's permissions")
                return
        self.path = None

    def _prepare(self, connection: sqlite3.Connection) -> None:
        connection.execute("PRAGMA journal_mode=WAL")
        # a commit is not flushed to disk on its own (a power cut loses the last facts, never
        # the file's integrity): a first build of 1,000 episodes fills it ~6% faster
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS facts (kind TEXT, key TEXT, value BLOB NOT NULL, "
            "PRIMARY KEY (kind, key))"
        )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS placed (kind TEXT, root TEXT, bucket INTEGER, "
            "value BLOB NOT NULL, PRIMARY KEY (kind, root, bucket))"
        )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS builds (input TEXT PRIMARY KEY, value BLOB NOT NULL, "
            "written REAL NOT NULL)"
        )
        rows = dict(connection.execute("SELECT name, value FROM meta").fetchall())
        if rows.get("format") not in (None, _FORMAT):
            raise sqlite3.DatabaseError(f"it is not a podcast-feed cache ({rows['format']!r})")
        if rows.get("code") != self._identity:  # another podcast-feed: start afresh
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM facts")
            connection.execute("DELETE FROM placed")
            connection.execute("DELETE FROM builds")
            connection.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("format", _FORMAT), ("code", self._identity), (_FACTS_BOUND, "0")],
            )
            connection.execute("COMMIT")

    def _set_aside(self, reason: str) -> None:
        assert self.path is not None
        self._ignored(f"it could not be read ({reason}); it was rebuilt", None)
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    def _ignored(self, why: str, fix: str | None) -> None:
        from .errors import warning

        self.problems.append(
            warning(
                "cache-ignored",
                self.shown_as,
                None,
                f"the build cache was ignored: {why}",
                fix or "nothing to do; delete the folder if this repeats",
            )
        )

    @property
    def enabled(self) -> bool:
        return self._connection is not None

    def folder(self, name: str) -> Path | None:
        """A folder beside the sqlite3 file, for what a library caches itself (made here);
        None when the cache is off or cannot be written."""
        if self._connection is None or self.path is None:
            return None
        folder = self.path.parent / name
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            return None
        return folder

    @property
    def identity(self) -> str:
        return self._identity

    def for_show(self, root: Path, inputs: InputState | None = None) -> None:
        """Key files by their content as of now (git's index is read when first needed), or
        as of `inputs`, the walk of the show's files `build` made a moment ago. A cache that
        is off keys them by size and mtime alone: its keys last one run."""
        files = inputs.files if inputs is not None else None
        self._keys = FileKeys(root, files, git=self._connection is not None)

    def file_keys(self, root: Path) -> FileKeys:
        if self._keys is None or self._keys.root != root:
            self.for_show(root)
        assert self._keys is not None
        return self._keys

    def remember(self, kind: str, path: Path, compute: Callable[[], T], *context: object) -> T:
        """`compute()`, or what it returned (or the podcast-feed error it raised) last time
        for a file with the same content and the same `context`. A cache that is off finds
        only what `prefetch` computed in this run, and keeps nothing."""
        if self._connection is None and not self._ahead:
            return compute()  # off, and nothing computed ahead: no key is needed
        key = self._fact_key(path, context)
        if key is None:
            return compute()
        found = self._found(kind, key)
        if found is not None:
            self.hits += (kind, key) not in self._computed  # not computed this run (`prefetch`)
            outcome, value = found
            if outcome == "error":
                raise value
            return value  # type: ignore[no-any-return]
        if self._connection is None:
            return compute()
        from .errors import PodcastFeedError

        self.misses += 1
        try:
            value = compute()
        except PodcastFeedError as exc:
            self._store(kind, key, _packed(("error", exc)))
            raise
        self._store(kind, key, _packed(("value", value)))
        return value

    def recall(
        self,
        kind: str,
        names: Iterable[str],
        context: Sequence[object],
        valid: Callable[[Any], bool],
    ) -> dict[str, Any]:
        """What `keep` stored for each file named (its path in the show's folder, with forward
        slashes: no Path is made or hashed), by name, if the file and `context` are the same
        and `valid` says it still holds (the other files it was made from are unchanged).

        Unlike `remember`'s, these facts are about a file at its place (an episode names its
        own file): two files with the same content in git do not share them. They are stored
        in `_BUCKETS` rows per show, by a hash of the file's name: 10,000 outcomes unpickled
        as 64 pickles take a third of the time they take as 10,000 (each pickle looks up its
        classes again), and one changed file rewrites one row. The `Deferred` bytes in them
        (the episodes' details) are decompressed a group at a time, when one is asked for.
        `names` are all the files of this kind: what is stored for any other is dropped. A
        long-lived cache (`serve`'s) reads the rows once and keeps them up to date."""
        found: dict[str, Any] = {}
        if self._connection is None or self._keys is None:
            return found
        root = str(self._keys.root)
        wanted: dict[str, str] = {}
        key_in, after = self._keys.key_in, _joined(context)  # (once, not for each of 10,000)
        for relative in names:
            key = _placed(key_in(relative), after, relative)
            if key is not None:
                wanted[relative] = key
        if not any(place[:2] == (kind, root) for place in self._buckets):  # `serve`: once
            try:
                rows = self._connection.execute(
                    "SELECT bucket, value FROM placed WHERE kind = ? AND root = ?", (kind, root)
                ).fetchall()
            except sqlite3.Error:
                rows = []
            with _uncollected():
                for bucket, stored in rows:
                    with contextlib.suppress(*_DAMAGED):  # its files are read again, and the
                        self._buckets[kind, root, bucket] = _unpacked_row(stored)  # row replaced
        for place, entries in self._buckets.items():
            if place[:2] != (kind, root):
                continue
            for relative, (key, value) in list(entries.items()):
                if wanted.get(relative) == key and valid(value):
                    found[relative] = value
                else:  # gone, changed, or made from files since changed
                    del entries[relative]
                    self._changed_buckets.add(place)
        self.hits += len(found)
        return found

    def keep(self, kind: str, relative: str, context: Sequence[object], value: object) -> None:
        """Store `value` for `recall` to find next run about the file at `relative` (if it
        has a trusted key)."""
        if self._keys is None:
            return
        key = self._placed_key(relative, context)
        if key is not None:
            place = (kind, str(self._keys.root), zlib.crc32(relative.encode()) % _BUCKETS)
            self._buckets.setdefault(place, {})[relative] = (key, value)
            self._changed_buckets.add(place)

    def _fact_key(self, path: Path, context: Sequence[object]) -> str | None:
        """A fact's key: the file's content key and the settings it was made with; None when
        there are no file keys or the file has no trusted key."""
        if self._keys is None:
            return None
        return _with_context(self._keys.key(path), context)

    def _placed_key(self, relative: str, context: Sequence[object]) -> str | None:
        """`_fact_key` for a fact about the file at `relative`, at its place in the show."""
        assert self._keys is not None
        return _placed(self._keys.key_in(relative), _joined(context), relative)

    def _found(self, kind: str, key: str) -> tuple[str, Any] | None:
        stored = self._ahead.pop((kind, key), None) or self._pending.get((kind, key))
        return _unpacked(stored) if stored is not None else self._fact(kind, key)

    def _store(self, kind: str, key: str, fact: bytes) -> None:
        """Keep a fact for `save`; every 500, write them out: a first build of 10,000
        episodes would otherwise hold ~80 MiB of them until the end."""
        self._pending[kind, key] = fact
        self._computed.add((kind, key))
        if len(self._pending) >= _WRITE_EVERY:
            self._write(time.time(), last=False)  # pruning waits for every lookup

    def may_prefetch(self, jobs: int) -> bool:
        """Whether `prefetch` could use a process pool for this many jobs (with the cache off
        too: a clean build of a big catalogue also reads it on every core)."""
        return _WORKERS > 1 and jobs >= _PARALLEL_FROM and can_fork()

    def prefetch(self, jobs: Sequence[Job]) -> None:
        """Compute the facts `remember` would miss for these jobs on every core at once, when
        there are enough to pay for starting the workers; the `remember` calls that follow
        find them. Jobs of several kinds share one pool (starting one costs ~0.3 s)."""
        if self._keys is None or not self.may_prefetch(len(jobs)):
            return
        known: set[tuple[str, str]] = set()
        try:
            if self._connection is not None:
                kinds = sorted({job.kind for job in jobs})
                query = f"SELECT kind, key FROM facts WHERE kind IN ({', '.join('?' * len(kinds))})"
                known = set(self._connection.execute(query, kinds))
        except sqlite3.Error:
            return
        missing = []
        for job in jobs:
            key = self._fact_key(job.path, job.context)
            place = (job.kind, key)
            done = place in self._ahead or place in self._pending or place in known
            if key is not None and not done:
                missing.append((job.kind, key, job.compute))
        if len(missing) < _PARALLEL_FROM:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.misses += len(missing)
        self.in_parallel += len(missing)
        global _FORKED_WORK  # read by the workers this process forks
        _FORKED_WORK = [compute for _, _, compute in missing]
        spans = [(start, start + _CHUNK) for start in range(0, len(missing), _CHUNK)]
        # compressed only to be stored: off, a result is unpacked once, in this run
        packing = functools.partial(_outcomes, compressed=self._connection is not None)
        try:
            with ProcessPoolExecutor(_WORKERS, multiprocessing.get_context("fork")) as pool:
                outcomes = itertools.chain.from_iterable(pool.map(packing, spans))
                for (kind, key, _), outcome in zip(missing, outcomes, strict=True):
                    if outcome is not None:
                        self._ahead[kind, key] = outcome
                        self._computed.add((kind, key))
                        if self._connection is not None:  # off: kept for this run only
                            self._store(kind, key, outcome)
        finally:
            _FORKED_WORK = []

    def _fact(self, kind: str, key: str) -> tuple[str, Any] | None:
        found: tuple[str, Any] | None = self._load(
            "SELECT value FROM facts WHERE kind = ? AND key = ?", kind, key
        )
        return found

    def _load(self, query: str, *parameters: str) -> Any:
        """The unpickled value the query selects; None when there is none, or when the row is
        damaged (it is computed again and replaced)."""
        if self._connection is None:
            return None
        try:
            row = self._connection.execute(query, parameters).fetchone()
            return _unpacked(row[0]) if row else None
        except _DAMAGED:
            return None

    def record(self, state: InputState) -> Any:
        """What the build with exactly this input state wrote and reported, if one did."""
        return self.record_of(state.digest)

    def keep_record(self, name: str, value: object, compressed: bool = True) -> None:
        """A record to store with the next `save`, found again by `record_of(name)`;
        `compressed=False` for one that compresses little (sizes, dates, digests)."""
        self._records[name] = _packed(value, compressed)

    def record_of(self, name: str) -> Any:
        return self._load("SELECT value FROM builds WHERE input = ?", name)

    def save(self, state: InputState | None = None, record: object = None) -> None:
        """Store the facts computed in this run and, if given, the build record; one
        transaction. A cache that cannot be written only costs time next run."""
        if self._connection is None:
            return
        written = time.time()
        if state is not None and written - state.newest_mtime >= _RACY_SECONDS:
            self.keep_record(state.digest, record)
        self._write(written, last=True)

    def _write(self, written: float, last: bool) -> None:
        """Write out the facts and records so far; `last`: this run's final write, which also
        writes `keep`'s rows (once: they are rewritten whole) and prunes."""
        placed = sorted(self._changed_buckets) if last else []
        if self._connection is None or not (self._pending or self._records or placed):
            return
        try:
            self._connection.execute("BEGIN IMMEDIATE")
            self._connection.executemany(
                "INSERT OR REPLACE INTO facts VALUES (?, ?, ?)",
                [(kind, key, value) for (kind, key), value in self._pending.items()],
            )
            if self._pending:  # in SQL: a build writing at the same time adds its own
                self._connection.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE name = ?",
                    (len(self._pending), _FACTS_BOUND),
                )
            self._connection.executemany(  # each row pickled as it is written: one at a time
                "INSERT OR REPLACE INTO placed VALUES (?, ?, ?, ?)",
                ((*place, _packed_row(self._buckets[place])) for place in placed),
            )
            if self._records:
                self._connection.executemany(
                    "INSERT OR REPLACE INTO builds VALUES (?, ?, ?)",
                    [(name, value, written) for name, value in self._records.items()],
                )
                self._connection.execute(
                    "DELETE FROM builds WHERE input NOT IN "
                    "(SELECT input FROM builds ORDER BY written DESC LIMIT ?)",
                    (_RECORDS_KEPT,),
                )
            if last:
                self._prune()
            self._connection.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._connection.execute("ROLLBACK")
            self._ignored(f"it could not be written ({exc})", "check the folder's permissions")
            self.close()  # once is enough: this run goes on without it
        finally:
            self._pending.clear()
            self._records.clear()
            if last:
                self._changed_buckets.clear()

    def _prune(self) -> None:
        """Drop the facts of file versions no longer in the show, once they outnumber the
        facts in use. In use: every file content this run keyed, whether or not its facts
        were read (an episode taken whole from its outcome leaves its parsed file and its
        probed audio in the cache, for when only its audio changes).

        The facts are counted only when the bound kept in `meta` (the last count, plus every
        fact written since) says there may be too many: counting 20,000 facts took 8 ms, twice
        in every build that had something to do."""
        assert self._connection is not None
        in_use = self._keys.in_use() if self._keys is not None else set()
        most = 3 * len(in_use) + 1000
        bound = self._connection.execute(
            "SELECT value FROM meta WHERE name = ?", (_FACTS_BOUND,)
        ).fetchone()
        if bound is not None and str(bound[0]).isdigit() and int(bound[0]) <= most:
            return
        (stored,) = self._connection.execute("SELECT COUNT(*) FROM facts").fetchone()
        if stored > most:
            stored -= self._drop_facts_not_in(in_use)
        self._connection.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", (_FACTS_BOUND, str(stored))
        )

    def _drop_facts_not_in(self, in_use: set[str]) -> int:
        """Delete the facts of every file content not `in_use`; how many there were."""
        assert self._connection is not None
        self._connection.execute("CREATE TEMP TABLE IF NOT EXISTS used (content TEXT PRIMARY KEY)")
        self._connection.execute("DELETE FROM used")
        self._connection.executemany(
            "INSERT OR IGNORE INTO used VALUES (?)", [(k,) for k in in_use]
        )
        deleted = self._connection.execute(  # a fact's key: its file's content key, "\0" context
            "DELETE FROM facts WHERE substr(key, 1, instr(key || char(0), char(0)) - 1) "
            "NOT IN (SELECT content FROM used)"
        )
        return max(deleted.rowcount, 0)

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None


def _with_context(content: str | None, context: Sequence[object]) -> str | None:
    """A content key with what else the fact depends on; None for a file without a key."""
    return None if content is None else content + _joined(context)


def _joined(context: Sequence[object]) -> str:
    """What `_with_context` appends to a content key for `context`."""
    return "".join(f"\0{part}" for part in context)


def _placed(content: str | None, after: str, relative: str) -> str | None:
    """`_with_context(content, (*context, relative))`, with `after` the `_joined(context)`."""
    return None if content is None else f"{content}{after}\0{relative}"


def _packed(value: object, compressed: bool = True) -> bytes:
    """A fact or record as stored: pickled, then compressed (fast zlib): an episode's parsed
    file and its outcome both hold its rendered notes, ~60 MB for 10,000 episodes as plain
    pickles, which a first build wrote and flushed to disk."""
    pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return zlib.compress(pickled, 1) if compressed else pickled


def _unpacked(stored: bytes) -> Any:
    """What `_packed` stored, compressed or not (a pickle starts with its PROTO opcode, a
    zlib stream never does)."""
    return pickle.loads(stored if stored[:1] == pickle.PROTO else zlib.decompress(stored))


class Deferred(bytes):
    """Bytes in a value `keep` stores that its row holds apart: compressed together with the
    row's other such bytes and decompressed when one of them is first asked for
    (`bytes(part)`). An episode's pickled details (`models.Episode`) are: 27 of the 33 MB of
    10,000 outcomes, of which a rebuild asks for the few episodes it renders."""

    __slots__ = ()


_ROW = "podcast-feed row 1"


class _RowPickler(pickle.Pickler):
    """Pickles a row's entries, each `Deferred` (or not yet read `_Part`) into `parts`."""

    def __init__(self, file: io.BytesIO, parts: list[bytes]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._parts = parts

    def persistent_id(self, obj: object) -> int | None:
        if type(obj) is Deferred or type(obj) is _Part:
            self._parts.append(bytes(obj))
            return len(self._parts) - 1
        return None


class _RowUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, parts: _Parts) -> None:
        super().__init__(file)
        self._parts = parts

    def persistent_load(self, pid: object) -> _Part:
        if not isinstance(pid, int) or not 0 <= pid < self._parts.count:
            raise pickle.UnpicklingError(f"no deferred part {pid!r} in this row")
        return _Part(self._parts, pid)


class _Parts:
    """A row's `Deferred` bytes, compressed in groups of about zlib's window (32 KiB: the
    similar notes of a dozen episodes compress about as well as those of the whole row, and
    ten times better than one by one), each group decompressed the first time one of its
    parts is asked for (a rebuild asks for the ~50 episodes its index page lists, from most
    rows)."""

    __slots__ = ("_firsts", "_groups", "_lengths", "_read")

    def __init__(self, groups: list[bytes], firsts: list[int], lengths: list[int]) -> None:
        self._groups, self._firsts, self._lengths = groups, firsts, lengths
        self._read: dict[int, bytes] = {}

    @property
    def count(self) -> int:
        return len(self._lengths)

    def part(self, index: int) -> bytes:
        group = bisect.bisect_right(self._firsts, index) - 1
        whole = self._read.get(group)
        if whole is None:
            whole = self._read[group] = zlib.decompress(self._groups[group])
        start = sum(self._lengths[self._firsts[group] : index])
        return whole[start : start + self._lengths[index]]


_GROUP_BYTES = 1 << 15
"""zlib's window: a group of deferred parts this big compresses as well as a bigger one."""


def _grouped(parts: list[bytes]) -> tuple[list[bytes], list[int]]:
    """The parts compressed in groups of at least `_GROUP_BYTES` (the last one smaller), and
    the index of each group's first part."""
    groups: list[bytes] = []
    firsts: list[int] = []
    size = 0
    for index, part in enumerate(parts):
        if not firsts or size >= _GROUP_BYTES:
            firsts.append(index)
            size = 0
        size += len(part)
    for first, end in itertools.pairwise([*firsts, len(parts)]):
        groups.append(zlib.compress(b"".join(parts[first:end]), 1))
    return groups, firsts


class _Part:
    """One `Deferred` of a row as read: its bytes when asked for (`bytes(part)`), pickled as
    the `Deferred` it was anywhere but in a row."""

    __slots__ = ("_index", "_parts")

    def __init__(self, parts: _Parts, index: int) -> None:
        self._parts, self._index = parts, index

    def __bytes__(self) -> bytes:
        return self._parts.part(self._index)

    def __reduce__(self) -> tuple[object, ...]:
        return Deferred, (bytes(self),)


def _packed_row(entries: object) -> bytes:
    """A row of `keep`'s values as stored: a plain pickle of the entries' pickle (compressed),
    with their `Deferred` bytes apart (`_Parts`) and a checksum of those: they are
    decompressed only when asked for, and a damaged row must be found when it is read."""
    parts: list[bytes] = []
    entries_pickle = io.BytesIO()
    _RowPickler(entries_pickle, parts).dump(entries)
    groups, firsts = _grouped(parts)
    lengths = [len(part) for part in parts]
    entries_packed = zlib.compress(entries_pickle.getvalue(), 1)
    row = (_ROW, entries_packed, groups, firsts, lengths, _checksum(groups, firsts, lengths))
    return pickle.dumps(row, pickle.HIGHEST_PROTOCOL)


def _unpacked_row(stored: bytes) -> Any:
    """The entries `_packed_row` stored; raises one of `_DAMAGED` for a damaged row."""
    marker, entries, groups, firsts, lengths, checksum = pickle.loads(stored)
    if marker != _ROW or _checksum(groups, firsts, lengths) != checksum:
        raise ValueError("a damaged row")
    parts = _Parts(groups, firsts, lengths)
    return _RowUnpickler(io.BytesIO(zlib.decompress(entries)), parts).load()


def _checksum(groups: list[bytes], firsts: list[int], lengths: list[int]) -> int:
    """What a row's deferred parts are checked by: the groups and where each part is."""
    checksum = zlib.crc32(repr((firsts, lengths)).encode())
    for group in groups:
        checksum = zlib.crc32(group, checksum)
    return checksum


@contextlib.contextmanager
def _uncollected() -> Iterator[None]:
    """The cycle collector paused, then every object alive left out of its future walks
    (`gc.freeze`): 10,000 episodes unpickled are ~300,000 objects, none in a cycle, and each
    collection would walk them all again (a fifth of a one-change build of 10,000). Frozen
    objects are still freed when no longer used; only one in a cycle would never be, and little
    is made before the outcomes are read (podcast.yaml, the walk). `serve` reads them once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Job(NamedTuple):
    """A fact for `Cache.prefetch` to compute: what `remember(kind, path, compute, *context)`
    will ask for."""

    kind: str
    path: Path
    compute: Callable[[], Any]
    context: tuple[object, ...] = ()


def can_fork() -> bool:
    """Whether this process may fork (a process pool, memo.py's look at the pages): only while
    it runs one thread (`serve` runs several, and rebuilds one file at a time anyway)."""
    import threading

    return sys.platform == "linux" and threading.active_count() == 1


_FORKED_WORK: list[Callable[[], Any]] = []
"""The jobs `prefetch` is computing, as its workers find them, forked from it: they are sent
only spans of indices into it (pickling 10,000 jobs to send them cost the build ~0.1 s)."""


def _outcomes(span: tuple[int, int], compressed: bool) -> list[bytes | None]:
    """In a worker: `_outcome` of each of the jobs in `span` of `_FORKED_WORK`."""
    start, end = span
    return [_outcome(compute, compressed) for compute in _FORKED_WORK[start:end]]


def _outcome(compute: Callable[[], Any], compressed: bool) -> bytes | None:
    """In a worker: `compute()` as `remember` stores it (`compressed` or not); None for an
    error it would not store (the build computes that one again, and reports it). Packing
    an episode file's result adds ~30% to reading it, three quarters of that compressing."""
    from .errors import PodcastFeedError

    try:
        return _packed(("value", compute()), compressed)
    except PodcastFeedError as exc:
        return _packed(("error", exc), compressed)
    except Exception:
        return None


def remember(
    cache: Cache | None, kind: str, path: Path, compute: Callable[[], T], *context: object
) -> T:
    """`cache.remember(...)`, or just `compute()` without a cache."""
    if cache is None:
        return compute()
    return cache.remember(kind, path, compute, *context)
