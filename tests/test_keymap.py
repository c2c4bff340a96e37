"""The keymap: one declaration of the UI's actions and keys, feeds.toml's [keys], and the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.keys import Keys, format_key

from newsdesk.config import load_config, parse_config
from newsdesk.errors import ConfigError
from newsdesk.keymap import (
    ACTIONS,
    KeyBinding,
    bound,
    display_key,
    markdown_table,
    normalize_key,
    parse_keys,
)

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_key_table_is_the_keymaps() -> None:
    """Every default binding is in the README's table, with its action and what it does."""
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- keys: generated")
    table = text[text.index("\n", start) + 1 :]
    table = table[: table.index("\n\n") + 1]
    assert table == markdown_table(), "README.md's key table is out of date: paste `python -m newsdesk.keymap`"
    for action in ACTIONS:
        name = "link_1" if action.name.startswith("link_") else action.name  # 1 to 9: one row
        row = next(line for line in table.splitlines() if f"`{name}`" in line)
        for key in action.keys:
            assert f"`{display_key(key)}`" in row.split("|")[1], (action.name, key)


def test_the_default_keys_clash_nowhere_and_are_textuals_names() -> None:
    assert parse_keys({}) == ()
    names = {k.value for k in Keys}
    for action in ACTIONS:
        assert action.keys, action.name
        for key in action.keys:
            assert normalize_key(key) == key, key
            base = key.rsplit("+", 1)[-1]
            # A character, one of Textual's key names, or the name Textual gives a character.
            assert len(base) == 1 or base in names or key in names or len(format_key(base)) == 1, key


@pytest.mark.parametrize(
    ("written", "key", "shown"),
    [("n", "n", "n"), ("N", "N", "N"), ("shift+n", "N", "N"), ("?", "question_mark", "?"), ("/", "slash", "/"),
     ("Ctrl+N", "ctrl+n", "Ctrl+N"), ("pgdn", "pagedown", "PgDn"), ("esc", "escape", "Escape"), (" ", "space", "Space"),
     ("ctrl++", "ctrl+plus", "Ctrl++"), ("f5", "f5", "F5"), ("alt+up", "alt+up", "Alt+↑"), ("-", "minus", "-")],
)
def test_keys_are_written_as_people_write_them(written: str, key: str, shown: str) -> None:
    assert normalize_key(written) == key
    assert display_key(key) == shown


@pytest.mark.parametrize("bad", ["foo", "ctrl+foo", "hyper+", "ctrl+", "\x1b", "enter+ctrl"])
def test_a_key_that_names_no_key_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_key(bad)


def test_keys_rebinds_actions(tmp_path: Path) -> None:
    config = parse_config('[keys]\nnext_unread = ["x", "ctrl+n"]\ntoggle_read = "m"\n')
    assert config.keys == (KeyBinding("next_unread", ("x", "ctrl+n")), KeyBinding("toggle_read", ("m",)))
    keys = {b.action.name: b.keys for b in bound(config.keys)}
    assert keys["next_unread"] == ("x", "ctrl+n") and keys["prev_unread"] == ("p",)


@pytest.mark.parametrize(
    ("keys", "line", "message"),
    [
        ('nxt_unread = "x"', 3, "keys.nxt_unread: unknown action (did you mean 'next_unread'?)"),
        ('next_unread = "ctrl+banana"', 3, "keys.next_unread: 'ctrl+banana' is not a key"),
        ('next_unread = []', 3, "keys.next_unread: must be a key"),
        ('next_unread = 3', 3, "keys.next_unread: must be a key"),
        ('toggle_read = "m"\nnext_unread = "j"', 4, "keys.next_unread: 'j' is also the key of 'down' in the list screen"),
        ('toggle_read = "z"', 3, "keys.toggle_read: 'z' is also the key of 'undo_mark' in the list screen"),
        ('help = "j"', 3, "keys.help: 'j' is also the key of 'down'"),
    ],
)
def test_a_bad_keys_table_is_a_config_error_with_its_line(tmp_path: Path, keys: str, line: int, message: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(f"# my keys\n[keys]\n{keys}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == line
    assert f"{path}:{line}: {message}" in str(caught.value)


def test_keys_on_different_screens_may_be_the_same() -> None:
    # y answers yes in a question; nothing else has y: giving it to the list's search is fine.
    assert parse_keys({"search": ["y"]}) == (KeyBinding("search", ("y",)),)
    assert parse_keys({"toggle_panel": "J"}) == (KeyBinding("toggle_panel", ("J",)),)  # J is the reader's
