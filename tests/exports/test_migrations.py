"""Migrations of the exports, run on a real database: from the state before to the state after."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("exports", "0002_progression")]
AFTER = [("exports", "0003_etat_portail_le")]


@pytest.fixture
def migrate(transactional_db):
    def to(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield to
    to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def day(n: int) -> datetime.datetime:
    return datetime.datetime(2026, 4, n, 9, 0, tzinfo=datetime.UTC)


def test_a_recorded_portal_state_is_dated_from_its_history(migrate):
    apps = migrate(BEFORE)
    Collectivite = apps.get_model("mairie", "Collectivite")
    Export = apps.get_model("exports", "Export")
    HistoricalExport = apps.get_model("exports", "HistoricalExport")
    town = Collectivite.objects.create(code_insee="35288", nom="Saint-Malo", departement="035")

    def export(etat: str, *states: tuple[str, int]) -> int:
        made = Export.objects.create(
            collectivite=town, kind="pecoto", description="Fichier PECOTO — T1 2026",
            statut="termine", termine_le=day(1), etat_portail=etat,
        )  # fmt: skip
        for state, n in states:  # the history simple_history would have written
            HistoricalExport.objects.create(
                id=made.pk, collectivite=town, kind="pecoto", description=made.description,
                cree_le=made.cree_le, statut="termine", etat_portail=state,
                history_date=day(n), history_type="~",
            )  # fmt: skip
        return made.pk

    # Déposé on the 2nd, reçu on the 3rd, its message corrected on the 6th: reçu since the 3rd.
    recu = export("recu", ("", 1), ("depose", 2), ("recu", 3), ("recu", 6))
    no_history = export("depose")
    never = export("", ("", 1))

    apps = migrate(AFTER)

    dates = dict(apps.get_model("exports", "Export").objects.values_list("pk", "etat_portail_le"))
    assert dates == {recu: day(3), no_history: day(1), never: None}
