"""The legal window of the recensement (Code du service national L.113-1, R*111-1, R*111-2)."""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import formats

MIN_AGE = 16
MAX_AGE = 25


class OutOfAgeError(ValueError):
    """The person cannot register at this date (under 16, over 25, or not yet French)."""

    def __init__(self, message: str, field: str = "date_naissance") -> None:
        super().__init__(message)
        self.field = field


def anniversary(born: datetime.date, years: int) -> datetime.date:
    """The day a person born on `born` turns `years`; born on 29 February, in a common year the
    age is reached on 1 March, once 28 February has fully passed."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


def end_of_month_after(day: datetime.date, months: int) -> datetime.date:
    """Last day of the `months`-th month after `day`'s month: 12/01 + 3 -> 30/04."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def one_month_after(day: datetime.date) -> datetime.date:
    """Same day next month, or that month's last day when it is shorter: 31/01 -> 28/02."""
    month_index = day.month
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(born: datetime.date, day: datetime.date) -> int:
    age = day.year - born.year
    return age if day >= anniversary(born, age) else age - 1


def _d(day: datetime.date) -> str:
    return formats.date_format(day, "d/m/Y")


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date
    description: str  # "16 ans le 12/01/2026" or "devenu(e) français(e) le 03/05/2026"


@dataclass(frozen=True)
class ModeDecision:
    late: bool
    reason: str


def legal_window(
    date_naissance: datetime.date, date_acquisition: datetime.date | None = None
) -> Window:
    """From the 16th birthday to the end of the 3rd month after it; for a person who became
    French after turning 16, one month from the acquisition of nationality."""
    sixteen = anniversary(date_naissance, MIN_AGE)
    if date_acquisition and date_acquisition > sixteen:
        return Window(
            date_acquisition,
            one_month_after(date_acquisition),
            f"devenu(e) français(e) le {_d(date_acquisition)}",
        )
    return Window(sixteen, end_of_month_after(sixteen, 3), f"16 ans le {_d(sixteen)}")


def decide_mode(
    date_naissance: datetime.date,
    date_recensement: datetime.date,
    date_acquisition: datetime.date | None = None,
) -> ModeDecision:
    """Recensé inside the legal window, régularisé after it; refuses a registration outside
    16–25 years of age, or before the nationality was acquired."""
    if date_naissance > date_recensement:
        # Checked first: a mistyped year (9999) would overflow the calendar below.
        raise OutOfAgeError(
            f"La date de naissance ({_d(date_naissance)}) est postérieure à la date de "
            f"recensement ({_d(date_recensement)})."
        )
    sixteen = anniversary(date_naissance, MIN_AGE)
    if date_recensement < sixteen:
        raise OutOfAgeError(
            f"La personne n'a pas encore 16 ans le {_d(date_recensement)} : elle pourra se faire "
            f"recenser à partir du {_d(sixteen)}."
        )
    limit = anniversary(date_naissance, MAX_AGE + 1)
    if date_recensement >= limit:
        raise OutOfAgeError(
            f"La personne a plus de 25 ans le {_d(date_recensement)} (26 ans le {_d(limit)}) : "
            "le recensement n'est plus possible en mairie."
        )
    if date_acquisition and date_recensement < date_acquisition:
        raise OutOfAgeError(
            f"La nationalité française a été acquise le {_d(date_acquisition)}, après la date de "
            f"recensement ({_d(date_recensement)}).",
            field="date_acquisition_nationalite",
        )
    window = legal_window(date_naissance, date_acquisition)
    if date_recensement <= window.end:
        return ModeDecision(False, f"{window.description}, délai jusqu'au {_d(window.end)}")
    return ModeDecision(True, f"{window.description}, délai expiré le {_d(window.end)}")
