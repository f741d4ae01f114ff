"""`validate --online`: the hosting check against `podcast-feed serve` (which hosts correctly)
and against a small server in this file that gets each thing Apple checks wrong."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from podcast_feed.build import in_feed_order, publishable, validate
from podcast_feed.feed import render_feed
from podcast_feed.hosting import check_hosting
from podcast_feed.serve import PreviewServer

from .conftest import AUDIO, FIXTURES, MakeProject, episode, run, show


def test_a_show_served_by_podcast_feed_serve_passes(make_project: MakeProject) -> None:
    root = make_project()
    server = PreviewServer(root, "127.0.0.1", 0, report=lambda _: None)
    base = server.url
    (root / "podcast.yaml").write_text(
        yaml.safe_dump(
            show(link=f"{base}/", feed_url=f"{base}/feed.xml", media_base_url=f"{base}/media/")
        )
    )
    server.start()
    try:
        code, out, _ = run("validate", "--root", str(root), "--online", "--format", "json")
    finally:
        server.stop()
    assert code == 0
    assert [(problem["code"], problem["field"]) for problem in json.loads(out)] == [
        ("not-https", "feed_url"),
        ("not-https", "link"),
        ("not-https", "media_base_url"),
        ("podcast-guid-mismatch", "podcast_guid"),  # the test's guid is not derived from 127.0.0.1
    ]


CASES = ("good", "norange", "wronglength", "wrongtype", "loop", "slow", "missing", "redirected")


class BadHost:
    """Serves the show's feed and one copy of an MP3 under several names, each wrong in its own
    way (or not: `good`)."""

    def __init__(self, audio: bytes, cover: bytes) -> None:
        self.feed = b""
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self) -> None:
                self.answer(body=False)

            def do_GET(self) -> None:
                self.answer(body=True)

            def answer(self, body: bool) -> None:
                name = self.path.rsplit("/", 1)[-1].removesuffix(".mp3")
                if self.path == "/feed.xml":
                    return self.send(200, host.feed, "application/rss+xml", body)
                if self.path == "/media/cover.jpg":
                    return self.send(200, cover, "image/jpeg", body)
                if name == "loop":
                    return self.redirect("/media/loop.mp3")
                if name == "redirected":
                    return self.redirect("/media/good.mp3")
                if name == "missing":
                    return self.send(404, b"not here", "text/plain", body)
                if name == "slow":
                    time.sleep(2)
                data = audio[:-10] if name == "wronglength" else audio
                kind = "text/plain" if name == "wrongtype" else "audio/mpeg"
                if self.headers.get("Range") == "bytes=0-1" and name != "norange":
                    return self.send(206, data[:2], kind, body, f"bytes 0-1/{len(data)}")
                return self.send(200, data, kind, body)

            def send(
                self, status: int, data: bytes, kind: str, body: bool, content_range: str = ""
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                if content_range:
                    self.send_header("Content-Range", content_range)
                self.end_headers()
                if body:
                    self.wfile.write(data)

            def redirect(self, to: str) -> None:
                self.send_response(302)
                self.send_header("Location", to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bad_host(make_project: MakeProject) -> Iterator[tuple[Path, BadHost]]:
    audio = (AUDIO / "cbr.mp3").read_bytes()
    host = BadHost(audio, (FIXTURES / "cover.jpg").read_bytes())
    files: dict[str, Any] = {
        "podcast.yaml": show(feed_url=f"{host.url}/feed.xml", media_base_url=f"{host.url}/media/")
    }
    for number, case in enumerate(CASES, 1):
        files[f"media/{case}.mp3"] = audio
        files[f"episodes/{number:03d}-{case}.md"] = episode(
            title=f"Case {case}", audio=f"{case}.mp3", guid=case, episode=number
        )
    try:
        yield make_project(files, with_default_episode=False), host
    finally:
        host.close()


def hosting_problems(root: Path, host: BadHost) -> list[str]:
    """What the check finds, once the host serves the feed as built."""
    now = datetime.now(UTC)
    validation = validate(root, now=now)
    assert validation.show is not None
    published = in_feed_order(validation.show, publishable(validation.episodes, now))
    host.feed = render_feed(validation.show, published)
    problems = check_hosting(validation.show, published, host.feed, timeout=httpx.Timeout(1.0))
    return sorted(f"{p.file} {p.field} {p.code}" for p in problems)


def test_each_hosting_fault_has_its_code(bad_host: tuple[Path, BadHost]) -> None:
    root, host = bad_host
    assert hosting_problems(root, host) == [
        "episodes/002-norange.md audio hosting-no-range",
        "episodes/003-wronglength.md audio hosting-length-mismatch",
        "episodes/004-wrongtype.md audio hosting-wrong-type",
        "episodes/005-loop.md audio hosting-redirect-loop",
        "episodes/006-slow.md audio hosting-timeout",
        "episodes/007-missing.md audio hosting-http-status",
    ]


def test_a_feed_not_yet_published_is_a_warning(bad_host: tuple[Path, BadHost]) -> None:
    root, _ = bad_host
    code, out, _ = run("validate", "--root", str(root), "--online", "--format", "json")
    assert code == 1  # host.feed is still empty, and the faulty files are errors
    assert '"code": "hosting-feed-differs"' in out
    assert '"severity": "warning"' in out


def test_unreachable_host_is_a_clear_message(make_project: MakeProject) -> None:
    root = make_project(
        {
            "podcast.yaml": show(
                feed_url="http://127.0.0.1:9/feed.xml", media_base_url="http://127.0.0.1:9/media/"
            )
        }
    )
    code, out, err = run("validate", "--root", str(root), "--online")
    assert code == 1
    assert (
        "podcast.yaml:13: error: feed_url: http://127.0.0.1:9/feed.xml cannot be reached: "
        "[Errno 111] Connection refused (check the URL's host name and that the server is up) "
        "[hosting-unreachable]\n"
    ) in out
    assert "episodes/001-episode.md:4: error: audio: http://127.0.0.1:9/media/cbr.mp3 cannot" in out
    assert "Traceback" not in out + err


def test_addresses_at_a_name_kept_for_examples_are_not_even_asked_for(
    make_project: MakeProject,
) -> None:
    """The tests' show() is at show.example.com, as `init`'s is at podcast.example.com: each
    of its URLs is one clear line, found without a request (no name lookup, no timeout)."""
    root = make_project()
    code, out, _ = run("validate", "--root", str(root), "--online")
    assert code == 1
    unreachable = [line for line in out.splitlines() if line.endswith("[hosting-unreachable]")]
    assert [line.split(": error: ")[1].split(": ")[0] for line in unreachable] == [
        "audio",
        "image",
        "feed_url",
    ], out
    assert unreachable[2] == (
        "podcast.yaml:13: error: feed_url: https://show.example.com/feed.xml is at "
        "show.example.com, a name kept for examples, where nothing on the internet answers "
        "(write the address the show is served from) [hosting-unreachable]"
    )
