"""The electoral list files: the same bytes from the COPY path (PostgreSQL) and the Python path
(SQLite); the suite runs on both databases against the same golden files."""

import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from lxml import etree

from electoral import services
from electoral.extraction import liste_a_date
from electoral.models import Liste, MotifInscription
from exports.liste_electorale import (
    MAX_PROBLEMS,
    MISSING,
    Extraction,
    schema,
    write_csv,
    write_xml,
)
from exports.models import Export
from exports.services import ExportRefused, run_export
from exports.streaming import no_progress
from mairie.problems import Problem
from tests.conftest import stored
from tests.exports import liste_data
from tests.factories import BureauFactory, ElecteurFactory

GOLDEN = Path(__file__).parent / "golden"
DOC = Path(__file__).parents[3] / "shared" / "docs" / "electoral-exports.md"
# The arrêté's header (art. 4), column by column.
ARRETE_HEADER = [
    "TypeListe", "InfoListe", "DateCreationListe", "CodeDepartement", "CodeCommune",
    "NomCommune", "NoElecteurGeneral", "Sexe", "NomdeNaissance", "NomDusage", "Prenoms",
    "DateDeNaissance", "NomComNaissance", "DeptNaissance", "PaysNaissance", "Nationalite",
    "NomBureauDeVote", "NoBureauDeVote", "CodeCanton", "CodeCirconscription",
    "ComplementDeLocalisation1", "ComplementDeLocalisation2", "NumeroVoie", "TypeVoie",
    "LibelleVoie", "LieuDit", "CodePostal", "VilleLocalite", "Pays",
]  # fmt: skip


@pytest.fixture
def people(side_a):
    return liste_data.build(side_a.collectivite)


def csv_of(extraction: Extraction) -> bytes:
    out = io.BytesIO()
    write_csv(extraction, out, no_progress)
    return out.getvalue()


def xml_of(extraction: Extraction) -> bytes:
    out = io.BytesIO()
    write_xml(extraction, out, no_progress)
    return out.getvalue()


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";"))


def canonical(data: bytes) -> bytes:
    return etree.tostring(etree.fromstring(data), method="c14n")


def test_the_header_is_the_arretes_column_by_column(side_a):
    header = csv_of(Extraction(side_a.collectivite, Liste.PRINCIPALE, liste_data.DATE))
    assert header.endswith(b"\r\n") and header.count(b"\n") == 1  # an empty list: header alone
    names = header.decode().removesuffix("\r\n").split(";")
    assert len(names) == 29
    for position, (name, expected) in enumerate(zip(names, ARRETE_HEADER, strict=True), 1):
        assert name == expected, f"colonne {position}"


@pytest.mark.skipif(not DOC.exists(), reason="documentation partagée absente")
def test_the_header_is_the_documented_table():
    table = [
        line.split("|")[2].strip()
        for line in DOC.read_text().split("## 2.")[0].splitlines()
        if line.startswith("| ") and line.split("|")[1].strip().isdigit()
    ]
    assert table == ARRETE_HEADER


@pytest.mark.parametrize("liste", ["p", "ce"])
def test_the_csv_is_the_golden_one(side_a, people, liste):
    data = csv_of(Extraction(side_a.collectivite, liste, liste_data.DATE))
    assert data == (GOLDEN / f"liste-{liste}-35288-20260310.csv").read_bytes()


@pytest.mark.parametrize("liste", ["p", "ce", "cm"])
def test_info_liste_is_the_type_of_file_liste_electorale(side_a, people, liste):
    for bureau in (None, people["gymnase"]):
        extraction = Extraction(side_a.collectivite, liste, liste_data.DATE, bureau)
        rows = rows_of(csv_of(extraction))
        assert len(rows) > 1 and {row[1] for row in rows[1:]} == {"liste électorale"}
        root = etree.fromstring(xml_of(extraction))
        assert root.findtext("InfoListe") == "liste électorale"


