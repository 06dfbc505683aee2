"""Searching voters by any part of their names (LIKE '%…%') over a million rows: a trigram
index on PostgreSQL (contrib extension pg_trgm, trusted: the database owner may create it).
SQLite keeps the plain scan."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS electoral_electeur_recherche_trgm "
        "ON electoral_electeur USING gin (recherche gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS electoral_electeur_recherche_trgm")


class Migration(migrations.Migration):
    dependencies = [("electoral", "0003_lean_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
