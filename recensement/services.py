"""Operations on a quarter's registrants: numbering, closing (R*111-8, R*111-9) and the purge
of those kept longer than the collectivité's retention period (RGPD)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from mairie.models import Collectivite
from mairie.text import search_key
from recensement.models import (
    Attestation,
    Recense,
    Trimestre,
    closed_among,
    closed_message,
    quarter_label,
    quarter_of,
)

MAX_NUMERO = 9999


class QuarterError(Exception):
    """The operation is refused; the message (French) is for the agent."""


def quarters_between(recenses: QuerySet[Recense]) -> list[tuple[int, int]]:
    """Every quarter from the newest registrant's back to the oldest one's: two index reads,
    not a DISTINCT over all the registrants."""
    quarter = ("annee", "trimestre")
    newest = recenses.order_by("-annee", "-trimestre").values_list(*quarter).first()
    oldest = recenses.order_by("annee", "trimestre").values_list(*quarter).first()
    if newest is None:
        return []
    first, last = (annee * 4 + trimestre - 1 for annee, trimestre in (oldest, newest))
    return [(index // 4, index % 4 + 1) for index in range(last, first - 1, -1)]


def closed_quarters(collectivite: Collectivite) -> set[tuple[int, int]]:
    return set(
        Trimestre.objects.filter(collectivite=collectivite, cloture_le__isnull=False).values_list(
            "annee", "trimestre"
        )
    )


def is_closed(collectivite: Collectivite, annee: int, trimestre: int) -> bool:
    return closed_among(collectivite.pk, (annee, trimestre)) is not None


def _locked_quarter(collectivite: Collectivite, annee: int, trimestre: int) -> Trimestre:
    quarter, _ = Trimestre.objects.get_or_create(
        collectivite=collectivite, annee=annee, trimestre=trimestre
    )
    # The row lock serialises concurrent numbering (and closing) of one quarter.
    return Trimestre.objects.select_for_update().get(pk=quarter.pk)


def is_current_quarter(annee: int, trimestre: int) -> bool:
    """The quarter still running: people may still register in it."""
    today = timezone.localdate()
    return (annee, trimestre) == (today.year, quarter_of(today))


def due_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """The quarter whose list is due now (in January, the previous year's T4)."""
    today = today or timezone.localdate()
    quarter = quarter_of(today)
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


@dataclass(frozen=True)
class NumberingPlan:
    count: int  # registrants still to number
    first: int  # the number the first of them would get


def numbering_plan(collectivite: Collectivite, annee: int, trimestre: int) -> NumberingPlan:
    """What numeroter would do now, for the agent to confirm."""
    recenses = Recense.objects.filter(collectivite=collectivite, annee=annee, trimestre=trimestre)
    last = recenses.aggregate(last=Max("numero_inscription"))["last"] or 0
    return NumberingPlan(recenses.filter(numero_inscription__isnull=True).count(), last + 1)


def numeroter(
    collectivite: Collectivite, annee: int, trimestre: int, user: AbstractBaseUser | None = None
) -> int:
    """Give the quarter's unnumbered registrants the numbers following the highest one, in order
    of (date de recensement, nom de naissance, prénoms, id); returns how many were numbered."""
    with transaction.atomic():
        quarter = _locked_quarter(collectivite, annee, trimestre)
        if quarter.cloture_le:
            raise QuarterError(closed_message(annee, trimestre))
        recenses = Recense.objects.filter(
            collectivite=collectivite, annee=annee, trimestre=trimestre
        )
        last = recenses.aggregate(last=Max("numero_inscription"))["last"] or 0
        todo = sorted(
            recenses.filter(numero_inscription__isnull=True),
            key=lambda r: (
                r.date_recensement,
                search_key(r.nom_naissance),
                search_key(r.prenoms),
                r.pk,
            ),
        )
        if last + len(todo) > MAX_NUMERO:
            raise QuarterError(
                f"{last + len(todo)} recensés au {quarter_label(annee, trimestre)} : le numéro "
                f"d'inscription compte 4 chiffres, {MAX_NUMERO} au plus."
            )
        for numero, recense in enumerate(todo, start=last + 1):
            recense.numero_inscription = numero
        bulk_update_with_history(
            todo, Recense, ["numero_inscription"], batch_size=500, default_user=user
        )
        return len(todo)


def cloturer(
    collectivite: Collectivite, annee: int, trimestre: int, user: AbstractBaseUser | None
) -> None:
    """Close the quarter once its file is taken in charge; closing twice keeps the first date."""
    with transaction.atomic():
        quarter = _locked_quarter(collectivite, annee, trimestre)
        if quarter.cloture_le is None:
            quarter.cloture_le, quarter.cloture_par = timezone.now(), user
            quarter.save()


PURGE_RULE = (
    "Un recensé est supprimé, avec son historique et ses attestations, quand son trimestre a été "
    "envoyé (numéroté puis clos, « PEC terminée ») depuis plus longtemps que la durée de "
    "conservation de sa collectivité (5 ans par défaut) ; un recensé non numéroté ou d'un "
    "trimestre non clos n'est jamais supprimé. Les fichiers générés de ces trimestres (PECOTO, "
    "liste des recensés) sont supprimés avec eux."
)
PURGE_BATCH = 500

# Sent, inside the purge's transaction, for each collectivité with the quarters whose
# registrants expire (keyword arguments: collectivite, quarters as [(annee, trimestre)],
# dry_run). Apps keeping copies of their data (the exports) delete them too, and return how
# many they deleted (or would).
quarters_expired = Signal()


@dataclass
class PurgeCount:
    collectivite: Collectivite
    recenses: int
    attestations: int
    historique: int  # history rows of the registrants and of their attestations
    fichiers: int = 0  # generated files of the expired quarters (exports)


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def expired_quarters(collectivite: Collectivite, now: datetime.datetime) -> QuerySet[Trimestre]:
    """The quarters sent (closed) before the retention period started."""
    cutoff = years_before(now, collectivite.duree_conservation_recensement)
    return Trimestre.objects.filter(collectivite=collectivite, cloture_le__lt=cutoff)


def expired_recenses(collectivite: Collectivite, now: datetime.datetime) -> QuerySet[Recense]:
    """The registrants past their retention period: numbered, in a quarter closed before the
    retention period started."""
    sent_before_cutoff = expired_quarters(collectivite, now).filter(
        collectivite=OuterRef("collectivite"),
        annee=OuterRef("annee"),
        trimestre=OuterRef("trimestre"),
    )
    return Recense.objects.filter(
        Exists(sent_before_cutoff), collectivite=collectivite, numero_inscription__isnull=False
    )


def purge_recensement(
    collectivites: Iterable[Collectivite] | None = None, dry_run: bool = False
) -> list[PurgeCount]:
    """Delete the expired registrants of each collectivité (all when None), their attestations,
    every history row of both and (through `quarters_expired`) the files generated from them,
    one transaction per collectivité; counts what was (or, in a dry run, would be) deleted."""
    if collectivites is None:
        collectivites = Collectivite.objects.order_by("nom")
    now = timezone.now()
    counts = []
    for collectivite in collectivites:
        with transaction.atomic():
            ids = list(expired_recenses(collectivite, now).values_list("pk", flat=True))
            count = PurgeCount(collectivite, len(ids), 0, 0)
            for start in range(0, len(ids), PURGE_BATCH):
                attestations, historique = _purge_batch(ids[start : start + PURGE_BATCH], dry_run)
                count.attestations += attestations
                count.historique += historique
            quarters = list(expired_quarters(collectivite, now).values_list("annee", "trimestre"))
            if quarters:
                answers = quarters_expired.send(
                    Trimestre, collectivite=collectivite, quarters=quarters, dry_run=dry_run
                )
                count.fichiers = sum(deleted for _, deleted in answers)
            counts.append(count)
    return counts


def _purge_batch(ids: list[int], dry_run: bool) -> tuple[int, int]:
    """Purge one batch of registrants; returns how many attestations and history rows they had."""
    recense_history = Recense.history.model.objects.filter(id__in=ids)
    attestations = Attestation.objects.filter(recense_id__in=ids)
    attestation_ids = list(
        Attestation.history.model.objects.filter(recense_id__in=ids)
        .values_list("id", flat=True)
        .distinct()
    )
    attestation_history = Attestation.history.model.objects.filter(id__in=attestation_ids)
    found = (attestations.count(), recense_history.count() + attestation_history.count())
    if not dry_run:
        attestations.delete()
        Recense.objects.filter(pk__in=ids).delete()
        # Deleting writes a last "deleted" history row: removed with the others, after.
        recense_history.delete()
        attestation_history.delete()
    return found
