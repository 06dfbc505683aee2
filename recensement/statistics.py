"""The recensement statistics of a collectivité over a year or one of its quarters, each a chart
(mairie.charts) with its numbers. Every chart counts each registrant of the period once, in one
of its cells: its total is the number of registrants of the period."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth

from mairie.charts import Chart, Series
from mairie.models import Collectivite, Sexe
from mairie.places import abroad
from recensement.models import (
    DemandeEnLigne,
    Mode,
    Nationalite,
    Recense,
    StatutDemande,
    quarter_label,
)
from recensement.rules import MIN_AGE, anniversary

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
SEXES = [(Sexe.MASCULIN, "hommes"), (Sexe.FEMININ, "femmes")]
# Months between the 16th birthday and the recensement: (label, first month, end month
# excluded); None: open.
DELAY_BANDS = [
    ("avant 16 ans", None, 0),
    ("0 à 3 mois", 0, 3),
    ("3 à 6 mois", 3, 6),
    ("6 à 12 mois", 6, 12),
    ("plus d'un an", 12, None),
]
EN_LIGNE, GUICHET, D_OFFICE = "en ligne", "au guichet", "inscrits d'office"


@dataclass(frozen=True)
class Period:
    annee: int
    trimestre: int | None = None  # None: the whole year

    @property
    def label(self) -> str:
        return quarter_label(self.annee, self.trimestre) if self.trimestre else str(self.annee)

    def recenses(self, collectivite: Collectivite) -> QuerySet[Recense]:
        """The registrants recensés in the period (by the date of their recensement)."""
        recenses = Recense.objects.for_collectivite(collectivite).filter(annee=self.annee)
        if self.trimestre:
            recenses = recenses.filter(trimestre=self.trimestre)
        return recenses.order_by()


def total(collectivite: Collectivite, period: Period) -> int:
    return period.recenses(collectivite).count()


def _modes(present: set[str]) -> list[tuple[str, str]]:
    """Recensé and régularisé always; non recensé (inscrit d'office) when there is one."""
    return [
        (value, label)
        for value, label in Mode.choices
        if value != Mode.NON_RECENSE or value in present
    ]


def by_sex_and_mode(collectivite: Collectivite, period: Period) -> Chart:
    counts = Counter(
        {
            (row["mode"], row["sexe"]): row["n"]
            for row in period.recenses(collectivite).values("mode", "sexe").annotate(n=Count("id"))
        }
    )
    modes = _modes({mode for mode, _ in counts})
    return Chart(
        title=f"Recensés par sexe et par mode — {period.label}",
        categories=[str(label) for _, label in modes],
        series=[Series(name, [counts[(mode, sexe)] for mode, _ in modes]) for sexe, name in SEXES],
    )


def _split(
    collectivite: Collectivite, period: Period, title: str, parts: list[tuple[str, Q]]
) -> Chart:
    """One bar per part (its condition), by sex; the parts divide the registrants."""
    aggregates = {
        f"{index}_{sexe}": Count("id", filter=condition & Q(sexe=sexe))
        for index, (_, condition) in enumerate(parts)
        for sexe, _ in SEXES
    }
    counts = period.recenses(collectivite).aggregate(**aggregates)
    return Chart(
        title=f"{title} — {period.label}",
        categories=[label for label, _ in parts],
        series=[
            Series(name, [counts[f"{index}_{sexe}"] for index in range(len(parts))])
            for sexe, name in SEXES
        ],
    )


def born_abroad(collectivite: Collectivite, period: Period) -> Chart:
    elsewhere = abroad("naissance_code_lieu")
    return _split(
        collectivite,
        period,
        "Lieu de naissance",
        [("nés en France", ~elsewhere), ("nés à l'étranger", elsewhere)],
    )


def nationality(collectivite: Collectivite, period: Period) -> Chart:
    return _split(
        collectivite,
        period,
        "Nationalité",
        [(str(label), Q(nationalite=value)) for value, label in Nationalite.choices],
    )


def online_and_counter(collectivite: Collectivite, period: Period) -> Chart:
    """Registrants from an online request (a DemandeEnLigne validated into them) against those
    recensés at the counter, per quarter of the year or per month of the quarter; the
    registrants inscribed d'office by the mairie came by neither way: a series of their own."""
    online = Exists(
        DemandeEnLigne.objects.filter(recense=OuterRef("pk"), statut=StatutDemande.VALIDEE)
    )
    recenses = period.recenses(collectivite)
    if period.trimestre:
        first = 3 * period.trimestre - 2
        steps = list(range(first, first + 3))
        categories = [f"{MONTHS[month - 1]} {period.annee}" for month in steps]
        recenses = recenses.annotate(step=ExtractMonth("date_recensement"))
    else:
        steps = [1, 2, 3, 4]
        categories = [quarter_label(period.annee, quarter) for quarter in steps]
        recenses = recenses.annotate(step=F("trimestre"))
    counts: Counter = Counter()
    for row in (
        recenses.annotate(en_ligne=online)
        .values("step", "mode", "en_ligne")
        .annotate(n=Count("id"))
    ):
        if row["mode"] == Mode.NON_RECENSE:
            way = D_OFFICE
        else:
            way = EN_LIGNE if row["en_ligne"] else GUICHET
        counts[(way, row["step"])] += row["n"]
    ways = [EN_LIGNE, GUICHET] + [D_OFFICE] * any(way == D_OFFICE for way, _ in counts)
    return Chart(
        title=f"Demandes en ligne et recensements au guichet — {period.label}",
        categories=categories,
        series=[Series(way, [counts[(way, step)] for step in steps]) for way in ways],
    )


def months_between(start: datetime.date, day: datetime.date) -> int:
    """Whole months from `start` to `day` (negative before `start`): 12/01 -> 11/04 is 2."""
    months = (day.year - start.year) * 12 + day.month - start.month
    return months - 1 if day.day < start.day else months


def delay_band(born: datetime.date, recensement: datetime.date) -> str:
    months = months_between(anniversary(born, MIN_AGE), recensement)
    for label, first, end in DELAY_BANDS:
        if (first is None or months >= first) and (end is None or months < end):
            return label
    raise AssertionError("the bands cover every number of months")


def delays(collectivite: Collectivite, period: Period) -> Chart:
    """The time between the 16th birthday and the recensement, in bands, by sex."""
    counts = Counter(
        (delay_band(born, day), sexe)
        for born, day, sexe in period.recenses(collectivite).values_list(
            "date_naissance", "date_recensement", "sexe"
        )
    )
    bands = [label for label, _, _ in DELAY_BANDS]
    return Chart(
        title=f"Délai entre les 16 ans et le recensement — {period.label}",
        categories=bands,
        series=[Series(name, [counts[(band, sexe)] for band in bands]) for sexe, name in SEXES],
    )
