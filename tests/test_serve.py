"""The preview server on a free port, exercised with a real HTTP client."""

from __future__ import annotations

import html
import http.client
import io
import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import podcastparser
import pytest

from podcast_feed.serve import PreviewServer, reachable_address

from .conftest import MakeProject, episode, run


@pytest.fixture
def server(make_project: MakeProject) -> Iterator[PreviewServer]:
    root = make_project(
        {
            "media/cbr.vtt": "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHi\n",
            "episodes/001-episode.md": episode(chapters=[{"start": 0, "title": "Start"}]),
        }
    )
    messages: list[str] = []
    preview = PreviewServer(root, "127.0.0.1", 0, report=messages.append)
    preview.start()
    preview.messages = messages  # type: ignore[attr-defined]
    try:
        yield preview
    finally:
        preview.stop()


def request(
    server: PreviewServer, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server.socket.getsockname()[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_feed_enclosures_resolve_on_the_server(server: PreviewServer) -> None:
    status, headers, body = request(server, "/feed.xml")
    assert status == 200
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"
    parsed = podcastparser.parse(server.feed_url, io.BytesIO(body))
    [item] = parsed["episodes"]
    [enclosure] = item["enclosures"]
    assert enclosure["url"] == f"{server.url}/media/cbr.mp3"
    status, headers, audio = request(server, enclosure["url"].removeprefix(server.url))
    assert status == 200
    assert headers["content-type"] == "audio/mpeg"
    assert len(audio) == enclosure["file_size"]
    assert parsed["cover_url"] == f"{server.url}/media/cover.jpg"
    assert request(server, "/media/cover.jpg")[1]["content-type"] == "image/jpeg"
    assert request(server, "/media/cbr.vtt")[1]["content-type"] == "text/vtt"
    status, headers, chapters = request(server, "/chapters/001-episode.json")
    assert (status, headers["content-type"]) == (200, "application/json+chapters")
    assert b'"title": "Start"' in chapters


def test_head_and_byte_ranges(server: PreviewServer) -> None:
    size = (server.media / "cbr.mp3").stat().st_size
    status, headers, body = request(server, "/media/cbr.mp3", "HEAD")
    assert (status, body) == (200, b"")
    assert headers["content-length"] == str(size)
    assert headers["accept-ranges"] == "bytes"
    status, headers, body = request(server, "/media/cbr.mp3", headers={"Range": "bytes=0-1"})
    assert status == 206
    assert headers["content-range"] == f"bytes 0-1/{size}"
    assert body == (server.media / "cbr.mp3").read_bytes()[:2]
    status, headers, body = request(server, "/media/cbr.mp3", headers={"Range": "bytes=-10"})
    assert (status, body) == (206, (server.media / "cbr.mp3").read_bytes()[-10:])
    status, headers, _ = request(server, "/media/cbr.mp3", headers={"Range": f"bytes={size + 10}-"})
    assert status == 416
    assert headers["content-range"] == f"bytes */{size}"


def test_conditional_get(server: PreviewServer) -> None:
    _, headers, _ = request(server, "/media/cover.jpg")
    status, _, body = request(
        server, "/media/cover.jpg", headers={"If-None-Match": headers["etag"]}
    )
    assert (status, body) == (304, b"")
    status, _, _ = request(
        server, "/media/cover.jpg", headers={"If-Modified-Since": headers["last-modified"]}
    )
    assert status == 304
    status, _, _ = request(server, "/media/cover.jpg", headers={"If-None-Match": '"other"'})
    assert status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/../podcast.yaml",
        "/media/%2e%2e/podcast.yaml",
        "/media/%2E%2E%2Fpodcast.yaml",
        "/media/..%2fpodcast.yaml",
        "/media//etc/passwd",
        "/media/%2Fetc%2Fpasswd",
        "/chapters/../feed.xml",
        "/media/..\\podcast.yaml",
        "/podcast.yaml",
        "/episodes/001-episode.md",
    ],
)
def test_nothing_outside_the_served_folders(server: PreviewServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status == 404, (path, status)
    assert b"podcast_guid" not in body and b"root:" not in body


def test_symlink_out_of_media_is_not_followed(server: PreviewServer) -> None:
    (server.media / "escape.mp3").symlink_to(server.root / "podcast.yaml")
    assert request(server, "/media/escape.mp3")[0] == 404


def test_only_get_and_head(server: PreviewServer) -> None:
    assert request(server, "/feed.xml", "POST")[0] == 405


def test_rebuilds_when_an_episode_changes(server: PreviewServer) -> None:
    path = server.root / "episodes" / "001-episode.md"
    path.write_text(episode(title="Renamed on disk"))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if b"Renamed on disk" in request(server, "/feed.xml")[2]:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the feed was not rebuilt")


def test_the_watcher_survives_a_podcast_yaml_saved_by_rename(server: PreviewServer) -> None:
    """Editors save by writing a new file and renaming it over the old one: for a moment
    there is no podcast.yaml. That is reported, and the next save is built."""
    messages: list[str] = server.messages  # type: ignore[attr-defined]
    settings = server.root / "podcast.yaml"
    text = settings.read_text()
    settings.rename(server.root / "podcast.yaml~")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any("no podcast.yaml" in m for m in messages):
        time.sleep(0.1)
    assert any(m.startswith("error: no podcast.yaml in ") for m in messages), messages
    settings.write_text(text.replace("Test Show", "Back Again"))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if b"<title>Back Again</title>" in request(server, "/feed.xml")[2]:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the watcher stopped after podcast.yaml went missing")
    # the feed is served as soon as it is written; the build says so a moment later
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not messages[-1].startswith("Built"):
        time.sleep(0.05)
    assert messages[-1] == f"Built 1 episode -> {server.feed_url}"


def test_broken_edit_keeps_the_last_good_feed(server: PreviewServer) -> None:
    before = request(server, "/feed.xml")[2]
    (server.root / "episodes" / "001-episode.md").write_text(episode(date="tomorrow-ish"))
    deadline = time.monotonic() + 15
    messages: list[str] = server.messages  # type: ignore[attr-defined]
    while time.monotonic() < deadline and not any("not rebuilt" in m for m in messages):
        time.sleep(0.2)
    assert any("date: expected a date, got 'tomorrow-ish'" in m for m in messages)
    assert request(server, "/feed.xml")[2] == before


def test_until_the_show_builds_a_page_lists_its_problems_and_reloads(
    make_project: MakeProject,
) -> None:
    """Werkzeug's bare 503 ran every problem into one paragraph; a podcast app asking for the
    feed gets them as lines of text, and when to try again."""
    broken = re.sub(r"(?m)^title: .*$", "title: [Live] Q&A", episode())  # unquoted
    root = make_project({"episodes/001-episode.md": broken})
    preview = PreviewServer(root, "127.0.0.1", 0, report=lambda _: None)
    preview.start()
    try:
        [problem] = [p.report_line for p in preview.problems]
        assert problem.startswith("episodes/001-episode.md:2: error: YAML syntax error")
        status, headers, body = request(preview, "/", headers={"Accept": "text/html"})
        assert (status, headers["retry-after"]) == (503, "2")
        page = body.decode()
        assert '<meta http-equiv="refresh" content="2">' in page
        assert f"<li><code>{html.escape(problem)}</code></li>" in page
        for path in ("/feed.xml", "/episodes/001-episode/audio.mp3"):
            status, headers, body = request(preview, path, headers={"Accept": "*/*"})
            assert (status, headers["content-type"]) == (503, "text/plain; charset=utf-8")
            assert body.decode() == problem + "\n"
        (root / "episodes" / "001-episode.md").write_text(episode())
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and request(preview, "/feed.xml")[0] != 200:
            time.sleep(0.2)
        assert request(preview, "/", headers={"Accept": "text/html"})[0] == 200
    finally:
        preview.stop()


def test_every_network_is_announced_by_an_address_of_this_machine_a_phone_can_reach() -> None:
    """`serve --host 0.0.0.0` printed the host name, which Debian maps to 127.0.1.1 and which a
    phone on the same network cannot resolve."""
    assert reachable_address("127.0.0.1") == "127.0.0.1"
    if all(name == "lo" for _, name in socket.if_nameindex()):
        pytest.skip("this machine is on no network")
    address = reachable_address("0.0.0.0")
    assert not ipaddress.ip_address(address).is_loopback  # an address, not a name to resolve
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as bound:
        bound.bind((address, 0))  # an address of this machine, or this fails


def test_serve_does_not_write_into_the_show(server: PreviewServer) -> None:
    assert not (server.root / "public").exists()
    assert Path(server.output).is_dir()


# Ctrl-C as in a terminal: run from a script's background job (`.ci/run &`), a process starts
# with SIGINT ignored, and Python then leaves it ignored instead of raising KeyboardInterrupt.
_AS_IN_A_TERMINAL = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('podcast_feed', run_name='__main__', alter_sys=True)"
)


