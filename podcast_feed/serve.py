"""A local preview server: the feed with URLs pointing at itself, served the way podcast apps
need it (Content-Type, HEAD, byte ranges, conditional GET), and the website beside it, both
rebuilt when a file changes.

werkzeug does the HTTP (ranges, ETags, 304/416, safe path joining); watchfiles watches.
"""

from __future__ import annotations

import contextlib
import errno
import html
import re
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

import watchfiles
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.security import safe_join
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .build import FEED_FILE, BuildResult, build
from .cache import Cache
from .config import SHOW_FILE
from .errors import PodcastFeedError, Problem, ProblemsFound, Severity, repeated_warnings
from .filetypes import content_type
from .layout import CHAPTERS_FOLDER, TEMPLATES_FOLDER

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
NOT_FOUND_PAGE = "404.html"
IDLE_TIMEOUT_SECONDS = 30.0
ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")


class CannotListen(PodcastFeedError):
    """The address or port cannot be listened on: in use, not this machine's, not permitted."""


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server, whose failure to bind is an error of ours: werkzeug prints
    the bare reason ("Cannot assign requested address") and exits the process."""

    def server_bind(self) -> None:
        try:
            super().server_bind()
        except OSError as exc:
            host, port = self.server_address[:2]
            where = f"{_bracketed(str(host))}:{port}"
            fixes = {
                errno.EADDRINUSE: "another program uses it: stop that, or pass another --port; "
                "0 takes any free one",
                errno.EACCES: "ports below 1024 need root: pass --port 8000, say",
            }
            fix = fixes.get(
                exc.errno or 0,
                "pass a --host that is an address of this machine: 127.0.0.1 for this machine "
                "only, 0.0.0.0 for every network it is on",
            )
            raise CannotListen(f"cannot listen on {where}: {exc.strerror or exc} ({fix})") from exc


class _RequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, its log in colour only on a terminal.

    werkzeug colours the request log whatever stderr is, so `serve 2> serve.log` filled the
    file with escape codes. Those are the only escapes in a line: werkzeug shows control
    characters in a requested path as text (a literal \\x1b).
    """

    def log(self, type: str, message: str, *args: Any) -> None:
        if not sys.stderr.isatty():
            args = tuple(ANSI_STYLE.sub("", a) if isinstance(a, str) else a for a in args)
        super().log(type, message, *args)


def reachable_address(host: str) -> str:
    """The address other devices use for `host`: for 0.0.0.0, this machine's LAN address (the
    host name resolves to 127.0.1.1 on Debian and Ubuntu, and a phone cannot resolve it)."""
    if host not in WILDCARD_HOSTS:
        return host
    try:
        # the address of the way out of this machine; a UDP socket's connect sends nothing
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as way_out:
            way_out.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): nobody's address
            addresses = [way_out.getsockname()[0]]
    except OSError:
        addresses = []
    with contextlib.suppress(OSError):
        addresses += socket.gethostbyname_ex(socket.gethostname())[2]
    lan = [address for address in addresses if not address.startswith(("127.", "0."))]
    return lan[0] if lan else socket.gethostname()


