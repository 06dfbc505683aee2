"""The commission de contrôle (Code électoral L.19): its meetings, the movements each examines
(those since the previous meeting: the tableau of that period) and its register of decisions
on contested inscriptions and radiations."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from electoral.models import (
    DecisionCommission,
    MotifInscription,
    Mouvement,
    ReunionCommission,
    Scrutin,
    TypeMouvement,
)
from mairie.history import save_by
from mairie.models import Collectivite

# L.19: in a year of a scrutin, a meeting between the 24th and the 21st day before it.
WINDOW_FIRST, WINDOW_LAST = 24, 21


class CommissionRefused(Exception):
    """The message (French) says why."""


def previous_meeting(
    collectivite: Collectivite, day: datetime.date, exclude: int | None = None
) -> ReunionCommission | None:
    meetings = ReunionCommission.objects.for_collectivite(collectivite).filter(date__lt=day)
    if exclude:
        meetings = meetings.exclude(pk=exclude)
    return meetings.order_by("-date", "-id").first()


def default_since(collectivite: Collectivite, day: datetime.date) -> datetime.date | None:
    """The day after the previous meeting: the movements not yet examined."""
    previous = previous_meeting(collectivite, day)
    return previous.date + datetime.timedelta(days=1) if previous else None


def planifier(reunion: ReunionCommission, user: AbstractBaseUser | None) -> ReunionCommission:
    if reunion.depuis is None:
        reunion.depuis = default_since(reunion.collectivite, reunion.date)
    if reunion.depuis is None:
        raise CommissionRefused(
            "Première réunion enregistrée : indiquez depuis quelle date les mouvements sont "
            "examinés."
        )
    reunion.full_clean()
    with transaction.atomic():
        save_by(reunion, user)
    return reunion


def movements_examined(reunion: ReunionCommission):
    """The inscriptions and radiations of the meeting's period (the reprise of an REU
    extraction is no decision of the maire's)."""
    return (
        Mouvement.objects.for_collectivite(reunion.collectivite)
        .filter(
            type__in=(TypeMouvement.INSCRIPTION, TypeMouvement.RADIATION),
            date_effet__gte=reunion.depuis,
            date_effet__lte=reunion.date,
        )
        .exclude(motif=MotifInscription.REPRISE_REU)
        .select_related("electeur")
        .order_by("date_effet", "id")
    )


def decider(
    reunion: ReunionCommission,
    mouvement: Mouvement,
    decision: str,
    observations: str,
    user: AbstractBaseUser | None,
) -> DecisionCommission:
    """Record the commission's decision on a movement of the meeting's period."""
    if not movements_examined(reunion).filter(pk=mouvement.pk).exists():
        raise CommissionRefused(
            "Ce mouvement n'est pas de la période examinée par cette réunion "
            f"(du {reunion.depuis:%d/%m/%Y} au {reunion.date:%d/%m/%Y})."
        )
    if reunion.decisions.filter(mouvement=mouvement).exists():
        raise CommissionRefused("La commission a déjà statué sur ce mouvement à cette réunion.")
    entry = DecisionCommission(
        reunion=reunion, mouvement=mouvement, decision=decision, observations=observations
    )
    entry.full_clean()
    with transaction.atomic():
        save_by(entry, user)
    return entry


@dataclass(frozen=True)
class Window:
    scrutin: Scrutin
    first: datetime.date
    last: datetime.date
    meeting: ReunionCommission | None


def scrutin_windows(collectivite: Collectivite, today: datetime.date) -> list[Window]:
    """For each scrutin to come, the days L.19 gives the commission, and its meeting then."""
    windows = []
    scrutins = Scrutin.objects.for_collectivite(collectivite).filter(premier_tour__gte=today)
    for scrutin in scrutins.order_by("premier_tour"):
        first = scrutin.premier_tour - datetime.timedelta(days=WINDOW_FIRST)
        last = scrutin.premier_tour - datetime.timedelta(days=WINDOW_LAST)
        meeting = (
            ReunionCommission.objects.for_collectivite(collectivite)
            .filter(date__gte=first, date__lte=last)
            .first()
        )
        windows.append(Window(scrutin, first, last, meeting))
    return windows
