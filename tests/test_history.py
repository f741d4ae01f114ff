"""--previous: the live feed guards against lost episodes and changed identities."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from podcast_feed import build
from podcast_feed.cli import app
from podcast_feed.history import PreviousFeedUnavailable, read_previous

from .conftest import MakeProject, episode, show

runner = CliRunner()


@pytest.fixture
def published(make_project: MakeProject, tmp_path: Path) -> tuple[Path, Path]:
    """A show with two episodes and its feed as it was published."""
    root = make_project(
        {
            "episodes/002-second.md": episode(
                title="Second", guid="guid-2", audio="vbr.mp3", date="2025-01-13 10:00"
            )
        }
    )
    live = tmp_path / "live"
    build(root, live)
    return root, live / "feed.xml"


def validate(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", "--root", str(root), *args])
    return result.exit_code, result.stdout + result.stderr


def test_unchanged_show_passes(published: tuple[Path, Path]) -> None:
    root, live = published
    assert validate(root, "--previous", str(live)) == (0, "0 errors, 0 warnings\n")


def test_removed_episode_is_an_error_unless_allowed(published: tuple[Path, Path]) -> None:
    root, live = published
    (root / "episodes" / "002-second.md").unlink()
    message = (
        "episodes: {}: 'Second' (guid guid-2) is in the live feed but not in this build "
        "(restore its file, or pass --allow-removal if it was removed on purpose) "
        "[episode-removed]\n"
    )
    assert validate(root, "--previous", str(live)) == (
        1,
        message.format("error") + "1 error, 0 warnings\n",
    )
    assert validate(root, "--previous", str(live), "--allow-removal") == (
        0,
        message.format("warning") + "0 errors, 1 warning\n",
    )


def test_episode_turned_back_into_a_draft_counts_as_removed(published: tuple[Path, Path]) -> None:
    root, live = published
    (root / "episodes" / "002-second.md").write_text(
        episode(title="Second", guid="guid-2", audio="vbr.mp3", date="2025-01-13 10:00", draft=True)
    )
    code, report = validate(root, "--previous", str(live))
    assert code == 1
    assert "'Second' (guid guid-2) is in the live feed but not in this build" in report


def test_changed_guid_is_an_error_unless_republished(published: tuple[Path, Path]) -> None:
    root, live = published
    path = root / "episodes" / "002-second.md"
    path.write_text(
        episode(title="Second", guid="guid-2b", audio="vbr.mp3", date="2025-01-13 10:00")
    )
    assert validate(root, "--previous", str(live)) == (
        1,
        (
            "episodes/002-second.md:5: error: guid: was published with guid 'guid-2', now "
            "'guid-2b'; every app will download it again (set 'guid: \"guid-2\"' back, or add "
            "'republish: true' if it is deliberate) [guid-changed]\n1 error, 0 warnings\n"
        ),
    )
    path.write_text(
        episode(
            title="Second", guid="guid-2b", audio="vbr.mp3", date="2025-01-13 10:00", republish=True
        )
    )
    code, report = validate(root, "--previous", str(live))
    assert code == 0
    assert report.startswith("episodes/002-second.md:5: warning: guid: was published with")
    assert "[republish-done]" not in report  # the live feed has the old guid: not done yet
    build(root, live.parent)  # published with the new guid
    assert validate(root, "--previous", str(live)) == (
        0,
        "episodes/002-second.md:6: warning: republish: the live feed already has this episode "
        "with this guid and audio address, so 'republish: true' has done its work; left in, "
        "it would let a later mistake in either through unnoticed (remove the line "
        "'republish: true') [republish-done]\n0 errors, 1 warning\n",
    )


def test_changed_audio_url_is_an_error(published: tuple[Path, Path]) -> None:
    root, live = published
    (root / "episodes" / "002-second.md").write_text(
        episode(title="Second", guid="guid-2", audio="tone.m4a", date="2025-01-13 10:00")
    )
    assert validate(root, "--previous", str(live)) == (
        1,
        (
            "episodes/002-second.md:4: error: audio: the enclosure URL changed from "
            "https://show.example.com/media/vbr.mp3 to https://show.example.com/media/tone.m4a; "
            "some apps will download the episode again (undo the change, or add "
            "'republish: true' if it is deliberate) [enclosure-url-changed]\n1 error, 0 warnings\n"
        ),
    )


def test_moving_the_media_is_one_problem_of_the_show_not_one_per_episode(
    published: tuple[Path, Path],
) -> None:
    """A new `media_base_url` changes every published audio URL: one error at that key, which
    `media_moved_from` turns into a warning; a file renamed as well is still its episode's."""
    root, live = published
    moved = show(media_base_url="https://cdn.example.net/show/")
    (root / "podcast.yaml").write_text(yaml.safe_dump(moved))
    old = "https://show.example.com/media/"
    message = (
        "podcast.yaml:10: {}: media_base_url: the audio of 2 published episodes "
        "(episodes/002-second.md, episodes/001-episode.md) moves from "
        f"{old} to https://cdn.example.net/show/; apps that go by the URL will download it "
        "again ({}) [media-moved]\n"
    )
    fix = (
        f"set media_base_url back to {old}; if the files really moved, add the line "
        f"'media_moved_from: {old}' to podcast.yaml"
    )
    assert validate(root, "--previous", str(live)) == (
        1,
        message.format("error", fix) + "1 error, 0 warnings\n",
    )
    acknowledged = moved | {"media_moved_from": old.rstrip("/")}  # the same, slash or none
    (root / "podcast.yaml").write_text(yaml.safe_dump(acknowledged))
    fix = (
        f"keep {old} answering, redirecting to the new address, until every app has read "
        "the new feed"
    )
    assert validate(root, "--previous", str(live)) == (
        0,
        message.format("warning", fix) + "0 errors, 1 warning\n",
    )
    (root / "episodes" / "002-second.md").write_text(
        episode(title="Second", guid="guid-2", audio="tone.m4a", date="2025-01-13 10:00")
    )
    code, report = validate(root, "--previous", str(live))
    assert code == 1
    assert report.count("[enclosure-url-changed]") == 1 and "episodes/002-second.md:4:" in report
    assert "the audio of 1 published episode (episodes/001-episode.md) moves" in report


