"""Small article pages built the way news sites build them, for extraction and refresh tests."""

from __future__ import annotations

STORY = [
    "The harbour authority said on Tuesday that the new container terminal would open in the spring, "
    "two years later than first planned, after a dispute over dredging permits.",
    "Officials blamed the delay on a court case brought by fishermen, who argued that deepening the "
    "channel would destroy spawning grounds used by cod and herring for generations.",
    "The terminal is expected to handle half a million containers a year once it is running at full "
    "capacity, and the port hopes it will bring several hundred jobs to the town.",
    "Local businesses welcomed the decision to go ahead, although some said the years of uncertainty "
    "had already driven investors to rival ports further along the coast.",
]


def news_page(paragraphs: list[str] = STORY, caption: str | None = None, tail: str = "") -> str:
    """A plain news page: menus, a figure (with `caption`), the story, then `tail`, share
    buttons, "Read more", a "Most read" list and a cookie notice, the furniture to drop."""
    figure = (
        f'<figure><img src="/img/quay.jpg" alt="{caption}"><figcaption>{caption} (Photo: Staff)</figcaption></figure>'
        if caption else ""
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="en"><head><title>Port terminal delayed</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>Port terminal delayed</h1>{figure}{body}{tail}
<p>Share this article</p><p><a href="/more">Read more</a></p></article></main>
<aside><h2>Most read</h2><ul><li><a href="/a">Storm closes bridge</a></li><li><a href="/b">Council tax to rise</a></li></ul></aside>
<div class="cookie">We use cookies to improve your experience. By continuing you accept our cookie policy.</div>
<footer>© 2024 Coast News</footer></body></html>"""
