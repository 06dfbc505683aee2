"""Procurations: the rules of electoral.procurations (Code électoral L.71 to L.75, R.74), through
the service and through the pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from electoral.models import Liste, MotifInscription, MotifRadiation, Procuration, Scrutin, Tours
from electoral.procurations import ProcurationRefused, enregistrer, resilier
from electoral.services import inscrire, radier
from mairie.history import history_entries
from tests.factories import BureauFactory, ElecteurFactory

TODAY = dt.date(2026, 12, 5)
ELECTION = dt.date(2027, 3, 14)
SECOND = dt.date(2027, 3, 21)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 12, 5, 10, 0), tick=False):
        yield


@pytest.fixture
def commune(side_a):
    collectivite = side_a.collectivite
    bureau = BureauFactory(collectivite=collectivite, code="0001")
    scrutin = Scrutin.objects.create(
        collectivite=collectivite,
        libelle="Élections municipales",
        premier_tour=ELECTION,
        second_tour=SECOND,
    )
    return side_a, bureau, scrutin


def voter(side, bureau, ine: str, **fields):
    electeur = ElecteurFactory(collectivite=side.collectivite, bureau=bureau, ine=ine, **fields)
    inscrire(
        electeur,
        Liste.PRINCIPALE,
        MotifInscription.VOLONTAIRE,
        dt.date(2020, 1, 1),
        side.agent,
        bureau=bureau,
    )
    return electeur


def proxy(side, mandant, *, ine="", scrutin=None, tours=Tours.LES_DEUX, **fields) -> Procuration:
    values = {
        "collectivite": side.collectivite,
        "mandant": mandant,
        "mandataire_ine": ine,
        "mandataire_nom": "MARTIN",
        "mandataire_prenoms": "Paul",
        "mandataire_date_naissance": dt.date(1970, 2, 3),
        "mandataire_commune": "Rennes",
        "scrutin": scrutin,
        "tours": tours if scrutin else "",
        "debut": TODAY,
        "fin": TODAY,
        "etablie_le": TODAY,
        "etablie_par": "Commissariat de Saint-Malo",
        **fields,
    }
    return enregistrer(Procuration(**values), side.agent)


def test_a_procuration_for_both_tours_holds_from_the_first_to_the_second(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    saved = proxy(side, mandant, ine="900000001", scrutin=scrutin)
    assert (saved.debut, saved.fin) == (ELECTION, SECOND)
    assert list(Procuration.objects.active_on(ELECTION)) == [saved]
    assert list(Procuration.objects.active_on(dt.date(2027, 3, 22))) == []
    (entry,) = history_entries(saved)
    assert entry.kind == "Création"
    assert entry.user == (side.agent.get_full_name() or side.agent.username)


def test_a_mandataire_of_the_commune_is_linked_and_named_as_the_list_names_them(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    local = voter(side, bureau, "100000002", nom_naissance="DURAND", prenoms="Anne")
    saved = proxy(side, mandant, ine="100000002", scrutin=scrutin, mandataire_nom="X")
    assert saved.mandataire == local
    assert (saved.mandataire_nom, saved.mandataire_prenoms) == ("DURAND", "Anne")


def test_the_mandant_must_be_on_a_list(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    radier(mandant, Liste.PRINCIPALE, MotifRadiation.DECES, dt.date(2026, 11, 1), side.agent)
    with pytest.raises(ProcurationRefused, match="L.71"):
        proxy(side, mandant, ine="900000001", scrutin=scrutin)
    assert not Procuration.objects.exists()


def test_a_mandataire_holds_two_procurations_at_most_one_established_in_france(commune):
    side, bureau, scrutin = commune
    first, second, third = (voter(side, bureau, f"10000000{n}") for n in (1, 2, 3))
    proxy(side, first, ine="900000009", scrutin=scrutin)
    with pytest.raises(ProcurationRefused, match="une seule au plus .article L.73"):
        proxy(side, second, ine="900000009", scrutin=scrutin)
    proxy(
        side, second, ine="900000009", scrutin=scrutin, hors_de_france=True, etablie_par="Consulat"
    )
    with pytest.raises(ProcurationRefused, match="deux au plus .article L.73"):
        proxy(side, third, ine="900000009", scrutin=scrutin, hors_de_france=True)
    assert Procuration.objects.filter(mandataire_ine="900000009").count() == 2


def test_the_limit_counts_only_the_days_the_procurations_share(commune):
    side, bureau, scrutin = commune
    first, second = voter(side, bureau, "100000001"), voter(side, bureau, "100000002")
    proxy(side, first, ine="900000009", scrutin=scrutin, tours=Tours.PREMIER)
    # The second tour only: not the same day, both established in France.
    saved = proxy(side, second, ine="900000009", scrutin=scrutin, tours=Tours.SECOND)
    assert saved.debut == SECOND


def test_an_expired_or_cancelled_procuration_no_longer_counts(commune):
    side, bureau, scrutin = commune
    first, second = voter(side, bureau, "100000001"), voter(side, bureau, "100000002")
    given = proxy(side, first, ine="900000009", scrutin=scrutin)
    resilier(given, TODAY, side.agent)
    assert proxy(side, second, ine="900000009", scrutin=scrutin).pk
    with pytest.raises(ProcurationRefused, match="déjà résiliée"):
        resilier(given, TODAY, side.agent)


def test_a_mandant_gives_one_procuration_at_a_time(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    proxy(side, mandant, ine="900000001", scrutin=scrutin)
    with pytest.raises(ProcurationRefused, match="résiliez-la d'abord"):
        proxy(side, mandant, ine="900000002", scrutin=scrutin, tours=Tours.SECOND)


def test_a_mandant_cannot_be_a_mandataire_for_the_same_scrutin(commune):
    side, bureau, scrutin = commune
    absent, other = voter(side, bureau, "100000001"), voter(side, bureau, "100000002")
    proxy(side, absent, ine="900000001", scrutin=scrutin)
    with pytest.raises(ProcurationRefused, match="a lui-même donné procuration"):
        proxy(side, other, ine="100000001", scrutin=scrutin)
    with pytest.raises(ProcurationRefused, match="son propre mandataire"):
        proxy(side, other, ine="100000002", scrutin=scrutin)


@pytest.mark.parametrize(
    ("abroad", "fin", "accepted"),
    [
        (False, dt.date(2027, 12, 5), True),
        (False, dt.date(2027, 12, 6), False),
        (True, dt.date(2029, 12, 5), True),
        (True, dt.date(2029, 12, 6), False),
    ],
)
def test_a_procuration_for_a_period_lasts_one_year_in_france_three_abroad(
    commune, abroad, fin, accepted
):
    side, bureau, _ = commune
    mandant = voter(side, bureau, "100000001")
    if accepted:
        assert proxy(side, mandant, ine="900000001", fin=fin, hors_de_france=abroad).fin == fin
    else:
        with pytest.raises(ProcurationRefused, match="R.74"):
            proxy(side, mandant, ine="900000001", fin=fin, hors_de_france=abroad)


def test_dates_that_cannot_be_are_refused(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    with pytest.raises(ProcurationRefused, match="établissement est dans le futur"):
        proxy(side, mandant, ine="9", scrutin=scrutin, etablie_le=TODAY + dt.timedelta(days=1))
    with pytest.raises(ProcurationRefused, match="a expiré"):
        proxy(side, mandant, ine="9", debut=dt.date(2026, 1, 1), fin=dt.date(2026, 2, 1))
    one_tour = Scrutin.objects.create(
        collectivite=side.collectivite, libelle="Référendum", premier_tour=ELECTION
    )
    with pytest.raises(ProcurationRefused, match="pas de second tour"):
        proxy(side, mandant, ine="9", scrutin=one_tour, tours=Tours.SECOND)


def test_an_agent_records_a_procuration_from_the_mandants_page(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    page = side.client.get(reverse("electoral:detail", args=[mandant.pk]))
    assert reverse("electoral:procuration", args=[mandant.pk]) in page.content.decode()
    data = {
        "mandataire_ine": "900000001",
        "mandataire_nom": "Martin",
        "mandataire_prenoms": "Paul",
        "mandataire_date_naissance": "03/02/1970",
        "mandataire_commune": "Rennes",
        "duree": "scrutin",
        "scrutin": scrutin.pk,
        "tours": Tours.LES_DEUX,
        "etablie_le": "01/12/2026",
        "etablie_par": "Gendarmerie de Dinard",
    }
    response = side.client.post(reverse("electoral:procuration", args=[mandant.pk]), data)
    assert response.status_code == 302
    saved = Procuration.objects.get()
    assert (saved.mandant, saved.mandataire_display, saved.debut) == (
        mandant,
        "MARTIN Paul",
        ELECTION,
    )
    listing = side.client.get(reverse("electoral:procurations")).content.decode()
    assert "MARTIN Paul" in listing and '"badge text-bg-info">à venir' in listing


def test_the_page_says_which_rule_refused_and_saves_nothing(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    data = {
        "mandataire_ine": "900000001",
        "mandataire_nom": "Martin",
        "mandataire_prenoms": "Paul",
        "mandataire_date_naissance": "03/02/1970",
        "duree": "periode",
        "debut": "05/12/2026",
        "fin": "05/12/2028",
        "etablie_le": "05/12/2026",
        "etablie_par": "Commissariat",
    }
    response = side.client.post(reverse("electoral:procuration", args=[mandant.pk]), data)
    assert response.status_code == 200
    assert "article R.74" in response.content.decode()
    assert not Procuration.objects.exists()


def test_an_external_mandataire_needs_a_name_and_a_birth_date(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    data = {"mandataire_ine": "900000001", "duree": "scrutin", "scrutin": scrutin.pk}
    data |= {"tours": "1", "etablie_le": "05/12/2026", "etablie_par": "Commissariat"}
    response = side.client.post(reverse("electoral:procuration", args=[mandant.pk]), data)
    form = response.context["form"]
    assert set(form.errors) >= {
        "mandataire_nom",
        "mandataire_prenoms",
        "mandataire_date_naissance",
    }


def test_another_collectivites_procurations_are_not_found(commune, side_b):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    given = proxy(side, mandant, ine="900000001", scrutin=scrutin)
    assert side_b.client.get(reverse("electoral:procuration", args=[mandant.pk])).status_code == 404
    url = reverse("electoral:procuration_resiliation", args=[given.pk])
    assert side_b.client.post(url).status_code == 404
    assert "MARTIN" not in side_b.client.get(reverse("electoral:procurations")).content.decode()


def test_an_agent_cancels_a_procuration(commune):
    side, bureau, scrutin = commune
    mandant = voter(side, bureau, "100000001")
    given = proxy(side, mandant, ine="900000001", scrutin=scrutin)
    side.client.post(reverse("electoral:procuration_resiliation", args=[given.pk]))
    given.refresh_from_db()
    assert given.resiliee_le == TODAY
    assert [c.field for c in history_entries(given)[0].changes] == ["résiliée le"]
    assert list(Procuration.objects.active_on(ELECTION)) == []
