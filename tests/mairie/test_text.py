import pytest
from defusedcsv.csv import _escape as defused
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from mairie.models import normalise_code_commune, normalise_departement
from mairie.text import search_key, strip_accents, unguard_formula


def test_it_folds_names_like_insee():
    assert search_key("L'Haÿ-les-Roses") == "L HAY LES ROSES"
    assert search_key("  Œuilly ") == "OEUILLY"
    assert strip_accents("Évian-les-Bains") == "Evian-les-Bains"


@given(st.text())
def test_search_keys_are_uppercase_ascii_words(value):
    key = search_key(value)
    assert key == key.strip()
    assert "  " not in key
    assert all(
        char == " " or char.isascii() and char.isalnum() and not char.islower() for char in key
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1234567, "1\u202f234\u202f567"), (999, "999"), (0, "0"), ("12000", "12\u202f000"), ("", "")],
)
def test_counts_show_as_french_writes_them(value, shown):
    assert Template("{% load pages %}{{ value|nombre }}").render(Context({"value": value})) == shown


@given(st.text().filter(lambda value: not value.startswith("'")))
def test_a_value_guarded_by_the_csv_writer_reads_back_as_it_was(value):
    assert unguard_formula(defused(value)) == value


def test_a_guarded_value_loses_its_apostrophe_and_escaped_pipes():
    assert unguard_formula("'=1+2") == "=1+2"
    assert unguard_formula("'\\|Rue") == "|Rue"
    assert unguard_formula("'-Bât. A") == "-Bât. A"
    assert unguard_formula("D'ARC") == "D'ARC"


@pytest.mark.parametrize(
    "raw, code",
    [("35", "035"), ("035", "035"), (" 2a", "02A"), ("02B", "02B"), ("971", "971"), ("99", "")],
)
def test_departement_codes_are_stored_on_three_characters(raw, code):
    assert normalise_departement(raw) == code


def test_a_commune_code_gets_back_the_zero_a_spreadsheet_dropped():
    assert normalise_code_commune("1053") == "01053"
    assert normalise_code_commune(" 2a004 ") == "2A004"
    assert normalise_code_commune("35288") == "35288"
