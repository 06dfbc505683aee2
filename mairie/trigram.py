"""Trigram indexes for the LIKE '%…%' name searches over large tables, on PostgreSQL only
(contrib extension pg_trgm, trusted: the database owner may create it); SQLite scans."""

from django.db import migrations


def trigram_index(table: str, column: str) -> migrations.RunPython:
    """A migration operation creating (and, backwards, dropping) the index."""
    name = f"{table}_{column}_trgm"

    def create(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
