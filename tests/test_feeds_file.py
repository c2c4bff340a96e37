"""newsdesk's own writes to feeds.toml: every comment, blank line and the order stay; a broken
result is never written; a crash in the middle of a write leaves the old file whole; two
writers at once lose nothing. Through the real commands where a user would run them."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk import feedsfile
from newsdesk.config import load_config
from newsdesk.errors import ConfigError, EditError
from newsdesk.feedsfile import Draft, NewFeed

DATA = Path(__file__).parent / "data"
COMMENTED = DATA / "config" / "commented-feeds.toml"


def _newsdesk(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "newsdesk", *args], capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc  # type: ignore[no-any-return]


def _comments(text: str) -> list[str]:
    """Every comment in the file, in order (whole-line and after a value)."""
    return [match.group(0).strip() for match in re.finditer(r"#.*$", text, re.MULTILINE)]


@pytest.fixture
def commented(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    shutil.copy(COMMENTED, path)
    return path


def test_every_comment_stays_after_add_remove_and_import(commented: Path, tmp_path: Path) -> None:
    before = commented.read_text(encoding="utf-8")
    opml = DATA / "opml" / "feedly.opml"
    steps = [
        ("watchlist", "add", "country", "France"),
        ("watchlist", "add", "person", "Emmanuel Macron", "--alias", "Macron"),
        ("import", str(opml)),
        ("feeds", "remove", "al jazeera"),
        ("watchlist", "remove", "person", "Sergei Lavrov"),
        ("watchlist", "remove", "country", "Iran"),
    ]
    for step in steps:
        proc = _newsdesk(*step, "--config", str(commented))
        assert proc.returncode == 0, (step, proc.stderr)
    after = commented.read_text(encoding="utf-8")
    # Every comment is still there, in the same order, but the one on the line of an entry
    # that was removed (Iran's "# by code"): it went with its entry.
    assert _comments(after) == [c for c in _comments(before) if c != "# by code"]
    # The sections keep their places: a comment above a section stays right above it.
    assert "# ---- The watchlist ----" in after
    assert after.index("# ---- The watchlist") < after.index("[watchlist]")
    assert after.index("High Scalability") < after.index("# ---- The watchlist")
    assert after.index("# A feed I switched off for now:") < after.index('name = "Deutsche Welle"')
    # What was not changed is byte for byte what it was.
    assert after.startswith(before[: before.index('[[feeds]]\nname = "Al Jazeera"')])
    assert after.rstrip().endswith("# end of file: nothing after this comment")
    config = load_config(commented)
    assert [f.name for f in config.feeds][:2] == ["BBC News - World", "Deutsche Welle"]
    assert len(config.feeds) == 2 + 3  # Feedly's http:// BBC feed is the one already there
    assert [c.code for c in config.watchlist.countries] == ["RU", "FR"]
    assert [p.name for p in config.watchlist.people] == ["Vladimir Putin", "Emmanuel Macron"]


def test_an_added_feed_goes_after_the_last_feed_before_the_next_section(commented: Path) -> None:
    feedsfile.edit(commented, lambda d: d.add_feed(NewFeed("https://new.example/rss", name="New", tags=("tech",), refresh_minutes=15)))
    text = commented.read_text(encoding="utf-8")
    block = '\n[[feeds]]\nname = "New"\nurl = "https://new.example/rss"\ntags = ["tech"]\nrefresh_minutes = 15\n'
    assert 'refresh_minutes = 60  # slow feed\n' + block + "\n# ---- The watchlist" in text


def test_removing_a_feed_removes_its_own_comments_only(commented: Path) -> None:
    before = commented.read_text(encoding="utf-8")
    feedsfile.edit(commented, lambda d: d.remove_feed(d.find_feed("https://feeds.bbci.co.uk/news/world/rss.xml")))  # type: ignore[arg-type]
    after = commented.read_text(encoding="utf-8")
    gone = {"# the name I want", "# extract = false           # a comment that belongs to this feed"}
    assert [c for c in _comments(before) if c not in gone] == _comments(after)
    assert "# The BBC: always first.\n\n[[feeds]]\nname = \"Al Jazeera\"" in after


def test_a_feed_already_there_is_refused_however_it_is_spelled(commented: Path) -> None:
    before = commented.read_text(encoding="utf-8")
    for spelling in (
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "http://FEEDS.bbci.co.uk:80/news/world/rss.xml",
        "https://feeds.bbci.co.uk/news/world/rss.xml?utm_source=x#top",
        "https://www.aljazeera.com/xml/rss/all.xml/",
    ):
        with pytest.raises(EditError, match="already in"):
            feedsfile.edit(commented, lambda d, s=spelling: d.add_feed(NewFeed(s)))
    assert commented.read_text(encoding="utf-8") == before


def test_a_change_the_loader_refuses_is_never_written(commented: Path) -> None:
    before = commented.read_text(encoding="utf-8")
    with pytest.raises(ConfigError):
        feedsfile.edit(commented, lambda d: d.add_feed(NewFeed("https://x.example/rss", refresh_minutes=float("nan"))))
    with pytest.raises(ConfigError, match="the change was not written"):
        feedsfile.write_checked(commented, before.replace("refresh_minutes = 20", "refresh_minutes = -1"))
    assert commented.read_text(encoding="utf-8") == before
    assert not list(commented.parent.glob(".*newsdesk-write"))


def test_other_layouts_inline_feeds_no_feeds_people_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('feeds = [{ url = "https://a.example/rss" }]  # inline\n\n[watchlist]\npeople = ["Vladimir Putin"]\n')
    feedsfile.edit(path, lambda d: d.add_feed(NewFeed("https://b.example/rss", name="B")))
    feedsfile.edit(path, lambda d: d.add_person("Sergei Lavrov", ["Lavrov"]))
    config = load_config(path)
    assert [f.url for f in config.feeds] == ["https://a.example/rss", "https://b.example/rss"]
    assert [(p.name, p.aliases) for p in config.watchlist.people] == [("Vladimir Putin", ()), ("Sergei Lavrov", ("Lavrov",))]
    assert "# inline" in path.read_text()
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing yet\n")
    feedsfile.edit(empty, lambda d: d.add_feeds([NewFeed("https://c.example/rss", tags=("x",)), NewFeed("https://d.example/rss")]))
    feedsfile.edit(empty, lambda d: d.add_country("UA", "Ukraine"))
    config = load_config(empty)
    assert [f.url for f in config.feeds] == ["https://c.example/rss", "https://d.example/rss"]
    assert config.feeds[0].tags == ("x",) and [c.code for c in config.watchlist.countries] == ["UA"]
    assert empty.read_text().startswith("# nothing yet\n")


def test_a_symlinked_feeds_toml_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "feeds.toml"
    real.parent.mkdir()
    real.write_text('[[feeds]]\nurl = "https://a.example/rss"\n')
    link = tmp_path / "feeds.toml"
    link.symlink_to(real)
    feedsfile.edit(link, lambda d: d.add_feed(NewFeed("https://b.example/rss")))
    assert link.is_symlink() and len(load_config(real).feeds) == 2


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text("# shared\n")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "watchlist", "add", "person", f"Person Number{n}", "--config", str(path)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n in range(6)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    people = {p.name for p in load_config(path).watchlist.people}
    assert people == {f"Person Number{n}" for n in range(6)}


def test_a_write_that_fails_half_way_leaves_the_old_file_whole(commented: Path) -> None:
    """The new file cannot be written whole (the file size limit is below its size, as a full
    disk would stop it): the command says so, and the old file is untouched."""
    before = commented.read_bytes()
    limit = len(before) // 2

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    for args in (("import", str(DATA / "opml" / "feedly.opml")), ("watchlist", "add", "country", "France")):
        proc = _newsdesk(*args, "--config", str(commented), preexec_fn=small_files, timeout=60)
        assert proc.returncode == 1
        assert f"cannot write {commented}" in proc.stderr and "it is unchanged" in proc.stderr
        assert commented.read_bytes() == before
        assert not list(commented.parent.glob(".*newsdesk-write"))


def _big_opml(path: Path, feeds: int) -> None:
    outlines = "".join(
        f'<outline type="rss" text="Feed {n}" xmlUrl="https://feeds{n % 50}.example.org/feed/{n}.xml"/>\n' for n in range(feeds)
    )
    path.write_text(f'<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="Many">{outlines}</outline></body></opml>')


def test_a_process_killed_in_the_middle_of_a_write_leaves_the_old_file_whole(commented: Path, tmp_path: Path) -> None:
    """SIGKILL the moment the new file appears beside feeds.toml (it is being written, or
    read back to be checked): feeds.toml is the old file, byte for byte, every time."""
    before = commented.read_bytes()
    opml = tmp_path / "many.opml"
    _big_opml(opml, 1500)
    temporary = commented.parent / f".{commented.name}.newsdesk-write"
    caught: list[int] = []
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "import", str(opml), "--config", str(commented)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            while not temporary.exists() and proc.poll() is None:
                pass  # no sleep: the write is over in milliseconds
            proc.kill()
        finally:
            proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"
        caught.append(temporary.stat().st_size if temporary.exists() else -1)
        assert commented.read_bytes() == before
    assert any(size >= 0 for size in caught), caught  # killed with the new file half-made
    # The next run is not disturbed by what the crash left behind, and finishes the import.
    done = _newsdesk("import", str(opml), "--config", str(commented), timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(load_config(commented).feeds) == 3 + 1500
    assert not temporary.exists()


def test_draft_changes_are_checked_for_what_they_meant(commented: Path) -> None:
    draft = Draft(commented, commented.read_text(encoding="utf-8"))
    with pytest.raises(EditError, match="already on the watchlist"):
        draft.add_country("RU", "Russia")
    with pytest.raises(EditError, match="not on the watchlist"):
        draft.remove_person("Nobody Here")
    draft.add_feed(NewFeed("https://e.example/rss", extract=False))
    assert draft.config.feeds[-1].extract is False
    assert os.path.exists(commented)
