"""Which HTTP client newsdesk downloads with: the candidates side by side, downloads alone.

    python benchmarks/clients_bench.py [--shared ../shared] [--feeds 200] [--latency-ms 50] [--rounds 3]

Each candidate downloads, in a fresh process, (a) every feed of the local news site at
concurrency 8, 8 per site (benchmark 3's setting), and (b) every article page its feeds
link to at newsdesk's default concurrency (32, 16 per site: benchmark 1's downloads),
reading each body to its end and keeping nothing. Printed: wall seconds and the process's
CPU seconds (its CPU is what the extraction workers of a cold refresh compete with), the
best of `--rounds` runs each, candidates taking turns so drift on a shared machine hits
all alike.

- httpx: `httpx.AsyncClient` with its default transport (public API only).
- httpcore: httpcore's `AsyncConnectionPool` over newsdesk's network backend
  (newsdesk.fetch._net: asyncio's public Protocol API, quick ACKs).
- aiohttp: `aiohttp.ClientSession` with a `TCPConnector(limit, limit_per_host)`, skipped
  when aiohttp is not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import add_site_options, newsite, site_options, table

CANDIDATES = ("old", "httpcore", "aiohttp")


async def _run(candidate: str, urls: list[str], concurrency: int, per_host: int) -> None:
    hosts: dict[str, asyncio.Semaphore] = {}
    overall = asyncio.Semaphore(concurrency)

    async def bounded(url: str, get) -> int:  # type: ignore[no-untyped-def]
        host = url.split("/")[2]
        site = hosts.setdefault(host, asyncio.Semaphore(per_host))
        async with site, overall:
            return int(await get(url))

    if candidate == "httpx":
        import httpx

        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency * 2), trust_env=False) as client:
            async def get(url: str) -> int:
                async with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
                    return sum([len(c) async for c in response.aiter_raw()])

            sizes = await asyncio.gather(*(bounded(u, get) for u in urls))
    elif candidate == "old":
        import importlib.util

        import httpx
        spec = importlib.util.spec_from_file_location("old_net", "/tmp/fetch_old_net.py")
        old = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(old)
        from newsdesk.config import Settings
        async with httpx.AsyncClient(transport=old.transport(Settings(concurrency=concurrency), None), trust_env=False) as client:
            async def get(url: str) -> int:
                async with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
                    return sum([len(c) async for c in response.aiter_raw()])

            sizes = await asyncio.gather(*(bounded(u, get) for u in urls))
    elif candidate == "httpcore":
        from newsdesk.fetch._net import connection_pool

        async with connection_pool(concurrency * 2, None) as pool:
            async def get(url: str) -> int:
                async with pool.stream("GET", url, headers=[(b"Accept-Encoding", b"gzip")]) as response:
                    return sum([len(c) async for c in response.aiter_stream()])

            sizes = await asyncio.gather(*(bounded(u, get) for u in urls))
    else:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=concurrency * 2, limit_per_host=per_host)
        async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
            async def get(url: str) -> int:
                async with session.get(url, headers={"Accept-Encoding": "gzip"}) as response:
                    return sum([len(c) async for c in response.content.iter_any()])

            sizes = await asyncio.gather(*(bounded(u, get) for u in urls))
    assert all(sizes), "an empty answer"


def child(candidate: str, urls_file: str, concurrency: int, per_host: int) -> None:
    urls = Path(urls_file).read_text().split()
    started, cpu = time.perf_counter(), time.process_time()
    asyncio.run(_run(candidate, urls, concurrency, per_host))
    print(json.dumps({"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_options(parser, "folder with tools/newsite.py (default ../shared)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]), int(args.child[3]))
        return
    try:
        import aiohttp  # noqa: F401
        candidates = CANDIDATES
    except ImportError:
        print("aiohttp is not installed: its rows are skipped", file=sys.stderr)
        candidates = CANDIDATES[:2]
    best: dict[tuple[str, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        work = Path(tmp)
        with newsite(args.shared.resolve(), work, *site_options(args)) as site:
            site.prime(args.feeds)
            feeds = [f"{site.url}/feeds/{i}.xml" for i in range(args.feeds)]
            pages: list[str] = []
            for feed in feeds:
                with urllib.request.urlopen(feed, timeout=30) as answer:
                    pages += re.findall(r"(http://127\.0\.0\.1:\d+/articles/[^<\"]+)", answer.read().decode())
            pages = [p.replace("&amp;", "&") for p in dict.fromkeys(pages)]
            jobs = {"feeds": (feeds, 8, 8), "pages": (pages, 32, 16)}
            for name, (urls, _, _) in jobs.items():
                (work / name).write_text("\n".join(urls))
            for _ in range(args.rounds):
                for job, (_urls, concurrency, per_host) in jobs.items():
                    for candidate in candidates:
                        out = subprocess.run(
                            [sys.executable, __file__, "--child", candidate, str(work / job), str(concurrency), str(per_host)],
                            check=True, capture_output=True, text=True,
                        )
                        figures = json.loads(out.stdout.strip().splitlines()[-1])
                        key = (job, candidate)
                        if key not in best or figures["wall"] < best[key]["wall"]:
                            best[key] = figures
            counts = {job: len(urls) for job, (urls, _, _) in jobs.items()}
    rows = [
        (job, candidate, counts[job], f"{f['wall']:.2f}", f"{f['cpu']:.2f}", f"{f['cpu'] / counts[job] * 1000:.2f}")
        for (job, candidate), f in sorted(best.items())
    ]
    table(f"downloads alone, {args.latency_ms:g} ms latency, best of {args.rounds}",
          ("job", "client", "requests", "wall s", "CPU s", "CPU ms a request"), rows)


if __name__ == "__main__":
    main()
