"""What `newsdesk list`, `search` and `status` read (and the UI's views with them), as SQL text
that both engines run, and a SQLite reader that runs it with the standard library alone.

The reading commands are short: their start-up is most of what a person waits for, and
SQLAlchemy, its ORM and SQLModel took three times as long to import as the queries took to
run on 100,000 stories (benchmarks/README.md). So these reads are written once, as SQL text
with named parameters, over a `Run` (one statement's rows). `Store` runs them through its
SQLAlchemy session on either engine; `SqliteReader` runs them through `sqlite3` on a file
at this newsdesk's schema. `open_reader` picks: anything else (a database to create or
upgrade, a foreign or newer one, PostgreSQL) opens as a `Store`, which says what is wrong
or does what is needed exactly as before.

Times: SQLite holds a datetime as the text SQLAlchemy writes ("2024-04-14 09:30:00.000000",
UTC), PostgreSQL as a timestamp (UTC); `_time` reads both, `_time_param` writes the one the
engine compares with.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from newsdesk.errors import StoreError
from newsdesk.store._pages import unpack_page
from newsdesk.store._problems import describe
from newsdesk.store._readers import default_reader
from newsdesk.store._search import NOTHING, matching, ranked
from newsdesk.store._text import unpack_text
from newsdesk.store._version import SCHEMA_VERSION
from newsdesk.types import (
    ClusterSource,
    EntityCount,
    EntityHit,
    FeedStatus,
    Match,
    MatchKind,
    StoryDetail,
    StoryItem,
    StoryQuery,
    StorySort,
    TextSource,
    ViewCount,
)

TYPE_CHECKING = False  # as typing's (mypy reads it as true)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from typing import Any, Protocol

    from newsdesk.config import FeedConfig

    class Run(Protocol):
        """One statement's rows, as tuples. `search`: the user's words, when the statement is
        a search the full-text index may refuse (then the error says so)."""

        def __call__(self, sql: str, params: dict[str, Any], search: str | None = None, /) -> list[tuple[Any, ...]]: ...

    _OrderKey = tuple[str, bool, Callable[[StoryItem], Any]]
    """(SQL of the column, descending, the value a listed story has in it)."""

_MATCHED = StoryQuery()
_CHUNK = 500
"""Ids in one IN list: far below either engine's limit of parameters."""

CLUSTER = "coalesce(story_cluster.cluster_id, story.id)"
"""A story's cluster in a query joined (outer) to story_cluster: a story stored before
clusters existed is its own."""

_LIST = (
    'SELECT story.id, story.title, story.sort_time, {read}, {starred}, story.url, story.published, feed.name, {cluster} '
    "FROM story JOIN feed ON feed.id = story.feed_id "
    "LEFT OUTER JOIN story_cluster ON story_cluster.story_id = story.id"
)
_FEED_COLUMNS = (
    "id", "name", "url", "active", "title", "last_checked", "last_outcome", "last_error", "http_status", "last_ok",
    "etag", "last_modified", "failures", "next_try", "gone", "moved_to",
)
_TABLES = {"meta", "feed", "story", "story_state", "match", "story_cluster", "story_fts", "story_page"}
"""What the reads read: a database at this schema without one of them opens as a Store."""


def mark(column: str, story: str = "story") -> str:
    """Whether the reader (:reader) set this mark (read, starred) on `story` (the story table
    or an alias of it); false without a row."""
    return (
        f'EXISTS (SELECT 1 FROM story_state WHERE story_state.story_id = {story}.id '
        f'AND story_state.reader = :reader AND story_state."{column}")'
    )


