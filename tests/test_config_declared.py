"""feeds.toml's keys are declared once: the README's reference is that declaration, and a value
the loader accepts runs (the configuration cases that used to pass the checks and then fail)."""

from __future__ import annotations

import asyncio
import math
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h11
import pytest
from apscheduler.triggers.interval import IntervalTrigger
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newsdesk.config import Config, Settings, parse_config, reference
from newsdesk.errors import ConfigError
from newsdesk.schema import declared_keys
from newsdesk.urls import web_address
from tests.httpserver import LocalServer

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Iran</title><guid>1</guid></item></channel></rss>'


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("feeds.toml"))
    return info.value


def test_the_readme_reference_is_the_declaration() -> None:
    found = re.search(r"<!-- feeds\.toml reference[^>]*-->\n(.*?)<!-- end of reference -->", README, re.DOTALL)
    assert found, "README.md has no generated feeds.toml reference"
    assert found.group(1) == reference(), "README.md's reference is out of date: paste `newsdesk config reference` into it"


def test_every_key_the_readme_names_is_one_the_loader_accepts() -> None:
    """`max_feed_bytes` used to be named in the README and refused by the loader."""
    named = set(re.findall(r"`((?:settings|feeds\[\]|watchlist)[.a-z_\[\]]*)`", README))
    documented = set(re.findall(r"^\| `([^`]+)`", reference(), re.MULTILINE))
    assert named <= documented, named - documented
    loadable = parse_config(
        '[settings]\nmax_feed_bytes = 1048576\nmax_page_bytes = 1048576\nuser_agent = "me/1.0"\n'
    ).settings
    assert (loadable.max_feed_bytes, loadable.max_page_bytes, loadable.user_agent) == (1048576, 1048576, "me/1.0")


def test_the_readme_example_loads() -> None:
    block = re.search(r"## feeds\.toml\n\n```toml\n(.*?)```", README, re.DOTALL)
    assert block
    config = parse_config(block.group(1))
    assert config.feeds and config.watchlist.countries and config.watchlist.people


def test_the_declared_defaults_are_the_dataclass_defaults() -> None:
    """One place: a setting left out of the file has the value the reference names."""
    empty = parse_config("")
    for name, declared in declared_keys(Settings).items():
        assert getattr(empty.settings, declared.attribute) == declared.default, name
    assert empty == Config(path=None)


def test_config_reference_command_prints_the_table() -> None:
    proc = subprocess.run([sys.executable, "-m", "newsdesk", "config", "reference"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == reference()


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('[[feeds]]\nurl = "http://[::1"\n', 2, "feeds[1].url", "a bad port or IPv6 address"),
        ('[[feeds]]\nurl = "http://[::1]:80:81/feed"\n', 2, "feeds[1].url", "port"),
        ('[[feeds]]\nname = "x"\nurl = "http://127.0.0.1:65536/feed"\n', 3, "feeds[1].url", "a bad port"),
        ('[[feeds]]\nurl = "http://example.org:80:81/feed"\n', 2, "feeds[1].url", "a bad port"),
        ('[[feeds]]\nurl = "http://exa mple.org/feed"\n', 2, "feeds[1].url", "has a host name that is not valid"),
        ('[settings]\nuser_agent = "newsdesk für mich"\n', 2, "settings.user_agent", "printable ASCII"),
        ('[settings]\nuser_agent = "a\\r\\nX-Evil: 1"\n', 2, "settings.user_agent", "printable ASCII"),
        ("[settings]\nrefresh_minutes = nan\n", 2, "settings.refresh_minutes", "not nan"),
        ("[settings]\nrefresh_minutes = inf\n", 2, "settings.refresh_minutes", "at most 525600"),
        ("[settings]\nrefresh_minutes = 1e12\n", 2, "settings.refresh_minutes", "at most 525600"),
        ("[settings]\n\ntimeout_seconds = nan\n", 3, "settings.timeout_seconds", "not nan"),
        ("[settings]\ntimeout_seconds = inf\n", 2, "settings.timeout_seconds", "at most 3600"),
        ("[settings]\ntimeout_seconds = -inf\n", 2, "settings.timeout_seconds", "at least 0.01 seconds"),
        ('[[feeds]]\nurl = "https://a.example/rss"\nrefresh_minutes = nan\n', 3, "feeds[1].refresh_minutes", "not nan"),
        ("[settings]\nmax_feed_bytes = 10\n", 2, "settings.max_feed_bytes", "between 65536"),
    ],
)
def test_values_that_used_to_pass_and_then_fail_are_refused_with_file_line_and_key(text: str, line: int, key: str, words: str) -> None:
    err = _error(text)
    assert (err.line, err.key) == (line, key)
    assert words in str(err) and str(err).startswith(f"feeds.toml:{line}: {key}: ")


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'[settings]\nrefresh_minutes = 5\n\n[[feeds]]\nurl = "https://a.example/rss"\nbad = 1\n')
    with pytest.raises(ConfigError) as info:
        parse_config(path.read_text(encoding="utf-8"), path)
    assert info.value.line == 6  # lines still count from the first
    path.write_bytes(b"\xef\xbb\xbf" + b'[settings]\nrefresh_minutes = 5\n\n[[feeds]]\nurl = "https://a.example/rss"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "status", "--config", str(path), "--db", str(tmp_path / "n.db")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "a.example" in proc.stdout


def test_a_bad_value_stops_the_real_command_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[settings]\nrefresh_minutes = 5\n\n[[feeds]]\nurl = "http://[::1"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "refresh", "--config", str(path), "--db", str(tmp_path / "n.db")],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert f"{path}:5: feeds[1].url: " in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "n.db").exists()


