import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.mairie.test_import_cog import cog_files  # noqa: F401


@pytest.fixture
def communes(cog_files):  # noqa: F811
    call_command("import_cog", "--communes", str(cog_files["communes"]))


def search(client, query, **headers):
    return client.get(reverse("commune_autocomplete"), {"q": query}, **headers)


def test_autocomplete_finds_a_commune_without_accents_or_article(side_a, communes):
    for query in ["hay les", "l'haÿ", "HAY-LES-ROSES", "les roses"]:
        results = search(side_a.client, query).json()["results"]
        assert [r["code"] for r in results] == ["94038"], query
    assert results[0] == {
        "code": "94038",
        "libelle": "L'Haÿ-les-Roses",
        "departement": "94",
        "type": "COM",
    }


def test_autocomplete_finds_by_code_prefix_including_corsica(side_a, communes):
    assert [r["code"] for r in search(side_a.client, "2a0").json()["results"]] == ["2A004"]
    codes = [(r["code"], r["type"]) for r in search(side_a.client, "3528").json()["results"]]
    assert codes == [("35288", "COM"), ("35288", "COMD")]


def test_autocomplete_puts_current_communes_before_delegated_ones(side_a, communes):
    results = search(side_a.client, "saint malo").json()["results"]
    assert [r["type"] for r in results] == ["COM", "COMD"]


def test_autocomplete_needs_two_characters(side_a, communes):
    assert search(side_a.client, "s").json()["results"] == []


def test_autocomplete_answers_htmx_with_datalist_options(side_a, communes):
    response = search(side_a.client, "ajac", HTTP_HX_REQUEST="true")
    assert response.text.strip() == '<option value="Ajaccio (2A004)">2A</option>'
    empty = search(side_a.client, "zzzz", HTTP_HX_REQUEST="true")
    assert empty.text.strip() == ""


def test_autocomplete_reads_the_form_field_htmx_sends(side_a, communes):
    url = reverse("commune_autocomplete")
    response = side_a.client.get(url, {"naissance_commune_saisie": "ajac"}, HTTP_HX_REQUEST="true")
    assert "Ajaccio (2A004)" in response.text


def test_login_page_is_in_french_and_logs_in(db, side_a):
    from django.test import Client

    client = Client()
    page = client.get(reverse("login"))
    assert "Connexion" in page.text and "Nom d’utilisateur" in page.text
    response = client.post(
        reverse("login"), {"username": "agent.a", "password": "mot-de-passe-de-test"}
    )
    assert response["Location"] == reverse("home")
    bad = client.post(reverse("login"), {"username": "agent.a", "password": "non"})
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in bad.text


def test_logout_ends_the_session(side_a):
    response = side_a.client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert side_a.client.get(reverse("home")).status_code == 302


def test_dates_are_shown_as_jj_mm_aaaa(settings):
    import datetime

    from django.utils import formats, translation

    with translation.override("fr"):
        assert formats.date_format(datetime.date(2026, 1, 5)) == "05/01/2026"
        assert formats.date_format(datetime.date(2026, 1, 5), "SHORT_DATE_FORMAT") == "05/01/2026"


def test_the_dashboard_counts_the_collectivites_own_registrants(side_a, side_b):
    import time_machine

    from tests.factories import RecenseFactory

    with time_machine.travel("2026-02-20 10:00", tick=False):
        RecenseFactory.create_batch(2, collectivite=side_a.collectivite)
        RecenseFactory(collectivite=side_b.collectivite)
        figures = side_a.client.get(reverse("home")).context["figures"]
    assert ("Recensés du trimestre", 2, "/recensement/") in figures
    assert ("Recensés non numérotés", 2, "/recensement/?numerote=non") in figures


def test_the_elections_agents_home_page_says_nothing_of_the_recensement(side_a):
    import re

    from mairie.models import Role
    from tests.conftest import agent_with_role
    from tests.factories import RecenseFactory

    RecenseFactory(collectivite=side_a.collectivite)
    client = agent_with_role(side_a.collectivite, Role.ELECTIONS, "elections")
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert "Listes électorales" in page.text
    assert [label for label, _, _ in page.context["figures"]] == [
        "Électeurs inscrits (liste principale)"
    ]
    assert not re.search("(?i)recens", page.text)
    responsable = side_a.client.get(reverse("home")).text
    assert "Responsable recensement" in responsable and "Recensés du trimestre" in responsable


def test_the_favicon_is_linked_from_every_page_and_answers_at_the_root(side_a):
    from django.test import Client

    anonymous = Client()
    icon = anonymous.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    for client, url in [(anonymous, reverse("login")), (side_a.client, reverse("home"))]:
        page = client.get(url).text
        assert '<link rel="icon" href="/favicon.ico"' in page
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    svg = anonymous.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(svg.streaming_content)  # read to its end, the client closes it


def test_a_refused_login_says_why_in_the_error_summary(db, side_a):
    from django.test import Client

    page = Client().post(reverse("login"), {"username": "agent.a", "password": "non"})
    assert "1 erreur — Connexion refusée" in page.text
    assert 'role="alert" id="erreurs" tabindex="-1" autofocus' in page.text
    assert page.text.count("Saisissez un nom d’utilisateur et un mot de passe valides") == 1
    assert "* champ obligatoire" in page.text.replace('<span class="asteriskField">*</span>', "*")


@pytest.mark.parametrize("role", ["recensement", "elections", "responsable"])
def test_the_navbar_and_home_page_show_the_modules_the_agents_role_allows(side_a, role):
    from django.template import Context, Template

    from mairie.models import Affectation
    from tests.conftest import agent_with_role

    client = agent_with_role(side_a.collectivite, role, f"agent-{role}")
    affectation = Affectation.objects.get(user__username=f"agent-{role}")
    page = client.get(reverse("home")).text
    for module, url, card in [
        ("recensement", reverse("recensement:index"), "Recensement citoyen"),
        ("elections", reverse("electoral:index"), "Listes électorales"),
    ]:
        shown = affectation.allows(module)
        assert (f'href="{url}"' in page) is shown, (role, module)
        assert (card in page) is shown, (role, module)
    assert ("Responsable recensement" in page) is affectation.allows("recensement")
    template = Template('{% load roles %}{% if a|allows:"elections" %}oui{% else %}non{% endif %}')
    assert template.render(Context({"a": None})) == "non"
