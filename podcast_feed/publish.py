"""Publishing: the built feed and exactly the files it references, uploaded to where subscribers
fetch them, in an order no subscriber can see half-done.

1. build, with every check, the history guard reading the feed that is live at the destination;
2. plan: the files the new feed needs (never a draft's or a scheduled episode's);
3. compare with the destination by size and SHA-256 (kept in object metadata and in a
   manifest, so an unchanged show costs one listing);
4. upload media and sidecars, verify them, and only then replace feed.xml;
5. with `delete`, remove what the feed no longer references, last.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from .assets import sha256_of
from .build import CACHE_FOLDER, FEED_FILE, BuildResult, build, validate
from .cache import Cache
from .checks import example_addresses
from .config import SHOW_FILE, load_show
from .errors import (
    Interrupted,
    PodcastFeedError,
    Problem,
    ProblemsFound,
    has_errors,
    warning,
    without_ignored,
)
from .filetypes import TRANSCRIPT_TYPES, content_type
from .history import PublishedFeed, parse_feed
from .layout import CHAPTERS_FOLDER, GENERATED_FOLDERS, among_show_files, file_name_in
from .models import Publish, Show
from .output import CannotWrite, write_all
from .storage import SHA256_ATTRIBUTE, Store, StoredObject, check_destination, local_folder

MANIFEST_KEY = ".podcast-feed-manifest.json"
"""Size, SHA-256 and ETag of every object published, so that the next run can compare from a
listing instead of asking for each object's metadata."""
HASH_CACHE = Path(CACHE_FOLDER) / "hashes.json"
"""Local files' SHA-256 by size and mtime, so an unchanged catalogue is not read again."""
_PARALLEL_UPLOADS = 8


class NoDestination(PodcastFeedError):
    """Neither the command line nor podcast.yaml says where to publish."""


class DestinationInShow(PodcastFeedError):
    """A local destination among the show's own files (its folder, episodes/, media/)."""


class PublishFailed(PodcastFeedError):
    """Some uploads failed; feed.xml was not replaced, so subscribers see the old show."""


@dataclass(frozen=True)
class Layout:
    """Where the show's parts go under the destination."""

    feed_key: str
    media_prefix: str

    @property
    def output_prefix(self) -> str:
        """The folder of feed.xml, which also holds chapters/ (and the site)."""
        folder = posixpath.dirname(self.feed_key)
        return f"{folder}/" if folder else ""

    def owns(self, key: str) -> bool:
        """Whether `delete` may remove this key: only what publish itself puts there."""
        return key.startswith(self.media_prefix) or any(
            key.startswith(f"{self.output_prefix}{folder}/") for folder in GENERATED_FOLDERS
        )


def layout(show: Show) -> Layout:
    """The keys `feed_url` and `media_base_url` imply, unless `publish:` says otherwise.

    >>> layout(Show.model_construct(feed_url="https://x.com/pod/feed.xml",
    ...     media_base_url="https://x.com/pod/audio/", publish=Publish()))
    Layout(feed_key='feed.xml', media_prefix='audio/')
    >>> layout(Show.model_construct(feed_url="https://x.com/feed.xml",
    ...     media_base_url="https://cdn.example.net/", publish=Publish()))
    Layout(feed_key='feed.xml', media_prefix='media/')
    """
    settings = show.publish
    feed = urlsplit(show.feed_url)
    feed_key = settings.feed_path or file_name_in(show.feed_url) or FEED_FILE
    if settings.media_path:
        media_prefix = settings.media_path
    else:
        media = urlsplit(show.media_base_url)
        feed_folder = posixpath.dirname(unquote(feed.path)).rstrip("/") + "/"
        media_path = unquote(media.path).rstrip("/") + "/"
        same_place = (media.scheme, media.netloc) == (feed.scheme, feed.netloc)
        relative = media_path.removeprefix(feed_folder) if same_place else ""
        media_prefix = relative if same_place and media_path.startswith(feed_folder) else ""
        media_prefix = media_prefix if media_prefix.strip("/") else "media/"
    return Layout(feed_key, media_prefix.rstrip("/") + "/")


@dataclass(frozen=True)
class LocalFile:
    """A file to publish, with everything the store is told about it."""

    key: str
    path: Path
    size: int
    sha256: str
    content_type: str
    cache_control: str
    is_media: bool

    def attributes(self) -> dict[str, str]:
        return {
            "Content-Type": self.content_type,
            "Cache-Control": self.cache_control,
            SHA256_ATTRIBUTE: self.sha256,
        }


