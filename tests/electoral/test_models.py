from hypothesis import example, given

from electoral.models import (
    ELECTEUR_KEY_LENGTH,
    BureauDeVote,
    Electeur,
    Inscription,
    Liste,
    born_abroad,
    electeur_key,
    find_voie,
    find_voies,
    highest_numeros,
    next_numero,
    voie_key,
)
from mairie.text import search_key
from tests.factories import BureauFactory, ElecteurFactory, VoieFactory
from tests.hostile import TEXT

# (code INSEE du lieu, département, pays de naissance) -> born abroad?
BIRTHPLACES = {
    "code pays": ("99109", "", "Allemagne", True),
    "code pays, pays absent": ("99352", "", "", True),
    "code pays, département saisi": ("99139", "035", "Portugal", True),
    "département 99": ("", "99", "Maroc", True),
    "département 099": ("", "099", "", True),
    "pays étranger seul": ("", "", "ALLEMAGNE", True),
    "commune française": ("35288", "035", "France", False),
    "Corse": ("2A004", "02A", "FRANCE", False),
    "outre-mer": ("97105", "971", "France", False),
    "code de la France elle-même": ("99100", "", "France", False),
    "France en capitales, sans code": ("", "", "FRANCE", False),
    "rien": ("", "", "", False),
    "commune française, pays étranger": ("35288", "035", "Allemagne", False),
}


def test_born_abroad_is_a_country_code_the_departement_99_or_a_foreign_country_alone(side_a):
    for name, (code, departement, pays, _) in BIRTHPLACES.items():
        ElecteurFactory(
            collectivite=side_a.collectivite,
            nom_naissance=name,
            naissance_code_lieu=code,
            naissance_departement=departement,
            naissance_pays=pays,
        )
    abroad = Electeur.objects.filter(born_abroad()).values_list("nom_naissance", flat=True)
    assert set(abroad) == {name for name, (*_, expected) in BIRTHPLACES.items() if expected}


@given(nom=TEXT, usage=TEXT, prenoms=TEXT)
@example(nom="Cœur-L'Haÿ", usage="", prenoms="Zoé")
@example(nom="N\u0301GUYEN", usage="\u00a8", prenoms="\u0301ANH")  # marks, spacing diaeresis
@example(nom="ß" * 100, usage="Æ" * 100, prenoms="ﬃ" * 150)  # folding lengthens past the column
@example(nom=" - ", usage="D'", prenoms="  Jean--Marie  ")
def test_the_search_key_of_the_names_folded_apart_is_the_key_of_the_names_together(
    nom, usage, prenoms
):
    """The REU import folds each name on its own (electeur_key_of_folded); the search reads the
    key the voter's save() writes: both are the fold of the three names as one text."""
    together = search_key(f"{nom} {usage} {prenoms}")[:ELECTEUR_KEY_LENGTH]
    assert electeur_key(nom, usage, prenoms) == together
    electeur = Electeur(nom_naissance=nom, nom_usage=usage, prenoms=prenoms)
    electeur.prepare()
    assert electeur.recherche == together


def test_a_street_is_found_by_its_name_the_same_postcode_first(side_a, side_b):
    collectivite = side_a.collectivite
    first = VoieFactory(collectivite=collectivite, libelle="des Lilas", code_postal="35400")
    other = VoieFactory(
        collectivite=collectivite, type_voie="RUE", libelle="DES LILAS", code_postal="35800"
    )
    VoieFactory(collectivite=side_b.collectivite, type_voie="Rue", libelle="des Lilas")
    lilas = voie_key("rue", "des lilas")

    found = find_voies(collectivite, [(lilas, "35800"), (lilas, "35400"), (lilas, "")])
    assert found == {(lilas, "35800"): other.pk, (lilas, "35400"): first.pk, (lilas, ""): first.pk}
    assert find_voies(collectivite, [(voie_key("Rue", "des Roses"), "35400")]) == {}
    assert find_voie(collectivite, "Rue", "des Lilas", "35800") == other
    assert find_voie(side_b.collectivite, "Rue", "des Roses", "") is None


def test_the_next_number_follows_the_highest_active_one_of_the_bureau_s_list(side_a):
    collectivite = side_a.collectivite
    ecole, gymnase = (
        BureauFactory(collectivite=collectivite),
        BureauFactory(collectivite=collectivite),
    )
    for numero, radie in ((1, False), (4, False), (9, True)):
        Inscription.objects.create(
            electeur=ElecteurFactory(collectivite=collectivite),
            liste=Liste.PRINCIPALE,
            bureau=ecole,
            numero_ordre=numero,
            inscrit_le="2025-01-06",
            radie_le="2025-02-03" if radie else None,
        )
    Inscription.objects.create(
        electeur=ElecteurFactory(collectivite=collectivite),
        liste=Liste.EUROPEENNE,
        bureau=gymnase,
        numero_ordre=7,
        inscrit_le="2025-01-06",
    )
    bureaux = BureauDeVote.objects.filter(collectivite=collectivite)

    lists = [(bureau.pk, liste) for bureau in bureaux for liste in Liste.values]
    assert highest_numeros(lists) == {
        (ecole.pk, Liste.PRINCIPALE): 4,
        (gymnase.pk, Liste.EUROPEENNE): 7,
    }
    assert next_numero(ecole, Liste.PRINCIPALE) == 5
    assert next_numero(ecole, Liste.MUNICIPALE) == 1
    assert next_numero(gymnase, Liste.EUROPEENNE) == 8


def test_inscriptions_and_decoupage_rules_are_scoped_through_their_voter_and_street(side_a, side_b):
    import datetime

    from django.test import RequestFactory
    from django.urls import reverse

    from electoral.models import Decoupage, Inscription, Liste
    from electoral.services import inscrire
    from tests.factories import BureauFactory, VoieFactory

    mine, theirs = {}, {}
    for side, found in [(side_a, mine), (side_b, theirs)]:
        bureau = BureauFactory(collectivite=side.collectivite, code="0001")
        voter = ElecteurFactory(collectivite=side.collectivite, bureau=bureau)
        inscrire(voter, Liste.PRINCIPALE, "volontaire", datetime.date(2026, 3, 1), None)
        rule = Decoupage.objects.create(
            voie=VoieFactory(collectivite=side.collectivite), bureau=bureau
        )
        found.update(inscription=voter.inscriptions.get(), rule=rule)
    request = RequestFactory().get("/")
    request.collectivite = side_a.collectivite
    assert list(Inscription.objects.for_request(request)) == [mine["inscription"]]
    assert list(Decoupage.objects.for_collectivite(side_b.collectivite)) == [theirs["rule"]]
    request.collectivite = None
    assert not Inscription.objects.for_request(request).exists()
    page = side_a.client.post(reverse("electoral:decoupage_delete", args=[theirs["rule"].pk]))
    assert page.status_code == 404
    assert Decoupage.objects.filter(pk=theirs["rule"].pk).exists()
    bureaux = side_a.client.get(reverse("electoral:bureaux"))
    assert [counts for _, counts in bureaux.context["table"]] == [[1, 0, 0]]
