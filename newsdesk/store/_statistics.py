"""The query planner's statistics on SQLite, kept as the stories grow.

Without statistics SQLite guesses that an index narrows a search as well as any other, and
for a collapsed view (one row per event: is there an earlier story of this story's event in
the view?) it guessed wrong: it walked every matched story older than each row rather than
the few stories of its event. Counting the matched view took 2.9 s on 10,000 stories, and
grew with the square of the stories; with statistics it takes 25 ms (benchmarks/README.md,
scale). So a store that writes stories runs ANALYZE on the tables the views read whenever the
stories have doubled since it last did: a database of a million stories needs it about
twenty times in its life, each a full pass over those tables' indexes (0.5 s of CPU at a
million). Not a sample (`analysis_limit`): a sample of a few hundred rows of an index on
`matched` (two values) or `feed_id` took every value for a rare one, and on a million
stories SQLite then read the whole table through the feed index and sorted it to show the
newest 100 matched stories (6.9 s instead of 12 ms). PostgreSQL's autovacuum does the same
by itself.
"""

from __future__ import annotations

from sqlalchemy import Connection

_KEY = "statistics_stories"
"""meta: the stories there were when ANALYZE last ran."""
_TABLES = ("story", "story_cluster", "match", "story_state")
"""What the views read (the full-text index has no use for the planner's statistics)."""
_FIRST = 100
"""Below this many stories any plan is fast: no statistics yet."""


def analysed_at(conn: Connection) -> int:
    """The stories there were at the last ANALYZE (0: never)."""
    value = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (_KEY,)).scalar()
    return int(value) if value is not None else 0


def keep_statistics(conn: Connection, analysed: int) -> int:
    """Inside a write transaction on SQLite: ANALYZE when the stories have doubled since
    `analysed` (what `analysed_at` said); returns the count the statistics now stand for."""
    stories = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM story").scalar_one()
    if stories < max(_FIRST, 2 * analysed):
        return analysed
    for table in _TABLES:
        conn.exec_driver_sql(f"ANALYZE {table}")
    conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                         (_KEY, str(stories)))
    return int(stories)
