"""Whatever the registrant form accepts, the PECOTO file can carry: the validator finds no
problem with a registrant the form saved, once numbered."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from exports import pecoto
from exports.models import Export
from exports.services import run_export
from recensement.models import Recense
from tests.factories import RecenseFactory
from tests.hostile import PROPERTY_SETTINGS, TEXT
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


@pytest.fixture
def deposited(side_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    RecenseFactory(collectivite=side_a.collectivite, numero_inscription=1)
    return run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)


@PROPERTY_SETTINGS
@given(
    etat=st.one_of(st.sampled_from(["depose", "recu", "rejete"]), TEXT),
    message=TEXT,
)
@example(etat="rejete", message="Fichier rejeté\x00")
def test_the_portal_answer_is_recorded_or_refused_in_french(side_a, deposited, etat, message):
    deposited.refresh_from_db()
    before = (Export.history.count(), deposited.etat_portail)
    response = side_a.client.post(
        reverse("exports:portal_state", args=[deposited.pk]),
        {"etat": etat, "message": message},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    deposited.refresh_from_db()
    if Export.history.count() > before[0]:
        event("enregistré")
        assert (deposited.etat_portail, deposited.message_portail) == (etat, message.strip())
    else:
        event("refusé")
        assert (Export.history.count(), deposited.etat_portail) == before
        assert shown and not any("Error" in m for m in shown)
    Export.objects.filter(pk=deposited.pk).update(etat_portail="", message_portail="")
