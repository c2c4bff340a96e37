"""Giving the memory a refresh freed back to the system, in a long-running process.

A refresh allocates and frees many small objects (parsed feeds, texts, sketches). CPython
hands freed memory back to the C library's allocator, and glibc's keeps it in its heaps for
later, returning only what lies at a heap's top: a daemon's resident size then grows by the
megabytes that were once in use at the same moment, in every thread's heap, though nothing
holds them. glibc's `malloc_trim` (documented in its manual and malloc_trim(3)) returns the
free pages of every heap. The daemon calls it after each refresh: measured on a daemon
storing 100 stories a minute, 14 MB of a 131 MB process came back at once.
Elsewhere (musl, macOS, Windows) there is no such function and this does nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable


def give_back() -> None:
    """Return the C heap's free pages to the system, where the C library can (glibc)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache  # looked up once a process
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim
