import csv
import datetime as dt
import os
from inspect import signature
from pathlib import Path

import pytest
from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import BooleanField, CharField, DateField, PositiveSmallIntegerField

from exports.pecoto import (
    FIELDS,
    HEADER_WHO,
    LAYOUT,
    RECORD_LENGTHS,
    PecotoError,
    PecotoProblem,
    filename,
    fold_text,
    parse,
    validate,
    write,
)
from mairie.forms import clean_place
from mairie.models import Collectivite
from recensement.forms import PLACES, RecenseForm
from recensement.models import Mode, Recense
from recensement.services import MAX_NUMERO
from tests.factories import RecenseFactory

SPEC = Path(__file__).parents[2] / "exports" / "specs" / "pecoto_v1.csv"
SHARED_SPEC = Path(__file__).parents[3] / "shared" / "specs" / "pecoto_v1.csv"
GOLDEN = Path(__file__).parent / "golden" / "RE_20261.txt"
GENERATED = dt.date(2026, 4, 2)

# The golden data set: every case the layout has to carry, numbered 1..6.
REGISTRANTS = [
    {
        "numero_inscription": 1,
        "date_recensement": dt.date(2026, 1, 20),
        "sexe": "F",
        "nom_naissance": "LEFÈVRE",
        "prenoms": "Zoé Anaïs",
        "date_naissance": dt.date(2010, 1, 12),
        "domicile_complement": "Bât. C, 2ᵉ  étage",
        "telephone_fixe": "0299000000",
        "courriel": "Zoe.Lefevre@Example.fr",
        "pere_nom": "LEFÈVRE",
        "pere_prenoms": "Jean-François",
        "pere_date_naissance": dt.date(1978, 3, 4),
        "pere_naissance_code_lieu": "35238",
        "pere_naissance_commune": "Rennes",
        "mere_nom": "CŒUR",
        "mere_prenoms": "Françoise",
        "mere_date_naissance": dt.date(1980, 11, 30),
        "mere_naissance_code_lieu": "35288",
        "mere_naissance_commune": "Saint-Malo",
        "nombre_freres_soeurs": 2,
    },
    {
        "numero_inscription": 2,
        "sexe": "M",
        "nom_naissance": "N'DIAYE",
        "prenoms": "Moussa",
        "date_naissance": dt.date(2010, 2, 3),
        "naissance_code_lieu": "94038",
        "naissance_commune": "L'Haÿ-les-Roses",
        "naissance_departement": "094",
        "domicile_numero": "3",
        "domicile_voie": "Impasse de l'Œuvre",
        "telephone_portable": "0700000001",
        "courriel": "",
        "pere_connu": False,
        "pere_nom": "",
        "pere_prenoms": "",
        "pere_nationalite": "",
        "mere_nom": "N'DIAYE",
        "mere_prenoms": "Aïssatou",
        "mere_naissance_code_lieu": "99341",
        "mere_naissance_commune": "Dakar",
        "situation_scolaire": "A",
        "etablissement": "CFA du bâtiment",
    },
    {
        "numero_inscription": 3,
        "courriel": "Lucia.Garcia@Example.ES",
        "nom_naissance": "GARCÍA LÓPEZ",
        "prenoms": "Lucía",
        "date_naissance": dt.date(2010, 1, 20),
        "naissance_code_lieu": "99134",
        "naissance_commune": "Madrid",
        "naissance_departement": "",
        "naissance_pays": "Espagne",
        "double_nationalite": "99134",
        "domicile_numero": "27",
        "domicile_voie": "Boulevard de la République",
        "pere_nom": "GARCÍA MARTÍN",
        "pere_prenoms": "José Luis",
        "pere_naissance_code_lieu": "99134",
        "pere_naissance_commune": "Madrid",
        "pere_nationalite": "99134",
        "mere_nom": "BRETON",
        "mere_prenoms": "Hélène",
    },
    {
        "numero_inscription": 4,
        "courriel": "mael.legoff@example.fr",
        "date_recensement": dt.date(2026, 3, 31),
        "sexe": "M",
        "nom_naissance": "LE GOFF",
        "prenoms": "Maël Yann",
        "date_naissance": dt.date(2009, 12, 1),
        "residence_identique": False,
        "residence_numero": "5 TER",
        "residence_voie": "Avenue Janvier",
        "residence_complement": "Internat",
        "residence_code_postal": "35000",
        "residence_commune": "Rennes",
        "residence_code_lieu": "35238",
        "residence_departement": "035",
        "residence_pays": "France",
        "situation_scolaire": "E",
        "etablissement": "Université de Rennes",
        "diplome": "03",
        "specialite": "Mathématiques",
    },
    {
        "numero_inscription": 5,
        "courriel": "eloise.hamon@example.fr",
        "nom_naissance": "HAMON",
        "nom_usage": "HAMON-LE GALL",
        "prenoms": "Éloïse",
        "date_naissance": dt.date(2009, 6, 15),
        "diplome": "01",
        "profession": "Aide à domicile",
        "situation_scolaire": "N",
        "etablissement": "",
        "situation_particuliere": True,
        "situation_particuliere_detail": "asthme sévère",
    },
    {
        "numero_inscription": 6,
        "courriel": "lan.nguyen@example.fr",
        "nom_naissance": "NGUYEN",
        "prenoms": "Thị Lan",
        "date_naissance": dt.date(2010, 1, 5),
        "naissance_code_lieu": "99243",
        "naissance_commune": "Hanoï",
        "naissance_departement": "",
        "naissance_pays": "Viêt Nam",
        "nationalite": "A",
        "date_acquisition_nationalite": dt.date(2026, 1, 28),
        "pere_nom": "NGUYEN",
        "pere_prenoms": "Văn Minh",
        "pere_naissance_code_lieu": "99243",
        "pere_naissance_commune": "Hanoï",
        "pere_nationalite": "99243",
        "mere_nom": "TRẦN",
        "mere_prenoms": "Thị Hoa",
        "mere_naissance_code_lieu": "99243",
        "mere_naissance_commune": "Hanoï",
        "mere_nationalite": "99243",
    },
]


