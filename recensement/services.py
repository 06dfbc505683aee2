"""Operations on a quarter's registrants: numbering and closing (R*111-8, R*111-9)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from mairie.models import Collectivite
from mairie.text import search_key
from recensement.models import Recense, Trimestre, quarter_label

MAX_NUMERO = 9999


class QuarterError(Exception):
    """The operation is refused; the message (French) is for the agent."""


def closed_quarters(collectivite: Collectivite) -> set[tuple[int, int]]:
    return set(
        Trimestre.objects.filter(collectivite=collectivite, cloture_le__isnull=False).values_list(
            "annee", "trimestre"
        )
    )


def is_closed(collectivite: Collectivite, annee: int, trimestre: int) -> bool:
    return Trimestre.objects.filter(
        collectivite=collectivite, annee=annee, trimestre=trimestre, cloture_le__isnull=False
    ).exists()


def closed_message(annee: int, trimestre: int) -> str:
    return (
        f"Le trimestre {quarter_label(annee, trimestre)} est clos : sa liste a été prise en "
        "charge par le service national (PEC terminée), ses fiches ne peuvent plus changer."
    )


def _locked_quarter(collectivite: Collectivite, annee: int, trimestre: int) -> Trimestre:
    quarter, _ = Trimestre.objects.get_or_create(
        collectivite=collectivite, annee=annee, trimestre=trimestre
    )
    # The row lock serialises concurrent numbering (and closing) of one quarter.
    return Trimestre.objects.select_for_update().get(pk=quarter.pk)


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
