"""Benchmark 6: how long each command takes as a person runs it, start to exit.

    python benchmarks/commands_bench.py [--stories 100000 ...] [--db-dir DIR] [--rounds 10] [--install] [--against DIR]

Every figure is a whole process, from its start to its exit (the UI: to its first frame that
shows stories), timed the same way for newsdesk and for the baselines beside it in the same
run: `python -c pass` (the interpreter newsdesk runs on, started directly: a `python3` on the
PATH may be a version manager's shell script, which takes longer than Python does) and
newsboat's `-x print-unread` on a cache holding the same stories (`--no-newsboat` leaves it
out: on 100,000 stories it takes a minute a round). The commands take turns, round after
round (after one untimed round), so a moment of load on the machine falls on all of them alike; each row gives the
median and the best of its rounds, and the CPU time the process used (user + system, from
the kernel's accounting of the child), which other work on the machine hardly changes.

Databases of `--stories` stories each (benchmarks/_bigdb.py: real article texts, 200 feeds,
20% matched) are built once and kept in `--db-dir` (one larger than 100,000 starts from a
copy of news-100000.db there, when that one is built: list 100000 before 1000000). The feeds.toml used names those 200
feeds with a long interval and the watchlist they were tagged with, so no command re-tags and
the UI's first refresh is the one every start makes (its feeds answer "connection refused"
at once, as a laptop offline does).

The UI's first paint is read from outside, as a person sees it: newsdesk runs on a
pseudo-terminal of 80x24 and the clock stops when the terminal receives the frame that
holds the first stories' titles (Textual writes each frame whole); then `q` quits it.

`--install` times a regular install (`pip install .` into a virtual environment in the
temporary folder, as the README's first command does) rather than the `newsdesk` beside this
Python, which may be an editable install: an editable install adds an import hook to every
Python start. `--against DIR` installs the newsdesk whose source is in DIR (another
checkout: the code before a change) the same way, and times its commands in the same rounds,
each right after this one's, marked "[DIR's name]": a before and after measured in one run.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._bigdb import ENTITIES, STORED, build
from benchmarks._common import DEFAULT_SHARED, REPO, cores, table

QUERY = "climate"
FILTER = "Sergei Lavrov"
FEEDS = 200


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def row(self) -> tuple[str, str, str]:
        if not self.wall:
            return ("-", "-", "-")
        return (f"{statistics.median(self.wall):.3f}", f"{min(self.wall):.3f}", f"{statistics.median(self.cpu):.3f}")


def _feeds_toml(path: Path) -> Path:
    countries = ", ".join(f'"{code}"' for _, kind, code in ENTITIES if kind == "country")
    people = "".join(f'\n[[watchlist.people]]\nname = "{name}"\n' for name, kind, _ in ENTITIES if kind == "person")
    feeds = "".join(f'[[feeds]]\nname = "Feed {i}"\nurl = "http://127.0.0.1:9/feeds/{i}.xml"\n\n' for i in range(FEEDS))
    path.write_text(f"[settings]\nrefresh_minutes = 100000\n\n{feeds}[watchlist]\ncountries = [{countries}]\n{people}", encoding="utf-8")
    return path


def _prepare(db: Path, config_path: Path) -> list[bytes]:
    """Tag the database as this watchlist would (no re-tag on start), and return what the UI's
    first frame must show: the start of the newest matched stories' titles."""
    from newsdesk.config import load_config
    from newsdesk.match import watchlist_fingerprint
    from newsdesk.store import Store

    config = load_config(config_path)
    with Store(db) as store:
        store.sync_feeds(config.feeds)
        store.set_watchlist_fingerprint(watchlist_fingerprint(config.watchlist))
        titles = [s.title for s in store.list_stories(limit=3)]
    return [t[:8].encode() for t in titles if len(t) >= 8]