@pytest.fixture
def collectivite(side_a):
    collectivite = side_a.collectivite
    collectivite.responsable_telephone = "0299405800"
    collectivite.responsable_courriel = "Recensement@Ville-Saint-Malo.fr"
    collectivite.save()
    return collectivite


@pytest.fixture
def recenses(collectivite):
    return [RecenseFactory(collectivite=collectivite, **fields) for fields in REGISTRANTS]


@pytest.fixture
def recense(collectivite):
    """One valid registrant, changed in memory by each validator test."""
    return RecenseFactory(
        collectivite=collectivite, numero_inscription=1, nom_naissance="DURAND", prenoms="Chloé"
    )


def write_t1(collectivite, recenses) -> bytes:
    return write(collectivite, recenses, 2026, 1, GENERATED)


def test_the_layout_matches_the_published_spec():
    with SPEC.open(newline="", encoding="utf-8") as spec:
        rows = [
            (row["record"], row["field"], int(row["start"]), int(row["length"]), row["type"])
            + (row["required"] == "O",)
            for row in csv.DictReader(spec)
        ]
    layout = [(f.record, f.name, f.start, f.length, f.type, f.required) for f in LAYOUT]
    assert layout == rows


@pytest.mark.parametrize("record", RECORD_LENGTHS)
def test_the_records_are_contiguous_and_have_their_length(record):
    fields = [f for f in LAYOUT if f.record == record]
    end = 0
    for field in fields:
        assert field.start == end + 1, field.name
        end = field.start + field.length - 1
    assert end == sum(f.length for f in fields) == RECORD_LENGTHS[record]
    assert fields[0].name == "type_enregistrement"


def test_the_copied_spec_is_the_shared_one():
    if not SHARED_SPEC.exists():
        pytest.skip("../shared is not checked out here")
    assert SPEC.read_bytes() == SHARED_SPEC.read_bytes()


def test_the_file_is_named_after_the_quarter():
    assert filename(2026, 1) == "RE_20261.txt"
    assert filename(2027, 4) == "RE_20274.txt"


