"""Playwright on Debian's Chromium (never a downloaded browser) against the live_server."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium")
    if not executable:
        message = "Chromium de Debian introuvable : apt-get install chromium (ou make test)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop in this thread while it runs; the tests' own ORM
    # calls (and pytest-django's set-up and flush around them) stay synchronous.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
