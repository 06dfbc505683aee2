"""The quarters page: each quarter's whole state on one line, and the one action that comes next.

A quarter's file for the national service (PECOTO) is made and followed by the exports app,
which recensement does not import: exports registers, from its AppConfig.ready(), the function
telling each quarter's file (register_file_finder), as the feature apps do for the home page's
figures (mairie.dashboard).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, QuerySet

from mairie.models import Collectivite
from recensement.models import Attestation, Recense, Trimestre
from recensement.services import is_current_quarter

Quarter = tuple[int, int]


class FileState(models.TextChoices):
    """Where a quarter's file stands, from its generation to the portal's answer."""

    EN_GENERATION = "en_generation", "en cours de génération"
    ECHEC = "echec", "génération en échec"
    GENERE = "genere", "généré, à déposer"
    DEPOSE = "depose", "déposé"
    RECU = "recu", "reçu – en cours"
    PEC_TERMINEE = "pec_terminee", "PEC terminée"
    REJETE = "rejete", "rejeté"


@dataclass(frozen=True)
class QuarterFile:
    """The file that stands for a quarter: the one taken in charge, else the newest."""

    state: FileState
    date: datetime.datetime  # when it reached that state
    export_id: int
    filename: str  # blank until generated
    portal_text: str  # what to type in the portal's "Description du fichier"
    message: str = ""  # the portal's message (a rejection's reason)

    @property
    def downloadable(self) -> bool:
        return self.state not in (FileState.EN_GENERATION, FileState.ECHEC)


FileFinder = Callable[[Collectivite, list[Quarter]], dict[Quarter, QuarterFile]]
_finders: list[FileFinder] = []


def register_file_finder(finder: FileFinder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def quarter_files(
    collectivite: Collectivite, quarters: list[Quarter]
) -> dict[Quarter, QuarterFile]:
    found: dict[Quarter, QuarterFile] = {}
    for finder in _finders:
        found |= finder(collectivite, quarters)
    return found


class Action(models.TextChoices):
    NUMEROTER = "numeroter", "Numéroter"
    GENERER = "generer", "Générer le fichier PECOTO"
    DEPOSER = "deposer", "Déposer le fichier"
    ETAT_PORTAIL = "etat_portail", "Enregistrer l'état du portail"


# After the portal's answer "rejeté", the registrants are corrected and a new file is generated.
NEXT_ACTION = {
    None: Action.GENERER,
    FileState.ECHEC: Action.GENERER,
    FileState.REJETE: Action.GENERER,
    FileState.GENERE: Action.DEPOSER,
    FileState.DEPOSE: Action.ETAT_PORTAIL,
    FileState.RECU: Action.ETAT_PORTAIL,
}


def next_action(closed: bool, unnumbered: int, file: QuarterFile | None) -> Action | None:
    """The one thing to do next for a quarter: number its registrants, then generate its file,
    deposit it on the portal and record the portal's answers until "PEC terminée" closes it."""
    if closed:
        return None
    if unnumbered:
        return Action.NUMEROTER
    return NEXT_ACTION.get(file and file.state)


@dataclass(frozen=True)
class QuarterRow:
    annee: int
    trimestre: int
    total: int
    numerotes: int
    attestations: int  # delivered, not cancelled
    etat: Trimestre | None
    en_cours: bool
    file: QuarterFile | None
    action: Action | None

    @property
    def restants(self) -> int:
        return self.total - self.numerotes


def quarter_rows(
    collectivite: Collectivite, recenses: QuerySet[Recense], trimestres: QuerySet[Trimestre]
) -> list[QuarterRow]:
    """One row per quarter having registrants, newest first; `recenses` and `trimestres` are
    the collectivité's (scoped by the caller)."""
    counts = list(
        recenses.values("annee", "trimestre")
        .annotate(total=Count("id"), numerotes=Count("numero_inscription"))
        .order_by("-annee", "-trimestre")
    )
    delivered = {
        (row["recense__annee"], row["recense__trimestre"]): row["n"]
        for row in Attestation.objects.filter(recense__in=recenses, annulee_le__isnull=True)
        .values("recense__annee", "recense__trimestre")
        .annotate(n=Count("id"))
        .order_by()
    }
    states = {(t.annee, t.trimestre): t for t in trimestres.select_related("cloture_par")}
    files = quarter_files(collectivite, [(row["annee"], row["trimestre"]) for row in counts])
    rows = []
    for row in counts:
        quarter = (row["annee"], row["trimestre"])
        etat, file = states.get(quarter), files.get(quarter)
        rows.append(
            QuarterRow(
                **row,
                attestations=delivered.get(quarter, 0),
                etat=etat,
                en_cours=is_current_quarter(*quarter),
                file=file,
                action=next_action(
                    bool(etat and etat.cloture_le), row["total"] - row["numerotes"], file
                ),
            )
        )
    return rows