def _time(value: object) -> datetime | None:
    """A stored time as UTC: SQLite gives the text SQLAlchemy wrote, PostgreSQL a naive datetime."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        raise StoreError(f"a stored time reads as {value!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def time_param(dialect: str, value: datetime) -> object:
    """A time as this engine stores it and compares it with the stored ones (UTC; a naive
    one is taken as UTC, as everything newsdesk stores is): on SQLite, the text SQLAlchemy
    writes."""
    moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    if dialect == "sqlite":
        return f"{moment:%Y-%m-%d %H:%M:%S.%f}"
    return moment


def _when(value: object) -> datetime:
    moment = _time(value)
    if moment is None:
        raise StoreError("a stored story has no time")
    return moment


def _text_source(value: str) -> TextSource:
    return "page" if value == "page" else "feed"


def _kind(value: str) -> MatchKind:
    return "person" if value == "person" else "country"


def hit(entity: str, kind: str, code: str | None, count: int, snippet: str, occurrences: str) -> EntityHit:
    """A stored match (a row of the match table) as the hit it records."""
    return EntityHit(
        entity=entity,
        kind=_kind(kind),
        code=code,
        count=count,
        snippet=snippet,
        occurrences=tuple(
            Match(entity=entity, kind=_kind(kind), code=code, form=form, where=where, start=start, end=end, snippet="")
            for where, start, end, form in json.loads(occurrences)
        ),
    )


def _in(name: str, values: Sequence[object], params: dict[str, object]) -> str:
    """An IN list's placeholders (:name_0, :name_1, …), its values put into `params`."""
    params.update({f"{name}_{i}": value for i, value in enumerate(values)})
    return "(" + ", ".join(f":{name}_{i}" for i in range(len(values))) + ")"


