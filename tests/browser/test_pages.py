"""The frame of every page (base.html) and the forms' shared parts, in a real browser: the skip
link, the error summary, required fields, and pages that fit a phone's width."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_accessibility import log_in, mairie  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def skip_to_content(page) -> None:
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), page.url


def test_the_first_tab_reaches_the_skip_link_which_leads_past_the_navigation(page, mairie):  # noqa: F811
    page.goto(reverse("login"))  # its user name field takes the focus: the link is first anyway
    first = "document.querySelector('a[href], button, input:not([type=hidden])').textContent"
    assert page.evaluate(first) == "Aller au contenu"
    log_in(page, "claire")
    for url in (reverse("home"), reverse("recensement:index")):
        page.goto(url)
        skip_to_content(page)


def test_the_list_pages_do_not_scroll_sideways_on_a_phone(page, mairie):  # noqa: F811
    page.set_viewport_size(PHONE)
    log_in(page, "claire")
    wide = []
    for url in [
        reverse("home"),
        reverse("recensement:index"),
        reverse("recensement:detail", args=[mairie["recense"].pk]),
        reverse("recensement:trimestres"),
        reverse("recensement:statistiques"),
        reverse("recensement:demandes"),
        reverse("exports:index"),
        reverse("electoral:index"),
        reverse("electoral:detail", args=[mairie["electeur"].pk]),
        reverse("electoral:bureaux"),
        reverse("electoral:voies"),
        reverse("electoral:voie", args=[mairie["voie"].pk]),
        reverse("electoral:controle"),
        reverse("electoral:import_reu"),
        reverse("electoral:import_reu_detail", args=[mairie["import"].pk]),
    ]:
        page.goto(url)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            wide.append(f"{url} : {widths[0]} px de large pour {widths[1]} px d'écran")
    assert not wide, "\n".join(wide)


FORMS = [
    ("recensement:create", "Enregistrer"),
    ("electoral:inscription", "Enregistrer"),
    ("electoral:import_reu", "Analyser le fichier"),
    ("electoral:bureau_create", "Enregistrer"),
    ("electoral:voies", "Ajouter"),
]


def test_a_refused_form_opens_on_a_focused_summary_linking_each_field(page, mairie):  # noqa: F811
    log_in(page, "claire")
    for name, button in FORMS:
        page.goto(reverse(name))
        page.get_by_role("button", name=button).click()
        summary = page.get_by_role("alert").filter(has=page.get_by_role("heading"))
        expect(summary).to_be_focused()
        links = summary.get_by_role("list").get_by_role("link")
        count = links.count()
        assert count, name
        expect(summary.get_by_role("heading")).to_contain_text(
            f"{count} erreur{'s' if count > 1 else ''} — "
        )
        for index in range(count):
            link = links.nth(index)
            target = page.locator(link.get_attribute("href"))
            expect(target).to_have_count(1)
            if target.get_attribute("type") in ("radio", "checkbox"):
                continue  # a group of choices: the link leads to its first one
            # The link says the field's label (without its asterisk).
            label = link.inner_text().strip()
            expect(target).to_have_accessible_name(re.compile(rf"^{re.escape(label)}\*?$"))
        links.first.click()
        expect(page.locator(links.first.get_attribute("href"))).to_be_focused()


def test_required_fields_are_marked_and_the_mark_explained(page, mairie):  # noqa: F811
    log_in(page, "claire")
    for name, _ in FORMS:
        page.goto(reverse(name))
        required = page.locator(
            "input[required]:not([type=hidden]), select[required], textarea[required]"
        )
        assert required.count(), name
        for index in range(required.count()):
            field = required.nth(index)
            if field.get_attribute("type") in ("radio", "checkbox"):
                continue  # a group's mark is on its legend
            # In the label (crispy-forms) or right after it (compact fields, the REU file).
            label = page.locator(f"label[for='{field.get_attribute('id')}']")
            mark = label.locator(".asteriskField").or_(label.locator("+ .asteriskField"))
            expect(mark).to_have_text("*")
        expect(page.get_by_text("* champ obligatoire", exact=True).first).to_be_visible()
