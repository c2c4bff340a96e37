"""Article text from a page: one trafilatura reading for precision, completed from the page's tree.

Why precision, and what completes it. Measured on the article-extraction benchmark pages
(benchmarks/extract_quality.py), trafilatura's `favor_precision` drops most of what slips
into a default extraction (related links, promo lines, photo credits) but now and then a
paragraph of the story too, or the lede. The page is parsed once; the precise reading (the
body) gets that tree, and so does one pass over the tree's blocks (paragraphs, headings,
list items, figure captions) from which newsdesk takes the rest: paragraphs the precise
reading skipped *between* two it kept, in the story's own boxes, are put back (a link
there is a promo unless its text is its own web address: a source the story cites), and so
are whole sentences right after its end, and the first sentences of a story written as bare
text in one box (paragraphs parted by line breaks), which no block holds. Before any
reading, empty elements with text after them (a blog's `<span id="more-1">` anchor, spacers
in a heading) are unwrapped: the precise reading deletes them with that text. When the precise reading has no text, or misses the
feed's lede while the page has it, the page is read a second time in trafilatura's default
balance, and that reading is the body when it has the lede; so it is when the precise
reading holds nothing but furniture (a copyright line and a link). Everything besides the
one reading costs little next to it: a refresh is bounded by extraction CPU, and every
reading more is paid on every page of every refresh.

The feed's summary is evidence, never text of its own: a summary that repeats the title is
none (`lede_of`), and its opening sentence is put in front of the text only when the page
shows it as part of the story; a standfirst or subtitle the page shows apart, or a summary
written for the feed alone, stays out (`Article.standfirst`).

Options chosen deliberately: metadata on (title, author, date), comments off (they are not
the story), tables on (results, prices, casualty figures). Many news pages name the people
in a story only in the photo caption ("Vladimir Putin and Russian FM Sergei Lavrov"), and
what the text keeps decides what the matcher can find: the alt texts of the pictures in the
story's part of the page (not those that are links: teasers, logos) and its figure captions
are candidates, and one is kept, as a plain line, only when it names someone or something
the text does not (at most three per story): the other captions repeat the text or describe
a picture, and every one of them costs precision.

A page that cuts its story into sibling boxes of one class around its ads (trafilatura
keeps the first box only) gets the other boxes' paragraphs added, when they hold prose.
Lines that slip through and are never part of a story ("Share this article", "Read more",
cookie notices, newsletter and social media prompts) are removed last.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from newsdesk.types import Article, PageReading

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
# Photo credits name the photographer, not anyone in the story.
_CREDIT = re.compile(
    r"\((?:[^()]*\b(?:photo|credit|image|getty|ap|reuters|afp|file)\b[^()]*)\)"
    r"|\b(?:photos?|credits?|images?|source)\s*:.*$|©.*$|\bvia\s+\w+.*$",
    re.IGNORECASE,
)
# A fast reading shorter than this (in characters: some languages do not space their words)
# is no article, and the page is read again with the fallback extractors.
_SHORT_READING = 500
_MIN_CAPTION_WORDS = 3
_MAX_CAPTIONS = 3
# Fewer words than this is a menu or a teaser, not an article: the feed's text is better.
_MIN_ARTICLE_WORDS = 10
# Lines no story is made of; matched against a whole short line, case-insensitively.
_BOILERPLATE = re.compile(
    r"""^(?:
        (?:share|tweet|e-?mail|print|pin|save|copy\s+link)(?:\s+(?:this|on|via|to|the|by|for|with\s+a\s+friend))*
        (?:\s+(?:article|story|page|post|link|url|facebook|twitter|x|whatsapp|linkedin|e-?mail|pinterest|reddit|messenger|telegram|later))*
      | (?:read|see|show|load|view)\s+(?:more|less|all|also|full\s+(?:story|article|coverage))
        (?:\s*[:»›>→|…-].{0,120}|\s+(?:here|now|stories|articles|news|comments))?
      | the\s+post\s+.{1,200}\s+appeared\s+first\s+on\s+.{1,100}
      | (?:related|recommended|more\s+from|also\s+read|read\s+also|most\s+read|most\s+popular|trending|advertisement|sponsored
         |explore\s+further)\b.{0,120}
      | (?:sign\s+up|subscribe|follow\s+us|join\s+us|download\s+(?:our|the)\s+app|get\s+our\s+newsletter)\b.{0,120}
      | .{0,80}\b(?:click(?:ing)?\s+here|tap\s+here)\b.{0,40}
      | .{0,120}\bcookies?\b.{0,120}\b(?:accept|consent|agree|settings|policy)\b.{0,60}
      | (?:twitter|facebook|instagram|linkedin)\.com/\S*
      | [-_=*~•·|]{3,}
    )[.!:…]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_BOILERPLATE_MAX_CHARS = 200
