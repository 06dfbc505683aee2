"""Running an exporter into a kept file, and recording what the portal says of it."""

import contextlib
import fcntl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from exports.exporters import EXPORTERS, Exporter, QuarterExporter, Streamed
from exports.models import EtatPortail, Export, Statut
from exports.streaming import Progress, Throttled
from mairie import files
from mairie.history import save_by
from mairie.models import Collectivite
from mairie.problems import Problem
from recensement import services as recensement_services
from recensement.models import quarter_label
from recensement.quarters import FileState, Quarter, QuarterFile


class ExportRefused(Exception):
    """The options are invalid or the data would break the format: nothing is written."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def exporter_for(collectivite: Collectivite, kind: str, data: dict) -> Exporter:
    """The exporter of `kind` with its options validated by its form."""
    if kind not in EXPORTERS:
        raise ExportRefused(f"Type d'export inconnu : {kind}.")
    exporter_class = EXPORTERS[kind]
    form = exporter_class.form(collectivite, data)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label if name in form.fields else name} : {' '.join(messages)}"
            for name, messages in form.errors.items()
        )
        raise ExportRefused(f"Options invalides — {errors}")
    return exporter_class(collectivite, form.cleaned_data)


INTERRUPTED = (
    "Génération interrompue : le processus des tâches de fond s'est arrêté pendant l'export "
    "(arrêt brutal ou redémarrage). Aucun fichier n'a été gardé ; relancez l'export."
)


class ExportInterrupted(Exception):
    """The worker running the export died: recorded on its task result."""


def _folder(export: Export) -> str:
    return f"exports/{export.collectivite.code_insee}"


def _lock_path(export: Export) -> Path:
    """A lock file of the machine's own folder MEDIA_ROOT, whatever the storage of the files:
    the page and the worker must share that folder (see the README)."""
    return Path(settings.MEDIA_ROOT) / _folder(export) / f".{export.pk}.running"


@contextlib.contextmanager
def generating(export: Export) -> Iterator[None]:
    """Held by the process generating the export, released by the kernel if it dies: how
    recover_interrupted tells a running export from an abandoned one."""
    path = _lock_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            fcntl.flock(lock, fcntl.LOCK_UN)


def recover_interrupted(exports: QuerySet[Export]) -> int:
    """Mark "échec" the exports shown as running whose process is gone (its lock is free),
    remove what they left half-written, and fail their task result; returns how many."""
    recovered = 0
    for export in exports.filter(statut=Statut.EN_COURS).select_related("collectivite"):
        path = _lock_path(export)
        with contextlib.ExitStack() as stack:
            if path.exists():
                lock = stack.enter_context(path.open("a"))
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # still being generated
            interrupted = Export.objects.filter(pk=export.pk, statut=Statut.EN_COURS).update(
                statut=Statut.ECHEC, erreur=INTERRUPTED, termine_le=timezone.now()
            )
            if not interrupted:
                continue  # finished meanwhile
            recovered += 1
            path.unlink(missing_ok=True)
            files.drop_partials(_folder(export), f".{export.pk}-")
            _fail_task(export)
    return recovered


def _fail_task(export: Export) -> None:
    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path=generate_export.module_path,
        args_kwargs__args__0=export.pk,
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{__name__}.{ExportInterrupted.__qualname__}",
        traceback=INTERRUPTED,
    )


@dataclass(frozen=True)
class StoredFile:
    kept: files.Kept
    streamed: Streamed


def _store(export: Export, exporter: Exporter, progress: Progress) -> StoredFile:
    """Write the exporter's file as it comes, hashing it on the way, and keep it."""
    folder = _folder(export)
    with files.writing(f"{folder}/.{export.pk}-{exporter.identifier}.part") as written:
        streamed = exporter.write(written.out, progress)
        kept = written.keep(f"{folder}/{export.pk}-{streamed.filename}")
    return StoredFile(kept, streamed)


