"""What the benchmarks share: the local news site, memory of a process tree, tables.

Nothing here is imported by newsdesk itself. Paths default relative to the repository, so a
checkout beside the shared data (`../shared`) works without options.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newsdesk.workers import cores  # noqa: F401  (the benchmarks' count of cores is newsdesk's)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared"


@dataclass
class Site:
    """A running newsite.py: its base URL and the feeds.toml it wrote."""

    url: str
    feeds_toml: Path
    process: subprocess.Popen[bytes]

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/stats", timeout=10) as answer:
            stats: dict[str, int] = json.load(answer)
        # The /stats request itself is counted; it is not the client's.
        stats["requests"] = stats.get("requests", 0) - stats.get("stats.200", 0)
        return stats

    def prime(self, feeds: int) -> None:
        """Ask for every feed once, gzip-encoded and plain: the site renders a feed (and
        compresses it) on its first request and serves it from memory after that, as a
        real site serves its feeds from a cache. Without this, whichever client runs first
        pays for the rendering, in CPU the site then takes from it on this machine."""
        from concurrent.futures import ThreadPoolExecutor

        def get(job: tuple[int, bool]) -> None:
            request = urllib.request.Request(f"{self.url}/feeds/{job[0]}.xml")
            if job[1]:
                request.add_header("Accept-Encoding", "gzip")
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(get, [(i, gz) for i in range(feeds) for gz in (True, False)]))
        self.reset()

    def reset(self) -> None:
        with urllib.request.urlopen(f"{self.url}/stats/reset", timeout=10):
            pass


@contextmanager
def newsite(shared: Path, workdir: Path, *args: str) -> Iterator[Site]:
    """Start ../shared/tools/newsite.py on 127.0.0.1, a free port, until the block ends."""
    tool = shared / "tools" / "newsite.py"
    if not tool.is_file():
        sys.exit(f"{tool} not found: give --shared the folder holding tools/newsite.py and corpus/")
    port_file = workdir / "port.txt"
    feeds_toml = workdir / "newsite-feeds.toml"
    process = subprocess.Popen(
        [sys.executable, str(tool), "--port", "0", "--port-file", str(port_file), "--write-feeds-toml", str(feeds_toml), *args],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("newsite.py did not start")
            time.sleep(0.05)
        yield Site(f"http://127.0.0.1:{port_file.read_text().strip()}", feeds_toml, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        current = todo.pop()
        seen.append(current)
        todo += _children(current)
    return seen


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


def _pss_kb(pid: int) -> int:
    """PSS shares the pages forked workers have in common fairly; costly to read (kernel walk)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Samples the memory and CPU time of this process and all its descendants (extraction
    workers too, which are the fork server's children)."""

    def __init__(self, pid: int | None = None, every: float = 0.25, pss_every: int = 4) -> None:
        self.pid = pid or os.getpid()
        self.every = every
        self.pss_every = pss_every
        self._samples = 0
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.peak_main_rss_kb = 0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    @property
    def cpu_seconds(self) -> float:
        """CPU time of the whole tree, as last seen of each process (sampled, so a little low)."""
        return sum(self._cpu.values())

    def _sample(self) -> None:
        # Sampling is kept sparse: reading /proc costs CPU the benchmarked refresh competes for.
        self._samples += 1
        with_pss = self._samples % self.pss_every == 1
        total_rss = total_pss = 0
        for pid in _tree(self.pid):
            try:
                self._cpu[pid] = process_cpu_seconds(pid)
            except OSError:
                pass
            rss = _rss_kb(pid)
            total_rss += rss
            if with_pss:
                total_pss += _pss_kb(pid)
            if pid == self.pid:
                self.peak_main_rss_kb = max(self.peak_main_rss_kb, rss)
        self.peak_rss_kb = max(self.peak_rss_kb, total_rss)
        self.peak_pss_kb = max(self.peak_pss_kb, total_pss)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used since boot (the server's too)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def add_site_options(parser: argparse.ArgumentParser, shared_help: str) -> None:
    """The news site's options every refresh benchmark takes: where it is, and its shape."""
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help=shared_help)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=25)
    parser.add_argument("--latency-ms", type=float, default=50)


def site_options(args: argparse.Namespace) -> list[str]:
    """Those options as newsite.py takes them."""
    return ["--feeds", str(args.feeds), "--items", str(args.items), "--latency-ms", str(args.latency_ms)]
