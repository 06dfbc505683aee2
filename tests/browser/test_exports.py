import datetime as dt

import pytest
from playwright.sync_api import expect

from mairie.models import Role
from recensement.models import Recense, Trimestre
from tests.factories import (
    PASSWORD,
    AffectationFactory,
    CollectiviteFactory,
    RecenseFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_numbers_the_quarter_exports_pecoto_and_closes_it(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo", code_postal="35400")
    agent = UserFactory(username="sophie", first_name="Sophie", last_name="Martin")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RECENSEMENT)
    for name, day in [("ZOLA", 13), ("ABADIE", 20), ("MOREAU", 13)]:
        RecenseFactory(
            collectivite=saint_malo, nom_naissance=name, date_recensement=dt.date(2026, 1, day)
        )

    page.goto("/recensement/trimestres/")
    page.get_by_label("Nom d’utilisateur").fill("sophie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("3 à numéroter")).to_be_visible()
    page.get_by_role("link", name="Numéroter T1 2026").click()
    # Numbering is confirmed, on a page saying what it gives and what cannot be undone.
    expect(
        page.get_by_text("3 recensés reçoivent les numéros d'inscription 0001 à 0003")
    ).to_be_visible()
    expect(page.get_by_text("Cela ne peut pas être défait")).to_be_visible()
    assert Recense.objects.filter(numero_inscription__isnull=False).count() == 0
    page.get_by_role("button", name="Confirmer la numérotation de T1 2026").click()
    expect(page.get_by_role("alert")).to_contain_text("T1 2026 : 3 recensés numérotés.")
    order = Recense.objects.order_by("numero_inscription").values_list("nom_naissance", flat=True)
    assert list(order) == ["MOREAU", "ZOLA", "ABADIE"]

    page.get_by_role("link", name="Exports").first.click()
    form = page.get_by_role("form", name="Fichier PECOTO")
    form.get_by_label("Année").fill("2026")
    form.get_by_label("Trimestre").select_option("1")
    form.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("3 recensés, dont 3 numérotés.")).to_be_visible()
    expect(page.get_by_text("SAINT-MALO – T1 2026")).to_be_visible()
    page.get_by_role("button", name="Générer le fichier").click()
    expect(page.get_by_role("alert")).to_contain_text("génération lancée")

    with page.expect_download() as download:
        page.get_by_role("link", name="RE_20261.txt").click()
    assert download.value.suggested_filename == "RE_20261.txt"
    lines = download.value.path().read_bytes().split(b"\r\n")
    assert [line[:2] for line in lines[:-1]] == [b"01", b"02", b"02", b"02", b"99"]
    assert lines[1][2:6] == b"0001" and b"MOREAU" in lines[1]

    page.get_by_label("État sur le portail de RE_20261.txt").select_option(label="PEC terminée")
    page.get_by_role("button", name="Enregistrer").click()
    # Closing the quarter is confirmed too; cancelling leaves it open.
    expect(page.get_by_text("clôt le trimestre T1 2026")).to_be_visible()
    page.get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    assert not Trimestre.objects.filter(cloture_le__isnull=False).exists()
    page.get_by_label("État sur le portail de RE_20261.txt").select_option(label="PEC terminée")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Confirmer : PEC terminée, clore le T1 2026").click()
    expect(page.get_by_role("alert")).to_contain_text("« PEC terminée » enregistré")
    expect(page.get_by_label("État sur le portail de RE_20261.txt")).to_have_count(0)

    page.goto("/recensement/trimestres/")
    expect(page.get_by_text("clos le", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Numéroter T1 2026")).to_have_count(0)
    page.goto(f"/recensement/{Recense.objects.get(nom_naissance='ZOLA').pk}/")
    expect(page.get_by_text("trimestre clos")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
