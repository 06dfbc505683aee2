"""Background jobs of the REU import (a million-line file takes minutes), run by db_worker."""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from electoral import reu
from electoral.models import ImportReu, StatutImport


def _path(pending: ImportReu) -> Path:
    return Path(settings.MEDIA_ROOT) / pending.fichier


def _run(import_id: int, expected: str, step) -> None:
    pending = ImportReu.objects.select_related("collectivite", "cree_par").get(pk=import_id)
    if pending.statut != expected:
        return  # abandoned or already done meanwhile
    try:
        step(pending)
    except Exception as error:
        ImportReu.objects.filter(pk=import_id).update(statut=StatutImport.ECHEC, erreur=str(error))
        raise


@task()
def analyse_import(import_id: int) -> None:
    """Read the whole file and keep what importing it would do; nothing is written."""

    def step(pending: ImportReu) -> None:
        report = reu.preview(pending.collectivite, _path(pending))
        pending.rapport, pending.statut = report.as_dict(), StatutImport.APERCU
        pending.save()

    _run(import_id, StatutImport.ANALYSE, step)


@task()
def apply_import(import_id: int, user_id: int) -> None:
    """Import the confirmed file in one transaction, as the agent who confirmed it."""

    def step(pending: ImportReu) -> None:
        user = type(pending.cree_par).objects.get(pk=user_id)
        with transaction.atomic():
            report = reu.apply(pending.collectivite, _path(pending), user)
            pending.rapport, pending.statut = report.as_dict(), StatutImport.APPLIQUE
            pending.applique_le = timezone.now()
            pending.save()

    _run(import_id, StatutImport.IMPORT, step)
