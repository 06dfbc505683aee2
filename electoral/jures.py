"""The draw of the jurés d'assises (Code de procédure pénale, art. 259 to 261): in each commune
the maire draws publicly from the liste électorale three times the number of jurés that the
préfet's arrêté gives it, leaving out those who will not be 23 during the following year.

The draw is reproducible: the voters who may be drawn are put in the list's own order (bureau,
numéro d'ordre), and a pseudo-random generator seeded with the recorded seed picks them; the
same seed on the same list gives the same names. The seed is printed on the procès-verbal.
"""

import datetime
import random
import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from electoral.models import Electeur, Inscription, Liste, TirageJures
from mairie.history import save_by
from mairie.models import Collectivite

AGE = 23  # art. 261: at least 23 during the year after the draw
DRAWN_PER_JURE = 3  # art. 260


class TirageRefused(Exception):
    """The draw cannot be made; the message (French) says why."""


@dataclass(frozen=True)
class Population:
    eligible: list[int]  # voters' ids, in the list's order
    too_young: int
    unknown_year: int


def birth_year(electeur: Electeur) -> int | None:
    """The year of birth, also from an incomplete date such as 00/00/1953."""
    if electeur.date_naissance:
        return electeur.date_naissance.year
    tail = electeur.date_naissance_incomplete[-4:]
    return int(tail) if tail.isdigit() and int(tail) > 0 else None


def latest_birth_year(annee: int) -> int:
    """Born in this year or before: 23 at the latest on 31 December of the following year."""
    return annee + 1 - AGE


def population(collectivite: Collectivite, annee: int, day: datetime.date) -> Population:
    """The voters of the liste principale on `day` who may be drawn in `annee`."""
    rows = (
        Inscription.objects.on_list(day)
        .filter(electeur__collectivite=collectivite, liste=Liste.PRINCIPALE)
        .select_related("electeur", "bureau")
        .order_by("bureau__code", "numero_ordre", "electeur_id")
    )
    limit = latest_birth_year(annee)
    eligible, too_young, unknown = [], 0, 0
    for inscription in rows.iterator(chunk_size=2000):
        year = birth_year(inscription.electeur)
        if year is None:
            unknown += 1
        elif year > limit:
            too_young += 1
        else:
            eligible.append(inscription.electeur_id)
    return Population(eligible, too_young, unknown)


def draw(eligible: list[int], count: int, graine: str) -> list[int]:
    """`count` ids of `eligible`, in the order drawn: the same seed, the same draw."""
    return random.Random(graine).sample(eligible, count)


def new_seed() -> str:
    return secrets.token_hex(8)


def tirer(
    collectivite: Collectivite,
    annee: int,
    nombre: int,
    user: AbstractBaseUser | None,
    *,
    day: datetime.date,
    graine: str = "",
) -> TirageJures:
    """Draw 3 × `nombre` voters from the liste principale on `day`, record and audit the draw."""
    if nombre < 1:
        raise TirageRefused("Le nombre de jurés doit être d'au moins un.")
    people = population(collectivite, annee, day)
    wanted = DRAWN_PER_JURE * nombre
    if wanted > len(people.eligible):
        raise TirageRefused(
            f"{wanted} noms à tirer (3 × {nombre}) mais seulement {len(people.eligible)} "
            f"électeurs de la liste principale nés en {latest_birth_year(annee)} ou avant."
        )
    graine = graine.strip() or new_seed()
    tirage = TirageJures(
        collectivite=collectivite,
        annee=annee,
        nombre=nombre,
        liste_au=day,
        graine=graine,
        eligibles=len(people.eligible),
        tires=draw(people.eligible, wanted, graine),
        cree_par=user,
    )
    with transaction.atomic():
        save_by(tirage, user)
    return tirage


def drawn_voters(tirage: TirageJures) -> list[Electeur]:
    """The voters drawn, in the order of the draw."""
    by_id = Electeur.objects.for_collectivite(tirage.collectivite).in_bulk(tirage.tires)
    return [by_id[pk] for pk in tirage.tires if pk in by_id]


def redraw(tirage: TirageJures) -> list[int]:
    """The draw made again from its seed and its list: equal to `tirage.tires` as long as the
    list on that day has not been changed since (a movement dated back)."""
    people = population(tirage.collectivite, tirage.annee, tirage.liste_au)
    return draw(people.eligible, len(tirage.tires), tirage.graine)
