"""The same export through the real database queue and `manage.py db_worker`."""

import contextlib
import datetime as dt
import hashlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from electoral.models import Mouvement
from exports.models import Export, Statut
from exports.services import prepare_export, queue_export, recover_interrupted
from tests.conftest import stored
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
    assert stored(export.fichier).count(b"\r\n") == 4
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
    first = pypdf.PdfReader(io.BytesIO(stored(export.fichier))).pages[0].extract_text()
    kinds = dict(Mouvement.objects.values_list("type").annotate(n=Count("id")))
    additions = kinds["inscription"] + kinds["modification"]  # every modification moves
    retranchements = kinds["radiation"] + kinds["modification"]
    assert f"Total des additions : {additions} — Total des retranchements : {retranchements}" in (
        " ".join(first.split())
    )


# -- A worker killed in the middle of a job ---------------------------------------------------


class WorkerDatabase:
    """The test database as a separate worker process reaches it: PostgreSQL directly; the
    in-memory SQLite database through a file copied there and back."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        self.file = tmp_path / "worker.sqlite3"

    @property
    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.file}"
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
        return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"

    def hand_over(self) -> None:
        if self.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def take_back(self) -> None:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)

    def statut(self, pk: int) -> str:
        if self.vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(self.file, timeout=5)) as db:
                row = db.execute("SELECT statut FROM exports_export WHERE id = ?", [pk]).fetchone()
            return row[0]
        return Export.objects.values_list("statut", flat=True).get(pk=pk)


def start_worker(database: WorkerDatabase, media_root: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mairie.settings",  # the database task queue
        "SECRET_KEY": "worker-of-the-tests-" + "x" * 40,
        "DEBUG": "0",
        "DATABASE_URL": database.url,
        "MEDIA_ROOT": str(media_root),
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        [*command, "--interval", "0.05", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_an_export_whose_worker_is_killed_ends_in_failure_and_a_new_run_succeeds(
    side_a, settings, tmp_path
):
    settings.MEDIA_ROOT = media = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    quarter = {"annee": 2026, "trimestre": 1}
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0), tick=False):
        for numero in range(1, 31):  # a PDF of 30 registrants: seconds of WeasyPrint
            RecenseFactory(collectivite=side_a.collectivite, numero_inscription=numero)
        export = queue_export(side_a.collectivite, "liste-recenses", quarter, side_a.agent)
    database = WorkerDatabase(tmp_path)
    database.hand_over()
    with start_worker(database, media) as worker:
        try:
            deadline = time.monotonic() + 120
            while database.statut(export.pk) != Statut.EN_COURS:
                assert worker.poll() is None, worker.stderr.read().decode()
                assert time.monotonic() < deadline, "the worker never started the export"
                time.sleep(0.01)
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.kill()
    database.take_back()
    export.refresh_from_db()
    assert export.statut == Statut.EN_COURS  # killed in the middle of the job
    folder = media / "exports" / side_a.collectivite.code_insee
    # What a kill during the write would leave: a half-written file beside the final name.
    (folder / f".{export.pk}-liste-recenses-2026-T1.pdf.part").write_bytes(b"%PDF-1.7 half")

    page = side_a.client.get(reverse("exports:index"))

    export.refresh_from_db()
    assert export.statut == Statut.ECHEC
    assert export.erreur.startswith("Génération interrompue : le processus des tâches de fond")
    assert "Génération interrompue" in page.text
    assert reverse("exports:download", args=[export.pk]) not in page.text
    assert sorted(p.name for p in folder.iterdir()) == []  # no half file, no lock left
    task = DBTaskResult.objects.get()
    assert (task.status, task.exception_class_path) == (
        TaskResultStatus.FAILED,
        "exports.services.ExportInterrupted",
    )

    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 5), tick=False):
        again = queue_export(side_a.collectivite, "liste-recenses", quarter, side_a.agent)
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    again.refresh_from_db()
    assert again.statut == Statut.TERMINE
    assert hashlib.sha256(stored(again.fichier)).hexdigest() == again.sha256
    assert [p.name for p in folder.iterdir()] == [Path(again.fichier).name]


def test_a_running_export_whose_worker_is_alive_is_left_alone(side_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0), tick=False):
        RecenseFactory(collectivite=side_a.collectivite, numero_inscription=1)
        export = prepare_export(
            side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None
        )
    Export.objects.filter(pk=export.pk).update(statut=Statut.EN_COURS)
    lock = tmp_path / "exports" / side_a.collectivite.code_insee / f".{export.pk}.running"
    lock.parent.mkdir(parents=True)
    # Another process generating it holds the lock, as the worker does.
    command = [sys.executable, "-c", HOLD_LOCK, str(lock)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout.readline() == "locked\n"
            assert recover_interrupted(Export.objects.all()) == 0
            export.refresh_from_db()
            assert export.statut == Statut.EN_COURS
        finally:
            holder.kill()
    assert recover_interrupted(Export.objects.all()) == 1  # its holder is gone
    export.refresh_from_db()
    assert export.statut == Statut.ECHEC


HOLD_LOCK = """
import fcntl, sys, time
lock = open(sys.argv[1], "a")
fcntl.flock(lock, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""
