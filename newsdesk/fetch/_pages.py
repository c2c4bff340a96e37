"""An answer's bytes as downloaded, made text: decompressed within a limit (Inflater, for
feeds as they stream in and for pages), a page decoded by its declared or guessed charset.
CPU work for pages, so decode_page runs in the extraction workers."""

from __future__ import annotations

import re
import zlib

from newsdesk.errors import BadEncoding, TooLarge
from newsdesk.types import RawPage

PARSE_HEADERS = ("content-type", "content-language")
"""The answer's headers a feed's reading needs (its charset, its language)."""


class Inflater:
    """An answer's Content-Encoding undone chunk by chunk, never past `limit` bytes out.

    gzip (and x-gzip) and deflate, as asked for; deflate is zlib-wrapped by the standard
    and raw on some servers, so the first bytes decide. Raises BadEncoding for a coding
    newsdesk did not ask for or a corrupt stream, TooLarge past the limit (a gzip bomb is
    cut off after `limit` bytes of output, not expanded).
    """

    def __init__(self, url: str, content_encoding: str, limit: int, what: str = "feed") -> None:
        self._url = url
        self._limit = limit
        self._what = what
        self._out = 0
        self._codings: list[str] = []
        for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
            if coding in ("gzip", "x-gzip", "deflate"):
                self._codings.append(coding)
            elif coding != "identity":
                raise BadEncoding(url, coding)
        if len(self._codings) > 1:  # nobody sends this but an attacker: one layer is enough
            raise BadEncoding(url, ", ".join(reversed(self._codings)))
        self._inflater: zlib._Decompress | None = None
        self._started = b""

    def feed(self, chunk: bytes) -> bytes:
        if not self._codings:
            return chunk
        if self._inflater is None:
            self._started += chunk
            if len(self._started) < 2:
                return b""
            chunk, self._started = self._started, b""
            self._inflater = self._make(chunk)
        return self._inflate(chunk)

    def finish(self) -> bytes:
        if not self._codings:
            return b""
        if self._inflater is None:
            if not self._started:
                return b""
            self._inflater = self._make(self._started)
            return self._inflate(self._started)
        return b""

    def _make(self, first: bytes) -> zlib._Decompress:
        if self._codings[0] != "deflate":
            return zlib.decompressobj(31)
        # A zlib header's first two bytes, read big-endian, are a multiple of 31.
        wrapped = (first[0] & 0x0F) == 8 and ((first[0] << 8) | first[1]) % 31 == 0
        return zlib.decompressobj(15 if wrapped else -15)

    def _inflate(self, chunk: bytes) -> bytes:
        assert self._inflater is not None
        try:
            out = self._inflater.decompress(chunk, self._limit - self._out + 1)
        except zlib.error:
            raise BadEncoding(self._url) from None
        self._out += len(out)
        if self._out > self._limit or self._inflater.unconsumed_tail:
            raise TooLarge(self._url, self._what, self._limit)
        return out


def decode_page(page: RawPage, limit: int) -> str:
    """A downloaded page as text: decompressed (at most `limit` bytes) and decoded.

    A plain function of plain values, so it runs in the extraction workers. Raises
    BadEncoding and TooLarge (FetchErrors) only.
    """
    inflater = Inflater(page.url, page.content_encoding, limit, "page")
    body = inflater.feed(page.body) + inflater.finish()
    return _decode_html(body, page.content_type)


_HEADER_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w.:-]+)""", re.IGNORECASE)


def _decode_html(body: bytes, content_type: str) -> str:
    found = _HEADER_CHARSET.search(content_type)
    encoding = found.group(1) if found else None
    if encoding is None:
        meta = _META_CHARSET.search(body[:4096])
        encoding = meta.group(1).decode("ascii", "replace") if meta else "utf-8"
    try:
        return body.decode(encoding, errors="replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        # No such codec (LookupError), or one that is no charset: "idna" and "undefined"
        # raise UnicodeError whatever the errors= asked for, codecs of bytes to bytes
        # (base64, zlib) refuse text. The page is then read as UTF-8.
        return body.decode("utf-8", errors="replace")