def test_lines_end_with_crlf_and_a_line_break_inside_a_value_stays_data(side_a, people):
    data = csv_of(Extraction(side_a.collectivite, Liste.PRINCIPALE, liste_data.DATE))
    assert data.count(b"\r\n") == 7  # header and 6 voters
    assert b'"Ligne 1\nLigne 2"' in data
    rows = rows_of(data)
    assert [len(row) for row in rows] == [29] * 7
    assert rows[4][21] == "Ligne 1\nLigne 2"


def test_nationality_only_on_the_complementary_lists(side_a, people):
    principale = rows_of(csv_of(Extraction(side_a.collectivite, "p", liste_data.DATE)))
    assert {row[15] for row in principale[1:]} == {""}  # ABADIE is "Française"
    for liste in ("ce", "cm"):
        rows = rows_of(csv_of(Extraction(side_a.collectivite, liste, liste_data.DATE)))
        assert [(row[0], row[8], row[15]) for row in rows[1:]] == [(liste, "DUVAL", "Allemande")]


@pytest.mark.parametrize(
    ("code", "departement", "pays", "written"),
    [
        ("99109", "", "Allemagne", "99"),
        ("", "099", "Allemagne", "99"),
        ("", "", "ALLEMAGNE", "99"),
        ("99109", "035", "Allemagne", "99"),
        ("35238", "035", "France", "35"),
        ("2A004", "02A", "France", "2A"),
        ("97105", "971", "France", "971"),
    ],
)
def test_a_birth_abroad_is_written_departement_99_as_insee_writes_it(
    side_a, people, code, departement, pays, written
):
    duval = people["duval"]
    duval.naissance_code_lieu, duval.naissance_departement = code, departement
    duval.naissance_pays = pays
    duval.save()
    for liste in ("ce", "cm"):
        extraction = Extraction(side_a.collectivite, liste, liste_data.DATE)
        rows = rows_of(csv_of(extraction))
        assert [(row[8], row[13]) for row in rows[1:]] == [("DUVAL", written)]
        xml = etree.fromstring(xml_of(extraction))
        assert xml.xpath("//Electeur/DeptNaissance/text()") == [written]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("a;b", "a;b"),
        ('dit "le grand"', 'dit "le grand"'),
        ("ligne 1\nligne 2", "ligne 1\nligne 2"),
        ("ligne 1\r\nligne 2", "ligne 1\r\nligne 2"),
        ('=HYPERLINK("http://x";"y")', '\'=HYPERLINK("http://x";"y")'),
        ("+33 6", "'+33 6"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("|calc", "'\\|calc"),
        ("%0A", "'%0A"),
        ("-12", "-12"),
        ("-1,5", "-1,5"),
        ("O'Neil", "O'Neil"),
        ("a=b", "a=b"),
    ],
)
def test_a_value_never_breaks_the_file_nor_becomes_a_formula(side_a, value, written):
    people = liste_data.build(side_a.collectivite)
    people["abadie"].nom_usage = value
    people["abadie"].save()
    data = csv_of(Extraction(side_a.collectivite, "p", liste_data.DATE))
    rows = rows_of(data)
    assert [len(row) for row in rows] == [29] * 7
    assert rows[1][8:10] == ["ABADIE", written]
    record = data.split(b"\r\n")[1] if "\n" not in value else None
    if record is not None and not set(value) & set(';"'):
        assert f";{written};".encode() in record  # quoted only when it has to be


