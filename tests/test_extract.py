"""Article text from real pages: what the reader reads and the matcher searches."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from newsdesk.extract import extract_article

PAGES = Path(__file__).parent / "data" / "pages"
TRUTH = json.loads((PAGES / "ground-truth.json").read_text(encoding="utf-8"))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_the_seed_page_keeps_its_caption_and_whole_body() -> None:
    article = extract_article((PAGES / "russia-defends-iran-attack.html").read_text(encoding="utf-8"))
    assert article is not None
    assert article.title == "Russia defends Iran's attack on Israel, calls for restraint"
    assert article.author == "Staff writer"
    assert article.published is not None and article.published.date().isoformat() == "2024-04-14"
    paragraphs = article.text.split("\n\n")
    # The names in the photo's alt text and caption are kept, as a plain line, not Markdown.
    assert paragraphs[0] == "Vladimir Putin and Russian FM Sergei Lavrov"
    assert "![" not in article.text
    truth = (PAGES / "russia-defends-iran-attack.txt").read_text(encoding="utf-8")
    body = truth.split("\n\n", 1)[1]
    assert _words(body) == _words("\n".join(paragraphs[1:]))


@pytest.mark.parametrize("key", sorted(TRUTH))
def test_real_pages_keep_the_article_from_first_to_last_sentence(key: str) -> None:
    article = extract_article(gzip.decompress((PAGES / f"{key}.html.gz").read_bytes()))
    assert article is not None and article.title
    truth = _words(TRUTH[key]["articleBody"])
    got = _words(article.text)
    joined = " ".join(got)
    assert " ".join(truth[:8]) in joined
    assert " ".join(truth[-8:]) in joined
    recall = len(set(truth) & set(got)) / len(set(truth))
    assert recall > 0.95
    assert "\n\n" in article.text  # paragraphs kept


def test_a_page_without_an_article_gives_none() -> None:
    assert extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>") is None
    assert extract_article("") is None
    assert extract_article(b"\x00\x01\x02") is None
