"""Article pages as stored: slimmed (no scripts, styles, comments or SVG) and compressed."""

from __future__ import annotations

import re
import sys
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


# Zstandard's frame starts with these bytes; a page stored by an older newsdesk is a zlib
# stream (its first byte 0x78), and is still read as one.
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def pack_page(html: str, *, slimmed: bool = False) -> bytes | None:
    """A page as stored: slimmed and compressed; None when it is too large to keep."""
    packed = compress((html if slimmed else slim_page(html)).encode("utf-8"))
    return packed if len(packed) <= MAX_STORED_PAGE_BYTES else None


def unpack_page(data: bytes) -> str:
    if is_zstd(data):
        return decompress(data).decode("utf-8")
    return zlib.decompress(data).decode("utf-8")


def is_zstd(data: bytes) -> bool:
    """Whether `data` is a Zstandard frame (what newsdesk stores now), not an older zlib stream."""
    return data.startswith(_ZSTD_MAGIC)


# The zstd module is the standard library's from Python 3.14 (its backport before), imported
# when a page or text is stored or read rather than by every command that opens the store.


def compress(data: bytes) -> bytes:
    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd
    # Level 3: smaller than zlib at any level, at under half the CPU of zlib's level 3, which
    # every new story pays; levels 9 and 19 save 8% and 11% of a page for 4 and 150 times the
    # CPU (figures in benchmarks/README.md).
    return zstd.compress(data, 3)


def decompress(data: bytes) -> bytes:
    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd
    return zstd.decompress(data)
