"""The frame of every page (base.html) and the forms' shared parts, in a real browser: the skip
link, the error summary, required fields, and pages that fit a phone's width."""

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
