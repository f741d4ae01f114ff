"""`publish` to Google Cloud Storage through obstore's own GCS client, against a server in
this file that answers the part of GCS's XML API that client uses (list, put, get, head,
delete, and the multipart upload of a file over 5 MB: cloud.google.com/storage/docs/xml-api),
over real HTTP on 127.0.0.1, reached as fake-gcs-server is: `GOOGLE_BASE_URL`, and a service
account key with OAuth off.

No GCS emulator installs here (fake-gcs-server needs Go, and PyPI's gcp-storage-emulator has
no XML listing, HEAD or DELETE): the server keeps what it is sent and gives it back, and
records the order of the writes."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from .conftest import PUBLISHED_AT, MakeProject
from .test_publish import FIRST_PUBLISH, FIRST_PUBLISH_HEADERS, SHOW_FILES, episodes_in, publish

_KEPT_HEADERS = ("content-type", "cache-control", "content-disposition", "content-language")


def _md5(body: bytes) -> str:
    return hashlib.md5(body).hexdigest()  # what GCS's ETag of an object put whole is


@dataclass
class Blob:
    body: bytes
    headers: dict[str, str]
    etag: str


@dataclass
class Buckets:
    """What the server holds, by bucket and object name, every write in order, and the
    multipart uploads under way (their object's headers and parts, by upload id)."""

    objects: dict[str, dict[str, Blob]] = field(default_factory=dict)
    writes: list[tuple[str, str, str]] = field(default_factory=list)
    uploads: dict[str, tuple[dict[str, str], dict[int, bytes]]] = field(default_factory=dict)


class _XmlApi(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    buckets: Buckets

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _target(self) -> tuple[str, str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        bucket, _, name = parts.path.lstrip("/").partition("/")
        return unquote(bucket), unquote(name), parse_qs(parts.query, keep_blank_values=True)

    def _answer(
        self, status: int, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str) -> None:
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
        body += f"<Message>{message}</Message></Error>"
        self._answer(status, body.encode(), {"Content-Type": "application/xml; charset=UTF-8"})

    def _bucket(self, name: str) -> dict[str, Blob] | None:
        found = self.buckets.objects.get(name)
        if found is None:
            self._error(404, "NoSuchBucket", "The specified bucket does not exist.")
        return found

    def do_GET(self) -> None:
        bucket, name, query = self._target()
        objects = self._bucket(bucket)
        if objects is None:
            return
        if not name:  # a listing, in the form GCS shares with S3 (`list-type=2`)
            prefix = query.get("prefix", [""])[0]
            contents = "".join(
                f"<Contents><Key>{escape(key)}</Key><Size>{len(blob.body)}</Size>"
                f"<LastModified>2025-03-01T00:00:00.000Z</LastModified>"
                f"<ETag>{escape(blob.etag)}</ETag></Contents>"
                for key, blob in sorted(objects.items())
                if key.startswith(prefix)
            )
            listing = (
                "<?xml version='1.0' encoding='UTF-8'?><ListBucketResult "
                "xmlns='http://doc.s3.amazonaws.com/2006-03-01'>"
                f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>"
                f"<IsTruncated>false</IsTruncated>{contents}</ListBucketResult>"
            )
            self._answer(200, listing.encode(), {"Content-Type": "application/xml"})
            return
        blob = objects.get(name)
        if blob is None:
            self._error(404, "NoSuchKey", "The specified key does not exist.")
            return
        headers = blob.headers | {"ETag": blob.etag, "Last-Modified": formatdate(usegmt=True)}
        self._answer(200, blob.body, headers)

    def do_HEAD(self) -> None:
        self.do_GET()  # (`_answer` sends no body)

    def _kept_headers(self) -> dict[str, str]:
        return {
            header: value
            for header, value in self.headers.items()
            if header.lower() in _KEPT_HEADERS or header.lower().startswith("x-goog-meta-")
        }

    def do_PUT(self) -> None:
        bucket, name, query = self._target()
        objects = self._bucket(bucket)
        if objects is None:
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if "uploadId" in query:  # a part of a multipart upload
            upload = self.buckets.uploads[query["uploadId"][0]]
            upload[1][int(query["partNumber"][0])] = body
            self._answer(200, b"", {"ETag": f'"{_md5(body)}"'})
            return
        objects[name] = Blob(body, self._kept_headers(), f'"{_md5(body)}"')
        self.buckets.writes.append(("PUT", bucket, name))
        self._answer(200, b"", {"ETag": objects[name].etag})

    def do_POST(self) -> None:
        """A multipart upload begun (`?uploads`, with the object's headers) or completed
        (`?uploadId=`, with the list of its parts)."""
        bucket, name, query = self._target()
        objects = self._bucket(bucket)
        if objects is None:
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        xml = {"Content-Type": "application/xml"}
        if "uploads" in query:
            upload_id = uuid.uuid4().hex
            self.buckets.uploads[upload_id] = (self._kept_headers(), {})
            answer = "<InitiateMultipartUploadResult><Bucket>{}</Bucket><Key>{}</Key>"
            answer += f"<UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>"
            self._answer(200, answer.format(escape(bucket), escape(name)).encode(), xml)
            return
        headers, parts = self.buckets.uploads.pop(query["uploadId"][0])
        listed = etree.fromstring(body).findall("Part")
        numbers = [int(part.findtext("PartNumber", "")) for part in listed]
        assert [part.findtext("ETag") for part in listed] == [
            f'"{_md5(parts[number])}"' for number in numbers
        ], "a part was completed with another part's ETag"
        whole = b"".join(parts[number] for number in numbers)
        etag = f'"{_md5(whole)}-{len(numbers)}"'
        objects[name] = Blob(whole, headers, etag)
        self.buckets.writes.append(("MULTIPART", bucket, name))
        answer = f"<CompleteMultipartUploadResult><ETag>{escape(etag)}</ETag>"
        self._answer(200, f"{answer}</CompleteMultipartUploadResult>".encode(), xml)

    def do_DELETE(self) -> None:
        bucket, name, query = self._target()
        objects = self._bucket(bucket)
        if objects is None:
            return
        if "uploadId" in query:  # a multipart upload given up
            self.buckets.uploads.pop(query["uploadId"][0], None)
            self._answer(204)
            return
        if objects.pop(name, None) is None:
            self._error(404, "NoSuchKey", "The specified key does not exist.")
            return
        self.buckets.writes.append(("DELETE", bucket, name))
        self._answer(204)


@pytest.fixture(scope="session")
def gcs() -> Iterator[tuple[str, Buckets]]:
    """The server, on a free port of 127.0.0.1, for the whole run."""
    buckets = Buckets()
    handler = type("Handler", (_XmlApi,), {"buckets": buckets})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", buckets
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bucket(gcs: tuple[str, Buckets], monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket, and the environment a CI job gives publish to reach an emulator."""
    address, buckets = gcs
    monkeypatch.setenv("GOOGLE_BASE_URL", address)
    key = {"disable_oauth": True, "client_email": "", "private_key": "", "private_key_id": ""}
    monkeypatch.setenv("GOOGLE_SERVICE_ACCOUNT_KEY", json.dumps(key))
    name = f"show-{uuid.uuid4().hex[:12]}"
    buckets.objects[name] = {}
    return name


@pytest.fixture
def show_root(make_project: MakeProject) -> Path:
    return make_project(SHOW_FILES)


def test_publish_to_gcs_uploads_what_the_feed_needs_with_its_headers_feed_last(
    show_root: Path, bucket: str, gcs: tuple[str, Buckets]
) -> None:
    _, buckets = gcs
    code, out, err = publish(show_root, f"gs://{bucket}/show")
    assert code == 0, err
    assert out.endswith(f"0 unchanged, 0 deleted -> gs://{bucket}/show/feed.xml\n")
    stored = buckets.objects[bucket]
    assert sorted(stored) == FIRST_PUBLISH
    for key, (content_type, cache) in FIRST_PUBLISH_HEADERS.items():
        blob = stored[key]
        headers = {name.lower(): value for name, value in blob.headers.items()}
        assert (headers["content-type"], headers["cache-control"]) == (content_type, cache)
        assert headers["x-goog-meta-sha256"] == hashlib.sha256(blob.body).hexdigest()
        if key.startswith("show/media/"):
            assert blob.body == (show_root / "media" / key[11:]).read_bytes()
    written = [name for _, where, name in buckets.writes if where == bucket]
    assert written[-2:] == ["show/feed.xml", "show/.podcast-feed-manifest.json"]  # feed last
    [item] = episodes_in(stored["show/feed.xml"].body)
    assert item["enclosures"][0]["url"] == f"{PUBLISHED_AT}/media/cbr.mp3"


def test_publish_to_gcs_again_uploads_nothing_then_only_what_changed_and_deletes(
    show_root: Path, bucket: str, gcs: tuple[str, Buckets]
) -> None:
    _, buckets = gcs
    assert publish(show_root, f"gs://{bucket}/show")[0] == 0
    before = len(buckets.writes)
    code, out, _ = publish(show_root, f"gs://{bucket}/show")
    assert (code, out.startswith("Nothing to upload: the destination is up to date.")) == (0, True)
    assert len(buckets.writes) == before
    path = show_root / "episodes" / "001-episode.md"
    path.write_text(path.read_text().replace("chapters:", "transcripts: []\nchapters:"))
    code, out, err = publish(show_root, f"gs://{bucket}/show", "--delete")
    assert code == 0, err
    assert "1 deleted" in out
    assert "show/media/cbr.vtt" not in buckets.objects[bucket]  # no episode has it now
    assert ("DELETE", bucket, "show/media/cbr.vtt") in buckets.writes


@pytest.mark.usefixtures("bucket")  # the emulator's environment, and another bucket
def test_a_bucket_that_does_not_exist_is_one_clear_line(show_root: Path) -> None:
    code, out, err = publish(show_root, "gs://no-such-bucket/show")
    assert (code, out) == (1, "")
    assert err.startswith(
        "error: cannot list at gs://no-such-bucket/show: NoSuchBucket: The specified bucket "
        "does not exist. (check the bucket's name, and that it exists in this account and "
        "region)"
    ), err


def test_a_large_file_goes_up_to_gcs_in_parts_with_its_headers(
    show_root: Path, bucket: str, gcs: tuple[str, Buckets]
) -> None:
    _, buckets = gcs
    transcript = show_root / "media" / "cbr.txt"  # a sidecar too large for one PUT (> 5 MB)
    transcript.write_bytes(b"Hello and welcome.\n" * 350_000)
    code, _, err = publish(show_root, f"gs://{bucket}/show")
    assert code == 0, err
    assert ("MULTIPART", bucket, "show/media/cbr.txt") in buckets.writes
    stored = buckets.objects[bucket]["show/media/cbr.txt"]
    assert stored.body == transcript.read_bytes()
    headers = {name.lower(): value for name, value in stored.headers.items()}
    assert headers["content-type"] == "text/plain"
    assert headers["x-goog-meta-sha256"] == hashlib.sha256(stored.body).hexdigest()
    assert stored.etag.endswith('-2"')  # not an MD5 of the bytes: the SHA-256 tells them
    assert not buckets.uploads  # none left unfinished
    assert publish(show_root, f"gs://{bucket}/show")[1].startswith("Nothing to upload")
