"""Wagtail's database search backend (admin search), safe with two workers on SQLite.

modelsearch's SQLite index reads which index entries exist and then inserts the others,
outside a transaction. When two workers index the same page at once (an editor publishes
while the tasks queued by the first `load_content` still run), both insert and one task
ends FAILED on the unique constraint. Inside one transaction, which on the embedded
database takes the write lock at BEGIN (IMMEDIATE, see cms/settings/base.py), the second
worker waits for the first and then updates the entry. Other databases are unchanged.
"""

from __future__ import annotations

from django.db import connection, transaction
from modelsearch.backends.database import SearchBackend as database_backend


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    backend = database_backend(params)
    if connection.vendor != "sqlite":
        return backend
    # Imported only on SQLite: the module looks up an SQLite-only model when imported,
    # which fails on PostgreSQL.
    from modelsearch.backends.database.sqlite.sqlite import SQLiteIndex, SQLiteSearchBackend

    class OneTransactionIndex(SQLiteIndex):
        def add_items(self, model, objs):
            with transaction.atomic(using=self.write_connection.alias):
                super().add_items(model, objs)

    if isinstance(backend, SQLiteSearchBackend):
        backend.index_class = OneTransactionIndex
    return backend
