""" "Who is on the list on day D" has one answer: the voters' page, its filters, the home page's
count, the bureaux' counts, the CSV, the XML, the bureau's PDF and the tableau all agree, for
today and for a past day, even with movements dated after today recorded before the rule that
forbids them."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from electoral.models import (
    Inscription,
    Liste,
    MotifInscription,
    MotifRadiation,
    Mouvement,
    TypeMouvement,
)
from electoral.services import inscrire, radier
from exports.services import ExportRefused, run_export
from exports.tableaux import build_tableau
from tests.conftest import stored
from tests.factories import BureauFactory, ElecteurFactory

NAMES = ["STABLE", "PARTI", "PARTANT", "FUTUR", "RECENT"]


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


PAST = days(-200)


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    bureau = BureauFactory(collectivite=c, code="0001", libelle="Hôtel de ville")

    def voter(nom: str, day: dt.date):
        electeur = ElecteurFactory(collectivite=c, nom_naissance=nom, bureau=bureau)
        inscrire(electeur, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, day, None, bureau=bureau)
        return electeur

    voter("STABLE", days(-400))
    radier(voter("PARTI", days(-400)), Liste.PRINCIPALE, MotifRadiation.DECES, days(-100), None)
    voter("RECENT", days(-50))
    # Recorded before future dates were refused: a radiation taking effect in ten days…
    partant = voter("PARTANT", days(-400))
    Inscription.objects.filter(electeur=partant).update(radie_le=days(10))
    Mouvement.objects.create(
        collectivite=c,
        electeur=partant,
        type=TypeMouvement.RADIATION,
        liste=Liste.PRINCIPALE,
        motif=MotifRadiation.AUTRE_COMMUNE,
        date_effet=days(10),
        bureau_avant=bureau,
    )
    # … and an inscription taking effect in five days.
    futur = voter("FUTUR", days(-1))
    Inscription.objects.filter(electeur=futur).update(inscrit_le=days(5))
    Mouvement.objects.filter(electeur=futur).update(date_effet=days(5))
    return side_a, bureau


def named(text: str) -> set[str]:
    return {name for name in NAMES if re.search(rf"\b{name}\b", text)}


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def files(side, bureau, day: dt.date) -> dict[str, set[str]]:
    options = {"liste": "p", "date": day.isoformat()}
    csv = run_export(side.collectivite, "liste-csv", options, side.agent)
    xml = run_export(side.collectivite, "liste-xml", options, side.agent)
    pdf = run_export(
        side.collectivite,
        "liste-bureau-pdf",
        options | {"bureau": bureau.code, "ordre": "nom"},
        side.agent,
    )
    tree = etree.parse(io.BytesIO(stored(xml.fichier)))
    return {
        "csv": named(stored(csv.fichier).decode("utf-8")),
        "xml": {e.findtext("NomdeNaissance") for e in tree.iter("Electeur")},
        "pdf": named(pdf_text(stored(pdf.fichier))),
    }


def test_screens_counts_files_and_pdfs_agree_on_todays_list(town):
    side, bureau = town
    expected = {"STABLE", "RECENT", "PARTANT"}
    page = side.client.get(reverse("electoral:index")).text
    assert named(page) == expected
    assert named(side.client.get(reverse("electoral:index"), {"liste": "p"}).text) == expected
    radiated = side.client.get(reverse("electoral:index"), {"statut": "radies"}).text
    assert named(radiated) == {"PARTI"}
    home = side.client.get(reverse("home")).text
    assert re.search(r'display-6">3</div>\s*<div class="text-muted">Électeurs inscrits', home)
    bureaux = side.client.get(reverse("electoral:bureaux")).text
    assert re.search(r"Hôtel de ville<br>.*?<td>3</td><td>0</td>", bureaux, re.S)
    assert files(side, bureau, timezone.localdate()) == dict.fromkeys(
        ("csv", "xml", "pdf"), expected
    )
    partant = Inscription.objects.get(electeur__nom_naissance="PARTANT").electeur
    detail = side.client.get(reverse("electoral:detail", args=[partant.pk])).text
    assert f"radiation au {days(10):%d/%m/%Y}</strong> (sur la liste jusque-là)" in detail


def test_the_files_and_pdfs_of_a_past_day_agree_and_the_tableau_leads_to_today(town):
    side, bureau = town
    before = {"STABLE", "PARTI", "PARTANT"}
    assert files(side, bureau, PAST) == dict.fromkeys(("csv", "xml", "pdf"), before)
    tableau = build_tableau(side.collectivite, "p", PAST + dt.timedelta(days=1), days(0))
    additions = {ligne.nom_naissance for s in tableau.sections for ligne in s.additions}
    retranchements = {ligne.nom_naissance for s in tableau.sections for ligne in s.retranchements}
    today = files(side, bureau, timezone.localdate())["csv"]
    assert (before | additions) - retranchements == today


@pytest.mark.parametrize("kind", ["liste-csv", "liste-xml", "liste-bureau-pdf"])
def test_a_list_of_a_day_to_come_is_refused(town, kind):
    side, bureau = town
    options = {"liste": "p", "date": days(1).isoformat(), "bureau": bureau.code, "ordre": "nom"}
    with pytest.raises(ExportRefused, match="qu'à une date passée ou aujourd'hui"):
        run_export(side.collectivite, kind, options, side.agent)
