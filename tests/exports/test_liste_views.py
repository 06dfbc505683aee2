"""The list files on the exports page: options limited to the agent's collectivité, generated in
the background like the other exports, downloads kept to their collectivité."""

from pathlib import Path

import pytest
from django.urls import reverse

from exports.models import Export, Statut
from exports.services import run_export
from mairie.models import Role
from tests.conftest import agent_with_role
from tests.exports import liste_data
from tests.factories import BureauFactory

GOLDEN = Path(__file__).parent / "golden"
OPTIONS = {"liste": "p", "date": "2026-03-10", "bureau": ""}


@pytest.fixture
def people(side_a):
    return liste_data.build(side_a.collectivite)


@pytest.fixture
def elections(side_a):
    return agent_with_role(side_a.collectivite, Role.ELECTIONS, "urnes")


def test_the_page_offers_the_list_files_with_the_collectivites_bureaux(
    side_a, side_b, people, elections
):
    BureauFactory(collectivite=side_b.collectivite, code="0009", libelle="Salle d'Ajaccio")
    page = elections.get(reverse("exports:index")).text
    assert "Liste électorale (CSV)" in page and "Liste électorale (XML)" in page
    assert "Fichier PECOTO" not in page  # an elections agent
    assert "École Jules Ferry" in page and "Salle d&#x27;Ajaccio" not in page
    preview = elections.get(reverse("exports:index"), {"kind": "liste-csv", **OPTIONS})
    assert "6 électeurs sur la liste ce jour-là." in preview.text
    assert "Générer le fichier" in preview.text


def test_an_agent_generates_and_downloads_the_list_in_the_background(
    side_a, people, elections, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        elections.post(reverse("exports:generate", args=["liste-csv"]), OPTIONS)
    export = Export.objects.get()
    assert export.statut == Statut.EN_ATTENTE  # the request only queued it
    waiting = elections.get(reverse("exports:status", args=[export.pk])).text
    assert 'role="progressbar"' in waiting and 'aria-valuenow="0"' in waiting
    for callback in callbacks:
        callback()  # the worker's turn (ImmediateBackend runs it here)
    export.refresh_from_db()
    assert (export.statut, export.progression) == (Statut.TERMINE, 100)
    download = elections.get(reverse("exports:download", args=[export.pk]))
    assert download["Content-Disposition"] == ('attachment; filename="liste-p-35288-20260310.csv"')
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    golden = (GOLDEN / "liste-p-35288-20260310.csv").read_bytes()
    assert b"".join(download.streaming_content) == golden
    assert export.description == "Liste électorale (CSV) — Liste principale au 10/03/2026"


def test_a_bureau_of_another_collectivite_is_refused(
    side_a, side_b, people, elections, django_capture_on_commit_callbacks
):
    BureauFactory(collectivite=side_b.collectivite, code="0009")
    with django_capture_on_commit_callbacks(execute=True):
        response = elections.post(
            reverse("exports:generate", args=["liste-xml"]),
            {**OPTIONS, "bureau": "0009"},
            follow=True,
        )
    assert "Export refusé" in response.text and "Bureau" in response.text
    assert not Export.objects.exists()


def test_another_collectivites_list_file_is_404(side_a, side_b, people):
    theirs = run_export(side_a.collectivite, "liste-csv", OPTIONS, side_a.agent)
    assert side_b.client.get(reverse("exports:download", args=[theirs.pk])).status_code == 404
    assert side_b.client.get(reverse("exports:status", args=[theirs.pk])).status_code == 404
    response = side_a.client.get(reverse("exports:download", args=[theirs.pk]))
    assert response.status_code == 200
    response.close()


def test_a_recensement_agent_cannot_make_or_fetch_a_list(side_a, people):
    mine = run_export(side_a.collectivite, "liste-csv", OPTIONS, side_a.agent)
    recensement = agent_with_role(side_a.collectivite, Role.RECENSEMENT, "recenseur")
    assert "Liste électorale" not in recensement.get(reverse("exports:index")).text
    assert recensement.get(reverse("exports:download", args=[mine.pk])).status_code == 404
    refused = recensement.post(reverse("exports:generate", args=["liste-csv"]), OPTIONS)
    assert refused.status_code == 403


def test_an_incomplete_voter_is_listed_with_a_link_to_their_page_and_nothing_is_generated(
    side_a, people, elections, django_capture_on_commit_callbacks
):
    hamon = people["hamon"]
    hamon.naissance_pays = ""
    hamon.save()
    preview = elections.get(reverse("exports:index"), {"kind": "liste-xml", **OPTIONS}).text
    link = reverse("electoral:detail", args=[hamon.pk])
    assert (
        "<strong>PaysNaissance</strong> : pays de naissance manquant —\n"
        f'            <a href="{link}">HAMON Louis</a>'
    ) in preview
    assert "1 problème à corriger avant l'export" in preview
    assert "Générer le fichier" not in preview
    with django_capture_on_commit_callbacks(execute=True):
        refused = elections.post(
            reverse("exports:generate", args=["liste-xml"]), OPTIONS, follow=True
        )
    assert "Export refusé : 1 problème(s) à corriger avant l&#x27;export." in refused.text
    assert not Export.objects.exists()
