"""Article pages as stored: slimmed (no scripts, styles, comments or SVG) and compressed."""

from __future__ import annotations

import re
import zlib

# A page still larger than this once slimmed and compressed is not kept (its story is).
MAX_STORED_PAGE_BYTES = 512 * 1024
# Scripts (but JSON-LD, which carries author and date), styles, comments and inline SVG
# (icons and logos, 7% of a page once its scripts are gone) are no article.
_PAGE_FAT = re.compile(
    r"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>|<!--.*?-->|<svg\b.*?</svg\s*>",
    re.IGNORECASE | re.DOTALL,
)


def slim_page(html: str) -> str:
    """A page without what is never article text (scripts, styles, comments, SVG): half the bytes
    to parse and to keep. The refresh reads the slimmed page, so `reextract`, which reads
    the stored one, starts from the very same input."""
    return _PAGE_FAT.sub("", html)


def pack_page(html: str, *, slimmed: bool = False) -> bytes | None:
    """A page as stored: slimmed and compressed; None when it is too large to keep."""
    # Level 3: within a tenth of level 6's size at half its CPU, which every new story pays.
    packed = zlib.compress((html if slimmed else slim_page(html)).encode("utf-8"), 3)
    return packed if len(packed) <= MAX_STORED_PAGE_BYTES else None


def unpack_page(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")
