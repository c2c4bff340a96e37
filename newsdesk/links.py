"""A story's links, as `u` numbers them: the story's own link, then the links of its article.

The article's links are the anchors of the stored page that sit in the story's own text: a
page holds a hundred links (menus, teasers, the site's footer) and a reader asking for "the
story's links" means the handful the article cites. The extracted text already decided
which part of the page is the story, so an anchor counts when the paragraph (or list item,
quote, caption) holding it is part of that text; a block of a few words is too short to
tell a menu entry from a sentence, and does not count.
Web addresses written out in the text or the summary come after (a feed's text has nothing
else; a story without a stored page neither).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urldefrag, urljoin

from newsdesk.types import StoryDetail

# More than anyone picks from; a page can hold thousands of anchors.
MAX_LINKS = 50
_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_BLOCKS = frozenset({"p", "li", "blockquote", "figcaption", "dd", "td", "h2", "h3", "h4", "h5", "h6"})
_NOT_ARTICLE = ("nav", "footer", "aside", "header", "form")
# A block of fewer words may be a menu entry ("World", "Sign in") whatever text holds it.
_MIN_BLOCK_WORDS = 5


def story_links(story: StoryDetail, page: str | None = None) -> tuple[str, ...]:
    """The story's link, the links its article cites on the stored `page` (its HTML, if
    kept), then every web address its text and summary write out; each once, http(s) only."""
    found = [story.url] if story.url else []
    if page:
        found += article_links(page, story.url, story.text)
    for value in (story.text, story.summary):
        found += [m.group().rstrip(".,;:!?") for m in _URL.finditer(value)]
    return tuple(dict.fromkeys(u for u in found if u))[:MAX_LINKS]


def article_links(html: str, page_url: str | None, text: str) -> list[str]:
    """The anchors of `html` inside the part of the page that `text` (the story's extracted
    text) comes from, as absolute http(s) addresses, in page order."""
    import lxml.html  # here: the UI and the reading commands start without the HTML parser
    from lxml import etree

    body = _squash(text)
    if not body:
        return []
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, etree.ParserError):  # nothing lxml makes a document of
        return []
    for box in list(root.iter(*_NOT_ARTICLE)):
        if box.getparent() is not None:
            box.drop_tree()
    base = page_url or ""
    own = base.partition("#")[0]
    found: list[str] = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        block = _block_of(anchor)
        if not href or block is None:
            continue
        said = _squash(block.text_content())
        if not said or said not in body:
            continue
        if len(said.split()) < _MIN_BLOCK_WORDS:
            continue
        try:
            url, _ = urldefrag(urljoin(base, href))
        except ValueError:  # an address urllib cannot read ("http://[::1")
            continue
        if url.lower().startswith(("http://", "https://")) and url != own:
            found.append(url)
    return found


def _block_of(element: Any) -> Any:
    for parent in element.iterancestors():
        if parent.tag in _BLOCKS:
            return parent
    return None


def _squash(value: str) -> str:
    return " ".join(value.split()).casefold()
