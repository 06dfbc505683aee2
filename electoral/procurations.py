"""Procurations (Code électoral L.71 to L.78, R.72 and following): the one place of their rules,
for the form, the services and any other way in.

- L.71: any voter may vote by proxy: the mandant is on one of the commune's lists.
- L.72: the mandataire enjoys their electoral rights; since 2022 they may be inscribed in another
  commune, and vote in the mandant's bureau. One of this commune's voters must be on a list.
- L.73: a mandataire holds at most two procurations, of which at most one established in France.
- R.74: a procuration holds for one scrutin or, at the mandant's request, for a period of at most
  one year from its establishment in France, three years abroad.
- L.75: the mandant may cancel it and give a new one, so one mandant has one mandataire at a time;
  and who has given a procuration does not vote, so cannot be a mandataire at the same time.

The commune checks what it knows: its own voters and the procurations recorded here.
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from electoral.models import Electeur, Inscription, Procuration, Scrutin, Tours
from electoral.rules import anniversary
from mairie.history import save_by
from mairie.models import Collectivite

MAX_PROCURATIONS = 2  # L.73
MAX_IN_FRANCE = 1  # L.73
YEARS_IN_FRANCE = 1  # R.74
YEARS_ABROAD = 3  # R.74


class ProcurationRefused(Exception):
    """The procuration breaks a rule; the message (French) names it, for the agent."""


def _d(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def period_of(scrutin: Scrutin, tours: str) -> tuple[datetime.date, datetime.date]:
    """The days a procuration for `tours` of `scrutin` holds."""
    if tours != Tours.PREMIER and scrutin.second_tour is None:
        raise ProcurationRefused(f"Le scrutin « {scrutin.libelle} » n'a pas de second tour.")
    return {
        Tours.PREMIER: (scrutin.premier_tour, scrutin.premier_tour),
        Tours.SECOND: (scrutin.second_tour, scrutin.second_tour),
        Tours.LES_DEUX: (scrutin.premier_tour, scrutin.second_tour),
    }[Tours(tours)]


def on_a_list(electeur: Electeur, day: datetime.date) -> bool:
    return Inscription.objects.on_list(day).filter(electeur=electeur).exists()


def local_voter(collectivite: Collectivite, ine: str) -> Electeur | None:
    """The commune's voter of this INE, if the mandataire is one."""
    ine = ine.strip()
    if not ine:
        return None
    return Electeur.objects.for_collectivite(collectivite).filter(ine=ine).first()


def _same_mandataire(procuration: Procuration):
    """The other procurations, still in force, held by the same mandataire."""
    others = Procuration.objects.for_collectivite(procuration.collectivite).filter(
        resiliee_le__isnull=True
    )
    if procuration.pk:
        others = others.exclude(pk=procuration.pk)
    if procuration.mandataire_id:
        key = {"mandataire_id": procuration.mandataire_id}
        if procuration.mandataire_ine:
            return others.filter(mandataire_ine=procuration.mandataire_ine) | others.filter(**key)
        return others.filter(**key)
    return others.filter(mandataire_ine=procuration.mandataire_ine)


def _overlapping(queryset, debut: datetime.date, fin: datetime.date):
    return queryset.filter(debut__lte=fin, fin__gte=debut)


def limit_problem(procuration: Procuration) -> str:
    """L.73, checked on every day the new procuration holds: the busiest days are those on
    which one of the procurations starts."""
    held = list(_overlapping(_same_mandataire(procuration), procuration.debut, procuration.fin))
    starts = {procuration.debut} | {p.debut for p in held if p.debut > procuration.debut}
    for day in sorted(starts):
        on_day = [p for p in held if p.debut <= day <= p.fin]
        if len(on_day) + 1 > MAX_PROCURATIONS:
            return (
                f"le mandataire détient déjà {len(on_day)} procurations le {_d(day)} : deux au "
                "plus (article L.73 du code électoral)"
            )
        in_france = [p for p in on_day if not p.hors_de_france]
        if not procuration.hors_de_france and len(in_france) + 1 > MAX_IN_FRANCE:
            return (
                f"le mandataire détient déjà une procuration établie en France le {_d(day)} : "
                "une seule au plus (article L.73 du code électoral)"
            )
    return ""


