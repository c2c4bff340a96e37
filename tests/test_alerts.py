"""Alerts: a watched entry in a new story reaches the reader once, ever, by every channel set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsdesk.alerts import Sender
from newsdesk.config import AlertRules, parse_config
from newsdesk.types import AlertEvent
from tests.httpserver import LocalServer


class Hook:
    """A webhook endpoint on 127.0.0.1: records every POST; answers `failures` 500s first."""

    def __init__(self, failures: int = 0) -> None:
        self.bodies: list[tuple[dict[str, str], bytes]] = []
        self.failures = failures
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.bodies.append((dict(self.headers), body))
                status = 500 if hook.failures > 0 else 200
                hook.failures -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def json(self) -> list[dict[str, object]]:
        return [json.loads(body) for _, body in self.bodies]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.stop()


def _event(title: str = "Russia cuts gas supplies") -> AlertEvent:
    return AlertEvent(
        id=1, entity="Russia", kind="country", story_id=7, title=title, url="https://news.example/7",
        feed="Wire", published=datetime(2024, 4, 14, tzinfo=UTC), snippet="… Russia cuts …", cluster=7, sources=1,
        created_at=datetime(2024, 4, 14, tzinfo=UTC),
    )


def test_entries_mentions_and_quiet_hours() -> None:
    rules = parse_config('[alerts]\nentries = ["Russia", "vladimir  putin"]\nmin_mentions = 2\nquiet_hours = "22:00-07:00"\n').alerts
    assert rules.watches("Russia", 2) and rules.watches("Vladimir Putin", 3)
    assert not rules.watches("Russia", 1) and not rules.watches("Iran", 5)
    assert AlertRules(entries=("*",)).watches("Iran", 1)
    evening = datetime(2024, 4, 14, 23, 30).astimezone()
    due = rules.due(evening)
    assert due.astimezone().time() == clock_time(7, 0) and due > evening and (due - evening).total_seconds() < 8 * 3600
    noon = datetime(2024, 4, 14, 12, 0).astimezone()
    assert rules.due(noon) == noon


def test_a_failing_webhook_is_retried_with_a_back_off() -> None:
    flaky = Hook(failures=2)
    outcomes: list[dict[str, str]] = []
    sender = Sender(AlertRules(entries=("*",), bell=False, desktop=False, webhook=flaky.url),
                    lambda e, o: outcomes.append(o), retry_delays=(0.05, 0.1, 0.1))
    sender.send([_event()])
    assert sender.wait(10)
    sender.close()
    flaky.stop()
    assert outcomes == [{"webhook": "ok after 3 tries"}]
    assert len(flaky.bodies) == 3 and flaky.json()[0]["title"] == "Russia cuts gas supplies"


def test_an_ntfy_topic_is_told_apart_from_a_json_webhook() -> None:
    from newsdesk.alerts import is_ntfy

    assert is_ntfy("https://ntfy.sh/my-news") and is_ntfy("https://ntfy.example.org/news")
    assert not is_ntfy("http://127.0.0.1:8000/hook")


def _rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><guid>{guid}</guid><link>https://news.example/{guid}</link>"
        f"<description>{title}</description></item>"
        for guid, title in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


@pytest.fixture
def site(http_server: LocalServer, hook: Hook, tmp_path: Path) -> tuple[LocalServer, Path, Path, Path]:
    http_server.add("/wire.xml", _rss([("w1", "Russia cuts gas supplies to Ukraine"), ("w2", "Weather in Paris")]))
    http_server.add("/paper.xml", _rss([]))
    received = tmp_path / "received.jsonl"
    script = tmp_path / "notify_me.py"
    script.write_text(
        "import sys\n"
        f"with open({str(received)!r}, 'a', encoding='utf-8') as out:\n"
        "    out.write(sys.stdin.read())\n",
        encoding="utf-8",
    )
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[settings]\nextract = false\nrefresh_minutes = 0.02\n\n"
        f'[[feeds]]\nname = "Wire"\nurl = "{http_server.url("/wire.xml")}"\n\n'
        f'[[feeds]]\nname = "Paper"\nurl = "{http_server.url("/paper.xml")}"\n\n'
        '[watchlist]\ncountries = ["Russia", "Ukraine"]\n\n'
        '[alerts]\nentries = ["Russia"]\nbell = false\ndesktop = false\n'
        f"command = [{json.dumps(sys.executable)}, {json.dumps(str(script))}]\n"
        f'webhook = "{hook.url}"\n',
        encoding="utf-8",
    )
    return http_server, config, tmp_path / "news.db", received


def _newsdesk(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args, "--db", db], capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_refresh_sends_each_alert_once_to_the_command_and_the_webhook(site, hook: Hook) -> None:  # type: ignore[no-untyped-def]
    server, config, db, received = site
    first = _newsdesk("refresh", "--config", str(config), db=str(db))
    assert first.returncode == 0, first.stderr
    assert "alert: Russia: Russia cuts gas supplies to Ukraine (Wire)" in first.stdout
    (sent,) = [json.loads(line) for line in received.read_text(encoding="utf-8").splitlines()]
    assert sent["entity"] == "Russia" and sent["kind"] == "country" and sent["feed"] == "Wire"
    assert sent["title"] == "Russia cuts gas supplies to Ukraine" and sent["url"] == "https://news.example/w1"
    assert {"story_id", "published", "snippet"} <= set(sent)
    assert hook.json() == [sent]
    # Again, and a copy of the same event in another feed: the cluster has alerted already.
    server.add("/paper.xml", _rss([("p1", "Russia cuts gas supplies to Ukraine again")]))
    again = _newsdesk("refresh", "--config", str(config), db=str(db))
    assert again.returncode == 0 and "alert:" not in again.stdout
    assert len(received.read_text(encoding="utf-8").splitlines()) == 1 and len(hook.bodies) == 1
    listed = json.loads(_newsdesk("alerts", "--json", "--config", str(config), db=str(db)).stdout)
    assert [(a["entity"], a["title"], a["outcome"]) for a in listed] == [
        ("Russia", "Russia cuts gas supplies to Ukraine", {"command": "ok", "webhook": "ok"})
    ]
    assert listed[0]["sources"] == 2


def test_an_alert_no_channel_delivers_is_listed_as_shown_in_the_ui(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, config, db, _ = site
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("[alerts]")] + '[alerts]\nentries = ["Russia"]\nbell = false\ndesktop = false\n', encoding="utf-8")
    assert _newsdesk("refresh", "--config", str(config), db=str(db)).returncode == 0
    (listed,) = json.loads(_newsdesk("alerts", "--json", "--config", str(config), db=str(db)).stdout)
    assert listed["outcome"] == {"ui": "no channel set: shown where newsdesk is open"}
    table = _newsdesk("alerts", "--config", str(config), db=str(db)).stdout
    assert "ui: no channel set: shown where newsdesk is open" in table and "sending" not in table


def test_alerts_go_out_once_with_a_daemon_and_a_ui_on_one_database(site, hook: Hook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, config, db, received = site
    ui = tmp_path / "ui.py"
    ui.write_text(
        "import sys\n"
        "from newsdesk.cli._common import load_config_arg\n"
        "from newsdesk.config import load_config\n"
        "from newsdesk.store import Store\n"
        "from newsdesk.ui import NewsdeskApp\n"
        "config = load_config(sys.argv[1])\n"
        "with Store(sys.argv[2]) as store:\n"
        "    store.sync_feeds(config.feeds)\n"
        "    app = NewsdeskApp(store, config, periodic=True)\n"
        "    app.run(headless=True, size=(100, 30), auto_pilot=None)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "COLUMNS": "200"}
    daemon = subprocess.Popen([sys.executable, "-m", "newsdesk", "daemon", "--config", str(config), "--db", str(db)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    app = subprocess.Popen([sys.executable, str(ui), str(config), str(db)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while len(hook.bodies) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        # New stories while both run: each refreshes every couple of seconds.
        server.add("/paper.xml", _rss([("p1", "Russia cuts gas supplies to Ukraine again"),
                                       ("p2", "Putin and Russia's army chiefs meet in Moscow")]))
        server.add("/wire.xml", _rss([("w1", "Russia cuts gas supplies to Ukraine"),
                                      ("w3", "Russia expels diplomats over spy row")]))
        deadline = time.monotonic() + 60
        while len(hook.bodies) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        # Several more refreshes (each asks for every feed): a duplicate alert would be out by then.
        asked = server.hits("/wire.xml") + 3
        deadline = time.monotonic() + 60
        while server.hits("/wire.xml") < asked and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for proc in (daemon, app):
            proc.terminate()
        for proc in (daemon, app):
            proc.wait(timeout=30)
    titles = sorted(str(a["title"]) for a in hook.json())
    assert titles == ["Putin and Russia's army chiefs meet in Moscow", "Russia cuts gas supplies to Ukraine",
                      "Russia expels diplomats over spy row"], (daemon.stderr.read() if daemon.stderr else "")
    assert sorted(json.loads(line)["title"] for line in received.read_text(encoding="utf-8").splitlines()) == titles
