"""Security settings and protections that no single view owns: CSRF on every form, response
headers and cookies, server errors without personal data, media never served directly."""

import logging
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.urls import reverse

from mairie.models import Role
from tests.factories import AffectationFactory, CollectiviteFactory
from tests.test_access import ACCESS, project_urls

PERSONAL = "DURAND-SECRET-1960"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class PostForms(HTMLParser):
    """Every <form method="post"> of a page, and whether it carries the CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: list[dict | None] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form":
            is_post = (attrs.get("method") or "get").lower() == "post"
            form = {"action": attrs.get("action"), "token": False} if is_post else None
            self._open.append(form)
            if form is not None:
                self.forms.append(form)
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self._open:
            current = self._open[-1]
            if current is not None and attrs.get("value"):
                current["token"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open:
            self._open.pop()


def own_url(name: str, side) -> str:
    access = ACCESS[name]
    kwargs = access.foreign(side)[0] if access.foreign else access.sample_kwargs
    return reverse(name, kwargs=kwargs)


GET_PAGES = [n for n in project_urls() if "get" in ACCESS[n].methods and not ACCESS[n].public]
POSTS = [n for n in project_urls() if "post" in ACCESS[n].methods]


@pytest.mark.parametrize("name", GET_PAGES)
def test_every_post_form_of_a_page_carries_the_csrf_token(side_a, name):
    # A second collectivité (after Saint-Malo in name order): the navbar shows its chooser forms.
    vitre = CollectiviteFactory(code_insee="35360", nom="Vitré")
    AffectationFactory(user=side_a.agent, collectivite=vitre, role=Role.RESPONSABLE)
    response = side_a.client.get(own_url(name, side_a))
    response.close()  # a download's open file
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return
    parser = PostForms()
    html = response.content.decode()
    parser.feed(html)
    if "<html" in html:  # a whole page, not an htmx fragment
        assert parser.forms, "pas de formulaire POST (au moins celui de déconnexion)"
    assert [f["action"] for f in parser.forms if not f["token"]] == []


@pytest.mark.parametrize("name", POSTS)
def test_a_post_without_csrf_token_is_refused(side_a, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(side_a.agent)
    kwargs, data = ACCESS[name].foreign(side_a) if ACCESS[name].foreign else ({}, {})
    url = reverse(name, kwargs=kwargs or ACCESS[name].sample_kwargs)
    response = client.post(url, data)
    assert response.status_code == 403
    assert "Formulaire expiré" in response.text


def test_a_post_with_the_token_of_the_page_is_accepted(side_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(side_a.agent)
    client.get(reverse("home"))
    response = client.post(
        reverse("logout"), {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert response.status_code == 302


def test_responses_carry_the_security_headers(client, db):
    response = client.get(reverse("login"), secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_and_csrf_cookies_are_secure_and_httponly(client, side_a):
    side_a.agent.set_password("mot-de-passe-de-test")
    side_a.agent.save()
    client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"),
        {
            "username": side_a.agent.username,
            "password": "mot-de-passe-de-test",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
        secure=True,
    )
    assert response.status_code == 302
    session, csrf = response.cookies["sessionid"], response.cookies["csrftoken"]
    assert session["secure"] and session["httponly"]
    assert csrf["secure"] and csrf["httponly"]


@override_settings(ROOT_URLCONF="tests.urls_failing")
def test_a_server_error_shows_no_exception_nor_posted_data(side_a, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(side_a.agent)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post("/test/echec/", {"nom_naissance": PERSONAL})
    assert response.status_code == 500
    assert "Erreur du serveur" in response.text
    for secret in (PERSONAL, "RuntimeError", "échec provoqué", "Traceback", settings.SECRET_KEY):
        assert secret not in response.text
    # Logged for the administrator, without the request body.
    assert "Internal Server Error: /test/echec/" in caplog.text
    assert PERSONAL not in caplog.text


def test_no_error_report_is_mailed():
    assert settings.ADMINS == []
    assert not settings.DEBUG
    handlers = logging.getLogger("django").handlers + logging.getLogger("django.request").handlers
    assert not [
        h for h in handlers if isinstance(h, logging.Handler) and "Email" in type(h).__name__
    ]


def test_media_is_outside_every_static_folder():
    media = Path(settings.MEDIA_ROOT).resolve()
    for folder in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        folder = Path(folder).resolve()
        assert media != folder and folder not in media.parents and media not in folder.parents


def test_a_media_root_inside_static_fails_the_system_check(settings):
    settings.MEDIA_ROOT = Path(settings.STATICFILES_DIRS[0]) / "media"
    errors = [e for e in run_checks() if e.id == "mairie.E001"]
    assert len(errors) == 1
    assert "données personnelles" in errors[0].msg
    settings.MEDIA_ROOT = Path(settings.STATIC_ROOT) / "fichiers"
    assert [e.id for e in run_checks() if e.id == "mairie.E001"] == ["mairie.E001"]


def test_media_files_are_not_served_by_url(side_a):
    target = Path(settings.MEDIA_ROOT) / "imports" / "35288" / "extraction.csv"
    target.parent.mkdir(parents=True)
    target.write_text(PERSONAL)
    for url in (
        f"/{settings.MEDIA_URL}imports/35288/extraction.csv",
        f"{settings.STATIC_URL}imports/35288/extraction.csv",
        "/static/../media/imports/35288/extraction.csv",
    ):
        response = side_a.client.get(url if url.startswith("/") else f"/{url}")
        assert response.status_code == 404, url
        assert PERSONAL not in response.content.decode(errors="replace")