# Everything the loader accepts must run: a URL it accepts is one the HTTP client can request,
# a user agent one it can send, an interval one the scheduler can time.
URLISH = st.text(alphabet="htps:/[]:.%@-_0123456789abcdefxyz.é ", max_size=40).map(lambda s: "http://" + s)


@settings(max_examples=400, deadline=None)
@given(st.one_of(URLISH, st.text(max_size=40)))
@example("http://[::1")
@example("http://[::1]:99999/")
@example("http://a:1:2/")
@example("https://bücher.example/feed")
@example("http://xn--/")
@example("http://-a-.example/")
@example("http://a..b/")
@example("http://[::ffff:1.2.3.4]/")
def test_any_url_the_loader_accepts_is_one_the_client_can_request(url: str) -> None:
    try:
        config = parse_config(f"[[feeds]]\nurl = {_toml_string(url)}\n")
    except ConfigError:
        return
    address = web_address(config.feeds[0].url)  # what the downloads build their request from
    assert address.scheme in ("http", "https") and address.host
    h11.Request(method="GET", target=address.target, headers=[("Host", address.authority)])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_user_agent_the_loader_accepts_can_be_sent(agent: str) -> None:
    try:
        config = parse_config(f"[settings]\nuser_agent = {_toml_string(agent)}\n")
    except ConfigError:
        return
    assert config.settings.user_agent is not None
    h11.Request(method="GET", target="/", headers=[("Host", "127.0.0.1"), ("User-Agent", config.settings.user_agent)])


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**20), 10**20))
@example(525_600)
@example(1e-300)
@example(0.01)
def test_any_interval_and_timeout_the_loader_accepts_can_be_timed(number: float) -> None:
    try:
        timeout = _toml_number(min(abs(number), 3600)) if not math.isnan(number) else "nan"
        config = parse_config(f"[settings]\nrefresh_minutes = {_toml_number(number)}\ntimeout_seconds = {timeout}\n")
    except ConfigError:
        return
    trigger = IntervalTrigger(minutes=config.settings.refresh_minutes)
    now = datetime.now(UTC)
    assert trigger.get_next_fire_time(None, now) is not None
    assert now + timedelta(minutes=config.settings.refresh_minutes) > now
    asyncio.run(_deadline(config.settings.timeout_seconds * 3))  # a download's overall deadline


async def _deadline(seconds: float) -> None:
    async with asyncio.timeout(seconds):
        pass


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text)  # a JSON string is a TOML basic string, but for a few escapes: tomllib refuses those


def _toml_number(number: float) -> str:
    if isinstance(number, float):
        if math.isnan(number):
            return "nan"
        if number in (float("inf"), float("-inf")):
            return "inf" if number > 0 else "-inf"
        return repr(number)
    return str(number)


# A live edit in the daemon: refused by the loader, so the daemon logs the config error with
# its line and keeps the last good config, where it used to die in a scheduler job.


def test_a_bad_live_edit_in_the_daemon_keeps_the_last_good_config(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add("/feed.xml", RSS, headers={"Content-Type": "application/rss+xml"})
    config = tmp_path / "feeds.toml"
    good = f'[settings]\nrefresh_minutes = 30\n\n[[feeds]]\nname = "Local"\nurl = "{http_server.url("/feed.xml")}"\n'
    config.write_text(good, encoding="utf-8")
    daemon = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "daemon", "--config", str(config), "--db", str(tmp_path / "n.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert daemon.stderr is not None
    try:
        lines: list[str] = []

        def wait_for(words: str, timeout: float = 30) -> None:
            deadline = time.monotonic() + timeout
            while not any(words in line for line in lines):
                assert time.monotonic() < deadline, f"no {words!r} in the daemon's log:\n{''.join(lines)}"
                lines.append(daemon.stderr.readline())  # type: ignore[union-attr]

        wait_for("refreshed 1 feeds")
        for bad, key in (
            ('[settings]\nrefresh_minutes = nan\n', "settings.refresh_minutes"),
            ('[settings]\nuser_agent = "für"\n', "settings.user_agent"),
            (good.replace(http_server.url("/feed.xml"), "http://[::1"), "feeds[1].url"),
        ):
            config.write_text(bad, encoding="utf-8")
            daemon.send_signal(signal.SIGHUP)
            wait_for(f": {key}: ")
            assert "still using the last good config" in lines[-1]
        config.write_text(good.replace('"Local"', '"Renamed"'), encoding="utf-8")
        daemon.send_signal(signal.SIGHUP)
        wait_for("changed: reloaded")
        assert daemon.poll() is None
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, rest = daemon.communicate(timeout=30)
    log = "".join(lines) + rest
    assert "Traceback" not in log, log
    assert daemon.returncode == 0


def test_reload_keeps_the_last_good_config_in_process(tmp_path: Path) -> None:
    """Scheduler.reload (what SIGHUP calls) goes through the loader like the watch."""
    from newsdesk.config import load_config
    from newsdesk.schedule import Scheduler

    path = tmp_path / "feeds.toml"
    path.write_text('[[feeds]]\nurl = "http://127.0.0.1:9/a"\n', encoding="utf-8")
    errors: list[ConfigError] = []

    async def main() -> None:
        async def run(_feeds: object) -> None:
            return None

        scheduler = Scheduler(load_config(path), run, on_config_error=errors.append, refresh_on_start=False)
        scheduler.start()
        try:
            path.write_text('[[feeds]]\nurl = "http://127.0.0.1:70000/a"\n', encoding="utf-8")
            await scheduler.reload()
        finally:
            scheduler.shutdown()
        assert scheduler.config.feeds[0].url == "http://127.0.0.1:9/a"

    asyncio.run(main())
    assert errors and errors[0].key == "feeds[1].url" and errors[0].line == 2
    assert os.path.exists(path)
