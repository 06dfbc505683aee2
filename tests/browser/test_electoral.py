import pytest
from playwright.sync_api import expect

from electoral.models import BureauDeVote, Decoupage, Electeur, Parite
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


def test_an_agent_inscribes_moves_and_radiates_a_voter_and_sees_the_history(page, cog):
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
    # The birth place by the commune autocomplete; its département follows.
    page.get_by_label("Commune (lieu de naissance)").press_sequentially("Dina")
    expect(page.locator("#naissance-communes option")).to_have_count(1)
    page.get_by_label("Commune (lieu de naissance)").fill("Dinard (35093)")
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

    # A change of bureau with a new first name: both are saved.
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Motif").select_option(label="changement de bureau")
    page.get_by_label("Nouveau bureau de vote").select_option(label="0001 — École du Naye")
    page.get_by_label("Prénoms*", exact=True).fill("Maëlle Anne")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Le Goff Maëlle Anne")).to_be_visible()
    expect(page.get_by_text("Bureau 0001 — École du Naye")).to_be_visible()

    page.get_by_role("link", name="Radier").click()
    page.get_by_label("Motif de la radiation").select_option(
        label="inscription dans une autre commune"
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("est radié(e)")
    expect(page.get_by_text("radié(e) le", exact=False)).to_be_visible()
    rows = page.get_by_role("table").first.get_by_role("row")
    expect(rows).to_have_count(5)  # header + inscription, 2 modifications, radiation
    expect(page.get_by_text("Modification le", exact=False).first).to_be_visible()
    voter = Electeur.objects.get()
    assert (voter.naissance_code_lieu, voter.naissance_departement) == ("35093", "035")
    assert [m.type for m in voter.mouvements.order_by("cree_le")] == [
        "inscription",
        "modification",
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


def test_the_first_import_of_a_commune_creates_its_bureaux_only_once_ticked(page, tmp_path):
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    agent = UserFactory(username="yann")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.ELECTIONS)
    header = "type de liste;nom de naissance;prénoms;sexe;date de naissance"
    header += ";code du bureau de vote;libellé du bureau de vote"
    path = tmp_path / "extraction.csv"
    path.write_text(
        f"{header}\np;LEFÈVRE;Zoé;F;12/05/1960;1;École du Naye\n"
        "p;MARTIN;Paul;M;03/04/1970;2;Gymnase\n",
        encoding="utf-8",
    )

    page.goto("/elections/import-reu/")
    page.get_by_label("Nom d’utilisateur").fill("yann")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Extraction REU (CSV)").set_input_files(path)
    page.get_by_role("button", name="Analyser le fichier").click()
    expect(page.get_by_text("Bureaux inconnus : 0001 (École du Naye, 1 ligne)")).to_be_visible()
    assert not BureauDeVote.objects.exists()
    page.get_by_label("Créer les bureaux 0001, 0002").check()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("importé", exact=True)).to_be_visible()
    expect(page.get_by_text("Bureaux créés : 0001 École du Naye, 0002 Gymnase.")).to_be_visible()
    assert Electeur.objects.count() == 2
    assert list(BureauDeVote.objects.values_list("code", flat=True)) == ["0001", "0002"]
