import datetime as dt

import pytest

from electoral.models import Electeur
from electoral.rules import birth_bounds, birth_date_problem, same_identity, voter_birth_problem
from tests.factories import ElecteurFactory

TODAY = dt.date(2026, 12, 4)


def problem(born: dt.date, date_effet: dt.date | None = TODAY) -> str:
    return birth_date_problem(born, born, date_effet, TODAY)


def test_a_voter_is_18_on_the_date_d_effet_not_the_day_before():
    assert problem(dt.date(2008, 12, 4)) == ""
    assert problem(dt.date(2008, 12, 5)) == (
        "moins de 18 ans le 04/12/2026, date d'effet (né(e) le 05/12/2008, 18 ans le 05/12/2026)"
    )
    assert problem(dt.date(2014, 6, 1)).startswith("moins de 18 ans")


def test_born_on_29_february_one_is_18_on_1_march():
    born = dt.date(2008, 2, 29)
    assert problem(born, dt.date(2026, 2, 28)).startswith("moins de 18 ans")
    assert problem(born, dt.date(2026, 3, 1)) == ""


def test_a_birth_date_in_the_future_or_more_than_120_years_ago_is_refused():
    assert problem(dt.date(2027, 1, 1)) == "date de naissance dans le futur « 01/01/2027 »"
    assert problem(dt.date(1906, 12, 4)) == ""
    assert (
        problem(dt.date(1906, 12, 3)) == "date de naissance il y a plus de 120 ans « 03/12/1906 »"
    )


@pytest.mark.parametrize(
    "day, month, year, expected",
    [
        # A year alone: 18 only if born by 04/12/2008 whatever the day, so not on 31/12/2008.
        (0, 0, 2008, "moins de 18 ans"),
        (0, 0, 2007, ""),
        (0, 11, 2008, ""),  # November 2008: 18 by 30/11/2026 at the latest
        (0, 12, 2008, "moins de 18 ans"),
        # Refused as too old only when every day of the year is: 1906 may be 31/12/1906.
        (0, 0, 1906, ""),
        (0, 0, 1905, "date de naissance il y a plus de 120 ans « 00/00/1905 »"),
        (0, 0, 2027, "date de naissance dans le futur « 00/00/2027 »"),
    ],
)
def test_an_incomplete_birth_date_is_judged_on_the_days_it_may_be(day, month, year, expected):
    earliest, latest = birth_bounds(day, month, year)
    found = birth_date_problem(earliest, latest, TODAY, TODAY, f"{day:02d}/{month:02d}/{year}")
    assert found.startswith(expected) if expected else found == ""


def test_a_voter_s_stored_incomplete_date_is_read_back():
    voter = Electeur(date_naissance=None, date_naissance_incomplete="00/00/2010")
    assert voter_birth_problem(voter, TODAY, TODAY).startswith("moins de 18 ans")
    assert voter_birth_problem(Electeur(), TODAY, TODAY) == ""


def test_the_same_identity_is_found_without_accents_nor_case(side_a, side_b):
    existing = ElecteurFactory(
        collectivite=side_a.collectivite, nom_naissance="Lefèvre", prenoms="Paul André"
    )
    twin = Electeur(
        collectivite=side_a.collectivite,
        nom_naissance="LEFEVRE",
        prenoms="paul-andre",
        date_naissance=existing.date_naissance,
    )
    assert same_identity(twin) == existing
    # Another birth date, a longer name, or another collectivité: another person.
    twin.date_naissance = dt.date(1980, 5, 5)
    assert same_identity(twin) is None
    twin.date_naissance, twin.nom_naissance = existing.date_naissance, "LEFEVRE DURAND"
    assert same_identity(twin) is None
    twin.nom_naissance, twin.collectivite = "LEFEVRE", side_b.collectivite
    assert same_identity(twin) is None
    assert same_identity(existing) is None  # itself excluded


@pytest.mark.parametrize(
    "day, month, year", [(31, 2, 1990), (45, 0, 1961), (1, 13, 1961), (1, 1, 0)]
)
def test_an_impossible_date_has_no_bounds(day, month, year):
    with pytest.raises(ValueError):
        birth_bounds(day, month, year)