class Reads:
    """The reads of stories and feeds, over `_reading` (a Run inside one read transaction)."""

    url: str
    reader: str
    """Whose read and starred marks to read."""

    @property
    def dialect(self) -> str:
        raise NotImplementedError

    def _reading(self) -> Any:  # a context manager giving a Run: each engine's own
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Reads:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _time_param(self, value: datetime) -> object:
        return time_param(self.dialect, value)

    # -- stories

    def stories(self, query: StoryQuery = _MATCHED, *, after: StoryItem | None = None, limit: int = 100) -> list[StoryItem]:
        """A view's stories, in its order. `after`: only those that come after that story.

        Pages, and the reader's next and previous story, are found from a story's place in
        the order (its time, id, read state, matches) rather than by an offset, so stories
        marked read or stored meanwhile neither skip nor repeat a row.
        """
        with self._reading() as run:
            params: dict[str, object] = {"reader": self.reader, "limit": limit}
            keys = _order_keys(query)
            where = self.view_filter(run, query, params)
            if after is not None:
                where.append(self._after(keys, after, params))
            order = ", ".join(f"{column} {'DESC' if down else 'ASC'}" for column, down, _ in keys)
            sql = f"{self._list()} WHERE {_all(where)} ORDER BY {order} LIMIT :limit"
            return self._items(run, run(sql, params, query.search))

    def count_view(self, query: StoryQuery) -> ViewCount:
        """How many stories a view holds, and how many of them are unread (the UI's header).

        A collapsed view is counted by numbering each event's stories in the view (a window
        over the events, one sort), not by the page's test for an earlier copy of each row:
        that test is cheap for a page of rows, but for every row of a view of large events it
        looked through the event's copies (4.6 s of CPU for every story of 100,000, 0.3 s so).
        A search collapses as on the page: to its hits that no earlier copy precedes.
        """
        with self._reading() as run:
            params: dict[str, object] = {"reader": self.reader}
            if not query.collapse:
                where = self.view_filter(run, query, params)
                [(stories, unread)] = run(
                    f"SELECT count(*), sum(CASE WHEN {mark('read')} THEN 0 ELSE 1 END) FROM story WHERE {_all(where)}",
                    params,
                    query.search,
                )
                return ViewCount(stories=stories, unread=int(unread or 0))
            where = self.view_filter(run, replace(query, collapse=False, search=None), params)
            hit = matching(run, self.dialect, query.search, params) if query.search is not None else "1 = 1"
            # A story without a cluster row is an event of its own: a key no cluster id takes.
            event = "CASE WHEN story_cluster.cluster_id IS NULL THEN -story.id ELSE story_cluster.cluster_id END"
            numbered = (
                f"SELECT story.id, CASE WHEN {hit} THEN 1 ELSE 0 END AS hit, "
                f"ROW_NUMBER() OVER (PARTITION BY {event} ORDER BY story.sort_time, story.id) AS place "
                f"FROM story LEFT OUTER JOIN story_cluster ON story_cluster.story_id = story.id WHERE {_all(where)}"
            )
            [(stories, unread)] = run(
                f"SELECT count(*), sum(CASE WHEN {mark('read', 'shown')} THEN 0 ELSE 1 END) "
                f"FROM ({numbered}) AS shown WHERE shown.place = 1 AND shown.hit = 1",
                params,
                query.search,
            )
        return ViewCount(stories=stories, unread=int(unread or 0))

    def search(self, query: str, *, limit: int = 200, offset: int = 0) -> list[StoryItem]:
        """Stories whose title or text hold every word of `query`, best match first.

        Words match whole tokens regardless of case and accents; `word*` matches a prefix and
        "a phrase" the words in a row. Anything else FTS5 would read as syntax is taken as text.
        """
        with self._reading() as run:
            found = ranked(run, self.dialect, query, limit, offset)
            if not found:
                return []
            params: dict[str, object] = {"reader": self.reader}
            rows = run(f"{self._list()} WHERE story.id IN {_in('id', found, params)}", params)
            order = {story_id: index for index, story_id in enumerate(found)}
            return self._items(run, sorted(rows, key=lambda row: order[row[0]]))

    def story(self, story_id: int) -> StoryDetail | None:
        with self._reading() as run:
            params: dict[str, object] = {"reader": self.reader, "id": story_id}
            rows = run(
                "SELECT story.title, feed.name, story.url, story.author, story.published, story.fetched_at, "
                f"story.summary, story.text, story.text_source, story.text_note, {mark('read')}, {mark('starred')} "
                "FROM story JOIN feed ON feed.id = story.feed_id WHERE story.id = :id",
                params,
            )
            if not rows:
                return None
            title, feed, url, author, published, fetched_at, summary, text, source, note, read, starred = rows[0]
            matches = run(
                'SELECT entity, kind, code, "count", snippet, occurrences FROM "match" WHERE story_id = :id ORDER BY id',
                params,
            )
        return StoryDetail(
            id=story_id,
            title=title,
            feed=feed,
            url=url,
            author=author,
            published=_time(published),
            fetched_at=_when(fetched_at),
            summary=summary,
            text=unpack_text(text) or "",
            text_source=_text_source(source),
            text_note=note,
            read=bool(read),
            starred=bool(starred),
            hits=tuple(hit(*m) for m in matches),
        )

    def story_page(self, story_id: int) -> str | None:
        """The article page the story's text came from, as stored (slimmed), or None: it
        was never kept, was too large, or the purge of old pages removed it."""
        with self._reading() as run:
            rows = run("SELECT html FROM story_page WHERE story_id = :id", {"id": story_id})
        return unpack_page(bytes(rows[0][0])) if rows else None

    def cluster_sources(self, story_id: int) -> list[ClusterSource]:
        """Every story of this story's cluster (itself included), earliest first: the members
        the cluster's index finds, or the story alone if it has no cluster row (it is its own)."""
        with self._reading() as run:
            params: dict[str, object] = {"reader": self.reader, "id": story_id}
            found = run("SELECT cluster_id FROM story_cluster WHERE story_id = :id", params)
            params["cluster"] = found[0][0] if found else story_id
            rows = run(
                f"SELECT story.id, story.title, feed.name, story.url, story.sort_time, {mark('read')} "
                "FROM story JOIN feed ON feed.id = story.feed_id "
                "LEFT OUTER JOIN story_cluster ON story_cluster.story_id = story.id "
                "WHERE story.id IN (SELECT story_id FROM story_cluster WHERE cluster_id = :cluster) "
                "OR (story_cluster.story_id IS NULL AND story.id = :cluster) "
                "ORDER BY story.sort_time, story.id",
                params,
            )
        return [
            ClusterSource(id=i, title=title, feed=feed, url=url, time=_when(time), read=bool(read))
            for i, title, feed, url, time, read in rows
        ]

    def _list(self) -> str:
        """Only what a list row shows (the reader's own marks): a story's text never leaves the
        database for a list."""
        return _LIST.format(read=mark("read"), starred=mark("starred"), cluster=CLUSTER)

    def _items(self, run: Run, rows: Sequence[tuple[Any, ...]]) -> list[StoryItem]:
        """List rows (of _list) with each story's matched entities, in one query per 500."""
        ids = [row[0] for row in rows]
        entities: dict[int, list[str]] = {i: [] for i in ids}
        tags: dict[int, list[str]] = {i: [] for i in ids}
        for start in range(0, len(ids), _CHUNK):
            params: dict[str, object] = {}
            chunk = _in("id", ids[start : start + _CHUNK], params)
            for story_id, name, code in run(
                f'SELECT story_id, entity, code FROM "match" WHERE story_id IN {chunk} ORDER BY id', params
            ):
                entities[story_id].append(name)
                tags[story_id].append(code or name.split()[-1])
        sizes = self._cluster_sizes(run, sorted({row[8] for row in rows}))
        return [
            StoryItem(
                id=story_id,
                title=title,
                feed=feed,
                time=_when(sort_time),
                read=bool(read),
                starred=bool(starred),
                entities=tuple(entities[story_id]),
                url=url,
                published=_time(published),
                tags=tuple(tags[story_id]),
                cluster=cluster,
                sources=sizes[cluster],
            )
            for story_id, title, sort_time, read, starred, url, published, feed, cluster in rows
        ]

    def _cluster_sizes(self, run: Run, clusters: Sequence[int]) -> dict[int, int]:
        """How many stories each cluster holds."""
        found = dict.fromkeys(clusters, 1)
        for start in range(0, len(clusters), _CHUNK):
            params: dict[str, object] = {}
            chunk = _in("c", clusters[start : start + _CHUNK], params)
            found.update(
                (cluster, count)
                for cluster, count in run(
                    f"SELECT cluster_id, count(*) FROM story_cluster WHERE cluster_id IN {chunk} GROUP BY cluster_id", params
                )
            )
        return found

    def view_filter(self, run: Run, query: StoryQuery, params: dict[str, object], story: str = "story") -> list[str]:
        """The WHERE clauses of a view on `story` (the story table, or an alias of it), their
        parameters put into `params` (which holds :reader)."""
        where: list[str] = []
        if query.entity is not None:
            params["entity"] = query.entity
            where.append(f'EXISTS (SELECT 1 FROM "match" WHERE "match".story_id = {story}.id AND "match".entity = :entity)')
        elif query.matched_only:
            where.append(f"{story}.matched")
        if query.feed is not None:
            params["feed"] = query.feed
            where.append(f"{story}.feed_id IN (SELECT feed.id FROM feed WHERE feed.name = :feed)")
        if query.feeds is not None:
            names = _in("feeds", list(query.feeds), params) if query.feeds else None
            where.append(f"{story}.feed_id IN (SELECT feed.id FROM feed WHERE feed.name IN {names})" if names else NOTHING)
        if query.unread_only:
            where.append(f"NOT {mark('read', story)}")
        if query.starred_only:
            where.append(mark("starred", story))
        if query.since is not None:
            params["since"] = self._time_param(query.since)
            where.append(f"{story}.sort_time >= :since")
        if query.search is not None and story == "story":  # (a search collapses to its first hit's cluster row)
            where.append(matching(run, self.dialect, query.search, params))
        if query.collapse and story == "story":
            # One row per cluster: its earliest story in the view (none of the same cluster
            # that the view also holds comes before it).
            earlier = " AND ".join(self.view_filter(run, query, params, "earlier")) or "1 = 1"
            where.append(
                "NOT EXISTS (SELECT member.story_id FROM story_cluster AS member "
                "JOIN story AS earlier ON earlier.id = member.story_id "
                "WHERE member.cluster_id = story_cluster.cluster_id AND (earlier.sort_time < story.sort_time "
                f"OR (earlier.sort_time = story.sort_time AND earlier.id < story.id)) AND {earlier})"
            )
        return where

    def _after(self, keys: list[_OrderKey], story: StoryItem, params: dict[str, object]) -> str:
        """Rows that come after `story` in the order of `keys` (a keyset condition)."""

        def value(index: int) -> str:
            """The story's value in key `index`, as SQL: a parameter, or for a truth the
            condition itself (SQL compares booleans only for equality)."""
            found = keys[index][2](story)
            params[f"after_{index}"] = self._time_param(found) if isinstance(found, datetime) else found
            return f":after_{index}"

        def equal(index: int) -> str:
            column, _, get = keys[index]
            found = get(story)
            if isinstance(found, bool):
                return column if found else f"NOT {column}"
            return f"{column} = {value(index)}"

        def beyond(index: int) -> str:
            column, down, get = keys[index]
            found = get(story)
            if isinstance(found, bool):
                if found is not down:
                    return NOTHING
                return f"NOT {column}" if found else column
            return f"{column} {'<' if down else '>'} {value(index)}"

        clauses = [
            "(" + " AND ".join([*(equal(i) for i in range(index)), beyond(index)]) + ")" for index in range(len(keys))
        ]
        return "(" + " OR ".join(clauses) + ")"

    def latest_story_id(self) -> int:
        """The newest story's id (0: none): a query cheap enough to ask every few seconds, so a
        running UI sees the stories another process (a daemon, a `refresh`) stores."""
        with self._reading() as run:
            [(latest,)] = run("SELECT max(id) FROM story", {})
        return int(latest or 0)

    # -- the watchlist's entries

    def entity_counts(self) -> list[EntityCount]:
        """Each watchlist entry's count of clusters (events, not copies) and of those unread."""
        with self._reading() as run:
            rows = run(
                f'SELECT "match".entity, "match".kind, max("match".code), count(DISTINCT {CLUSTER}), '
                f"count(DISTINCT CASE WHEN {mark('read')} THEN NULL ELSE {CLUSTER} END) "
                'FROM "match" JOIN story ON story.id = "match".story_id '
                "LEFT OUTER JOIN story_cluster ON story_cluster.story_id = story.id "
                'GROUP BY "match".entity, "match".kind',
                {"reader": self.reader},
            )
        return [EntityCount(entity=e, kind=_kind(k), code=c, stories=n, unread=int(u or 0)) for e, k, c, n, u in rows]

    # -- feeds

    def feeds(self, *, active_only: bool = True) -> list[FeedStatus]:
        """The stored feeds (those feeds.toml names, unless `active_only` is false), by name,
        with their last download's outcome and their count of stories."""
        with self._reading() as run:
            return _feeds(run, active_only)

    def feeds_to_refresh(self, feeds: Sequence[FeedConfig], fingerprint: str) -> list[FeedStatus] | None:
        """The active feeds as `feeds` (default) does, when a refresh of `feeds` could start from
        them with nothing to write first: the stored feeds already follow them (`follows`)
        and the stories were tagged with the watchlist of `fingerprint`. None otherwise.

        `newsdesk refresh` reads this before the Store is open (the reader needs no
        SQLAlchemy), so its first requests go out while the Store opens.
        """
        with self._reading() as run:
            if _fingerprint(run) != fingerprint:
                return None
            current = {url: (name, bool(active)) for url, name, active in run("SELECT url, name, active FROM feed", {})}
            if not follows(current, feeds):
                return None
            return _feeds(run, True)

    def watchlist_fingerprint(self) -> str | None:
        """The fingerprint of the watchlist the stored stories were tagged with (None: never)."""
        with self._reading() as run:
            return _fingerprint(run)


