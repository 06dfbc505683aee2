import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from mairie.aide import SECTIONS
from tests.test_access import project_urls

AIDE = Path(settings.BASE_DIR) / "templates" / "mairie" / "aide.html"


def section_ids() -> set[str]:
    return set(re.findall(r'<section id="([a-z-]+)"', AIDE.read_text(encoding="utf-8")))


def test_every_page_of_the_apps_has_a_section_of_the_help():
    ids = section_ids()
    assert set(SECTIONS.values()) <= ids
    for name in project_urls():
        app = name.split(":")[0] if ":" in name else ""
        if app in {"recensement", "electoral", "exports"}:
            assert (app, None) in SECTIONS, name


def test_the_help_walks_the_quarter_to_pec_terminee_and_has_the_glossary(side_a):
    page = side_a.client.get(reverse("aide")).content.decode()
    for text in (
        "Description du fichier",
        "bandeau rouge",
        "Reçu – En cours",
        "PEC terminée",
        "ELIRE",
        '<dt class="col-sm-3">INE</dt>',
        "p / ce / cm",
        "Recensé / régularisé",
    ):
        assert text in page, text


def test_a_page_links_to_its_section(side_a):
    trimestres = side_a.client.get(reverse("recensement:trimestres")).content.decode()
    assert f'href="{reverse("aide")}#trimestre"' in trimestres
    exports = side_a.client.get(reverse("exports:index")).content.decode()
    assert f'href="{reverse("aide")}#exports"' in exports
    electeurs = side_a.client.get(reverse("electoral:index")).content.decode()
    assert f'href="{reverse("aide")}#elections"' in electeurs


def test_the_help_needs_a_login(client, db):
    response = client.get(reverse("aide"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