def _newsboat_cache(db: Path, folder: Path) -> tuple[Path, Path]:
    """newsboat's urls file and a cache.db with the same feeds and stories, unread."""
    folder.mkdir(parents=True, exist_ok=True)
    urls, cache = folder / "urls", folder / "cache.db"
    if cache.exists():
        return urls, cache
    urls.write_text("".join(f"http://127.0.0.1:9/feeds/{i}.xml\n" for i in range(FEEDS)), encoding="utf-8")
    # newsboat makes its own schema on the first run; then the stories go in.
    subprocess.run(["newsboat", "-u", str(urls), "-c", str(cache), "-x", "print-unread"],
                   env={"HOME": str(folder), "PATH": "/usr/bin:/bin"}, capture_output=True, check=True)
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    target = sqlite3.connect(cache)
    feeds = dict(source.execute("SELECT id, url FROM feed"))
    target.executemany("INSERT OR IGNORE INTO rss_feed (rssurl, url, title) VALUES (?, ?, ?)",
                       [(url, url, url) for url in feeds.values()])
    rows = source.execute("SELECT guid, title, coalesce(author, ''), coalesce(url, ''), feed_id, "
                          "CAST(strftime('%s', sort_time) AS INTEGER), text FROM story")
    target.executemany(
        "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
        ((guid, title, author, url, feeds[feed_id], date, text) for guid, title, author, url, feed_id, date, text in rows),
    )
    target.commit()
    return urls, cache


