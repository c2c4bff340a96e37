"""One refresh: fetch the feeds, extract each new entry's page, match it, store it.

The stages overlap so that a refresh costs about what extraction costs: downloads run on the
event loop, bounded over all sites (settings.concurrency) and per site (settings.per_host);
feed parsing and trafilatura, which are CPU-bound, run in a pool of processes sized to the
cores (newsdesk.workers); new stories are written by group commit (_Writer), the feeds ready
at once in one short transaction. Pages waiting for extraction are bounded too, and an
article stored is not kept in memory, so a refresh of thousands of new stories holds only a
few pages at a time.

A feed's new validators (ETag, Last-Modified) are stored in the transaction that stores its
new stories, so a refresh killed half-way is completed by the next one instead of being
answered "304 Not Modified". A feed answered 304 costs one status row, written with the
others at the end.
A feed that keeps failing backs off (its wait doubles, up to a day; a server's Retry-After is
obeyed), a 410 Gone is not asked again, and a feed that moved is fetched at its new address.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from newsdesk.config import Config, FeedConfig, Settings, Watchlist
from newsdesk.errors import DiskFull, FetchError, StoreError
from newsdesk.fetch import (
    FeedRequest,
    Fetcher,
    decode_page,
    is_web_url,
    normalise_link,
)
from newsdesk.match import Matcher, summarize, watchlist_fingerprint
from newsdesk.store import pack_page, slim_page
from newsdesk.types import (
    Article,
    EntityHit,
    Entry,
    FeedOutcome,
    FeedResult,
    FeedStatus,
    FeedWrite,
    FetchRecord,
    NewStory,
    PageReading,
    PageStory,
    PurgeReport,
    RawPage,
    StoryWrite,
    TextSource,
)
from newsdesk.workers import Workers, cores

if TYPE_CHECKING:  # the Store's module loads SQLAlchemy: `newsdesk refresh` opens it in a thread
    from newsdesk.store import Store

_T = TypeVar("_T")

log = logging.getLogger(__name__)

# Extracted text shorter than this, next to a longer feed text, is a teaser or a paywall.
_MIN_PAGE_TEXT = 200
# Page text shorter than this share of the feed's own full text is a teaser or a paywall.
_SHORTER_THAN_FEED = 0.5
# A feed summary's opening this short ("Video", "Updated") is no evidence of a lost lede.
_MIN_LEDE_WORDS = 4
# A refresh of this many feeds parses them in worker processes even with nothing to extract.
_PARSE_IN_WORKERS_FROM = 32
# The page's text holds at least this share of the summary's words: the same story.
_SAME_STORY_SHARE = 0.5



@dataclass(frozen=True, slots=True)
class RefreshProgress:
    done: int
    total: int
    feed: str | None = None


@dataclass(slots=True)
class FeedProblem:
    name: str
    url: str
    message: str


@dataclass(slots=True)
class RefreshSummary:
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    waiting: int = 0
    """Feeds not fetched: backing off after failures, asked to wait, or gone (410)."""
    new_stories: int = 0
    new_matches: int = 0
    disk_full: str | None = None
    """The disk holding the database filled up during the refresh: what to tell the user."""
    problems: list[FeedProblem] = field(default_factory=list)
    purged: int = 0
    """Stories removed after the refresh by [settings] keep_days and max_stories_per_feed."""


async def refresh(
    config: Config,
    store: Store | Awaitable[Store] | StoreOnDemand,
    *,
    feeds: Sequence[FeedConfig] | None = None,
    progress: Callable[[RefreshProgress], None] | None = None,
    matcher: Matcher | None = None,
    workers: Workers | None = None,
    force: bool = False,
    stored_ahead: Sequence[FeedStatus] | None = None,
) -> RefreshSummary:
    """Refresh `feeds` (default: every feed of the config) once; one failing feed stops nothing.

    Feeds backing off after failures wait their turn unless `force`; gone feeds always wait.

    `workers` lets a long-running caller keep one process pool across refreshes; without
    it, one is started when the first feed or page needs one and stopped at the end, so a
    refresh with nothing new starts no process at all.

    `store` may be still opening (an awaitable) when the feeds were read ahead without it
    (`stored_ahead`: Reads.feeds_to_refresh): the downloads start at once and the store is
    awaited before anything is written. (A Store takes about half a second to import and
    open; a warm refresh's downloads, a second or two.) On a database still to be made, the
    feeds read ahead are feeds.toml's as not stored (`FeedStatus.unstored`): the downloads
    are plain GETs, and the feeds are read from the store once it has made them. Or it may be opened on demand
    (StoreOnDemand, with `stored_ahead` too): only when a feed has news; a refresh whose every
    feed answers 304 (or fails) writes its statuses without it.
    """
    from newsdesk.heap import share_heaps

    # The threads this refresh starts (downloads' hand-off, the pool's, the writes') share two
    # C heaps instead of one each (newsdesk.heap): each kept megabytes of free space.
    share_heaps()
    chosen = list(config.feeds if feeds is None else feeds)
    extracting = any(config.settings.extracts(f) for f in chosen)
    own = workers is None
    if workers is None:
        workers = refresh_workers(config, chosen)
    # Feeds are parsed in the workers when they run anyway (pages to extract), or when there
    # are many: there a parse overlaps the downloads and the other parses (a feed feedparser
    # reads takes more CPU than its download; one lxml reads, a quarter of that). A few
    # full-text feeds are parsed sooner here than a pool starts.
    in_workers = extracting or len(chosen) >= _PARSE_IN_WORKERS_FROM
    # The HTTP client (its TLS context reads the system's certificates) is made while the
    # database is read: the first requests go out a few tens of milliseconds sooner.
    making = asyncio.ensure_future(asyncio.to_thread(Fetcher, config.settings, workers.parse_feed if in_workers else None))
    opening: asyncio.Future[Store | StoreOnDemand] = asyncio.get_running_loop().create_future()
    try:
        if isinstance(store, StoreOnDemand):
            assert stored_ahead is not None, "a store opened on demand needs the feeds read ahead"
            opening.set_result(store)
            statuses = list(stored_ahead)
        elif isinstance(store, Awaitable):
            assert stored_ahead is not None, "a store still opening needs the feeds read ahead"
            opening = asyncio.ensure_future(store)
            statuses = list(stored_ahead)
        else:
            opening.set_result(store)
            await asyncio.to_thread(store.sync_feeds, config.feeds)
            statuses = await asyncio.to_thread(store.feeds)
    except BaseException:
        async with await making:
            raise
    stored = {f.url: f for f in statuses}
    now = datetime.now(UTC)
    if in_workers and any(
        _answers_with_a_body(stored[f.url]) and not _waits(stored[f.url], now, force) for f in chosen if f.url in stored
    ):
        workers.start_soon()  # the pool starts while the first feeds download
    total = len(chosen)
    done = 0
    if progress:
        progress(RefreshProgress(0, total))
    run: _Run | None = None
    try:
        async with await making as fetcher:
            fetching = {
                f.url: asyncio.create_task(fetcher.fetch_feed(_request(stored[f.url])), name=f.url)
                for f in chosen
                if f.url in stored and not _waits(stored[f.url], now, force)
            }
            try:
                opened = await opening
                if not isinstance(opened, StoreOnDemand) and not all(s.stored for s in statuses):
                    # A new database, read ahead as feeds.toml's: the Store added them as it made it.
                    stored = {f.url: f for f in await asyncio.to_thread(opened.feeds)}
            except BaseException:
                for early in fetching.values():
                    early.cancel()
                await asyncio.gather(*fetching.values(), return_exceptions=True)
                raise
            run = _Run(config, opened, matcher, workers, force)
            run.fetcher = fetcher
            tasks: list[asyncio.Task[str]] = []
            for feed in chosen:
                if feed.url in stored:
                    one = asyncio.create_task(run.feed(feed, stored[feed.url], fetching.get(feed.url)), name=feed.url)
                    # A download's task holds the parsed feed (every entry's texts and sketch):
                    # let it go once the feed's stories are stored, not at the refresh's end,
                    # where a cold refresh would still hold every story it read.
                    one.add_done_callback(partial(_forget, fetching, feed.url))
                    tasks.append(one)
            try:
                for task in asyncio.as_completed(tasks):
                    name = await task
                    done += 1
                    if progress:
                        progress(RefreshProgress(done, total, name))
                if isinstance(opened, StoreOnDemand):
                    opened.raise_failure()  # as a Store that failed to open before the refresh
            finally:
                for task in tasks:  # a bug in one feed's task (or Ctrl-C) stops the others cleanly
                    task.cancel()
                for download in fetching.values():  # (a feed's task cancelled before it awaited it)
                    download.cancel()
                await asyncio.gather(*tasks, *fetching.values(), return_exceptions=True)
    finally:
        if run is not None:
            await run.flush_statuses()
        if own:
            await asyncio.to_thread(workers.close)
    assert run is not None  # made, or the block above raised
    if run.opened or not _pages_only(config.settings):
        purged = await asyncio.to_thread(purge, config.settings, await run.stored())
        run.summary.purged = purged.stories if purged else 0
    else:  # nothing but statuses written, where they were
        await asyncio.to_thread(purge_pages, config.settings, run.statuses)
    return run.summary


def _forget(downloads: dict[str, asyncio.Task[FeedResult]], url: str, _feed: asyncio.Task[str]) -> None:
    """A feed's task ended: its download, which it awaited, is nobody's to keep. (One still
    running, its feed's task cancelled first, stays for the refresh to cancel and await.)"""
    download = downloads.get(url)
    if download is not None and download.done():
        del downloads[url]


def refresh_workers(config: Config, feeds: Sequence[FeedConfig] | None = None) -> Workers:
    """The worker pool a refresh of `feeds` (default: every feed) needs, not yet started: for
    a caller that keeps one across refreshes that follow each other closely (a daemon's
    claims of a few feeds at a time), where starting a pool for each would cost more than
    the refresh.

    Extraction needs every core. Feed parsing alone does not: it leaves one core to the event
    loop and the writes, which then keep the downloads going (benchmarks/README.md).
    """
    if any(config.settings.extracts(f) for f in (config.feeds if feeds is None else feeds)):
        return Workers(preload=("newsdesk.refresh", "newsdesk.feedstory", "newsdesk.extract", "numpy"))
    return Workers(max(1, cores() - 1), preload=("newsdesk.workers", "newsdesk.fetch._feeds", "newsdesk.feedstory", "numpy"))


_POOL_IDLE_SECONDS = 30.0


class KeptWorkers:
    """The daemon's worker pool, kept from one refresh to the next while they follow each
    other closely, closed once none has come for `_POOL_IDLE_SECONDS`.

    A daemon sharing PostgreSQL refreshes a few claimed feeds at a time, one refresh each;
    a pool started for each (a fork server, each worker compiling the watchlist) cost more
    than the refresh. Between a daemon's hourly rounds the pool is closed: no memory held.
    """

    def __init__(self) -> None:
        self._workers: Workers | None = None
        self._closing: asyncio.TimerHandle | None = None

    @contextmanager
    def lent(self, config: Config) -> Iterator[Workers]:
        if self._closing is not None:
            self._closing.cancel()
            self._closing = None
        if self._workers is None:
            self._workers = refresh_workers(config)
        try:
            yield self._workers
        finally:
            self._closing = asyncio.get_running_loop().call_later(_POOL_IDLE_SECONDS, self.forget)

    def forget(self, *, wait: bool = False) -> None:
        """Close the pool: in a thread (closing waits for the workers to end) unless `wait`,
        as the daemon does when it stops."""
        if self._closing is not None:
            self._closing.cancel()
            self._closing = None
        workers, self._workers = self._workers, None
        if workers is None:
            return
        if wait:
            workers.close()
        else:
            threading.Thread(target=workers.close, name="newsdesk-pool-close", daemon=True).start()


def purge(settings: Settings, store: Store, *, dry_run: bool = False) -> PurgeReport | None:
    """Remove what [settings] keep_days and max_stories_per_feed let go (None: both are off),
    and the stored pages older than keep_pages_days."""
    if not dry_run:
        purge_pages(settings, store)
    if _pages_only(settings):
        return None
    return store.purge(keep_days=settings.keep_days, max_per_feed=settings.max_stories_per_feed, now=datetime.now(UTC), dry_run=dry_run)


def purge_pages(settings: Settings, store: StatusStore) -> None:
    """Remove the stored pages older than keep_pages_days (their stories stay)."""
    store.purge_pages(keep_days=settings.keep_pages_days, now=datetime.now(UTC))


def _pages_only(settings: Settings) -> bool:
    """Whether a purge removes no story, only old pages: keep_days and max_stories_per_feed are off."""
    return settings.keep_days is None and settings.max_stories_per_feed is None


class StatusStore(Protocol):
    """What a refresh writes when no feed had news: its feeds' statuses, and the purge of old
    pages. A Store, or store.StatusWriter (sqlite3, without SQLAlchemy)."""

    def record_fetches(self, records: Sequence[FetchRecord], /) -> None: ...
    def purge_pages(self, *, keep_days: int, now: datetime) -> int: ...


class StoreOnDemand:
    """A Store a refresh opens when it first needs one: a feed with news (an answer to parse,
    stories to store), or a purge of stories. Until then, and if that never comes, the
    refresh's statuses and the purge of old pages are written through `statuses`.

    `newsdesk refresh` passes one when nothing else needs the Store (no alerts): opening it
    (SQLAlchemy, SQLModel, pydantic; about 0.45 s of CPU) while the downloads run slowed them
    by about a tenth (benchmarks/README.md), and a warm refresh never needs it.
    """

    @staticmethod
    def suits(settings: Settings) -> bool:
        """Whether a refresh at these settings may need no Store: its purge removes old pages
        alone (keep_days and max_stories_per_feed are off; a purge of stories needs the Store,
        which would then open after the downloads instead of during them)."""
        return _pages_only(settings)

    def __init__(self, open: Callable[[], Awaitable[Store]], statuses: StatusStore) -> None:
        self._open = open
        self.statuses = statuses
        self._opening: asyncio.Future[Store] | None = None

    async def opened(self) -> Store:
        """The Store, opened on the first call; every caller waits for the same."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open())
        return await asyncio.shield(self._opening)

    def raise_failure(self) -> None:
        """The error that kept the Store from opening, if it failed to."""
        if self._opening is not None and self._opening.done() and not self._opening.cancelled():
            error = self._opening.exception()
            if error is not None:
                raise error


def _answers_with_a_body(feed: FeedStatus) -> bool:
    """Whether the feed's next answer is sure to be a body to parse, not a 304: it was never
    answered, or its server sends no validators."""
    return feed.etag is None and feed.last_modified is None


def _request(feed: FeedStatus) -> FeedRequest:
    """The conditional GET of a stored feed: with the validators of its last answer."""
    return FeedRequest(url=feed.fetch_url, etag=feed.etag, last_modified=feed.last_modified)


def _waits(feed: FeedStatus, now: datetime, force: bool) -> bool:
    """Whether a feed sits this refresh out: gone (410), or backing off after failures
    (unless the refresh is forced)."""
    return feed.gone or (feed.next_try is not None and feed.next_try > now and not force)


@dataclass(slots=True)
class ReextractSummary:
    """What `newsdesk reextract` did, for its one line of output."""

    stories: int = 0
    changed: int = 0
    """Stories whose text is not what it was."""
    from_feed: int = 0
    """Stories whose text is now the feed's (the page yields none, or too little)."""


def reextract(
    config: Config,
    store: Store,
    *,
    feed: str | None = None,
    since: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReextractSummary:
    """Extract and match stored stories again from their stored pages, downloading nothing.

    The feed's evidence is what was stored of it: the summary, and the text itself for a
    story whose text came from the feed. Blocking: run it in a thread or worker.
    """
    matcher = Matcher(config.watchlist)
    summary = ReextractSummary()
    for page in store.stored_pages(feed=feed, since=since):
        # Only the text is re-read: the story keeps its title, author and date.
        from newsdesk.extract import read_page

        reading = read_page(page.html, page.url, page.summary, headline=page.title, metadata=False)
        own = page.text if page.text_source == "feed" and page.text != page.summary else ""
        entry = Entry(key="", title=page.title, link=page.url, summary=page.summary, content=own)
        written = _tagged(entry, reading, datetime.now(UTC), matcher)
        story = written.story
        store.set_text(page.story_id, story.text, story.text_source, story.text_note, list(written.hits))
        summary.stories += 1
        summary.changed += story.text != page.text
        summary.from_feed += story.text_source == "feed"
        if progress:
            progress(summary.stories)
    return summary


def retag_if_needed(config: Config, store: Store, *, progress: Callable[[int, int], None] | None = None) -> int | None:
    """Re-tag every stored story when the watchlist changed since they were tagged.

    Returns how many stories were re-tagged, or None when the watchlist is unchanged.
    Blocking: run it in a thread or worker.
    """
    fingerprint = watchlist_fingerprint(config.watchlist)
    if store.watchlist_fingerprint() == fingerprint:
        return None
    matcher: Matcher | None = None

    def tag(title: str, text: str, summary: str) -> list[EntityHit]:
        nonlocal matcher
        if matcher is None:  # compiled for the first story: a new database has none
            matcher = Matcher(config.watchlist)
        return summarize(matcher.find(title, text, summary))

    return store.retag(tag, fingerprint, progress=progress)


class _Run:
    """The state one refresh shares between its feed tasks."""

    def __init__(
        self, config: Config, store: Store | StoreOnDemand, matcher: Matcher | None, workers: Workers, force: bool = False
    ) -> None:
        self.config = config
        self.force = force
        self._demand = store if isinstance(store, StoreOnDemand) else None
        self._store = None if isinstance(store, StoreOnDemand) else store
        self._writer = None if self._store is None else _Writer(self._store)
        self._matcher = matcher
        self.workers = workers
        self.summary = RefreshSummary()
        # Pages downloaded and not yet extracted: enough to keep every worker busy while the
        # next pages download, few enough that memory stays flat however many stories are new.
        self.pages_in_flight = asyncio.Semaphore(max(config.settings.concurrency, workers.workers * 4))
        # Feeds whose new stories are being read at once. Without a bound, every feed of a
        # cold refresh would wait for its last page near the end, holding all its stories in
        # memory and its validators unsaved; with one, feeds finish (and are written) in turn.
        self.feeds_in_flight = asyncio.Semaphore(config.settings.concurrency)
        self.pages: dict[str, asyncio.Future[PageReading]] = {}
        # Pages whose article is stored: a story linking one again reads it from the database,
        # so a refresh of thousands of stories does not hold every article's text to the end.
        self.stored_pages: dict[str, str] = {}
        """Normalised link -> the story URL it is stored under."""
        self._statuses: list[FetchRecord] = []
        self.fetcher: Fetcher

    @property
    def opened(self) -> bool:
        """Whether the refresh has its Store (given, or opened on demand)."""
        return self._store is not None

    @property
    def store(self) -> Store:
        """The Store, once `stored()` (or the caller) opened it."""
        assert self._store is not None, "the store is opened on demand: await stored() first"
        return self._store

    @property
    def writer(self) -> _Writer:
        assert self._writer is not None, "the store is opened on demand: await stored() first"
        return self._writer

    @property
    def statuses(self) -> StatusStore:
        """Where the feeds' statuses go: the Store, or, while it is not open, the writer
        StoreOnDemand was given."""
        if self._store is None:
            assert self._demand is not None  # given one or the other
            return self._demand.statuses
        return self._store

    async def stored(self) -> Store:
        """The Store, opened now if it is opened on demand."""
        if self._store is None:
            assert self._demand is not None  # given one or the other
            store = await self._demand.opened()
            if self._store is None:  # (another feed's task may have got there first)
                self._store, self._writer = store, _Writer(store)
        return self._store

    async def feed(self, feed: FeedConfig, stored: FeedStatus, fetching: Awaitable[FeedResult] | None = None) -> str:
        """One feed, start to end; whatever goes wrong is recorded on it, never raised.
        `fetching`: its download, started before the refresh could store anything."""
        try:
            await self._feed(feed, stored, fetching)
        except StoreError as exc:  # the database, not the feed: one line, no traceback
            self.summary.failed += 1
            self.summary.problems.append(FeedProblem(feed.name, feed.url, str(exc)))
            if isinstance(exc, DiskFull):
                self.summary.disk_full = str(exc)
        except Exception as exc:  # a bug or a surprise in one feed must not stop the others
            log.exception("refreshing %s failed", feed.url)
            self.summary.failed += 1
            self.summary.problems.append(FeedProblem(feed.name, feed.url, f"newsdesk could not process this feed: {exc!r}"))
        return feed.name

    async def _feed(self, feed: FeedConfig, stored: FeedStatus, fetching: Awaitable[FeedResult] | None) -> None:
        if fetching is None:
            if _waits(stored, datetime.now(UTC), self.force):
                self.summary.waiting += 1
                return
            fetching = self.fetcher.fetch_feed(_request(stored))
        result = await fetching
        checked_at = datetime.now(UTC)
        if result.moved_to or stored.moved_to:
            where = result.moved_to or stored.moved_to
            self.summary.problems.append(
                FeedProblem(feed.name, feed.url, f"moved permanently to {where}; newsdesk fetches it there now: put that URL in feeds.toml")
            )
        failures, next_try = _back_off(stored.failures, result, self.config.settings.interval(feed), checked_at)
        if result.outcome is FeedOutcome.OK:
            await self.stored()  # news: its stories, or at least its new validators, go through the Store
            self.summary.ok += 1
            if result.entries:
                # New stories may follow: numpy (for their sketches) loads while they are read.
                # A refresh that every feed answers 304 never imports it.
                self.store.prepare_clustering()
            # Validators move with the stories, in their transaction (see the module's docstring).
            record = FetchRecord(stored.id, result, checked_at, 0, failures, next_try)
            await self._store_new(feed, record, checked_at, stored.stories > 0)
            if result.error:
                self.summary.problems.append(FeedProblem(feed.name, feed.url, result.error))
            return
        if result.outcome is FeedOutcome.NOT_MODIFIED:
            self.summary.not_modified += 1
        else:
            self.summary.failed += 1
            message = result.error or str(result.outcome)
            self.summary.problems.append(FeedProblem(feed.name, feed.url, message))
        self._statuses.append(FetchRecord(stored.id, result, checked_at, 0, failures, next_try))

    async def flush_statuses(self) -> None:
        """Every 304 and failure of the refresh in one transaction."""
        statuses, self._statuses = self._statuses, []
        if statuses:
            await asyncio.to_thread(self.statuses.record_fetches, statuses)

    async def _store_new(self, feed: FeedConfig, record: FetchRecord, now: datetime, has_stories: bool) -> None:
        entries = record.result.entries
        known: set[str] = set()
        if has_stories:  # a feed's first stories need no look-up
            known = await asyncio.to_thread(
                self.store.known_keys, record.feed_id, [e.key for e in entries], [e.link for e in entries if e.link]
            )
        fresh = [e for e in entries if e.key not in known and (e.link is None or e.link not in known)]
        stories: list[StoryWrite] = []
        if fresh and not self.config.settings.extracts(feed):
            # Composing and matching a feed's stories is CPU work (a full-text feed's can be
            # seconds): off the event loop, so the downloads and their timeouts never wait.
            stories = await asyncio.to_thread(_feed_stories, fresh, now, self.config.watchlist)
        elif fresh:
            async with self.feeds_in_flight:
                # A page another feed's story already has is not downloaded again.
                links = [e.link for e in fresh if e.link and is_web_url(e.link)]
                for link, article in (await asyncio.to_thread(self.store.extracted_pages, links)).items():
                    self._remember(normalise_link(link), PageReading(article))
                stories = await asyncio.gather(*(self._story(e, now) for e in fresh))
        ids = await self.writer.write(FeedWrite(record.feed_id, tuple(stories), record))
        for written in stories:
            if written.story.text_source == "page" and written.story.url:
                key = normalise_link(written.story.url)
                self.pages.pop(key, None)
                self.stored_pages[key] = written.story.url
        added = [written.hits for written, story_id in zip(stories, ids, strict=True) if story_id is not None]
        self.summary.new_stories += len(added)
        self.summary.new_matches += sum(len(hits) for hits in added)

    async def _story(self, entry: Entry, now: datetime) -> StoryWrite:
        """The story an entry makes with its page; whatever the page does, a story (the
        feed's text, with the reason) and never an exception but cancellation."""
        if not is_web_url(entry.link):
            return self._local(entry, PageReading(None, "the entry has no web link to download"), now)
        assert entry.link is not None  # is_web_url says so
        key = normalise_link(entry.link)
        if key in self.stored_pages:
            url = self.stored_pages[key]
            article = (await asyncio.to_thread(self.store.extracted_pages, [url])).get(url)
            if article is not None:
                return self._local(entry, PageReading(article), now)
        known = self.pages.get(key)
        if known is not None:  # a page linked twice in one refresh is downloaded once
            return self._local(entry, await asyncio.shield(known), now)
        pending: asyncio.Future[PageReading] = asyncio.get_running_loop().create_future()
        self.pages[key] = pending
        try:
            done = await self._page_story(entry, entry.link, now)
        except asyncio.CancelledError:
            pending.set_result(PageReading(None, "the refresh stopped before the page was read"))
            raise
        except Exception as exc:  # a bug or a surprise in one page costs that page alone
            log.exception("reading the page of %s failed", entry.link)
            reading = PageReading(None, f"newsdesk could not read the article page ({type(exc).__name__})")
            done = PageStory(reading, self._local(entry, reading, now))
        pending.set_result(done.reading)
        return done.write

    def _local(self, entry: Entry, reading: PageReading, now: datetime) -> StoryWrite:
        if self._matcher is None:  # compiled on first need: a refresh of 304s needs none
            self._matcher = _matcher(self.config.watchlist)
        return _tagged(entry, reading, now, self._matcher)

    def _remember(self, link: str, reading: PageReading) -> None:
        done: asyncio.Future[PageReading] = asyncio.get_running_loop().create_future()
        done.set_result(reading)
        self.pages.setdefault(link, done)

    async def _page_story(self, entry: Entry, link: str, now: datetime) -> PageStory:
        """Download the page here; decode, extract, compose and match it in a worker."""
        async with self.pages_in_flight:
            try:
                page = await self.fetcher.fetch_raw_page(link)
            except FetchError as exc:
                reading = PageReading(None, f"the article page could not be downloaded: {exc.reason}")
                return PageStory(reading, self._local(entry, reading, now))
            try:
                return await self.workers.run_batched(
                    page_story, page, entry, now, self.config.watchlist, self.config.settings.max_page_bytes
                )
            except BrokenProcessPool:
                reading = PageReading(None, "the page could not be extracted (the extraction process stopped)")
                return PageStory(reading, self._local(entry, reading, now))


def _feed_stories(entries: list[Entry], now: datetime, watchlist: Watchlist) -> list[StoryWrite]:
    """The stories of entries whose pages are not read: the feed's text, matched."""
    matcher = _matcher(watchlist)
    return [_tagged(entry, PageReading(None), now, matcher) for entry in entries]


class _Writer:
    """Group commit: feeds whose stories are ready are written together, one transaction
    for whatever is waiting when the previous one ends.

    While a transaction runs, the next feeds queue, so the busier the refresh the larger
    (and fewer) its transactions: their commits, and the full-text index's flushes, stop
    being the bottleneck. A transaction holds at most about `_BATCH_STORIES` stories, so a
    reader (the UI) never waits long. When a batch fails, its feeds are written one by one,
    so one feed's problem is that feed's alone.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[FeedWrite, asyncio.Future[list[int | None]]]] = []
        self._task: asyncio.Task[None] | None = None

    async def write(self, write: FeedWrite) -> list[int | None]:
        done: asyncio.Future[list[int | None]] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="newsdesk-writer")
        return await done

    async def _drain(self) -> None:
        while self._waiting:
            batch: list[tuple[FeedWrite, asyncio.Future[list[int | None]]]] = []
            size = 0
            while self._waiting and (not batch or size + len(self._waiting[0][0].stories) <= _BATCH_STORIES):
                item = self._waiting.pop(0)
                batch.append(item)
                size += len(item[0].stories)
            try:
                results = await asyncio.to_thread(self._store.write_feeds, [w for w, _ in batch])
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0][1], exc)
                    continue
                for write, done in batch:
                    try:
                        _settle(done, (await asyncio.to_thread(self._store.write_feeds, [write]))[0])
                    except Exception as one:
                        _settle(done, one)
                continue
            for (_, done), ids in zip(batch, results, strict=True):
                _settle(done, ids)


_BATCH_STORIES = 500


def _settle(future: asyncio.Future[_T], outcome: _T | BaseException) -> None:
    if future.done():  # its feed was cancelled (Ctrl-C): what was written stays written
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def page_story(
    page: RawPage, entry: Entry, now: datetime, watchlist: Watchlist, limit: int
) -> PageStory:
    """Everything CPU-bound about one new story, in an extraction worker.

    Whatever the page holds, the entry gets a story: a page that cannot be decoded or read
    leaves the feed's text with the reason. The matcher is compiled once per worker and
    watchlist, then reused for every story.
    """
    packed = None
    try:
        html = slim_page(decode_page(page, limit))
    except FetchError as exc:
        reading = PageReading(None, f"the article page could not be downloaded: {exc.reason}")
    except Exception as exc:  # decoding and slimming are not expected to raise: say so, keep the story
        log.exception("decoding the page %s failed", page.url)
        reading = PageReading(None, f"the article page could not be read ({type(exc).__name__})")
    else:
        if not html.strip():
            reading = PageReading(None, "the article page was empty")
        else:
            from newsdesk.extract import read_page  # preloaded in extraction workers

            # The page's title, author and date are read only when the feed lacks one of them.
            reading = read_page(
                html, page.url, entry.summary, headline=entry.title,
                metadata=not (entry.title and entry.author and entry.published),
            )
            packed = pack_page(reading.page or html, slimmed=True)  # kept for `newsdesk reextract`
            reading = replace(reading, page=None)  # on to the refresh packed, once
    return PageStory(reading, _tagged(entry, reading, now, _matcher(watchlist), packed, sketch=True))


def _tagged(
    entry: Entry, reading: PageReading, now: datetime, matcher: Matcher, page: bytes | None = None, *, sketch: bool = False
) -> StoryWrite:
    """The story an entry makes with its page's reading, with the watchlist entries it names,
    and its sketch and packed text when the entry's parse worker made them (the feed's text
    stands) or when `sketch` asks (an extraction worker: then the process that stores it
    need not)."""
    from newsdesk.cluster import Sketch, sort_time  # (a refresh of 304s composes no story: it never loads them)

    story = _compose(entry, reading.article, reading.note, now)
    drawn, packed = None, None
    when = sort_time(story.published, story.fetched_at)
    if story.text_source == "feed" and entry.sketch is not None:
        drawn, packed = entry.sketch.at(when), entry.packed_text
    elif sketch:
        from newsdesk.store import pack_text

        drawn, packed = Sketch.of(story.title, story.text, story.summary, when), pack_text(story.text)
    hits = tuple(summarize(matcher.find(story.title, story.text, story.summary)))
    return StoryWrite(story, hits, page, drawn, packed)


@lru_cache(maxsize=2)
def _matcher(watchlist: Watchlist) -> Matcher:
    return Matcher(watchlist)


_MAX_BACK_OFF = timedelta(days=1)


def _back_off(failures: int, result: FeedResult, interval_minutes: float, now: datetime) -> tuple[int, datetime | None]:
    """Failures in a row, and when to try next: each failure doubles the wait, up to a day.

    A server's Retry-After is obeyed when it asks for longer. A good answer clears both.
    """
    if result.outcome in (FeedOutcome.OK, FeedOutcome.NOT_MODIFIED):
        return 0, None
    failures += 1
    wait = min(timedelta(minutes=interval_minutes) * 2 ** (failures - 1), _MAX_BACK_OFF)
    if failures == 1:
        wait = timedelta(0)  # one failure is the normal schedule: the next run tries again
    if result.retry_after is not None:
        wait = max(wait, timedelta(seconds=result.retry_after))
    return failures, (now + wait) if wait else None


def _compose(entry: Entry, article: Article | None, note: str | None, now: datetime) -> NewStory:
    """Choose the story's text from the evidence: the page's, the feed's, or both.

    The page's text is dropped when it is a stub next to the feed's text, or much shorter
    than the feed's own full text (a paywall, a teaser page). When it misses the feed
    summary's opening sentence but holds most of the summary's words (so it is the same
    story), that sentence is put in front: the page lost its lede; unless the page shows
    that sentence apart from the story (its standfirst or subtitle: `Article.standfirst`),
    or the summary only repeats the title (`lede_of`).
    """
    from newsdesk import feedstory

    feed_text = feedstory.feed_text(entry)
    if article is not None and len(article.text) < _MIN_PAGE_TEXT and len(feed_text) > len(article.text):
        article, note = None, "the article page held less text than the feed"
    elif article is not None and entry.content and len(article.text) < _SHORTER_THAN_FEED * len(entry.content):
        article, note = None, "the article page held much less text than the feed's own"
    source: TextSource
    if article is not None:
        from newsdesk.extract import has_words, is_boilerplate, lede_of, word_share

        text, source = article.text, "page"
        lede = lede_of(entry.summary, entry.title)
        if (
            not article.standfirst
            and len(lede.split()) >= _MIN_LEDE_WORDS
            and not has_words(text, lede)
            and word_share(entry.summary, text) >= _SAME_STORY_SHARE
            and not is_boilerplate(lede)
        ):
            text, note = f"{lede}\n\n{text}", "the opening sentence is the feed's: the page's text missed it"
    else:
        text, source = feed_text, "feed"
    title = feedstory.story_title(entry, article.title if article else None, text)
    return NewStory(
        key=entry.key,
        title=title,
        url=entry.link,
        guid=entry.guid,
        author=entry.author or (article.author if article else None),
        published=entry.published or (article.published if article else None),
        fetched_at=now,
        summary=entry.summary,
        text=text,
        text_source=source,
        text_note=note,
    )
