from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.httpserver import LocalServer


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"
