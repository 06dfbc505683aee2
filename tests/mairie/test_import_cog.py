from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mairie.management.commands.import_cog import BUNDLED
from mairie.models import Commune, Departement, Pays, Region

COMMUNES_HEADER = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT"
PAYS_HEADER = "COG,ACTUAL,CRPAY,ANI,LIBCOG,LIBENR,CODEISO2,CODEISO3,CODENUM3"


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def cog_files(tmp_path):
    return {
        "regions": write(
            tmp_path,
            "regions.csv",
            "REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE",
            "53,35238,0,BRETAGNE,Bretagne,Bretagne",
            "94,2A004,0,CORSE,Corse,Corse",
        ),
        "departements": write(
            tmp_path,
            "departements.csv",
            "DEP,REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE",
            "35,53,35238,1,ILLE ET VILAINE,Ille-et-Vilaine,Ille-et-Vilaine",
            "2A,94,2A004,3,CORSE DU SUD,Corse-du-Sud,La Corse-du-Sud",
        ),
        "communes": write(
            tmp_path,
            "communes.csv",
            COMMUNES_HEADER,
            "COM,35288,53,35,,,0,SAINT MALO,Saint-Malo,Saint-Malo,,",
            "COM,2A004,94,2A,,,1,AJACCIO,Ajaccio,Ajaccio,,",
            "COM,94038,11,94,,,3,HAY LES ROSES,Haÿ-les-Roses,L'Haÿ-les-Roses,,",
            "COMD,35288,53,35,,,0,SAINT MALO,Saint-Malo,Saint-Malo,,35288",
            "SRM,13055SR01,93,13,,,0,MARSEILLE 1ER SECTEUR,Marseille — 1er secteur,"
            "Marseille — 1er secteur,,13055",
        ),
        "pays": write(
            tmp_path,
            "pays.csv",
            PAYS_HEADER,
            "99101,1,,,DANEMARK,Danemark,DK,DNK,208",
            "99158,4,99101,,FEROE,Féroé,FO,FRO,234",
            "99134,1,,,ESPAGNE,Espagne,ES,ESP,724",
        ),
    }


def options(files: dict[str, Path]) -> list[str]:
    return [arg for name, path in files.items() for arg in (f"--{name}", str(path))]


def test_it_imports_the_four_files_and_reports_counts(db, cog_files, capsys):
    call_command("import_cog", *options(cog_files))
    out = capsys.readouterr().out
    assert "communes : 5 lignes, 5 créées, 0 mises à jour, 0 inchangées" in out
    assert "pays : 3 lignes, 3 créées" in out
    assert Region.objects.count() == 2
    assert Departement.objects.get(code="2A").libelle == "La Corse-du-Sud"
    haÿ = Commune.objects.get(code="94038")
    assert (haÿ.libelle, haÿ.departement_code, haÿ.recherche) == (
        "L'Haÿ-les-Roses",
        "94",
        "L HAY LES ROSES",
    )
    assert Commune.objects.filter(code="35288").count() == 2  # the COM and its COMD
    feroe = Pays.objects.get(code="99158")
    assert (feroe.libenr, feroe.actual, feroe.crpay, feroe.codeiso3) == (
        "Féroé",
        "4",
        "99101",
        "FRO",
    )


def test_running_it_twice_changes_nothing(db, cog_files, capsys):
    call_command("import_cog", *options(cog_files))
    ids = list(Commune.objects.order_by("pk").values_list("pk", flat=True))
    call_command("import_cog", *options(cog_files))
    assert "communes : 5 lignes, 0 créées, 0 mises à jour, 5 inchangées" in capsys.readouterr().out
    assert list(Commune.objects.order_by("pk").values_list("pk", flat=True)) == ids


def test_it_updates_a_renamed_commune_and_keeps_those_absent_from_the_file(
    db, cog_files, tmp_path, capsys
):
    call_command("import_cog", *options(cog_files))
    newer = write(
        tmp_path,
        "communes-2027.csv",
        COMMUNES_HEADER,
        "COM,35288,53,35,,,0,SAINT MALO DE LA MER,Saint-Malo-de-la-Mer,Saint-Malo-de-la-Mer,,",
    )
    call_command("import_cog", "--communes", str(newer))
    assert "1 lignes, 0 créées, 1 mises à jour, 0 inchangées" in capsys.readouterr().out
    commune = Commune.objects.get(typecom="COM", code="35288")
    assert (commune.libelle, commune.recherche) == ("Saint-Malo-de-la-Mer", "SAINT MALO DE LA MER")
    assert Commune.objects.count() == 5


def test_it_rejects_a_file_with_a_wrong_header(db, tmp_path):
    path = write(tmp_path, "communes.csv", "code,nom", "35288,Saint-Malo")
    with pytest.raises(CommandError, match="communes.csv : en-tête inattendu « code,nom »"):
        call_command("import_cog", "--communes", str(path))


def test_it_rejects_a_pays_file_given_as_communes(db, cog_files):
    with pytest.raises(CommandError, match="en-tête inattendu"):
        call_command("import_cog", "--communes", str(cog_files["pays"]))


def test_it_imports_nothing_when_one_file_is_bad(db, cog_files, tmp_path):
    cog_files["pays"] = write(tmp_path, "pays-bad.csv", PAYS_HEADER, "99134,1,,,ESPAGNE,Espagne")
    with pytest.raises(CommandError, match=r"pays-bad.csv, ligne 2 : 6 colonnes au lieu de 9"):
        call_command("import_cog", *options(cog_files))
    assert not Commune.objects.exists()
    assert not Region.objects.exists()


