"""Text for `newsdesk match` to test a watchlist on: files, saved pages, URLs, or stdin.

A reader tuning a watchlist wants to point the matcher at what they have to hand, and to see
the same text a refresh would have matched: so HTML goes through the same extraction as a
refresh, a page at a URL through the same fetcher, and a .txt file's first line is the title
as a feed's headline would be. Many pages at once are extracted in a process pool: extraction
is the slow part, and it is pure CPU.
"""

from __future__ import annotations

import asyncio
import gzip
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from newsdesk.config import Settings
from newsdesk.errors import FetchError, SourceError
from newsdesk.extract import read_page
from newsdesk.fetch import Fetcher, is_web_url
from newsdesk.workers import Workers, cores

_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
# Below this many pages the pool costs more to start than it saves.
_POOL_THRESHOLD = 8


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    title: str
    text: str


def read_sources(names: Sequence[str], settings: Settings, stdin: TextIO | None = None) -> Iterator[Source | SourceError]:
    """Each source in the order given, as text to match or as the error that stopped it."""
    results: list[Source | SourceError | None] = [None] * len(names)
    pages: dict[int, tuple[str, str | None]] = {}  # index -> (html, url) still to extract
    urls: dict[int, str] = {}
    for index, name in enumerate(names):
        try:
            if name == "-":
                raw = (stdin or sys.stdin).read()
                if _looks_like_html(raw):
                    pages[index] = (raw, None)
                else:
                    results[index] = _from_text(name, raw)
            elif is_web_url(name):
                urls[index] = name
            elif name.lower().endswith(_HTML_SUFFIXES):
                pages[index] = (_read(name), None)
            else:
                raw = _read(name)
                if _looks_like_html(raw):
                    pages[index] = (raw, None)
                else:
                    results[index] = _from_text(name, raw)
        except SourceError as exc:
            results[index] = exc
    if urls:
        for index, fetched in _fetch(urls, settings).items():
            if isinstance(fetched, SourceError):
                results[index] = fetched
            else:
                pages[index] = (fetched, urls[index])
    for index, source in _extract(pages, names).items():
        results[index] = source
    for result in results:
        assert result is not None
        yield result


def _read(name: str) -> str:
    path = Path(name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(name, "no such file") from None
    except IsADirectoryError:
        raise SourceError(name, "is a directory (give the files in it, e.g. DIR/*.html)") from None
    except OSError as exc:
        raise SourceError(name, exc.strerror or str(exc)) from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(name, f"not a readable gzip file ({exc})") from None
    return data.decode("utf-8", errors="replace")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head


def _from_text(name: str, raw: str) -> Source:
    title, _, text = raw.partition("\n")
    return Source(name=name, title=title.strip(), text=text)


def _fetch(urls: dict[int, str], settings: Settings) -> dict[int, str | SourceError]:
    async def run() -> dict[int, str | SourceError]:
        gate = asyncio.Semaphore(settings.concurrency)
        async with Fetcher(settings) as fetcher:
            async def one(url: str) -> str | SourceError:
                try:
                    async with gate:
                        html = await fetcher.fetch_page(url)
                except FetchError as exc:
                    return SourceError(url, exc.reason)
                return html if html else SourceError(url, "the page is empty")

            found = await asyncio.gather(*(one(u) for u in urls.values()))
        return dict(zip(urls, found, strict=True))

    return asyncio.run(run())


def _extract(pages: dict[int, tuple[str, str | None]], names: Sequence[str]) -> dict[int, Source | SourceError]:
    if not pages:
        return {}
    items = list(pages.items())
    htmls = [html for _, (html, _) in items]
    page_urls = [url for _, (_, url) in items]
    no_lede = [""] * len(items)
    if len(items) >= _POOL_THRESHOLD and cores() > 1:
        with Workers(preload=("newsdesk.extract",)) as workers:
            readings = workers.map(read_page, htmls, page_urls, no_lede)
    else:
        readings = [read_page(html, url, "") for html, url in zip(htmls, page_urls, strict=True)]
    out: dict[int, Source | SourceError] = {}
    for (index, _), reading in zip(items, readings, strict=True):
        name = names[index]
        if reading.article is None:
            out[index] = SourceError(name, reading.note or "no article text was found on the page")
        else:
            out[index] = Source(name=name, title=reading.article.title or "", text=reading.article.text)
    return out
