import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from mairie.text import search_key, strip_accents


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
