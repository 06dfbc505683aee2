"""The commission de contrôle (Code électoral L.19): meetings, the movements each examines and
the register of its decisions."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from electoral.commission import (
    CommissionRefused,
    decider,
    movements_examined,
    planifier,
    scrutin_windows,
)
from electoral.models import (
    Decision,
    DecisionCommission,
    Liste,
    MembreCommission,
    MotifInscription,
    MotifRadiation,
    ReunionCommission,
    Scrutin,
)
from electoral.services import inscrire, radier
from tests.factories import BureauFactory, ElecteurFactory


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, 0), tick=False):
        yield


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    bureau = BureauFactory(collectivite=c, code="0001")
    voters = []
    for day in (dt.date(2026, 3, 2), dt.date(2026, 9, 1), dt.date(2026, 11, 20)):
        electeur = ElecteurFactory(collectivite=c, bureau=bureau)
        inscrire(electeur, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, day, None, bureau=bureau)
        voters.append(electeur)
    radier(voters[0], Liste.PRINCIPALE, MotifRadiation.PERTE_ATTACHE, dt.date(2026, 10, 5), None)
    return side_a, voters


def meeting(side, day, since=None) -> ReunionCommission:
    reunion = ReunionCommission(
        collectivite=side.collectivite, date=day, heure=dt.time(18, 0), depuis=since
    )
    return planifier(reunion, side.agent)


def test_a_meeting_examines_the_movements_since_the_previous_one(town):
    side, voters = town
    first = meeting(side, dt.date(2026, 6, 1), since=dt.date(2026, 1, 1))
    second = meeting(side, dt.date(2026, 12, 1))
    assert second.depuis == dt.date(2026, 6, 2)
    assert [m.electeur for m in movements_examined(first)] == [voters[0]]
    examined = [(m.electeur, m.type) for m in movements_examined(second)]
    assert examined == [
        (voters[1], "inscription"),
        (voters[0], "radiation"),
        (voters[2], "inscription"),
    ]


def test_the_first_meeting_needs_its_period(town):
    side, _ = town
    with pytest.raises(CommissionRefused, match="Première réunion"):
        meeting(side, dt.date(2026, 6, 1))


def test_a_decision_is_about_a_movement_of_the_period_and_only_once(town):
    side, voters = town
    reunion = meeting(side, dt.date(2026, 12, 1), since=dt.date(2026, 6, 2))
    radiation = voters[0].mouvements.get(type="radiation")
    decider(reunion, radiation, Decision.REFORMEE, "Attache prouvée par un bail.", side.agent)
    with pytest.raises(CommissionRefused, match="déjà statué"):
        decider(reunion, radiation, Decision.MAINTENUE, "", side.agent)
    old = voters[0].mouvements.get(type="inscription")
    with pytest.raises(CommissionRefused, match="pas de la période"):
        decider(reunion, old, Decision.MAINTENUE, "", side.agent)
    assert DecisionCommission.objects.count() == 1


def test_the_page_warns_when_no_meeting_is_planned_before_a_scrutin(town):
    side, _ = town
    scrutin = Scrutin.objects.create(
        collectivite=side.collectivite, libelle="Municipales", premier_tour=dt.date(2027, 3, 14)
    )
    (window,) = scrutin_windows(side.collectivite, dt.date(2026, 12, 5))
    assert (window.first, window.last, window.meeting) == (
        dt.date(2027, 2, 18),
        dt.date(2027, 2, 21),
        None,
    )
    page = side.client.get(reverse("electoral:commission")).content.decode()
    assert "aucune réunion prévue à ces dates" in page
    meeting(side, dt.date(2027, 2, 20), since=dt.date(2026, 1, 1))
    assert scrutin_windows(side.collectivite, dt.date(2026, 12, 5))[0].meeting is not None
    assert scrutin.pk


def test_an_agent_adds_members_plans_a_meeting_and_records_a_decision(town, side_b):
    side, voters = town
    client = side.client
    client.post(
        reverse("electoral:commission"),
        {"membre": "1", "qualite": "conseiller", "nom": "Le Bihan", "prenoms": "Anne"},
    )
    assert MembreCommission.objects.get().collectivite == side.collectivite
    response = client.post(
        reverse("electoral:commission"),
        {
            "reunion": "1",
            "date": "2026-12-01",
            "heure": "18:00",
            "lieu": "Mairie",
            "depuis": "2026-06-02",
        },
    )
    reunion = ReunionCommission.objects.get()
    assert response["Location"] == reverse("electoral:reunion", args=[reunion.pk])
    page = client.get(response["Location"]).content.decode()
    assert "du=2026-06-02" in page and "au=2026-12-01" in page
    radiation = voters[0].mouvements.get(type="radiation")
    client.post(
        response["Location"],
        {"mouvement": radiation.pk, "decision": Decision.MAINTENUE, "observations": "Départ."},
    )
    page = client.get(response["Location"]).content.decode()
    assert "décision du maire maintenue" in page
    assert side_b.client.get(response["Location"]).status_code == 404
    # B cannot record a decision about A's movement at B's meeting either.
    b_reunion = ReunionCommission.objects.create(
        collectivite=side_b.collectivite,
        date=dt.date(2026, 12, 1),
        heure=dt.time(18),
        depuis=dt.date(2026, 1, 1),
    )
    url = reverse("electoral:reunion", args=[b_reunion.pk])
    refused = side_b.client.post(url, {"mouvement": radiation.pk, "decision": "maintenue"})
    assert refused.status_code == 200 and DecisionCommission.objects.count() == 1
