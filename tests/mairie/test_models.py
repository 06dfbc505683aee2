import pytest
from django.core.exceptions import ValidationError

from mairie.models import Affectation, Collectivite, Role, departement_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["35288", "2A004", "2B033", "97105", "75056"])
def test_it_accepts_commune_codes(code):
    Collectivite(code_insee=code, nom="X").full_clean()


@pytest.mark.parametrize("code", ["3528", "352880", "20004", "2C004", "00123", "ABCDE", "2a004"])
def test_it_refuses_malformed_commune_codes(code):
    with pytest.raises(ValidationError) as error:
        Collectivite(code_insee=code, nom="X").full_clean()
    assert "Code INSEE invalide" in str(error.value.message_dict["code_insee"])


@pytest.mark.parametrize(
    ("code", "departement"),
    [("35288", "035"), ("2A004", "02A"), ("2B033", "02B"), ("97105", "971"), ("97611", "976")],
)
def test_it_derives_the_three_character_departement(code, departement):
    assert departement_of(code) == departement
    collectivite = Collectivite(code_insee=code, nom="X")
    collectivite.full_clean()
    assert collectivite.departement == departement


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
