import pytest
from playwright.sync_api import expect

from electoral.models import Decoupage, Electeur, Parite
from mairie.models import Role
from tests.factories import (
    PASSWORD,
    AffectationFactory,
    BureauFactory,
    CollectiviteFactory,
    UserFactory,
    VoieFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_inscribes_moves_and_radiates_a_voter_and_sees_the_history(page):
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    agent = UserFactory(username="yann", first_name="Yann", last_name="Kerbrat")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.ELECTIONS)
    ecole = BureauFactory(collectivite=saint_malo, code="0001", libelle="École du Naye")
    gymnase = BureauFactory(collectivite=saint_malo, code="0002", libelle="Gymnase")
    rue = VoieFactory(collectivite=saint_malo, type_voie="Rue", libelle="de la Pie")
    Decoupage.objects.create(voie=rue, parite=Parite.IMPAIRS, bureau=ecole)
    Decoupage.objects.create(voie=rue, parite=Parite.PAIRS, bureau=gymnase)

    page.goto("/elections/")
    page.get_by_label("Nom d’utilisateur").fill("yann")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Inscrire un électeur").click()
    page.get_by_label("Date d'effet").fill("2026-03-02")
    page.get_by_label("féminin").check()
    page.get_by_label("Nom de naissance*", exact=True).fill("Le Goff")
    page.get_by_label("Prénoms*", exact=True).fill("Maëlle")
    page.get_by_label("Date de naissance*", exact=True).fill("1990-07-14")
    page.get_by_label("Numéro", exact=True).fill("3")
    page.get_by_label("Voie", exact=True).select_option(label="Rue de la Pie")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Le Goff Maëlle est inscrit(e).")
    expect(page.get_by_text("Bureau 0001 — École du Naye")).to_be_visible()

    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Motif").select_option(label="changement d'adresse")
    page.get_by_label("Numéro", exact=True).fill("8")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Bureau 0002 — Gymnase")).to_be_visible()
    expect(page.get_by_role("cell", name="0001 → 0002", exact=True)).to_be_visible()

    page.get_by_role("link", name="Radier").click()
    page.get_by_label("Motif de la radiation").select_option(
        label="inscription dans une autre commune"
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("est radié(e)")
    expect(page.get_by_text("radié(e) le", exact=False)).to_be_visible()
    rows = page.get_by_role("table").first.get_by_role("row")
    expect(rows).to_have_count(4)  # header + inscription, modification, radiation
    expect(page.get_by_text("Modification le", exact=False).first).to_be_visible()
    voter = Electeur.objects.get()
    assert [m.type for m in voter.mouvements.order_by("cree_le")] == [
        "inscription",
        "modification",
        "radiation",
    ]
