"""One refresh: fetch the feeds, extract each new entry's page, match it, store it.

The stages run as one asyncio pipeline so that downloads overlap: every HTTP request waits on
one shared semaphore (settings.concurrency), extraction and database writes leave the event
loop for threads. A feed's new validators (ETag, Last-Modified) are stored only after all its
new stories are, so a refresh killed half-way is completed by the next one instead of being
answered "304 Not Modified".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from newsdesk.config import Config, FeedConfig
from newsdesk.errors import FetchError
from newsdesk.extract import extract_article, first_sentence, has_words, is_boilerplate, word_share
from newsdesk.fetch import FeedRequest, Fetcher
from newsdesk.match import Matcher, summarize, watchlist_fingerprint
from newsdesk.store import Store
from newsdesk.types import Article, Entry, FeedOutcome, FeedResult, FeedStatus, NewStory

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)

# Extracted text shorter than this, next to a longer feed text, is a teaser or a paywall.
_MIN_PAGE_TEXT = 200
# Page text shorter than this share of the feed's own full text is a teaser or a paywall.
_SHORTER_THAN_FEED = 0.5
# A feed summary's opening this short ("Video", "Updated") is no evidence of a lost lede.
_MIN_LEDE_WORDS = 4
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
    problems: list[FeedProblem] = field(default_factory=list)


async def refresh(
    config: Config,
    store: Store,
    *,
    feeds: Sequence[FeedConfig] | None = None,
    progress: Callable[[RefreshProgress], None] | None = None,
    matcher: Matcher | None = None,
    force: bool = False,
) -> RefreshSummary:
    """Refresh `feeds` (default: every feed of the config) once; one failing feed stops nothing.

    Feeds backing off after failures wait their turn unless `force`; gone feeds always wait.
    """
    chosen = list(config.feeds if feeds is None else feeds)
    await asyncio.to_thread(store.sync_feeds, config.feeds)
    stored = {f.url: f for f in await asyncio.to_thread(store.feeds)}
    run = _Run(config, store, matcher or Matcher(config.watchlist), force)
    total = len(chosen)
    done = 0
    if progress:
        progress(RefreshProgress(0, total))
    async def one(feed: FeedConfig) -> None:
        nonlocal done
        await run.feed(feed, stored[feed.url])
        done += 1
        if progress:
            progress(RefreshProgress(done, total, feed.name))

    # A task group: when the refresh is cancelled (Ctrl-C, quitting the UI) every feed task
    # is cancelled and awaited before the HTTP client closes under them.
    async with Fetcher(config.settings) as fetcher, asyncio.TaskGroup() as group:
        run.fetcher = fetcher
        for feed in chosen:
            if feed.url in stored:
                group.create_task(one(feed), name=feed.url)
    return run.summary


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
        article, note = read_page(page.html, page.url, page.summary)
        own = page.text if page.text_source == "feed" and page.text != page.summary else ""
        entry = Entry(key="", title=page.title, link=page.url, summary=page.summary, content=own)
        story = _compose(entry, article, note, datetime.now(UTC))
        hits = summarize(matcher.find(story.title, story.text, story.summary))
        store.set_text(page.story_id, story.text, story.text_source, story.text_note, hits)
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
    matcher = Matcher(config.watchlist)
    return store.retag(
        lambda title, summary, text: summarize(matcher.find(title, text, summary)),
        fingerprint,
        progress=progress,
    )


class _Run:
    """The state one refresh shares between its feed tasks."""

    def __init__(self, config: Config, store: Store, matcher: Matcher, force: bool = False) -> None:
        self.config = config
        self.force = force
        self.store = store
        self.matcher = matcher
        self.summary = RefreshSummary()
        self.slots = asyncio.Semaphore(config.settings.concurrency)
        self.fetcher: Fetcher

    async def feed(self, feed: FeedConfig, stored: FeedStatus) -> None:
        """One feed, start to end; whatever goes wrong is recorded on it, never raised."""
        try:
            await self._feed(feed, stored)
        except Exception as exc:  # a bug or a surprise in one feed must not stop the others
            log.exception("refreshing %s failed", feed.url)
            self.summary.failed += 1
            self.summary.problems.append(FeedProblem(feed.name, feed.url, f"newsdesk could not process this feed: {exc!r}"))

    async def _feed(self, feed: FeedConfig, stored: FeedStatus) -> None:
        backing_off = stored.next_try is not None and stored.next_try > datetime.now(UTC) and not self.force
        if stored.gone or backing_off:
            self.summary.waiting += 1
            return
        async with self.slots:
            result = await self.fetcher.fetch_feed(
                FeedRequest(url=stored.fetch_url, etag=stored.etag, last_modified=stored.last_modified)
            )
        checked_at = datetime.now(UTC)
        if result.moved_to or stored.moved_to:
            where = result.moved_to or stored.moved_to
            self.summary.problems.append(
                FeedProblem(feed.name, feed.url, f"moved permanently to {where}; newsdesk fetches it there now: put that URL in feeds.toml")
            )
        new = 0
        if result.outcome is FeedOutcome.OK:
            self.summary.ok += 1
            new = await self._store_new(feed, stored.id, result.entries, checked_at)
            if result.error:
                self.summary.problems.append(FeedProblem(feed.name, feed.url, result.error))
        elif result.outcome is FeedOutcome.NOT_MODIFIED:
            self.summary.not_modified += 1
        else:
            self.summary.failed += 1
            message = result.error or str(result.outcome)
            self.summary.problems.append(FeedProblem(feed.name, feed.url, message))
        failures, next_try = _back_off(stored.failures, result, feed.refresh_minutes or self.config.settings.refresh_minutes, checked_at)
        await asyncio.to_thread(self.store.record_fetch, stored.id, result, checked_at, new, failures=failures, next_try=next_try)

    async def _store_new(self, feed: FeedConfig, feed_id: int, entries: list[Entry], now: datetime) -> int:
        known = await asyncio.to_thread(
            self.store.known_keys, feed_id, [e.key for e in entries], [e.link for e in entries if e.link]
        )
        fresh = [e for e in entries if e.key not in known and (e.link is None or e.link not in known)]
        extract = self.config.settings.extract if feed.extract is None else feed.extract
        stored = await asyncio.gather(*(self._story(feed_id, e, now, extract) for e in fresh))
        return sum(stored)

    async def _story(self, feed_id: int, entry: Entry, now: datetime, extract: bool) -> int:
        page, article, note = (await self._article(entry)) if extract else (None, None, None)
        story = _compose(entry, article, note, now)
        hits = summarize(self.matcher.find(story.title, story.text, story.summary))
        story_id = await asyncio.to_thread(self.store.add_story, feed_id, story, hits, page)
        if story_id is None:
            return 0
        self.summary.new_stories += 1
        self.summary.new_matches += len(hits)
        return 1

    async def _article(self, entry: Entry) -> tuple[str | None, Article | None, str | None]:
        """The page's HTML (kept for re-extraction), its article, or why there is none."""
        link = entry.link
        if not link or urlsplit(link).scheme not in ("http", "https"):
            return None, None, "the entry has no web link to download"
        try:
            async with self.slots:
                html = await self.fetcher.fetch_page(link)
        except FetchError as exc:
            return None, None, f"the article page could not be downloaded: {exc.reason}"
        if not html:
            return None, None, "the article page was empty"
        article, note = await asyncio.to_thread(read_page, html, link, entry.summary)
        return html, article, note