def _progress_of(export: Export) -> Progress:
    """Progress of a run into Export.progression, at most once per percent."""

    def report(percent: int) -> None:
        Export.objects.filter(pk=export.pk).update(progression=percent)

    return Throttled(report)


def prepare_export(
    collectivite: Collectivite, kind: str, data: dict, user: AbstractBaseUser | None
) -> Export:
    """Check the options and the data, and record the export as waiting; refused
    (ExportRefused) before anything is recorded when the options or the data are wrong."""
    exporter = exporter_for(collectivite, kind, data)
    problems = exporter.problems()
    if problems:
        raise ExportRefused(
            f"{len(problems)} problème(s) à corriger avant l'export.", problems=problems
        )
    return Export.objects.create(
        collectivite=collectivite,
        kind=kind,
        parametres=dict(exporter.options),
        description=exporter.describe(),
        cree_par=user,
    )


def run_prepared(export: Export) -> Export:
    """Render and store a waiting export; the data are checked again, since they may have
    changed while it waited. A failure leaves it marked "échec" with the reason."""
    with generating(export):
        return _render_and_store(export)


def _render_and_store(export: Export) -> Export:
    Export.objects.filter(pk=export.pk).update(statut=Statut.EN_COURS, progression=0)
    try:
        exporter = exporter_for(export.collectivite, export.kind, export.parametres)
        problems = exporter.problems()
        if problems:
            raise ExportRefused(
                "Les données ont changé : " + " ; ".join(str(p) for p in problems[:20])
            )
        stored = _store(export, exporter, _progress_of(export))
    except Exception as error:
        Export.objects.filter(pk=export.pk).update(
            statut=Statut.ECHEC, erreur=str(error), termine_le=timezone.now()
        )
        raise
    export.fichier = stored.kept.name
    export.nom_fichier = stored.streamed.filename
    export.content_type = stored.streamed.content_type
    export.taille = stored.kept.size
    export.sha256 = stored.kept.sha256
    export.statut, export.progression = Statut.TERMINE, 100
    export.termine_le = timezone.now()
    export.save()
    return export


def run_export(
    collectivite: Collectivite, kind: str, data: dict, user: AbstractBaseUser | None
) -> Export:
    """Check, render and store at once (the command line, small exports)."""
    return run_prepared(prepare_export(collectivite, kind, data, user))


def queue_export(
    collectivite: Collectivite, kind: str, data: dict, user: AbstractBaseUser | None
) -> Export:
    """Check now, render in the task worker; the page follows its progress."""
    export = prepare_export(collectivite, kind, data, user)
    transaction.on_commit(lambda: generate_export.enqueue(export.pk))
    return export


@task()
def generate_export(export_id: int) -> None:
    """The background job: `manage.py db_worker` runs it."""
    export = Export.objects.select_related("collectivite").get(pk=export_id)
    with contextlib.suppress(ExportRefused):  # recorded on the export, shown on the page
        run_prepared(export)


def final_state_message(export: Export) -> str:
    quarter = quarter_label(export.parametres["annee"], export.parametres["trimestre"])
    return (
        f"{export.nom_fichier} est « PEC terminée » : le trimestre {quarter} est clos et l'état "
        "de ce fichier ne peut plus changer. Une correction passe par un nouvel export."
    )


