"""Who may be inscribed on an electoral list, and only once: 18 years of age on the movement's
date d'effet (Code électoral L.2), a birth date that can be true (not in the future, not more than
120 years ago), and one voter per identity in a collectivité (birth name, first names and birth
date, without accents nor case). The voter form, the services and the REU import all apply these
functions: the rule lives here only."""

import calendar
import datetime

from django.db.models import Q

from electoral.models import Electeur
from mairie.models import Collectivite
from mairie.names import name_problem
from mairie.text import search_key

MIN_AGE = 18
MAX_AGE = 120

# The voter's names of persons, under the rule of mairie.names (form, services, REU import).
NAME_FIELDS = ("nom_naissance", "nom_usage", "prenoms")


def voter_name_problem(electeur: Electeur) -> tuple[str, str]:
    """The first of the voter's names the rule of names refuses, as (field, French reason), or
    ("", "")."""
    for name in NAME_FIELDS:
        problem = name_problem(getattr(electeur, name))
        if problem:
            return name, problem
    return "", ""


def anniversary(born: datetime.date, years: int) -> datetime.date:
    """The day a person born on `born` turns `years`; born on 29 February, in a common year on
    1 March."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


def birth_bounds(day: int, month: int, year: int) -> tuple[datetime.date, datetime.date]:
    """The earliest and latest days a birth date may be, an unknown day or month written 00 as
    REU extractions do: 00/00/1953 is 01/01/1953 to 31/12/1953, 00/07/1961 the month of July.
    A month unknown makes the day meaningless. Raises ValueError for an impossible date."""
    if day > 31:
        raise ValueError(f"day {day}")
    if not month:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if not day:
        last = calendar.monthrange(year, month)[1]
        return datetime.date(year, month, 1), datetime.date(year, month, last)
    born = datetime.date(year, month, day)
    return born, born


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def birth_date_problem(
    earliest: datetime.date,
    latest: datetime.date,
    date_effet: datetime.date | None,
    today: datetime.date,
    shown: str = "",
) -> str:
    """Why a birth date (between `earliest` and `latest` when only partly known; `shown` is how
    it is written) cannot be a voter's, in French, or "". A date partly known is refused only
    when every day it may be is wrong; for the age, on the contrary, the voter must be 18 on
    whichever day they were born, so the latest is judged."""
    shown = shown or _d(earliest)
    if earliest > today:
        return f"date de naissance dans le futur « {shown} »"
    if latest < anniversary(today, -MAX_AGE):
        return f"date de naissance il y a plus de {MAX_AGE} ans « {shown} »"
    if date_effet is not None and date_effet < anniversary(latest, MIN_AGE):
        return (
            f"moins de {MIN_AGE} ans le {_d(date_effet)}, date d'effet "
            f"(né(e) le {shown}, {MIN_AGE} ans le {_d(anniversary(latest, MIN_AGE))})"
        )
    return ""


def voter_birth_problem(
    electeur: Electeur, date_effet: datetime.date | None, today: datetime.date
) -> str:
    """birth_date_problem of a voter's stored birth date (complete, or incomplete as 00/MM/AAAA);
    "" for a voter without any (nothing to judge)."""
    if electeur.date_naissance:
        born = electeur.date_naissance
        return birth_date_problem(born, born, date_effet, today)
    if electeur.date_naissance_incomplete:
        day, month, year = (int(part) for part in electeur.date_naissance_incomplete.split("/"))
        earliest, latest = birth_bounds(day, month, year)
        return birth_date_problem(
            earliest, latest, date_effet, today, electeur.date_naissance_incomplete
        )
    return ""


def identity(nom_key: str, prenoms_key: str, born: str) -> str:
    """What makes two voters one person: folded birth name | folded first names | birth date
    (ISO, or incomplete as the file writes it). The REU import keys its lines with it too."""
    return f"{nom_key}|{prenoms_key}|{born}"


def identity_of(electeur: Electeur) -> str:
    born = (
        electeur.date_naissance.isoformat()
        if electeur.date_naissance
        else electeur.date_naissance_incomplete
    )
    return identity(search_key(electeur.nom_naissance), search_key(electeur.prenoms), born)


def same_identity(electeur: Electeur, collectivite: Collectivite | None = None) -> Electeur | None:
    """Another voter of the collectivité with `electeur`'s identity (radiated ones included: they
    come back through a new inscription of their own record), or None."""
    if electeur.date_naissance:
        born = Q(date_naissance=electeur.date_naissance)
    elif electeur.date_naissance_incomplete:
        born = Q(date_naissance__isnull=True) & Q(
            date_naissance_incomplete=electeur.date_naissance_incomplete
        )
    else:
        return None
    key = identity_of(electeur)
    nom_key = search_key(electeur.nom_naissance)
    # The folded search column starts with the folded birth name: the name indexes serve it.
    candidates = (
        Electeur.objects.filter(born, collectivite=collectivite or electeur.collectivite)
        .filter(Q(recherche=nom_key) | Q(recherche__startswith=f"{nom_key} "))
        .exclude(pk=electeur.pk)
        .order_by("pk")
    )
    return next((other for other in candidates if identity_of(other) == key), None)


def duplicate_message(existing: Electeur) -> str:
    born = (
        _d(existing.date_naissance)
        if existing.date_naissance
        else existing.date_naissance_incomplete
    )
    return (
        f"un électeur de même identité existe déjà : {existing.nom_naissance} "
        f"{existing.prenoms}, né(e) le {born}"
    )