def read_page(html: str, url: str | None, summary: str) -> tuple[Article | None, str | None]:
    """Extract a page's article with the feed's summary as evidence; or why there is none."""
    try:
        article = extract_article(html, url, summary or None)
    except Exception as exc:  # a page that breaks the extractor must not stop the refresh
        log.warning("extracting %s failed: %r", url, exc)
        return None, f"the article page could not be read ({type(exc).__name__})"
    if article is None or not article.text.strip():
        return None, "no article text was found on the page"
    return article, None


_TITLE_FROM_TEXT = 80


def _title_from(text: str) -> str:
    """A title for an entry that has none: the start of its text, cut at a word."""
    words = " ".join(text.split())
    if len(words) <= _TITLE_FROM_TEXT:
        return words
    return words[: _TITLE_FROM_TEXT].rsplit(" ", 1)[0] + "…"


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
    story, not an editor's standfirst written for the feed), that sentence is put in front:
    the page lost its lede.
    """
    feed_text = entry.content or entry.summary
    if article is not None and len(article.text) < _MIN_PAGE_TEXT and len(feed_text) > len(article.text):
        article, note = None, "the article page held less text than the feed"
    elif article is not None and entry.content and len(article.text) < _SHORTER_THAN_FEED * len(entry.content):
        article, note = None, "the article page held much less text than the feed's own"
    if article is not None:
        text, source = article.text, "page"
        lede = first_sentence(entry.summary)
        if (
            len(lede.split()) >= _MIN_LEDE_WORDS
            and not has_words(text, lede)
            and word_share(entry.summary, text) >= _SAME_STORY_SHARE
            and not is_boilerplate(lede)
        ):
            text, note = f"{lede}\n\n{text}", "the opening sentence is the feed's: the page's text missed it"
    else:
        text, source = feed_text, "feed"
    title = entry.title or (article.title if article else None) or _title_from(text) or "(untitled)"
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
        text_source=source,  # type: ignore[arg-type]
        text_note=note,
    )
