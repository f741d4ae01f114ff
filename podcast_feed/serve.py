"""A local preview server: the feed with URLs pointing at itself, served the way podcast apps
need it (Content-Type, HEAD, byte ranges, conditional GET), and the website beside it, both
rebuilt when a file changes.

werkzeug does the HTTP (ranges, ETags, 304/416, safe path joining); watchfiles watches.
"""

from __future__ import annotations

import socket
import tempfile
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import watchfiles
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, ServiceUnavailable
from werkzeug.security import safe_join
from werkzeug.serving import make_server
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from .build import FEED_FILE, BuildResult, build
from .chapters import CHAPTERS_FOLDER
from .config import SHOW_FILE
from .errors import Problem, ProblemsFound
from .filetypes import content_type
from .site import TEMPLATES_FOLDER

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
NOT_FOUND_PAGE = "404.html"


def reachable_address(host: str) -> str:
    """The address other devices use for `host`: for 0.0.0.0, this machine's LAN address."""
    if host not in WILDCARD_HOSTS:
        return host
    try:
        addresses = socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        addresses = []
    lan = [address for address in addresses if not address.startswith("127.")]
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
    ) -> None:
        self.root = root.resolve()
        self.media = self.root / "media"
        self.templates = self.root / TEMPLATES_FOLDER
        self._output = tempfile.TemporaryDirectory(prefix="podcast-feed-serve-")
        self.output = Path(self._output.name).resolve()
        self.chapters = self.output / CHAPTERS_FOLDER
        self.report = report
        self.server = make_server(host, port, self.wsgi, threaded=True)
        port = self.server.socket.getsockname()[1]
        address = reachable_address(host)
        self.url = (public_url or f"http://{_bracketed(address)}:{port}").rstrip("/")
        self.problems: list[Problem] = []
        self.last_result: BuildResult | None = None
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._server_thread: threading.Thread | None = None

    @property
    def feed_url(self) -> str:
        return f"{self.url}/{FEED_FILE}"

    def rebuild(self) -> bool:
        """Build again; on errors the last good feed stays served and the problems are kept."""
        try:
            self.last_result = build(self.root, self.output, served_from=self.url)
        except ProblemsFound as exc:
            self.problems = exc.problems
            self.report("\n".join(str(problem) for problem in exc.problems))
            self.report("The feed was not rebuilt; fix the errors above and save again.")
            return False
        self.problems = self.last_result.problems
        self.report(f"Built {len(self.last_result.published)} episodes -> {self.feed_url}")
        return True

    def watch(self) -> None:
        """Rebuild whenever podcast.yaml, episodes/, media/ or templates/ change, until `stop`."""
        watched = (self.root / SHOW_FILE, self.root / "episodes", self.media, self.templates)
        paths = [path for path in watched if path.exists()]
        for _ in watchfiles.watch(
            *paths, stop_event=self._stop, debounce=300, raise_interrupt=False
        ):
            self.rebuild()

    def start(self) -> None:
        """Build, then serve and watch in background threads (for tests and embedding)."""
        self.rebuild()
        self._start_watching()
        self._server_thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._server_thread.start()

    def serve_forever(self) -> None:
        """Build, watch in the background and serve until Ctrl-C."""
        self.rebuild()
        self._start_watching()
        try:
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
        if path.startswith("/media/"):
            return self.file(request, self.media, path.removeprefix("/media/"))
        if self.last_result is None:
            raise ServiceUnavailable(
                "\n".join(str(p) for p in self.problems) or "The feed has not been built yet."
            )
        if path == "/" and not self.last_result.site_pages:
            return Response(
                f"Subscribe to {self.feed_url} in your podcast app.\n", mimetype="text/plain"
            )
        relative = path.removeprefix("/")
        if any(part.startswith(".") for part in relative.split("/")):
            raise NotFound  # temporary files of a build in progress, never published either
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        elif (self.output / relative).is_dir():  # /episodes/x -> /episodes/x/, as hosts do
            return redirect(f"{path}/", code=301)
        try:
            return self.file(request, self.output, relative)
        except NotFound:
            if not (self.output / NOT_FOUND_PAGE).is_file():
                raise
            page = (self.output / NOT_FOUND_PAGE).read_bytes()
            return Response(page, status=404, content_type=content_type(NOT_FOUND_PAGE))

    def file(self, request: Request, folder: Path, relative: str) -> Response:
        """A file inside `folder`, never outside it, with ranges and conditional GET."""
        joined = safe_join(str(folder), relative)
        if joined is None:
            raise NotFound
        path = Path(joined).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            raise NotFound
        stat = path.stat()
        stream = path.open("rb")
        response = Response(
            wrap_file(request.environ, stream),
            direct_passthrough=True,
            content_type=content_type(path, path.parent == self.chapters),
        )
        response.content_length = stat.st_size
        response.last_modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
        response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}")
        response.headers["Access-Control-Allow-Origin"] = "*"
        try:
            return response.make_conditional(
                request, accept_ranges=True, complete_length=stat.st_size
            )
        except HTTPException:
            stream.close()
            raise


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address
