import pytest
from playwright.sync_api import expect

from mairie.models import Role
from tests.factories import PASSWORD, AffectationFactory, CollectiviteFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_visitor_is_sent_to_login(page):
    page.goto("/exports/")
    expect(page).to_have_url("/connexion/?next=/exports/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def test_an_agent_logs_in_switches_collectivite_and_logs_out(page):
    saint_malo = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    ajaccio = CollectiviteFactory(code_insee="2A004", nom="Ajaccio")
    agent = UserFactory(username="lucie", first_name="Lucie", last_name="Bernard")
    AffectationFactory(user=agent, collectivite=saint_malo, role=Role.RECENSEMENT)
    AffectationFactory(user=agent, collectivite=ajaccio, role=Role.ELECTIONS)

    page.goto("/")
    page.get_by_label("Nom d’utilisateur").fill("lucie")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajaccio")
    navbar = page.get_by_role("navigation", name="Navigation principale")
    expect(navbar.get_by_role("link", name="Élections")).to_be_visible()
    expect(navbar.get_by_role("link", name="Recensement")).to_have_count(0)

    navbar.get_by_role("button", name="Collectivité : Ajaccio").click()
    navbar.get_by_role("button", name="Saint-Malo (35288) — Recensement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Saint-Malo")
    expect(navbar.get_by_role("link", name="Recensement")).to_be_visible()
    expect(navbar.get_by_role("link", name="Élections")).to_have_count(0)

    navbar.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url("/connexion/")
    page.goto("/")
    expect(page).to_have_url("/connexion/?next=/")
