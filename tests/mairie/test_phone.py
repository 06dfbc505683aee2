import pytest

from mairie.phone import normalise_phone


@pytest.mark.parametrize(
    "typed",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "06/12/34/56/78",
        " 06\t12 34 56 78 ",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033 6 12 34 56 78",
    ],
)
def test_the_ways_people_write_a_number_all_give_its_ten_digits(typed):
    assert normalise_phone(typed) == "0612345678"


@pytest.mark.parametrize(("typed", "left"), [("06 12", "0612"), ("+32 2 555 12 12", "+3225551212")])
def test_what_is_not_a_french_number_is_left_for_the_validators(typed, left):
    assert normalise_phone(typed) == left
