import datetime as dt
import os
import re

import pypdf
import pytest
from playwright.sync_api import expect

from electoral.models import Liste, MotifInscription, Procuration, Scrutin
from electoral.services import inscrire
from mairie.models import Role
from tests.factories import (
    PASSWORD,
    AffectationFactory,
    BureauFactory,
    CollectiviteFactory,
    ElecteurFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_records_a_procuration_finds_the_mandataire_on_the_emargement_then_cancels_it(
    page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    agent = UserFactory(username="yann", first_name="Yann", last_name="Kerbrat")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.ELECTIONS)
    ecole = BureauFactory(collectivite=saint_malo, code="0001", libelle="École du Naye")
    next_year = dt.date.today().year + 1
    Scrutin.objects.create(
        collectivite=saint_malo,
        libelle="Élections municipales",
        premier_tour=dt.date(next_year, 3, 14),
        second_tour=dt.date(next_year, 3, 21),
    )
    mandants = []
    for nom, ine in (("LE GOFF", "100000001"), ("RIOU", "100000002")):
        electeur = ElecteurFactory(
            collectivite=saint_malo, bureau=ecole, nom_naissance=nom, ine=ine
        )
        inscrire(
            electeur, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, dt.date(2020, 1, 1), agent
        )
        mandants.append(electeur)

    page.goto(f"/elections/electeurs/{mandants[0].pk}/")
    page.get_by_label("Nom d’utilisateur").fill("yann")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Procuration").click()
    page.get_by_label("INE du mandataire").fill("900000009")
    page.get_by_label("Nom de naissance du mandataire").fill("Martin")
    page.get_by_label("Prénoms du mandataire").fill("Paul")
    page.get_by_label("Date de naissance du mandataire").fill("1970-02-03")
    page.get_by_label("Commune d'inscription du mandataire").fill("Rennes")
    page.get_by_label("Scrutin", exact=True).select_option(
        label=f"Élections municipales (14/03/{next_year})"
    )
    page.get_by_label("Tours").select_option(label="les deux tours")
    page.get_by_label("Autorité qui l'a établie").fill("Commissariat de Saint-Malo")
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/procuration-form.png", full_page=True)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Procuration de LE GOFF Louise à MARTIN Paul")
    expect(
        page.get_by_role(
            "cell",
            name=f"Élections municipales, les deux tours (14/03/{next_year} et 21/03/{next_year})",
        )
    ).to_be_visible()

    # The émargement list of the bureau names the mandataire under the mandant.
    page.get_by_role("link", name="Exports").first.click()
    form = page.get_by_role("form", name="Listes d'émargement (PDF)")
    form.get_by_label("Scrutin").select_option(label=f"Élections municipales (14/03/{next_year})")
    form.get_by_label("Tours").select_option(label="deux tours")
    form.get_by_label("Bureau").select_option(label="0001 — École du Naye")
    form.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("2 électeurs ; 1 procuration")).to_be_visible()
    page.get_by_role("button", name="Générer le fichier").click()
    expect(page.get_by_role("alert")).to_contain_text("génération lancée")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"emargement-p-35288-bureau-0001")).click()
    reader = pypdf.PdfReader(download.value.path())
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "LE GOFF\nLouise\nProcuration : MARTIN Paul" in text
    assert "RIOU\nLouise\n" in text and "RIOU\nLouise\nProcuration" not in text

    # The same mandataire, in France again, for the other voter: L.73 refuses it.
    page.goto(f"/elections/electeurs/{mandants[1].pk}/procuration/")
    page.get_by_label("INE du mandataire").fill("900000009")
    page.get_by_label("Nom de naissance du mandataire").fill("Martin")
    page.get_by_label("Prénoms du mandataire").fill("Paul")
    page.get_by_label("Date de naissance du mandataire").fill("1970-02-03")
    page.get_by_label("Scrutin", exact=True).select_option(
        label=f"Élections municipales (14/03/{next_year})"
    )
    page.get_by_label("Tours").select_option(label="premier tour")
    page.get_by_label("Autorité qui l'a établie").fill("Gendarmerie de Dinard")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("article L.73 du code électoral")
    assert Procuration.objects.count() == 1

    page.get_by_role("link", name="Élections").click()
    page.get_by_role("link", name="Procurations").click()
    expect(page.get_by_role("cell", name="LE GOFF Louise")).to_be_visible()
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/procurations.png", full_page=True)
    page.get_by_role("link", name="LE GOFF Louise").click()
    page.get_by_role("button", name="Résilier la procuration donnée à MARTIN Paul").click()
    expect(page.get_by_text("résiliée le")).to_be_visible()