def test_the_file_is_the_golden_one(collectivite, recenses):
    data = write_t1(collectivite, recenses)
    # After a change of the layout: regenerate, then read the diff line by line against the spec.
    if os.environ.get("PECOTO_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()


def test_the_golden_file_reads_back_as_the_folded_input(collectivite, recenses):
    records = parse(GOLDEN.read_bytes())

    assert [r["record"] for r in records] == ["01"] + ["02"] * 6 + ["99"]
    header = {k: v for k, v in records[0].items() if k not in ("record", "type_enregistrement")}
    assert header == {
        "code_commune": "35288",
        "code_departement": "035",
        "libelle_commune": "SAINT-MALO",
        "annee": "2026",
        "trimestre": "1",
        "date_generation": "02042026",
        "responsable_nom": "MARTIN",
        "responsable_prenom": "SOPHIE",
        "responsable_qualite": "ADJOINT ADMINISTRATIF",
        "responsable_telephone": "0299405800",
        "responsable_courriel": "recensement@ville-saint-malo.fr",
        "nombre_recenses": "000006",
        "filler": "",
    }
    assert records[-1] == {
        "record": "99",
        "type_enregistrement": "99",
        "nombre_recenses": "000006",
        "nombre_lignes": "000008",
    }
    lines = {int(r["numero_inscription"]): r for r in records[1:-1]}
    assert list(lines) == [1, 2, 3, 4, 5, 6]
    expected = {
        1: {
            "mode": "R",
            "date_recensement": "20012026",
            "sexe": "F",
            "nom_naissance": "LEFEVRE",
            "prenoms": "ZOE ANAIS",
            "date_naissance": "12012010",
            "code_lieu_naissance": "35288",
            "lieu_naissance": "SAINT-MALO",
            "departement_naissance": "035",
            "pays_naissance": "FRANCE",
            "nationalite": "N",
            "date_acquisition_nationalite": "",
            "domicile_numero": "12 BIS",
            "domicile_voie": "RUE DES LILAS",
            "domicile_complement": "BAT. C 2E ETAGE",
            "domicile_code_postal": "35400",
            "residence_voie": "",
            "telephone_fixe": "0299000000",
            "courriel": "zoe.lefevre@example.fr",
            "pere_connu": "O",
            "pere_nom": "LEFEVRE",
            "pere_prenoms": "JEAN-FRANCOIS",
            "pere_date_naissance": "04031978",
            "pere_lieu_naissance": "RENNES",
            "mere_nom": "COEUR",
            "mere_prenoms": "FRANCOISE",
            "mere_date_naissance": "30111980",
            "nombre_freres_soeurs": "02",
            "nombre_enfants": "00",
            "situation_familiale": "C",
            "pupille": "0",
            "etablissement": "LYCEE JACQUES CARTIER",
            "diplome": "00",
            "situation_particuliere": "N",
        },
        2: {
            "nom_naissance": "N'DIAYE",
            "lieu_naissance": "L'HAY-LES-ROSES",
            "departement_naissance": "094",
            "domicile_voie": "IMPASSE DE L'OEUVRE",
            "courriel": "",
            "pere_connu": "N",
            "pere_nom": "",
            "pere_nationalite": "",
            "mere_connu": "O",
            "mere_prenoms": "AISSATOU",
            "mere_code_lieu_naissance": "99341",
            "mere_lieu_naissance": "DAKAR",
            "situation_scolaire": "A",
            "etablissement": "CFA DU BATIMENT",
        },
        3: {
            "nom_naissance": "GARCIA LOPEZ",
            "prenoms": "LUCIA",
            "code_lieu_naissance": "99134",
            "lieu_naissance": "MADRID",
            "departement_naissance": "",
            "pays_naissance": "ESPAGNE",
            "double_nationalite": "99134",
            "domicile_voie": "BOULEVARD DE LA REPUBLIQUE",
            "pere_nom": "GARCIA MARTIN",
            "pere_prenoms": "JOSE LUIS",
            "pere_nationalite": "99134",
            "courriel": "lucia.garcia@example.es",
        },
        4: {
            "date_recensement": "31032026",
            "prenoms": "MAEL YANN",
            "residence_numero": "5 TER",
            "residence_voie": "AVENUE JANVIER",
            "residence_complement": "INTERNAT",
            "residence_code_postal": "35000",
            "residence_commune": "RENNES",
            "residence_code_lieu": "35238",
            "residence_pays": "FRANCE",
            "situation_scolaire": "E",
            "diplome": "03",
            "specialite": "MATHEMATIQUES",
        },
        5: {
            "mode": "G",
            "date_naissance": "15062009",
            "nom_usage": "HAMON-LE GALL",
            "prenoms": "ELOISE",
            "diplome": "01",
            "profession": "AIDE A DOMICILE",
            "etablissement": "",
            "situation_particuliere": "O",
        },
        6: {
            "mode": "R",
            "prenoms": "THI LAN",
            "lieu_naissance": "HANOI",
            "pays_naissance": "VIET NAM",
            "nationalite": "A",
            "date_acquisition_nationalite": "28012026",
            "pere_prenoms": "VAN MINH",
            "mere_nom": "TRAN",
            "mere_prenoms": "THI HOA",
        },
    }
    for numero, values in expected.items():
        assert {k: lines[numero][k] for k in values} == values, numero
    # Every field of every line is its registrant's value, folded the layout's way.
    for recense in recenses:
        line = lines[recense.numero_inscription]
        for field in (f for f in LAYOUT if f.record == "02"):
            assert line[field.name] == field.cell(field.fold(recense)).strip(), field.name


def test_free_text_about_a_particular_situation_never_goes_in_the_file(collectivite, recenses):
    assert b"ASTHME" not in write_t1(collectivite, recenses).upper()


def test_every_line_has_its_length_ends_with_crlf_and_is_printable_ascii(collectivite, recenses):
    data = write_t1(collectivite, recenses)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert lines.pop() == b""
    assert [len(line) for line in lines] == [300] + [1352] * 6 + [14]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert all(0x20 <= byte <= 0x7E for byte in b"".join(lines))


def test_the_file_is_deterministic_and_in_numbering_order(collectivite, recenses):
    assert write_t1(collectivite, recenses) == write_t1(collectivite, recenses[::-1])


def test_writing_queries_nothing(collectivite, recenses, django_assert_num_queries):
    with django_assert_num_queries(0):
        write_t1(collectivite, recenses)


# --- the validator: one test per kind of problem ---


def problems_of(recense, **changes) -> list[PecotoProblem]:
    for name, value in changes.items():
        setattr(recense, name, value)
    return validate(recense.collectivite, [recense], 2026, 1, GENERATED)


def test_a_valid_registrant_has_no_problem(recense):
    assert problems_of(recense) == []


def test_a_value_too_long_once_folded_is_reported_not_truncated(recense):
    nom = "Œ" + "A" * 49  # fits the 50-character database field, not the file: Œ -> OE

    problems = problems_of(recense, nom_naissance=nom)

    assert problems == [
        PecotoProblem(
            recense.pk,
            f"{nom} Chloé (n° 0001)",
            "nom_naissance",
            f"« OE{'A' * 49} » dépasse 50 caractères (51) : raccourcir",
        )
    ]
    with pytest.raises(PecotoError) as error:
        write_t1(recense.collectivite, [recense])
    assert error.value.problems == problems


def test_a_missing_responsable_is_a_problem_of_the_collectivite(recense):
    recense.collectivite.responsable_nom = ""

    assert problems_of(recense) == [
        PecotoProblem(None, HEADER_WHO, "responsable_nom", "obligatoire")
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"prenoms": " , "}, "prenoms", "obligatoire"),
        (
            {"situation_familiale": "X"},
            "situation_familiale",
            "code « X » hors de la liste C, M, P, L, D, V",
        ),
        ({"mode": ""}, "mode", "obligatoire"),
        ({"diplome": "06"}, "diplome", "code « 06 » hors de la liste 00, 01, 02, 03, 04, 05"),
        (
            {"telephone_portable": "06 12 34 56"},
            "telephone_portable",
            "le téléphone doit compter 10 chiffres",
        ),
        ({"courriel": "zoé@example.fr"}, "courriel", "caractère non ASCII dans le courriel"),
        (
            {"nombre_freres_soeurs": 100},
            "nombre_freres_soeurs",
            "« 100 » dépasse 2 caractères (3) : raccourcir",
        ),
        (
            {"nationalite": "A", "date_acquisition_nationalite": None},
            "date_acquisition_nationalite",
            "date d'acquisition obligatoire pour une personne devenue française",
        ),
        (
            {"naissance_code_lieu": "99134", "naissance_pays": "Espagne"},
            "departement_naissance",
            "doit rester vide pour une naissance à l'étranger",
        ),
        (
            {"domicile_code_postal": ""},
            "domicile_code_postal",
            "obligatoire pour une adresse en France",
        ),
        (
            # France's own country code is not abroad (mairie.places.is_abroad).
            {"domicile_code_postal": "", "domicile_code_lieu": "99100", "domicile_pays": "France"},
            "domicile_code_postal",
            "obligatoire pour une adresse en France",
        ),
        (
            {"pere_connu": False, "pere_nom": "", "pere_prenoms": ""},
            "pere_nationalite",
            "doit rester vide quand le père n'est pas déclaré(e)",
        ),
        (
            {"residence_identique": False, "residence_voie": "Avenue Janvier"},
            "residence_commune",
            "obligatoire quand la résidence diffère du domicile",
        ),
        (
            {"naissance_code_lieu": "20004"},
            "code_lieu_naissance",
            "« 20004 » n'est pas un code INSEE de commune ou de pays à 5 caractères",
        ),
        (
            {"double_nationalite": "134"},
            "double_nationalite",
            "« 134 » n'est pas un code pays INSEE (99xxx)",
        ),
        (
            {"date_recensement": dt.date(2026, 4, 1)},
            "date_recensement",
            "recensé(e) le 01/04/2026, hors du trimestre T1 2026",
        ),
    ],
)
def test_the_validator_names_the_field_and_the_fix(recense, changes, field, message):
    problems = problems_of(recense, **changes)

    assert (field, message) in [(p.field, p.message) for p in problems]
    assert {p.recense_id for p in problems} == {recense.pk}
    with pytest.raises(PecotoError) as error:
        write_t1(recense.collectivite, [recense])
    assert error.value.problems == problems


