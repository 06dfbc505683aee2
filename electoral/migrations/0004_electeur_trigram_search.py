"""Searching voters by any part of their names over a million rows: a trigram index."""

from django.db import migrations

from mairie.trigram import trigram_index


class Migration(migrations.Migration):
    dependencies = [("electoral", "0003_lean_indexes")]

    operations = [trigram_index("electoral_electeur", "recherche")]
