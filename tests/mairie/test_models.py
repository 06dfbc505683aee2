import pytest
from django.core.exceptions import ValidationError

from mairie.models import (
    Affectation,
    Collectivite,
    Commune,
    Departement,
    Role,
    TypeCommune,
    departement_as_written,
    departement_as_written_sql,
    departement_of,
    is_code_commune,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["35288", "2A004", "2B033", "97105", "75056", "98735"])
def test_it_accepts_commune_codes(code):
    Collectivite(code_insee=code, nom="X").full_clean()


@pytest.mark.parametrize(
    "code",
    ["3528", "352880", "20004", "2C004", "00123", "ABCDE", "2a004", "96001", "99134", "35288\n"],
)
def test_it_refuses_malformed_commune_codes(code):
    assert not is_code_commune(code)
    with pytest.raises(ValidationError) as error:
        Collectivite(code_insee=code, nom="X").full_clean()
    assert "Code INSEE invalide" in str(error.value.message_dict["code_insee"])


@pytest.mark.parametrize(
    ("code", "departement"),
    [
        ("35288", "035"),
        ("2A004", "02A"),
        ("2B033", "02B"),
        ("97105", "971"),
        ("97611", "976"),
        ("98735", "987"),
    ],
)
def test_it_derives_the_three_character_departement(code, departement):
    assert departement_of(code) == departement
    collectivite = Collectivite(code_insee=code, nom="X")
    collectivite.full_clean()
    assert collectivite.departement == departement


@pytest.mark.parametrize(
    ("stored", "written"),
    [("035", "35"), ("02A", "2A"), ("02B", "2B"), ("971", "971"), ("", ""), ("0", "")],
)
def test_a_departement_is_written_without_the_leading_zero_it_is_stored_with(stored, written):
    Departement.objects.create(
        code="X", region_code="", cheflieu="", tncc="", ncc=stored, nccenr="", libelle=""
    )
    in_database = Departement.objects.values_list(departement_as_written_sql("ncc"), flat=True)

    assert departement_as_written(stored) == written
    assert list(in_database) == [written]


def test_it_refuses_a_departement_that_does_not_match_the_code():
    with pytest.raises(ValidationError) as error:
        Collectivite(code_insee="35288", departement="022", nom="X").full_clean()
    assert "département 035" in str(error.value.message_dict["departement"])


def test_it_fills_the_departement_when_saved_without_one(db):
    assert Collectivite.objects.create(code_insee="2B033", nom="Bastia").departement == "02B"


def test_retention_defaults_to_five_years(db):
    assert (
        Collectivite.objects.create(code_insee="35288", nom="X").duree_conservation_recensement == 5
    )


def test_responsable_phone_must_have_ten_digits():
    with pytest.raises(ValidationError) as error:
        Collectivite(code_insee="35288", nom="X", responsable_telephone="02994061").full_clean()
    assert "10 chiffres" in str(error.value.message_dict["responsable_telephone"])


@pytest.mark.parametrize(
    ("role", "recensement", "elections"),
    [
        (Role.RECENSEMENT, True, False),
        (Role.ELECTIONS, False, True),
        (Role.RESPONSABLE, True, True),
    ],
)
def test_roles_cover_their_job_and_the_responsable_covers_both(role, recensement, elections):
    affectation = Affectation(role=role)
    assert affectation.allows(Role.RECENSEMENT) is recensement
    assert affectation.allows(Role.ELECTIONS) is elections


def test_collectivite_changes_are_kept_in_the_history(side_a):
    collectivite = side_a.collectivite
    collectivite.maire_nom = "NOUVEAU"
    collectivite.save()
    assert [h.maire_nom for h in collectivite.history.all()] == ["NOUVEAU", "DUPONT"]


def test_for_user_lists_only_the_agents_collectivites(side_a, side_b):
    assert list(Collectivite.objects.for_user(side_a.agent)) == [side_a.collectivite]


def test_the_maire_is_printed_first_name_then_surname_in_capitals():
    collectivite = Collectivite(maire_prenom=" Anne ", maire_nom="Le Gall ")

    assert collectivite.maire_as_printed == "Anne LE GALL"
    assert Collectivite(maire_prenom="", maire_nom="").maire_as_printed == ""


def commune(typecom: str, code: str, libelle: str, comparent: str = "") -> Commune:
    return Commune.objects.create(
        typecom=typecom,
        code=code,
        tncc="0",
        ncc="",
        nccenr="",
        libelle=libelle,
        comparent=comparent,
    )


def test_a_code_designates_the_current_commune_before_a_delegated_one():
    commune(TypeCommune.COMD, "35288", "Saint-Servan", "35288")
    commune(TypeCommune.COM, "35288", "Saint-Malo")
    commune(TypeCommune.ARM, "75101", "Paris 1er Arrondissement", "75056")

    assert Commune.objects.of_code("35288").libelle == "Saint-Malo"
    assert Commune.objects.of_code("75101").libelle == "Paris 1er Arrondissement"


def test_a_code_kept_only_by_a_delegated_commune_is_no_current_commune():
    commune(TypeCommune.COMD, "35070", "Château-Malo", "35288")

    assert Commune.objects.of_code("35070").libelle == "Château-Malo"
    assert Commune.objects.of_code("35070", current=True) is None
    assert Commune.objects.of_code("99134") is None
