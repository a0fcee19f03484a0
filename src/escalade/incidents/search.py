"""Full-text search over incidents: word-prefix matching, accent- and case-insensitive,
backed by an index on each database (SQLite FTS5, PostgreSQL GIN over a tsvector).

The indexed text is `Incident.search_text`, normalized by `normalize()`; the index
itself is created by migration 0002_search."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from escalade.core.text import normalize, words


def index_text(text: str) -> str:
    """What is indexed: the words alone ('CCT-2026-000012' -> 'cct 2026 000012'), so that
    both databases' tokenizers see the same words."""
    return " ".join(words(text, limit=None))


def matches(query: str):
    """A boolean expression for QuerySet.filter(): every word of `query` starts a word
    of the incident's text. None when the query has no word."""
    terms = words(query)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        return RawSQL(
            "to_tsvector('simple', \"incidents_incident\".\"search_text\") @@ to_tsquery('simple', %s)",
            [" & ".join(f"{t}:*" for t in terms)],
            output_field=BooleanField(),
        )
    if connection.vendor == "sqlite":
        return RawSQL(
            '"incidents_incident"."id" IN (SELECT rowid FROM incidents_incident_fts '
            "WHERE incidents_incident_fts MATCH %s)",
            [" ".join(f'"{t}"*' for t in terms)],
            output_field=BooleanField(),
        )
    return None  # other databases: the caller falls back to substring matching


SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS incidents_incident_fts USING fts5("
    "search_text, content='incidents_incident', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS incidents_incident_fts_ai AFTER INSERT ON incidents_incident BEGIN "
    "INSERT INTO incidents_incident_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS incidents_incident_fts_ad AFTER DELETE ON incidents_incident BEGIN "
    "INSERT INTO incidents_incident_fts(incidents_incident_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS incidents_incident_fts_au AFTER UPDATE OF search_text ON incidents_incident BEGIN "
    "INSERT INTO incidents_incident_fts(incidents_incident_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO incidents_incident_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO incidents_incident_fts(incidents_incident_fts) VALUES ('rebuild')",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS incidents_incident_fts_ai",
    "DROP TRIGGER IF EXISTS incidents_incident_fts_ad",
    "DROP TRIGGER IF EXISTS incidents_incident_fts_au",
    "DROP TABLE IF EXISTS incidents_incident_fts",
]
POSTGRES_SETUP = [
    "CREATE INDEX IF NOT EXISTS incidents_incident_search ON incidents_incident "
    "USING gin (to_tsvector('simple', search_text))",
]
POSTGRES_TEARDOWN = ["DROP INDEX IF EXISTS incidents_incident_search"]

__all__ = ["ensure_index", "index_text", "matches", "normalize", "words"]


def ensure_index(connection) -> None:
    """Create the search index where it is missing (after every migrate).

    On SQLite, Django rebuilds a table for some schema changes, which drops the FTS
    triggers with it: they are put back here and the index rebuilt from the table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'incidents_incident_fts_%'"
            )
            if cursor.fetchone()[0] == 3:
                return
            for sql in SQLITE_SETUP:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            for sql in POSTGRES_SETUP:
                cursor.execute(sql)
