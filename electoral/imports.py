"""The whole life of an uploaded REU extraction (ImportReu), as exports.services owns an
Export's: `start` keeps the file and has it analysed in the background, `status` tells the step
the worker is at, `confirm` has it imported in the background, `abandon` drops it. The jobs run
in `manage.py db_worker` (a million-line file takes minutes); `run_file` is the command line's
import of a file read where it lies.

Where a job stands is kept in a file beside the uploaded one, not in the database: the import
is one transaction, and nothing it writes is seen before it ends (nor can SQLite take a second
writer meanwhile)."""

import contextlib
import uuid
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from electoral import reu
from electoral.models import ImportReu, StatutImport
from mairie import files
from mairie.history import save_by
from mairie.models import Collectivite


class ImportClosed(Exception):
    """The import is no longer waiting for a decision (decided, refused, or not analysed)."""


def start(collectivite: Collectivite, uploaded: UploadedFile, user: AbstractBaseUser) -> ImportReu:
    """Keep the uploaded extraction and record it; it is analysed once the caller commits."""
    kept = files.keep(
        f"imports/{collectivite.code_insee}/{uuid.uuid4().hex}.csv", uploaded.chunks()
    )
    pending = ImportReu(
        collectivite=collectivite,
        fichier=kept.name,
        nom_fichier=uploaded.name,
        taille=kept.size,
        cree_par=user,
    )
    save_by(pending, user)
    transaction.on_commit(lambda: analyse_import.enqueue(pending.pk))
    return pending


def _to_decide(pending: ImportReu) -> ImportReu:
    """The import, locked: two agents deciding at once are ordered by the row lock."""
    locked = ImportReu.objects.select_for_update().get(pk=pending.pk)
    if locked.statut != StatutImport.APERCU or locked.rapport.get("refusal"):
        raise ImportClosed("Cet import n'est plus à confirmer.")
    return locked


def confirm(pending: ImportReu, user: AbstractBaseUser, create_bureaux: bool) -> ImportReu:
    """Import the analysed file in the background, in one transaction, as `user`; with
    `create_bureaux`, the bureaux the preview listed as unknown (those only) are created."""
    with transaction.atomic():
        locked = _to_decide(pending)
        locked.statut = StatutImport.IMPORT
        save_by(locked, user)
        bureaux = (
            [code for code, *_ in locked.rapport.get("unknown_bureaux", [])]
            if create_bureaux
            else []
        )
        transaction.on_commit(lambda: apply_import.enqueue(locked.pk, user.pk, bureaux))
    return locked


def abandon(pending: ImportReu, user: AbstractBaseUser) -> ImportReu:
    """Nothing is imported, and the file goes."""
    with transaction.atomic():
        locked = _to_decide(pending)
        locked.statut = StatutImport.ABANDONNE
        save_by(locked, user)
        files.delete(locked.fichier)
    return locked


def _progress_name(pending: ImportReu) -> str:
    return f"{pending.fichier}.etape"


def status(pending: ImportReu) -> str:
    """The step a running job told last, for the agent waiting on the page; "" when none."""
    if not pending.running:
        return ""
    try:
        with files.open_kept(_progress_name(pending)) as step:
            return step.read().decode("utf-8")
    except OSError:  # not started yet, or just finished
        return ""


def _progress_writer(pending: ImportReu) -> reu.Progress:
    name = _progress_name(pending)

    def write(step: str) -> None:
        # A full disk costs the agent the progress line, never the import; the partial file
        # keeps the page from reading half a line.
        with contextlib.suppress(OSError):
            files.keep(name, [step.encode("utf-8")], partial=f"{name}.tmp")

    return write


def _run(import_id: int, expected: str, step: Callable) -> None:
    pending = ImportReu.objects.select_related("collectivite", "cree_par").get(pk=import_id)
    if pending.statut != expected:
        return  # abandoned or already done meanwhile
    try:
        with files.local_copy(pending.fichier) as path:
            step(pending, path, _progress_writer(pending))
    except Exception as error:
        ImportReu.objects.filter(pk=import_id).update(statut=StatutImport.ECHEC, erreur=str(error))
        raise
    finally:
        files.delete(_progress_name(pending))


@task()
def analyse_import(import_id: int) -> None:
    """Read the whole file and keep what importing it would do; nothing is written."""

    def step(pending: ImportReu, path: Path, progress: reu.Progress) -> None:
        report = reu.preview(pending.collectivite, path, progress, file_name=pending.nom_fichier)
        pending.rapport = report.as_dict()
        pending.statut = StatutImport.APERCU if report.ok else StatutImport.REFUSE
        pending.save()

    _run(import_id, StatutImport.ANALYSE, step)


@task()
def apply_import(import_id: int, user_id: int, create_bureaux: list[str] | None = None) -> None:
    """Import the confirmed file in one transaction, as the agent who confirmed it, creating
    the unknown bureaux the agent chose to create (`create_bureaux`, their codes)."""

    def step(pending: ImportReu, path: Path, progress: reu.Progress) -> None:
        user = type(pending.cree_par).objects.get(pk=user_id)
        with transaction.atomic():
            report = reu.apply(
                pending.collectivite,
                path,
                user,
                progress,
                file_name=pending.nom_fichier,
                create_bureaux=create_bureaux or [],
            )
            pending.rapport, pending.statut = report.as_dict(), StatutImport.APPLIQUE
            pending.applique_le = timezone.now()
            pending.save()

    _run(import_id, StatutImport.IMPORT, step)


def run_file(
    collectivite: Collectivite,
    path: Path,
    user: AbstractBaseUser | None,
    dry_run: bool,
    create_bureaux: bool,
    progress: reu.Progress | None = None,
) -> reu.ImportReport:
    """The command line's import, at once and without an ImportReu: `dry_run`, the report
    alone; else the file imported in one transaction."""
    told = {"create_bureaux": create_bureaux, **({"progress": progress} if progress else {})}
    if dry_run:
        return reu.preview(collectivite, path, **told)
    return reu.apply(collectivite, path, user, **told)
