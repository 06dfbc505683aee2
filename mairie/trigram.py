"""Trigram indexes for the LIKE '%…%' name searches over large tables, on PostgreSQL only
(contrib extension pg_trgm, trusted: the database owner may create it); SQLite scans."""

from django.db import connection, migrations


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


def search_statistics(table: str, column: str, target: int = 1000) -> migrations.RunPython:
    """A migration operation sampling `column` ten times more for the planner. PostgreSQL
    estimates LIKE '%…%' by matching the pattern against the column's histogram: with the
    default 100 entries, any word found in none of them reads as 0.01 % of the rows ("PIERRE":
    98 voters estimated out of a million, 24,000 found), and the page sorts them all instead
    of walking the name index. With 1,000 entries, common words are seen as common."""

    def statement(value: str):
        def run(apps, schema_editor) -> None:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {value}"
                )
                schema_editor.execute(f"ANALYZE {table}")

        return run

    return migrations.RunPython(statement(str(target)), statement("-1"), elidable=False)


def refresh_after_bulk_load(*models) -> None:
    """What autovacuum does after a bulk load, done now: the planner's statistics of the tables
    and, on PostgreSQL, the trigram indexes' pending entries merged."""
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if connection.vendor != "postgresql":
                cursor.execute(f"ANALYZE {table}")
                continue
            for columns in _sampled_alike(cursor, table):
                cursor.execute(f"ANALYZE {table} ({', '.join(columns)})")
            cursor.execute(
                "SELECT gin_clean_pending_list(indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND c.relname LIKE %s",
                [table, "%trgm"],
            )


def _sampled_alike(cursor, table: str) -> list[list[str]]:
    """The table's columns grouped by statistics target, the default's first. One ANALYZE
    samples 300 rows per unit of the highest target for every column: with the search key at
    1,000 (search_statistics), 300,000 rows of thirty columns (6.3 s on a million voters). By
    groups, each column is sampled as its target asks and gets the same statistics (1.4 s)."""
    cursor.execute(
        "SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = %s::regclass"
        " AND attnum > 0 AND NOT attisdropped ORDER BY attstattarget <> -1, attstattarget, attnum",
        [table],
    )
    groups: dict[int, list[str]] = {}
    for name, target in cursor.fetchall():
        groups.setdefault(target, []).append(connection.ops.quote_name(name))
    return list(groups.values())
