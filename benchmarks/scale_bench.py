"""Benchmark 5: the UI on a database of 100k stories (20% matched), driven with Pilot.

    python benchmarks/scale_bench.py [--shared ../shared] [--stories 100000] [--db PATH] [--base PATH]

Builds (once, kept at --db) a database of real article texts (benchmarks/_bigdb.py), then in
this process, which runs nothing but the app:
- launch to first list painted: from creating the app to the frame that shows its rows;
- filter by an entity: from choosing it to the frame that shows only its stories;
- search: FTS5 query latency in the store (median over several queries), and from pressing
  Enter in the `/` box to the frame with the results;
- scrolling to the end of the first page and the next page arriving;
- the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.worker import WorkerCancelled

from benchmarks._bigdb import ENTITIES, build
from benchmarks._common import DEFAULT_SHARED, cores, table
from newsdesk.config import parse_config
from newsdesk.match import watchlist_fingerprint
from newsdesk.store import Store
from newsdesk.types import StoryQuery
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.messages import PageLoaded, ViewLoaded
from newsdesk.ui.screens import StoryListScreen
from newsdesk.ui.widgets import EntityPanel

UI_SEARCH = "said"
"""Searched for in the UI with `/`, within the matched view (the generator's tags are not the
texts' words: a rarer word may be in none of the matched stories)."""
QUERIES = ("president", "russia", "market* growth", '"prime minister"', "climate", "games console", "police")


def _config():  # type: ignore[no-untyped-def]
    countries = ", ".join(f'"{code}"' for _, kind, code in ENTITIES if kind == "country")
    people = "".join(f'\n[[watchlist.people]]\nname = "{name}"\n' for name, kind, _ in ENTITIES if kind == "person")
    return parse_config(f"[watchlist]\ncountries = [{countries}]\n{people}")


async def _until(pilot, done: Callable[[], bool], timeout: float = 30.0) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the UI did not get there")
        await pilot.pause(0.002)
    return time.perf_counter() - started


class _TimedList(StoryListScreen):
    """The story list, noting when each view (or page) it was given has been painted."""

    painted = 0
    painted_at = 0.0
    view_painted: tuple[object, ...] = ()

    def on_view_loaded(self, message: ViewLoaded) -> None:
        super().on_view_loaded(message)
        self._note(message.query, len(self.stories.rows))

    def on_page_loaded(self, message: PageLoaded) -> None:
        super().on_page_loaded(message)
        self._note(message.query, len(self.stories.rows))

    def _note(self, view: StoryQuery, rows: int) -> None:
        def painted() -> None:
            self.painted_at = time.perf_counter()
            self.view_painted = (view.search, view.entity, view.matched_only, rows)
            self.painted += 1

        self.call_after_refresh(painted)


class _TimedApp(NewsdeskApp):
    def push_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if type(screen) is StoryListScreen:
            screen = _TimedList(screen.view, main=screen.main)
        return super().push_screen(screen, *args, **kwargs)


async def _idle(pilot, app: NewsdeskApp) -> None:  # type: ignore[no-untyped-def]
    """Every worker done (a newer exclusive worker cancelling an older one is normal)."""
    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


async def _settled(pilot, screen: _TimedList, before: int, started: float, view: Callable[[tuple[object, ...]], bool]) -> float:  # type: ignore[no-untyped-def]
    """Seconds from `started` until the list `view` wants was painted (the reader sees it)."""
    await _until(pilot, lambda: screen.painted > before and view(screen.view_painted))
    return screen.painted_at - started


async def _drive(store: Store, config) -> dict[str, float]:  # type: ignore[no-untyped-def]
    figures: dict[str, float] = {}
    started = time.perf_counter()
    app = _TimedApp(store, config)
    async with app.run_test(size=(160, 50)) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, _TimedList) and app.screen.painted > 0)
        screen = app.screen
        assert isinstance(screen, _TimedList)
        figures["launch"] = screen.painted_at - started
        await _idle(pilot, app)

        panel = screen.query_one(EntityPanel)
        panel.focus()
        panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == "Sergei Lavrov")
        before = screen.painted
        started = time.perf_counter()
        await pilot.press("enter")
        figures["filter"] = await _settled(pilot, screen, before, started, lambda v: v[1] == "Sergei Lavrov")
        assert all("Sergei Lavrov" in s.entities for s in screen.stories.rows)
        await _idle(pilot, app)

        await pilot.press("escape")
        await _idle(pilot, app)
        await pilot.press("slash")
        for key in UI_SEARCH:
            await pilot.press(key)
        before = screen.painted
        started = time.perf_counter()
        await pilot.press("enter")
        figures["ui_search"] = await _settled(pilot, screen, before, started, lambda v: v[0] == UI_SEARCH)
        assert screen.stories.rows
        await _idle(pilot, app)

        await pilot.press("escape")
        await pilot.press("a")  # every story
        await _idle(pilot, app)
        await pilot.pause()
        loaded, before = len(screen.stories.rows), screen.painted
        started = time.perf_counter()
        await pilot.press("end")
        figures["next_page"] = await _settled(pilot, screen, before, started, lambda v: int(v[3]) > loaded)  # type: ignore[call-overload]
        assert len(screen.stories.rows) > loaded
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with corpus/ (default ../shared)")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="where to build (and keep) the database (default: a temporary folder)")
    parser.add_argument("--base", type=Path, help="a database of 100,000 stories the generator built, to start a larger one from")
    args = parser.parse_args()
    config = _config()
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        db = args.db or Path(tmp) / "big.db"
        built = build(db, args.shared.resolve(), args.stories, base=args.base)
        with Store(db) as store:
            # The tags are the ones this watchlist would give: no re-tag starts on launch.
            store.set_watchlist_fingerprint(watchlist_fingerprint(config.watchlist))
            total, matched = store.count_view(StoryQuery(matched_only=False)).stories, store.count_view(StoryQuery()).stories
            searches = []
            for query in QUERIES * 3:
                started = time.perf_counter()
                store.search(query, limit=200)
                searches.append(time.perf_counter() - started)
            filters = []
            for name, _, _ in ENTITIES:
                started = time.perf_counter()
                store.list_stories(entity=name, limit=200)
                filters.append(time.perf_counter() - started)
            figures = asyncio.run(_drive(store, config))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ms = 1000
    table(
        f"5. UI at scale: {total} stories, {matched} matched ({cores()} cores)",
        ("launch to list s", "filter by entity ms", "search in UI ms", "FTS query ms (median / max)",
         "entity query ms (median / max)", "next page ms", "peak RSS MB", "db built s"),
        [(f"{figures['launch']:.2f}", f"{figures['filter'] * ms:.0f}", f"{figures['ui_search'] * ms:.0f}",
          f"{statistics.median(searches) * ms:.0f} / {max(searches) * ms:.0f}",
          f"{statistics.median(filters) * ms:.0f} / {max(filters) * ms:.0f}",
          f"{figures['next_page'] * ms:.0f}", f"{rss_mb:.0f}", f"{built:.0f}" if built else "reused")],
    )
    print(f"\ngoals: launch <= 1 s ({figures['launch']:.2f}), filter <= 100 ms ({figures['filter'] * ms:.0f}), "
          f"search <= 100 ms ({statistics.median(searches) * ms:.0f} in the store, {figures['ui_search'] * ms:.0f} in the UI), "
          f"RSS <= 250 MB ({rss_mb:.0f})")


if __name__ == "__main__":
    main()