def test_the_list_at_a_date_is_derived_from_inscriptions_and_movements(side_a, people):
    def at(day, bureau=None):
        return {
            i.electeur.nom_naissance: (i.bureau_code, i.numero_a_date)
            for i in liste_a_date(side_a.collectivite, "p", day, bureau).select_related("electeur")
        }

    on_the_day = at(liste_data.DATE)
    assert "ESNAULT" not in on_the_day  # inscribed after the day
    assert on_the_day["FABRE"] == ("0002", 2)  # radiated after the day
    assert "GAUDIN" not in on_the_day  # radiated before the day
    assert on_the_day["GUERIN"] == ("0001", 4)  # moved to 0002 after the day: old bureau, number
    later = at(dt.date(2026, 3, 16))
    assert later["GUERIN"] == ("0002", 2) and "ESNAULT" in later
    assert "FABRE" in later and "FABRE" not in at(dt.date(2026, 3, 20))
    assert set(at(liste_data.DATE, people["ecole"])) == {"ABADIE", "BERTRAND", "GUERIN"}
    assert set(at(dt.date(2026, 3, 16), people["ecole"])) == {"ABADIE", "BERTRAND", "ESNAULT"}
    assert at(dt.date(2024, 12, 31)) == {}


def test_an_empty_list_is_the_header_alone(side_a, people):
    for data in (
        csv_of(Extraction(side_a.collectivite, "p", dt.date(2024, 1, 1))),
        csv_of(Extraction(side_a.collectivite, "cm", liste_data.DATE, people["ecole"])),
    ):
        assert data == (";".join(ARRETE_HEADER) + "\r\n").encode()
    xml = xml_of(Extraction(side_a.collectivite, "p", dt.date(2024, 1, 1)))
    schema().assertValid(etree.fromstring(xml))


def test_the_xml_is_the_golden_one_and_valid(side_a, people):
    data = xml_of(Extraction(side_a.collectivite, "p", liste_data.DATE))
    schema().assertValid(etree.fromstring(data))
    assert canonical(data) == canonical((GOLDEN / "liste-p-35288-20260310.xml").read_bytes())


@pytest.mark.parametrize("liste", ["p", "ce", "cm"])
def test_every_xml_file_is_valid_against_the_schema(side_a, people, liste):
    for bureau in (None, people["ecole"], people["gymnase"]):
        data = xml_of(Extraction(side_a.collectivite, liste, liste_data.DATE, bureau))
        schema().assertValid(etree.fromstring(data))


def test_a_control_character_is_dropped_from_the_xml(side_a, people):
    people["abadie"].nom_usage = "LE\x0bGOFF\x01"
    people["abadie"].save()
    data = xml_of(Extraction(side_a.collectivite, "p", liste_data.DATE))
    schema().assertValid(etree.fromstring(data))
    assert b"<NomDusage>LEGOFF</NomDusage>" in data


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<Sexe>F</Sexe>", b"<Sexe>X</Sexe>"),
        (b"<Prenoms>Yann</Prenoms>", b""),
        (b"<TypeListe>p</TypeListe>", b"<TypeListe>q</TypeListe>"),
        (b"<DateCreationListe>10/03/2026", b"<DateCreationListe>2026-03-10"),
        (b"</AdresseElecteur></Electeur>", b"</AdresseElecteur><Inconnu>1</Inconnu></Electeur>"),
        (b'version="1"', b'version="2"'),
        (b"<DateDeNaissance>04/05/1980</DateDeNaissance>", b""),
        (b"<NomComNaissance>Rennes</NomComNaissance>", b""),
        (b"<DeptNaissance>35</DeptNaissance>", b""),
        (b"<PaysNaissance>France</PaysNaissance>", b""),
        (
            "<InfoListe>liste électorale</InfoListe>".encode(),
            b"<InfoListe>Liste principale au 10/03/2026</InfoListe>",
        ),
        (b"<NomDusage>LE GOFF</NomDusage>", b"<NomDusage></NomDusage>"),
    ],
)
def test_the_schema_rejects_a_broken_file(side_a, people, old, new):
    data = xml_of(Extraction(side_a.collectivite, "p", liste_data.DATE))
    assert old in data
    broken = etree.fromstring(data.replace(old, new, 1))
    assert not schema().validate(broken)


