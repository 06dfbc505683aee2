"""Cartes électorales: four to a sheet, sorted by bureau then delivery round, moved by the
collectivité's offsets; the test sheet; the cards the post brings back."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pypdf
import pytest
import time_machine
from django.urls import reverse

from electoral.cartes_revenues import RetourRefused, enregistrer_retour, find_inscription
from electoral.models import CarteRevenue, Liste, MotifInscription, MotifRetour
from electoral.services import inscrire, modifier
from exports.services import ExportRefused, run_export
from tests.conftest import stored
from tests.factories import BureauFactory, ElecteurFactory

TODAY = dt.date(2026, 12, 5)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, 0), tick=False):
        yield


def pdf(export) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(stored(export.fichier)))


def zipped(export) -> dict[str, pypdf.PdfReader]:
    """Every bureau's cards: one PDF each in the ZIP."""
    with zipfile.ZipFile(io.BytesIO(stored(export.fichier))) as archive:
        return {
            name: pypdf.PdfReader(io.BytesIO(archive.read(name))) for name in archive.namelist()
        }


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    b1 = BureauFactory(collectivite=c, code="0001", libelle="École du Naye", adresse="Rue du Naye")
    b2 = BureauFactory(collectivite=c, code="0002", libelle="Gymnase")
    people = [
        ("ZOLA", b1, "12", "des Tilleuls"),
        ("ADAM", b1, "3", "des Tilleuls"),
        ("MARTIN", b1, "1", "Amiral"),
        ("BRUN", b2, "2 BIS", "de la Pie"),
        ("CARRE", b1, "3", "des Tilleuls"),
    ]
    voters = {}
    for n, (nom, bureau, numero, libelle) in enumerate(people):
        electeur = ElecteurFactory(
            collectivite=c,
            bureau=bureau,
            nom_naissance=nom,
            numero_voie=numero,
            libelle_voie=libelle,
            ine=f"12345678{n}",
        )
        inscrire(
            electeur,
            Liste.PRINCIPALE,
            MotifInscription.VOLONTAIRE,
            dt.date(2020, 1, 2),
            None,
            bureau=bureau,
        )
        voters[nom] = electeur
    return side_a, (b1, b2), voters


def card_names(reader: pypdf.PdfReader) -> list[list[str]]:
    names = []
    for page in reader.pages:
        text = page.extract_text()
        names.append(re.findall(r"\b(ZOLA|ADAM|MARTIN|BRUN|CARRE)\b", text))
    return names


def test_cards_are_sorted_by_bureau_then_street_number_and_name_four_to_a_sheet(town):
    side, _, voters = town
    export = run_export(side.collectivite, "cartes", {"liste": "p"}, None)
    files = zipped(export)
    assert sorted(files) == ["cartes-p-bureau-0001.pdf", "cartes-p-bureau-0002.pdf"]
    # Bureau 0001: Amiral 1, Tilleuls 3 (ADAM, CARRE), Tilleuls 12; then 0002's own file.
    reader = files["cartes-p-bureau-0001.pdf"]
    assert card_names(reader) == [["MARTIN", "ADAM", "CARRE", "ZOLA"]]
    assert card_names(files["cartes-p-bureau-0002.pdf"]) == [["BRUN"]]
    text = reader.pages[0].extract_text()
    adam = voters["ADAM"]
    assert f"INE : {adam.ine}" in text
    assert f"N° d'ordre : {adam.inscriptions.get().numero_ordre}" in text
    assert "Bureau n° 0001 — École du Naye" in text and "Rue du Naye" in text
    assert "Né(e) le 04/05/1980 à Saint-Malo (35)" in text


def test_the_offsets_move_every_card(town):
    side, _, _ = town

    def first_x() -> float:
        export = run_export(side.collectivite, "cartes", {"liste": "p", "bureau": "1"}, None)
        xs = []
        reader = pdf(export)
        reader.pages[0].extract_text(
            visitor_text=lambda text, cm, tm, *_: xs.append((tm[4], tm[5], text))
        )
        return min(x for x, _, t in xs if t.strip()), max(y for _, y, t in xs if t.strip())

    x0, y0 = first_x()
    side.collectivite.carte_decalage_horizontal = Decimal("2.5")
    side.collectivite.carte_decalage_vertical = Decimal("-1.0")
    side.collectivite.save()
    x1, y1 = first_x()
    mm = 72 / 25.4
    assert x1 - x0 == pytest.approx(2.5 * mm, abs=0.05)
    assert y1 - y0 == pytest.approx(1.0 * mm, abs=0.05)