def follows(current: Mapping[str, tuple[str, bool]], feeds: Sequence[FeedConfig]) -> bool:
    """Whether the stored feeds (url -> name, active) are already what `feeds` (feeds.toml)
    makes them: each named, under its name and active, and no other active."""
    wanted = {f.url: f.name for f in feeds}
    return all(current.get(url) == (name, True) for url, name in wanted.items()) and not any(
        active and url not in wanted for url, (_, active) in current.items()
    )


WATCHLIST_KEY = "watchlist_fingerprint"


def _fingerprint(run: Run) -> str | None:
    rows = run("SELECT value FROM meta WHERE key = :key", {"key": WATCHLIST_KEY})
    return str(rows[0][0]) if rows else None


def _feeds(run: Run, active_only: bool) -> list[FeedStatus]:
    counts = dict(run("SELECT feed_id, count(*) FROM story GROUP BY feed_id", {}))
    columns = ", ".join(f"feed.{c}" for c in _FEED_COLUMNS)
    active = " WHERE feed.active" if active_only else ""
    rows = run(f"SELECT {columns} FROM feed{active} ORDER BY feed.name", {})
    return [_feed_status(dict(zip(_FEED_COLUMNS, row, strict=True)), counts.get(row[0], 0)) for row in rows]


def _all(where: list[str]) -> str:
    return " AND ".join(where) or "1 = 1"


