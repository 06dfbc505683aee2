from electoral.models import Electeur, born_abroad
from tests.factories import ElecteurFactory

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
