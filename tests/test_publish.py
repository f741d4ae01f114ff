"""`podcast-feed publish` against a real S3 API server (moto, over HTTP on 127.0.0.1) and a
local folder: what is uploaded, with which headers, in which order, and what a failure leaves."""

from __future__ import annotations

import hashlib
import http.client
import http.server
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import boto3
import podcastparser
import pytest
import yaml
from moto.server import ThreadedMotoServer

from podcast_feed import validate
from podcast_feed.layout import CACHE_FOLDER

from .conftest import AUDIO, PUBLISHED_AT, MakeProject, episode, published_show, run, show, snapshot

NOW = "2025-03-01T00:00:00Z"


@pytest.fixture
def make_project(make_project: MakeProject) -> MakeProject:
    """conftest's, with podcast.yaml at addresses publish accepts (`published_show`)."""

    def make(files: dict[str, Any] | None = None, with_default_episode: bool = True) -> Path:
        return make_project(
            {"podcast.yaml": published_show(), **(files or {})}, with_default_episode
        )

    return make


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One S3 server for the whole run; each test gets its own bucket."""
    # the request recorder writes to the working folder unless told otherwise
    os.environ["MOTO_RECORDER_FILEPATH"] = str(tmp_path_factory.mktemp("moto") / "recording")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket, and the environment a CI job would give publish to reach it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    name = f"show-{uuid.uuid4().hex[:12]}"
    s3().create_bucket(Bucket=name)
    return name


def s3() -> Any:
    return boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def objects(bucket: str) -> dict[str, dict[str, Any]]:
    """Every object in the bucket with its headers and bytes, as a client would GET it."""
    found = {}
    for item in s3().list_objects_v2(Bucket=bucket).get("Contents", []):
        response = s3().get_object(Bucket=bucket, Key=item["Key"])
        found[item["Key"]] = {
            "type": response["ContentType"],
            "cache": response.get("CacheControl"),
            "sha256": response["Metadata"].get("sha256"),
            "body": response["Body"].read(),
        }
    return found


def publish(root: Path, destination: str, *args: str) -> tuple[int, str, str]:
    return run("publish", destination, "--root", str(root), "--now", NOW, *args)


class Recording:
    """moto's request recorder: the order in which the server received writes."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def __enter__(self) -> Recording:
        for action in ("reset", "start"):
            self._post(f"{action}-recording")
        return self

    def __exit__(self, *_: object) -> None:
        self._post("stop-recording")

    def writes(self, bucket: str) -> list[tuple[str, str]]:
        with urllib.request.urlopen(f"{self.endpoint}/moto-api/recorder/download-recording") as r:
            text = r.read().decode()
        # one JSON record per request; moto's threads sometimes write two without a newline
        requests, position, decoder = [], 0, json.JSONDecoder()
        while text[position:].strip():
            position += len(text[position:]) - len(text[position:].lstrip())
            record, position = decoder.raw_decode(text, position)
            requests.append(record)
        prefix = f"{self.endpoint}/{bucket}/"
        return [
            (request["method"], request["url"].removeprefix(prefix).split("?")[0])
            for request in requests
            if request["method"] in ("PUT", "POST", "DELETE") and bucket in request["url"]
        ]

    def _post(self, action: str) -> None:
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/recorder/{action}", method="POST"
        )
        urllib.request.urlopen(request).close()


SHOW_FILES: dict[str, str | bytes | dict[str, Any]] = {
    "podcast.yaml": published_show(site=False),
    "media/cbr.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Ada>Hello\n",
    "episodes/001-episode.md": episode(
        chapters=[{"start": 0, "title": "Start"}, {"start": 1, "title": "Middle"}]
    ),
    "episodes/002-draft.md": episode(title="Draft", audio="vbr.mp3", guid="draft", draft=True),
    "episodes/003-later.md": episode(
        title="Later", audio="tone.m4a", guid="later", date="2099-01-01"
    ),
}
"""`show_root`'s files: a published episode with chapters and a transcript, a draft and a
scheduled episode, each with its own audio. No website: its pages have tests of their own
below. The tests of each store publish it."""


@pytest.fixture
def show_root(make_project: MakeProject) -> Path:
    return make_project(SHOW_FILES)


FIRST_PUBLISH = [
    "show/.podcast-feed-manifest.json",
    "show/chapters/001-episode.json",
    "show/feed.xml",
    "show/media/cbr.mp3",
    "show/media/cbr.vtt",
    "show/media/cover.jpg",
]
"""What the first publish of `show_root`'s one published episode (with chapters and a
transcript) puts under show/, on any store."""
FIRST_PUBLISH_HEADERS = {
    "show/media/cbr.mp3": ("audio/mpeg", "public, max-age=604800"),
    "show/media/cover.jpg": ("image/jpeg", "public, max-age=604800"),
    "show/media/cbr.vtt": ("text/vtt", "public, max-age=300"),
    "show/feed.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
}
"""The Content-Type and Cache-Control some of them go up with, on any store."""