def test_the_golden_voters_are_complete_though_most_have_no_nom_dusage(side_a, people):
    for liste in ("p", "ce", "cm"):
        for bureau in (None, people["ecole"], people["gymnase"]):
            assert Extraction(side_a.collectivite, liste, liste_data.DATE, bureau).problems() == []


@pytest.mark.parametrize(
    ("fields", "who", "columns"),
    [
        ({"sexe": ""}, "ABADIE Marie Anaïs", ["Sexe"]),
        ({"nom_naissance": ""}, "Marie Anaïs", ["NomdeNaissance"]),
        ({"prenoms": ""}, "ABADIE", ["Prenoms"]),
        ({"nom_naissance": "", "prenoms": ""}, None, ["NomdeNaissance", "Prenoms"]),
        ({"date_naissance": None}, "ABADIE Marie Anaïs", ["DateDeNaissance"]),
        ({"naissance_commune": ""}, "ABADIE Marie Anaïs", ["NomComNaissance"]),
        ({"naissance_departement": ""}, "ABADIE Marie Anaïs", ["DeptNaissance"]),
        ({"naissance_departement": "0"}, "ABADIE Marie Anaïs", ["DeptNaissance"]),
        (
            {"naissance_code_lieu": "99100", "naissance_departement": ""},
            "ABADIE Marie Anaïs",
            ["DeptNaissance"],
        ),
        ({"naissance_pays": ""}, "ABADIE Marie Anaïs", ["PaysNaissance"]),
        (
            {"naissance_commune": "", "naissance_departement": "", "naissance_pays": ""},
            "ABADIE Marie Anaïs",
            ["NomComNaissance", "DeptNaissance", "PaysNaissance"],
        ),
    ],
)
def test_a_voter_missing_a_mandatory_value_is_reported_and_the_file_refused(
    side_a, people, fields, who, columns
):
    abadie = people["abadie"]
    for name, value in fields.items():
        setattr(abadie, name, value)
    abadie.save()
    who = who or f"Électeur sans nom (fiche {abadie.pk})"
    expected = [Problem(None, who, column, MISSING[column], abadie.pk) for column in columns]
    # Reported: exactly the columns the file would write blank (ABADIE is its first voter).
    header, first, *_ = rows_of(csv_of(Extraction(side_a.collectivite, "p", liste_data.DATE)))
    assert [name for name, value in zip(header, first, strict=True) if not value] == [
        *columns,
        "Nationalite",
        "ComplementDeLocalisation1",
        "ComplementDeLocalisation2",
        "LieuDit",
        "Pays",
    ]
    for bureau in (None, people["ecole"]):
        assert Extraction(side_a.collectivite, "p", liste_data.DATE, bureau).problems() == expected
    assert Extraction(side_a.collectivite, "p", liste_data.DATE, people["gymnase"]).problems() == []
    for kind in ("liste-csv", "liste-xml"):
        with pytest.raises(ExportRefused) as refused:
            run_export(side_a.collectivite, kind, {"liste": "p", "date": "2026-03-10"}, None)
        assert refused.value.problems == expected
    assert not Export.objects.exists()


@pytest.mark.parametrize("liste", ["ce", "cm"])
def test_the_nationality_is_mandatory_on_the_complementary_lists_only(side_a, people, liste):
    for electeur in (people["duval"], people["abadie"]):
        electeur.nationalite = ""
        electeur.save()
    problems = Extraction(side_a.collectivite, liste, liste_data.DATE).problems()
    duval = people["duval"]
    assert problems == [
        Problem(None, "DUVAL Hanna", "Nationalite", MISSING["Nationalite"], duval.pk)
    ]
    assert Extraction(side_a.collectivite, "p", liste_data.DATE).problems() == []


