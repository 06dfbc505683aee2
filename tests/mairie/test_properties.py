"""Hostile text typed in the search boxes: the commune autocomplete and the list filters answer,
never with a server error."""

from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from tests.hostile import DATE_TEXT, PROPERTY_SETTINGS, TEXT

SEARCHES = [
    ("commune_autocomplete", "q"),
    ("commune_autocomplete", "naissance_commune_saisie"),
    ("recensement:index", "q"),
    ("recensement:index", "date_naissance"),
    ("recensement:index", "trimestre"),
    ("electoral:index", "q"),
    ("electoral:index", "bureau"),
    ("exports:index", "type"),
    ("exports:index", "kind"),
]


@PROPERTY_SETTINGS
@given(search=st.sampled_from(SEARCHES), text=st.one_of(TEXT, DATE_TEXT), htmx=st.booleans())
@example(search=("commune_autocomplete", "q"), text="35\x00", htmx=False)
@example(search=("recensement:index", "q"), text="\x00", htmx=False)
def test_search_boxes_answer_any_text(side_a, cog, search, text, htmx):
    name, parameter = search
    headers = {"HX-Request": "true"} if htmx else {}
    response = side_a.client.get(reverse(name), {parameter: text, "page": text}, headers=headers)
    event(f"HTTP {response.status_code}")
    assert response.status_code == 200
