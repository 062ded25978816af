"""Append-only tables on SQLite: their update triggers, put back after every migrate.

PostgreSQL keeps a table's triggers through ALTER TABLE. SQLite cannot alter most things in
place: Django rebuilds the table (new table, copy, rename), and the rebuild drops its triggers.
Any later migration that touches an append-only table — a new choice, a changed default —
would then silently let its rows be edited there. So each app that keeps such a table declares
it here, and after every migrate the trigger is (re)created if missing. PostgreSQL's triggers
come from the apps' migrations and are left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

# table → the message the trigger aborts an UPDATE with.
SQLITE_APPEND_ONLY: dict[str, str] = {}


def declare(table: str, message: str) -> None:
    SQLITE_APPEND_ONLY[table] = message


def restore_triggers(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: CREATE TRIGGER IF NOT EXISTS for each declared table (SQLite)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, message in SQLITE_APPEND_ONLY.items():
            if table not in existing:
                continue
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
