"""An alert arrives while the UI is open: a notification naming the entry and the headline,
the bell, and `!` opens the story."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newsdesk.config import AlertRules, Config, FeedConfig, Watchlist
from newsdesk.store import Store
from newsdesk.types import EntityHit, Match, NewStory
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.screens.reader import ReaderScreen
from tests.store_fixtures import write_stories


class _App(NewsdeskApp):
    """The app, with the notifications it shows kept for the test to read."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.shown: list[tuple[str, str]] = []

    def notify(self, message: str, *, title: str = "", **kwargs: object) -> None:  # type: ignore[override]
        self.shown.append((title, message))
        super().notify(message, title=title, **kwargs)  # type: ignore[arg-type]


def _story(key: str, title: str) -> NewStory:
    now = datetime.now(UTC)
    return NewStory(key=key, title=title, url=f"https://news.example/{key}", guid=key, author=None, published=now,
                    fetched_at=now, summary=title, text=title, text_source="feed")


def _hit(entity: str) -> EntityHit:
    m = Match(entity, "country", "RU", entity, "title", 0, len(entity), f"{entity} cuts gas")
    return EntityHit(entity, "country", "RU", 1, f"{entity} cuts gas", (m,))


async def test_an_alert_stored_by_another_process_shows_while_the_ui_is_open(tmp_path: Path) -> None:
    rules = AlertRules(entries=("Russia",), desktop=False)
    config = Config(feeds=(FeedConfig("Wire", "https://a.example/rss"),), watchlist=Watchlist(), alerts=rules)
    store = Store(tmp_path / "news.db")
    store.sync_feeds(config.feeds)
    daemon = Store(tmp_path / "news.db")  # another process's store on the same database
    daemon.set_alert_rules(rules)
    app = _App(store, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.5)
        (story_id,) = write_stories(daemon, daemon.feeds()[0].id, [(_story("w1", "Russia cuts gas supplies to Ukraine"), [_hit("Russia")])])
        assert [e.title for e in daemon.claim_alerts()] == ["Russia cuts gas supplies to Ukraine"]
        for _ in range(40):
            await pilot.pause(0.1)
            if app.last_alert is not None:
                break
        assert app.last_alert is not None and app.last_alert.story_id == story_id
        assert ("Alert: Russia", "Russia cuts gas supplies to Ukraine") in [(t, m.split("\n")[0]) for t, m in app.shown]
        await pilot.press("exclamation_mark")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ReaderScreen) and app.screen.item.id == story_id
    daemon.close()
    store.close()
