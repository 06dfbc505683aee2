"""The electoral statistics of a collectivité, each a chart (mairie.charts) with its numbers,
read from "the list on date D" (Inscription.objects.on_list) and from the movements."""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from electoral.models import (
    BureauDeVote,
    Inscription,
    Liste,
    MotifInscription,
    MotifRadiation,
    Mouvement,
    Scrutin,
    Sexe,
    TypeMouvement,
)
from mairie.charts import Chart, Series
from mairie.models import Collectivite

# Age bands of the pyramid: (first age, last age); None: and above.
AGE_BANDS = [(18, 24)] + [(age, age + 4) for age in range(25, 90, 5)] + [(90, None)]
MONTHS = 12
NO_BUREAU = "sans bureau"


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The last birth date of someone `years` old on `day` (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def band_label(first: int, last: int | None) -> str:
    return f"{first} ans et plus" if last is None else f"{first}–{last} ans"


def _bureau_label(code: str | None) -> str:
    return f"bureau {code}" if code else NO_BUREAU


def _per_bureau_and_list(inscriptions) -> Counter:
    return Counter(
        {
            (row["bureau__code"], row["liste"]): row["n"]
            for row in inscriptions.values("bureau__code", "liste").annotate(n=Count("id"))
        }
    )


def _bureaux_chart(title: str, codes: list, counts: Counter) -> Chart:
    return Chart(
        title=title,
        categories=[_bureau_label(code) for code in codes],
        series=[
            Series(str(label), [counts[(code, liste)] for code in codes])
            for liste, label in Liste.choices
        ],
    )


def voters_per_bureau(collectivite: Collectivite, day: datetime.date) -> Chart:
    counts = _per_bureau_and_list(
        Inscription.objects.on_list(day).filter(electeur__collectivite=collectivite)
    )
    codes = list(
        BureauDeVote.objects.for_collectivite(collectivite)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if any(code is None for code, _ in counts):
        codes.append(None)
    return _bureaux_chart(f"Électeurs par bureau et par liste au {day:%d/%m/%Y}", codes, counts)


def age_pyramid(
    collectivite: Collectivite, day: datetime.date, liste: str = Liste.PRINCIPALE
) -> tuple[Chart, int]:
    """The pyramid of ages on `day` by sex, and how many voters of the list it leaves out for
    want of a complete birth date (REU extractions carry some, as 00/00/1953)."""
    voters = Inscription.objects.on_list(day).filter(
        electeur__collectivite=collectivite, liste=liste
    )
    aggregates = {}
    for first, last in AGE_BANDS:
        band = Q(electeur__date_naissance__lte=years_before(day, first))
        if last is not None:
            band &= Q(electeur__date_naissance__gt=years_before(day, last + 1))
        for sexe in Sexe.values:
            aggregates[f"{sexe}_{first}"] = Count("id", filter=band & Q(electeur__sexe=sexe))
    aggregates["sans_date"] = Count("id", filter=Q(electeur__date_naissance__isnull=True))
    counts = voters.aggregate(**aggregates)
    chart = Chart(
        title=f"Pyramide des âges, {Liste(liste).label}, au {day:%d/%m/%Y}",
        categories=[band_label(first, last) for first, last in AGE_BANDS],
        series=[
            Series(
                "hommes" if sexe == Sexe.MASCULIN else "femmes",
                [counts[f"{sexe}_{first}"] for first, _ in AGE_BANDS],
            )
            for sexe in (Sexe.MASCULIN, Sexe.FEMININ)
        ],
        kind="pyramid",
    )
    return chart, counts["sans_date"]


def month_starts(day: datetime.date, months: int = MONTHS) -> list[datetime.date]:
    """The first days of the `months` months ending with `day`'s, oldest first."""
    year, month = day.year, day.month
    starts = []
    for _ in range(months):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def movements_per_month(
    collectivite: Collectivite, day: datetime.date, kind: str, months: int = MONTHS
) -> Chart:
    """Inscriptions or radiations (`kind`) per month and motif, over the `months` months
    ending with `day`'s. The reprise of an REU extraction is not an inscription: left out."""
    starts = month_starts(day, months)
    rows = (
        Mouvement.objects.for_collectivite(collectivite)
        .filter(type=kind, date_effet__gte=starts[0], date_effet__lte=day)
        .exclude(motif=MotifInscription.REPRISE_REU)
        .annotate(mois=TruncMonth("date_effet"))
        .values("mois", "motif")
        .annotate(n=Count("id"))
    )
    counts = defaultdict(int)
    for row in rows:
        month = row["mois"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        counts[(month, row["motif"])] += row["n"]
    motifs = MotifInscription if kind == TypeMouvement.INSCRIPTION else MotifRadiation
    used = [(value, label) for value, label in motifs.choices if any(m == value for _, m in counts)]
    title = "Inscriptions" if kind == TypeMouvement.INSCRIPTION else "Radiations"
    return Chart(
        title=f"{title} par mois et par motif",
        categories=[f"{start:%m/%Y}" for start in starts],
        series=[
            Series(str(label), [counts[(start, value)] for start in starts])
            for value, label in used
        ],
    )


def last_scrutin(collectivite: Collectivite, day: datetime.date) -> Scrutin | None:
    return (
        Scrutin.objects.for_collectivite(collectivite)
        .filter(premier_tour__lte=day)
        .order_by("-premier_tour")
        .first()
    )


def new_since_last_scrutin(collectivite: Collectivite, day: datetime.date) -> Chart | None:
    """The voters on each list on `day` who were not on it at the last scrutin's last tour, by
    bureau; None when no scrutin is recorded before `day`."""
    scrutin = last_scrutin(collectivite, day)
    if scrutin is None:
        return None
    last_tour = scrutin.second_tour if scrutin.second_tour and scrutin.second_tour <= day else None
    since = last_tour or scrutin.premier_tour
    counts = _per_bureau_and_list(
        Inscription.objects.on_list(day).filter(
            electeur__collectivite=collectivite, inscrit_le__gt=since
        )
    )
    codes = sorted({code for code, _ in counts}, key=lambda code: (code is None, code or ""))
    title = f"Nouveaux électeurs depuis le scrutin du {since:%d/%m/%Y} ({scrutin.libelle})"
    return _bureaux_chart(title, codes, counts)
