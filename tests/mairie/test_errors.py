"""Error pages are French pages of the site, with DEBUG on as under `make run` too."""

import pytest
from django.test import Client
from django.urls import reverse

from mairie.models import Role
from tests.conftest import agent_with_role
from tests.factories import RecenseFactory

DEBUG_PAGE_MARKS = ("URLconf", "Django tried these URL patterns", "Page not found", "Raised by")


@pytest.mark.parametrize("debug", [True, False])
def test_a_missing_page_is_the_french_page(settings, side_a, debug):
    settings.DEBUG = debug
    for client in (side_a.client, Client()):
        response = client.get("/page-inexistante/")
        assert response.status_code == 404
        assert "Page introuvable" in response.text
        for mark in DEBUG_PAGE_MARKS:
            assert mark not in response.text


@pytest.mark.parametrize("debug", [True, False])
def test_another_collectivites_record_is_the_french_404_page(settings, side_a, side_b, debug):
    settings.DEBUG = debug
    recense = RecenseFactory(collectivite=side_b.collectivite)
    response = side_a.client.get(reverse("recensement:detail", args=[recense.pk]))
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert "Saint-Malo" in response.text  # the site's own page, navigation included
    for mark in (*DEBUG_PAGE_MARKS, "No Recense matches"):
        assert mark not in response.text


@pytest.mark.parametrize("debug", [True, False])
def test_opening_a_buttons_address_is_the_french_405_page(settings, side_a, debug):
    settings.DEBUG = debug
    recense = RecenseFactory(collectivite=side_a.collectivite)
    response = side_a.client.get(reverse("recensement:attestation", args=[recense.pk]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Action impossible depuis cette adresse" in response.text
    assert "utilisez le bouton" in response.text


@pytest.mark.parametrize("debug", [True, False])
def test_a_refused_role_is_the_french_403_page(settings, side_a, debug):
    settings.DEBUG = debug
    client = agent_with_role(side_a.collectivite, Role.ELECTIONS, "elections")
    response = client.get(reverse("recensement:index"))
    assert response.status_code == 403
    assert "Accès refusé" in response.text
    assert "Votre rôle dans cette collectivité ne donne pas accès." in response.text
