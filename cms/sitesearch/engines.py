"""The database's own full-text engine over the Sudachi-analysed terms.

Pages are analysed once, on publish (ranking.document_fields); the engine stores
those terms and answers "which pages share these terms, best first" from its own
index, so no worker holds the site in memory and a publish touches one row:

- SQLite (the embedded default): an FTS5 table, one column per field, ranked with
  `bm25()` and per-column weights (title > FAQ > summary > body).
- PostgreSQL (production): a `tsvector` per page with weights A–D per field, a GIN
  index and `ts_rank` with the same weights, using the 'simple' configuration
  because the terms arrive already analysed.

Each analysed term ("w:住民票", "g:じゅ") is stored as an opaque token of ASCII
letters (its kind and a hash), so no engine's own tokenizer, stemmer or parser can
split or change it: the engine sees exactly the terms the ranking sees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Protocol

from django.db import connection as default_connection

FIELDS = ("title", "faq", "summary", "body")
# bm25() column weights for FTS5, the same proportions as ranking.FIELD_WEIGHTS.
FTS5_WEIGHTS = (3.0, 2.0, 1.2, 0.5)
# PostgreSQL: field → tsvector weight label, and ts_rank's weights in {D, C, B, A} order.
PG_LABELS = {"title": "A", "faq": "B", "summary": "C", "body": "D"}
PG_RANK_WEIGHTS = "{0.17, 0.4, 0.67, 1.0}"
_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def token(term: str) -> str:
    """'w:住民票' → 'w' + 16 letters: stable across processes, safe in any tokenizer."""
    kind, _, value = term.partition(":")
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).hexdigest()
    return (kind or "x")[:1] + digest.translate(_HEX_TO_LETTERS)


def field_text(counts: Mapping[str, int]) -> str:
    """One field's terms as tokens, each repeated as often as it occurs (the engines' tf)."""
    return " ".join(" ".join([token(term)] * min(int(tf), 64)) for term, tf in counts.items())


class Engine(Protocol):
    name: str

    def install(self) -> None: ...
    def clear(self) -> None: ...
    def put(self, page_id: int, fields: Mapping[str, Mapping[str, int]]) -> None: ...
    def remove(self, page_id: int) -> bool: ...
    def candidates(self, tokens: Iterable[str], limit: int,
                   fields: tuple[str, ...] = ()) -> list[int]: ...


class Fts5Engine:
    """SQLite FTS5: `rowid` is the page id; columns are the fields."""

    name = "sqlite-fts5"
    table = "sitesearch_fts"

    def __init__(self, connection=default_connection):
        self.connection = connection

    def install(self) -> None:
        with self.connection.cursor() as cur:
            cur.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5("
                        f"{', '.join(FIELDS)}, tokenize='ascii')")

    def clear(self) -> None:
        with self.connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table}")

    def put(self, page_id: int, fields: Mapping[str, Mapping[str, int]]) -> None:
        with self.connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE rowid = %s", [page_id])
            cur.execute(f"INSERT INTO {self.table} (rowid, {', '.join(FIELDS)}) "
                        f"VALUES (%s, %s, %s, %s, %s)",
                        [page_id, *(field_text(fields.get(f, {})) for f in FIELDS)])

    def remove(self, page_id: int) -> bool:
        """True when the page had an entry (so its term counts were still counted)."""
        with self.connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE rowid = %s", [page_id])
            return cur.rowcount > 0

    def candidates(self, tokens: Iterable[str], limit: int,
                   fields: tuple[str, ...] = ()) -> list[int]:
        """Best first by bm25(); with `fields`, pages matching in those fields only."""
        match = " OR ".join(f'"{t}"' for t in dict.fromkeys(tokens))
        if not match:
            return []
        if fields:
            match = f"{{{' '.join(fields)}}} : ({match})"
        weights = ", ".join(str(w) for w in FTS5_WEIGHTS)
        with self.connection.cursor() as cur:
            cur.execute(f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s "
                        f"ORDER BY bm25({self.table}, {weights}) LIMIT %s", [match, limit])
            return [row[0] for row in cur.fetchall()]


class PostgresEngine:
    """PostgreSQL full-text search: one weighted tsvector per page, GIN-indexed."""

    name = "postgresql-tsvector"
    table = "sitesearch_tsvector"

    def __init__(self, connection=default_connection):
        self.connection = connection

    def install(self) -> None:
        # No foreign key to the page table: Django's test flush truncates its own tables
        # only, and rows for pages that no longer have a SearchDocument are ignored.
        with self.connection.cursor() as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {self.table} ("
                        "page_id integer PRIMARY KEY, terms tsvector NOT NULL)")
            cur.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_terms ON {self.table} "
                        "USING gin (terms)")

    def clear(self) -> None:
        with self.connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table}")

    def put(self, page_id: int, fields: Mapping[str, Mapping[str, int]]) -> None:
        vector = " || ".join(f"setweight(to_tsvector('simple', %s), '{PG_LABELS[f]}')"
                             for f in FIELDS)
        with self.connection.cursor() as cur:
            cur.execute(f"INSERT INTO {self.table} (page_id, terms) VALUES (%s, {vector}) "
                        "ON CONFLICT (page_id) DO UPDATE SET terms = EXCLUDED.terms",
                        [page_id, *(field_text(fields.get(f, {})) for f in FIELDS)])

    def remove(self, page_id: int) -> bool:
        """True when the page had an entry (so its term counts were still counted)."""
        with self.connection.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE page_id = %s", [page_id])
            return cur.rowcount > 0

    def candidates(self, tokens: Iterable[str], limit: int,
                   fields: tuple[str, ...] = ()) -> list[int]:
        """Best first by ts_rank; with `fields`, pages matching in those fields only."""
        labels = "".join(PG_LABELS[f] for f in fields)
        query = " | ".join(f"{t}:{labels}" if labels else t for t in dict.fromkeys(tokens))
        if not query:
            return []
        with self.connection.cursor() as cur:
            cur.execute(f"SELECT page_id FROM {self.table}, to_tsquery('simple', %s) q "
                        f"WHERE terms @@ q ORDER BY ts_rank('{PG_RANK_WEIGHTS}', terms, q) "
                        "DESC, page_id LIMIT %s", [query, limit])
            return [row[0] for row in cur.fetchall()]


def database_engine(connection=default_connection) -> Engine:
    """The full-text engine of the database Django talks to (chosen from its vendor)."""
    if connection.vendor == "postgresql":
        return PostgresEngine(connection)
    if connection.vendor == "sqlite":
        return Fts5Engine(connection)
    raise NotImplementedError(f"site search has no full-text engine for {connection.vendor}")
