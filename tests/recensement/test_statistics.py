import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from mairie.models import Role
from recensement import statistics
from recensement.models import DemandeEnLigne, Recense, StatutDemande
from recensement.statistics import Period
from tests.conftest import agent_with_role
from tests.factories import RecenseFactory

T1 = Period(2026, 1)
YEAR = Period(2026)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 5, 4, 10, 0), tick=False):
        yield


def online(recense: Recense, identifiant: str, statut: str = StatutDemande.VALIDEE) -> None:
    DemandeEnLigne.objects.create(
        collectivite=recense.collectivite,
        identifiant=identifiant,
        sha256=identifiant.ljust(64, "0"),
        date_soumission=dt.datetime(2026, 2, 9, 10, 0, tzinfo=dt.UTC),
        fichier_xml="demandes/absent.xml",
        nom_fichier_xml="demande.xml",
        statut=statut,
        recense=recense if statut == StatutDemande.VALIDEE else None,
    )


@pytest.fixture
def town(side_a, side_b):
    """Saint-Malo's registrants of 2026 (five in T1, one in T2) and one of 2025; Ajaccio's,
    never counted."""
    c = side_a.collectivite
    in_time = RecenseFactory(collectivite=c, sexe="F")  # 16 on 12/01, recensé on 10/02
    online(in_time, "RC-1")
    late = RecenseFactory(collectivite=c, sexe="M", date_naissance=dt.date(2009, 6, 15))
    abroad = RecenseFactory(
        collectivite=c,
        sexe="M",
        date_naissance=dt.date(2008, 1, 1),
        naissance_code_lieu="99134",
        naissance_commune="Madrid",
        naissance_departement="",
        naissance_pays="Espagne",
    )
    online(abroad, "RC-2", StatutDemande.REFUSEE)  # a refused request made no registrant
    acquired = RecenseFactory(
        collectivite=c,
        sexe="F",
        date_naissance=dt.date(2009, 1, 1),
        nationalite="A",
        date_acquisition_nationalite=dt.date(2026, 1, 20),
    )
    online(acquired, "RC-3")
    d_office = RecenseFactory(
        collectivite=c,
        sexe="M",
        date_naissance=dt.date(2009, 12, 20),
        date_recensement=dt.date(2026, 3, 31),
        inscription_d_office=True,
    )
    spring = RecenseFactory(
        collectivite=c, date_naissance=dt.date(2010, 1, 12), date_recensement=dt.date(2026, 4, 2)
    )
    RecenseFactory(
        collectivite=c, date_naissance=dt.date(2009, 6, 15), date_recensement=dt.date(2025, 11, 3)
    )
    RecenseFactory.create_batch(3, collectivite=side_b.collectivite, sexe="M")
    return side_a, [in_time, late, abroad, acquired, d_office, spring]


def charts(collectivite, period: Period) -> dict:
    return {
        name: getattr(statistics, name)(collectivite, period)
        for name in (
            "by_sex_and_mode",
            "born_abroad",
            "nationality",
            "online_and_counter",
            "delays",
        )
    }


def table(chart) -> dict:
    return {category: values for category, values, _ in chart.rows}


def test_every_chart_counts_each_registrant_of_the_period_once(town):
    side, _ = town
    for period, expected in ((T1, 5), (YEAR, 6), (Period(2026, 2), 1), (Period(2025), 1)):
        in_db = Recense.objects.filter(collectivite=side.collectivite, annee=period.annee)
        if period.trimestre:
            in_db = in_db.filter(trimestre=period.trimestre)
        assert in_db.count() == expected
        assert statistics.total(side.collectivite, period) == expected
        for name, chart in charts(side.collectivite, period).items():
            assert chart.total == expected, name
            assert sum(total for _, _, total in chart.rows) == expected, name
            assert sum(chart.column_totals) == expected, name
            # The drawing says what the table says.
            drawn = [int(v) for v in re.findall(r'data-value="(\d+)"', chart.svg())]
            assert drawn == [v for _, values, _ in chart.rows for v in values], name
            assert sum(drawn) == expected, name


