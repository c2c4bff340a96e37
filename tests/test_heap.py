"""The daemon gives what a refresh freed back to the system (newsdesk.heap)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
from newsdesk.heap import give_back

def rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

held = [bytearray(2000) for _ in range(50_000)]  # 100 MB in the C heap, as a refresh's texts
kept = held[::25]  # a few stay (stored stories' values): the freed pages lie between them
del held
before = rss_kb()
give_back()
give_back()  # a second call is as harmless
print(before, rss_kb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; malloc_trim is glibc's")
def test_memory_freed_in_a_process_goes_back_to_the_system() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60)
    before, after = map(int, out.stdout.split())
    # Freed but kept by the C library before; returned after (glibc; elsewhere a no-op).
    assert after < before - 50_000, (before, after)


ARENAS = """
import ctypes, sys, threading
from newsdesk.heap import share_heaps

if sys.argv[1] == "shared":
    share_heaps(2)
kept = []
together = threading.Barrier(6)

def work():
    kept.append([bytes(3000) for _ in range(100)])  # blocks from the C heap, not Python's
    together.wait()  # all six alive at once: none hands its heap on to the next

threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ctypes.CDLL(None).malloc_stats()  # glibc: one "Arena N:" block a heap, on stderr
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt and malloc_stats are glibc's")
def test_threads_share_the_heaps_they_are_given() -> None:
    def heaps(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", ARENAS, mode], capture_output=True, text=True, check=True, timeout=60)
        return out.stderr.count("Arena ")

    # Six threads, each with a heap of its own by default (on a machine of one core or more).
    assert heaps("own") >= 3
    assert heaps("shared") == 2