def test_a_foreign_address_needs_no_postal_code(recense):
    changes = {
        "domicile_code_postal": "",
        "domicile_code_lieu": "99109",
        "domicile_pays": "Allemagne",
    }
    assert problems_of(recense, **changes) == []


def test_phones_are_written_as_ten_digits(recense):
    recense.telephone_fixe, recense.telephone_portable = "+33 2 99 40 58 00", "06.12.34.56.78"

    (line,) = parse(write_t1(recense.collectivite, [recense]))[1:-1]

    assert (line["telephone_fixe"], line["telephone_portable"]) == ("0299405800", "0612345678")


def test_the_file_cleans_a_phone_up_as_the_form_does(recense):
    # The collectivité's settings are typed in the admin, without the registrant form's clean-up.
    recense.collectivite.responsable_telephone = "0033 2-99-40-58-00"

    header = parse(write_t1(recense.collectivite, [recense]))[0]

    assert header["responsable_telephone"] == "0299405800"


def test_an_unnumbered_registrant_asks_for_the_numbering_first(recense):
    assert problems_of(recense, numero_inscription=None) == [
        PecotoProblem(
            recense.pk,
            "DURAND Chloé (non numéroté)",
            "numero_inscription",
            "non numéroté : numérotez d'abord le trimestre",
        )
    ]


