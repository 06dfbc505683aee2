"""Finer planner statistics of the registrants' search key: see
mairie.trigram.search_statistics."""

from django.db import migrations

from mairie.trigram import search_statistics


class Migration(migrations.Migration):
    dependencies = [("recensement", "0004_list_indexes")]

    operations = [search_statistics("recensement_recense", "recherche")]
