"""Wagtail's database search backend (admin search), safe with two workers on SQLite.

modelsearch's SQLite index reads which index entries exist and then inserts the others,
outside a transaction. When two workers index the same page at once (an editor publishes
while the tasks queued by the first `load_content` still run), both insert and one task
ends FAILED on the unique constraint. Inside one transaction, which on the embedded
database takes the write lock at BEGIN (IMMEDIATE, see cms/settings/base.py), the second
worker waits for the first and then updates the entry. Other databases are unchanged.
"""

from __future__ import annotations

from functools import cache

from django.db import connection, transaction
from modelsearch.backends.database import SearchBackend as database_backend


@cache
def one_transaction_index() -> type:
    # imported only on SQLite: the module needs the SQLite full-text index model
    from modelsearch.backends.database.sqlite.sqlite import SQLiteIndex

    class OneTransactionIndex(SQLiteIndex):
        def add_items(self, model, objs):
            with transaction.atomic(using=self.write_connection.alias):
                super().add_items(model, objs)

    return OneTransactionIndex


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend module
    backend = database_backend(params)
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if isinstance(backend, SQLiteSearchBackend):
            backend.index_class = one_transaction_index()
    return backend
