"""Article text from a page, with trafilatura.

Options chosen deliberately: metadata on (title, author, date), comments off (they are not
the story), tables on (results, casualty figures), and images on, because trafilatura keeps
an image's alt text only then: many news pages name the people in a story only in the photo
and its caption ("Vladimir Putin and Russian FM Sergei Lavrov"), and what the text keeps
decides what the matcher can find. Image lines come back as Markdown; they are turned into
plain caption lines here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import trafilatura

from newsdesk.types import Article

_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?:<[^>]*>|[^)\s]*)[^)]*\)")
_CAPTION_MARK = "\x00caption:"
_MIN_CAPTION_WORDS = 3
# Fewer words than this is a menu or a teaser, not an article: the feed's text is better.
_MIN_ARTICLE_WORDS = 10


def extract_article(html: str | bytes, url: str | None = None) -> Article | None:
    """The article in a page, or None when the page yields no usable text.

    A plain top-level function of plain values, so it can run in a process pool.
    """
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=True,
            include_formatting=False,
            deduplicate=False,
        )
    except Exception:  # trafilatura raises assorted errors on pathological markup
        return None
    if doc is None or not doc.text:
        return None
    text = _paragraphs(doc.text)
    if doc.title and text.startswith(doc.title.strip() + "\n"):  # the headline is shown apart
        text = text[len(doc.title.strip()) :].lstrip()
    if len(text.split()) < _MIN_ARTICLE_WORDS:
        return None
    return Article(text=text, title=doc.title or None, author=doc.author or None, published=_date(doc.date))


def _paragraphs(raw: str) -> str:
    """One paragraph per block, separated by a blank line; image lines become captions."""
    seen_captions: set[str] = set()
    out: list[str] = []
    raw = _IMAGE.sub(lambda m: "\n" + _CAPTION_MARK + " ".join(m.group("alt").split()) + "\n", raw)
    for line in raw.splitlines():
        line = re.sub(r"\s+", " ", line).strip()
        if not line:
            continue
        if line.startswith(_CAPTION_MARK):
            alt = line[len(_CAPTION_MARK) :].strip()
            if len(alt.split()) < _MIN_CAPTION_WORDS or alt in seen_captions:
                continue
            seen_captions.add(alt)
            line = alt
        out.append(line)
    return "\n\n".join(out)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
