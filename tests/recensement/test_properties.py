"""Random and hostile input through the registrant form's real view: never a server error,
never half-saved, every refusal in French."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from recensement.forms import RecenseForm
from recensement.models import Recense
from tests.hostile import DATE_TEXT, PROPERTY_SETTINGS, TEXT, assert_french_refusal
from tests.recensement.test_views import form_data

TEXT_FIELDS = [
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "naissance_commune_saisie",
    "naissance_ville",
    "domicile_numero",
    "domicile_voie",
    "domicile_complement",
    "domicile_code_postal",
    "domicile_commune_saisie",
    "residence_voie",
    "telephone_fixe",
    "telephone_portable",
    "courriel",
    "pere_nom",
    "pere_prenoms",
    "mere_nom",
    "mere_prenoms",
    "mere_naissance_commune_saisie",
    "etablissement",
    "specialite",
    "profession",
    "situation_particuliere_detail",
]
DATE_FIELDS = [
    "date_recensement",
    "date_naissance",
    "date_acquisition_nationalite",
    "pere_date_naissance",
]
CHOICE_FIELDS = {
    "sexe": ["M", "F", "X", ""],
    "nationalite": ["N", "A", "Z", ""],
    "naissance_ou": ["france", "etranger", "mars"],
    "residence_identique": ["on", ""],
    "pere_non_declare": ["on", ""],
    "pupille": ["0", "1", "2", "9", "-1"],
    "nombre_freres_soeurs": ["0", "99", "100", "-1", "1e3", "٣"],
    "nombre_enfants": ["0", "-5", "123456789012345678901234567890"],
    "situation_familiale": ["C", "M", "?"],
    "double_nationalite": ["", "99134", "99100", "00000"],
    "naissance_pays_choix": ["", "1", "999999", "abc"],
    "situation_particuliere": ["on", ""],
}
OVERRIDES = st.dictionaries(
    st.sampled_from(TEXT_FIELDS + DATE_FIELDS + list(CHOICE_FIELDS)),
    st.just(None),
    max_size=5,
).flatmap(
    lambda chosen: st.fixed_dictionaries(
        {
            name: DATE_TEXT
            if name in DATE_FIELDS
            else st.one_of(st.sampled_from(CHOICE_FIELDS[name]), TEXT)
            if name in CHOICE_FIELDS
            else TEXT
            for name in chosen
        }
    )
)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 0), tick=False):
        yield


def counts() -> tuple[int, int]:
    return Recense.objects.count(), Recense.history.count()


@PROPERTY_SETTINGS
@given(overrides=OVERRIDES)
@example(overrides={"date_naissance": "9999-12-31"})  # overflowed the 16th birthday: a 500
@example(overrides={"date_recensement": "9999-12-31", "date_naissance": "9990-01-01"})
@example(overrides={"nom_naissance": "㎉" * 50})  # folded longer than its search column
@example(overrides={"prenoms": "LE\x00GOFF", "domicile_code_postal": "ABCDE"})
def test_the_registrant_form_saves_whole_or_refuses_in_french(side_a, cog, overrides):
    before = counts()
    response = side_a.client.post(reverse("recensement:create"), form_data(**overrides))
    assert response.status_code < 500
    event(f"HTTP {response.status_code}")
    if response.status_code == 302:
        recense = Recense.objects.latest("pk")
        assert counts() == (before[0] + 1, before[1] + 1)
        assert "\x00" not in "".join(str(v) for v in vars(recense).values())
        recense.delete()  # the next example may send the same person again
        return
    assert counts() == before
    assert isinstance(response.context["form"], RecenseForm)
    assert_french_refusal(response, response.context["form"])


@PROPERTY_SETTINGS
@given(overrides=OVERRIDES)
def test_an_edit_saves_whole_or_changes_nothing(side_a, cog, overrides):
    recense_pk = side_a.client.post(reverse("recensement:create"), form_data())["Location"]
    recense = Recense.objects.get()
    stored = {k: v for k, v in vars(recense).items() if not k.startswith("_")}
    before = counts()
    response = side_a.client.post(
        reverse("recensement:edit", args=[recense.pk]), form_data(**overrides)
    )
    assert response.status_code < 500, recense_pk
    event(f"HTTP {response.status_code}")
    if response.status_code == 302:
        assert counts() == (before[0], before[1] + 1)
    else:
        assert counts() == before
        recense.refresh_from_db()
        assert {k: v for k, v in vars(recense).items() if not k.startswith("_")} == stored
        assert_french_refusal(response, response.context["form"])
    Recense.objects.all().delete()
