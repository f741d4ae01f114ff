"""Object storage, through obstore (the only module that knows it): S3 and every S3-compatible
store, Google Cloud Storage, Azure Blob Storage and a local folder, behind one small interface.

Credentials come only from the environment and each provider's standard configuration, never
from podcast.yaml; no message here ever contains them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

import obstore
from obstore.store import LocalStore, from_url

from .errors import PodcastFeedError
from .fields import FieldProblem, destination

if TYPE_CHECKING:
    from obstore.store import ObjectStore

SHA256_ATTRIBUTE = "sha256"
"""User metadata (x-amz-meta-sha256 on S3) holding the object's content hash: an ETag is not
one for multipart uploads."""

_RETRIES: Any = {
    "max_retries": 3,
    "backoff": {
        "init_backoff": timedelta(milliseconds=100),
        "max_backoff": timedelta(seconds=2),
        "base": 2,
    },
    "retry_timeout": timedelta(seconds=60),
}
_CHUNK = 1024 * 1024


class StorageError(PodcastFeedError):
    """The store refused or could not be reached; the message says which and what to do."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    e_tag: str | None


class Store:
    """One destination: keys are relative to its URL, like files under a folder."""

    def __init__(self, url: str, endpoint: str | None = None, region: str | None = None) -> None:
        self.url = display_url(url)
        folder = local_folder(url)
        self._folder = folder.resolve() if folder else None
        """A local destination's folder; one not there yet is made by the first write (the
        store is opened then), so that a dry run or a publish whose build fails leaves
        nothing behind."""
        new_folder = folder is not None and not folder.exists()
        self._opened = None if new_folder else _open(url, endpoint, region)
        self.keeps_attributes = folder is None
        """A local folder keeps no Content-Type or metadata: the web server in front decides."""

    @property
    def _store(self) -> ObjectStore:
        if self._opened is None:
            assert self._folder is not None
            self._opened = _open(str(self._folder), None, None)
        return self._opened

    def url_of(self, key: str) -> str:
        """Where a key is, as shown to people: `s3://bucket/show/feed.xml`."""
        return f"{self.url.rstrip('/')}/{key}"

    def list(self) -> dict[str, StoredObject]:
        """Every object under the destination, by key."""
        found: dict[str, StoredObject] = {}
        if self._opened is None:  # a folder not made yet holds nothing
            return found
        with self._failures("list"):
            for batch in obstore.list(self._store, chunk_size=1000):
                for meta in batch:
                    found[meta["path"]] = StoredObject(meta["path"], meta["size"], meta["e_tag"])
        return found

    def read(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        if self._opened is None:
            return None
        with self._failures(f"read {key}"):
            try:
                return bytes(obstore.get(self._store, key).bytes())
            except FileNotFoundError:
                return None

    def describe(self, key: str) -> tuple[StoredObject, dict[str, str]]:
        """The object's size and ETag, and its attributes (Content-Type, metadata)."""
        with self._failures(f"check {key}"):
            result = obstore.get(self._store, key, options={"head": True})
            meta = result.meta
            attributes = {str(k): str(v) for k, v in result.attributes.items()}
        return StoredObject(key, meta["size"], meta["e_tag"]), attributes

    def content_hash(self, key: str) -> str:
        """SHA-256 of the object's bytes, read in chunks (for stores that keep no metadata)."""
        digest = hashlib.sha256()
        with self._failures(f"read {key}"):
            for chunk in obstore.get(self._store, key).stream(min_chunk_size=_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def put(self, key: str, source: Path | bytes, attributes: dict[str, str]) -> None:
        """Write one object whole: readers see the old object or the new one, never a part."""
        with self._failures(f"upload {key}"):
            obstore.put(
                self._store,
                key,
                source,
                attributes=attributes if self.keeps_attributes else None,
            )

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            with self._failures(f"delete {key}"):
                obstore.delete(self._store, key)
            if self._folder is not None:
                self._remove_empty_folders(PurePosixPath(key).parent)

    def _remove_empty_folders(self, folder: PurePosixPath) -> None:
        """In a local destination, the folders a deletion emptied (a removed episode's page
        folder), up to the destination: a web server would answer them with a listing or 403,
        not 404. An object store has no folders."""
        assert self._folder is not None
        while folder.parts:
            try:
                (self._folder / folder).rmdir()
            except OSError:  # not empty (or already gone): the folders above are not either
                return
            folder = folder.parent

    def _failures(self, action: str) -> _Failures:
        return _Failures(f"cannot {action} at {self.url}")


class _Failures:
    """Turns whatever the store raises into one StorageError line, with what to check."""

    def __init__(self, doing: str) -> None:
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _: Any
    ) -> Literal[False]:
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, PodcastFeedError):
            return False
        raise StorageError(f"{self.doing}: {explain(exc)}") from None


