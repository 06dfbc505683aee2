import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mairie.models import Role
from mairie.services import import_cog
from recensement.models import Recense
from tests.conftest import TEST_COG
from tests.factories import (
    PASSWORD,
    AffectationFactory,
    CollectiviteFactory,
    RecenseFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_records_a_registrant_born_abroad_prints_once_and_is_refused_a_duplicate(page):
    import_cog({"communes": TEST_COG / "communes.csv", "pays": TEST_COG / "pays.csv"})
    saint_malo = CollectiviteFactory(
        code_insee="35288", nom="Saint-Malo", code_postal="35400", maire_nom="LE GALL"
    )
    agent = UserFactory(username="sophie", first_name="Sophie", last_name="Martin")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RECENSEMENT)

    page.goto("/recensement/")
    page.get_by_label("Nom d’utilisateur").fill("sophie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Nouveau recensé").click()

    page.get_by_label("masculin").check()
    page.get_by_label("Nom de naissance*", exact=True).fill("El Amrani")
    page.get_by_label("Prénoms*", exact=True).fill("Yanis Karim")
    # 17 years old on the default date of recensement (today): late, hence régularisé.
    born = dt.date(timezone.localdate().year - 17, 1, 20)
    page.get_by_label("Date de naissance*", exact=True).fill(born.isoformat())
    # Born abroad: the commune field gives way to country and town.
    naissance = page.locator(".lieu").first
    expect(naissance.get_by_label("Commune (lieu de naissance)")).to_be_visible()
    naissance.get_by_label("à l'étranger", exact=True).check()
    expect(naissance.get_by_label("Commune (lieu de naissance)")).to_be_hidden()
    naissance.get_by_label("Pays (lieu de naissance)").select_option(label="Maroc")
    naissance.get_by_label("Ville à l'étranger (lieu de naissance)").fill("Casablanca")

    page.get_by_label("Numéro", exact=True).first.fill("4")
    page.get_by_label("Voie (type et libellé)").first.fill("Rue de la Paix")
    # The domicile is already the collectivité; the autocomplete offers communes as one types.
    domicile = page.get_by_label("Commune (domicile)")
    expect(domicile).to_have_value("Saint-Malo (35288)")
    domicile.fill("")
    domicile.press_sequentially("dinar")
    expect(page.locator("#domicile-communes option")).to_have_attribute("value", "Dinard (35093)")
    domicile.fill("Saint-Malo (35288)")

    # Unknown father: his fields disappear.
    page.get_by_label("Père non déclaré").check()
    expect(page.get_by_label("Nom de naissance du père")).to_be_hidden()
    page.get_by_label("Nom de naissance de la mère").fill("Benali")
    page.get_by_label("Prénoms de la mère").fill("Samira")
    page.get_by_label("Situation scolaire").select_option(label="enseignement secondaire")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("EL AMRANI Yanis Karim")
    expect(page.get_by_role("alert")).to_contain_text("EL AMRANI Yanis Karim est recensé(e).")
    sixteen = f"16 ans le 20/01/{born.year + 16}"
    expect(page.get_by_role("alert")).to_contain_text(f"Mode : régularisé ({sixteen}")
    expect(page.get_by_text("Casablanca, Maroc")).to_be_visible()
    expect(page.get_by_text("non déclaré", exact=True)).to_be_visible()
    recense = Recense.objects.get()
    assert (recense.naissance_code_lieu, recense.pere_connu) == ("99350", False)

    with page.expect_download() as download:
        page.get_by_role("button", name="Imprimer l'attestation").click()
    pdf = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "EL AMRANI" in text and "Casablanca" in text

    page.get_by_role("button", name="Imprimer l'attestation").click()
    expect(page.get_by_role("alert")).to_contain_text("ne délivre pas de duplicata")
    today = timezone.localdate().strftime("%d/%m/%Y")
    expect(page.get_by_text(f"Délivrée le {today}", exact=False).last).to_be_visible()
    assert recense.attestations.count() == 1


def test_once_delivered_changing_the_name_asks_for_confirmation(page):
    import_cog({"communes": TEST_COG / "communes.csv", "pays": TEST_COG / "pays.csv"})
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo", code_postal="35400")
    agent = UserFactory(username="sophie", first_name="Sophie", last_name="Martin")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RECENSEMENT)
    today = timezone.localdate()
    recense = RecenseFactory(
        collectivite=saint_malo,
        nom_naissance="Durand",
        date_recensement=today,
        date_naissance=today.replace(year=today.year - 16, day=1),
    )

    page.goto(f"/recensement/{recense.pk}/")
    page.get_by_label("Nom d’utilisateur").fill("sophie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    with page.expect_download():
        page.get_by_role("button", name="Imprimer l'attestation").click()
    page.reload()
    expect(page.get_by_text("Délivrée le", exact=False)).to_contain_text("par Sophie Martin")
    expect(page.get_by_role("button", name="Imprimer l'attestation")).to_have_count(0)
    expect(page.get_by_text("Annuler une délivrance")).to_have_count(0)  # not a responsable

    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Nom de naissance*", exact=True).fill("Durant")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "l'attestation imprimée ne correspondra plus"
    )
    recense.refresh_from_db()
    assert recense.nom_naissance == "Durand"
    page.get_by_label("Je confirme la modification").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("DURANT")
    recense.refresh_from_db()
    assert recense.nom_naissance == "Durant"


def test_an_agent_prints_the_notice_individuelle_from_the_registrants_page(page):
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    agent = UserFactory(username="sophie")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RECENSEMENT)
    recense = RecenseFactory(collectivite=saint_malo, nom_naissance="Le Gall", prenoms="Maël")

    page.goto(f"/recensement/{recense.pk}/")
    page.get_by_label("Nom d’utilisateur").fill("sophie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Imprimer la notice individuelle").click()

    assert download.value.suggested_filename == f"notice-individuelle-{recense.pk}.pdf"
    pdf = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "NOTICE INDIVIDUELLE DE RECENSEMENT" in text
    assert "Nom de naissance LE GALL" in text and "Prénoms Maël" in text
