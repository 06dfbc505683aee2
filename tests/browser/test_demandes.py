import io
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import expect

from mairie.models import Role
from mairie.services import import_cog
from recensement.models import DemandeEnLigne, Recense, StatutDemande
from tests.conftest import TEST_COG
from tests.factories import PASSWORD, AffectationFactory, CollectiviteFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).parent.parent / "recensement" / "data" / "demandes"
VALISE = Path(__file__).parent.parent / "data" / "hubee" / "recensementcitoyen"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def open_demandes(page) -> None:
    """Saint-Malo with its agent Sophie, logged in on the online requests' page."""
    import_cog({"communes": TEST_COG / "communes.csv", "pays": TEST_COG / "pays.csv"})
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo", code_postal="35400")
    agent = UserFactory(username="sophie", first_name="Sophie", last_name="Martin")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RECENSEMENT)

    page.goto("/recensement/")
    page.get_by_label("Nom d’utilisateur").fill("sophie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Demandes en ligne").click()


def test_an_agent_uploads_a_dossier_completes_validates_it_and_prints_the_attestation(page):
    open_demandes(page)
    page.get_by_label("Dossiers HubEE").set_input_files(
        [DATA / "complet.xml", DATA / "complet.pdf"]
    )
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "complet.xml : demande RC-2026-000101 enregistrée (LE GOFF Maëlys Anne Louise), avec "
        "son PDF complet.pdf."
    )
    page.get_by_role("link", name="RC-2026-000101").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RC-2026-000101")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    assert download.value.path().read_bytes() == (DATA / "complet.pdf").read_bytes()

    page.get_by_role("link", name="Compléter et valider").click()
    expect(page.get_by_label("Nom de naissance*", exact=True)).to_have_value("Le Goff")
    expect(page.get_by_label("Date de recensement")).to_be_disabled()
    expect(page.get_by_label("Commune (résidence)")).to_have_value("Dinard (35093)")
    page.get_by_label("Situation scolaire").select_option(label="enseignement secondaire")
    page.get_by_label("Établissement").fill("Lycée Jacques Cartier")
    page.get_by_role("button", name="Valider la demande").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("LE GOFF Maëlys Anne Louise")
    expect(page.get_by_role("alert")).to_contain_text("est recensé(e) au 09/02/2026")
    recense = Recense.objects.get()
    demande = DemandeEnLigne.objects.get()
    assert (demande.statut, demande.recense) == (StatutDemande.VALIDEE, recense)

    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimer l'attestation").click()
    pdf = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = pdf.pages[0].extract_text()
    assert "LE GOFF" in text and "Saint-Malo" in text
    page.screenshot(path=str(Path("/tmp/demandes-final.png")))


def test_an_agent_uploads_the_official_test_dossier_and_downloads_each_of_its_pdfs(page):
    open_demandes(page)
    files = sorted(VALISE.iterdir())
    page.get_by_label("Dossiers HubEE").set_input_files(files)
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "10870-XML.xml : demande A-1-N8F602RR enregistrée (KERHERVÉ Erwan Loïc), avec son PDF "
        "10870-PDF.pdf et 2 pièces jointes."
    )
    page.get_by_role("link", name="A-1-N8F602RR").click()
    expect(page.get_by_role("heading", name="Pièces jointes (2)")).to_be_visible()
    expect(page.get_by_text("non déclarée", exact=True)).to_be_visible()
    for pdf in (f for f in files if f.suffix == ".pdf"):
        with page.expect_download() as download:
            page.get_by_role("link", name=pdf.name, exact=True).click()
        assert download.value.suggested_filename == pdf.name
        assert download.value.path().read_bytes() == pdf.read_bytes()
