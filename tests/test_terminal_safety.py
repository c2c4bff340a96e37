"""What reaches a terminal: every character a terminal would act on (controls, C1, bidi
controls, line and paragraph separators) is replaced in text and the daemon's log, and written
as a \\u escape in JSON. The set is Unicode's own categories, not a list."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

from newsdesk.cli import main
from newsdesk.display import is_unsafe, json_safe, safe
from newsdesk.store import Store
from tests.httpserver import LocalServer

# What a hostile feed puts in its names: CSI as C1 (U+009B), an OSC 52 clipboard write with
# BEL, the Arabic letter mark, a right-to-left override, a paragraph separator.
HOSTILE = "Iran \x9b31m \x1b]52;c;b3duZWQ=\x07 \u061c \u202egnp.exe\u202c \u2028 end"
RAW = ("\x9b", "\x1b", "\x07", "\u061c", "\u202e", "\u2028")


def test_the_unsafe_set_is_built_from_unicode_categories() -> None:
    bmp = "".join(map(chr, range(0x10000)))
    expected = "".join(
        "\ufffd" if (unicodedata.category(c) in ("Cc", "Zl", "Zp") and c not in "\t\n") or c in _BIDI_CONTROLS else c
        for c in bmp
    )
    assert safe(bmp) == expected
    # A short string (a title) is looked at character by character: the same replacements.
    assert "".join(safe(bmp[n : n + 500]) for n in range(0, len(bmp), 500)) == expected
    # Every character of these categories is in the Basic Multilingual Plane, where the set is built.
    assert not any(is_unsafe(chr(c)) for c in range(0x10000, sys.maxunicode + 1))
    assert safe("tab\tand\nnewline stay") == "tab\tand\nnewline stay"


# Unicode's Bidi_Control property (PropList.txt), to check the categories against.
_BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u070f")


def test_json_escapes_what_a_terminal_acts_on_and_keeps_the_text() -> None:
    text = json_safe(json.dumps({"title": HOSTILE}, ensure_ascii=False))
    assert not any(c in text for c in RAW)
    assert "\\u009b" in text and "\\u061c" in text and "\\u2028" in text
    assert json.loads(text) == {"title": HOSTILE}


def _feeds_toml(tmp: Path, server: LocalServer) -> Path:
    config = tmp / "feeds.toml"
    name = json.dumps("Hostile \x1b]52;c;b3duZWQ=\x07 name")  # a TOML basic string takes JSON's escapes
    config.write_text(
        "[settings]\nrefresh_minutes = 0.02\nextract = false\n\n"
        f'[[feeds]]\nname = {name}\nurl = "{server.url("/missing.xml")}"\n\n'
        f'[[feeds]]\nname = "Moved"\nurl = "{server.url("/moved.xml")}"\n\n'
        '[watchlist]\ncountries = ["Iran"]\n',
        encoding="utf-8",
    )
    return config


def _serve(server: LocalServer) -> None:
    items = f"<item><title><![CDATA[{HOSTILE}]]></title><guid>g1</guid><description>Iran.</description></item>"
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    server.add("/moved.xml", b"", status=301, conditional=False,
               headers={"Location": "/new\x9b\u202e.xml".encode().decode("latin-1")})  # as UTF-8 bytes on the wire
    server.add("/new%C2%9B%E2%80%AE.xml", feed, headers={"Content-Type": "application/rss+xml"})  # as requested


def test_list_and_match_json_escape_c1_and_bidi(http_server: LocalServer, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _serve(http_server)
    config = _feeds_toml(tmp_path, http_server)
    db = str(tmp_path / "news.db")
    assert main(["--config", str(config), "--db", db, "refresh"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "--db", db, "list", "--json"]) == 0
    listed = capsys.readouterr().out
    assert not any(c in listed for c in RAW), repr(listed)
    with Store(db) as store:  # the title as stored (feedparser reads a C1 CSI as cp1252's "›")
        [stored] = [s.title for s in store.list_stories(matched_only=False) if s.title.startswith("Iran")]
    assert sum(c in stored for c in RAW) >= 3
    assert [row["title"] for row in json.loads(listed) if row["title"].startswith("Iran")] == [stored]
    page = tmp_path / "story.txt"
    page.write_text(f"{HOSTILE}\nIran and {HOSTILE}", encoding="utf-8")
    assert main(["--config", str(config), "match", "--json", str(page)]) == 0
    matched = capsys.readouterr().out
    assert not any(c in matched for c in RAW), repr(matched)
    assert json.loads(matched)["matches"][0]["entity"] == "Iran"


def test_the_daemons_log_shows_no_raw_control_characters(http_server: LocalServer, tmp_path: Path) -> None:
    _serve(http_server)
    config = _feeds_toml(tmp_path, http_server)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "daemon", "--config", str(config), "--db", str(tmp_path / "news.db")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 60
        while http_server.hits("/missing.xml") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=30)
    assert "refreshed" in err and "Hostile" in err and "moved permanently" in err, err
    assert not any(c in err for c in RAW), repr(err)
