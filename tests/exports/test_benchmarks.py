"""The list benchmarks' own pieces; the measures themselves run in fresh processes against the
configured database (`manage.py benchmark liste-csv`), not the tests' one."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from electoral.models import Electeur, Inscription
from exports.benchmarks import (
    DATE,
    bare_copy_sql,
    create_voters,
    delete_voters,
    validate_streaming,
)
from exports.liste_electorale import Extraction, write_csv, write_xml
from exports.streaming import no_progress
from mairie.models import Collectivite
from tests.factories import CollectiviteFactory

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="les listes de banc d'essai : PostgreSQL seulement"
)


@postgresql
def test_the_benchmark_voters_make_a_valid_list_and_go_away(db, tmp_path):
    collectivite = CollectiviteFactory(code_insee="98999", nom="Banc d'essai listes")
    create_voters(collectivite, 500)
    extraction = Extraction(collectivite, "p", DATE)
    out = io.BytesIO()
    assert write_csv(extraction, out, no_progress) == 500
    rows = list(csv.reader(io.StringIO(out.getvalue().decode(), newline=""), delimiter=";"))
    assert len(rows) == 501 and {len(row) for row in rows} == {29}
    assert any(row[20].startswith("'=chez") for row in rows)  # formula-like values defused
    bare = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(bare_copy_sql(extraction), bare)
    assert len(list(csv.reader(io.StringIO(bare.getvalue().decode()), delimiter=";"))) == 500
    path = tmp_path / "liste.xml"
    with path.open("wb") as file:
        write_xml(extraction, file, no_progress)
    assert validate_streaming(str(path)) == 500
    delete_voters(collectivite)
    assert not Electeur.objects.exists() and not Inscription.objects.exists()
    assert not Collectivite.objects.filter(code_insee="98999").exists()


@pytest.mark.parametrize("name", ["liste-csv", "liste-xml"])
def test_the_list_benchmarks_need_postgresql(db, name, capsys):
    # The command reports an unavailable benchmark in its table, with the reason.
    with pytest.raises(CommandError, match=name):
        call_command("benchmark", name, "--size", "10")
    reason = "transaction" if connection.vendor == "postgresql" else "PostgreSQL"
    table = capsys.readouterr().out
    assert "| —        | indisponible : " in table and reason in table.split("indisponible")[-1]