def test_numbers_are_unique_and_within_four_digits(collectivite, recense):
    other = RecenseFactory(collectivite=collectivite, numero_inscription=2)
    other.numero_inscription = 1

    problems = validate(collectivite, [recense, other], 2026, 1, GENERATED)

    assert [(p.recense_id, p.message) for p in problems] == [
        (recense.pk, "numéro 0001 donné à plusieurs recensés"),
        (other.pk, "numéro 0001 donné à plusieurs recensés"),
    ]
    assert [p.message for p in problems_of(recense, numero_inscription=0)] == [
        "numéro 0 hors de 1 à 9999"
    ]


def test_an_empty_quarter_has_no_file(collectivite):
    problems = validate(collectivite, [], 2026, 1, GENERATED)

    assert problems == [
        PecotoProblem(None, "Liste T1 2026", "nombre_recenses", "aucun recensé ce trimestre")
    ]
    with pytest.raises(PecotoError):
        write_t1(collectivite, [])


def test_the_inscription_d_office_is_mode_n(recense):
    recense.inscription_d_office = True
    recense.save()
    assert recense.mode == Mode.NON_RECENSE

    (line,) = parse(write_t1(recense.collectivite, [recense]))[1:-1]

    assert line["mode"] == "N"


# --- the parser ---


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"01" + b" " * 297 + b"\r\n", "ligne 1 : 299 caractères au lieu de 300"),
        (b"03 \r\n", "ligne 1 : type d'enregistrement « 03 » inconnu"),
        (b"99000000000001", "le fichier doit se terminer par CRLF"),
        (b"99000000000001\n\r\n", "ligne 1 : caractère hors ASCII imprimable"),
        (b"99000000000001\r\n", "le fichier doit compter un 01, puis des 02, puis un 99"),
    ],
)
def test_the_parser_rejects_a_malformed_file_with_the_line_number(data, message):
    with pytest.raises(ValueError, match=message):
        parse(data)


def test_the_parser_checks_the_totals(collectivite, recenses):
    data = write_t1(collectivite, recenses)
    with pytest.raises(ValueError, match="ligne 8 : les totaux"):
        parse(data.replace(b"99000006000008", b"99000006000009"))


