"""The full-text index over stories' titles and texts, on each engine.

SQLite: an external-content FTS5 table. The text is stored once (in story, compressed: its
content is the view story_fts_content, which unpacks it), the index follows it through
triggers; unicode61 with remove_diacritics 2 folds case and accents, so
"sao paulo" finds "São Paulo" and "zelensky" finds "Zelenský".

PostgreSQL: a `search` tsvector column on story, kept by a trigger, with a GIN index. Its
words are made the way unicode61 makes them: accents off (`unaccent`), lower case, split at
every character that is not a letter or digit; the 'simple' configuration then keeps every
word as it is (no stemming, no stop words), so both engines find the same stories for the
same query. `unaccent` folds a little more than FTS5 does (ß, Æ, Ø, Ł as ss, AE, O, L).
SQLModel cannot declare either; `install` creates them for a new database and the
migrations for an old one.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from newsdesk.errors import StoreError
from newsdesk.store._text import SQL_FUNCTION

FTS_DDL = (
    # The index's content: the stories' titles and texts as text (a text is stored compressed,
    # store._text), for an index rebuilt from them.
    f"""CREATE VIEW IF NOT EXISTS story_fts_content AS
        SELECT id, title, {SQL_FUNCTION}(text) AS text FROM story""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS story_fts USING fts5(
        title, text, content='story_fts_content', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS story_fts_insert AFTER INSERT ON story BEGIN
        INSERT INTO story_fts(rowid, title, text) VALUES (new.id, new.title, {SQL_FUNCTION}(new.text));
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS story_fts_delete AFTER DELETE ON story BEGIN
        INSERT INTO story_fts(story_fts, rowid, title, text) VALUES ('delete', old.id, old.title, {SQL_FUNCTION}(old.text));
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS story_fts_update AFTER UPDATE OF title, text ON story BEGIN
        INSERT INTO story_fts(story_fts, rowid, title, text) VALUES ('delete', old.id, old.title, {SQL_FUNCTION}(old.text));
        INSERT INTO story_fts(rowid, title, text) VALUES (new.id, new.title, {SQL_FUNCTION}(new.text));
    END""",
)
_FTS_OBJECTS = (
    ("TRIGGER", "story_fts_insert"), ("TRIGGER", "story_fts_delete"), ("TRIGGER", "story_fts_update"), ("TABLE", "story_fts"),
)

# A story's text beyond this many characters is not indexed on PostgreSQL: a tsvector holds
# at most 1 MB, and an article is far shorter.
PG_INDEXED_CHARS = 200_000

_PG_EXTENSION_HELP = (
    "full-text search on PostgreSQL needs the unaccent extension, and this role may not create it "
    "({error}); ask the database's owner or a superuser to run, in database {database}: "
    "CREATE EXTENSION unaccent;"
)


def install(conn: Connection) -> None:
    """The full-text index for this engine, created if missing (and, on PostgreSQL, filled)."""
    if conn.dialect.name == "sqlite":
        for statement in FTS_DDL:
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        _install_postgresql(conn)


def reinstall(conn: Connection) -> None:
    """The SQLite index made anew from the stories (schema 7: its content became the view of
    unpacked texts, and its triggers unpack them); nothing on PostgreSQL, whose trigger reads
    the text column, which stays text there."""
    if conn.dialect.name != "sqlite":
        return
    for kind, name in _FTS_OBJECTS:
        conn.execute(text(f"DROP {kind} IF EXISTS {name}"))
    install(conn)
    rebuild(conn)


def rebuild(conn: Connection) -> None:
    """Index every story already stored (an upgrade)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("INSERT INTO story_fts(story_fts) VALUES ('rebuild')"))
    elif conn.dialect.name == "postgresql":
        conn.execute(text("UPDATE story SET title = title"))  # the trigger indexes each row


def _install_postgresql(conn: Connection) -> None:
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    found = conn.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    ).scalar()
    if found is None:
        try:
            with conn.begin_nested():
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
        except DBAPIError as exc:
            error = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise StoreError(_PG_EXTENSION_HELP.format(error=error, database=conn.engine.url.database)) from None
        found = schema
    ext = _ident(found)
    here = _ident(schema)
    conn.execute(text("ALTER TABLE story ADD COLUMN IF NOT EXISTS search tsvector"))
    conn.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {here}.newsdesk_words(value text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
            f"SELECT lower(regexp_replace({ext}.unaccent('{ext}.unaccent'::regdictionary, coalesce(value, '')), "
            "'[^[:alnum:]]+', ' ', 'g')) $$"
        )
    )
    conn.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {here}.newsdesk_story_search() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN NEW.search := "
            f"setweight(to_tsvector('simple', {here}.newsdesk_words(NEW.title)), 'A') || "
            f"setweight(to_tsvector('simple', {here}.newsdesk_words(left(NEW.text, {PG_INDEXED_CHARS}))), 'B'); "
            "RETURN NEW; END $$"
        )
    )
    conn.execute(
        text(
            "CREATE OR REPLACE TRIGGER story_search BEFORE INSERT OR UPDATE OF title, text ON story "
            f"FOR EACH ROW EXECUTE FUNCTION {here}.newsdesk_story_search()"
        )
    )
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_story_search ON story USING gin (search)"))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
