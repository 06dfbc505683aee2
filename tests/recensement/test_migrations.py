"""Migrations of the registrants, run on a real database: from the state before to the state
after."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("recensement", "0007_recense_name_rule")]
AFTER = [("recensement", "0008_recense_cree_le_modifie_le")]


@pytest.fixture
def migrate(transactional_db):
    def to(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield to
    to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_registrants_dates_keep_their_values_under_their_french_names(migrate):
    apps = migrate(BEFORE)
    Collectivite = apps.get_model("mairie", "Collectivite")
    Recense = apps.get_model("recensement", "Recense")
    town = Collectivite.objects.create(code_insee="35288", nom="Saint-Malo", departement="035")
    saisi = datetime.datetime(2025, 11, 3, 9, 30, tzinfo=datetime.UTC)
    modifie = datetime.datetime(2026, 1, 5, 14, 0, tzinfo=datetime.UTC)
    recense = Recense.objects.create(
        collectivite=town,
        date_recensement=datetime.date(2025, 11, 3),
        annee=2025,
        trimestre=4,
        sexe="F",
        nom_naissance="DURAND",
        prenoms="Chloé",
        date_naissance=datetime.date(2009, 10, 1),
    )
    Recense.objects.filter(pk=recense.pk).update(created_at=saisi, updated_at=modifie)

    apps = migrate(AFTER)

    dates = apps.get_model("recensement", "Recense").objects.values_list("cree_le", "modifie_le")
    assert list(dates) == [(saisi, modifie)]
