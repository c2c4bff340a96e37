"""Finding the feed behind a URL a reader pastes, for `newsdesk feeds add`.

The URL is fetched once. A feed is the answer. A web page is searched for the feeds it
declares (`<link rel="alternate" type="application/rss+xml">`, as browsers and every feed
reader read them); a page that declares none is tried at the paths sites usually publish
their feed at. Each candidate is fetched to show its title and how many entries it has, so
the reader picks knowingly, and nothing that is not a working feed is offered.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urljoin

from newsdesk.config import Settings
from newsdesk.errors import DiscoveryError
from newsdesk.types import FeedOutcome, FeedResult

USUAL_PATHS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml")
"""Where sites usually publish their feed, tried in this order (WordPress, Hugo, Jekyll, ...)."""


@dataclass(frozen=True, slots=True)
class FoundFeed:
    url: str
    """The address to subscribe to (where a permanent redirect led, when there was one)."""
    title: str | None
    entries: int
    how: str
    """How it was found, in words: "the URL is a feed", "declared by the page", "at a usual path"."""


def discover(url: str, settings: Settings) -> list[FoundFeed]:
    """The working feeds at or behind `url`, in the order the page gives them."""
    return asyncio.run(_discover(url, settings))


async def _discover(url: str, settings: Settings) -> list[FoundFeed]:
    from newsdesk.fetch import FeedRequest, Fetcher

    async with Fetcher(settings) as fetcher:
        first = await fetcher.fetch_feed(FeedRequest(url))
        if first.outcome is FeedOutcome.OK:
            return [_found(url, first, "the URL is a feed")]
        if first.outcome is not FeedOutcome.PARSE_ERROR:
            raise DiscoveryError(f"{url}: {first.error or first.outcome}")
        if first.alternates:
            candidates, how = first.alternates, "declared by the page"
        else:
            base = first.final_url or url
            candidates, how = [urljoin(base, path) for path in USUAL_PATHS], "at a usual path"
        results = await asyncio.gather(*(fetcher.fetch_feed(FeedRequest(c)) for c in candidates))
    found: list[FoundFeed] = []
    for candidate, result in zip(candidates, results, strict=True):
        if result.outcome is FeedOutcome.OK and all(f.url != _address(candidate, result) for f in found):
            found.append(_found(candidate, result, how))
    if found:
        return found
    if first.alternates:
        problems = "; ".join(f"{c}: {r.error or r.outcome}" for c, r in zip(candidates, results, strict=True))
        raise DiscoveryError(f"{url} declares feeds, but none of them works: {problems}")
    raise DiscoveryError(
        f"{url}: {first.error or 'not a feed'}; it declares no feed (<link rel=\"alternate\">) and there is none at "
        + ", ".join(USUAL_PATHS)
    )


def _address(url: str, result: FeedResult) -> str:
    return result.moved_to or url


def _found(url: str, result: FeedResult, how: str) -> FoundFeed:
    return FoundFeed(url=_address(url, result), title=result.title, entries=len(result.entries), how=how)
