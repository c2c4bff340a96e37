"""Which URLs newsdesk downloads, and one spelling per article URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|at_medium|at_campaign)$", re.IGNORECASE)


def is_web_url(url: str | None) -> bool:
    """Only http and https are ever downloaded or opened: a feed cannot point newsdesk at a
    local file (file:), a script (javascript:) or inline content (data:)."""
    return bool(url) and urlsplit(url).scheme in ("http", "https")  # type: ignore[arg-type]


def absolute_link(base: str, link: str) -> str | None:
    """`link` made absolute against `base`, or None when urllib cannot read it ("http://[oops",
    a port out of range): an entry with such a link has no link; its feed is not broken."""
    try:
        absolute = urljoin(base, link.strip())
        urlsplit(absolute).port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return None
    return absolute


def normalise_link(url: str) -> str:
    """One spelling per article URL: scheme and host lower-cased, default port, fragment and
    tracking parameters dropped, so the same story linked twice is recognised."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))
