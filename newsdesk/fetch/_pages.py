"""An article page's bytes as downloaded, made HTML: decompressed within a limit, decoded by
its declared or guessed charset. CPU work, so it runs in the extraction workers."""

from __future__ import annotations

import re
import zlib

from newsdesk.errors import FetchError
from newsdesk.types import RawPage


def decode_page(page: RawPage, limit: int) -> str:
    """A downloaded page as text: decompressed (at most `limit` bytes) and decoded.

    A plain function of plain values, so it runs in the extraction workers.
    """
    body = page.body
    for coding in reversed([c.strip() for c in page.content_encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip", "deflate"):
            body = _inflate(page.url, body, coding, limit)
        elif coding != "identity":
            raise FetchError(page.url, f"the page is compressed as {coding!r}, which newsdesk did not ask for")
    return _decode_html(body, page.content_type)


def _inflate(url: str, body: bytes, coding: str, limit: int) -> bytes:
    # wbits: 16+ for a gzip header, 15 for zlib-wrapped deflate; some servers send raw deflate.
    for wbits in ((31,) if coding != "deflate" else (15, -15)):
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit:
            raise FetchError(url, page_too_large(limit))
        return out
    raise FetchError(url, "the server's compressed answer is corrupt")


def page_too_large(limit: int) -> str:
    return f"the page is larger than {limit // (1024 * 1024)} MB"


def _decode_html(body: bytes, content_type: str) -> str:
    found = re.search(r"charset=([\w.:-]+)", content_type)
    if not found:
        found = re.search(rb"""<meta[^>]+charset=["']?([\w.:-]+)""", body[:4096], re.IGNORECASE)  # type: ignore[assignment]
    encoding = found.group(1) if found else "utf-8"
    if isinstance(encoding, bytes):
        encoding = encoding.decode("ascii", "replace")
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")