@dataclass
class Plan:
    destination: str
    feed: LocalFile
    upload: list[LocalFile]
    """Everything but the feed that is new or changed, media first."""
    unchanged: list[LocalFile]
    delete: list[StoredObject]
    """Objects under the show's prefixes that the new feed no longer references."""
    feed_changed: bool
    problems: list[Problem] = field(default_factory=list)
    """Warnings: media replaced under the same name, a cache that was ignored."""
    ignored: int = 0
    """Warnings left out by `ignore_warnings`."""

    @property
    def upload_bytes(self) -> int:
        return sum(f.size for f in self.upload) + (self.feed.size if self.feed_changed else 0)

    @property
    def uploads(self) -> int:
        return len(self.upload) + self.feed_changed


@dataclass
class PublishResult:
    plan: Plan
    build: BuildResult
    dry_run: bool
    feed_url: str
    """Where the feed now is in the store (`s3://bucket/show/feed.xml`)."""


class Progress(Protocol):
    """What the command line shows while files upload."""

    def start(self, files: int, total_bytes: int) -> None: ...

    def uploaded(self, file: LocalFile) -> None: ...

    def finish(self) -> None: ...


def publish(
    root: Path,
    destination: str | None = None,
    *,
    dry_run: bool = False,
    delete: bool = False,
    strict: bool = False,
    allow_removal: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    cache: Cache | None = None,
) -> PublishResult:
    """Build the show and bring the destination up to date with it; see the module's docstring.

    On any failure before the feed is written, the destination still serves the old feed,
    and running again finishes the job.
    """
    show = _show_or_problems(root, now)
    target = destination or show.publish.destination
    if not target:
        raise NoDestination(
            "no destination: pass one (podcast-feed publish s3://bucket/show) or set "
            f"publish.destination in {SHOW_FILE}"
        )
    check_destination(target)
    folder = local_folder(target)
    if destination is None and folder is not None and not folder.is_absolute():
        # podcast.yaml's folder is the show's, wherever the command runs (`--root show`)
        folder = root / folder
        target = str(folder)
    if folder is not None and among_show_files(root, folder):
        raise DestinationInShow(
            f"{target} is among the show's own files: publishing there would mix the feed, "
            "the website and copies of media/ with them (and --delete could remove your own "
            "files); publish to a folder of its own, e.g. /srv/www/show"
        )
    if example_addresses(show):  # before the storage is asked, with every other problem
        found = validate(root, now=now, cache=cache, publishing=True)
        raise ProblemsFound(found.problems, found.ignored)
    where = layout(show)
    store = Store(target, show.publish.endpoint, show.publish.region)
    remote = store.list()
    live_feed = _live_feed(store, where, remote)
    with tempfile.TemporaryDirectory(prefix="podcast-feed-publish-") as staging:
        result = build(
            root,
            Path(staging),
            strict=strict,
            now=now,
            previous=live_feed,
            allow_removal=allow_removal,
            cache=cache,
            publishing=True,
        )
        local, cache_problems = _local_files(root, Path(staging), show, result, where)
        plan = _plan(store, where, local, remote, delete)
        replaced, ignored = without_ignored(plan.problems, show.ignore_warnings, {})
        plan.problems = result.problems + cache_problems + replaced
        plan.ignored = result.ignored + ignored
        if not dry_run:
            _carry_out(store, plan, local, remote, progress)
    return PublishResult(plan, result, dry_run, store.url_of(where.feed_key))


def _show_or_problems(root: Path, now: datetime | None) -> Show:
    """podcast.yaml's settings, needed before building; when it is broken, every problem."""
    show, problems = load_show(root / SHOW_FILE)
    if show is None or has_errors(problems):
        raise ProblemsFound(validate(root, now=now, publishing=True).problems)
    return show


def _live_feed(
    store: Store, where: Layout, remote: dict[str, StoredObject]
) -> PublishedFeed | None:
    """The feed subscribers get now, for the history guard; None on the first publish."""
    if where.feed_key not in remote:
        return None
    data = store.read(where.feed_key)
    return parse_feed(data, store.url_of(where.feed_key)) if data else None


