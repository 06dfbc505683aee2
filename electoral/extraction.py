"""A list as it stood at the end of a given day, derived from the inscriptions and movements.

What is derived at the date: who was on the list (inscribed on or before the day, not radiated
on or before it), in which bureau (a later change of bureau is undone by the first movement that
changed it after the day), and their numéro d'ordre in that bureau (the current one when the
bureau did not change; otherwise the last one the inscription had in the old bureau, from its
audit history). Civil status and address are the voter's current ones: a later change of name or
address is not undone."""

import datetime

from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from electoral.models import BureauDeVote, Inscription, Mouvement, TypeMouvement
from mairie.models import Collectivite

BUREAU_FIELDS = {
    "bureau_code": "code",
    "bureau_libelle": "libelle",
    "bureau_canton": "canton",
    "bureau_circonscription": "circonscription",
}


def bureau_changes_after(
    collectivite: Collectivite, liste: str, date: datetime.date
) -> QuerySet[Mouvement]:
    return Mouvement.objects.filter(
        collectivite=collectivite,
        liste=liste,
        type=TypeMouvement.MODIFICATION,
        date_effet__gt=date,
        bureau_avant__isnull=False,
    ).exclude(bureau_avant=F("bureau_apres"))


def liste_a_date(
    collectivite: Collectivite,
    liste: str,
    date: datetime.date,
    bureau: BureauDeVote | None = None,
) -> QuerySet[Inscription]:
    """The inscriptions on `liste` at the end of `date`, annotated with `bureau_a_date_id`,
    `numero_a_date` and the bureau's fields at that date (`bureau_code`, `bureau_libelle`,
    `bureau_canton`, `bureau_circonscription`); only those of `bureau` when given."""
    inscriptions = (
        Inscription.objects.on_list(date).for_collectivite(collectivite).filter(liste=liste)
    )
    changes = bureau_changes_after(collectivite, liste, date)
    if not changes.exists():
        # The usual case (the list of today): plain joins, nothing to undo.
        inscriptions = inscriptions.annotate(
            bureau_a_date_id=F("bureau_id"),
            numero_a_date=F("numero_ordre"),
            **{alias: F(f"bureau__{field}") for alias, field in BUREAU_FIELDS.items()},
        )
    else:
        first_change = changes.filter(electeur=OuterRef("electeur")).order_by(
            "date_effet", "cree_le", "id"
        )
        history = Inscription.history.model.objects.filter(
            id=OuterRef("id"), bureau_id=OuterRef("bureau_a_date_id")
        ).order_by("-history_date", "-history_id")
        inscriptions = inscriptions.annotate(
            bureau_a_date_id=Coalesce(
                Subquery(first_change.values("bureau_avant")[:1]),
                F("bureau_id"),
                output_field=IntegerField(),
            )
        ).annotate(
            numero_a_date=Case(
                When(bureau_a_date_id=F("bureau_id"), then=F("numero_ordre")),
                default=Subquery(history.values("numero_ordre")[:1]),
            ),
            **{
                alias: Subquery(
                    BureauDeVote.objects.filter(pk=OuterRef("bureau_a_date_id")).values(field)[:1]
                )
                for alias, field in BUREAU_FIELDS.items()
            },
        )
    if bureau is not None:
        inscriptions = inscriptions.filter(bureau_a_date_id=bureau.pk)
    return inscriptions
