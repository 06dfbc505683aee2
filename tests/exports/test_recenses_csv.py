"""The CSV of a search of the registrants list: the collectivité's registrants only, those the
list shows for the same search, kept with its SHA-256 like every export."""

import csv
import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.urls import reverse

from exports.exporters import RecensesCsvExporter
from exports.models import Export
from exports.services import ExportRefused, run_export
from recensement.attestation import Signataire, cancel_attestation, issue_attestation
from tests.conftest import stored
from tests.factories import RecenseFactory

KIND = RecensesCsvExporter.identifier


@pytest.fixture(autouse=True)
def today(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0), tick=False):
        yield


@pytest.fixture
def town(side_a, side_b):
    """Saint-Malo: LEFÈVRE (attestation delivered), MARTIN (late, T4 2025, attestation
    cancelled), DURAND (not yet delivered); Ajaccio: a LEFEVRE who is never in A's files."""
    lefevre = RecenseFactory(
        collectivite=side_a.collectivite,
        nom_naissance="Lefèvre",
        prenoms="Zoé",
        telephone_portable="0612345678",
        courriel="zoe@example.fr",
    )
    issue_attestation(lefevre, side_a.agent, Signataire.MAIRE)
    martin = RecenseFactory(
        collectivite=side_a.collectivite,
        nom_naissance="MARTIN",
        date_naissance=dt.date(2009, 6, 15),
        date_recensement=dt.date(2025, 11, 3),
        domicile_numero="",
        domicile_voie="=HYPERLINK(1)",
    )
    cancel_attestation(
        issue_attestation(martin, side_a.agent, Signataire.MAIRE), side_a.agent, "erreur"
    )
    RecenseFactory(collectivite=side_a.collectivite, nom_naissance="DURAND")
    other = RecenseFactory(collectivite=side_b.collectivite, nom_naissance="LEFEVRE")
    issue_attestation(other, side_b.agent, Signataire.MAIRE)
    return side_a, side_b


def lines(export: Export) -> list[dict]:
    text = stored(export.fichier).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def listed(side, **search) -> list[str]:
    page = side.client.get(reverse("recensement:index"), search).context["page"]
    return [r.nom_naissance.upper() for r in page]


@pytest.mark.parametrize(
    "search",
    [
        {},
        {"q": "lefevre"},
        {"trimestre": "2025-4"},
        {"mode": "G"},
        {"numerote": "non"},
        {"attestation": "oui"},
        {"attestation": "non"},
        {"date_naissance": "2009-06-15"},
    ],
)
def test_the_file_holds_the_registrants_the_list_shows_for_the_same_search(town, search):
    side_a, _ = town
    export = run_export(side_a.collectivite, KIND, search, side_a.agent)
    names = [line["Nom de naissance"] for line in lines(export)]
    assert names == listed(side_a, **search) != []
    assert hashlib.sha256(stored(export.fichier)).hexdigest() == export.sha256


def test_b_s_registrants_are_never_in_a_s_file(town):
    side_a, side_b = town
    everyone = lines(run_export(side_a.collectivite, KIND, {}, side_a.agent))
    assert sorted(line["Nom de naissance"] for line in everyone) == ["DURAND", "LEFÈVRE", "MARTIN"]
    theirs = lines(run_export(side_b.collectivite, KIND, {"q": "lefevre"}, side_b.agent))
    assert [line["Nom de naissance"] for line in theirs] == ["LEFEVRE"]
    # A's quarter T4 2025 is not one of B's choices: refused, not an empty file of A's.
    with pytest.raises(ExportRefused, match="Trimestre"):
        run_export(side_b.collectivite, KIND, {"trimestre": "2025-4"}, side_b.agent)


def test_one_line_per_registrant_with_french_headers_and_no_formula(town):
    side_a, _ = town
    [lefevre] = lines(run_export(side_a.collectivite, KIND, {"q": "lefevre"}, side_a.agent))
    assert lefevre == {
        "N° d'inscription": "",
        "Trimestre": "T1 2026",
        "Nom de naissance": "LEFÈVRE",
        "Nom d'usage": "",
        "Prénoms": "Zoé",
        "Sexe": "féminin",
        "Date de naissance": "12/01/2010",
        "Lieu de naissance": "Saint-Malo (35)",
        "Nationalité": "français(e) de naissance",
        "Date de recensement": "10/02/2026",
        "Mode": "recensé",
        "Délai": lefevre["Délai"],
        "Adresse": "12 BIS Rue des Lilas",
        "Complément": "",
        "Code postal": "35400",
        "Commune": "Saint-Malo",
        "Téléphones": "06 12 34 56 78",
        "Courriel": "zoe@example.fr",
        "Attestation délivrée le": "02/04/2026",
    }
    assert lefevre["Délai"]
    [martin] = lines(run_export(side_a.collectivite, KIND, {"q": "martin"}, side_a.agent))
    assert martin["Adresse"] == "'=HYPERLINK(1)"  # defusedcsv: never read as a formula
    assert martin["Attestation délivrée le"] == ""  # cancelled: not delivered


def test_a_search_matching_nobody_is_refused(town):
    side_a, _ = town
    with pytest.raises(ExportRefused):
        run_export(side_a.collectivite, KIND, {"q": "personne"}, side_a.agent)
    assert not Export.objects.exists()


def test_the_list_s_button_carries_the_search_to_the_exports_page(
    town, django_capture_on_commit_callbacks
):
    side_a, _ = town
    page = side_a.client.get(reverse("recensement:index"), {"mode": "R", "page": "1"})
    link = f"{reverse('exports:index')}?kind={KIND}&amp;mode=R"
    assert f'href="{link}"' in page.text and "Exporter en CSV" in page.text
    preview = side_a.client.get(reverse("exports:index"), {"kind": KIND, "mode": "R"})
    assert "2 recensés dans le fichier." in preview.text
    assert "Recensés (CSV) — recensé" in preview.text
    assert '<input type="hidden" name="mode" value="R">' in preview.text
    with django_capture_on_commit_callbacks(execute=True):
        side_a.client.post(reverse("exports:generate", args=[KIND]), {"mode": "R"})
    export = Export.objects.get(kind=KIND)
    assert export.parametres["mode"] == "R" and export.cree_par == side_a.agent
    assert sorted(line["Nom de naissance"] for line in lines(export)) == ["DURAND", "LEFÈVRE"]
    download = side_a.client.get(reverse("exports:download", args=[export.pk]))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(download.streaming_content) == stored(export.fichier)