def test_ctrl_c_stops_the_command_cleanly(make_project: MakeProject) -> None:
    root = make_project()
    process = subprocess.Popen(
        [sys.executable, "-c", _AS_IN_A_TERMINAL, "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        assert lines[0].startswith(f"Serving {root}")
        url = lines[1].strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/feed\.xml", url)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert b"<rss" in response.read()
                    break
            except urllib.error.URLError:
                time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.rstrip().endswith("Stopped.")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "path",
    [
        "/media/a%00b.mp3",
        "/media/" + "a" * 5000 + ".mp3",
        "/" + "b" * 5000,
        "/media/loop/x.mp3",
        "/media/loop",
        "/episodes/%00/",
    ],
)
def test_odd_paths_are_404_not_500(server: PreviewServer, path: str) -> None:
    if not (server.media / "loop").is_symlink():
        (server.media / "loop").symlink_to(server.media / "loop")
    status, _, body = request(server, path)
    assert status == 404, (path, status, body[:200])


def test_only_media_the_feed_uses_is_served(server: PreviewServer) -> None:
    (server.media / ".secret.mp3").write_bytes(b"not for the public")
    (server.media / "raw-interview.wav").write_bytes(b"RIFF unpublished")
    assert request(server, "/media/cbr.mp3")[0] == 200
    assert request(server, "/media/cover.jpg")[0] == 200
    assert request(server, "/media/cbr.vtt")[0] == 200  # the transcript the feed links
    for unused in ("/media/.secret.mp3", "/media/raw-interview.wav", "/media/vbr.mp3"):
        assert request(server, unused)[0] == 404, unused


@pytest.mark.parametrize(
    ("headers", "status", "content_range", "length"),
    [
        ({"Range": "bytes=0-1"}, 206, "bytes 0-1/12225", 2),
        ({"Range": "bytes=12000-"}, 206, "bytes 12000-12224/12225", 225),
        ({"Range": "bytes=-999999"}, 206, "bytes 0-12224/12225", 12225),  # suffix > file
        ({"Range": "bytes=99999-"}, 416, "bytes */12225", 0),
        ({"Range": "bytes=abc"}, 200, None, 12225),  # invalid: ignored
        ({"Range": "items=0-5"}, 200, None, 12225),  # unknown unit: ignored
        ({"Range": "bytes=5-1"}, 200, None, 12225),
        ({"Range": "bytes=0-1,5-9"}, 200, None, 12225),  # several ranges: the whole file
        ({"If-Match": '"nope"'}, 412, None, 0),
        ({"If-Match": "*"}, 200, None, 12225),
        ({"If-Unmodified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}, 412, None, 0),
        ({"If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 200, None, 12225),
        ({"If-Range": '"stale"', "Range": "bytes=0-1"}, 200, None, 12225),
    ],
)
def test_ranges_and_preconditions_follow_rfc_9110(
    server: PreviewServer,
    headers: dict[str, str],
    status: int,
    content_range: str | None,
    length: int,
) -> None:
    host, port = server.server.socket.getsockname()[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest("GET", "/media/cbr.mp3", skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        assert response.status == status
        assert response.getheader("Content-Range") == content_range
        assert len(body) == length
        assert len(response.headers.get_all("Date") or []) == 1
    finally:
        connection.close()
    if status == 206 and headers["Range"] == "bytes=12000-":
        assert body == (server.media / "cbr.mp3").read_bytes()[12000:]


def test_if_range_with_the_current_etag_gives_the_range(server: PreviewServer) -> None:
    etag = request(server, "/media/cbr.mp3", "HEAD")[1]["etag"]
    status, headers, body = request(
        server, "/media/cbr.mp3", headers={"If-Range": etag, "Range": "bytes=0-3"}
    )
    assert (status, headers["content-range"], body) == (
        206,
        "bytes 0-3/12225",
        (server.media / "cbr.mp3").read_bytes()[:4],
    )


def test_idle_connections_are_closed(make_project: MakeProject) -> None:
    preview = PreviewServer(make_project(), "127.0.0.1", 0, report=lambda _: None, idle_timeout=0.5)
    preview.start()
    try:
        with socket.create_connection(preview.server.socket.getsockname()[:2], timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""  # the server hung up on a client that said nothing
            assert time.monotonic() - started < 5
    finally:
        preview.stop()


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(make_project: MakeProject, port: str) -> None:
    code, out, err = run("serve", "--root", str(make_project()), "--port", port)
    assert code == 2 and out == ""
    assert "Invalid value for '--port'" in err


def test_a_port_in_use_is_one_line_saying_what_to_do(make_project: MakeProject) -> None:
    root = make_project()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = run("serve", "--root", str(root), "--port", str(port))
    assert (code, out) == (1, "")
    assert err == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use (another program "
        "uses it: stop that, or pass another --port; 0 takes any free one)\n"
    )


def test_sigterm_stops_the_command_and_removes_its_build(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "podcast_feed", "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temporary)},
    )
    try:
        assert process.stdout is not None
        printed: list[str] = []
        while not printed or "Built 1 episode" not in printed[-1]:
            printed.append(process.stdout.readline())
        feed_url = next(line.strip() for line in printed if "http://" in line)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(feed_url.replace("feed.xml", "missing"), timeout=5)
        assert [p.name[:19] for p in temporary.iterdir()] == ["podcast-feed-serve-"]
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.rstrip().endswith("Stopped.")
    assert "Traceback" not in err
    assert list(temporary.iterdir()) == []
    # the request log is in plain text when it goes to a file or a pipe, not a terminal
    assert '"GET /missing HTTP/1.1" 404' in err
    assert "\x1b" not in err


def test_a_rebuild_reports_what_changed_among_the_warnings(make_project: MakeProject) -> None:
    """Each save of a show with warnings printed them all again (thousands, in a big back
    catalogue), hiding the one the save fixed or caused: a rebuild shows the warnings the
    last report did not, and counts those still there and those gone. Errors are always
    shown: they are why the feed was not rebuilt."""
    root = make_project(
        {
            "episodes/001-episode.md": episode(guid=None),
            "episodes/002-episode.md": episode(guid=None, title="Another", audio="vbr.mp3"),
        }
    )
    messages: list[str] = []
    preview = PreviewServer(root, "127.0.0.1", 0, report=messages.append)
    try:
        assert preview.rebuild()
        first = messages[0].splitlines()
        assert [line.split(":")[0] for line in first] == [
            "episodes/001-episode.md",
            "episodes/002-episode.md",
        ]
        assert all("[episode-guid-missing]" in line for line in first)
        messages.clear()
        (root / "episodes/001-episode.md").write_text(episode(guid="given-1"))
        assert preview.rebuild()
        assert messages[0] == (
            "(1 warning as before, 1 fixed; 'podcast-feed validate' lists them all)"
        )
        messages.clear()
        (root / "episodes/001-episode.md").write_text(episode(guid="given-1", date="someday"))
        assert not preview.rebuild()
        report = messages[0].splitlines()
        assert report[0].startswith("episodes/001-episode.md:3: error: date: ")
        assert report[1:] == ["(1 warning as before; 'podcast-feed validate' lists them all)"]
        messages.clear()
        (root / "episodes/001-episode.md").write_text(episode(guid="given-1"))
        (root / "episodes/002-episode.md").write_text(
            episode(guid="given-2", title="Another", audio="vbr.mp3")
        )
        assert preview.rebuild()
        assert messages == [
            "(0 warnings as before, 1 fixed; 'podcast-feed validate' lists them all)",
            f"Built 2 episodes -> {preview.feed_url}",
        ]
        messages.clear()
        assert preview.rebuild()
        assert messages == [f"Built 2 episodes -> {preview.feed_url}"]
    finally:
        preview.stop()
