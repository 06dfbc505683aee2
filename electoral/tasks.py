"""Background jobs of the REU import (a million-line file takes minutes), run by db_worker.

Where a job stands is kept in a file beside the uploaded one, not in the database: the import
is one transaction, and nothing it writes is seen before it ends (nor can SQLite take a second
writer meanwhile)."""

import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from electoral import reu
from electoral.models import ImportReu, StatutImport


def _path(pending: ImportReu) -> Path:
    return Path(settings.MEDIA_ROOT) / pending.fichier


def _progress_path(pending: ImportReu) -> Path:
    return _path(pending).with_name(_path(pending).name + ".etape")


def progress(pending: ImportReu) -> str:
    """The step a running job told last, for the agent waiting on the page; "" when none."""
    if not pending.running:
        return ""
    try:
        return _progress_path(pending).read_text(encoding="utf-8")
    except OSError:  # not started yet, or just finished
        return ""


def _progress_writer(pending: ImportReu) -> reu.Progress:
    path = _progress_path(pending)
    written = path.with_name(path.name + ".tmp")

    def write(step: str) -> None:
        try:
            written.write_text(step, encoding="utf-8")
            os.replace(written, path)  # the page never reads half a line
        except OSError:
            pass  # a full disk costs the agent the progress line, never the import

    return write


def _run(import_id: int, expected: str, step) -> None:
    pending = ImportReu.objects.select_related("collectivite", "cree_par").get(pk=import_id)
    if pending.statut != expected:
        return  # abandoned or already done meanwhile
    try:
        step(pending, _progress_writer(pending))
    except Exception as error:
        ImportReu.objects.filter(pk=import_id).update(statut=StatutImport.ECHEC, erreur=str(error))
        raise
    finally:
        _progress_path(pending).unlink(missing_ok=True)


@task()
def analyse_import(import_id: int) -> None:
    """Read the whole file and keep what importing it would do; nothing is written."""

    def step(pending: ImportReu, progress: reu.Progress) -> None:
        report = reu.preview(
            pending.collectivite, _path(pending), progress, file_name=pending.nom_fichier
        )
        pending.rapport = report.as_dict()
        pending.statut = StatutImport.APERCU if report.ok else StatutImport.REFUSE
        pending.save()

    _run(import_id, StatutImport.ANALYSE, step)


@task()
def apply_import(import_id: int, user_id: int, create_bureaux: list[str] | None = None) -> None:
    """Import the confirmed file in one transaction, as the agent who confirmed it, creating
    the unknown bureaux the agent chose to create (`create_bureaux`, their codes)."""

    def step(pending: ImportReu, progress: reu.Progress) -> None:
        user = type(pending.cree_par).objects.get(pk=user_id)
        with transaction.atomic():
            report = reu.apply(
                pending.collectivite,
                _path(pending),
                user,
                progress,
                file_name=pending.nom_fichier,
                create_bureaux=create_bureaux or [],
            )
            pending.rapport, pending.statut = report.as_dict(), StatutImport.APPLIQUE
            pending.applique_le = timezone.now()
            pending.save()

    _run(import_id, StatutImport.IMPORT, step)
