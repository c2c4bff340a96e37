"""A small HTTP server on 127.0.0.1 for tests: fixed answers, conditional GET, counters.

Real sockets and real HTTP, so fetch code is tested as it runs against a real site.
"""

from __future__ import annotations

import gzip as _gzip
import hashlib
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    conditional: bool = True
    """Send ETag/Last-Modified and answer 304 to a matching conditional request."""
    hang_up: bool = False
    """Close the connection after answering, without saying so (a keep-alive timeout)."""
    gate: threading.Event | None = None
    """Answer only once this is set (at most a minute later)."""


class LocalServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        """`tls`: serve HTTPS with this server-side context instead of plain HTTP."""
        self.scheme = "https" if tls else "http"
        self.answers: dict[str, Answer] = {}
        self.counts: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.times: dict[str, list[float]] = {}
        """When each path was asked for (time.monotonic())."""
        self.connections = 0
        self.drop_reused = 0
        """Close this many kept-alive connections as their next request arrives, answering
        nothing (a server's idle timeout meeting a client's request)."""
        self.drop_fresh = False
        """Drop a new connection's first request too (while drop_reused lasts)."""
        self.dropped = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        conditional: bool = True,
        hang_up: bool = False,
        gate: threading.Event | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.answers[path] = Answer(data, status, dict(headers or {}), delay, conditional, hang_up, gate)

    def body(self, path: str) -> bytes:
        return self.answers[path].body

    def hits(self, path: str, status: int | None = None) -> int:
        """Requests for `path` (answered with `status`, when given)."""
        with self._lock:
            return self.counts[(path, status)] if status is not None else self.counts[path]  # type: ignore[index]


def _handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server.connections += 1

        def do_GET(self) -> None:
            reused = getattr(self, "_answered", False)
            self._answered = True
            with server._lock:
                drop = server.drop_reused > 0 and (reused or server.drop_fresh)
                if drop:
                    server.drop_reused -= 1
                    server.dropped += 1
            if drop:
                self.close_connection = True
                return
            path = self.path.split("?", 1)[0]
            answer = server.answers.get(path)
            with server._lock:
                server.requests.append((self.path, dict(self.headers)))
                server.times.setdefault(path, []).append(time.monotonic())
            if answer is None:
                self._send(404, b"no such page", {"Content-Type": "text/plain"}, path)
                return
            if answer.gate is not None:
                answer.gate.wait(60)
            if answer.delay:
                time.sleep(answer.delay)
            headers = dict(answer.headers)
            if answer.conditional and answer.status == 200:
                etag = '"' + hashlib.sha1(answer.body).hexdigest()[:16] + '"'
                headers.setdefault("ETag", etag)
                headers.setdefault("Last-Modified", formatdate(1713000000, usegmt=True))
                if self.headers.get("If-None-Match") == headers["ETag"]:
                    self._send(304, b"", {"ETag": headers["ETag"]}, path)
                    return
            body = answer.body
            if "gzip" in (self.headers.get("Accept-Encoding") or "") and "Content-Encoding" not in headers:
                body = _gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            self._send(answer.status, body, headers, path)
            if answer.hang_up:
                self.close_connection = True

        def _send(self, status: int, body: bytes, headers: dict[str, str], path: str) -> None:
            with server._lock:
                server.counts[path] += 1
                server.counts[(path, status)] += 1  # type: ignore[index]
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