class PreviewServer:
    """Builds the show into a temporary folder and serves it with the show's media/."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        public_url: str | None = None,
        report: Callable[[str], None] = print,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
        cache: Cache | None = None,
    ) -> None:
        self.root = root.resolve()
        self.media = self.root / "media"
        self.templates = self.root / TEMPLATES_FOLDER
        self._output = tempfile.TemporaryDirectory(prefix="podcast-feed-serve-")
        self.output = Path(self._output.name).resolve()
        self.chapters = self.output / CHAPTERS_FOLDER
        self.report = report
        self.cache = cache
        """Shared by every rebuild: a save re-reads the file saved, not the catalogue."""
        # a connection that sends nothing for this long is closed: idle sockets must not
        # hold a thread each forever
        handler = type("Handler", (_RequestHandler,), {"timeout": idle_timeout})
        self.server = _Server(host, port, self.wsgi, handler)
        port = self.server.socket.getsockname()[1]
        address = reachable_address(host)
        self.url = (public_url or f"http://{_bracketed(address)}:{port}").rstrip("/")
        self.problems: list[Problem] = []
        self._warned: set[str] = set()
        """The warning lines the last report showed or counted: the next shows only others."""
        self._advised: set[str] = set()
        """Likewise, its lines of `repeated_warnings`."""
        self.last_result: BuildResult | None = None
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._watcher: threading.Thread | None = None
        self._server_thread: threading.Thread | None = None

    @property
    def feed_url(self) -> str:
        return f"{self.url}/{FEED_FILE}"

    def rebuild(self) -> bool:
        """Build again; on errors the last good feed stays served and the problems are kept.

        Nothing a rebuild meets ends the watcher: a podcast.yaml briefly missing while an
        editor saves it, an unreadable file, a full disk are reported, and the next save
        rebuilds.
        """
        try:
            self.last_result = build(self.root, self.output, served_from=self.url, cache=self.cache)
        except ProblemsFound as exc:
            self.problems = exc.problems
            self.report(self._news(exc.problems))
            self.report("The feed was not rebuilt; fix the errors above and save again.")
            return False
        except (PodcastFeedError, OSError) as exc:
            self.report(f"error: {exc}")
            self.report("The feed was not rebuilt; fix the error above and save again.")
            return False
        self.problems = self.last_result.problems
        if self.problems or self._warned:
            self.report(self._news(self.problems))
        count = self.last_result.published
        self.report(f"Built {count} episode{'s' if count != 1 else ''} -> {self.feed_url}")
        return True

    def _news(self, problems: list[Problem]) -> str:
        """Every error, and the warnings the last report did not show, then how many it did
        show are still there and how many went: each save of a big catalogue would otherwise
        print its thousands of warnings again, and the one a save fixed or caused would be
        lost among them."""
        warned = {p.report_line for p in problems if p.severity is Severity.WARNING}
        advice = repeated_warnings(problems)
        shown = [line for line in (p.report_line for p in problems) if line not in self._warned]
        shown += [line for line in advice if line not in self._advised]
        still, gone = len(warned & self._warned), len(self._warned - warned)
        if still or gone:
            shown.append(
                f"({still} warning{'s' if still != 1 else ''} as before"
                + (f", {gone} fixed" if gone else "")
                + "; 'podcast-feed validate' lists them all)"
            )
        self._warned, self._advised = warned, set(advice)
        return "\n".join(shown)

    def watch(self) -> None:
        """Rebuild whenever podcast.yaml, episodes/, media/ or templates/ change, until `stop`.

        An editor that saves by renaming a new file over podcast.yaml, or a templates/ folder
        made later, leaves the watcher on a path it no longer sees: every 200 ms the watched
        paths' identities are compared, and on a change the watcher starts again on them.
        """
        while not self._stop.is_set():
            watched = self._watched()
            if not watched:  # the whole show is being moved: wait for it to come back
                self._watching.set()
                self._stop.wait(0.2)
                continue
            for changes in watchfiles.watch(
                *[path for path, _ in watched],
                stop_event=self._stop,
                debounce=300,
                rust_timeout=200,
                yield_on_timeout=True,  # an empty set: the watcher is up, nothing changed
                raise_interrupt=False,
            ):
                self._watching.set()
                moved = self._watched() != watched
                if changes or moved:
                    self.rebuild()
                if moved:
                    break
            else:
                return

    def _watched(self) -> list[tuple[Path, int]]:
        """The inputs that exist, each with its inode (which a save by rename changes)."""
        inputs = (self.root / SHOW_FILE, self.root / "episodes", self.media, self.templates)
        found = []
        for path in inputs:
            try:
                found.append((path, path.stat().st_ino))
            except OSError:
                continue
        return found

    def start(self) -> None:
        """Watch, build, then serve, in background threads (for tests and embedding)."""
        self._start_watching()
        self.rebuild()
        self._server_thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._server_thread.start()

    def serve_forever(self) -> None:
        """Watch in the background, build, and serve until Ctrl-C; stopped at any point, it
        cleans up (an interrupt during the first build too)."""
        try:
            self._start_watching()
            self.rebuild()
            self.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._server_thread is not None:
            self.server.shutdown()
            self._server_thread.join()
        self.server.server_close()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self._output.cleanup()

    def _start_watching(self) -> None:
        self._watcher = threading.Thread(target=self.watch, daemon=True)
        self._watcher.start()
        self._watching.wait(timeout=10)

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.respond(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(valid_methods=["GET", "HEAD"])
        path = request.path
        if self.last_result is None:
            return self._not_built(request)
        if path.startswith("/media/"):
            # only what the feed uses: not a raw recording or a draft's audio beside it
            relative = path.removeprefix("/media/")
            if relative not in self.last_result.media:
                raise NotFound
            return self.file(request, self.media, relative)
        if path == "/" and not self.last_result.site_pages:
            return Response(
                f"Subscribe to {self.feed_url} in your podcast app.\n", mimetype="text/plain"
            )
        relative = path.removeprefix("/")
        if any(part.startswith(".") for part in relative.split("/")):
            raise NotFound  # temporary files of a build in progress, never published either
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        elif _is_folder(self.output / relative):  # /episodes/x -> /episodes/x/, as hosts do
            return redirect(f"{path}/", code=301)
        try:
            return self.file(request, self.output, relative)
        except NotFound:
            if not (self.output / NOT_FOUND_PAGE).is_file():
                raise
            page = (self.output / NOT_FOUND_PAGE).read_bytes()
            return Response(page, status=404, content_type=content_type(NOT_FOUND_PAGE))

    def _not_built(self, request: Request) -> Response:
        """What is served until the show first builds: every problem, one a line. A browser's
        page reloads itself, so the site appears once the file is fixed and saved; an app
        asking for the feed is told when to try again."""
        lines = [problem.report_line for problem in self.problems]
        headers = {"Retry-After": str(_RETRY_SECONDS), "Cache-Control": "no-store"}
        page_asked = request.path.endswith(("/", ".html"))
        if not (page_asked and request.accept_mimetypes.accept_html):  # an app, for the feed
            text = "\n".join(lines or ["The feed has not been built yet."]) + "\n"
            return Response(text, status=503, mimetype="text/plain", headers=headers)
        items = "".join(f"<li><code>{html.escape(line)}</code></li>\n" for line in lines)
        page = _NOT_BUILT_PAGE.format(seconds=_RETRY_SECONDS, items=items)
        return Response(page, status=503, mimetype="text/html", headers=headers)

    def file(self, request: Request, folder: Path, relative: str) -> Response:
        """A file inside `folder`, never outside it, with byte ranges and preconditions as
        RFC 9110 says (sections 13 and 14)."""
        joined = safe_join(str(folder), relative)
        if joined is None:
            raise NotFound
        try:  # a NUL byte, a name too long, a loop of links: not found, never a 500
            path = Path(joined).resolve()
            if not path.is_relative_to(folder.resolve()) or not path.is_file():
                raise NotFound
            stat = path.stat()
        except (OSError, ValueError):
            raise NotFound from None
        size = stat.st_size
        modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
        etag = f"{stat.st_mtime_ns:x}-{size:x}"
        headers = {
            "ETag": f'"{etag}"',
            "Last-Modified": http_date(modified),
            "Accept-Ranges": "bytes",
            "Access-Control-Allow-Origin": "*",
        }
        status = _precondition(request, etag, modified)
        if status is not None:
            return Response(status=status, headers=headers if status == 304 else {})
        content = content_type(path, path.parent == self.chapters)
        span = _byte_range(request, etag, modified, size)
        if span == "unsatisfiable":
            return Response(status=416, headers={"Content-Range": f"bytes */{size}"})
        start, end = span or (0, size - 1)
        try:
            stream = path.open("rb")
        except OSError:
            raise NotFound from None
        body = _chunks(stream, start, end - start + 1)
        response = Response(body, direct_passthrough=True, content_type=content, headers=headers)
        response.content_length = end - start + 1
        if span is not None:
            response.status_code = 206
            response.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return response


def _chunks(stream: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    """`length` bytes of the file from `start`, a chunk at a time; the file is closed when
    the response ends, even when the client goes away part-way."""
    try:
        stream.seek(start)
        while length > 0:
            chunk = stream.read(min(length, 64 * 1024))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
    finally:
        stream.close()


def _precondition(request: Request, etag: str, modified: datetime) -> int | None:
    """412 or 304 when a precondition says so (RFC 9110 13.2.2, in its order), else None."""
    if "If-Match" in request.headers:
        wanted = parse_etags(request.headers["If-Match"])
        if not (wanted.star_tag or wanted.contains(etag)):  # strong comparison
            return 412
    elif "If-Unmodified-Since" in request.headers:
        since = parse_date(request.headers["If-Unmodified-Since"])
        if since is not None and modified > since:
            return 412
    if "If-None-Match" in request.headers:
        if parse_etags(request.headers["If-None-Match"]).contains_weak(etag):
            return 304
    elif "If-Modified-Since" in request.headers:
        since = parse_date(request.headers["If-Modified-Since"])
        if since is not None and modified <= since:
            return 304
    return None


def _byte_range(
    request: Request, etag: str, modified: datetime, size: int
) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """The one byte range to send (first, last), or None for the whole file (RFC 9110 14).

    A Range that does not parse, in another unit, or asking for several ranges is ignored, as
    the RFC allows; a suffix longer than the file is the whole file; If-Range must match.
    """
    header = request.headers.get("Range")
    if request.method != "GET" or header is None:
        return None
    condition = request.headers.get("If-Range")
    if condition is not None:
        since = parse_date(condition)
        if since is not None:
            if since != modified:
                return None
        elif condition.strip() != f'"{etag}"':
            return None
    match = _SINGLE_RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if start >= size:
        return "unsatisfiable"
    if last and int(last) < start:
        return None  # syntactically invalid: ignored
    return start, end


_RETRY_SECONDS = 2
_NOT_BUILT_PAGE = """<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta http-equiv="refresh" content="{seconds}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>The show does not build yet</title>
<style>body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
padding: 0 1rem; }} li {{ margin: .5rem 0; }} code {{ white-space: pre-wrap; }}</style>
<h1>The show does not build yet</h1>
<p>Fix what is listed here and save: this page reloads by itself every {seconds} seconds.</p>
<ul>
{items}</ul>
</html>
"""
"""Served until the show first builds (the site and the feed come after)."""
_SINGLE_RANGE = re.compile(r"bytes=(\d*)-(\d*)", re.IGNORECASE)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address
