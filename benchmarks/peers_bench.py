"""Benchmark 3: newsdesk side by side with newsboat and reader, feeds only, cold and warm,
each timed as the whole command a person runs, from process start to exit.

    python benchmarks/peers_bench.py [--shared ../shared] [--feeds 200] [--latency-ms 50] [--concurrency 8] [--rounds 3]

The same feeds from the same local server (../shared/tools/newsite.py on 127.0.0.1), the same
concurrency, and the same work: download and parse every feed, store the entries, no article
page (newsdesk runs with `extract = false`). Each program starts from an empty store (cold),
then refreshes again with nothing changed (warm). Before any of them, every feed is asked for
once: the site renders a feed on its first request and serves it from memory after, so the
first client measured would otherwise pay for the rendering.

- newsdesk: `newsdesk --config feeds.toml --db newsdesk.db refresh`, with `[settings]
  concurrency = N`, `per_host = N`, `extract = false`.
- newsboat: `newsboat -x reload` with an urls file and `reload-threads N` (Debian package
  `newsboat`: `apt-get install -y newsboat`).
- reader: `python -m reader --db reader.db update --no-scheduled --workers N` (PyPI
  `reader[cli]` with `sgmllib3k`, in a virtual environment of its own: --reader-python, by
  default one made in the temporary folder with pip the first time). Its feeds are added
  through its Python API beforehand, untimed.

Every figure is the wall time of the whole command (subprocess start to exit), the clock
read by this script around it, for all three alike; beside it, the CPU seconds the command
used (its process and the children it waited for: on a machine others share, a figure less
moved by their load than the wall time), and the same sampled every 0.1 s over its whole
process tree ("tree CPU s": newsdesk's parse workers, whose CPU the first misses). Each round runs the three in turn with
fresh stores, cold then warm, and its ratios are taken within the round (a shared machine
drifts between rounds); the rounds' ratios are printed with their spread. Beside them, as
a breakdown and never the headline, newsdesk's `refresh()` call alone, timed inside a
process (`--breakdown`).

`--against LABEL=COMMAND` also times another newsdesk command (another checkout's: the code
before a change) in the same rounds, and `--warm-runs N` makes N warm runs of each newsdesk
and reader per round, taking turns after every cold run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    Site,
    TreeMemory,
    add_site_options,
    cores,
    newsite,
    site_options,
    table,
)
from benchmarks.refresh_bench import run_child

_READER_ADD = """
import sys
from reader import make_reader
reader = make_reader(sys.argv[1])
for url in open(sys.argv[2]).read().split():
    reader.add_feed(url, exist_ok=True)
reader.close()
"""


def _reader_python(given: Path | None) -> Path | None:
    if given:
        return given
    venv = Path(tempfile.gettempdir()) / "newsdesk-bench-reader-venv"
    python = venv / "bin" / "python"
    if python.exists() and subprocess.run([str(python), "-c", "import reader._cli"], check=False, capture_output=True).returncode == 0:
        return python
    print(f"reader is not installed: making {venv} (pip install 'reader[cli]' sgmllib3k)...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "reader[cli]", "sgmllib3k"], check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"could not install reader ({exc}); give --reader-python a Python that has reader[cli]", file=sys.stderr)
        return None
    return python


def _newsdesk_command() -> list[str]:
    """The installed `newsdesk` script beside this Python (what a user runs), else -m."""
    script = Path(sys.executable).parent / "newsdesk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "newsdesk"]


_CPU: list[tuple[float, float]] = []
"""The CPU seconds of the last command timed: as the kernel accounts its process and the
children it waited for, and as sampled over its whole process tree. The second counts what
the first misses: newsdesk's parse workers are the children of multiprocessing's fork server,
which newsdesk never waits for, so their CPU is in no rusage of this script's."""


def _timed(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    with TreeMemory(process.pid, every=0.1, pss_every=1 << 30) as tree:
        _, err = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=err)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    _CPU.append((waited, max(waited, tree.cpu_seconds)))
    return wall