# Another box of a split article adds its paragraphs when it holds this much prose.
_PART_TAGS = {"p", "h2", "h3", "h4", "blockquote"}
_MIN_PART_PARAGRAPHS = 2
_MIN_PART_WORDS = 12
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)]*$")
_MIN_TAIL_WORDS = 5
# Paragraphs the precise reading skipped are put back from a gap of at most this many blocks:
# a longer one is a box of links or teasers between the headline and the story.
_MAX_GAP = 4
# Nor is a paragraph put back that is mostly a link (a promo for another story), or markup.
_MAX_LINK_SHARE = 0.5
_CODE_TEXT = re.compile(r"[<>{}]|&(?:amp|lt|gt|nbsp);")


@dataclass(frozen=True, slots=True)
class _Caption:
    before: int
    """The position of its image or caption among the page's blocks."""
    text: str


def extract_article(
    html: str | bytes,
    url: str | None = None,
    lede: str | None = None,
    *,
    headline: str | None = None,
    metadata: bool = True,
) -> Article | None:
    """The article in a page, or None when the page yields no usable text.

    `lede` is the feed's own summary of the entry, when there is one: evidence of where the
    story starts. `metadata=False` skips reading the page's title, author and date (a good
    part of a reading's cost) when the feed already gave all three; `headline`, the
    feed's title, then stands in for the page's in telling the headline from the text.
    A plain top-level function of plain values, so it can run in a process pool.
    """
    return _extract(html, url, lede, headline=headline, metadata=metadata, keep=False).article


@dataclass(frozen=True, slots=True)
class _Extraction:
    article: Article | None
    page: str | None
    """The page as `reextract` needs it (see `_kept_page`), when asked for and the page parsed."""


def _extract(
    html: str | bytes, url: str | None, lede: str | None, *, headline: str | None, metadata: bool, keep: bool
) -> _Extraction:
    tree = _parse(html)
    if tree is None:
        return _Extraction(None, None)
    # Read before the furniture goes: a byline may sit in a footer.
    about = _metadata(tree, url) if metadata else None
    headlines = _headlines(tree, headline)
    kept = _kept_page(tree) if keep else None
    _drop_furniture(tree)
    _free_tails(tree)
    return _Extraction(_article(tree, url, lede, headline, headlines, about), kept)


def _article(
    tree: Any, url: str | None, lede: str | None, headline: str | None, headlines: set[str], about: Any
) -> Article | None:
    """The article of a page's tree without its furniture."""
    page = _Page(tree)
    reading = _read(tree, url, precision=True, fast=True)
    if reading is None or len(reading.text or "") < _SHORT_READING:
        # Too little for an article: the fallback extractors, which the fast reading skips,
        # may find the story elsewhere in the page (they do on pages whose text trafilatura's
        # own rules miss). Nearly every page is read once, fast.
        reading = _read(tree, url, precision=True, fast=False) or reading
    body = _lines(reading.text) if reading is not None and reading.text else []
    if _furniture_only(body):  # a copyright line and a link: the page gave no article this way
        body = []
    opening = lede_of(lede or "", headline, *headlines)
    apart = page.standfirst(opening) if body and opening else None
    if apart is not None:  # the page's standfirst: no evidence of a lost opening, and no text
        body = [line for line in body if _line_words(line) != apart.words]
        opening = ""
    standfirst = apart is not None
    if not body or (opening and not _contains(body, opening) and page.has(opening)):
        # The precise reading has nothing, or lost the story's start: the default one may not.
        evidence = _read(tree, url, precision=False, fast=False)
        lines = _lines(evidence.text) if evidence is not None and evidence.text else []
        if _furniture_only(lines):
            lines = []
        if not body or _contains(lines, opening):
            body = lines
        reading = reading or evidence
    else:
        body = _fill_gaps(body, page)
    if reading is None:
        return None
    body = _add_parts(body, _other_parts(page, body))
    if opening and not standfirst and not _contains(body, opening) and not page.in_story(opening, body):
        standfirst = True  # the feed's sentence is nowhere in the story: a summary written for the feed
    body = [line for line in body if not is_boilerplate(line)]
    while body and _words(body[0]) in headlines:  # the headline is shown apart
        body = body[1:]
    if sum(len(line.split()) for line in body) < _MIN_ARTICLE_WORDS:
        return None
    text = "\n\n".join(_without_closing_calls(_place_captions(body, page, _named_captions(page.captions(body), body))))
    if about is None:
        return Article(text=text, standfirst=standfirst)
    return Article(
        text=text, title=(about.title or "").strip() or None, author=about.author or None, published=_date(about.date),
        standfirst=standfirst,
    )