def set_portal_state(export: Export, etat: str, message: str, user: AbstractBaseUser) -> None:
    """Record the portal's answer; "PEC terminée" closes the file's quarter, and is final: the
    quarter stays closed, so its file cannot go back to another state (say "Rejeté")."""
    if not EXPORTERS[export.kind].has_portal_state or not export.downloadable:
        raise ExportRefused("Cet export n'est pas déposé sur un portail.")
    if etat not in EtatPortail.values:
        raise ExportRefused("État inconnu.")
    if etat == EtatPortail.REJETE and not message.strip():
        raise ExportRefused("Recopiez le message du portail qui explique le rejet.")
    if "\x00" in message:  # PostgreSQL stores no NUL character
        raise ExportRefused("Le message contient un caractère nul : recopiez-le sans lui.")
    with transaction.atomic():
        # The row lock orders two agents recording states of one file at once.
        stored = Export.objects.select_for_update().get(pk=export.pk).etat_portail
        if stored == EtatPortail.PEC_TERMINEE and etat != EtatPortail.PEC_TERMINEE:
            raise ExportRefused(final_state_message(export))
        if etat != stored:
            export.etat_portail_le = timezone.now()
        export.etat_portail, export.message_portail = etat, message.strip()
        save_by(export, user)
        if etat == EtatPortail.PEC_TERMINEE:
            recensement_services.cloturer(
                export.collectivite,
                export.parametres["annee"],
                export.parametres["trimestre"],
                user,
            )


def purge_expired_quarters(
    sender, *, collectivite: Collectivite, quarters: list[tuple[int, int]], dry_run: bool, **kwargs
) -> int:
    """Receiver of recensement.services.quarters_expired: the files made from the registrants of
    those quarters (PECOTO, liste des recensés, the CSV of a search that may hold them: each
    exporter's `holding`) go with them, rows now and files once the purge commits. Returns how
    many."""
    holding = Q(pk__in=[])
    for identifier, exporter in EXPORTERS.items():
        holding |= Q(exporter.holding(quarters), kind=identifier)
    expired = Export.objects.filter(holding, collectivite=collectivite)
    if dry_run:
        return expired.count()
    names = [export.fichier for export in expired if export.fichier]
    deleted = expired.delete()[1].get(Export._meta.label, 0)
    transaction.on_commit(lambda: files.delete(*names))
    return deleted


def _quarter_file(export: Export) -> QuarterFile:
    if export.pending:
        state, date = FileState.EN_GENERATION, export.cree_le
    elif export.statut == Statut.ECHEC:
        state, date = FileState.ECHEC, export.termine_le or export.cree_le
    elif export.etat_portail:
        state, date = FileState(export.etat_portail), export.etat_portail_le or export.termine_le
    else:
        state, date = FileState.GENERE, export.termine_le
    exporter = EXPORTERS[export.kind](export.collectivite, export.parametres)
    return QuarterFile(
        state=state,
        date=date,
        export_id=export.pk,
        filename=export.nom_fichier,
        portal_text=exporter.portal_text(),
        message=export.message_portail,
    )


def _stands_for_its_quarter(export: Export) -> tuple[bool, bool]:
    """Sort key, lowest first: the file taken in charge, then any file not failed."""
    return (export.etat_portail != EtatPortail.PEC_TERMINEE, export.statut == Statut.ECHEC)


def quarter_files(
    collectivite: Collectivite, quarters: list[Quarter]
) -> dict[Quarter, QuarterFile]:
    """Each quarter's file deposited on a portal (PECOTO): the one taken in charge, else the
    newest not failed, else the newest failure; a quarter without any is left out. Registered
    with recensement.quarters, for the quarters page."""
    if not quarters:
        return {}
    kinds = [
        identifier
        for identifier, exporter in EXPORTERS.items()
        if issubclass(exporter, QuarterExporter) and exporter.has_portal_state
    ]
    of_quarters = Q()
    for annee, trimestre in quarters:
        of_quarters |= Q(parametres__annee=annee, parametres__trimestre=trimestre)
    exports = Export.objects.filter(of_quarters, collectivite=collectivite, kind__in=kinds)
    found: dict[Quarter, Export] = {}
    newest_first = exports.select_related("collectivite").order_by("-cree_le", "-id")
    for export in sorted(newest_first, key=_stands_for_its_quarter):
        found.setdefault((export.parametres["annee"], export.parametres["trimestre"]), export)
    return {quarter: _quarter_file(export) for quarter, export in found.items()}
