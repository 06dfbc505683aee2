"""Running an exporter into a kept file, and recording what the portal says of it."""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from exports.exporters import EXPORTERS, Exporter
from exports.models import EtatPortail, Export, Statut
from exports.pecoto import Problem
from mairie.models import Collectivite
from recensement import services as recensement_services


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
    form = exporter_class.form_class(data)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label if name in form.fields else name} : {' '.join(messages)}"
            for name, messages in form.errors.items()
        )
        raise ExportRefused(f"Options invalides — {errors}")
    return exporter_class(collectivite, form.cleaned_data)


def _store(export: Export, filename: str, data: bytes) -> None:
    relative = Path("exports") / export.collectivite.code_insee / f"{export.pk}-{filename}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    try:
        partial.write_bytes(data)
        # Complete files only: a reader never sees a half-written file under the final name.
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    export.fichier = str(relative)


def run_export(
    collectivite: Collectivite, kind: str, data: dict, user: AbstractBaseUser | None
) -> Export:
    """Validate, render, store; refused (ExportRefused) before anything is written when the
    options or the data are wrong. A failure while rendering leaves an export marked "échec"."""
    exporter = exporter_for(collectivite, kind, data)
    problems = exporter.problems()
    if problems:
        raise ExportRefused(
            f"{len(problems)} problème(s) à corriger avant l'export.", problems=problems
        )
    export = Export.objects.create(
        collectivite=collectivite,
        kind=kind,
        parametres=dict(exporter.options),
        description=exporter.describe(),
        cree_par=user,
    )
    try:
        rendered = exporter.render()
        _store(export, rendered.filename, rendered.data)
    except Exception as error:
        Export.objects.filter(pk=export.pk).update(
            statut=Statut.ECHEC, erreur=str(error), termine_le=timezone.now()
        )
        raise
    export.nom_fichier = rendered.filename
    export.content_type = rendered.content_type
    export.taille = len(rendered.data)
    export.sha256 = hashlib.sha256(rendered.data).hexdigest()
    export.statut = Statut.TERMINE
    export.termine_le = timezone.now()
    export.save()
    return export


def set_portal_state(export: Export, etat: str, message: str, user: AbstractBaseUser) -> None:
    """Record the portal's answer; "PEC terminée" closes the file's quarter."""
    if not EXPORTERS[export.kind].has_portal_state or not export.downloadable:
        raise ExportRefused("Cet export n'est pas déposé sur un portail.")
    if etat not in EtatPortail.values:
        raise ExportRefused("État inconnu.")
    if etat == EtatPortail.REJETE and not message.strip():
        raise ExportRefused("Recopiez le message du portail qui explique le rejet.")
    with transaction.atomic():
        export.etat_portail, export.message_portail = etat, message.strip()
        export._history_user = user
        export.save()
        if etat == EtatPortail.PEC_TERMINEE:
            recensement_services.cloturer(
                export.collectivite,
                export.parametres["annee"],
                export.parametres["trimestre"],
                user,
            )
