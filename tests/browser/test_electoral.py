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
    expect(page.get_by_role("alert")).to_contain_text("LE GOFF Maëlle est inscrit(e).")
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


def test_an_agent_imports_a_reu_extraction_resaved_by_excel(page, tmp_path):
    """A "Listes électeurs actifs" extraction, commas and Windows-1252 (as a French spreadsheet
    saves it), the list and the date in its name only: previewed, confirmed, imported."""
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    agent = UserFactory(username="yann")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.ELECTIONS)
    BureauFactory(collectivite=saint_malo, code="0001", libelle="École du Naye")
    header = "nom de naissance,prénoms,sexe,date de naissance,code département de naissance"
    header += ",code du bureau de vote,code du l'ugle"
    path = tmp_path / "listes_electeurs_actifs_LP_com35288_04-12-2026.csv"
    path.write_bytes(f"{header}\nLEFÈVRE,Zoé,F,12/05/1960 00:00:00,35,1,35288\n".encode("cp1252"))

    page.goto("/elections/import-reu/")
    page.get_by_label("Nom d’utilisateur").fill("yann")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Extraction REU (CSV)").set_input_files(path)
    page.get_by_role("button", name="Analyser le fichier").click()
    expect(page.get_by_text("il a été lu en Windows-1252")).to_be_visible()
    expect(page.get_by_text("Extraction du 04/12/2026.")).to_be_visible()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("importé", exact=True)).to_be_visible()
    voter = Electeur.objects.get()
    assert (voter.nom_naissance, voter.prenoms, voter.naissance_departement) == (
        "LEFÈVRE",
        "Zoé",
        "035",
    )
    assert voter.bureau.code == "0001" and voter.inscriptions.get().liste == "p"
