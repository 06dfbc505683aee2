"""Whatever the registrant form accepts, the PECOTO file can carry: the validator finds no
problem with a registrant the form saved, once numbered."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from hypothesis import event, example, given

from exports import pecoto
from recensement.models import Recense
from tests.hostile import PROPERTY_SETTINGS
from tests.recensement.test_properties import OVERRIDES
from tests.recensement.test_views import form_data


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 0), tick=False):
        yield


@PROPERTY_SETTINGS
@given(overrides=OVERRIDES)
@example(overrides={"nom_naissance": "㎉" * 50})
@example(overrides={"prenoms": "Ωmega"})
@example(overrides={"nom_usage": "😀"})
@example(overrides={"etablissement": "ﬃ" * 100})
def test_every_registrant_the_form_accepts_passes_the_pecoto_validator(side_a, cog, overrides):
    response = side_a.client.post(reverse("recensement:create"), form_data(**overrides))
    assert response.status_code < 500
    event(f"HTTP {response.status_code}")
    if response.status_code != 302:
        return
    recense = Recense.objects.get()
    recense.numero_inscription = 1
    problems = pecoto.validate(
        side_a.collectivite, [recense], recense.annee, recense.trimestre, dt.date(2026, 4, 2)
    )
    Recense.objects.all().delete()
    assert [p for p in problems if p.recense_id == recense.pk] == []
