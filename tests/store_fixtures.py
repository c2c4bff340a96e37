"""Writing stories the way a refresh does (Store.write_feeds), for tests that need some stored."""

from __future__ import annotations

from collections.abc import Sequence

from newsdesk.store import Store
from newsdesk.types import EntityHit, FeedStatus, FeedWrite, NewStory, StoryWrite


def write_stories(
    store: Store,
    feed_id: int,
    stories: Sequence[tuple[NewStory, Sequence[EntityHit]]],
    pages: Sequence[bytes | None] | None = None,
) -> list[int | None]:
    """Store a feed's stories in one transaction (the feed's own record untouched); each
    story's id, None for one the feed already had."""
    writes = tuple(
        StoryWrite(story, tuple(hits), page)
        for (story, hits), page in zip(stories, pages or [None] * len(stories), strict=True)
    )
    (ids,) = store.write_feeds([FeedWrite(feed_id, writes, None)])
    return ids


def feed_named(store: Store, url: str) -> FeedStatus:
    """The stored feed with this URL (active or not)."""
    return next(f for f in store.feeds(active_only=False) if f.url == url)