def read_page(
    html: str, url: str | None, summary: str, *, headline: str | None = None, metadata: bool = True
) -> PageReading:
    """Extract a page's article with the feed's summary as evidence; or say why there is none."""
    try:
        found = _extract(html, url, summary or None, headline=headline, metadata=metadata, keep=True)
    except Exception as exc:  # a page that breaks the extractor must not stop a refresh, or `match`
        log.warning("extracting %s failed: %r", url, exc)
        return PageReading(None, f"the article page could not be read ({type(exc).__name__})")
    if found.article is None or not found.article.text.strip():
        return PageReading(None, "no article text was found on the page", page=found.page)
    return PageReading(found.article, page=found.page)


def _parse(html: str | bytes) -> Any:
    """The page's tree, parsed once, or None when it is no HTML.

    Every reading gets this tree: trafilatura copies a tree it is handed (a copy is far
    cheaper than parsing the page again) and never changes it. A page newsdesk downloaded is
    text already: lxml parses it with a parser that makes every element an HtmlElement
    without asking Python which class each one is (lxml.html's default parser asks every
    time an element is touched from Python, and the readings touch many). Bytes, and
    anything that parser makes no document of, go to `trafilatura.load_html`, which decodes
    and repairs what it can and says None for what is no HTML.
    """
    if isinstance(html, str):
        try:
            tree = _fast_tree(html)
        except (ValueError, etree.ParserError):
            tree = None
        if tree is not None and len(tree) >= 2:  # a <head> and a <body>: a document
            return tree
    try:
        return trafilatura.load_html(html)
    except Exception:  # lxml refuses some undecodable documents
        return None


def _fast_tree(text: str) -> Any:
    # Characters XML forbids (NUL, most C0 controls): libxml2 stops reading at some of them.
    text = _FORBIDDEN.sub("", text)
    try:
        return lxml.html.fromstring(text, parser=_HTML)
    except ValueError:  # a declared encoding in a str: lxml reads it from bytes only
        return lxml.html.fromstring(text.encode("utf-8", "surrogatepass"), parser=_HTML)


_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The options of trafilatura's own parser, with the C-level class lookup (lxml's public API).
_HTML = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
_HTML.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction
    )
)


def _read(tree: Any, url: str | None, *, precision: bool, fast: bool) -> Any:
    """One trafilatura reading of the page's text.

    `fast` leaves out trafilatura's fallback extractors (readability, jusText), a large part
    of a reading's time; they change the precise reading's text only where it is too short to
    be the article (see `_SHORT_READING`; figures in benchmarks/README.md).
    """
    try:
        return trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_formatting=False,
            favor_precision=precision,
            deduplicate=False,
            fast=fast,
        )
    except Exception:  # trafilatura raises assorted errors on pathological markup
        return None


def _metadata(tree: Any, url: str | None) -> Any:
    """The page's title, author and date, as a trafilatura reading with metadata finds them."""
    try:
        return trafilatura.extract_metadata(tree, url)
    except Exception:  # as _read
        return None


def _kept_page(tree: Any) -> str:
    """The page as kept for `reextract`: without the furniture (`_FURNITURE`) that the text
    is never read from, but for a box holding the first <h1>, and with only the titles of
    its <head> (title, og:title). Re-read, it gives the headlines and, once its furniture
    goes, the tree this reading reads (on all 101 pages of the benchmark's corpus, the very
    same text), at two thirds of the stored bytes. The page's other metadata (author, date)
    is not kept: `reextract` re-reads the text only. Changes `tree` (what it drops goes
    anyway)."""
    first = _FIRST_H1(tree)
    for box in list(tree.iter(*_FURNITURE)):
        if box.tag == "head":
            for element in list(box):
                if not _HEADLINE_SOURCE(element):
                    box.remove(element)
        elif box.getparent() is not None and not (first and _within(first[0], box)):
            box.drop_tree()
    return str(lxml.html.tostring(tree, encoding="unicode"))


_HEADLINE_SOURCE = etree.XPath("self::title or self::meta[@property='og:title']")


def _drop_furniture(tree: Any) -> None:
    """Take the site's navigation, footers, asides, <head> and form controls out of the
    page, which trafilatura discards anyway (`MANUALLY_CLEANED`) but only after copying and
    searching the whole tree several times over: they are a large part of a news page's
    elements, and dropping them first makes a page's extraction cheaper. The text is the
    same or better, as fewer site links are left to slip into it (figures in
    benchmarks/README.md). The headline and the metadata are read before.
    """
    for box in list(tree.iter(*_FURNITURE)):
        if box.getparent() is not None:  # the root stays (a page that is all one <nav>)
            box.drop_tree()


_FURNITURE = ("nav", "footer", "aside", "head", "button", "select", "input")


