import pytest
from django.db import connection

from electoral.models import Electeur
from mairie.trigram import refresh_after_bulk_load
from tests.factories import CollectiviteFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statistiques du planificateur de PostgreSQL"
)


def _histogram_sizes(*columns: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, COALESCE(array_length(histogram_bounds::text::text[], 1), 0)"
            " FROM pg_stats WHERE tablename = 'electoral_electeur' AND attname = ANY(%s)",
            [list(columns)],
        )
        return dict(cursor.fetchall())


def test_each_column_is_sampled_as_its_target_asks(db):
    # 600 distinct names and search keys: the search key's target (1,000) keeps them all in
    # its histogram, the default target (100) keeps 101 bounds.
    collectivite = CollectiviteFactory()
    Electeur.objects.bulk_create(
        Electeur(
            collectivite=collectivite,
            sexe="F",
            nom_naissance=f"NOM{index:04d}",
            prenoms="Louise",
            recherche=f"nom{index:04d} louise",
        )
        for index in range(600)
    )
    refresh_after_bulk_load(Electeur)
    sizes = _histogram_sizes("nom_naissance", "recherche")
    assert sizes == {"nom_naissance": 101, "recherche": 600}
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'electoral_electeur'")
        assert cursor.fetchone()[0] == 600