Result = tuple[float, dict[str, int], tuple[float, float] | None]


def _measure(site: Site, run: Callable[[], float]) -> Result:
    site.reset()
    _CPU.clear()
    seconds = run()
    return seconds, site.stats(), (_CPU[-1] if _CPU else None)


def _round(work: Path, site: Site, n: int, newsboat: str | None, reader_python: Path | None,
           breakdown: bool, against: list[tuple[str, str]], warm_runs: int) -> dict[str, dict[str, Result]]:
    """One round: each program cold then warm, from fresh stores; with `against` (other
    newsdesk commands) or `warm_runs` > 1, every program's cold run first, then the warm runs
    of newsdesk (each) and reader taking turns, so that a before and after meet the same load."""
    for old in work.glob("*.db*"):
        old.unlink()
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    env = {
        "HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8",
    }
    results: dict[str, dict[str, Result]] = {}
    config = work / "feeds.toml"
    programs = [("newsdesk", _newsdesk_command()), *((f"newsdesk [{label}]", [path]) for label, path in against)]
    newsdesks = {
        name: [*newsdesk, "--config", str(config), "--db", str(work / f"newsdesk-{i}.db"), "refresh"]
        for i, (name, newsdesk) in enumerate(programs)
    }
    turns = bool(against) or warm_runs > 1
    warm: dict[str, list[str]] = {}
    """The warm runs still to make, after every cold one (taking turns)."""
    for name, command in newsdesks.items():
        results[name] = {"cold": _measure(site, partial(_timed, command, env))}
        if turns:
            warm[name] = command
        else:
            results[name]["warm"] = _measure(site, partial(_timed, command, env))
    if breakdown:
        db = work / "newsdesk-call.db"
        results["newsdesk refresh() call"] = {
            phase: _measure(site, lambda: run_child(config, db, memory_samples=False, call_only=True)["wall"])
            for phase in ("cold", "warm")
        }
    if newsboat:
        boat = [newsboat, "-u", str(work / "urls"), "-c", str(work / "newsboat.db"),
                "-C", str(work / "newsboat.conf"), "-x", "reload"]
        results["newsboat"] = {phase: _measure(site, lambda: _timed(boat, env)) for phase in ("cold", "warm")}
    if reader_python:
        reader_db = str(work / "reader.db")
        subprocess.run([str(reader_python), str(work / "reader_add.py"), reader_db, str(work / "urls")], check=True, env=env)
        update = [str(reader_python), "-m", "reader", "--db", reader_db, "update", "--no-scheduled", "--workers", str(n)]
        results["reader"] = {"cold": _measure(site, lambda: _timed(update, env))}
        if turns:
            warm["reader"] = update
        else:
            results["reader"]["warm"] = _measure(site, lambda: _timed(update, env))
    for turn in range(warm_runs if turns else 0):
        for name, command in warm.items():
            results[name][f"warm {turn + 1}" if turn else "warm"] = _measure(site, partial(_timed, command, env))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_options(parser, "folder with tools/newsite.py (default ../shared)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three programs, ratios taken within each")
    parser.add_argument("--breakdown", action="store_true", help="also time newsdesk's refresh() call inside a process")
    parser.add_argument("--reader-python", type=Path, help="a Python with reader[cli] and sgmllib3k installed")
    parser.add_argument("--profile", metavar="FILE",
                        help="after the rounds, one more cold refresh() in a process, its every thread profiled (cProfile) into FILE")
    parser.add_argument("--against", action="append", default=[], metavar="LABEL=COMMAND",
                        help="also time another newsdesk command (another checkout's, before a change) in the same rounds")
    parser.add_argument("--warm-runs", type=int, default=1, help="warm runs of each newsdesk and reader per round, taking turns")
    args = parser.parse_args()
    against = [tuple(given.split("=", 1)) for given in args.against]
    if any(len(pair) != 2 for pair in against):
        parser.error("--against takes LABEL=COMMAND")
    n = args.concurrency
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        print("newsboat is not installed (Debian/Ubuntu: apt-get install -y newsboat); its rows are skipped", file=sys.stderr)
    reader_python = _reader_python(args.reader_python)

    rounds: list[dict[str, dict[str, Result]]] = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        work = Path(tmp)
        with newsite(args.shared.resolve(), work, *site_options(args)) as site:
            # The site renders each feed on its first request: without this, whichever client
            # ran first would pay for it, in CPU the site takes from that client.
            site.prime(args.feeds)
            urls = [f"{site.url}/feeds/{i}.xml" for i in range(args.feeds)]
            (work / "urls").write_text("\n".join(urls) + "\n")
            (work / "newsboat.conf").write_text(f"reload-threads {n}\n")
            (work / "reader_add.py").write_text(_READER_ADD)
            (work / "feeds.toml").write_text(
                f"[settings]\nconcurrency = {n}\nper_host = {n}\nextract = false\n\n" + site.feeds_toml.read_text()
            )
            for _ in range(args.rounds):
                rounds.append(_round(work, site, n, newsboat, reader_python, args.breakdown,
                                     [(label, command) for label, command in against], args.warm_runs))
            if args.profile:
                profiled = run_child(work / "feeds.toml", work / "newsdesk-profile.db", args.profile, memory_samples=False)

    rows = []
    for number, results in enumerate(rounds, 1):
        for name, phases in results.items():
            for phase, (seconds, stats, cpu) in phases.items():
                rows.append((number, name, phase, f"{seconds:.2f}", "-" if cpu is None else f"{cpu[0]:.2f}",
                             "-" if cpu is None else f"{cpu[1]:.2f}", stats.get("requests", 0),
                             stats.get("conditional", 0), stats.get("feed.304", 0), stats.get("feed.200", 0)))
    floor = args.feeds / n * args.latency_ms / 1000
    table(f"3. feeds only, whole commands: {args.feeds} feeds x {args.items} items, {args.latency_ms:g} ms latency, "
          f"concurrency {n}, {cores()} cores (latency floor {floor:.2f} s)",
          ("round", "program", "run", "wall s", "CPU s", "tree CPU s", "requests", "conditional", "304", "200"), rows)

    def ratios(phase: str, peer: str, newsdesk: str = "newsdesk") -> list[float]:
        """newsdesk's wall time over the peer's, in each round's runs of `phase` (every warm
        run for "warm")."""
        return [r[newsdesk][run][0] / r[peer][run][0] for r in rounds if peer in r
                for run in r[newsdesk] if run.split()[0] == phase and run in r[peer]]

    def spread(values: list[float]) -> str:
        if not values:
            return "n/a"
        middle = statistics.median(values)
        return (f"{' / '.join(f'{v:.2f}' for v in values)} (median {middle:.2f}, "
                f"spread {(max(values) - min(values)) / middle * 100:.0f}%)")

    print()
    if args.profile:
        print(f"profiled cold refresh: {profiled['wall']:.2f} s wall, main process {profiled['main_cpu']:.2f} s CPU "
              f"(its main thread {profiled['main_thread_cpu']:.2f} s), under the profiler; cProfile in {args.profile}")
    if newsboat:
        print(f"cold: newsdesk / newsboat = {spread(ratios('cold', 'newsboat'))}  (goal <= 0.6)")
    if reader_python:
        print(f"cold: newsdesk / reader   = {spread(ratios('cold', 'reader'))}")
        all_304 = all(r["newsdesk"]["warm"][1].get("feed.304", 0) == args.feeds for r in rounds)
        print(f"warm: newsdesk / reader   = {spread(ratios('warm', 'reader'))}  (goal <= 0.95); "
              f"newsdesk's every answer a 304: {all_304}")
        for label, _ in against:
            name = f"newsdesk [{label}]"
            print(f"cold: {name} / reader = {spread(ratios('cold', 'reader', name))}")
            print(f"warm: {name} / reader = {spread(ratios('warm', 'reader', name))}")


if __name__ == "__main__":
    main()