def procuration_problems(procuration: Procuration, today: datetime.date) -> list[str]:
    """Every rule the procuration breaks, in French, each naming its rule; empty: it may be
    recorded. The period (`debut`, `fin`) is already set."""
    problems = []
    debut, fin = procuration.debut, procuration.fin
    if procuration.etablie_le > today:
        problems.append("la date d'établissement est dans le futur")
    if fin < debut:
        problems.append("la fin de validité précède son début")
    if fin < today:
        problems.append(f"la procuration a expiré le {_d(fin)} : rien à enregistrer")
    if debut < procuration.etablie_le:
        problems.append("la validité commence avant l'établissement de la procuration")
    if not procuration.scrutin_id:
        years = YEARS_ABROAD if procuration.hors_de_france else YEARS_IN_FRANCE
        limit = anniversary(procuration.etablie_le, years)
        if fin > limit:
            where = "hors de France" if procuration.hors_de_france else "en France"
            problems.append(
                f"établie {where}, une procuration pour une durée vaut {years} an"
                f"{'s' if years > 1 else ''} au plus, soit jusqu'au {_d(limit)} "
                "(article R.74 du code électoral)"
            )
    mandant = procuration.mandant
    if not on_a_list(mandant, debut):
        problems.append(
            f"le mandant n'est inscrit sur aucune liste de la commune le {_d(debut)} "
            "(article L.71 du code électoral)"
        )
    mandataire = procuration.mandataire
    if (
        mandataire is not None
        and mandataire.pk == mandant.pk
        or (procuration.mandataire_ine and procuration.mandataire_ine == mandant.ine)
    ):
        problems.append("le mandant ne peut pas être son propre mandataire")
        return problems
    if mandataire is not None and not on_a_list(mandataire, debut):
        problems.append(
            f"le mandataire, électeur de la commune, n'est inscrit sur aucune liste le {_d(debut)}"
            " (article L.72 du code électoral)"
        )
    in_force = Procuration.objects.for_collectivite(procuration.collectivite).filter(
        resiliee_le__isnull=True
    )
    if procuration.pk:
        in_force = in_force.exclude(pk=procuration.pk)
    given = _overlapping(in_force.filter(mandant=mandant), debut, fin).first()
    if given is not None:
        problems.append(
            f"le mandant a déjà donné procuration à {given.mandataire_display} "
            f"({given.validite}) : résiliez-la d'abord (article L.75 du code électoral)"
        )
    as_mandant = (
        _overlapping(in_force, debut, fin).filter(mandant__ine=procuration.mandataire_ine)
        if procuration.mandataire_ine
        else in_force.none()
    )
    if mandataire is not None:
        as_mandant = as_mandant | _overlapping(in_force, debut, fin).filter(mandant=mandataire)
    mandant_too = as_mandant.first()
    if mandant_too is not None:
        problems.append(
            "le mandataire a lui-même donné procuration pour ce scrutin "
            f"({mandant_too.validite}) : il ne peut pas voter pour un autre"
        )
    limit = limit_problem(procuration)
    if limit:
        problems.append(limit)
    return problems


def _refuse(problems: list[str]) -> None:
    if problems:
        text = " ; ".join(problems)
        raise ProcurationRefused(f"Procuration refusée : {text}.")


def enregistrer(procuration: Procuration, user: AbstractBaseUser | None) -> Procuration:
    """Record a procuration once every rule holds. For one scrutin, its period is the days of
    the chosen tours. A mandataire whose INE is one of the commune's voters is linked to them
    and named as the list names them."""
    with transaction.atomic():
        # One procuration of the commune at a time: the limits count the others.
        Collectivite.objects.select_for_update().get(pk=procuration.collectivite_id)
        if procuration.scrutin_id:
            procuration.debut, procuration.fin = period_of(procuration.scrutin, procuration.tours)
        else:
            procuration.tours = ""
        voter = local_voter(procuration.collectivite, procuration.mandataire_ine)
        if voter is not None:
            procuration.mandataire = voter
            procuration.mandataire_nom = voter.nom_naissance
            procuration.mandataire_prenoms = voter.prenoms
            procuration.mandataire_date_naissance = voter.date_naissance
            procuration.mandataire_commune = procuration.collectivite.nom
        _refuse(procuration_problems(procuration, timezone.localdate()))
        procuration.full_clean()
        save_by(procuration, user)
        return procuration


def resilier(
    procuration: Procuration, day: datetime.date, user: AbstractBaseUser | None
) -> Procuration:
    """L.75: the mandant cancels; from `day` on the procuration no longer holds."""
    if procuration.resiliee_le is not None:
        raise ProcurationRefused(f"Procuration déjà résiliée le {_d(procuration.resiliee_le)}.")
    if day > timezone.localdate():
        raise ProcurationRefused("La date de résiliation est dans le futur.")
    with transaction.atomic():
        procuration.resiliee_le = day
        save_by(procuration, user)
    return procuration