def explain(exc: BaseException) -> str:
    """The store's own words, shortened to what a person can act on."""
    text = str(exc)
    code = re.search(r"<Code>([^<]+)</Code>", text)
    message = re.search(r"<Message>([^<]+)</Message>", text)
    if code:
        said = f"{code.group(1)}: {message.group(1)}" if message else code.group(1)
        return f"{said} ({_HINTS.get(code.group(1), 'check the destination and credentials')})"
    lowered = text.lower()
    for clue, hint in _CLUES:
        if clue in lowered:
            return hint
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first[:300]


_HINTS = {
    "NoSuchBucket": "check the bucket's name, and that it exists in this account and region",
    "AccessDenied": "the credentials lack permission: allow s3:ListBucket, GetObject, PutObject "
    "and DeleteObject on the bucket",
    "InvalidAccessKeyId": "check AWS_ACCESS_KEY_ID",
    "SignatureDoesNotMatch": "check AWS_SECRET_ACCESS_KEY",
    "PermanentRedirect": "the bucket is in another region: set AWS_REGION or publish.region",
}
_NO_CREDENTIALS = (
    "no usable credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (GCS: "
    "GOOGLE_APPLICATION_CREDENTIALS; Azure: AZURE_STORAGE_ACCOUNT_NAME and "
    "AZURE_STORAGE_ACCOUNT_KEY) in the environment"
)
_CLUES = (
    # Without credentials in the environment, the stores ask the cloud's metadata service.
    ("/latest/api/token", _NO_CREDENTIALS),
    ("/latest/meta-data", _NO_CREDENTIALS),
    ("computemetadata", _NO_CREDENTIALS),
    ("metadata/identity", _NO_CREDENTIALS),
    ("token request", _NO_CREDENTIALS),
    ("credential", _NO_CREDENTIALS),
    (
        "connect",
        "the storage endpoint cannot be reached: check AWS_ENDPOINT_URL or publish.endpoint, "
        "and the network",
    ),
    ("timed out", "the storage endpoint did not answer in time; try again"),
    ("dns error", "the storage endpoint's host name does not resolve: check the endpoint"),
    (
        "permission denied",
        "permission denied: check that the destination folder is writable",
    ),
)


def display_url(url: str) -> str:
    """The destination as shown to people: no user, password or query string.

    >>> display_url("s3://key:secret@bucket/show?token=x")
    's3://bucket/show'
    """
    parts = urlsplit(url)
    if not parts.scheme or len(parts.scheme) == 1:  # a plain path (or C:\\...)
        return url
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{parts.path}"


def local_folder(url: str) -> Path | None:
    """The folder of a file:// URL or a plain path; None for a cloud store."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(parts.path)
    if "://" not in url:
        return Path(url)
    return None


def check_destination(url: str) -> None:
    """Refuse a destination `publish` cannot write to, as podcast.yaml's is refused: a
    command line's `file://www/show` would otherwise write to /show."""
    try:
        destination(url)
    except FieldProblem as problem:
        raise StorageError(f"{problem.message}; {problem.fix}") from None


def _open(url: str, endpoint: str | None, region: str | None) -> ObjectStore:
    folder = local_folder(url)
    if folder is not None:
        folder = folder.resolve()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create {folder}: {exc.strerror}") from None
        return LocalStore(folder)
    parts = urlsplit(url)
    clean = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    config: dict[str, Any] = {}
    client: dict[str, Any] = {"connect_timeout": "10s", "timeout": "600s"}
    if parts.scheme == "s3":
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or endpoint
        if endpoint:
            config["endpoint"] = endpoint
            client["allow_http"] = endpoint.startswith("http://")
        if region and not os.environ.get("AWS_REGION"):
            config["region"] = region
    elif parts.scheme == "gs" and (base_url := os.environ.get("GOOGLE_BASE_URL")):
        # an emulator's address (fake-gcs-server), which the client options set here would
        # otherwise keep the store from reaching over plain http
        client["allow_http"] = base_url.startswith("http://")
    try:
        opener: Any = from_url  # its overloads want a literal config type per provider
        return cast(
            "ObjectStore",
            opener(clean, config=config or None, client_options=client, retry_config=_RETRIES),
        )
    except Exception as exc:  # obstore rejects bad URLs and settings with several error types
        raise StorageError(f"cannot use {display_url(url)}: {explain(exc)}") from None
