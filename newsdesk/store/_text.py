"""Story texts as stored: compressed on SQLite; on PostgreSQL as they are.

A story's text was two thirds of its row and made most rows spill onto overflow pages
(a half-empty page each, on average); compressed (Zstandard, as pages are) it is 42% of
its size and most rows fit in one page (figures in benchmarks/README.md). PostgreSQL
compresses long values itself (TOAST), so there the column stays text and its search
trigger reads it as before.

On SQLite the column holds either form: a short text, and every text stored before
schema 7, is plain text; a longer one is a Zstandard frame (a BLOB). The column's type
(`_models.PackedText`) packs on the way in and unpacks on the way out, and the reads in
SQL text (`_reads`) unpack what they read, so the rest of newsdesk only ever sees str.
This module imports no SQLAlchemy: the reading commands run without it.
The full-text index reads texts through the SQL function `newsdesk_text`, which every
connection newsdesk opens registers (`register_functions`): another SQLite client can
read the database, but deleting or changing a story there fails for the want of it (a
Python one may register it with `newsdesk.store.register_functions`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from newsdesk.store._pages import compress, decompress, is_zstd

# Shorter texts are kept as they are: a Zstandard frame's own bytes would eat the saving.
_PLAIN_BELOW = 128
SQL_FUNCTION = "newsdesk_text"
"""The SQL function (SQLite) that gives a stored text back as text, packed or not."""


def pack_text(value: str) -> str | bytes:
    """A text as SQLite keeps it: compressed when that makes it shorter."""
    data = value.encode("utf-8")
    if len(data) < _PLAIN_BELOW:
        return value
    packed = compress(data)
    return packed if len(packed) < len(data) else value


def unpack_text(value: str | bytes | None) -> str | None:
    """A stored text as text (None stays None)."""
    if value is None or isinstance(value, str):
        return value
    data = bytes(value)
    known = _BEING_WRITTEN.get(data)
    if known is not None:
        return known
    return decompress(data).decode("utf-8") if is_zstd(data) else data.decode("utf-8", "replace")


_BEING_WRITTEN: dict[bytes, str] = {}
"""Texts being inserted, by their packed form: the full-text index's trigger reads each new
text back through `newsdesk_text` at once, and a packed text stands for one text only, so
whichever thread finds it here gets what decompressing would give."""


@contextmanager
def being_written(texts: Iterable[tuple[bytes, str]]) -> Iterator[None]:
    """While the block inserts these (packed, text) pairs, the trigger reads each text from
    memory instead of decompressing what was compressed a moment ago."""
    packed = dict(texts)
    _BEING_WRITTEN.update(packed)
    try:
        yield
    finally:
        for p in packed:
            _BEING_WRITTEN.pop(p, None)


def register_functions(conn: sqlite3.Connection) -> None:
    """`newsdesk_text(text)` on this SQLite connection, for the full-text index's triggers."""
    conn.create_function(SQL_FUNCTION, 1, unpack_text, deterministic=True)
