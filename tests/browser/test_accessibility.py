"""RGAA: axe-core (vendored, see vendor/axe-core/README.md) finds no serious or critical
violation on the main pages, and the registrant form is usable with the keyboard alone."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from electoral.models import Decoupage, ImportReu, MotifInscription, Parite
from electoral.services import inscrire
from exports.models import Export, Statut
from exports.services import generating, prepare_export, run_export
from mairie.models import Role
from mairie.services import import_cog
from recensement.attestation import Signataire, issue_attestation
from recensement.models import Recense
from tests.conftest import TEST_COG
from tests.factories import (
    PASSWORD,
    AffectationFactory,
    BureauFactory,
    CollectiviteFactory,
    ElecteurFactory,
    RecenseFactory,
    UserFactory,
    VoieFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
INVALID_TEXT_FIELD = ", ".join(
    f"{tag}[aria-invalid=true]:not([type=radio]):not([type=checkbox]):not([type=hidden])"
    for tag in ("input", "select", "textarea")
)


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=AXE)
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(url: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{url} — {violation['impact']} {violation['id']} : {violation['help']}")
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = node["failureSummary"].replace("\n", " ")
            lines.append(f"    {target} → {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … et {len(violation['nodes']) - 5} autre(s)")
    return "\n".join(lines)


def check_pages(page, urls: list[str]) -> None:
    report = []
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        report.append(describe(url, axe_violations(page)))
    report = [block for block in report if block]
    assert not report, "Violations d'accessibilité (axe-core) :\n" + "\n".join(report)


def log_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.fixture
def mairie(settings, tmp_path):
    """Saint-Malo with a registrant (attestation issued), a numbered quarter, an export, a
    bureau, a street, a voter on the main list and an REU import."""
    settings.MEDIA_ROOT = tmp_path
    import_cog({"communes": TEST_COG / "communes.csv", "pays": TEST_COG / "pays.csv"})
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo", code_postal="35400")
    agent = UserFactory(username="claire", first_name="Claire", last_name="Morvan")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RESPONSABLE)
    recense = RecenseFactory(collectivite=saint_malo, numero_inscription=1)
    issue_attestation(recense, agent, Signataire.MAIRE)
    RecenseFactory(
        collectivite=saint_malo, nom_naissance="LE BIHAN", date_recensement=dt.date(2026, 4, 15)
    )
    run_export(saint_malo, "pecoto", {"annee": 2026, "trimestre": 1}, agent)
    running = prepare_export(saint_malo, "pecoto", {"annee": 2026, "trimestre": 1}, agent)
    Export.objects.filter(pk=running.pk).update(statut=Statut.EN_COURS, progression=40)
    bureau = BureauFactory(collectivite=saint_malo, code="0001", libelle="École du Naye")
    voie = VoieFactory(collectivite=saint_malo, type_voie="Rue", libelle="des Tilleuls")
    Decoupage.objects.create(voie=voie, parite=Parite.TOUS, bureau=bureau)
    electeur = ElecteurFactory(collectivite=saint_malo, voie=voie)
    inscrire(electeur, "p", MotifInscription.values[0], dt.date(2026, 3, 2), agent, bureau)
    pending = ImportReu.objects.create(
        collectivite=saint_malo,
        fichier="imports/absent.csv",
        nom_fichier="extraction.csv",
        taille=10,
        cree_par=agent,
    )
    # Held as the worker holds it while it writes: the page sees the export still running.
    with generating(running):
        yield {
            "agent": agent,
            "recense": recense,
            "bureau": bureau,
            "voie": voie,
            "electeur": electeur,
            "import": pending,
        }


def test_the_login_page_has_no_serious_accessibility_violation(page):
    check_pages(page, [reverse("login")])
    page.get_by_label("Nom d’utilisateur").fill("inconnu")
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Saisissez un nom d’utilisateur")
    assert not axe_violations(page), describe("connexion (erreur)", axe_violations(page))


def test_the_main_pages_have_no_serious_accessibility_violation(page, mairie):
    log_in(page, "claire")
    check_pages(
        page,
        [
            reverse("home"),
            reverse("recensement:index"),
            reverse("recensement:create"),
            reverse("recensement:detail", args=[mairie["recense"].pk]),
            reverse("recensement:edit", args=[mairie["recense"].pk]),
            reverse("recensement:delete", args=[mairie["recense"].pk]),
            reverse("recensement:trimestres"),
            reverse("recensement:statistiques"),
            reverse("exports:index"),
            reverse("electoral:index"),
            reverse("electoral:detail", args=[mairie["electeur"].pk]),
            reverse("electoral:inscription"),
            reverse("electoral:modification", args=[mairie["electeur"].pk]),
            reverse("electoral:radiation", args=[mairie["electeur"].pk]),
            reverse("electoral:bureaux"),
            reverse("electoral:bureau_create"),
            reverse("electoral:bureau_edit", args=[mairie["bureau"].pk]),
            reverse("electoral:voies"),
            reverse("electoral:voie", args=[mairie["voie"].pk]),
            reverse("electoral:controle"),
            reverse("electoral:import_reu"),
            reverse("electoral:import_reu_detail", args=[mairie["import"].pk]),
            "/page-inexistante/",
        ],
    )


def test_the_export_progress_is_announced_as_a_progress_bar(page, mairie):
    log_in(page, "claire")
    page.goto(reverse("exports:index"))
    bar = page.get_by_role("progressbar", name=re.compile("^Progression de "))
    expect(bar).to_have_attribute("aria-valuenow", "40")
    expect(bar).to_have_attribute("aria-valuemin", "0")
    expect(bar).to_have_attribute("aria-valuemax", "100")
    expect(bar).to_have_attribute("aria-valuetext", "40 %")


def test_forms_with_errors_have_no_serious_violation_and_announce_the_errors(page, mairie):
    log_in(page, "claire")
    report = []
    for url, button in [
        (reverse("recensement:create"), "Enregistrer"),
        (reverse("electoral:inscription"), "Enregistrer"),
        (reverse("electoral:import_reu"), "Analyser le fichier"),
        (reverse("electoral:bureau_create"), "Enregistrer"),
        (reverse("electoral:voies"), "Ajouter"),
    ]:
        page.goto(url)
        page.get_by_role("button", name=button).click()
        summary = page.get_by_role("alert").first
        expect(summary).to_be_visible()
        invalid = page.locator(INVALID_TEXT_FIELD).first
        expect(invalid).to_be_visible()
        # The field's error message is part of what a screen reader announces for it.
        described = (invalid.get_attribute("aria-describedby") or "").split()
        error_ids = [i for i in described if i.endswith("_error")]
        assert error_ids, f"{url} : message d'erreur non relié au champ (aria-describedby)"
        message = page.locator(f"#{error_ids[0]}").inner_text().strip()
        assert message, url
        expect(invalid).to_have_accessible_description(re.compile(re.escape(message)))
        report.append(describe(f"{url} (erreurs)", axe_violations(page)))
    report = [block for block in report if block]
    assert not report, "Violations d'accessibilité (axe-core) :\n" + "\n".join(report)


def test_a_registrant_is_recorded_with_the_keyboard_alone(page, mairie):
    log_in(page, "claire")
    page.goto(reverse("recensement:create"))
    page.locator("body").focus()

    def tab_to(target) -> None:
        for _ in range(300):
            page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"{target} n'est pas atteignable au clavier")

    def type_in(label: str, text: str) -> None:
        tab_to(page.get_by_label(label, exact=True).first)
        page.keyboard.type(text)

    # Day and month alike: the date field orders its parts by the browser's own language.
    born = dt.date(timezone.localdate().year - 16, 3, 3)
    # A radio group is one Tab stop, on its first radio; the arrows move to and check the next.
    tab_to(page.get_by_label("masculin"))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("féminin")).to_be_checked()
    type_in("Nom de naissance*", "Kerjean")
    type_in("Prénoms*", "Nolwenn")
    type_in("Date de naissance*", born.strftime("%d%m%Y"))
    type_in("Commune (lieu de naissance)", "Saint-Malo (35288)")
    tab_to(page.get_by_label("Numéro", exact=True).first)
    page.keyboard.type("4")
    tab_to(page.get_by_label("Voie (type et libellé)").first)
    page.keyboard.type("Rue de la Paix")
    type_in("Nom de naissance du père", "Kerjean")
    type_in("Prénoms du père", "Erwan")
    type_in("Nom de naissance de la mère", "Le Du")
    type_in("Prénoms de la mère", "Soazig")
    tab_to(page.get_by_label("Situation scolaire"))
    page.keyboard.press("ArrowDown")  # a closed select: the next option
    tab_to(page.get_by_role("button", name="Enregistrer"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("KERJEAN Nolwenn")
    expect(page.get_by_role("alert")).to_contain_text("KERJEAN Nolwenn est recensé(e).")
    saved = Recense.objects.get(nom_naissance="Kerjean", prenoms="Nolwenn")
    assert (saved.sexe, saved.date_naissance, saved.naissance_code_lieu) == ("F", born, "35288")
