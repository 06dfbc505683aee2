import datetime as dt

import pytest
from playwright.sync_api import expect

from mairie.models import Role
from recensement.models import Trimestre
from tests.factories import (
    PASSWORD,
    AffectationFactory,
    CollectiviteFactory,
    RecenseFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUARTERS = "/recensement/trimestres/"


def test_an_agent_follows_the_quarters_buttons_from_numbering_to_pec_terminee(
    page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo", code_postal="35400")
    agent = UserFactory(username="sophie", first_name="Sophie", last_name="Martin")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RECENSEMENT)
    for name, day in [("ZOLA", 13), ("ABADIE", 20)]:
        RecenseFactory(
            collectivite=saint_malo, nom_naissance=name, date_recensement=dt.date(2026, 1, day)
        )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.goto(QUARTERS)
    page.get_by_label("Nom d’utilisateur").fill("sophie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("non généré")).to_be_visible()
    page.get_by_role("link", name="Numéroter T1 2026").click()
    page.get_by_role("button", name="Confirmer la numérotation de T1 2026").click()
    expect(page.get_by_role("alert")).to_contain_text("T1 2026 : 2 recensés numérotés.")

    # Back on the quarters page: the next step is the file, checked on the exports page.
    page.get_by_role("link", name="Générer le fichier PECOTO T1 2026").click()
    expect(page.get_by_text("2 recensés, dont 2 numérotés.")).to_be_visible()
    page.get_by_role("button", name="Générer le fichier").click()
    expect(page.get_by_role("alert")).to_contain_text("génération lancée")
    expect(page.get_by_role("link", name="RE_20261.txt")).to_be_visible()

    page.goto(QUARTERS)
    expect(page.get_by_text("généré, à déposer")).to_be_visible()
    description = page.locator("#portail-2026-1")
    expect(description).to_have_text("SAINT-MALO – T1 2026")
    page.get_by_role("button", name="Copier la description du fichier T1 2026").click()
    expect(page.get_by_role("status")).to_have_text("Copié")
    assert page.evaluate("navigator.clipboard.readText()") == "SAINT-MALO – T1 2026"

    page.get_by_role("link", name="Déposer RE_20261.txt").click()
    expect(page.get_by_role("link", name="Tous les exports")).to_be_visible()
    page.get_by_label("État sur le portail de RE_20261.txt").select_option(label="Déposé")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("« Déposé » enregistré")

    page.goto(QUARTERS)
    expect(page.get_by_text("déposé", exact=True)).to_be_visible()
    page.get_by_role("link", name="Enregistrer l'état du portail T1 2026").click()
    page.get_by_label("État sur le portail de RE_20261.txt").select_option(label="PEC terminée")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Confirmer : PEC terminée, clore le T1 2026").click()
    expect(page.get_by_role("alert")).to_contain_text("« PEC terminée » enregistré")
    assert Trimestre.objects.filter(cloture_le__isnull=False).count() == 1

    page.goto(QUARTERS)
    expect(page.get_by_text("clos le", exact=False)).to_be_visible()
    expect(page.get_by_text("PEC terminée", exact=True)).to_be_visible()
    expect(page.locator("tbody a.btn")).to_have_count(0)
    expect(page.get_by_role("button", name="Copier", exact=False)).to_have_count(0)