def test_typographic_apostrophes_and_stroked_letters_are_transcribed():
    assert fold_text("N’DIAYE Søren Łukasz") == "N'DIAYE SOREN LUKASZ"


def test_a_letter_without_ascii_form_is_reported_not_dropped(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite, numero_inscription=1)
    recense.prenoms = "Ωmega"
    problems = validate(side_a.collectivite, [recense], 2026, 1, dt.date(2026, 4, 2))
    assert [(p.field, p.message) for p in problems] == [
        ("prenoms", "lettre(s) sans équivalent ASCII « Ω » : écrivez-la(les) sans accent")
    ]


# --- the registrant's model and form against LAYOUT, field by field ---

REGISTRANT_FIELDS = [f for f in FIELDS["02"] if f.type not in "CF"]


def test_every_registrant_field_of_the_layout_is_a_field_of_the_registrant():
    assert {f.attribute for f in REGISTRANT_FIELDS} <= {f.name for f in Recense._meta.fields}
    assert len(REGISTRANT_FIELDS) == len(FIELDS["02"]) - 1  # all but the record type


COLLECTIVITE_FIELDS = [f for f in FIELDS["01"] if f.attribute.startswith("collectivite.")]


@pytest.mark.parametrize("layout", COLLECTIVITE_FIELDS, ids=lambda f: f.name)
def test_the_collectivite_settings_keep_the_layouts_lengths(layout):
    field = Collectivite._meta.get_field(layout.attribute.removeprefix("collectivite."))
    if layout.name == "libelle_commune":
        # Also printed on the attestations and tableaux; the validator refuses a name over 50
        # characters in the file (the longest commune name has 45).
        assert field.max_length == 100
        return
    # Left blank in the settings, a required one is reported by the validator (HEADER_WHO).
    assert field.max_length == layout.length


@pytest.mark.parametrize("layout", REGISTRANT_FIELDS, ids=lambda f: f.name)
def test_the_registrant_model_keeps_the_layouts_length_codes_and_requirement(layout):
    field = Recense._meta.get_field(layout.attribute)
    if isinstance(field, BooleanField):
        assert (layout.type, layout.codes, layout.required) == ("A", ("O", "N"), True)
        return
    if layout.type == "D":
        assert isinstance(field, DateField)
    elif isinstance(field, PositiveSmallIntegerField):
        assert layout.type == "N" and not layout.codes
        # The inscription number is given by the numbering, which stops at its own limit.
        limits = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
        assert (min(limits) if field.editable else MAX_NUMERO) == 10**layout.length - 1
    else:
        assert isinstance(field, CharField)
        assert field.max_length == layout.length
        assert sorted(value for value, _ in field.choices or ()) == sorted(layout.codes)
    if layout.attribute != "numero_inscription":  # required in the file, given by the numbering
        assert field.blank is not layout.required


@pytest.mark.parametrize("layout", REGISTRANT_FIELDS, ids=lambda f: f.name)
def test_the_registrant_form_refuses_what_the_layout_cannot_hold(layout, side_a):
    form = RecenseForm(collectivite=side_a.collectivite)
    place = next((p for p, _, _ in PLACES if layout.attribute.startswith(f"{p}_")), None)
    if place and layout.attribute.endswith(("_code_lieu", "_departement", "_commune", "_pays")):
        # A place is chosen in the INSEE reference, a town abroad typed, the names cut to size.
        if layout.attribute.endswith(("_commune", "_pays")):
            assert signature(clean_place).parameters["length"].default == layout.length
        if layout.attribute.endswith("_commune") and f"{place}_ville" in form.fields:
            assert form.fields[f"{place}_ville"].max_length == layout.length
        return
    field = form.fields.get(layout.attribute)
    if field is None:
        # Derived from the dates, given by the numbering, or the "non déclaré(e)" checkbox.
        assert layout.attribute in {"mode", "numero_inscription", "pere_connu", "mere_connu"}
        return
    if layout.type == "T":
        # Wider: spaces, dots and +33 are accepted, then removed; the clean-up checks 10 digits.
        assert field.max_length > layout.length
    elif isinstance(field, forms.CharField):
        assert field.max_length == layout.length
    if isinstance(field, forms.BooleanField):
        assert layout.codes == ("O", "N")
    elif layout.codes:
        offered = [value for value, _ in field.choices if value != ""]
        assert sorted(offered) == sorted(layout.codes)