def _free_tails(tree: Any) -> None:
    """Unwrap the empty elements that have text after them, keeping that text.

    An empty element (an anchor `<span id="more-12"></span>` a blog puts before its first
    paragraph's words, a spacer `<div>` inside a heading) holds nothing, but the text after it
    is the paragraph's. trafilatura's precise reading deletes such elements with the text
    after them (its default balance keeps the text), so the paragraph, or its end, is lost.
    """
    # A walk over these tags costs less than an XPath that tests the text after each element.
    empty = [el for el in tree.iter(*_CUT_WHEN_EMPTY) if el.text is None and not len(el) and el.tail and not el.tail.isspace()]
    for element in empty:
        if element.getparent() is not None:
            element.drop_tag()


# The tags trafilatura deletes when empty (`CUT_EMPTY_ELEMS`), the text after them with them.
_CUT_WHEN_EMPTY = tuple("article b blockquote dd div dt em h1 h2 h3 h4 h5 h6 i li main p pre q section span strong".split())


def _headlines(tree: Any, headline: str | None) -> set[str]:
    """The words of the story's headline as the feed and the page give it (h1, og:title,
    <title>): a body that opens with it repeats what the reader sees above the text.

    Read from the tree, not from the metadata reading, so that the text is the same whether
    or not the page's metadata was asked for.
    """
    found = [headline or "", *(el.text_content() for el in _FIRST_H1(tree)), *_PAGE_TITLES(tree)]
    return {words for words in (_words(" ".join(str(t).split())) for t in found) if words}


_FIRST_H1 = etree.XPath("(//h1)[1]")
_PAGE_TITLES = etree.XPath("//meta[@property='og:title']/@content | //head/title/text()")


def _lines(raw: str) -> list[str]:
    return [line for line in (" ".join(part.split()) for part in raw.splitlines()) if line]


@dataclass(frozen=True, slots=True)
class _Block:
    """A paragraph, heading, list item, quote or cell of the page, or a picture's caption.

    Body lines are found among the blocks by their words: a line and the block it came
    from have the same words even where trafilatura trimmed or joined their whitespace.
    """

    element: Any
    text: str
    """Whitespace normalised."""
    words: str
    caption: bool
    """An image's alt text or a figure's caption, not a text block."""


class _Page:
    """The page's text blocks, image alt texts and figure captions, in document order.

    Read once from the parsed tree, in one pass: everything newsdesk adds to the
    precise reading (skipped paragraphs, captions, split boxes) comes from here rather than
    from another trafilatura reading of the whole page.
    """

    __slots__ = ("blocks", "root", "where")

    def __init__(self, root: Any) -> None:
        self.root = root
        self.blocks: list[_Block] = []
        self.where: dict[str, int] = {}
        """The position of the first text block with these words (from `_words`)."""
        # A set of the elements themselves, not of ids: it keeps lxml's proxies alive, so the
        # same element always comes back as the same object.
        noisy = {el for code in root.iter(*_CODE_TAGS) for el in code.iterancestors()}
        for element in root.iter(*_TEXT_TAGS, "figcaption", "img"):
            caption = element.tag in ("img", "figcaption")
            if element.tag == "img":
                raw = element.get("alt", "")
                if not raw or _linked(element):
                    continue
            elif element in noisy:  # a script or a style sheet inside: its code is no text
                raw = "".join(_PROSE(element))
            else:
                raw = element.text_content()
            if len(raw) > _MAX_BLOCK_CHARS:  # a box of boxes: its parts are blocks of their own
                continue
            text = " ".join(raw.split())
            if not text:
                continue
            words = _words(text)
            if not caption:
                self.where.setdefault(words, len(self.blocks))
            self.blocks.append(_Block(element, text, words, caption))

    def has(self, sentence: str) -> bool:
        """Whether any text of the page holds `sentence`'s words in a row."""
        needle = _words(sentence)
        return bool(needle) and _inside(needle, " ".join(block.words for block in self.blocks if not block.caption))

    def standfirst(self, sentence: str) -> _Block | None:
        """The block in which the page shows `sentence` as its standfirst, or None.

        A standfirst: every block that holds it is a heading (h1-h6), or names itself (or
        its parent does) as one by class or id ("standfirst", "subtitle", "dek", "summary",
        "excerpt", "teaser", "strapline", ...), the names content systems give it.
        """
        needle = _words(sentence)
        holding = [b for b in self.blocks if not b.caption and needle and _inside(needle, b.words)]
        if not holding or not all(_standfirst_block(b.element) for b in holding):
            return None  # nowhere, or also in a paragraph of its own: the story's opening
        return min(holding, key=lambda b: len(b.text))  # the innermost block that holds it

    def in_story(self, sentence: str, body: list[str]) -> bool:
        """Whether the page shows `sentence` as part of the story: in a paragraph that is no
        standfirst, or as bare text in the box that holds the story's paragraphs. A sentence
        found only in the page's metadata or the feed is a summary written for them."""
        needle = _words(sentence)
        if not needle:
            return False
        if any(not b.caption and _inside(needle, b.words) and not _standfirst_block(b.element) for b in self.blocks):
            return True
        spots = [n for n in self.spots(body) if n is not None]
        if not spots:
            return False
        box = _common_ancestor(self.blocks[min(spots)].element, self.blocks[max(spots)].element)
        return box is not None and _inside(needle, _words("".join(_PROSE(box))))

    def spots(self, body: list[str]) -> list[int | None]:
        """Each body line's position among the blocks, None for a line no block matches."""
        return [self.where.get(_line_words(line)) for line in body]

    def captions(self, body: list[str]) -> dict[int, list[str]]:
        """Alt texts and figure captions in the story's own part of the page, by position.

        The story's part is the smallest element holding its first and last paragraph;
        when that is the whole page, what stands between them.
        """
        spots = [n for n in self.spots(body) if n is not None]
        if not spots:
            return {}
        first, last = min(spots), max(spots)
        box = _common_ancestor(self.blocks[first].element, self.blocks[last].element)
        whole = box is None or box.tag in ("html", "body")
        out: dict[int, list[str]] = {}
        for n, block in enumerate(self.blocks):
            if block.caption and (first < n < last if whole else _within(block.element, box)):
                out.setdefault(n, []).append(block.text)
        return out


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_STANDFIRST_NAMES = frozenset(
    "standfirst subtitle subhead subheadline subheading dek deck summary excerpt teaser strapline "
    "intro lead-in leadin description".split()
)
_NAME_PARTS = re.compile(r"[-_]+(?!in\b)")
_FLAGS = ("has-", "is-", "no-", "with-")
_TEXT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "td")
_CODE_TAGS = ("script", "style", "noscript", "template")
# Longer than any paragraph: nested lists or layout tables, whose text would be read once per
# level (a hostile page nests them hundreds deep).
_MAX_BLOCK_CHARS = 20_000
_PROSE = etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]")
_LEAF = etree.XPath("not(" + " | ".join(f".//{tag}" for tag in _TEXT_TAGS) + ")")


