"""An elections agent makes the list CSV on the exports page; the real database queue and
`manage.py db_worker` generate it while the page follows the job without being reloaded."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from exports.models import Export
from mairie.models import Role
from tests.exports import liste_data
from tests.factories import PASSWORD, AffectationFactory, CollectiviteFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_PROGRESS = """
() => {
  window.notReloaded = true;
  window.progressSeen = [];
  const record = () => document.querySelectorAll('[role=progressbar]').forEach(
    (bar) => window.progressSeen.push(bar.getAttribute('aria-valuenow')));
  record();
  new MutationObserver(record).observe(document.body, {subtree: true, childList: true});
}
"""


def test_an_agent_generates_the_list_csv_in_the_background_and_downloads_it(
    page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    agent = UserFactory(username="yann", first_name="Yann", last_name="Kerbrat")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.ELECTIONS)
    liste_data.build(saint_malo)

    page.goto("/exports/")
    page.get_by_label("Nom d’utilisateur").fill("yann")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    form = page.get_by_role("form", name="Liste électorale (CSV)")
    form.get_by_label("Liste", exact=True).select_option(label="liste principale")
    form.get_by_label("Liste au").fill("2026-03-10")
    form.get_by_label("Bureau").select_option(label="tous les bureaux")
    form.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("6 électeurs sur la liste ce jour-là.")).to_be_visible()
    page.get_by_role("button", name="Générer le fichier").click()
    expect(page.get_by_role("alert")).to_contain_text("génération lancée")

    # Queued, not run by the request: the page shows the job waiting, at 0 %.
    bar = page.get_by_role("progressbar", name="Progression de Liste électorale (CSV)")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.get_by_text("en attente")).to_be_visible()
    page.evaluate(WATCH_PROGRESS)

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")

    link = page.get_by_role("link", name="liste-p-35288-20260310.csv")
    expect(link).to_be_visible()  # the polled cell turned into the file's link
    assert page.evaluate("window.notReloaded") is True
    assert "0" in page.evaluate("window.progressSeen")
    expect(page.get_by_role("progressbar")).to_have_count(0)
    export = Export.objects.get()
    row = page.locator(f"#export-{export.pk}")  # the whole row, refreshed with the link
    expect(row).to_contain_text(export.sha256[:12])
    expect(row).to_contain_text("Kio")
    with page.expect_download() as download:
        link.click()
    golden = liste_data.GOLDEN / "liste-p-35288-20260310.csv"
    assert download.value.path().read_bytes() == golden.read_bytes()
