from django.urls import reverse

from mairie.models import Role
from mairie.scoping import SESSION_KEY
from tests.conftest import agent_with_role
from tests.factories import AffectationFactory, UserFactory


def test_an_agent_works_in_their_only_collectivite(side_a):
    response = side_a.client.get(reverse("home"))
    assert response.context["current_collectivite"] == side_a.collectivite
    assert "Saint-Malo — tableau de bord" in response.text.replace('<small class="text-muted">', "")


def test_an_agent_of_two_collectivites_switches_in_the_navbar(side_a, side_b):
    AffectationFactory(user=side_a.agent, collectivite=side_b.collectivite, role=Role.RECENSEMENT)
    page = side_a.client.get(reverse("home"))
    assert page.context["current_collectivite"] == side_b.collectivite  # first by name: Ajaccio
    assert "Collectivité : Ajaccio" in page.text

    response = side_a.client.post(
        reverse("choose_collectivite"), {"collectivite": side_a.collectivite.pk, "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert side_a.client.get(reverse("home")).context["current_collectivite"] == side_a.collectivite


def test_switching_to_another_collectivite_is_a_404(side_a, side_b):
    response = side_a.client.post(
        reverse("choose_collectivite"), {"collectivite": side_b.collectivite.pk}
    )
    assert response.status_code == 404
    assert side_a.client.session.get(SESSION_KEY) is None


def test_a_tampered_session_falls_back_to_the_agents_own_collectivite(side_a, side_b):
    session = side_a.client.session
    session[SESSION_KEY] = side_b.collectivite.pk
    session.save()
    assert side_a.client.get(reverse("home")).context["current_collectivite"] == side_a.collectivite


def test_switching_never_redirects_off_site(side_a):
    response = side_a.client.post(
        reverse("choose_collectivite"),
        {"collectivite": side_a.collectivite.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_a_user_without_collectivite_sees_a_notice_and_no_module(client, db):
    client.force_login(UserFactory(username="orphelin"))
    page = client.get(reverse("home"))
    assert "aucune collectivité" in page.text
    assert client.get(reverse("exports:index")).status_code == 403


def test_modules_follow_the_agents_role(side_a):
    elections = agent_with_role(side_a.collectivite, Role.ELECTIONS, "elections")
    assert elections.get(reverse("recensement:index")).status_code == 403
    assert elections.get(reverse("electoral:index")).status_code == 200
    page = elections.get(reverse("home")).text
    assert reverse("electoral:index") in page
    assert reverse("recensement:index") not in page

    recensement = agent_with_role(side_a.collectivite, Role.RECENSEMENT, "recensement")
    assert recensement.get(reverse("recensement:index")).status_code == 200
    assert recensement.get(reverse("electoral:index")).status_code == 403
