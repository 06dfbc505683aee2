"""The draw of the jurés d'assises (Code de procédure pénale, art. 259 to 261)."""

import datetime as dt

import pytest
from django.urls import reverse

from electoral.jures import (
    TirageRefused,
    birth_year,
    drawn_voters,
    latest_birth_year,
    population,
    redraw,
    tirer,
)
from electoral.models import Electeur, Liste, MotifInscription, TirageJures
from electoral.services import inscrire
from mairie.history import history_entries
from tests.factories import BureauFactory, ElecteurFactory

DAY = dt.date(2026, 6, 1)


def inscribe(side, bureau, born, liste=Liste.PRINCIPALE, **fields):
    electeur = ElecteurFactory(
        collectivite=side.collectivite, bureau=bureau, date_naissance=born, **fields
    )
    inscrire(electeur, liste, MotifInscription.VOLONTAIRE, dt.date(2026, 1, 2), None, bureau=bureau)
    return electeur


@pytest.fixture
def town(side_a):
    bureau = BureauFactory(collectivite=side_a.collectivite, code="0001")
    voters = [inscribe(side_a, bureau, dt.date(1950 + n, 3, 1)) for n in range(30)]
    return side_a, bureau, voters


def test_only_voters_who_will_be_23_next_year_may_be_drawn(side_a):
    bureau = BureauFactory(collectivite=side_a.collectivite, code="0001")
    # Drawn in 2026 for 2027: born in 2004 (23 in 2027) yes, born on 1 January 2005 no.
    last_day = inscribe(side_a, bureau, dt.date(2004, 12, 31))
    inscribe(side_a, bureau, dt.date(2005, 1, 1))
    incomplete = inscribe(side_a, bureau, None, date_naissance_incomplete="00/00/1953")
    inscribe(side_a, bureau, None)
    european = inscribe(side_a, bureau, dt.date(1970, 1, 1), liste=Liste.EUROPEENNE)
    assert latest_birth_year(2026) == 2004
    people = population(side_a.collectivite, 2026, DAY)
    assert set(people.eligible) == {last_day.pk, incomplete.pk}
    assert european.pk not in people.eligible
    assert (people.too_young, people.unknown_year) == (1, 1)
    assert birth_year(incomplete) == 1953


def test_the_same_seed_on_the_same_list_gives_the_same_draw(town):
    side, _, _ = town
    first = tirer(side.collectivite, 2026, 4, side.agent, day=DAY, graine="place-du-marche-2026")
    second = tirer(side.collectivite, 2026, 4, side.agent, day=DAY, graine="place-du-marche-2026")
    other = tirer(side.collectivite, 2026, 4, side.agent, day=DAY, graine="autre")
    assert len(first.tires) == 12 and len(set(first.tires)) == 12
    assert first.tires == second.tires == redraw(first)
    assert other.tires != first.tires
    assert first.eligibles == 30


def test_a_draw_without_a_seed_gets_one_recorded_and_is_audited(town):
    side, _, voters = town
    tirage = tirer(side.collectivite, 2026, 2, side.agent, day=DAY)
    assert len(tirage.graine) == 16 and tirage.tires == redraw(tirage)
    assert {v.pk for v in drawn_voters(tirage)} <= {v.pk for v in voters}
    (entry,) = history_entries(tirage)
    assert entry.user == (side.agent.get_full_name() or side.agent.username)


def test_a_draw_larger_than_the_list_is_refused(town):
    side, _, _ = town
    with pytest.raises(TirageRefused, match="30 électeurs"):
        tirer(side.collectivite, 2026, 11, side.agent, day=DAY)
    assert not TirageJures.objects.exists()


def test_the_draw_never_takes_another_collectivites_voters(town, side_b):
    side, _, voters = town
    bureau = BureauFactory(collectivite=side_b.collectivite, code="0001")
    for n in range(5):
        inscribe(side_b, bureau, dt.date(1960 + n, 1, 1))
    tirage = tirer(side.collectivite, 2026, 10, side.agent, day=DAY)
    assert set(tirage.tires) == {v.pk for v in voters}
    assert not Electeur.objects.filter(pk__in=tirage.tires, collectivite=side_b.collectivite)


def test_an_agent_draws_from_the_page_and_reads_the_names(town, side_b):
    side, _, _ = town
    response = side.client.post(
        reverse("electoral:jures"), {"annee": 2026, "nombre": 3, "graine": "mairie"}
    )
    tirage = TirageJures.objects.get()
    assert response["Location"] == reverse("electoral:tirage", args=[tirage.pk])
    page = side.client.get(response["Location"]).content.decode()
    for electeur in drawn_voters(tirage):
        assert electeur.nom_naissance in page
    assert "mairie" in page
    assert side_b.client.get(response["Location"]).status_code == 404
    refused = side.client.post(reverse("electoral:jures"), {"annee": 2026, "nombre": 20})
    assert "60 noms à tirer" in refused.content.decode()
