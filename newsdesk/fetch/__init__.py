"""Downloading feeds and article pages (httpcore's connection pool), and reading feeds
(lxml for the common well-formed ones, feedparser for the rest).

Nothing here raises for a server's misbehaviour while fetching a feed: every outcome becomes
a FeedResult with a sentence the user can act on, so one bad feed never stops a refresh. A
page's download raises FetchError's subclasses (errors.py) and nothing else, whatever the
server, its redirects or its headers do. Bodies are streamed and counted after
decompression, so an oversized answer or a gzip bomb is cut off without being held in memory.

One private module per concern: _http (the requests, redirects, limits, what an answer
means), _net (the connections under it), _feeds (a feed's bytes to entries), _xmlfeed (the
fast reading of a well-formed feed, the same entries as feedparser's), _pages (an answer's
bytes to text). Which URLs are fetched, and one spelling per article, are
newsdesk.urls's (light to import: the config's checks use it too).

The client and the feed reader are imported on first use: a worker process that only
parses feeds starts without the HTTP stack, a refresh whose feeds are parsed in workers
never loads lxml or feedparser itself, and feedparser is imported only for a feed the fast
reading declines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsdesk.fetch._pages import decode_page
from newsdesk.urls import is_web_url, normalise_link

if TYPE_CHECKING:
    from newsdesk.fetch._feeds import parse_feed
    from newsdesk.fetch._http import FeedParser, FeedRequest, Fetcher

__all__ = ["FeedParser", "FeedRequest", "Fetcher", "decode_page", "is_web_url", "normalise_link", "parse_feed"]


def __getattr__(name: str) -> Any:
    if name in ("FeedParser", "FeedRequest", "Fetcher"):
        from newsdesk.fetch import _http

        return getattr(_http, name)
    if name == "parse_feed":  # lxml (and feedparser): a process whose feeds are parsed in workers never loads them
        from newsdesk.fetch import _feeds

        return _feeds.parse_feed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
