"""Benchmark 3: newsdesk side by side with newsboat and reader, feeds only, cold and warm.

    python benchmarks/peers_bench.py [--shared ../shared] [--feeds 200] [--latency-ms 50] [--concurrency 8]

The same feeds from the same local server (../shared/tools/newsite.py on 127.0.0.1), the same
concurrency, and the same work: download and parse every feed, store the entries, no article
page (newsdesk runs with `extract = false`). Each reader starts from an empty store (cold),
then refreshes again with nothing changed (warm). Before any of them, every feed is asked for
once: the site renders a feed on its first request and serves it from memory after, so the
first client measured would otherwise pay for the rendering.

- newsdesk: `[settings] concurrency = N`, `per_host = N`, `extract = false`, in a child
  process; the figure is the `refresh()` call on the opened store, as reader's figure is its
  `update_feeds()` call on the opened reader, with no memory sampling beside it (the peers
  have none).
- newsboat: `newsboat -x reload` with an urls file and `reload-threads N` (Debian package
  `newsboat`: `apt-get install -y newsboat`); the figure is the whole command.
- reader (PyPI `reader` with `sgmllib3k`): `update_feeds(workers=N, scheduled=False)` in a
  child process of a separate virtual environment (--reader-python; by default one is made
  next to this checkout's temporary folder with pip the first time); the figure is the call.

For each: wall seconds, the requests the server saw, how many were conditional and how many
answered 304, and newsdesk's ratios to the faster peer (cold) and to reader (warm).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (  # noqa: E402
    Site,
    add_site_options,
    cores,
    newsite,
    site_options,
    table,
)
from benchmarks.refresh_bench import run_child  # noqa: E402

_READER_SCRIPT = """
import sys, time
from reader import make_reader
db, urls, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
reader = make_reader(db)
for url in open(urls).read().split():
    reader.add_feed(url, exist_ok=True)
started = time.perf_counter()
reader.update_feeds(workers=workers, scheduled=False)
print(time.perf_counter() - started)
"""


def _reader_python(given: Path | None) -> Path | None:
    if given:
        return given
    venv = Path(tempfile.gettempdir()) / "newsdesk-bench-reader-venv"
    python = venv / "bin" / "python"
    if python.exists():
        return python
    print(f"reader is not installed: making {venv} (pip install reader sgmllib3k)...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "reader", "sgmllib3k"], check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"could not install reader ({exc}); give --reader-python a Python that has it", file=sys.stderr)
        return None
    return python


def _measure(site: Site, run) -> tuple[float, dict[str, int]]:  # type: ignore[no-untyped-def]
    site.reset()
    seconds = run()
    return seconds, site.stats()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_options(parser, "folder with tools/newsite.py (default ../shared)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--reader-python", type=Path, help="a Python with reader and sgmllib3k installed")
    args = parser.parse_args()
    n = args.concurrency
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        print("newsboat is not installed (Debian/Ubuntu: apt-get install -y newsboat); its rows are skipped", file=sys.stderr)
    reader_python = _reader_python(args.reader_python)

    results: dict[str, dict[str, tuple[float, dict[str, int]]]] = {}
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        work = Path(tmp)
        with newsite(args.shared.resolve(), work, *site_options(args)) as site:
            # The site renders each feed on its first request: without this, whichever client
            # ran first would pay for it, in CPU the site takes from that client.
            site.prime(args.feeds)
            urls = [f"{site.url}/feeds/{i}.xml" for i in range(args.feeds)]
            (work / "urls").write_text("\n".join(urls) + "\n")

            config = work / "feeds.toml"
            config.write_text(
                f"[settings]\nconcurrency = {n}\nper_host = {n}\nextract = false\n\n" + site.feeds_toml.read_text()
            )
            db = work / "newsdesk.db"
            results["newsdesk"] = {
                phase: _measure(site, lambda: run_child(config, db, memory_samples=False, call_only=True)["wall"]) for phase in ("cold", "warm")
            }

            if newsboat:
                (work / "newsboat.conf").write_text(f"reload-threads {n}\n")
                command = [newsboat, "-u", str(work / "urls"), "-c", str(work / "newsboat.db"),
                           "-C", str(work / "newsboat.conf"), "-x", "reload"]

                def run_newsboat() -> float:
                    started = time.perf_counter()
                    subprocess.run(command, check=True, capture_output=True, env={"HOME": str(work), "PATH": "/usr/bin:/bin"})
                    return time.perf_counter() - started

                results["newsboat"] = {phase: _measure(site, run_newsboat) for phase in ("cold", "warm")}

            if reader_python:
                script = work / "reader_update.py"
                script.write_text(_READER_SCRIPT)

                def run_reader() -> float:
                    out = subprocess.run([str(reader_python), str(script), str(work / "reader.db"), str(work / "urls"), str(n)],
                                         check=True, capture_output=True, text=True)
                    return float(out.stdout.strip().splitlines()[-1])

                results["reader"] = {phase: _measure(site, run_reader) for phase in ("cold", "warm")}

    rows = []
    for name, phases in results.items():
        for phase, (seconds, stats) in phases.items():
            rows.append((name, phase, f"{seconds:.2f}", stats.get("requests", 0), stats.get("conditional", 0),
                         stats.get("feed.304", 0), stats.get("feed.200", 0)))
    floor = args.feeds / n * args.latency_ms / 1000
    table(f"3. feeds only: {args.feeds} feeds x {args.items} items, {args.latency_ms:g} ms latency, "
          f"concurrency {n}, {cores()} cores (latency floor {floor:.2f} s)",
          ("reader", "run", "wall s", "requests", "conditional", "304", "200"), rows)
    ours = results["newsdesk"]
    peers = {name: phases for name, phases in results.items() if name != "newsdesk"}
    if peers:
        fastest = min(peers, key=lambda p: peers[p]["cold"][0])
        cold_ratio = ours["cold"][0] / peers[fastest]["cold"][0]
        print(f"\ncold: newsdesk / {fastest} (the faster peer) = {cold_ratio:.2f} (goal <= 0.6)")
    if "reader" in peers:
        warm_ratio = ours["warm"][0] / peers["reader"]["warm"][0]
        all_304 = ours["warm"][1].get("feed.304", 0) == args.feeds
        print(f"warm: newsdesk / reader = {warm_ratio:.2f} (goal <= 1), every answer a 304: {all_304}")


if __name__ == "__main__":
    main()
