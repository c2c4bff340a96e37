"""Many rows into one table at once, as the refresh's writes insert them.

On PostgreSQL: SQLAlchemy's Core executemany. On SQLite the rows go to the driver
(`Connection.exec_driver_sql`) as tuples of the values SQLite stores: a cold refresh
inserts 5,000 stories and their sketches in one process, and SQLAlchemy's per-row work for
them (building each row's parameters, then a bind processor per datetime and binary value)
was a tenth of its CPU. The values are the ones the columns' types would give the driver:
each TypeDecorator's `process_bind_param` (the text's packing, SQLModel's UTC datetimes),
a datetime as SQLAlchemy's SQLite DATETIME writes it, bytes as they are; so the same bytes
are stored either way (tests/test_store_rows.py compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Table, insert
from sqlalchemy.types import TypeDecorator, TypeEngine

_MAX_VARIABLES = 30_000
"""Below SQLite's limit on a statement's parameters (32,766 since 3.32)."""
_MAX_ROWS = 1_000
"""Rows in one INSERT … RETURNING (SQLAlchemy's own batches for SQLite are as long)."""


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows` (each with the same keys) into `table`; with `ignore_conflicts`, a row
    that would repeat a unique key is skipped (ON CONFLICT DO NOTHING). The `returning`
    columns of each row inserted, in no particular order."""
    if not rows:
        return []
    if connection.dialect.name != "sqlite":
        return _core(connection, table, rows, ignore_conflicts, returning)
    names = list(rows[0])
    converters = [(i, convert) for i, name in enumerate(names) if (convert := _sqlite_value(table.c[name].type, connection))]
    values: list[Sequence[Any]] = [tuple(row[name] for name in names) for row in rows]
    if converters:
        for n, row_values in enumerate(values):
            changed = list(row_values)
            for i, convert in converters:
                changed[i] = convert(changed[i])
            values[n] = tuple(changed)
    columns = ", ".join(f'"{name}"' for name in names)
    one = "(" + ", ".join("?" * len(names)) + ")"
    head = f'INSERT INTO "{table.name}" ({columns}) VALUES '
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if not returning:
        connection.exec_driver_sql(head + one + tail, values)
        return []
    tail += " RETURNING " + ", ".join(f'"{name}"' for name in returning)
    step = max(1, min(_MAX_ROWS, _MAX_VARIABLES // len(names)))
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        flat = tuple(value for row in chunk for value in row)
        found.extend(tuple(r) for r in connection.exec_driver_sql(head + ", ".join([one] * len(chunk)) + tail, flat))
    return found


def _core(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], ignore_conflicts: bool, returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    if ignore_conflicts:
        from sqlalchemy.dialects import postgresql  # the only other engine newsdesk runs on

        statement: Any = postgresql.insert(table).on_conflict_do_nothing()
    else:
        statement = insert(table)
    if not returning:
        connection.execute(statement, list(rows))
        return []
    return [tuple(r) for r in connection.execute(statement.returning(*(table.c[name] for name in returning)), list(rows))]


def _sqlite_value(kind: TypeEngine[Any], connection: Connection) -> Callable[[Any], Any] | None:
    """What turns a column's Python value into the one the driver stores (None: the value as it is)."""
    dialect = connection.dialect
    # A TypeDecorator that overrides process_bind_param changes the value first (SQLModel's
    # AutoString does not; its UTCDateTime and our PackedText do).
    decorator = kind if isinstance(kind, TypeDecorator) and type(kind).process_bind_param is not TypeDecorator.process_bind_param else None
    underlying = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
    as_stored = _sqlite_datetime if isinstance(underlying, DateTime) else None
    if decorator is None:
        return as_stored
    bind = decorator.process_bind_param
    if as_stored is None:
        return lambda value: bind(value, dialect)
    return lambda value: as_stored(bind(value, dialect))


def _sqlite_datetime(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format ("2026-12-08 03:10:00.000000"), without the zone.
    return None if value is None else value.replace(tzinfo=None).isoformat(" ", "microseconds")
