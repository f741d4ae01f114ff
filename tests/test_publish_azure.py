"""`publish` to Azure Blob Storage, against Azurite (Microsoft's storage emulator, a real
server over HTTP on 127.0.0.1), read back with a client of the tests' own: Azure's REST API,
signed with the account key as Azure's documentation has it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import NamedTuple, cast
from urllib.parse import quote

import pytest
from lxml import etree

from .conftest import PUBLISHED_AT, MakeProject, needed_tool
from .test_publish import FIRST_PUBLISH, FIRST_PUBLISH_HEADERS, SHOW_FILES, episodes_in, publish

ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
"""Azurite's one account and its published key (the same in every copy of the emulator)."""


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """One blob service for the run, in memory, on a free port, sending nothing anywhere."""
    command = [
        needed_tool("azurite-blob"),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        "0",
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--silent",
    ]
    cwd = tmp_path_factory.mktemp("azurite")  # where it would write its debug files
    server = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    port = None
    deadline = time.monotonic() + 60
    while port is None and time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line and server.poll() is not None:
            pytest.fail(f"azurite-blob exited with {server.returncode}")
        found = re.search(r"listens on http://127\.0\.0\.1:(\d+)", line)
        port = int(found.group(1)) if found else None
    try:
        assert port is not None, "azurite-blob did not start within a minute"
        yield "127.0.0.1", port
    finally:
        server.terminate()
        server.wait(timeout=10)


def azure(
    address: tuple[str, int], method: str, path: str, query: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    """A request to the emulator's account, signed with its key ("Shared Key" authorization:
    the verb, the standard headers, the x-ms- headers, then the resource with its query)."""
    query = query or {}
    date = formatdate(usegmt=True)
    headers = {"x-ms-date": date, "x-ms-version": "2021-08-06"}
    canonical = "".join(f"{name}:{value}\n" for name, value in sorted(headers.items()))
    resource = f"/{ACCOUNT}/{ACCOUNT}/{path}" + "".join(
        f"\n{name}:{value}" for name, value in sorted(query.items())
    )
    # the eleven standard headers, all empty here (a Content-Length of 0 is signed as empty)
    signed = f"{method}\n" + "\n" * 11 + canonical + resource
    signature = hmac.new(base64.b64decode(KEY), signed.encode(), hashlib.sha256).digest()
    headers["Authorization"] = f"SharedKey {ACCOUNT}:{base64.b64encode(signature).decode()}"
    if method == "PUT":
        headers["Content-Length"] = "0"
    connection = http.client.HTTPConnection(*address, timeout=30)
    target = f"/{ACCOUNT}/{quote(path)}"
    if query:
        target += "?" + "&".join(f"{name}={quote(value)}" for name, value in query.items())
    connection.request(method, target, headers=headers)
    return connection.getresponse()


@pytest.fixture
def container(azurite: tuple[str, int], monkeypatch: pytest.MonkeyPatch) -> str:
    """A new container, and the environment a CI job would give publish to reach it."""
    host, port = azurite
    for name, value in {
        "AZURE_STORAGE_ACCOUNT_NAME": ACCOUNT,
        "AZURE_STORAGE_ACCOUNT_KEY": KEY,
        "AZURE_STORAGE_USE_EMULATOR": "true",
        "AZURITE_BLOB_STORAGE_URL": f"http://{host}:{port}",
    }.items():
        monkeypatch.setenv(name, value)
    name = f"show-{uuid.uuid4().hex[:12]}"
    response = azure(azurite, "PUT", name, {"restype": "container"})
    assert response.status == 201, response.read()
    return name


class Blob(NamedTuple):
    type: str | None
    cache: str | None
    sha256: str | None
    body: bytes


def blobs(address: tuple[str, int], container: str) -> dict[str, Blob]:
    """Every blob in the container with its headers and bytes, as a client would GET it."""
    listing = azure(address, "GET", container, {"comp": "list", "restype": "container"})
    assert listing.status == 200
    names = cast("list[str]", etree.fromstring(listing.read()).xpath("//Blob/Name/text()"))
    found = {}
    for name in names:
        response = azure(address, "GET", f"{container}/{name}")
        body = response.read()
        assert response.status == 200, body
        found[name] = Blob(
            response.getheader("Content-Type"),
            response.getheader("Cache-Control"),
            response.getheader("x-ms-meta-sha256"),
            body,
        )
    return found


@pytest.fixture
def show_root(make_project: MakeProject) -> Path:
    return make_project(SHOW_FILES)


def test_publish_to_azure_uploads_what_the_feed_needs_with_its_headers(
    show_root: Path, container: str, azurite: tuple[str, int]
) -> None:
    code, out, err = publish(show_root, f"az://{container}/show")
    assert code == 0, err
    assert out.endswith(f"0 unchanged, 0 deleted -> az://{container}/show/feed.xml\n")
    stored = blobs(azurite, container)
    assert sorted(stored) == FIRST_PUBLISH
    for key, headers in FIRST_PUBLISH_HEADERS.items():
        blob = stored[key]
        assert (blob.type, blob.cache) == headers
        assert blob.sha256 == hashlib.sha256(blob.body).hexdigest()
        if key.startswith("show/media/"):
            assert blob.body == (show_root / "media" / key[11:]).read_bytes()
    assert stored["show/chapters/001-episode.json"].type == "application/json+chapters"
    [item] = episodes_in(stored["show/feed.xml"].body)
    assert item["enclosures"][0]["url"] == f"{PUBLISHED_AT}/media/cbr.mp3"


def test_publish_to_azure_again_uploads_nothing_then_only_what_changed(
    show_root: Path, container: str, azurite: tuple[str, int]
) -> None:
    assert publish(show_root, f"az://{container}/show")[0] == 0
    code, out, _ = publish(show_root, f"az://{container}/show")
    assert code == 0
    assert out.startswith("Nothing to upload: the destination is up to date.")
    path = show_root / "episodes" / "001-episode.md"
    path.write_text(path.read_text() + "\nA correction.\n")
    code, out, _ = publish(show_root, f"az://{container}/show")
    assert (code, "Published 1 episode: 1 file uploaded" in out) == (0, True)
    assert b"A correction." in blobs(azurite, container)["show/feed.xml"].body


@pytest.mark.usefixtures("container")  # the emulator's environment, and another container
def test_a_container_that_does_not_exist_is_one_clear_line(show_root: Path) -> None:
    code, out, err = publish(show_root, "az://no-such-container/show")
    assert (code, out) == (1, "")
    assert err.startswith("error: cannot list at az://no-such-container/show: ContainerNotFound")
    assert err.rstrip().endswith("(check the destination and credentials)")


def test_a_wrong_account_key_is_refused_without_showing_it(
    show_root: Path, container: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = base64.b64encode(b"not the key" * 4).decode()
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_KEY", wrong)
    code, out, err = publish(show_root, f"az://{container}/show")
    assert (code, out) == (1, "")
    assert err.startswith(f"error: cannot list at az://{container}/show: ")
    assert wrong not in err and KEY not in err
