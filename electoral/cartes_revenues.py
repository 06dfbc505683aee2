"""The cards the post brings back: found by what the agent reads on the card (the numéro
d'ordre in a bureau, or the INE), recorded once per list and day."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from electoral.models import BureauDeVote, CarteRevenue, Inscription, Liste
from mairie.history import save_by
from mairie.models import Collectivite

INE_MIN_DIGITS = 7  # a numéro d'ordre is shorter than any INE


class RetourRefused(Exception):
    """The message (French) says why."""


def find_inscription(
    collectivite: Collectivite, liste: str, reference: str, bureau: BureauDeVote | None
) -> Inscription:
    """The voter's inscription on `liste` today, by INE or by numéro d'ordre in `bureau`."""
    reference = reference.strip().replace(" ", "")
    found = Inscription.objects.on_list().for_collectivite(collectivite).filter(liste=liste)
    if len(reference) >= INE_MIN_DIGITS:
        found = found.filter(electeur__ine=reference)
        what = f"l'INE {reference}"
    elif reference.isdigit():
        if bureau is None:
            raise RetourRefused("Avec un numéro d'ordre, choisissez le bureau de la carte.")
        found = found.filter(bureau=bureau, numero_ordre=int(reference))
        what = f"le numéro d'ordre {reference} du bureau {bureau.code}"
    else:
        raise RetourRefused("Saisissez le numéro d'ordre ou l'INE imprimé sur la carte.")
    inscription = found.select_related("electeur").first()
    if inscription is None:
        raise RetourRefused(f"Aucun électeur de la {Liste(liste).label} n'a {what} aujourd'hui.")
    return inscription


def enregistrer_retour(
    inscription: Inscription, motif: str, day: datetime.date, user: AbstractBaseUser | None
) -> CarteRevenue:
    electeur = inscription.electeur
    if CarteRevenue.objects.filter(
        electeur=electeur, liste=inscription.liste, revenue_le=day
    ).exists():
        raise RetourRefused(f"La carte de {electeur} est déjà enregistrée comme revenue ce jour.")
    retour = CarteRevenue(
        collectivite=electeur.collectivite,
        electeur=electeur,
        liste=inscription.liste,
        revenue_le=day,
        motif=motif,
        cree_par=user,
    )
    retour.full_clean()
    with transaction.atomic():
        save_by(retour, user)
    return retour
