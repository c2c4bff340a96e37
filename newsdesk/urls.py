"""Which URLs newsdesk downloads, what a request to one is made of, and one spelling per
article URL. Standard library only: the config's checks import it (a URL feeds.toml accepts
is one the downloads can request), and so do the downloads."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|at_medium|at_campaign)$", re.IGNORECASE)


def is_web_url(url: str | None) -> bool:
    """Only http and https are ever downloaded or opened: a feed cannot point newsdesk at a
    local file (file:), a script (javascript:) or inline content (data:)."""
    if not url:
        return False
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # unreadable past its scheme ("http://[::1"): the download says why
        scheme = url.partition(":")[0].strip().lower()
    return scheme in ("http", "https")


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


MAX_URL_LENGTH = 16_384
"""Longer addresses are not downloaded: no server takes them, and a feed's link that long is junk."""

# RFC 3986's reg-name (without percent-encoding) after IDNA: what a Host header may hold.
_HOST = re.compile(r"[a-z0-9._~!$&'()*+,;=-]+")
# What stays as it is in a request target; everything else is percent-encoded as UTF-8.
_TARGET_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True, slots=True)
class WebAddress:
    """An http(s) URL taken apart for a request: every part checked and ASCII."""

    scheme: str
    host: str
    """The host as connected to: IDNA-encoded, an IPv6 address without its brackets."""
    port: int
    target: str
    """The path and query, percent-encoded."""
    authority: str
    """The Host header: the host (bracketed if IPv6) and the port unless it is the scheme's."""


def web_address(url: str) -> WebAddress:
    """`url` ready for a request, or ValueError saying, for a person, why it cannot be one."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"is longer than {MAX_URL_LENGTH:,} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError("is not an address newsdesk can read (a bad port or IPv6 address)") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("is not an http:// or https:// address")
    host = parts.hostname or ""
    if not host:
        raise ValueError("names no host")
    if port is None:
        port = 443 if scheme == "https" else 80
    elif not 0 < port < 65536:
        raise ValueError("has a port out of range (1 to 65535)")
    ipv6 = ":" in host
    if ipv6:
        try:
            host = str(ipaddress.IPv6Address(host))
        except ValueError:
            raise ValueError("has an IPv6 address that is not valid") from None
    else:
        if not host.isascii():
            import idna  # IDNA 2008, as browsers encode names (Python's own codec is IDNA 2003)

            try:
                host = idna.encode(host, uts46=True).decode("ascii")
            except (idna.IDNAError, UnicodeError):
                raise ValueError("has a host name that is not valid") from None
        if not _HOST.fullmatch(host):
            raise ValueError("has a host name that is not valid")
    shown = f"[{host}]" if ipv6 else host
    authority = shown if port == (443 if scheme == "https" else 80) else f"{shown}:{port}"
    target = quote(parts.path or "/", safe=_TARGET_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=_TARGET_SAFE)
    return WebAddress(scheme, host, port, target, authority)
