import importlib

from django.apps import apps
from django.core.management import call_command

from mairie.management.commands.import_cog import BUNDLED
from mairie.models import Pays

migration = importlib.import_module("mairie.migrations.0003_pays_wrong_codes")


def previous_row(code: str, libcog: str, libenr: str, iso3: str) -> Pays:
    """A row as the previous bundled pays.csv had it: every row a country (ACTUAL 1)."""
    return Pays.objects.create(code=code, actual="1", libcog=libcog, libenr=libenr, codeiso3=iso3)


def test_it_removes_the_rows_the_previous_bundled_file_got_wrong(db, capsys):
    danemark = previous_row("99101", "DANEMARK", "Danemark", "DNK")
    previous_row("99101", "ILES FEROE", "Îles Féroé", "FRO")
    previous_row("99132", "JERSEY", "Jersey", "JEY")
    previous_row("99135", "ARUBA", "Aruba", "ABW")
    migration.remove_wrong_rows(apps, None)
    assert list(Pays.objects.values_list("pk", flat=True)) == [danemark.pk]
    out = capsys.readouterr().out
    assert "3 lignes erronées de l'ancien fichier livré supprimées" in out
    assert "Îles Féroé (99101), Jersey (99132), Aruba (99135)" in out
    assert "manage.py verifier_codes_pays" in out


def test_it_keeps_rows_imported_from_insee_files(db, capsys):
    call_command("import_cog", "--pays", str(BUNDLED / "pays.csv"))
    # A territory without its own code, as INSEE's full file lists them.
    Pays.objects.create(
        code="99425", actual="3", crpay="99132", libcog="ANGUILLA", libenr="Anguilla"
    )
    capsys.readouterr()
    migration.remove_wrong_rows(apps, None)
    assert Pays.objects.count() == 230
    assert capsys.readouterr().out == ""


def test_after_it_the_bundled_import_leaves_one_row_per_code(db):
    for row in migration.WRONG_ROWS:
        previous_row(*row)
    previous_row("99101", "DANEMARK", "Danemark", "DNK")
    migration.remove_wrong_rows(apps, None)
    call_command("import_cog", "--pays", str(BUNDLED / "pays.csv"))
    assert Pays.objects.count() == 229
    assert list(Pays.objects.filter(code="99132").values_list("libenr", flat=True)) == [
        "Royaume-Uni"
    ]