def test_changed_podcast_guid_is_an_error(published: tuple[Path, Path]) -> None:
    root, live = published
    (root / "podcast.yaml").write_text(
        yaml.safe_dump(show(podcast_guid="9b024349-ccf0-5f69-a609-6b82873eab3c"))
    )
    code, report = validate(root, "--previous", str(live))
    assert code == 1
    assert (
        "podcast.yaml: error: podcast_guid: the live feed has podcast:guid "
        "a4d5a761-ce35-5c3b-b691-ed0db4a0ff21, this one "
        "9b024349-ccf0-5f69-a609-6b82873eab3c"
    ) in report


@pytest.fixture
def served(published: tuple[Path, Path]) -> Iterator[str]:
    _, live = published
    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *_: None})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(quiet, directory=str(live.parent))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_previous_feed_from_a_url(published: tuple[Path, Path], served: str) -> None:
    root, _ = published
    (root / "episodes" / "002-second.md").unlink()
    code, report = validate(root, "--previous", f"{served}/feed.xml")
    assert code == 1
    assert "'Second' (guid guid-2) is in the live feed but not in this build" in report
    code, report = validate(root, "--previous", f"{served}/missing.xml")
    assert (code, report) == (
        1,
        f"error: cannot download the previous feed {served}/missing.xml: HTTP 404 File not found\n",
    )


def test_unreadable_previous_feed(published: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = published
    assert validate(root, "--previous", str(tmp_path / "nope.xml")) == (
        1,
        f"error: cannot read the previous feed {tmp_path / 'nope.xml'}: "
        "No such file or directory\n",
    )
    (tmp_path / "junk.xml").write_text("<html><body>not a feed")
    code, report = validate(root, "--previous", str(tmp_path / "junk.xml"))
    assert code == 1
    assert report.startswith(f"error: the previous feed {tmp_path / 'junk.xml'} is not")


class _Dripping(http.server.BaseHTTPRequestHandler):
    """A server that answers at once, then sends its feed one byte every 0.3 s."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.3)
        except OSError:
            pass

    def log_message(self, *_: object) -> None:
        pass


def test_a_slow_previous_feed_meets_one_deadline_for_the_whole_download() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Dripping)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    try:
        started = time.monotonic()
        with pytest.raises(PreviousFeedUnavailable) as raised:
            read_previous(url, deadline=2)
        assert time.monotonic() - started < 4
        assert str(raised.value) == (
            f"cannot download the previous feed {url}: it did not arrive within 2 s"
        )
    finally:
        server.shutdown()
        server.server_close()