def episodes_in(feed: bytes) -> list[dict[str, Any]]:
    """The episodes of a published feed, as gPodder reads it."""
    parsed = podcastparser.parse(f"{PUBLISHED_AT}/feed.xml", io.BytesIO(feed))
    return cast("list[dict[str, Any]]", parsed["episodes"])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_first_publish_uploads_exactly_what_the_feed_needs_with_headers(
    show_root: Path, bucket: str
) -> None:
    code, out, err = publish(show_root, f"s3://{bucket}/show")
    assert code == 0, err
    assert out.endswith(
        f"Published 1 episode: 5 files uploaded ({_kb(show_root)}), 0 unchanged, 0 deleted "
        f"-> s3://{bucket}/show/feed.xml\n"
    )
    stored = objects(bucket)
    assert sorted(stored) == FIRST_PUBLISH
    for key, headers in FIRST_PUBLISH_HEADERS.items():
        assert (stored[key]["type"], stored[key]["cache"]) == headers
        assert stored[key]["sha256"] == hashlib.sha256(stored[key]["body"]).hexdigest()
        if key.startswith("show/media/"):
            assert stored[key]["body"] == (show_root / "media" / key[11:]).read_bytes()
    assert stored["show/chapters/001-episode.json"]["type"] == "application/json+chapters"
    assert [e["title"] for e in episodes_in(stored["show/feed.xml"]["body"])] == ["An Episode"]


def test_drafts_and_scheduled_episodes_are_never_uploaded(show_root: Path, bucket: str) -> None:
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    keys = set(objects(bucket))
    assert "show/media/vbr.mp3" not in keys
    assert "show/media/tone.m4a" not in keys


def test_second_publish_uploads_nothing(show_root: Path, bucket: str, s3_endpoint: str) -> None:
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    with Recording(s3_endpoint) as recording:
        code, out, _ = publish(show_root, f"s3://{bucket}/show")
    assert code == 0
    assert out.startswith("Nothing to upload: the destination is up to date. Published 1 episode")
    assert ": 0 files uploaded (0 B), 5 unchanged, 0 deleted" in out
    assert recording.writes(bucket) == []


def test_edited_notes_upload_only_the_feed(show_root: Path, bucket: str, s3_endpoint: str) -> None:
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    path = show_root / "episodes" / "001-episode.md"
    path.write_text(path.read_text() + "\nA correction.\n")
    with Recording(s3_endpoint) as recording:
        code, out, _ = publish(show_root, f"s3://{bucket}/show")
    assert code == 0
    assert "Published 1 episode: 1 file uploaded" in out
    assert [key for method, key in recording.writes(bucket)] == [
        "show/feed.xml",
        "show/.podcast-feed-manifest.json",
    ]
    assert b"A correction." in objects(bucket)["show/feed.xml"]["body"]


def test_a_new_episode_uploads_its_audio_before_the_feed(
    show_root: Path, bucket: str, s3_endpoint: str
) -> None:
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    (show_root / "episodes" / "003-later.md").write_text(
        episode(title="Later", audio="tone.m4a", guid="later", date="2025-02-01")
    )
    with Recording(s3_endpoint) as recording:
        code, out, err = publish(show_root, f"s3://{bucket}/show")
    assert code == 0, err
    assert "Published 2 episodes: 2 files uploaded" in out
    writes = [key for method, key in recording.writes(bucket) if method == "PUT"]
    assert writes == ["show/media/tone.m4a", "show/feed.xml", "show/.podcast-feed-manifest.json"]
    assert objects(bucket)["show/media/tone.m4a"]["type"] == "audio/x-m4a"


def test_audio_replaced_under_the_same_name_is_uploaded_with_a_warning(
    show_root: Path, bucket: str
) -> None:
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    shutil.copy(show_root / "media" / "vbr.mp3", show_root / "media" / "cbr.mp3")
    code, _out, err = publish(show_root, f"s3://{bucket}/show")
    assert code == 0
    assert (
        "media/cbr.mp3: warning: differs from the copy already published at "
        f"s3://{bucket}/show/media/cbr.mp3; caches and apps"
    ) in err
    assert "new file name, with 'republish: true'" in err
    assert objects(bucket)["show/media/cbr.mp3"]["sha256"] == sha256(
        show_root / "media" / "cbr.mp3"
    )


