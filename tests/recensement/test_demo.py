import datetime
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from mairie.models import Collectivite, Commune, TypeCommune
from recensement.demo import create_recenses
from recensement.models import Mode, Nationalite, Recense
from tests.factories import CollectiviteFactory

NOW = datetime.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def today() -> datetime.date:
    with time_machine.travel(NOW, tick=False):
        yield NOW.date()


def demo(count: int) -> str:
    out = StringIO()
    call_command("demo", "--recenses", str(count), stdout=out)
    return out.getvalue()


def people(collectivite: Collectivite) -> list[Recense]:
    return list(Recense.objects.filter(collectivite=collectivite))


def born_abroad(recense: Recense) -> bool:
    return recense.naissance_code_lieu.startswith("99")


def test_demo_creates_valid_registrants_spread_over_the_last_quarters(db, today):
    demo(60)
    collectivites = Collectivite.objects.all()
    assert len(collectivites) == 2
    for collectivite in collectivites:
        recenses = people(collectivite)
        assert len(recenses) == 60
        for recense in recenses:
            recense.full_clean()
            assert recense.domicile_code_lieu == collectivite.code_insee
            assert recense.domicile_commune == collectivite.nom
            assert recense.domicile_code_postal == collectivite.code_postal
        assert {Mode.RECENSE, Mode.REGULARISE} <= {recense.mode for recense in recenses}
        abroad = [recense for recense in recenses if born_abroad(recense)]
        assert abroad
        assert all(r.naissance_departement == "" and r.naissance_pays != "France" for r in abroad)
        fatherless = [recense for recense in recenses if not recense.pere_connu]
        assert fatherless
        assert all(not (r.pere_nom or r.pere_prenoms or r.pere_nationalite) for r in fatherless)
        assert all(recense.mere_nom and recense.mere_prenoms for recense in recenses)
        assert max(recense.date_recensement for recense in recenses) <= today
        assert min(recense.date_recensement for recense in recenses) >= datetime.date(2025, 7, 1)
        assert len({(recense.annee, recense.trimestre) for recense in recenses}) >= 3
        assert len({recense.identite for recense in recenses}) == 60


def test_running_again_creates_nothing_and_a_larger_count_tops_up(db, today):
    assert "Saint-Malo : 30 recensés créés" in demo(30)
    first = set(Recense.objects.values_list("pk", flat=True))
    assert len(first) == 60

    assert "Saint-Malo : 0 recensés créés" in demo(30)
    assert Recense.objects.count() == 60

    assert "Ajaccio : 10 recensés créés" in demo(40)
    for collectivite in Collectivite.objects.all():
        assert len(people(collectivite)) == 40
    every = set(Recense.objects.values_list("pk", flat=True))
    assert first < every
    created = Recense.history.filter(history_type="+")
    assert sorted(created.values_list("id", flat=True)) == sorted(every)
    assert set(created.values_list("history_change_reason", flat=True)) == {
        "données de démonstration"
    }


def test_two_runs_produce_the_same_people(db, today):
    def snapshot() -> list[tuple]:
        return sorted(
            Recense.objects.values_list(
                "collectivite__code_insee", "nom_naissance", "prenoms", "date_naissance",
                "date_recensement", "naissance_commune", "domicile_voie", "courriel",
            )
        )  # fmt: skip

    demo(25)
    before = snapshot()
    Recense.history.all().delete()
    Recense.objects.all().delete()
    demo(25)
    assert snapshot() == before


def test_people_of_a_collectivite_without_postal_code_are_born_in_its_departement(db, today):
    collectivite = CollectiviteFactory(code_insee="35288", nom="Saint-Malo")
    for typecom, code, departement, libelle in [
        (TypeCommune.COM, "35238", "35", "Rennes"),
        (TypeCommune.COM, "35047", "35", "Bruz"),
        (TypeCommune.COM, "35093", "35", "Dinard"),
        (TypeCommune.COMD, "35004", "35", "Antrain"),
        (TypeCommune.COM, "22278", "22", "Saint-Brieuc"),
    ]:
        Commune.objects.create(
            typecom=typecom, code=code, departement_code=departement, libelle=libelle
        )

    assert create_recenses(collectivite, 300) == 300
    assert create_recenses(collectivite, 300) == 0

    recenses = people(collectivite)
    for recense in recenses:
        recense.full_clean()
    assert {recense.domicile_code_postal for recense in recenses} == {"35000"}
    births = Counter(r.naissance_code_lieu for r in recenses if not born_abroad(r))
    assert {"35288", "35238", "35047", "35093"} <= set(births)
    assert not {"35004", "22278"} & set(births)
    assert births.most_common(1)[0][0] == "35288"
    assert all(
        r.naissance_departement == "035" for r in recenses if r.naissance_code_lieu[:2] == "35"
    )
    acquired = [r for r in recenses if r.nationalite == Nationalite.ACQUISE]
    assert acquired
    assert all(
        r.date_naissance < r.date_acquisition_nationalite <= r.date_recensement for r in acquired
    )
    assert Counter(r.mode for r in recenses)[Mode.RECENSE] > 0.7 * len(recenses)
