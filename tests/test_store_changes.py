"""A reader learns at once that another process stored stories (LISTEN/NOTIFY on PostgreSQL,
PRAGMA data_version on SQLite), and two readers' marks stay apart."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from newsdesk.config import FeedConfig
from newsdesk.store import Store

WRITER = textwrap.dedent(
    """
    import sys, time
    from newsdesk.store import Store
    from tests.store_fixtures import write_stories
    from tests.test_store import _hit, _story
    with Store(sys.argv[1]) as store:
        fid = store.feeds()[0].id
        time.sleep(1.0)
        write_stories(store, fid, [(_story("late", "Russia late"), [_hit("Russia")])])
        print(time.time(), flush=True)
    """
)


def test_a_reader_sees_another_processs_story_within_a_second(db_url: str) -> None:
    with Store(db_url) as store:
        store.sync_feeds([FeedConfig("World", "https://news.example/rss")])
        watch = store.changes()
        try:
            assert watch.changed() is False
            writer = subprocess.Popen([sys.executable, "-c", WRITER, db_url], stdout=subprocess.PIPE, text=True)
            assert watch.wait(30) is True
            seen = time.time()
            out, _ = writer.communicate(timeout=60)
            assert writer.returncode == 0
            assert seen - float(out.strip()) < 1.0
            assert [s.title for s in store.list_stories()] == ["Russia late"]
            assert watch.changed() is False  # told once
        finally:
            watch.close()