def _standfirst_block(element: Any) -> bool:
    if element.tag in _HEADINGS:
        return True
    for el in (element, element.getparent()):
        if el is None:
            continue
        for name in f"{el.get('class') or ''} {el.get('id') or ''}".lower().split():
            # "post-excerpt", "article__standfirst"; not a flag on a box ("has-excerpt").
            if not name.startswith(_FLAGS) and any(part in _STANDFIRST_NAMES for part in _NAME_PARTS.split(name)):
                return True
    return False


def _linked(image: Any) -> bool:
    """Whether an image is a link: a teaser for another story, a logo, a button."""
    return any(el.tag == "a" for el in image.iterancestors())


def _common_ancestor(a: Any, b: Any) -> Any:
    """The smallest element holding both `a` and `b` (one of them when it holds the other)."""
    mine = {a, *a.iterancestors()}
    for el in (b, *b.iterancestors()):
        if el in mine:
            return el
    return None


def _within(element: Any, box: Any) -> bool:
    return any(el is box for el in element.iterancestors())


def _fill_gaps(body: list[str], page: _Page) -> list[str]:
    """The precise body, with the page's paragraphs it skipped between two it kept put back.

    A paragraph is put back only when it stands in one of the story's own boxes (the
    parent of a kept paragraph, or an element of the same tag and class: some sites put
    each paragraph in a box of its own); not a caption, nor a block holding other blocks or
    a picture, nor one that is mostly a link (but a link that shows its own address: a source
    the story cites) or reads like markup.
    """
    spots = page.spots(body)
    anchored = [page.blocks[n].element.getparent() for n in spots if n is not None]
    parents = {el for el in anchored if el is not None}
    kinds = {(el.tag, el.get("class")) for el in anchored if el is not None and el.get("class")}
    known = {_line_words(line) for line in body}

    def story(block: _Block) -> bool:
        parent = block.element.getparent()
        return (
            not block.caption
            and parent is not None
            and (parent in parents or (parent.tag, parent.get("class")) in kinds)
            and block.words not in known
            and bool(_LEAF(block.element))
            and block.element.find(".//img") is None  # a picture's box: its text is the caption
            and not _CODE_TEXT.search(block.text)
            and _promo_chars(block.element) <= _MAX_LINK_SHARE * len(block.text)
        )

    out: list[str] = []
    opening = _bare_openings(page, body, spots) if None in spots else {}
    for n, line in enumerate(body):
        out += opening.get(n, [])
        out.append(line)
        here, after = spots[n], spots[n + 1] if n + 1 < len(spots) else None
        if here is not None and after is not None and here < after <= here + 1 + _MAX_GAP:
            out += [block.text for block in page.blocks[here + 1 : after] if story(block)]
    # A story's last sentences (the closing paragraph, a copyright line) are read as page
    # furniture now and then: whole sentences right after the body's end are its own.
    end = spots[-1] if spots else None
    for block in page.blocks[end + 1 :] if end is not None else []:
        if block.caption:
            continue
        line = block.text
        if not story(block) or not _SENTENCE_END.search(line) or len(line.split()) < _MIN_TAIL_WORDS or is_boilerplate(line):
            break
        out.append(line)
    return out


