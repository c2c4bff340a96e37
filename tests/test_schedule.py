"""The scheduler: feeds refreshed on their interval, feeds.toml edits applied while running."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from newsdesk.config import Config, FeedConfig, load_config
from newsdesk.errors import ConfigError
from newsdesk.schedule import Scheduler

ONE = '[[feeds]]\nname = "One"\nurl = "http://127.0.0.1:9/one.xml"\n'
TWO = ONE + '\n[[feeds]]\nname = "Two"\nurl = "http://127.0.0.1:9/two.xml"\nrefresh_minutes = 5\n'


def _write(path: Path, text: str) -> None:
    # Make sure the change is visible even on filesystems with coarse timestamps.
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


async def _until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_feeds_run_at_start_as_one_batch_and_edits_are_picked_up(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="newsdesk.schedule")
    path = tmp_path / "feeds.toml"
    _write(path, TWO)
    batches: list[list[str]] = []
    configs: list[Config] = []
    errors: list[ConfigError] = []

    async def run(feeds: Sequence[FeedConfig]) -> None:
        batches.append(sorted(f.name for f in feeds))

    scheduler = Scheduler(
        load_config(path), run, on_config=configs.append, on_config_error=errors.append, watch_seconds=0.1
    )
    scheduler.start()
    try:
        await _until(lambda: batches)
        assert batches == [["One", "Two"]]

        # A broken edit keeps the last good config and reports the error with its line.
        _write(path, TWO + "\n[[feeds]\n")
        await _until(lambda: errors)
        assert errors[0].line is not None and str(path) in str(errors[0])
        assert [f.name for f in scheduler.config.feeds] == ["One", "Two"]

        # Fixing it applies it: a new feed is fetched at once, a removed one is dropped.
        _write(path, TWO.replace('"Two"', '"Three"').replace("two.xml", "three.xml"))
        await _until(lambda: configs)
        assert [f.name for f in configs[-1].feeds] == ["One", "Three"]
        await _until(lambda: ["Three"] in batches)
        # The schedule follows: the daemon's log says which feed it now watches and which not.
        assert "now watching Three (http://127.0.0.1:9/three.xml)" in caplog.messages
        assert "stopped watching http://127.0.0.1:9/two.xml" in caplog.messages
    finally:
        scheduler.shutdown()


async def test_queued_feeds_wait_for_the_running_batch(tmp_path: Path) -> None:
    running = asyncio.Event()
    release = asyncio.Event()
    batches: list[list[str]] = []

    async def run(feeds: Sequence[FeedConfig]) -> None:
        batches.append([f.name for f in feeds])
        running.set()
        await release.wait()

    config = Config(feeds=(FeedConfig("A", "http://127.0.0.1:9/a"),))
    scheduler = Scheduler(config, run)
    scheduler.start()
    try:
        await asyncio.wait_for(running.wait(), 5)
        scheduler.due([FeedConfig("B", "http://127.0.0.1:9/b")])
        await asyncio.sleep(0.8)
        assert batches == [["A"]]  # B waits: batches never overlap
        release.set()
        await _until(lambda: len(batches) == 2)
        assert batches[1] == ["B"]
    finally:
        scheduler.shutdown()