def _run(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command, start to exit."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        sys.exit(f"{' '.join(command)} failed ({process.returncode}): {process.stderr.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def _first_paint(command: Sequence[str], env: dict[str, str], markers: list[bytes], timeout: float = 60.0) -> tuple[float, float]:
    """Seconds from starting the UI on an 80x24 pseudo-terminal to the frame that shows the
    first stories, and the CPU seconds its process had used by then."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen = b""
    painted = cpu = 0.0
    try:
        while not painted:
            left = timeout - (time.perf_counter() - started)
            if left <= 0 or process.poll() is not None:
                sys.exit(f"the UI showed no stories within {timeout:.0f} s: {seen[-500:]!r}")
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                seen += os.read(master, 1 << 20)
                if any(marker in seen for marker in markers):
                    painted = time.perf_counter() - started
                    with open(f"/proc/{process.pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        os.write(master, b"q")
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 1 << 20)  # the pseudo-terminal must be drained for the UI to finish
                except OSError:
                    break
        if process.poll() is None:
            process.kill()
        process.wait()
    finally:
        os.close(master)
    return painted, cpu


def _regular_install(work: Path, source: Path = REPO, name: str = "venv") -> Path:
    venv = work / name
    if not (venv / "bin" / "newsdesk").exists():
        print(f"installing newsdesk from {source} with `pip install .` into a temporary virtual environment ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(source)], check=True)
    return venv / "bin" / "newsdesk"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with corpus/ (default ../shared)")
    parser.add_argument("--stories", type=int, nargs="+", default=[100_000], help="database sizes (default 100000)")
    parser.add_argument("--db-dir", type=Path, help="where to build and keep the databases (default: a temporary folder)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--install", action="store_true", help="time a regular `pip install .`, not the newsdesk beside this Python")
    parser.add_argument("--no-ui", action="store_true", help="leave out the UI's first paint")
    parser.add_argument("--no-newsboat", action="store_true", help="leave out newsboat's rows")
    parser.add_argument("--against", type=Path, action="append", default=[], metavar="DIR",
                        help="also time the newsdesk whose source is in DIR (installed with pip), in the same rounds")
    args = parser.parse_args()
    newsboat = None if args.no_newsboat else shutil.which("newsboat")
    if not newsboat and not args.no_newsboat:
        print("newsboat is not installed (Debian/Ubuntu: apt-get install -y newsboat); its rows are skipped", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="newsdesk-commands-") as tmp:
        work = Path(tmp)
        db_dir = args.db_dir or work
        db_dir.mkdir(parents=True, exist_ok=True)
        here = _regular_install(work) if args.install else Path(sys.executable).parent / "newsdesk"
        variants = [("", str(here))] + [
            (f" [{source.resolve().name}]", str(_regular_install(work, source.resolve(), f"venv-{i}")))
            for i, source in enumerate(args.against)
        ]
        python = str(here.parent / "python")
        home = work / "home"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
            "TERM": "xterm-256color", "COLORTERM": "truecolor",
        }
        config = str(_feeds_toml(work / "feeds.toml"))

        jobs: dict[tuple[str, str], list[str]] = {
            ("python -c pass", ""): [os.path.realpath(python), "-c", "pass"],
            ("python -c pass (newsdesk's environment)", ""): [python, "-c", "pass"],
        }
        for mark, newsdesk in variants:
            jobs[("newsdesk --version" + mark, "")] = [newsdesk, "--version"]
            jobs[("newsdesk --help" + mark, "")] = [newsdesk, "--help"]
        markers: dict[int, list[bytes]] = {}
        for n in args.stories:
            db = db_dir / f"news-{n}.db"
            built = build(db, args.shared.resolve(), n, base=db_dir / f"news-{STORED}.db")
            if built:
                print(f"built a database of {n} stories in {built:.0f} s", file=sys.stderr)
            markers[n] = _prepare(db, Path(config))
            size = f"{n:,}"
            common = ["--config", config, "--db", str(db)]
            for mark, newsdesk in variants:
                jobs[("newsdesk list" + mark, size)] = [newsdesk, "list", *common]
                jobs[(f"newsdesk list --entity {FILTER!r}" + mark, size)] = [newsdesk, "list", "--entity", FILTER, *common]
                jobs[(f"newsdesk search {QUERY}" + mark, size)] = [newsdesk, "search", QUERY, *common]
                jobs[("newsdesk status" + mark, size)] = [newsdesk, "status", *common]
            if newsboat:
                urls, cache = _newsboat_cache(db, db_dir / f"newsboat-{n}")
                jobs[("newsboat -x print-unread", size)] = [newsboat, "-u", str(urls), "-c", str(cache), "-x", "print-unread"]
            if not args.no_ui:
                for mark, newsdesk in variants:
                    jobs[("newsdesk (UI) to first paint" + mark, size)] = [newsdesk, *common]

        timings = {key: Timing() for key in jobs}
        load_before = os.getloadavg()
        for round_ in range(args.rounds + 1):
            for key, command in jobs.items():
                if key[0].startswith("newsdesk (UI)"):
                    wall, cpu = _first_paint(command, env, markers[int(key[1].replace(",", ""))])
                else:
                    wall, cpu = _run(command, env)
                if round_:  # the first round warms the caches and makes the UI's first refresh
                    timings[key].wall.append(wall)
                    timings[key].cpu.append(cpu)
        load_after = os.getloadavg()

    table(
        f"6. commands, start to exit ({cores()} cores, {args.rounds} rounds; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after)",
        ("command", "stories", "median s", "best s", "CPU s (median)"),
        [(name, size or "-", *timings[(name, size)].row()) for name, size in jobs],
    )
    bare = statistics.median(timings[("python -c pass", "")].wall)
    own = statistics.median(timings[("python -c pass (newsdesk's environment)", "")].wall)
    for mark, _ in variants:
        version = statistics.median(timings[("newsdesk --version" + mark, "")].wall)
        print(f"\nnewsdesk --version{mark}: {version - bare:+.3f} s against python -c pass, {version - own:+.3f} s against "
              "its environment's Python start (goal: within 0.05 s)")
    for n in args.stories:
        size = f"{n:,}"
        figures = {name: statistics.median(t.wall) for (name, s), t in timings.items() if s == size}
        print(f"{size} stories: " + ", ".join(f"{name.removeprefix('newsdesk ')} {value:.3f} s" for name, value in figures.items()))


if __name__ == "__main__":
    main()