def _order_keys(query: StoryQuery) -> list[_OrderKey]:
    """A view's order, most significant key first."""
    newest: list[_OrderKey] = [
        ("story.sort_time", True, lambda s: s.time),
        ("story.id", True, lambda s: s.id),
    ]
    keys = newest
    if query.sort == StorySort.OLDEST:
        keys = [(column, False, value) for column, _, value in newest]
    elif query.sort == StorySort.UNREAD:
        keys = [(mark("read"), False, lambda s: s.read), *newest]
    elif query.sort == StorySort.MATCHES:
        matches = '(SELECT count(*) FROM "match" WHERE "match".story_id = story.id)'
        keys = [(matches, True, lambda s: len(s.entities)), *newest]
    if query.reverse:
        keys = [(column, not down, value) for column, down, value in keys]
    return keys


def _feed_status(row: dict[str, Any], stories: int) -> FeedStatus:
    return FeedStatus(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        active=bool(row["active"]),
        title=row["title"],
        last_checked=_time(row["last_checked"]),
        last_outcome=row["last_outcome"],
        last_error=row["last_error"],
        http_status=row["http_status"],
        last_ok=_time(row["last_ok"]),
        stories=stories,
        etag=row["etag"],
        last_modified=row["last_modified"],
        failures=row["failures"],
        next_try=_time(row["next_try"]),
        gone=bool(row["gone"]),
        moved_to=row["moved_to"],
    )