def test_the_tables_of_a_quarter(town):
    side, _ = town
    c = charts(side.collectivite, T1)
    assert [s.label for s in c["by_sex_and_mode"].series] == ["hommes", "femmes"]
    assert table(c["by_sex_and_mode"]) == {
        "recensé": (0, 2),
        "régularisé": (2, 0),  # late, and born abroad recensé at 18
        "non recensé": (1, 0),
    }
    assert table(c["born_abroad"]) == {"nés en France": (2, 2), "nés à l'étranger": (1, 0)}
    assert table(c["nationality"]) == {
        "français(e) de naissance": (3, 1),
        "devenu(e) français(e)": (0, 1),
    }
    assert [s.label for s in c["online_and_counter"].series] == [
        "en ligne",
        "au guichet",
        "inscrits d'office",
    ]
    assert table(c["online_and_counter"]) == {
        "janvier 2026": (0, 0, 0),
        "février 2026": (2, 2, 0),
        "mars 2026": (0, 0, 1),
    }
    assert table(c["delays"]) == {
        "avant 16 ans": (0, 0),
        "0 à 3 mois": (0, 1),
        "3 à 6 mois": (1, 0),  # 16 on 20/12/2025, inscribed d'office on 31/03
        "6 à 12 mois": (1, 0),
        "plus d'un an": (1, 1),  # born abroad at 18; became French at 17
    }


def test_a_year_counts_per_quarter_and_leaves_out_the_modes_nobody_has(town):
    side, _ = town
    demandes = statistics.online_and_counter(side.collectivite, YEAR)
    assert table(demandes) == {
        "T1 2026": (2, 2, 1),
        "T2 2026": (0, 1, 0),
        "T3 2026": (0, 0, 0),
        "T4 2026": (0, 0, 0),
    }
    modes = statistics.by_sex_and_mode(side.collectivite, Period(2026, 2))
    assert modes.categories == ["recensé", "régularisé"]
    assert [
        s.label for s in statistics.online_and_counter(side.collectivite, Period(2025)).series
    ] == [
        "en ligne",
        "au guichet",
    ]


@pytest.mark.parametrize(
    ("recensement", "band"),
    [
        (dt.date(2026, 1, 11), "avant 16 ans"),
        (dt.date(2026, 1, 12), "0 à 3 mois"),
        (dt.date(2026, 4, 11), "0 à 3 mois"),
        (dt.date(2026, 4, 12), "3 à 6 mois"),
        (dt.date(2026, 7, 12), "6 à 12 mois"),
        (dt.date(2027, 1, 11), "6 à 12 mois"),
        (dt.date(2027, 1, 12), "plus d'un an"),
    ],
)
def test_delay_bands_count_whole_months_from_the_16th_birthday(recensement, band):
    assert statistics.delay_band(dt.date(2010, 1, 12), recensement) == band


def test_the_page_shows_each_chart_with_its_table_for_the_chosen_period(town):
    side, _ = town
    url = reverse("recensement:statistiques")
    page = side.client.get(url, {"annee": "2026", "trimestre": "1"})
    assert page.context["period"] == T1
    assert "5 recensés en T1 2026" in page.text
    assert page.text.count("<svg") == 5 and page.text.count("<table") == 5
    assert page.text.count('<td class="text-end fw-bold">5</td>') == 5  # each table's total
    year = side.client.get(url, {"annee": "2026"})
    assert year.context["period"] == YEAR and "6 recensés en 2026" in year.text
    # Nothing chosen, or a wrong year: the current year.
    assert side.client.get(url).context["period"] == YEAR
    assert side.client.get(url, {"annee": "deux mille"}).context["period"] == YEAR
    empty = side.client.get(url, {"annee": "2024"})
    assert "Aucune donnée pour cette période." in empty.text


def test_the_page_is_linked_from_the_list_and_closed_to_elections_agents(side_a):
    url = reverse("recensement:statistiques")
    assert f'href="{url}"' in side_a.client.get(reverse("recensement:index")).text
    assert f'href="{url}"' in side_a.client.get(reverse("recensement:trimestres")).text
    elections = agent_with_role(side_a.collectivite, Role.ELECTIONS, "elections")
    assert elections.get(url).status_code == 403
