"""The frame of every page (base.html) and the forms' shared parts, in a real browser: the skip
link, the error summary, required fields, and pages that fit a phone's width."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_accessibility import log_in, mairie  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
