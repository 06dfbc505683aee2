"""The same export through the real database queue and `manage.py db_worker`."""

import datetime as dt

import pypdf
import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count

from electoral.models import Mouvement
from exports.models import Export, Statut
from exports.services import queue_export
from tests.factories import RecenseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_database_worker_generates_a_queued_export(side_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0), tick=False):
        for numero in (1, 2):
            RecenseFactory(collectivite=side_a.collectivite, numero_inscription=numero)
        export = queue_export(
            side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, side_a.agent
        )
    export.refresh_from_db()
    assert export.statut == Statut.EN_ATTENTE  # queued, not run by the request
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    export.refresh_from_db()
    assert (export.statut, export.progression, export.nom_fichier) == (
        Statut.TERMINE,
        100,
        "RE_20261.txt",
    )
    assert export.path.read_bytes().count(b"\r\n") == 4
    assert Export.objects.count() == 1


def test_the_worker_renders_a_long_tableau_in_child_processes(side_a, settings, tmp_path):
    from exports.pdf_pool import PARALLEL_ROWS
    from exports.tableaux_benchmark import create_movements

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    create_movements(side_a.collectivite, PARALLEL_ROWS)  # past the threshold of the pool
    export = queue_export(
        side_a.collectivite,
        "tableau",
        {"liste": "p", "du": "2026-01-01", "au": "2026-03-31"},
        side_a.agent,
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    export.refresh_from_db()
    assert (export.statut, export.erreur) == (Statut.TERMINE, "")
    first = pypdf.PdfReader(export.path).pages[0].extract_text()
    kinds = dict(Mouvement.objects.values_list("type").annotate(n=Count("id")))
    additions = kinds["inscription"] + kinds["modification"]  # every modification moves
    retranchements = kinds["radiation"] + kinds["modification"]
    assert f"Total des additions : {additions} — Total des retranchements : {retranchements}" in (
        " ".join(first.split())
    )