def test_beyond_the_first_incomplete_voters_the_others_are_counted(side_a, people):
    for number in range(MAX_PROBLEMS + 2):
        voter = ElecteurFactory(
            collectivite=side_a.collectivite, nom_naissance=f"ZORRO-{number:02d}", naissance_pays=""
        )
        services.inscrire(
            voter,
            "p",
            MotifInscription.REPRISE_REU,
            liste_data.BEFORE,
            None,
            bureau=people["ecole"],
        )
    problems = Extraction(side_a.collectivite, "p", liste_data.DATE).problems()
    assert len(problems) == MAX_PROBLEMS + 1
    assert [p.who for p in problems[:2]] == ["ZORRO-00 Louise", "ZORRO-01 Louise"]
    assert problems[-1] == Problem(
        None, "Liste principale au 10/03/2026", "", "et 2 autres électeurs incomplets"
    )


def test_the_command_writes_the_golden_file(side_a, people, tmp_path):
    call_command(
        "export", "liste-csv", "--commune", "35288", "--liste", "p", "--date", "2026-03-10",
        "--output", str(tmp_path), stdout=io.StringIO(),
    )  # fmt: skip
    written = tmp_path / "liste-p-35288-20260310.csv"
    assert written.read_bytes() == (GOLDEN / "liste-p-35288-20260310.csv").read_bytes()
    call_command(
        "export", "liste-xml", "--commune", "35288", "--liste", "p", "--date", "2026-03-10",
        "--bureau", "2", "--output", str(tmp_path), stdout=io.StringIO(),
    )  # fmt: skip
    xml = etree.parse(str(tmp_path / "liste-p-35288-20260310-bureau-0002.xml"))
    schema().assertValid(xml)
    assert xml.xpath("//Electeur/NomdeNaissance/text()") == ["CARON", "FABRE", "HAMON"]


def test_a_stored_list_has_the_size_and_hash_of_its_bytes(side_a, people, media_root):
    export = run_export(
        side_a.collectivite, "liste-csv", {"liste": "p", "date": "2026-03-10"}, side_a.agent
    )
    data = stored(export.fichier)
    assert data == (GOLDEN / "liste-p-35288-20260310.csv").read_bytes()
    assert (export.taille, export.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert export.progression == 100 and export.parametres == {
        "liste": "p",
        "date": "2026-03-10",
        "bureau": "",
    }
    assert not list((media_root / export.fichier).parent.glob(".*.part"))


@pytest.mark.parametrize("writer", [write_csv, write_xml])
def test_progress_is_reported_as_rows_are_written(transactional_db, side_a, people, writer):
    seen = []
    writer(
        Extraction(side_a.collectivite, "p", liste_data.DATE),
        io.BytesIO(),
        lambda done, total: seen.append((done, total)),
        every=2,
    )
    # On PostgreSQL a thread reports while COPY runs and may skip values it had no time for.
    assert seen and all(total == 6 and 0 < done <= 6 for done, total in seen)
    assert seen == sorted(seen)


def test_another_collectivites_voters_are_not_on_the_list(side_a, side_b, people):
    ajaccien = ElecteurFactory(collectivite=side_b.collectivite, nom_naissance="AJACCIEN")
    bureau = BureauFactory(collectivite=side_b.collectivite, code="0001")
    services.inscrire(ajaccien, "p", "volontaire", dt.date(2025, 1, 1), None, bureau=bureau)
    assert b"AJACCIEN" not in csv_of(Extraction(side_a.collectivite, "p", liste_data.DATE))


class DiskFullAfterHeader:
    """A file that takes the first write and refuses the next ones."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, data: bytes) -> int:
        self.writes += 1
        if self.writes > 1:
            raise OSError("disque plein")
        return len(data)


@pytest.mark.parametrize("writer", [write_csv, write_xml])
def test_a_write_error_while_streaming_stops_the_export_with_its_reason(side_a, people, writer):
    with pytest.raises(OSError, match="disque plein"):
        writer(
            Extraction(side_a.collectivite, "p", liste_data.DATE),
            DiskFullAfterHeader(),
            no_progress,
        )