class StoreProxy:
    """Forwards to the S3 server, but refuses uploads of the key ending in `refused`, as a
    full or broken store would (the rest of the publish must not make the feed point at a
    missing file), and holds the upload of the key ending in `held` until `release` is set,
    as a slow link would (`holding` is set when it arrives). `uploads` are the keys PUT."""

    def __init__(self, upstream: str, refused: str = "", held: str = "") -> None:
        target = upstream.removeprefix("http://")
        self.holding, self.release = threading.Event(), threading.Event()
        self.uploads: list[str] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_request(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                key = self.path.split("?")[0]
                if self.command == "PUT":
                    proxy.uploads.append(key)
                if self.command == "PUT" and refused and key.endswith(refused):
                    self.send_response(403)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.command == "PUT" and held and key.endswith(held):
                    proxy.holding.set()
                    proxy.release.wait(timeout=30)
                connection = http.client.HTTPConnection(target, timeout=10)
                connection.request(self.command, self.path, body, dict(self.headers))
                response = connection.getresponse()
                data = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "date", "server"):
                        self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                connection.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_request  # noqa: N815

            def log_message(self, *_: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _published_then_one_more(show_root: Path, bucket: str) -> bytes:
    """The live feed after a first publish, and a new episode (its audio tone.m4a) to upload
    next: what the tests of a publish that fails part way start from."""
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    (show_root / "episodes" / "003-later.md").write_text(
        episode(title="Later", audio="tone.m4a", guid="later", date="2025-02-01")
    )
    return cast("bytes", objects(bucket)["show/feed.xml"]["body"])


def test_a_failed_upload_leaves_the_live_feed_untouched(
    show_root: Path, bucket: str, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _published_then_one_more(show_root, bucket)
    proxy = StoreProxy(s3_endpoint, refused="/media/tone.m4a")
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    try:
        code, out, err = publish(show_root, f"s3://{bucket}/show")
    finally:
        proxy.close()
        monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    assert code == 1
    assert "cannot upload media/tone.m4a at s3://" in err
    assert "feed.xml was not replaced; subscribers still get the previous feed" in err
    assert "Traceback" not in err + out
    assert objects(bucket)["show/feed.xml"]["body"] == before
    code, out, _ = publish(show_root, f"s3://{bucket}/show")  # the store works again: it finishes
    assert code == 0
    assert b"Later" in objects(bucket)["show/feed.xml"]["body"]
    assert "Published 2 episodes: 2 files uploaded" in out  # the audio that failed, and the feed


def test_a_publish_stopped_while_uploading_leaves_the_live_feed_and_says_so(
    show_root: Path, bucket: str, s3_endpoint: str
) -> None:
    before = _published_then_one_more(show_root, bucket)
    proxy = StoreProxy(s3_endpoint, held="/media/tone.m4a")
    command = [sys.executable, "-m", "podcast_feed", "publish", f"s3://{bucket}/show"]
    environment = os.environ | {"AWS_ENDPOINT_URL": proxy.url}
    try:
        with subprocess.Popen(
            [*command, "--root", str(show_root), "--now", NOW],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        ) as publishing:
            assert proxy.holding.wait(timeout=60)
            publishing.send_signal(signal.SIGINT)  # Ctrl-C, while the audio goes up
            time.sleep(0.5)  # (for a feed.xml upload to reach the proxy, were it sent)
            proxy.release.set()
            out, err = publishing.communicate(timeout=60)
    finally:
        proxy.release.set()
        proxy.close()
    assert publishing.returncode == 130, err
    assert err.decode().splitlines()[-1] == (
        f"interrupted: s3://{bucket}/show: feed.xml was not replaced; subscribers still get "
        "the previous feed. Run publish again to finish (what was uploaded is not uploaded "
        "again)."
    )
    assert b"Traceback" not in out + err
    assert not [key for key in proxy.uploads if key.endswith("feed.xml")]
    assert objects(bucket)["show/feed.xml"]["body"] == before
    code, out_again, _ = publish(show_root, f"s3://{bucket}/show")
    assert code == 0
    assert b"Later" in objects(bucket)["show/feed.xml"]["body"]
    assert "1 file uploaded" in out_again  # the feed: the audio was up when it stopped


def test_delete_removes_only_unreferenced_objects_under_the_show_prefixes(
    show_root: Path, bucket: str
) -> None:
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    for key in ("show/media/old.mp3", "show/index.html", "elsewhere/media/x.mp3"):
        s3().put_object(Bucket=bucket, Key=key, Body=b"keep?")
    (show_root / "media" / "cbr.vtt").unlink()  # the episode no longer has a transcript

    code, out, _ = publish(show_root, f"s3://{bucket}/show")
    assert code == 0
    assert "show/media/cbr.vtt" in objects(bucket)  # never deleted without --delete

    code, out, _ = publish(show_root, f"s3://{bucket}/show", "--delete", "--dry-run")
    assert code == 0
    assert "delete    media/cbr.vtt (51 B)\n" in out
    assert "delete    media/old.mp3 (5 B)\n" in out
    assert "index.html" not in out
    assert "Dry run, nothing changed." in out
    assert "show/media/old.mp3" in objects(bucket)

    code, out, _ = publish(show_root, f"s3://{bucket}/show", "--delete")
    assert code == 0
    assert ", 2 deleted ->" in out
    assert sorted(objects(bucket)) == [
        "elsewhere/media/x.mp3",
        "show/.podcast-feed-manifest.json",
        "show/chapters/001-episode.json",
        "show/feed.xml",
        "show/index.html",
        "show/media/cbr.mp3",
        "show/media/cover.jpg",
    ]


@pytest.mark.parametrize(
    ("written", "refusal"),
    [
        (
            "file://www{folder}",  # two slashes: www is taken for a machine, and ignored
            "'file://www{folder}' names the machine 'www'; a file:// URL names a folder on this "
            "one; write three slashes for a folder from the root, file:///www{folder}, or a "
            "plain folder path",
        ),
        ("s3://", "'s3://' names no bucket; write s3://BUCKET/prefix"),
        (
            "ftp://host{folder}",
            "'ftp://host{folder}' is not a storage URL podcast-feed can publish to; use "
            "s3://bucket/prefix for AWS, R2, B2, MinIO and the like, gs://bucket/prefix, "
            "az://container/prefix, file:///folder or a plain folder path",
        ),
    ],
)
def test_a_destination_publish_cannot_write_to_is_refused_before_anything_is_written(
    show_root: Path, written: str, refusal: str
) -> None:
    """`file://www/show` was published to /show, as obstore reads it."""
    folder = Path(f"/tmp/pf-{uuid.uuid4().hex[:8]}")  # short: the message shows it whole
    for options in ([], ["--dry-run"]):
        code, out, err = publish(show_root, written.format(folder=folder), *options)
        assert (code, out, err) == (1, "", f"error: {refusal.format(folder=folder)}\n")
        assert not folder.exists()
    # and in podcast.yaml, as publish.destination
    settings = yaml.safe_load((show_root / "podcast.yaml").read_text())
    settings["publish"] = {"destination": written.format(folder=folder)}
    (show_root / "podcast.yaml").write_text(yaml.safe_dump(settings))
    [problem] = validate(show_root).problems
    assert (problem.code, problem.field) == ("invalid-destination", "publish.destination")
    assert f"{problem.message}; {problem.fix}" == refusal.format(folder=folder)


def test_dry_run_changes_nothing(show_root: Path, bucket: str) -> None:
    code, out, _ = publish(show_root, f"s3://{bucket}/show", "--dry-run")
    assert code == 0
    assert "upload    media/cbr.mp3 (" in out
    assert "upload    feed.xml (" in out
    assert out.splitlines()[-1].startswith("Dry run, nothing changed. Would publish 1 episode: 5")
    assert objects(bucket) == {}
    # once published, the plan is its one line: unchanged files are counted, not listed
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    code, out, _ = publish(show_root, f"s3://{bucket}/show", "--dry-run")
    assert (code, out.splitlines()) == (
        0,
        [
            "Dry run, nothing changed. Would publish 1 episode: 0 files to upload (0 B), "
            f"5 unchanged, 0 to delete -> s3://{bucket}/show/feed.xml"
        ],
    )


def test_a_dry_run_to_a_new_folder_makes_no_folder(show_root: Path, tmp_path: Path) -> None:
    site = tmp_path / "www" / "show"
    code, out, _ = publish(show_root, str(site), "--dry-run")
    assert code == 0
    assert "upload    feed.xml (" in out
    assert not (tmp_path / "www").exists()
    assert publish(show_root, str(site))[0] == 0  # the first real publish makes it
    assert (site / "feed.xml").is_file()


def test_history_guard_reads_the_feed_in_the_bucket(show_root: Path, bucket: str) -> None:
    assert publish(show_root, f"s3://{bucket}/show")[0] == 0
    before = objects(bucket)["show/feed.xml"]["body"]
    path = show_root / "episodes" / "001-episode.md"
    path.write_text(path.read_text().replace("test-guid-1", "another-guid"))
    code, _, err = publish(show_root, f"s3://{bucket}/show")
    assert code == 1
    assert "episodes/001-episode.md:5: error: guid: was published with guid 'test-guid-1'" in err
    assert err.endswith("\nNothing was uploaded.\n")  # (not "written": it is publish)
    assert objects(bucket)["show/feed.xml"]["body"] == before

    path.unlink()
    code, _, err = publish(show_root, f"s3://{bucket}/show")
    assert code == 1
    assert "'An Episode' (guid test-guid-1) is in the live feed but not in this build" in err


def test_destination_and_layout_from_podcast_yaml(make_project: MakeProject, bucket: str) -> None:
    root = make_project(
        {
            "podcast.yaml": published_show(
                feed_url=f"{PUBLISHED_AT}/pod/rss.xml",
                media_base_url="https://cdn.podcast-feed-tests.net/files/",
                publish={"destination": f"s3://{bucket}/site", "media_path": "files/"},
            )
        }
    )
    code, out, err = run("publish", "--root", str(root), "--now", NOW)
    assert code == 0, err
    assert out.endswith(f"-> s3://{bucket}/site/rss.xml\n")
    assert {"site/rss.xml", "site/files/cbr.mp3", "site/files/cover.jpg"} <= set(objects(bucket))


@pytest.mark.parametrize(
    ("destination", "environment", "expected"),
    [
        (
            "s3://no-such-bucket-here/show",
            {},
            "error: cannot list at s3://no-such-bucket-here/show: NoSuchBucket: The specified "
            "bucket does not exist (check the bucket's name, and that it exists in this account "
            "and region)\n",
        ),
        (
            "s3://{bucket}/show",
            {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
            "error: cannot list at s3://{bucket}/show: the storage endpoint cannot be reached: "
            "check AWS_ENDPOINT_URL or publish.endpoint, and the network\n",
        ),
        (
            "s3://{bucket}/show",
            {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None},
            "error: cannot list at s3://{bucket}/show: no usable credentials: set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (GCS: GOOGLE_APPLICATION_CREDENTIALS; "
            "Azure: AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY) in the environment\n",
        ),
    ],
    ids=["missing bucket", "wrong endpoint", "no credentials"],
)
def test_store_failures_are_one_clear_line(
    show_root: Path,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    destination: str,
    environment: dict[str, str | None],
    expected: str,
) -> None:
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    code, out, err = publish(show_root, destination.format(bucket=bucket))
    assert (code, out, err) == (1, "", expected.format(bucket=bucket))


def test_credentials_never_appear_in_messages(show_root: Path, bucket: str) -> None:
    _code, out, err = publish(show_root, f"s3://AKIAEXAMPLE:s3cr3t@{bucket}/show", "--dry-run")
    assert "s3cr3t" not in out + err
    assert "AKIAEXAMPLE" not in out + err


def test_no_destination_is_a_clear_error(show_root: Path) -> None:
    code, out, err = run("publish", "--root", str(show_root))
    assert (code, out) == (1, "")
    assert err == (
        "error: no destination: pass one (podcast-feed publish s3://bucket/show) or set "
        "publish.destination in podcast.yaml\n"
    )


def test_errors_in_the_show_stop_publish_before_any_upload(
    show_root: Path, bucket: str, s3_endpoint: str
) -> None:
    path = show_root / "episodes" / "001-episode.md"
    path.write_text(path.read_text().replace("audio: cbr.mp3", "audio: missing.mp3"))
    with Recording(s3_endpoint) as recording:
        code, _, err = publish(show_root, f"s3://{bucket}/show")
    assert code == 1
    assert "error: audio: 'missing.mp3' is not in media/" in err
    assert recording.writes(bucket) == []


@pytest.mark.parametrize("options", [[], ["--dry-run"]])
def test_a_show_at_example_addresses_is_never_published(
    make_project: MakeProject, bucket: str, s3_endpoint: str, options: list[str]
) -> None:
    """The tests' own show() is at show.example.com: built and served here, never published.
    The storage's own address may be this machine (a local MinIO): it is not in the feed."""
    root = make_project(
        {
            "podcast.yaml": show(
                site=False,
                funding=[{"url": "http://localhost:8000/support", "text": "Support us"}],
                publish={"endpoint": "http://127.0.0.1:9000"},
            )
        }
    )
    with Recording(s3_endpoint) as recording:
        code, out, err = publish(root, f"s3://{bucket}/show", *options)
    assert (code, out) == (1, "")
    refused = [line for line in err.splitlines() if line.endswith("[example-address]")]
    assert [line.split(": error: ")[1].split(":")[0] for line in refused] == [
        "link",
        "owner.email",
        "feed_url",
        "media_base_url",
        "funding.0.url",
    ], err
    assert "'https://show.example.com/feed.xml' is at show.example.com" in refused[2]
    assert err.rstrip().endswith("Nothing was uploaded.")
    assert recording.writes(bucket) == []


def test_an_episode_at_example_addresses_is_never_published(
    make_project: MakeProject, bucket: str, s3_endpoint: str
) -> None:
    """An episode's own addresses are in the feed too: a page at example.com or a guest's
    link at localhost is refused like the show's, in every episode going out (a scheduled
    one goes out on a later run, unreviewed); a draft is not published, so not refused."""
    at_examples: dict[str, Any] = {
        "link": "https://example.com/episode-1",
        "persons": [{"name": "Ada", "role": "guest", "href": "http://localhost:8000/ada"}],
    }
    files: dict[str, str | bytes | dict[str, Any]] = {
        "podcast.yaml": published_show(site=False),
        "episodes/001-episode.md": episode(**at_examples),
        "episodes/002-later.md": episode(
            title="Later",
            audio="vbr.mp3",
            guid="later",
            date="2099-01-01",
            image="https://cdn.test/later.jpg",
        ),
        "episodes/003-draft.md": episode(
            title="Draft", audio="tone.m4a", guid="draft", draft=True, link="https://x.test/"
        ),
    }
    root = make_project(files)
    with Recording(s3_endpoint) as recording:
        code, out, err = publish(root, f"s3://{bucket}/show")
    assert (code, out) == (1, "")
    refused = [line for line in err.splitlines() if line.endswith("[example-address]")]
    assert [line.split(": error: ")[0] for line in refused] == [
        "episodes/001-episode.md:6",
        "episodes/001-episode.md:10",
        "episodes/002-later.md:6",
    ], err
    assert refused[0].split(": error: ")[1] == (
        "link: 'https://example.com/episode-1' is at example.com, a name kept for examples: "
        "no app or listener reaches it there (write the real address, or remove the line) "
        "[example-address]"
    )
    assert "persons.0.href: 'http://localhost:8000/ada' is at localhost" in refused[1]
    assert "image: 'https://cdn.test/later.jpg' is at cdn.test" in refused[2]
    assert recording.writes(bucket) == []
    assert run("build", "--root", str(root), "--output", str(root.parent / "out"))[0] == 0
    for name in ("001-episode.md", "002-later.md"):  # the real addresses written: it goes out
        path = root / "episodes" / name
        path.write_text(
            path.read_text()
            .replace("https://example.com/", f"{PUBLISHED_AT}/")
            .replace("http://localhost:8000/", f"{PUBLISHED_AT}/")
            .replace("https://cdn.test/", f"{PUBLISHED_AT}/")
        )
    code, _, err = publish(root, f"s3://{bucket}/show")
    assert code == 0, err


def test_a_broken_podcast_yaml_and_an_episode_at_example_addresses_are_told_in_one_run(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """A wrong owner's email is checked with a stand-in at example.com: publish says what is
    wrong with the email, never that the stand-in is at a name kept for examples."""
    shown = published_show(site=False)
    shown["owner"] = {"name": "Ada", "email": "ada at home"}
    root = make_project(
        {"podcast.yaml": shown, "episodes/001-episode.md": episode(link="https://x.test/1")}
    )
    code, out, err = publish(root, str(tmp_path / "www"))
    assert (code, out) == (1, "")
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert [line.rsplit(" [", 1)[1] for line in errors] == [
        "example-address]",
        "invalid-email]",
    ], err
    assert errors[0].startswith("episodes/001-episode.md:6: error: link: 'https://x.test/1'")
    assert "stand-in" not in err and not (tmp_path / "www").exists()


# A local folder: the destination of a show served by nginx, and the same guarantees.


@pytest.mark.parametrize("inside", [".", "media/site", "episodes", "templates/x"])
def test_a_local_destination_among_the_show_s_own_files_is_refused(
    show_root: Path, inside: str
) -> None:
    """Into the show's folder, media/ would be its own and `--delete` would remove the
    recordings the feed does not use; into episodes/, pages would mix with episode files."""

    def own_files() -> dict[str, bytes]:  # the cache folder is podcast-feed's, not the show's
        return {k: v for k, v in snapshot(show_root).items() if not k.startswith(CACHE_FOLDER)}

    before = own_files()
    destination = str(show_root / inside)
    for options in ([], ["--delete"], ["--dry-run"]):
        code, out, err = run("publish", destination, "--root", str(show_root), *options)
        assert (code, out) == (1, "")
        assert err == (
            f"error: {destination} is among the show's own files: publishing there would mix "
            "the feed, the website and copies of media/ with them (and --delete could remove "
            "your own files); publish to a folder of its own, e.g. /srv/www/show\n"
        )
    assert own_files() == before


def test_local_folder_publish(show_root: Path, tmp_path: Path) -> None:
    site = tmp_path / "www"
    code, out, err = publish(show_root, str(site))
    assert code == 0, err
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        ".podcast-feed-manifest.json",
        "chapters/001-episode.json",
        "feed.xml",
        "media/cbr.mp3",
        "media/cbr.vtt",
        "media/cover.jpg",
    ]
    assert sha256(site / "media" / "cbr.mp3") == sha256(show_root / "media" / "cbr.mp3")
    code, out, _ = publish(show_root, f"file://{site}")
    assert code == 0
    assert out.startswith("Nothing to upload")

    # changed by hand at the destination: the manifest no longer vouches for it, its bytes do
    (site / "media" / "cbr.vtt").write_text("WEBVTT\n")
    code, out, _ = publish(show_root, str(site))
    assert "1 file uploaded" in out
    assert sha256(site / "media" / "cbr.vtt") == sha256(show_root / "media" / "cbr.vtt")


def test_a_removed_episode_s_page_folder_goes_with_delete_from_a_local_folder(
    make_project: MakeProject, tmp_path: Path
) -> None:
    """nginx answers an empty folder with 403 (or a listing), not the site's 404."""
    root = make_project(
        {"episodes/002-second.md": episode(title="Second", guid="second", audio="vbr.mp3")}
    )
    site = tmp_path / "www"
    assert publish(root, str(site))[0] == 0
    (site / "downloads").mkdir()  # the podcaster's own, empty: never touched
    (root / "episodes" / "002-second.md").unlink()
    code, _, err = publish(root, str(site), "--delete", "--allow-removal")
    assert code == 0, err
    assert not (site / "episodes" / "002-second").exists()
    assert (site / "episodes" / "001-episode" / "index.html").is_file()
    assert not (site / "media" / "vbr.mp3").exists() and (site / "media" / "cbr.mp3").is_file()
    assert (site / "downloads").is_dir()


def test_local_folder_failed_upload_keeps_the_old_feed(show_root: Path, tmp_path: Path) -> None:
    site = tmp_path / "www"
    assert publish(show_root, str(site))[0] == 0
    before = (site / "feed.xml").read_bytes()
    (show_root / "episodes" / "003-later.md").write_text(
        episode(title="Later", audio="tone.m4a", guid="later", date="2025-02-01")
    )
    (site / "media" / "tone.m4a").mkdir()  # something in the way of one upload
    code, _out, err = publish(show_root, str(site))
    assert code == 1
    assert "cannot upload media/tone.m4a at " in err
    assert "feed.xml was not replaced" in err
    assert (site / "feed.xml").read_bytes() == before


def test_a_link_out_of_the_show_is_an_error_and_never_published(
    show_root: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nthe password\n")
    (show_root / "media" / "cbr.vtt").unlink()
    (show_root / "media" / "cbr.vtt").symlink_to(secret)
    site = tmp_path / "www"
    code, _out, err = publish(show_root, str(site))
    assert code == 1
    assert (
        f"episodes/001-episode.md: error: transcripts: 'cbr.vtt' is a link to {secret}, outside "
        "the show's folder (copy the file itself into media/; links out of the show are never "
        "published)"
    ) in err
    assert not (site / "media" / "cbr.vtt").exists()
    code, _, err = run("build", "--root", str(show_root), "--now", NOW)
    assert code == 1
    assert err.count("[file-outside-show]") == 1  # the text names the link, once
    assert "is a link to" in err


def test_a_media_folder_linked_out_of_the_show_is_one_error(
    show_root: Path, tmp_path: Path
) -> None:
    """Not one error per file it holds (a catalogue would print thousands, each naming a file
    that is no link itself)."""
    outside = tmp_path / "audio-disk"
    (show_root / "media").rename(outside)
    (show_root / "media").symlink_to(outside)
    code, _out, err = publish(show_root, str(tmp_path / "www"))
    assert code == 1
    assert err.count("error:") == 1
    assert (
        f"media/: error: is a link to {outside}, outside the show's folder (keep the media files "
        "in the show's own media/ folder; links out of the show are never published)"
    ) in err
    assert not (tmp_path / "www").exists()


def _kb(root: Path) -> str:
    """The summary's size of the first publish: audio, cover, transcript, chapters and feed."""
    media = root / "media"
    size = sum((media / name).stat().st_size for name in ("cbr.mp3", "cover.jpg", "cbr.vtt"))
    return f"{(size + _built_size(root)) / 1000:.1f} kB"


def _built_size(root: Path) -> int:
    out = root.parent / "measure"
    assert run("build", "--root", str(root), "--output", str(out), "--now", NOW)[0] == 0
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())


def _stream(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def test_a_show_from_init_and_new_publishes_to_the_folder_named_in_podcast_yaml(
    tmp_path: Path,
) -> None:
    """And not before init's example addresses are replaced: a feed at podcast.example.com
    would give apps nothing. Every one is named at its line, with the show's other problems."""
    folder, site = tmp_path / "new-show", tmp_path / "www"
    code, out, _ = run("init", str(folder))
    assert code == 0
    assert (
        "note: feed_url, media_base_url and link are at podcast.example.com, a name kept for "
        "examples; owner.email is at example.com, a name kept for examples. Fine for build and "
        "serve; publish refuses them until podcast.yaml has the show's own" in out
    )
    settings = (folder / "podcast.yaml").read_text()
    settings = settings.replace("# publish:", "publish:").replace(
        "#   destination: s3://my-bucket/show", f"  destination: file://{site}"
    )
    (folder / "podcast.yaml").write_text(settings)
    audio = tmp_path / "Recording 1.mp3"
    shutil.copy(AUDIO / "cbr.mp3", audio)
    assert run("new", str(audio), "--root", str(folder), "--title", "Hello", "--now", NOW)[0] == 0
    before = {part: snapshot(folder / part) for part in ("episodes", "media")}

    code, out, err = run("publish", "--root", str(folder), "--now", NOW)
    assert code == 1 and out == ""
    lines = settings.splitlines()
    refused = {
        (int(line.split(":")[1]), line.split(": error: ")[1].split(":")[0])
        for line in err.splitlines()
        if line.startswith("podcast.yaml:") and line.endswith("[example-address]")
    }
    assert refused == {
        (number, key)
        for number, text in enumerate(lines, start=1)
        for key in ("link", "feed_url", "media_base_url")
        if text.startswith(f"{key}: ")
    } | {(lines.index("  email: you@example.com") + 1, "owner.email")}, err
    assert "[show-template]" in err  # the show's other problems, in the same run
    assert err.rstrip().endswith("Nothing was uploaded.")
    assert not site.exists()
    assert {part: snapshot(folder / part) for part in before} == before

    feed_url = "https://listen.podcast-feed-tests.net/feed.xml"
    for placeholder, own in [
        ("https://podcast.example.com/feed.xml", feed_url),
        ("https://podcast.example.com/", "https://listen.podcast-feed-tests.net/"),
        ("you@example.com", "me@podcast-feed-tests.net"),
    ]:
        settings = settings.replace(placeholder, own)
    (folder / "podcast.yaml").write_text(settings)
    code, out, err = run("publish", "--root", str(folder), "--now", NOW)
    assert code == 0, err
    assert "[example-address]" not in err
    assert out.endswith(f"-> file://{site}/feed.xml\n")
    assert (site / "media" / "hello.mp3").read_bytes() == audio.read_bytes()
    parsed = podcastparser.parse(feed_url, _stream((site / "feed.xml").read_bytes()))
    assert [e["enclosures"][0]["url"] for e in parsed["episodes"]] == [
        "https://listen.podcast-feed-tests.net/media/hello.mp3"
    ]


def test_a_relative_folder_in_podcast_yaml_is_the_show_s_wherever_publish_runs(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`destination: ../www` is beside the show, as media paths are the show's, not beside
    the folder the command runs in (`--root show` from elsewhere wrote to /www)."""
    root = make_project(
        {"podcast.yaml": published_show(site=False, publish={"destination": "../www"})}
    )
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    code, _, err = run("publish", "--root", str(root))
    assert code == 0, err
    assert (root.parent / "www" / "feed.xml").is_file()
    assert not (elsewhere.parent / "www").exists()
    # one given on the command line is the command line's, as any path there
    code, _, err = run("publish", "../www", "--root", str(root))
    assert code == 0, err
    assert (elsewhere.parent / "www" / "feed.xml").is_file()


def test_a_corrupt_hash_cache_is_rebuilt_with_a_warning(show_root: Path, tmp_path: Path) -> None:
    site = tmp_path / "www"
    assert publish(show_root, str(site))[0] == 0
    cache = show_root / ".podcast-feed-cache" / "hashes.json"
    assert json.loads(cache.read_text())["cbr.mp3"][2] == sha256(show_root / "media" / "cbr.mp3")
    cache.write_bytes(b"\x00garbage")
    code, out, err = publish(show_root, str(site))
    assert code == 0
    assert err.startswith(".podcast-feed-cache/hashes.json: warning: the hash cache could not be")
    assert out.startswith("Nothing to upload")
    assert json.loads(cache.read_text())["cbr.mp3"][2] == sha256(show_root / "media" / "cbr.mp3")


def test_a_large_file_goes_up_in_parts_with_its_headers(show_root: Path, bucket: str) -> None:
    transcript = show_root / "media" / "cbr.txt"  # a sidecar too large for one PUT (> 5 MB)
    transcript.write_bytes(b"Hello and welcome.\n" * 350_000)
    code, _, err = publish(show_root, f"s3://{bucket}/show")
    assert code == 0, err
    stored = objects(bucket)["show/media/cbr.txt"]
    assert stored["body"] == transcript.read_bytes()
    assert (stored["type"], stored["sha256"]) == ("text/plain", sha256(transcript))
    etag = s3().head_object(Bucket=bucket, Key="show/media/cbr.txt")["ETag"]
    assert etag.endswith('-2"')  # a multipart ETag: not an MD5, hence the SHA-256 in metadata
    assert publish(show_root, f"s3://{bucket}/show")[1].startswith("Nothing to upload")


# The website: uploaded beside the feed, typed for browsers, stale pages deleted with --delete.


def test_the_website_goes_up_beside_the_feed_and_stale_pages_go_with_delete(
    make_project: MakeProject, bucket: str
) -> None:
    root = make_project(
        {"episodes/002-second.md": episode(title="Second", guid="second", audio="vbr.mp3")}
    )
    with Recording(os.environ["AWS_ENDPOINT_URL"]) as recording:
        code, _, err = publish(root, f"s3://{bucket}/show")
    assert code == 0, err
    stored = objects(bucket)
    for key in ("show/index.html", "show/404.html", "show/episodes/002-second/index.html"):
        assert stored[key]["type"] == "text/html; charset=utf-8", key
        assert stored[key]["cache"] == "public, max-age=300", key
    assert stored["show/style.css"]["type"] == "text/css; charset=utf-8"
    assert stored["show/player.js"]["type"] == "text/javascript; charset=utf-8"
    assert stored["show/sitemap.xml"]["type"] == "application/xml; charset=utf-8"
    assert b"Second" in stored["show/index.html"]["body"]
    puts = [key for method, key in recording.writes(bucket) if method == "PUT"]
    pages = [key for key in puts if key.endswith(".html")]
    assert pages and puts.index("show/feed.xml") > max(map(puts.index, pages)), puts

    (root / "episodes" / "002-second.md").unlink()
    s3().put_object(Bucket=bucket, Key="show/about.html", Body=b"the podcaster's own page")
    code, _, err = publish(root, f"s3://{bucket}/show", "--delete", "--allow-removal")
    assert code == 0, err
    stored = objects(bucket)
    assert "show/episodes/002-second/index.html" not in stored
    assert "show/episodes/001-episode/index.html" in stored
    assert b"Second" not in stored["show/index.html"]["body"]
    assert stored["show/about.html"]["body"] == b"the podcaster's own page"
