import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from electoral import statistics
from electoral.models import (
    Electeur,
    Inscription,
    Liste,
    MotifInscription,
    MotifRadiation,
    Mouvement,
    Scrutin,
    TypeMouvement,
)
from electoral.services import inscrire, radier
from tests.factories import BureauFactory, ElecteurFactory

DAY = dt.date(2026, 12, 5)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, 0), tick=False):
        yield


@pytest.fixture
def town(side_a, side_b):
    """Saint-Malo: voters of several ages, sexes, lists and bureaux, inscribed and radiated on
    several months; Ajaccio: a voter who must never be counted."""
    c = side_a.collectivite
    b1, b2 = BureauFactory(collectivite=c, code="0001"), BureauFactory(collectivite=c, code="0002")
    people = [
        ("M", dt.date(2008, 1, 1), b1, Liste.PRINCIPALE, dt.date(2026, 2, 3)),  # 18
        ("F", dt.date(2001, 12, 6), b1, Liste.PRINCIPALE, dt.date(2026, 5, 3)),  # 24 (tomorrow 25)
        ("F", dt.date(2001, 12, 5), b2, Liste.PRINCIPALE, dt.date(2026, 5, 9)),  # 25 today
        ("M", dt.date(1930, 6, 1), b2, Liste.PRINCIPALE, dt.date(2020, 1, 1)),  # 96
        ("F", dt.date(1980, 5, 4), b2, Liste.EUROPEENNE, dt.date(2026, 11, 30)),
    ]
    voters = []
    for sexe, born, bureau, liste, day in people:
        electeur = ElecteurFactory(collectivite=c, sexe=sexe, date_naissance=born, bureau=bureau)
        inscrire(electeur, liste, MotifInscription.VOLONTAIRE, day, side_a.agent, bureau=bureau)
        voters.append(electeur)
    radier(voters[3], Liste.PRINCIPALE, MotifRadiation.DECES, dt.date(2026, 10, 2), side_a.agent)
    ajaccio = BureauFactory(collectivite=side_b.collectivite, code="0001")
    other = ElecteurFactory(collectivite=side_b.collectivite, bureau=ajaccio)
    inscrire(
        other,
        Liste.PRINCIPALE,
        MotifInscription.VOLONTAIRE,
        dt.date(2026, 3, 1),
        side_b.agent,
        bureau=ajaccio,
    )
    return side_a, voters


def test_voters_per_bureau_are_the_list_on_the_day(town):
    side, _ = town
    chart = statistics.voters_per_bureau(side.collectivite, DAY)
    assert chart.rows == [("bureau 0001", (2, 0, 0), 2), ("bureau 0002", (1, 1, 0), 2)]
    on_list = Inscription.objects.on_list(DAY).filter(electeur__collectivite=side.collectivite)
    assert chart.total == on_list.count() == 4
    # Before the death: the old man is counted again.
    earlier = statistics.voters_per_bureau(side.collectivite, dt.date(2026, 10, 1))
    assert earlier.rows[1] == ("bureau 0002", (2, 0, 0), 2)


def test_the_pyramid_counts_ages_on_the_day_by_sex(town):
    side, _ = town
    chart, sans_date = statistics.age_pyramid(side.collectivite, DAY)
    table = {category: values for category, values, _ in chart.rows}
    assert table["18–24 ans"] == (1, 1)
    assert table["25–29 ans"] == (0, 1)
    assert table["90 ans et plus"] == (0, 0)  # radiated
    assert (
        chart.total
        == Inscription.objects.on_list(DAY)
        .filter(electeur__collectivite=side.collectivite, liste=Liste.PRINCIPALE)
        .count()
    )
    assert sans_date == 0


def test_a_voter_without_a_complete_birth_date_is_counted_apart(town):
    side, voters = town
    Electeur.objects.filter(pk=voters[0].pk).update(
        date_naissance=None, date_naissance_incomplete="00/00/2008"
    )
    chart, sans_date = statistics.age_pyramid(side.collectivite, DAY)
    assert sans_date == 1 and chart.total == 2


def test_movements_per_month_by_motif_match_the_movements(town):
    side, _ = town
    chart = statistics.movements_per_month(side.collectivite, DAY, TypeMouvement.INSCRIPTION)
    assert chart.categories[0] == "01/2026" and chart.categories[-1] == "12/2026"
    table = {category: total for category, _, total in chart.rows}
    assert (table["02/2026"], table["05/2026"], table["11/2026"], table["03/2026"]) == (1, 2, 1, 0)
    in_db = Mouvement.objects.filter(
        collectivite=side.collectivite,
        type=TypeMouvement.INSCRIPTION,
        date_effet__gte=dt.date(2026, 1, 1),
    ).count()
    assert chart.total == in_db == 4
    radiations = statistics.movements_per_month(side.collectivite, DAY, TypeMouvement.RADIATION)
    assert [s.label for s in radiations.series] == ["décès"] and radiations.total == 1


def test_new_voters_since_the_last_scrutin(town):
    side, _ = town
    assert statistics.new_since_last_scrutin(side.collectivite, DAY) is None
    Scrutin.objects.create(
        collectivite=side.collectivite, libelle="Européennes", premier_tour=dt.date(2026, 4, 12)
    )
    Scrutin.objects.create(
        collectivite=side.collectivite, libelle="Municipales", premier_tour=dt.date(2027, 3, 14)
    )
    chart = statistics.new_since_last_scrutin(side.collectivite, DAY)
    assert "12/04/2026" in chart.title
    assert chart.rows == [("bureau 0001", (1, 0, 0), 1), ("bureau 0002", (1, 1, 0), 2)]


def test_the_page_draws_each_chart_with_its_table_and_only_this_collectivite(town, side_b):
    side, _ = town
    html = side.client.get(reverse("electoral:statistiques")).content.decode()
    assert html.count("<svg") == 4 and html.count("<table") == 4
    figures = html.split("<figure")[1:]
    for figure in figures:
        drawn = sum(int(v) for v in re.findall(r'data-value="(\d+)"', figure))
        total = re.search(r'<td class="text-end fw-bold">([\d\u202f ]+)</td></tr></tfoot>', figure)
        assert drawn == int(re.sub(r"\D", "", total.group(1)))
    other = side_b.client.get(reverse("electoral:statistiques")).content.decode()
    assert re.search(r'<td class="text-end fw-bold">1</td></tr></tfoot>', other)


def test_a_future_date_is_refused_next_to_the_field(town):
    side, _ = town
    response = side.client.get(reverse("electoral:statistiques"), {"au": "01/01/2027"})
    assert "pas au 01/01/2027" in response.content.decode()
