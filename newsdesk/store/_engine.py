"""Opening a database: URL resolution, SQLite pragmas, schema creation and version check."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event, insert, inspect, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, SQLModel, col, create_engine, select

from newsdesk.errors import DatabaseUnusable, StoreError
from newsdesk.store import _fulltext
from newsdesk.store._fetches import BUSY_TIMEOUT_MS, sqlite_pragmas
from newsdesk.store._migrations import MIGRATIONS, backup
from newsdesk.store._models import SCHEMA_VERSION, Meta
from newsdesk.store._problems import translate, where


def database_url(target: str | Path) -> str:
    """A path becomes a SQLite URL; anything with '://' is taken as a SQLAlchemy URL."""
    text = str(target)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        url = make_url(text) if text.startswith("sqlite") else None
    except ArgumentError:
        return text  # open_engine says what is wrong with it
    if url is not None and url.database not in (None, "", ":memory:") and "uri" not in url.query:
        # A symlink, `~` or `..` names the same file as its real path: one file, one lock.
        return url.set(database=str(Path(url.database).expanduser().resolve())).render_as_string(hide_password=False)
    return text


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    sqlite_pragmas(dbapi_conn)


def _postgresql_session(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Every time is stored as UTC in a column without a time zone: the session must not
    # shift them by the server's zone.
    cur = dbapi_conn.cursor()
    cur.execute("SET TIME ZONE 'UTC'")
    cur.close()
    dbapi_conn.commit()


def open_engine(target: str | Path) -> Engine:
    url_text = database_url(target)
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise StoreError(f"{url_text}: not a database path or SQLAlchemy URL ({exc})") from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        parent = Path(url.database).parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the database folder {parent}: {exc.strerror}") from None
    try:
        engine = create_engine(url, connect_args=_connect_args(url.get_backend_name()))
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise StoreError(f"{url_text}: cannot open database: {exc}") from None
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif url.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgresql_session)
    try:
        _ensure_schema(engine, where(url_text))
    except DBAPIError as exc:
        engine.dispose()
        raise translate(exc, url_text) from None
    except StoreError:
        engine.dispose()
        raise
    return engine


def _connect_args(backend: str) -> dict[str, object]:
    # The store is used from worker threads (UI workers, the scheduler's executor); each
    # Session is confined to one thread, so SQLite's same-thread check only gets in the way.
    return {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000} if backend == "sqlite" else {}


def _ensure_schema(engine: Engine, place: str) -> None:
    tables = set(inspect(engine).get_table_names())
    version = _stored_version(engine, tables, place)
    if version is None and tables:
        listing = ", ".join(sorted(tables)[:6]) + (", …" if len(tables) > 6 else "")
        raise DatabaseUnusable(
            f"{place} is not a newsdesk database: it holds tables newsdesk did not make ({listing}). "
            "newsdesk left it as it is; give newsdesk a database of its own (--db)"
        )
    if version is None:
        # A new database: its tables, search index and version in one transaction, so a
        # failure (a role that may not create the unaccent extension) leaves nothing behind.
        with engine.begin() as conn:
            SQLModel.metadata.create_all(conn)
            _fulltext.install(conn)
            conn.execute(insert(Meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
        return
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{engine.url}: this database was written by a newer newsdesk "
            f"(schema {version}, this one knows {SCHEMA_VERSION}); upgrade newsdesk to open it"
        )
    if version is not None and version < SCHEMA_VERSION:
        _migrate(engine, version)
    SQLModel.metadata.create_all(engine)  # tables added since need no step
    if engine.url.get_backend_name() == "sqlite":
        with engine.begin() as conn:
            _fulltext.install(conn)


def _stored_version(engine: Engine, tables: set[str], place: str) -> int | None:
    if "meta" not in tables:
        return None
    with Session(engine) as session:
        row = session.exec(select(Meta).where(Meta.key == "schema_version")).first()
    if row is None or not row.value.isdigit():
        found = "no schema_version" if row is None else f"schema_version {row.value!r}, not a number"
        raise DatabaseUnusable(
            f"{place} is not a newsdesk database (its meta table has {found}). "
            "newsdesk left it as it is; give newsdesk a database of its own (--db)"
        )
    return int(row.value)


def _migrate(engine: Engine, version: int) -> None:
    missing = [step for step in range(version + 1, SCHEMA_VERSION + 1) if step not in MIGRATIONS]
    if missing:
        raise StoreError(f"{engine.url}: no upgrade from schema {version} (steps {missing} are missing)")
    saved = backup(engine.url.database if engine.url.get_backend_name() == "sqlite" else None, version)
    for step in range(version + 1, SCHEMA_VERSION + 1):
        try:
            with engine.begin() as conn:
                MIGRATIONS[step](conn)
                conn.execute(
                    update(Meta).where(col(Meta.key) == "schema_version").values(value=str(step))
                )
        except SQLAlchemyError as exc:
            where = f"; the database before the upgrade is kept at {saved}" if saved else ""
            raise StoreError(f"{engine.url}: upgrading to schema {step} failed: {exc}{where}") from None