class SqliteReader(Reads):
    """A SQLite file at this newsdesk's schema, read through `sqlite3` (no SQLAlchemy): what
    the reading commands open, and what the UI's first screen reads before its Store is open.
    It never writes, so it works while a refresh does (WAL).

    Any thread may read (the UI reads in workers): each thread through a connection of its
    own, so a long read (a view's count on a million stories) holds up no other."""

    def __init__(self, connection: sqlite3.Connection, path: Path, reader: str | None) -> None:
        self._path = path
        self._place = str(path)
        self._local = threading.local()
        self._local.connection = connection
        self._connections = [connection]
        """Every thread's, to close."""
        self._lock = threading.Lock()
        self.url = f"sqlite:///{path}"  # as store.database_url names a file
        self.reader = reader or default_reader()

    @classmethod
    def open(cls, path: Path, *, reader: str | None = None) -> SqliteReader | None:
        """The file, if it is a newsdesk database at this schema with every table the reads
        need; None for anything else (missing, foreign, older, newer, damaged), which a
        Store opens (and upgrades, or refuses in words)."""
        connection = connect_at_schema(path, _TABLES)
        return None if connection is None else cls(connection, path, reader)

    @property
    def dialect(self) -> str:
        return "sqlite"

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on its first read."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = _connect(self._path)
            except sqlite3.Error as exc:
                raise describe(exc, self._place) from None
            with self._lock:
                self._connections.append(connection)
            self._local.connection = connection
        return connection

    @contextmanager
    def _reading(self) -> Iterator[Run]:
        """One read transaction: the statements of one read see one state of the database."""
        connection = self._connection()

        def run(sql: str, params: dict[str, Any], search: str | None = None) -> list[tuple[Any, ...]]:
            try:
                return connection.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise failed(exc, self._place, search) from None

        try:
            connection.execute("BEGIN")
        except sqlite3.Error as exc:
            raise describe(exc, self._place) from None
        try:
            yield run
        except BaseException:
            with suppress(sqlite3.Error):  # the error that ended the read is the one to tell
                connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            raise describe(exc, self._place) from None


