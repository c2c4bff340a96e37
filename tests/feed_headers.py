"""The HTTP headers a feed test file names: shared by the hostile-corpus test, the fast
reading's golden test and benchmarks/feedparse_bench.py."""

from __future__ import annotations

import re


def corpus_headers(rel: str, data: bytes) -> dict[str, str]:
    """The headers a feedparser test names in its leading comment ("Header: Content-type: ...")."""
    head = data[:4000]
    for mark, encoding in ((b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le")):
        if head.startswith(mark):
            text = head.decode(encoding, "replace")
            break
    else:
        text = head.decode("latin-1")
    headers = {"Content-Type": "text/xml" if "http" in rel else "application/xml"}
    for name, value in re.findall(r"^Header:\s+([^:\r\n]+):(.*)$", text, re.M):
        if name.strip().lower() not in ("content-length", "content-encoding"):
            headers["Content-Type" if name.strip().lower() == "content-type" else name.strip()] = value.strip()
    return headers