def _bare_openings(page: _Page, body: list[str], spots: list[int | None]) -> dict[int, list[str]]:
    """Sentences the precise reading skipped before the story's first line of bare text, by
    the position of that line in the body.

    Some sites write a story as bare text in one box, its paragraphs parted by line breaks
    (`<div class="content">First...<br><br>Second...`), and no paragraph of it is a block of
    the page. The precise reading skips the box's first paragraph now and then (it does when
    a link stands in it). The box is the one whose segments (its text between line breaks and
    block elements) are body lines; the segments right before the first of them go in front
    of it when they are sentences, and the first that is not ends the search.
    """
    loose = {_line_words(line): n for n, (line, spot) in enumerate(zip(body, spots, strict=True)) if spot is None}
    for box in _BARE_BOXES(page.root):
        segments = _segments(box)
        first = next((i for i, text in enumerate(segments) if _words(text) in loose), None)
        if first is None:
            continue
        found: list[str] = []
        for text in reversed(segments[:first]):
            if not _prose(text):
                break
            found.insert(0, text)
        return {loose[_words(segments[first])]: found} if found else {}
    return {}


def _segments(box: Any) -> list[str]:
    """A box's own text between its line breaks and block elements, each whitespace normalised."""
    parts: list[list[str]] = [[box.text or ""]]
    for child in box:
        if child.tag == "br" or child.tag not in _INLINE:
            parts.append([])
        else:
            parts[-1].append(child.text_content())
        parts[-1].append(child.tail or "")
    return [text for text in (" ".join("".join(part).split()) for part in parts) if text]


def _prose(text: str) -> bool:
    """Whether a bare line of text reads as a sentence of a story, not a label or a link."""
    return (
        bool(_SENTENCE_END.search(text)) and len(text.split()) >= _MIN_TAIL_WORDS
        and not is_boilerplate(text) and not _CODE_TEXT.search(text)
    )


# Elements whose text runs on inside a line; any other child of a box ends the line.
_INLINE = frozenset("a abbr b cite code em font i mark q s small span strong sub sup time u".split())
# Boxes holding bare text of their own (not the page's text blocks, which are read as blocks).
# Found from the line breaks up: a third of the time of testing every element for its text.
_BARE_BOXES = etree.XPath(
    "//br/parent::*[self::div or self::section or self::article or self::main or self::td or self::center]"
    "[text()[normalize-space()]]"
)


def _promo_chars(element: Any) -> int:
    """The characters of an element's text that are links to elsewhere: promos, headlines of
    other stories. A link whose text is its own web address is a source the story cites, shown
    for the reader to read (a list of sources under a post), and counts as text."""
    return sum(len(text) for text in (a.text_content() for a in element.iter("a")) if not _ADDRESS.match(text.strip()))


_ADDRESS = re.compile(r"(?:https?://|www\.)\S+$", re.IGNORECASE)


def _other_parts(page: _Page, body: list[str]) -> list[str]:
    """The story's paragraphs in document order when the page splits it into several boxes.

    Some sites (Wired, for one) cut an article into sibling containers of the same class
    around their ads; trafilatura keeps the first box only. The box holding most of the body
    gives the signature (tag and class); every other box with it adds its paragraphs when
    it holds prose (not a promo line or a list of links). The body's own box adds nothing:
    what trafilatura left out of it, it left out on purpose. Empty when the page is one box.
    """
    wanted = {_line_words(line) for line in body}
    votes: dict[tuple[str, str], int] = {}
    for block in page.blocks:
        if block.element.tag != "p" or block.words not in wanted:
            continue
        parent = block.element.getparent()
        if parent is not None and parent.get("class"):
            key = (parent.tag, parent.get("class"))
            votes[key] = votes.get(key, 0) + 1
    if not votes:
        return []
    tag, cls = max(votes, key=lambda k: votes[k])
    boxes = [el for el in page.root.iter(tag) if el.get("class") == cls]
    if len(boxes) < 2:
        return []
    held = [sum(_words(p.text_content()) in wanted for p in box.iter("p")) for box in boxes]
    main = boxes[held.index(max(held))]
    out: list[str] = []
    for box in boxes:
        texts = [t for t in (" ".join(el.text_content().split()) for el in _blocks(box)) if t]
        if box is main:
            out += [t for t in texts if _words(t) in wanted]
        elif len(texts) >= _MIN_PART_PARAGRAPHS and sum(len(t.split()) for t in texts) >= _MIN_PART_WORDS * len(texts):
            out += texts
    return out