def connect_at_schema(path: Path, tables: set[str]) -> sqlite3.Connection | None:
    """A connection to the file, if it is a newsdesk database at this schema holding `tables`;
    None for anything else (missing, foreign, older, newer, damaged)."""
    try:
        connection = _connect(path)
    except sqlite3.Error:
        return None
    try:
        found = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() if "meta" in found else None
    except sqlite3.Error:
        version = None
    if version is None or version[0] != str(SCHEMA_VERSION) or not tables <= found:
        connection.close()
        return None
    return connection


def _connect(path: Path) -> sqlite3.Connection:
    """A connection that may not create the file (mode=rw), waits for a writer's lock as the
    Store does, and is closed from whichever thread closes the reader."""
    return sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=10, isolation_level=None, check_same_thread=False)


def failed(orig: BaseException | None, place: str, search: str | None) -> StoreError:
    """A read's error as the user's one line: a search the full-text index refuses says so."""
    if search is not None:
        return StoreError(f"search {search!r} failed: {orig}")
    return describe(orig, place)


def open_reader(target: str | Path, *, reader: str | None = None) -> Reads:
    """The database `target` names, opened for reading: a SQLite file at this schema through
    `sqlite3`, anything else as a Store (SQLAlchemy: created, upgraded or refused as it says)."""
    opened = open_sqlite_reader(target, reader=reader)
    if opened is not None:
        return opened
    from newsdesk.store._store import Store

    return Store(target, reader=reader)


def open_sqlite_reader(target: str | Path, *, reader: str | None = None) -> SqliteReader | None:
    """The database `target` names through `sqlite3`, if it is a SQLite file at this schema;
    None for anything a Store must open (or create, upgrade, refuse)."""
    path = sqlite_file(target)
    return None if path is None else SqliteReader.open(path, reader=reader)


def sqlite_file(target: str | Path) -> Path | None:
    """The SQLite file `target` names (a path, or a plain sqlite:/// URL), if it exists."""
    path = _sqlite_path(target)
    return path if path is not None and path.is_file() else None


def new_sqlite_file(target: str | Path) -> bool:
    """Whether `target` names a SQLite file that does not exist yet (a Store will create it)."""
    path = _sqlite_path(target)
    return path is not None and not path.exists()


def _sqlite_path(target: str | Path) -> Path | None:
    """The file a path or a plain sqlite:/// URL names; None for any other URL or :memory:."""
    text = str(target)
    if text.startswith("sqlite:///") and "?" not in text:
        text = text[len("sqlite:///"):]
    if "://" in text or text == ":memory:":  # (tested on the text: a Path would fold the "//")
        return None
    return Path(text).expanduser().resolve()
