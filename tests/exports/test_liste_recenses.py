import datetime
import io
import re

import pypdf
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from exports.liste_recenses import render_liste_recenses_pdf
from tests.factories import RecenseFactory

GENERATED = datetime.date(2026, 4, 2)
HEADER = ("N° d’inscription", "Nom de naissance", "Prénoms", "Date de naissance", "Mode")
# Every registration number printed in a row: 4 digits starting with 0 (years start with 1 or 2).
NUMBER = re.compile(r"(?<![\d/])0\d{3}(?![\d/])")


def fold(text: str) -> str:
    """Whitespace folded, so that text wrapped in a cell or a margin box still matches."""
    return " ".join(text.split())


def pdf_pages(data: bytes) -> tuple[list[pypdf.PageObject], list[str]]:
    pages = list(pypdf.PdfReader(io.BytesIO(data)).pages)
    return pages, [fold(page.extract_text()) for page in pages]


def drawn_images(page: pypdf.PageObject) -> int:
    # WeasyPrint shares one resource dictionary across pages: count the drawings, not the images.
    return len(re.findall(rb"/[^\s/]+\s+Do\b", page.get_contents().get_data()))


def assert_a4_landscape(page: pypdf.PageObject) -> None:
    box = page.mediabox
    assert float(box.width) == pytest.approx(842, abs=1)
    assert float(box.height) == pytest.approx(595, abs=1)


@pytest.fixture
def mairie(side_a):
    collectivite = side_a.collectivite
    collectivite.adresse = "Place Chateaubriand\nBP 147"
    collectivite.code_postal = "35400"
    collectivite.maire_prenom, collectivite.maire_nom = "Anne", "Le Gall"
    collectivite.save()
    return collectivite


def render(collectivite, recenses, trimestre: int = 1) -> bytes:
    return render_liste_recenses_pdf(collectivite, recenses, 2026, trimestre, GENERATED)


def test_the_list_states_the_quarter_every_registrant_and_the_total(
    mairie, django_assert_num_queries
):
    recenses = [
        RecenseFactory(
            collectivite=mairie, numero_inscription=1, nom_naissance="DURAND", nom_usage="MARTIN"
        ),
        RecenseFactory(
            collectivite=mairie,
            numero_inscription=2,
            nom_naissance="KERMARREC",
            prenoms="Yann Pierre",
            date_naissance=datetime.date(2008, 1, 12),
            naissance_code_lieu="99350",
            naissance_commune="Casablanca",
            naissance_departement="",
            naissance_pays="Maroc",
        ),
        RecenseFactory(
            collectivite=mairie,
            numero_inscription=3,
            nom_naissance="LE BIHAN",
            prenoms="Léa",
            date_naissance=datetime.date(2007, 12, 1),
            inscription_d_office=True,
        ),
    ]

    # Only the objects passed are printed: the caller has scoped and ordered them.
    with django_assert_num_queries(0):
        pages, texts = pdf_pages(render(mairie, recenses))

    assert len(pages) == 1
    assert_a4_landscape(pages[0])
    text = texts[0]
    assert "Liste des recensés — 1er trimestre 2026" in text
    assert "Mairie de Saint-Malo Place Chateaubriand BP 147 35400 Saint-Malo" in text
    assert "Classe : 2026" in text
    assert "Tranche : 1er trimestre (personnes recensées du 1er janvier au 31 mars 2026)" in text
    assert "Liste établie le 02/04/2026" in text
    assert "0001 DURAND nom d’usage : MARTIN Chloé Marie 12/01/2010 Saint-Malo (35) recensé" in text
    assert "0002 KERMARREC Yann Pierre 12/01/2008 Casablanca (Maroc) régularisé 10/02/2026" in text
    assert "0003 LE BIHAN Léa 01/12/2007 Saint-Malo (35) non recensé 10/02/2026" in text
    assert "Arrêtée à 3 personnes — Fait à Saint-Malo, le 02/04/2026" in text
    assert "Le maire Anne LE GALL Signature et cachet de la mairie" in text
    assert "Page 1 / 1" in text


def test_surnames_typed_in_lower_case_are_printed_in_capitals(mairie):
    recense = RecenseFactory(
        collectivite=mairie, numero_inscription=1, nom_naissance="Benali", nom_usage="Lefèvre"
    )

    _, texts = pdf_pages(render(mairie, [recense]))

    assert "0001 BENALI nom d’usage : LEFÈVRE Chloé Marie" in texts[0]


@pytest.mark.parametrize(
    ("trimestre", "title", "periode"),
    [
        (1, "1er trimestre 2026", "du 1er janvier au 31 mars 2026"),
        (2, "2e trimestre 2026", "du 1er avril au 30 juin 2026"),
        (3, "3e trimestre 2026", "du 1er juillet au 30 septembre 2026"),
        (4, "4e trimestre 2026", "du 1er octobre au 31 décembre 2026"),
    ],
)
def test_an_empty_quarter_is_still_drawn_up_and_signed(mairie, trimestre, title, periode):
    _, texts = pdf_pages(render(mairie, [], trimestre))

    text = " ".join(texts)
    assert f"Liste des recensés — {title}" in text
    assert periode in text
    assert "Aucune personne recensée au cours de ce trimestre." in text
    assert "Arrêtée à 0 personne — Fait à Saint-Malo" in text


def test_it_refuses_a_quarter_that_does_not_exist(mairie):
    with pytest.raises(ValueError, match="Trimestre inconnu"):
        render(mairie, [], 5)


def test_a_long_list_repeats_its_header_and_numbers_its_pages(mairie):
    recenses = [
        RecenseFactory(
            collectivite=mairie, numero_inscription=numero, nom_naissance=f"NOM-{numero}"
        )
        for numero in range(1, 121)
    ]

    pages, texts = pdf_pages(render(mairie, recenses))

    assert len(pages) > 2
    for number, (page, text) in enumerate(zip(pages, texts, strict=True), start=1):
        assert_a4_landscape(page)
        assert all(column in text for column in HEADER), f"page {number} has no table header"
        assert f"Page {number} / {len(pages)}" in text
    # Numbers appear once each and in order, none lost or repeated at a page break.
    printed = [found for text in texts for found in NUMBER.findall(text)]
    assert printed == [f"{numero:04d}" for numero in range(1, 121)]
    # The collectivité's header opens the list; the signature closes it, with rows before it.
    assert "Mairie de Saint-Malo Place Chateaubriand" in texts[0]
    assert "Mairie de Saint-Malo Place Chateaubriand" not in texts[1]
    assert "Arrêtée à 120 personnes" in texts[-1]
    assert "0120 NOM-120" in texts[-1]


def test_the_seal_is_printed_once_at_the_head_of_the_list(mairie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (120, 120), "navy").save(png, format="PNG")
    mairie.sceau.save("sceau.png", ContentFile(png.getvalue()))
    recenses = [
        RecenseFactory(collectivite=mairie, numero_inscription=numero) for numero in range(1, 41)
    ]

    pages, _ = pdf_pages(render(mairie, recenses))

    assert len(pages) > 1
    assert len(pages[0].images) == 1
    assert [drawn_images(page) for page in pages] == [1] + [0] * (len(pages) - 1)


def test_a_seal_file_gone_from_the_disk_does_not_prevent_printing(mairie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mairie.sceau = "collectivites/disparu.png"
    mairie.save()

    pages, texts = pdf_pages(render(mairie, [RecenseFactory(collectivite=mairie)]))

    assert len(pages[0].images) == 0
    assert drawn_images(pages[0]) == 0
    assert "Mairie de Saint-Malo" in texts[0]
