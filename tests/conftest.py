"""Fixtures every test may use, among them the two database engines.

A test that takes `db_url` runs twice: on a SQLite file, and on PostgreSQL when
NEWSDESK_TEST_PG names a server (`postgresql://postgres@127.0.0.1:5432`, say). Each test
process makes its own PostgreSQL database and drops it at the end; each test gets a schema
of its own in it (the URL carries its search_path), dropped after the test. Without a server
the PostgreSQL variants are skipped, and the skip says why.
"""

from __future__ import annotations

import itertools
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.httpserver import LocalServer

PG_ENV = "NEWSDESK_TEST_PG"
_schemas = itertools.count(1)


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def utc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Screens that look the same on every machine: times in UTC, and a home directory of the
    test's own (the status bar names a database in it as ~/news.db)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def data_dir() -> Path:
    return Path(__file__).parent / "data"


def pg_server_url() -> str | None:
    """The server NEWSDESK_TEST_PG names, as a SQLAlchemy URL for psycopg 3 (None: not set)."""
    server = os.environ.get(PG_ENV, "").strip()
    if not server:
        return None
    _scheme, sep, rest = server.partition("://")
    if not sep:
        raise pytest.UsageError(f"{PG_ENV}={server!r} is not a URL like postgresql://postgres@127.0.0.1:5432")
    return f"postgresql+psycopg://{rest}"


def _admin(url: str):  # type: ignore[no-untyped-def]
    """An autocommit psycopg connection to the server's maintenance database."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    return psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of this test process's own on the PostgreSQL server, dropped at the end."""
    server = pg_server_url()
    if server is None:
        pytest.skip(
            f"PostgreSQL variant skipped: {PG_ENV} is not set "
            f"(set it to a server, e.g. {PG_ENV}=postgresql://postgres@127.0.0.1:5432, to run it)"
        )
    try:
        import psycopg
    except ImportError:
        pytest.fail(f"{PG_ENV} is set but psycopg is not installed: pip install -e '.[test]'")
    from sqlalchemy.engine import make_url

    name = f"newsdesk_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with _admin(server) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:  # the server was asked for: not answering is a failure, not a skip
        pytest.fail(f"{PG_ENV}={os.environ[PG_ENV]}: cannot create a test database: {exc}")
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A PostgreSQL URL whose tables live in a schema of this test's own, dropped after it."""
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"t{next(_schemas)}"
    plain = make_url(pg_database).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield make_url(pg_database).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each engine: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'news.db'}"
    return str(request.getfixturevalue("pg_url"))