def _local_files(
    root: Path, staging: Path, show: Show, result: BuildResult, where: Layout
) -> tuple[list[LocalFile], list[Problem]]:
    """Every file the new feed needs: built files (feed last) and referenced media."""
    hashes = HashCache(root / HASH_CACHE, HASH_CACHE.as_posix())
    files: list[LocalFile] = []
    settings: Publish = show.publish
    media_dir = root / "media"
    for reference in sorted(result.media):
        path = media_dir / reference
        # transcripts are corrected after release: they get the feed's short cache lifetime
        sidecar = path.suffix.lower() in TRANSCRIPT_TYPES
        files.append(
            LocalFile(
                key=where.media_prefix + reference,
                path=path,
                size=path.stat().st_size,
                sha256=hashes.sha256(path, reference),
                content_type=content_type(path),
                cache_control=settings.feed_cache_control
                if sidecar
                else settings.media_cache_control,
                is_media=not sidecar,
            )
        )
    # dotfiles (a build's temporary files) are never published
    built = sorted(
        p
        for p in staging.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(staging).parts)
    )
    for path in built:
        relative = path.relative_to(staging).as_posix()
        in_chapters = relative.startswith(f"{CHAPTERS_FOLDER}/")
        key = where.feed_key if relative == FEED_FILE else where.output_prefix + relative
        files.append(
            LocalFile(
                key=key,
                path=path,
                size=path.stat().st_size,
                sha256=sha256_of(path),
                content_type=content_type(path, in_chapters),
                cache_control=settings.feed_cache_control,
                is_media=False,
            )
        )
    hashes.save()
    return files, hashes.problems


def _plan(
    store: Store,
    where: Layout,
    local: list[LocalFile],
    remote: dict[str, StoredObject],
    delete: bool,
) -> Plan:
    manifest = _manifest(store, remote)
    same_size = [remote[f.key] for f in local if f.key in remote and remote[f.key].size == f.size]
    with ThreadPoolExecutor(max_workers=_PARALLEL_UPLOADS) as pool:
        stored_hashes = dict(
            zip(
                (stored.key for stored in same_size),
                pool.map(lambda stored: _stored_hash(store, stored, manifest), same_size),
                strict=True,
            )
        )
    upload: list[LocalFile] = []
    unchanged: list[LocalFile] = []
    problems: list[Problem] = []
    feed: LocalFile | None = None
    feed_changed = False
    for file in local:
        stored = remote.get(file.key)
        same = stored_hashes.get(file.key) == file.sha256
        if file.key == where.feed_key:
            feed, feed_changed = file, not same
        elif same:
            unchanged.append(file)
        else:
            upload.append(file)
            if stored is not None and file.is_media:
                problems.append(
                    warning(
                        "media-replaced",
                        f"media/{file.key.removeprefix(where.media_prefix)}",
                        None,
                        f"differs from the copy already published at {store.url_of(file.key)}; "
                        "caches and apps that downloaded it may keep the old one",
                        "publish changed audio under a new file name, with 'republish: true' "
                        "in the episode",
                    )
                )
    assert feed is not None, "build always writes feed.xml"
    referenced = {file.key for file in local}
    stale = [
        stored
        for key, stored in sorted(remote.items())
        if delete and key not in referenced and key != MANIFEST_KEY and where.owns(key)
    ]
    upload.sort(key=lambda f: (not f.is_media, f.key))
    return Plan(store.url, feed, upload, unchanged, stale, feed_changed, problems)


def _manifest(store: Store, remote: dict[str, StoredObject]) -> dict[str, dict[str, object]]:
    if MANIFEST_KEY not in remote:
        return {}
    try:
        document = json.loads(store.read(MANIFEST_KEY) or b"{}")
        objects = document.get("objects", {})
    except (ValueError, AttributeError):
        return {}  # a manifest is only a shortcut: without it, each object's metadata is read
    return objects if isinstance(objects, dict) else {}


def _stored_hash(
    store: Store, stored: StoredObject, manifest: dict[str, dict[str, object]]
) -> str | None:
    """The SHA-256 of what is stored: from the manifest while the object is as recorded there
    (same size and ETag), else from its metadata, else (a local folder) from its bytes."""
    entry = manifest.get(stored.key)
    if (
        isinstance(entry, dict)
        and entry.get("size") == stored.size
        and entry.get("e_tag") == stored.e_tag
        and isinstance(entry.get("sha256"), str)
    ):
        return str(entry["sha256"])
    if store.keeps_attributes:
        return store.describe(stored.key)[1].get(SHA256_ATTRIBUTE)
    return store.content_hash(stored.key)


