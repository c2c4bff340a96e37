"""Giving the memory a refresh freed back to the system, and keeping the C heap from
spreading over threads.

A refresh allocates and frees many small objects (parsed feeds, texts, sketches). CPython
hands freed memory back to the C library's allocator, and glibc's keeps it in its heaps for
later, returning only what lies at a heap's top: a daemon's resident size then grows by the
megabytes that were once in use at the same moment, in every thread's heap, though nothing
holds them. glibc's `malloc_trim` (documented in its manual and malloc_trim(3)) returns the
free pages of every heap. The daemon calls it after each refresh: measured on a daemon
storing 100 stories a minute, 14 MB of a 131 MB process came back at once.

glibc also gives each new thread a heap (an "arena") of its own, up to eight per core. A
refresh's threads pass texts and pages between them (downloaded in the event loop's thread,
sent and received by the worker pool's threads, written in another): a block freed in one
thread goes back to the heap of the thread that allocated it, and every heap keeps free
space of its own. `share_heaps` caps their number (mallopt(3), M_ARENA_MAX) for the threads
made afterwards. Elsewhere (musl, macOS, Windows) there are no such functions and both do
nothing.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ctypes is imported when first needed
    import ctypes

_M_ARENA_MAX = -8
"""mallopt(3)'s parameter for the most arenas (glibc's malloc.h)."""

SHARED_HEAPS = 2
"""The C heaps a refresh's threads share: Python's threads rarely allocate at the same moment
(the GIL), so two leave one for SQLite's and zstd's calls, which release it. Benchmark 1's
main process (eleven threads): 120 -> 113 MB at its peak (benchmarks/README.md)."""


def give_back() -> None:
    """Return the C heap's free pages to the system, where the C library can (glibc)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def share_heaps(count: int = SHARED_HEAPS) -> None:
    """Let threads started from now on share at most `count` C heaps (glibc), instead of
    one each: what one thread frees, another can then reuse. Process-wide, and harmless to
    repeat; threads that already have a heap keep it."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, count)


@functools.cache  # looked up once a process
def _glibc() -> ctypes.CDLL | None:
    """The C library, with malloc_trim and mallopt typed, when it is glibc (on Linux)."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        trim, opt = libc.malloc_trim, libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    opt.argtypes = [ctypes.c_int, ctypes.c_int]
    opt.restype = ctypes.c_int
    return libc
