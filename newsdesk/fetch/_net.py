"""The connections under httpx: httpcore's pool and network backend, on asyncio's own streams.

httpcore's default backend on asyncio goes through anyio: each read and each write opens a
cancel scope, and every one of those asks which task and which event loop it runs in. That
was about a tenth of the event loop's CPU in a cold refresh of 5,200 downloads, on a core the
extraction workers need. This backend reads and writes asyncio's streams directly, with
asyncio's timeouts, and raises the httpcore errors httpx expects of a backend.

It also asks for quick ACKs (Linux's TCP_QUICKACK) before each read: many small servers
(Python's http.server among them) write an answer's headers and its body in two writes
without TCP_NODELAY, so Nagle's algorithm holds the body until the headers are
acknowledged, and a client delays that acknowledgement by 40 ms. Every answer with a body
then takes 40 ms more than the server needs (measured on the local news site: 96 ms instead
of 53 for a feed at 50 ms latency). The kernel drops quick-ack mode by itself, so it is
asked for again before each read.

And it keeps httpcore's pool linear: each time the pool hands out a connection, it used to
ask the socket of every idle connection whether the server had closed it (one system call
each) and to count the connections once per idle connection (3.5 million calls in that
refresh). asyncio already reads every idle socket, so a server's close is known without a
system call; the pool's rules are otherwise httpcore's own.

The certificates TLS trusts (certifi's, as httpx would load them) are read when the first
TLS connection needs them: reading them takes about 15 ms, before the first request of a
refresh when done up front, and a refresh of plain-HTTP feeds never needs them.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import certifi
import httpcore
import httpx

from newsdesk.config import Settings

_TCP_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


class _Reader(asyncio.StreamReader):
    def closed_or_readable(self) -> bool:
        """Whether the server closed the connection, failed it, or sent bytes unasked."""
        return bool(self._buffer) or self._eof or self._exception is not None  # type: ignore[attr-defined]


async def _open(host: str, port: int, local_address: str | None) -> tuple[_Reader, asyncio.StreamWriter]:
    """asyncio.open_connection, with a _Reader."""
    loop = asyncio.get_running_loop()
    reader = _Reader(loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await loop.create_connection(
        lambda: protocol, host, port, local_addr=(local_address, 0) if local_address else None
    )
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop)


class _Trust:
    """A TLS context whose certificates are loaded on first use."""

    def __init__(self, given: ssl.SSLContext | None) -> None:
        self._load = given is None
        # What httpx.create_ssl_context(verify=True) makes, minus the loading: hostname
        # checked, a certificate required.
        self.context = given or ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    def ready(self, context: ssl.SSLContext) -> None:
        if self._load and context is self.context:
            self.context.load_verify_locations(cafile=certifi.where())
            self._load = False


class _Stream(httpcore.AsyncNetworkStream):
    """One connection, plain or TLS, as httpcore reads and writes it."""

    def __init__(self, reader: _Reader, writer: asyncio.StreamWriter, trust: _Trust) -> None:
        self._trust = trust
        self._reader = reader
        self._writer = writer
        self._socket: socket.socket | None = writer.get_extra_info("socket")
        self._quick_ack = _TCP_QUICKACK is not None and self._socket is not None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._quick_ack:
            try:
                self._socket.setsockopt(socket.IPPROTO_TCP, _TCP_QUICKACK, 1)  # type: ignore[union-attr,arg-type]
            except OSError:  # closed under us: the read says so
                pass
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "timed out reading the answer") from exc
        except (OSError, EOFError) as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc) or "timed out sending the request") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        # Not waiting for the close to complete: a TLS server that never answers the
        # close_notify would hold the pool (and the refresh's end) for ever.
        self._writer.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        try:
            self._trust.ready(ssl_context)
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(exc) or "timed out in the TLS handshake") from exc
        except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
            self._writer.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # asked of an idle connection: may it be used again?
            return self._reader.closed_or_readable() or self._writer.is_closing()
        if info == "socket":
            return self._socket
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        return None


class _Backend(httpcore.AsyncNetworkBackend):
    """TCP connections for httpcore's pool, opened by asyncio (newsdesk fetches http and
    https URLs only: no UNIX sockets, no proxies)."""

    def __init__(self, trust: _Trust) -> None:
        self._trust = trust

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await _open(host, port, local_address)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or f"timed out connecting to {host}:{port}") from exc
        except OSError as exc:  # refused, unreachable, no such host (socket.gaierror)
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return _Stream(reader, writer, self._trust)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Pool(httpcore.AsyncConnectionPool):
    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        """httpcore's own rules (httpcore 1.0, `AsyncConnectionPool`), each step linear in
        the connections (see the module's docstring)."""
        closing: list[httpcore.AsyncConnectionInterface] = []
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.is_idle() and (
                # Only an idle connection expires (its keep-alive, or the server closed it).
                # httpcore compares every connection, idle or not, with the keep-alive limit.
                connection.has_expired() or len(self._connections) > self._max_keepalive_connections
            ):
                self._connections.remove(connection)
                closing.append(connection)
        for request in [r for r in self._requests if r.is_queued()]:
            origin = request.request.url.origin
            available = next(
                (c for c in self._connections if c.can_handle_request(origin) and c.is_available()), None
            )
            if available is not None:
                request.assign_to_connection(available)
                continue
            if len(self._connections) >= self._max_connections:
                idle = next((c for c in self._connections if c.is_idle()), None)
                if idle is None:
                    continue  # it waits for a connection to come free
                self._connections.remove(idle)
                closing.append(idle)
            connection = self.create_connection(origin)
            self._connections.append(connection)
            request.assign_to_connection(connection)
        return closing


def transport(settings: Settings, tls: ssl.SSLContext | None) -> httpx.AsyncHTTPTransport:
    """httpx's own transport, sized to the settings, over _Pool and asyncio's streams."""
    size = settings.concurrency * 2
    trust = _Trust(tls)
    made = httpx.AsyncHTTPTransport(verify=trust.context, trust_env=False)
    # httpx takes no connection pool or network backend of the caller's; its transport holds
    # httpcore's pool, which takes both.
    made._pool = _Pool(
        ssl_context=trust.context,
        max_connections=size,
        max_keepalive_connections=size,
        keepalive_expiry=httpx.Limits(max_connections=size).keepalive_expiry,
        network_backend=_Backend(trust),
    )
    return made