def _carry_out(
    store: Store,
    plan: Plan,
    local: Sequence[LocalFile],
    remote: dict[str, StoredObject],
    progress: Progress | None,
) -> None:
    """Media and sidecars, verified; then feed.xml; then the manifest; then deletions."""
    if progress:
        progress.start(plan.uploads, plan.upload_bytes)
    try:
        failures = _upload_all(store, plan.upload, progress)
        if not failures:
            failures = _verify(store, plan.upload)
    except KeyboardInterrupt:
        if progress:
            progress.finish()
        raise Interrupted(
            f"{store.url}: feed.xml was not replaced; subscribers still get the previous feed. "
            "Run publish again to finish (what was uploaded is not uploaded again)."
        ) from None
    if failures:
        if progress:
            progress.finish()
        raise PublishFailed(
            "\n".join(failures) + f"\n{store.url}: feed.xml was not replaced; subscribers still "
            "get the previous feed. Fix the cause and run publish again to finish."
        )
    if plan.feed_changed:
        store.put(plan.feed.key, plan.feed.path, plan.feed.attributes())
        if progress:
            progress.uploaded(plan.feed)
    if progress:
        progress.finish()
    try:
        if plan.uploads or plan.delete or MANIFEST_KEY not in remote:
            _write_manifest(store, local)
        store.delete(stored.key for stored in plan.delete)
    except KeyboardInterrupt:
        raise Interrupted(
            f"{store.url}: the new feed is published; run publish again to finish tidying up"
        ) from None


def _upload_all(store: Store, files: Sequence[LocalFile], progress: Progress | None) -> list[str]:
    def upload(file: LocalFile) -> str | None:
        try:
            store.put(file.key, file.path, file.attributes())
        except PodcastFeedError as exc:
            return str(exc)
        return None

    failures = []
    with ThreadPoolExecutor(max_workers=_PARALLEL_UPLOADS) as pool:
        try:
            for file, failure in zip(files, pool.map(upload, files), strict=True):
                if failure:
                    failures.append(failure)
                elif progress:
                    progress.uploaded(file)
        except KeyboardInterrupt:  # the uploads under way finish; the rest never start
            pool.shutdown(cancel_futures=True)
            raise
    return failures


def _verify(store: Store, files: Sequence[LocalFile]) -> list[str]:
    """Read back what was uploaded: the right size, and the right type where the store keeps
    one, before any feed points at it."""

    def check(file: LocalFile) -> str | None:
        try:
            stored, attributes = store.describe(file.key)
        except PodcastFeedError as exc:
            return str(exc)
        if stored.size != file.size:
            return f"{store.url}: {file.key} is {stored.size} bytes after upload, not {file.size}"
        stored_type = attributes.get("Content-Type")
        if store.keeps_attributes and stored_type != file.content_type:
            return f"{store.url}: {file.key} is served as {stored_type!r}, not {file.content_type}"
        return None

    with ThreadPoolExecutor(max_workers=_PARALLEL_UPLOADS) as pool:
        return [failure for failure in pool.map(check, files) if failure]


def _write_manifest(store: Store, local: Sequence[LocalFile]) -> None:
    """Record what is now published; listed ETags come from one fresh listing."""
    listed = store.list()
    objects = {
        file.key: {"size": file.size, "sha256": file.sha256, "e_tag": listed[file.key].e_tag}
        for file in local
        if file.key in listed
    }
    document = {"version": 1, "objects": dict(sorted(objects.items()))}
    store.put(
        MANIFEST_KEY,
        (json.dumps(document, indent=1) + "\n").encode(),
        {"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


class HashCache:
    """SHA-256 of files in media/, reused while a file's size and mtime are unchanged."""

    def __init__(self, path: Path, shown_as: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.entries: dict[str, list[object]] = {}
        self.changed = False
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError("not a mapping")
            self.entries = loaded
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            self.changed = True
            self.problems.append(
                warning(
                    "cache-ignored",
                    shown_as,
                    None,
                    f"the hash cache could not be read ({exc}); it was rebuilt",
                    "nothing to do; delete the folder if this repeats",
                )
            )

    def sha256(self, path: Path, name: str) -> str:
        stat = path.stat()
        entry = self.entries.get(name)
        if isinstance(entry, list) and entry[:2] == [stat.st_size, stat.st_mtime_ns]:
            return str(entry[2])
        digest = sha256_of(path)
        self.entries[name] = [stat.st_size, stat.st_mtime_ns, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if not self.changed:
            return
        # a cache not written only costs time next run
        with contextlib.suppress(CannotWrite):
            write_all(
                self.path.parent,
                [(self.path.name, json.dumps(self.entries, sort_keys=True).encode())],
            )