def test_since_a_date_only_the_inscribed_or_changed_voters(town):
    side, (b1, _), voters = town
    nouveau = ElecteurFactory(collectivite=side.collectivite, bureau=b1, nom_naissance="NOUVEAU")
    inscrire(
        nouveau,
        Liste.PRINCIPALE,
        MotifInscription.VOLONTAIRE,
        dt.date(2026, 11, 2),
        None,
        bureau=b1,
    )
    modifier(
        voters["ZOLA"], {"numero_voie": "14"}, "adresse", dt.date(2026, 11, 20), None, bureau=b1
    )
    export = run_export(side.collectivite, "cartes", {"liste": "p", "depuis": "2026-11-01"}, None)
    readers = zipped(export).values()
    text = " ".join(page.extract_text() for reader in readers for page in reader.pages)
    assert "NOUVEAU" in text and "ZOLA" in text
    assert not any(name in text for name in ("ADAM", "MARTIN", "BRUN", "CARRE"))


def test_the_test_sheet_draws_four_frames_and_the_fields(town):
    side, _, _ = town
    export = run_export(side.collectivite, "cartes", {"liste": "p", "test": "on"}, None)
    (page,) = pdf(export).pages
    text = page.extract_text()
    assert text.count("• INE") == 4 and text.count("• Numéro d'ordre") == 4
    with pytest.raises(ExportRefused):
        run_export(side.collectivite, "cartes", {"liste": "cm"}, None)


def test_a_returned_card_is_found_by_number_or_ine_and_listed(town):
    side, (b1, _), voters = town
    adam = voters["ADAM"]
    numero = adam.inscriptions.get().numero_ordre
    by_number = find_inscription(side.collectivite, "p", str(numero), b1)
    assert by_number.electeur == adam
    assert find_inscription(side.collectivite, "p", adam.ine, None).electeur == adam
    with pytest.raises(RetourRefused, match="choisissez le bureau"):
        find_inscription(side.collectivite, "p", str(numero), None)
    with pytest.raises(RetourRefused, match="Aucun électeur"):
        find_inscription(side.collectivite, "p", "999", b1)
    enregistrer_retour(by_number, MotifRetour.NPAI, TODAY, side.agent)
    with pytest.raises(RetourRefused, match="déjà enregistrée"):
        enregistrer_retour(by_number, MotifRetour.NPAI, TODAY, side.agent)
    export = run_export(
        side.collectivite, "cartes-revenues", {"du": "2026-12-01", "au": "2026-12-05"}, None
    )
    text = pdf(export).pages[0].extract_text()
    assert (
        "ADAM" in text
        and "n'habite pas à\nl'adresse indiquée" in text
        and "1 carte revenue." in text
    )


def test_an_agent_records_returned_cards_one_after_the_other(town, side_b):
    side, (b1, _), voters = town
    url = reverse("electoral:cartes_revenues")
    for nom in ("ADAM", "ZOLA"):
        numero = voters[nom].inscriptions.get().numero_ordre
        response = side.client.post(
            url, {"liste": "p", "bureau": b1.pk, "reference": str(numero), "motif": "npai"}
        )
        assert response.status_code == 302 and f"bureau={b1.pk}" in response["Location"]
    assert CarteRevenue.objects.filter(collectivite=side.collectivite).count() == 2
    page = side.client.get(url).content.decode()
    assert "ADAM" in page and "ZOLA" in page
    # Ajaccio's agent cannot reach Saint-Malo's voters by their INE, nor see the list.
    refused = side_b.client.post(
        url, {"liste": "p", "reference": voters["ADAM"].ine, "motif": "npai"}
    )
    assert "Aucun électeur" in refused.content.decode()
    assert "ADAM" not in side_b.client.get(url).content.decode()
