"""The connections under the downloads: httpcore's pool over a network backend of our own.

Only documented extension points are used: httpcore's `AsyncConnectionPool` takes a
`network_backend` (an `AsyncNetworkBackend` whose `connect_tcp` returns an
`AsyncNetworkStream`), and the stream here is built on asyncio's public `Protocol` and
`Transport` interfaces. Two things motivate a backend of our own rather than httpcore's
default one (anyio):

- Quick ACKs. Many small servers (Python's http.server among them) write an answer's
  headers and its body in two writes without TCP_NODELAY: Nagle's algorithm then holds the
  body until the headers are acknowledged, and a client delays that acknowledgement by
  40 ms. The stream asks for a quick ACK (Linux's TCP_QUICKACK) before each read, so the
  body follows at once. The kernel leaves quick-ack mode by itself, hence before each read.
- Knowing, without a system call, whether a server closed an idle connection: httpcore
  asks every idle connection's stream ("is_readable") whenever it hands out a connection;
  the protocol below already holds what asyncio read from the socket, so the answer is a
  look at its own state, not a poll() per idle socket.

The certificates TLS trusts (certifi's) are read when the first TLS connection needs them:
reading them takes tens of milliseconds, and a refresh of plain-HTTP feeds never needs them.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

_TCP_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
# Past this many unread bytes the socket is not read until the caller catches up.
_HIGH_WATER = 256 * 1024


class ConnectFailure(httpcore.ConnectError):
    """httpcore's ConnectError (what a network backend raises), with the OS's error kept
    for the caller to tell a refused connection from an unknown host or a failed TLS
    handshake by type (httpcore's pool passes the exception up as it is, but not always
    with its cause chained)."""

    def __init__(self, message: str, cause: BaseException) -> None:
        super().__init__(message)
        self.cause = cause


class _Protocol(asyncio.Protocol):
    """What asyncio read from one connection and has not been handed out yet."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._eof = False
        self._error: BaseException | None = None
        self._readable: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None
        self._paused = False

    # asyncio's side
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a TCP connection's is a Transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > _HIGH_WATER and self.transport is not None and not self._paused:
            self.transport.pause_reading()
            self._paused = True
        self._wake_reader()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake_reader()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._error = exc
        self._wake_reader()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        if self._writable is None or self._writable.done():
            self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def _wake_reader(self) -> None:
        if self._readable is not None and not self._readable.done():
            self._readable.set_result(None)

    # the stream's side
    def closed_or_readable(self) -> bool:
        """Whether the server closed the connection, failed it, or sent bytes unasked."""
        return bool(self._buffer) or self._eof

    async def read(self, max_bytes: int) -> bytes:
        while not self._buffer and not self._eof:
            self._readable = asyncio.get_running_loop().create_future()
            await self._readable
        if not self._buffer and self._error is not None:
            raise self._error
        data = bytes(self._buffer[:max_bytes])
        del self._buffer[:max_bytes]
        if self._paused and len(self._buffer) <= _HIGH_WATER // 4 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    async def drain(self) -> None:
        if self._error is not None:
            raise self._error
        if self.transport is None or self.transport.is_closing():
            raise ConnectionResetError("the connection is closed")
        if self._writable is not None and not self._writable.done():
            await self._writable


class _Trust:
    """A TLS context whose certificates are loaded on first use."""

    def __init__(self, given: ssl.SSLContext | None) -> None:
        self._load = given is None
        # What a default TLS client context is (hostname checked, a certificate required),
        # minus the loading of the certificates.
        self.context = given or ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    def ready(self, context: ssl.SSLContext) -> None:
        if self._load and context is self.context:
            import certifi  # imported here too: a refresh of plain-HTTP feeds never reads it

            self.context.load_verify_locations(cafile=certifi.where())
            self._load = False


class _Stream(httpcore.AsyncNetworkStream):
    """One connection, plain or TLS, as httpcore reads and writes it."""

    def __init__(self, protocol: _Protocol, trust: _Trust) -> None:
        self._protocol = protocol
        self._trust = trust
        self._socket: Any = self._transport.get_extra_info("socket")
        self._quick_ack = _TCP_QUICKACK is not None and self._socket is not None

    @property
    def _transport(self) -> asyncio.Transport:
        assert self._protocol.transport is not None  # set when the connection was made
        return self._protocol.transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._quick_ack:
            try:
                self._socket.setsockopt(socket.IPPROTO_TCP, _TCP_QUICKACK, 1)
            except OSError:  # closed under us: the read says so
                pass
        try:
            async with asyncio.timeout(timeout):
                return await self._protocol.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout("timed out reading the answer") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._transport.write(buffer)
                await self._protocol.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout("timed out sending the request") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        # Not waiting for the close to complete: a TLS server that never answers the
        # close_notify would hold the pool (and the refresh's end) for ever.
        self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            self._trust.ready(ssl_context)
            async with asyncio.timeout(timeout):
                secure = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.close()
            raise httpcore.ConnectTimeout("timed out in the TLS handshake") from exc
        except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
            self._transport.close()
            raise ConnectFailure(str(exc) or type(exc).__name__, exc) from exc
        if secure is None:  # the server closed the connection during the handshake
            raise httpcore.ConnectError("the server closed the connection during the TLS handshake")
        self._protocol.transport = secure
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # asked of an idle connection: may it be used again?
            return self._protocol.closed_or_readable() or self._transport.is_closing()
        if info == "socket":
            return self._socket
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
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
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, protocol = await loop.create_connection(
                    _Protocol, host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from exc
        except (OSError, UnicodeError, ValueError) as exc:
            # refused, unreachable, no such host (socket.gaierror), a name the resolver
            # cannot take (UnicodeError)
            raise ConnectFailure(str(exc) or type(exc).__name__, exc) from exc
        stream = _Stream(protocol, self._trust)
        for option in socket_options or ():
            stream.get_extra_info("socket").setsockopt(*option)
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def connection_pool(connections: int, tls: ssl.SSLContext | None, keepalive_expiry: float = 5.0) -> httpcore.AsyncConnectionPool:
    """httpcore's pool of up to `connections` connections over this module's backend.

    `tls`: the certificates to trust (default: certifi's, read on first use).
    """
    trust = _Trust(tls)
    return httpcore.AsyncConnectionPool(
        ssl_context=trust.context,
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=keepalive_expiry,
        network_backend=_Backend(trust),
    )