def test_it_names_the_line_of_a_value_too_long(db, tmp_path):
    path = write(tmp_path, "regions.csv", "REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE", "530,1,0,A,A,A")
    with pytest.raises(CommandError, match=r"regions.csv, ligne 2 : « 530 » dépasse 2 caractères"):
        call_command("import_cog", "--regions", str(path))


def test_it_refuses_a_code_present_twice(db, tmp_path):
    path = write(
        tmp_path,
        "regions.csv",
        "REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE",
        "53,35238,0,BRETAGNE,Bretagne,Bretagne",
        "53,35238,0,BRETAGNE,Bretagne,Bretagne",
    )
    with pytest.raises(CommandError, match="ligne 3 : 53 figure deux fois"):
        call_command("import_cog", "--regions", str(path))


def test_it_refuses_a_file_that_is_not_utf8(db, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes("REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE\n53,1,0,A,Érable,B\n".encode("cp1252"))
    with pytest.raises(CommandError, match="n'est pas en UTF-8"):
        call_command("import_cog", "--regions", str(path))


def test_it_accepts_insee_files_with_a_byte_order_mark(db, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(
        "REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE\n53,35238,0,B,B,B\n", encoding="utf-8-sig"
    )
    call_command("import_cog", "--regions", str(path))
    assert Region.objects.filter(code="53").exists()


def test_it_asks_for_at_least_one_file(db):
    with pytest.raises(CommandError, match="au moins un fichier"):
        call_command("import_cog")


def test_it_reports_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="fichier illisible"):
        call_command("import_cog", "--pays", str(tmp_path / "absent.csv"))


def test_the_bundled_files_hold_the_whole_cog(db, capsys):
    call_command("import_cog", "--bundled")
    out = capsys.readouterr().out
    for line in [
        "regions : 18 lignes",
        "departements : 101 lignes",
        "communes : 37530 lignes",
        "pays : 229 lignes",
    ]:
        assert line in out


def test_the_bundled_countries_are_insee_2025_codes(db):
    call_command("import_cog", "--pays", str(BUNDLED / "pays.csv"))
    assert Pays.objects.count() == 229
    rows = {
        pays.code: (pays.libenr, pays.actual, pays.crpay, pays.codeiso3)
        for pays in Pays.objects.filter(code__in=["99101", "99132", "99157", "99158", "99431"])
    }
    assert rows == {
        "99101": ("Danemark", "1", "", "DNK"),
        "99132": ("Royaume-Uni", "1", "", "GBR"),
        "99157": ("Kosovo", "1", "", ""),  # INSEE gives Kosovo no ISO code
        "99158": ("Féroé", "4", "99101", "FRO"),
        "99431": ("Aruba", "4", "99135", "ABW"),
    }
    crown = Pays.objects.get(code="99161")
    assert (crown.libenr, crown.crpay) == ("Dépendances de la Couronne britannique", "99132")


def test_reimporting_the_bundled_countries_changes_nothing(db, capsys):
    call_command("import_cog", "--pays", str(BUNDLED / "pays.csv"))
    ids = list(Pays.objects.order_by("pk").values_list("pk", "code", "libcog"))
    call_command("import_cog", "--pays", str(BUNDLED / "pays.csv"))
    out = capsys.readouterr().out
    assert "pays : 229 lignes, 0 créées, 0 mises à jour, 229 inchangées" in out
    assert list(Pays.objects.order_by("pk").values_list("pk", "code", "libcog")) == ids


def test_a_country_renamed_under_its_code_is_updated_in_place(db, tmp_path, capsys):
    previous = write(
        tmp_path,
        "pays-avant.csv",
        PAYS_HEADER,
        '99123,1,,,"RUSSIE, FEDERATION DE","Russie, Fédération de",RU,RUS,643',
        "99133,1,,,GIBRALTAR,Gibraltar,GI,GIB,292",
        "99134,1,,,ESPAGNE,Espagne,ES,ESP,724",
    )
    call_command("import_cog", "--pays", str(previous))
    before = dict(Pays.objects.values_list("code", "pk"))
    call_command("import_cog", "--pays", str(BUNDLED / "pays.csv"))
    assert "pays : 229 lignes, 226 créées, 2 mises à jour, 1 inchangées" in capsys.readouterr().out
    russie, gibraltar = Pays.objects.get(code="99123"), Pays.objects.get(code="99133")
    assert (russie.pk, russie.libcog, russie.libenr) == (before["99123"], "RUSSIE", "Russie")
    assert (gibraltar.pk, gibraltar.actual, gibraltar.crpay) == (before["99133"], "4", "99132")
    assert gibraltar.libenr == "Territoires britanniques en Méditerranée"
    assert Pays.objects.get(code="99134").pk == before["99134"]


def test_a_code_with_several_rows_gets_a_new_row_rather_than_renaming_one(db, tmp_path):
    previous = write(
        tmp_path,
        "pays-avant.csv",
        PAYS_HEADER,
        "99425,3,99132,,ANGUILLA,Anguilla,AI,AIA,660",
        "99425,3,99132,,BERMUDES,Bermudes,BM,BMU,060",
    )
    call_command("import_cog", "--pays", str(previous))
    newer = write(
        tmp_path,
        "pays-2025.csv",
        PAYS_HEADER,
        "99425,4,99132,,TERRITOIRES BRITANNIQUES DANS LES ANTILLES ET BERMUDES,"
        "Territoires britanniques dans les Antilles et Bermudes,,,",
    )
    call_command("import_cog", "--pays", str(newer))
    assert sorted(Pays.objects.filter(code="99425").values_list("libenr", flat=True)) == [
        "Anguilla",
        "Bermudes",
        "Territoires britanniques dans les Antilles et Bermudes",
    ]
