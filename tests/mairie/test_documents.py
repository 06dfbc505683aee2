"""A printed document as the documents to come will write it: a template extending
mairie/pdf_base.html, rendered by mairie.documents.render_pdf."""

import datetime as dt
import io

import pypdf
import pytest

from mairie.documents import render_pdf
from mairie.pdf import FAMILY

SIGNATURE = (
    '{% include "mairie/pdf_signature.html" with signataire="Le maire" '
    "nom=collectivite.maire_as_printed fait_le=signe_le %}"
)
DOCUMENT = """{% extends "mairie/pdf_base.html" %}
{% block title %}Procès-verbal d’essai{% endblock %}
{% block body %}
  <p class="pied coupe">Pied de page du procès-verbal</p>
  {% include "mairie/pdf_entete.html" %}
  <div class="titre"><h1>Procès-verbal</h1><p>Élection d’essai</p></div>
  SIGNATURE
{% endblock %}
""".replace("SIGNATURE", SIGNATURE)


@pytest.fixture
def document_template(settings, tmp_path) -> str:
    folder = tmp_path / "templates"
    (folder / "essai").mkdir(parents=True)
    (folder / "essai" / "proces_verbal_pdf.html").write_text(DOCUMENT, encoding="utf-8")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [folder, *engine["DIRS"]]}]
    return "essai/proces_verbal_pdf.html"


def test_a_document_gets_the_letterhead_signature_footer_and_page_numbers(
    side_a, document_template
):
    data = render_pdf(
        document_template, {"collectivite": side_a.collectivite, "signe_le": dt.date(2026, 4, 2)}
    )

    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1
    assert (reader.metadata.title, reader.metadata.author) == (
        "Procès-verbal d’essai",
        "Mairie de Saint-Malo",
    )
    for printed in [
        "Mairie de Saint-Malo",
        "République française",
        "Procès-verbal Élection d’essai",
        "Fait à Saint-Malo, le 02/04/2026 Le maire Jeanne DUPONT",
        "Signature et cachet de la mairie",
        "Pied de page du procès-verbal",
        "Page 1 / 1",
    ]:
        assert printed in text
    fonts = {
        str(font.get_object()["/BaseFont"]).partition("+")[2]
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert fonts and all(font.startswith(FAMILY.replace(" ", "-")) for font in fonts)