def _blocks(box: Any) -> Iterator[Any]:
    """A box's paragraphs, headings and quotes, and each item of its lists."""
    for el in box:
        if el.tag in ("ul", "ol"):
            yield from el.iter("li")
        elif el.tag in _PART_TAGS:
            yield el


def _add_parts(body: list[str], parts: list[str]) -> list[str]:
    """The body with the paragraphs of the story's other boxes added where they stand."""
    if not parts:
        return body
    matcher = difflib.SequenceMatcher(None, [_words(b) for b in body], [_words(p) for p in parts], autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        out += body[i1:i2]
        if tag in ("insert", "replace"):
            out += parts[j1:j2]
    return out


def _named_captions(captions: dict[int, list[str]], body: list[str]) -> list[_Caption]:
    """The captions worth a line: those naming someone or something the text does not."""
    known = " ".join(body)
    body_words = {_line_words(line) for line in body}
    kept: list[_Caption] = []
    for before, text in ((b, t) for b, texts in sorted(captions.items()) for t in texts):
        core = _once(" ".join(_CREDIT.sub(" ", text).split()).strip(" -–—|,;:"))
        words = _words(core)
        if len(words.split()) < _MIN_CAPTION_WORDS or core.upper() == core or words in body_words:
            continue
        # Plain substrings: a caption glued to the next words of a paragraph is still in it.
        if any(words in s or s in words for s in body_words if s):
            continue
        longer = next((n for n, c in enumerate(kept) if _inside(words, _words(c.text))), None)
        if longer is not None:  # the same caption without the alt text's "a man standing:"
            kept[longer] = _Caption(kept[longer].before, core)
            continue
        if any(_inside(_words(c.text), words) for c in kept):
            continue
        if all(name in known for name in _names(core)):
            continue
        kept.append(_Caption(before, core))
        known += " " + core
        if len(kept) == _MAX_CAPTIONS:
            break
    return kept


def _once(caption: str) -> str:
    """A caption with its repeated sentences dropped (sites print alt text and caption as one)."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", caption):
        if sentence and sentence not in out:
            out.append(sentence)
    return " ".join(out)


def _names(text: str) -> list[str]:
    """Runs of two or more capitalised words that may name someone: a person, an organisation.

    A run in capitals only is a shouted heading, not a name; scripts without capitals
    (Chinese, Japanese) yield none, so their captions are left out. A run right after a
    preposition of place ("at Mary's Center", "in San Diego") is where the picture was
    taken: the caption says nothing the matcher is after.
    """
    names: list[str] = []
    run: list[str] = []
    before = last = ""
    for token in [*text.split(), ""]:
        word = token.strip("\"'“”‘’()[],.;:!?")
        if word and word[0].isupper() and all(c.lower() != c.upper() or c in "'’.-" for c in word):
            if not run:
                before = last
            run.append(word)
            # Punctuation ends a name, and so does a full stop after a word (not an initial).
            if not token.endswith((",", ";", ":", ")")) and not (token.endswith(".") and len(word) > 3):
                continue
        if len(run) >= 2 and not all(w.isupper() for w in run) and before not in _PLACE_WORDS:
            names.append(" ".join(run))
        run = []
        last = word.lower()
    return names


_PLACE_WORDS = frozenset({"in", "at", "near", "outside", "inside", "from", "into", "across", "on"})


def _place_captions(body: list[str], page: _Page, captions: list[_Caption]) -> list[str]:
    """Each caption goes before the first body line that follows its image on the page."""
    if not captions:
        return body
    out: list[str] = []
    pending = list(captions)
    for line, index in zip(body, page.spots(body), strict=True):
        while pending and index is not None and pending[0].before <= index:
            out.append(pending.pop(0).text)
        out.append(line)
    return out + [c.text for c in pending]


# A line that asks the reader to do something for the site: subscribe, join, follow it, write
# to it, turn on JavaScript for a slideshow. Searched, case-insensitively, in a line no longer
# than _CALL_MAX_CHARS that also addresses the reader or speaks for the site (you, your, us, our).
_CALL = re.compile(
    r"\b(?:subscribe|subscription|subscribers?|sign\s+up|newsletters?|join|become\s+a\s+(?:member|subscriber|patron)"
    r"|members\s+get|donate|support\s+(?:us|our)|follow\s+(?:us|him|her|them|me)\b.*\b(?:twitter|facebook|instagram)"
    r"|(?:tell|send|let)\s+us|delivered\s+(?:to|through)\s+your|click\s+here|requires\s+javascript|enable\s+javascript)\b",
    re.IGNORECASE,
)
_READER = re.compile(r"\b(?:you|your|us|our)\b|javascript", re.IGNORECASE)
_CALL_MAX_CHARS = 600
_HEADING_WORDS = 4


def _without_closing_calls(lines: list[str]) -> list[str]:
    """The body without the site's calls to the reader that close it.

    After a story many sites print a promotion addressed to the reader ("Want more science?
    Get a subscription of our sister publication", "If you enjoyed this article, ... Join",
    "Follow us on Twitter", "Tell us what you think", "This slideshow requires JavaScript")
    that a reading, or a picture's caption, keeps as if it were the story's last paragraph.
    Read from the end: each such line goes, and so do short lines with no full stop between
    and around them ("Something to Consider" over them, "comments" under them); the first
    other line ends the search, so a call quoted inside the story stays.
    """
    end = at = len(lines)
    calls = False
    while at:
        line = lines[at - 1]
        if len(line) <= _CALL_MAX_CHARS and _CALL.search(line) and _READER.search(line):
            calls = True
        elif len(line.split()) > _HEADING_WORDS or _SENTENCE_END.search(line):
            break
        at -= 1
        if calls:  # a short line goes only with a call: a heading over it, "comments" under it
            end = at
    return lines[:end]


def is_boilerplate(line: str) -> bool:
    """Whether a line is page or feed furniture ("Read more", "Share this", a cookie notice)."""
    return len(line) <= _BOILERPLATE_MAX_CHARS and _BOILERPLATE.match(line) is not None


def _words(text: str) -> str:
    """A text's lower-cased words, space-separated: the key lines and blocks are matched by."""
    return " ".join(_WORD.findall(text.lower()))


@functools.lru_cache(maxsize=2048)
def _line_words(line: str) -> str:
    """`_words` of a body line, cached: several steps look each body line up again."""
    return _words(line)


def _inside(part: str, whole: str) -> bool:
    """Whether the words `part` occur in a row in the words `whole` (both from `_words`)."""
    return f" {part} " in f" {whole} "


def lede_of(summary: str, *titles: str | None) -> str:
    """The opening sentence a feed's summary gives as evidence of where the story starts, or
    "" when it gives none: a summary that repeats the title (whole, a part of it, or with the
    site's name after it: Google News, Reddit and many CMSs send the title as the description)
    says nothing about the text, and the title must never be put inside the text as if it
    were a lost opening sentence.
    """
    opening = first_sentence(summary) if summary.strip() else ""
    words = _words(opening)
    for title in (_words(" ".join(str(t).split())) for t in titles if t):
        # Inside the title, or the title and a few words more (its site: "Title - Coast News").
        if title and (_inside(words, title) or (_inside(title, words) and len(words.split()) - len(title.split()) <= _SITE_WORDS)):
            return ""
    return opening if words else ""


_SITE_WORDS = 5


# A line that is only a copyright notice or a web address: page furniture, never the story.
_NOTICE = re.compile(
    r"^(?:(?:©|\(c\)|copyright)\b.*|.*\ball rights reserved\b.*|(?:https?://|www\.)\S+)$", re.IGNORECASE
)


_FURNITURE_MAX_CHARS = 1000


def _furniture_only(lines: list[str]) -> bool:
    """Whether a reading holds nothing but furniture: boilerplate lines, copyright notices and
    web addresses, with fewer words of anything else than an article has."""
    if not lines or sum(len(line) for line in lines) > _FURNITURE_MAX_CHARS:  # furniture is short
        return False
    rest = [line for line in lines if not is_boilerplate(line) and not _NOTICE.match(line)]
    return sum(len(line.split()) for line in rest) < _MIN_ARTICLE_WORDS


def first_sentence(text: str) -> str:
    """A text's first sentence, whitespace normalised (all of it when there is no full stop)."""
    found = re.match(r"(.+?[.!?…。！？])(?:\s|$)", " ".join(text.split()))
    return found.group(1) if found else " ".join(text.split())


def has_words(text: str, sentence: str) -> bool:
    """Whether `text` holds `sentence`'s words in a row, whatever the case and punctuation."""
    needle = _words(sentence)
    return bool(needle) and _inside(needle, _words(text))


def word_share(sample: str, text: str) -> float:
    """The share of `sample`'s distinct words that occur in `text`."""
    wanted = set(_WORD.findall(sample.lower()))
    return len(wanted & set(_WORD.findall(text.lower()))) / len(wanted) if wanted else 0.0


def _contains(lines: list[str], sentence: str) -> bool:
    return has_words(" ".join(lines), sentence)


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
