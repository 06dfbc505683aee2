"""Finer planner statistics of the voters' search key: see mairie.trigram.search_statistics."""

from django.db import migrations

from mairie.trigram import search_statistics


class Migration(migrations.Migration):
    dependencies = [("electoral", "0004_electeur_trigram_search")]

    operations = [search_statistics("electoral_electeur", "recherche")]
