import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recensement.rules import (
    OutOfAgeError,
    age_on,
    anniversary,
    decide_mode,
    end_of_month_after,
    legal_window,
    one_month_after,
)


def d(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def test_the_window_runs_to_the_end_of_the_third_month_after_the_birthday():
    window = legal_window(d("12/01/2010"))
    assert (window.start, window.end) == (d("12/01/2026"), d("30/04/2026"))


@pytest.mark.parametrize(
    ("born", "end"),
    [
        ("31/10/2010", "31/01/2027"),  # across the year
        ("30/11/2010", "28/02/2027"),  # into a short February
        ("30/11/2011", "29/02/2028"),  # leap year
        ("01/03/2010", "30/06/2026"),
    ],
)
def test_end_of_window_edge_cases(born, end):
    assert legal_window(d(born)).end == d(end)


def test_a_person_born_on_29_february_is_sixteen_on_29_february():
    # 16 is a multiple of 4: the 16th birthday of a 29 February is a 29 February (until 2100).
    assert anniversary(d("29/02/2012"), 16) == d("29/02/2028")


def test_born_on_29_february_the_age_is_reached_on_1_march_in_a_common_year():
    assert anniversary(d("29/02/2000"), 26) == d("01/03/2026")
    assert age_on(d("29/02/2000"), d("28/02/2026")) == 25
    assert age_on(d("29/02/2000"), d("01/03/2026")) == 26


def test_inside_the_window_is_recense_with_the_deadline_as_reason():
    decision = decide_mode(d("12/01/2010"), d("30/04/2026"))
    assert not decision.late
    assert decision.reason == "16 ans le 12/01/2026, délai jusqu'au 30/04/2026"


def test_after_the_window_is_regularise_with_the_reason_shown_to_the_agent():
    decision = decide_mode(d("12/01/2010"), d("01/05/2026"))
    assert decision.late
    assert decision.reason == "16 ans le 12/01/2026, délai expiré le 30/04/2026"


def test_on_the_16th_birthday_itself_is_recense():
    assert not decide_mode(d("12/01/2010"), d("12/01/2026")).late


def test_it_refuses_a_person_under_16():
    with pytest.raises(OutOfAgeError, match="n'a pas encore 16 ans le 11/01/2026") as error:
        decide_mode(d("12/01/2010"), d("11/01/2026"))
    assert "à partir du 12/01/2026" in str(error.value)
    assert error.value.field == "date_naissance"


def test_it_accepts_the_last_day_before_26_and_refuses_from_26():
    assert decide_mode(d("12/01/2000"), d("11/01/2026")).late
    with pytest.raises(OutOfAgeError, match="plus de 25 ans"):
        decide_mode(d("12/01/2000"), d("12/01/2026"))


def test_a_person_who_became_french_after_16_has_one_month_from_acquisition():
    born, acquired = d("12/01/2005"), d("31/01/2026")
    assert one_month_after(acquired) == d("28/02/2026")
    inside = decide_mode(born, d("28/02/2026"), acquired)
    assert not inside.late
    assert inside.reason == "devenu(e) français(e) le 31/01/2026, délai jusqu'au 28/02/2026"
    late = decide_mode(born, d("01/03/2026"), acquired)
    assert late.late and "délai expiré le 28/02/2026" in late.reason


def test_a_person_who_became_french_before_16_follows_the_ordinary_window():
    decision = decide_mode(d("12/01/2010"), d("01/02/2026"), d("05/05/2015"))
    assert decision.reason.startswith("16 ans le 12/01/2026")


def test_it_refuses_a_registration_before_the_acquisition_of_nationality():
    with pytest.raises(OutOfAgeError, match="acquise le 10/03/2026") as error:
        decide_mode(d("12/01/2005"), d("01/03/2026"), d("10/03/2026"))
    assert error.value.field == "date_acquisition_nationalite"


@given(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 11))
def test_end_of_month_after_is_always_a_last_day(day, months):
    end = end_of_month_after(day, months)
    assert (end + dt.timedelta(days=1)).day == 1
    assert (end.year - day.year) * 12 + end.month - day.month == months


@given(st.dates(dt.date(1995, 1, 1), dt.date(2015, 12, 31)), st.integers(0, 12 * 12))
def test_mode_is_decided_for_every_age_between_16_and_25(born, months):
    day = end_of_month_after(anniversary(born, 16), months)
    if age_on(born, day) > 25:
        with pytest.raises(OutOfAgeError):
            decide_mode(born, day)
    else:
        assert decide_mode(born, day).late == (months > 3)
