import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse

from recensement.models import Recense, Trimestre
from recensement.services import QuarterError, cloturer, is_closed, numeroter
from tests.factories import RecenseFactory
from tests.recensement.test_views import form_data


def numbers(collectivite) -> list[tuple[str, int | None]]:
    return list(
        Recense.objects.filter(collectivite=collectivite, numero_inscription__isnull=False)
        .order_by("numero_inscription")
        .values_list("nom_naissance", "numero_inscription")
    )


def test_it_numbers_by_date_then_name_without_accents_then_first_names(side_a):
    c = side_a.collectivite
    RecenseFactory(collectivite=c, nom_naissance="MARTIN", date_recensement=dt.date(2026, 2, 1))
    RecenseFactory(collectivite=c, nom_naissance="ÉLIE", date_recensement=dt.date(2026, 2, 1))
    RecenseFactory(collectivite=c, nom_naissance="EMERY", date_recensement=dt.date(2026, 2, 1))
    RecenseFactory(collectivite=c, nom_naissance="ABEL", date_recensement=dt.date(2026, 3, 30))
    RecenseFactory(collectivite=c, nom_naissance="AUTRE", date_recensement=dt.date(2026, 4, 1))
    assert numeroter(c, 2026, 1, side_a.agent) == 4
    assert numbers(c) == [("ÉLIE", 1), ("EMERY", 2), ("MARTIN", 3), ("ABEL", 4)]
    assert Recense.objects.get(nom_naissance="AUTRE").numero_inscription is None


def test_numbering_continues_after_the_highest_number_and_is_kept_in_history(side_a):
    c = side_a.collectivite
    RecenseFactory(collectivite=c, nom_naissance="PREMIER", numero_inscription=7)
    late = RecenseFactory(collectivite=c, nom_naissance="TARDIF")
    assert numeroter(c, 2026, 1, side_a.agent) == 1
    late.refresh_from_db()
    assert late.numero_inscription == 8
    record = late.history.first()
    assert (record.numero_inscription, record.history_user) == (8, side_a.agent)
    assert numeroter(c, 2026, 1) == 0


def test_it_refuses_numbers_beyond_9999_and_numbers_nobody(side_a):
    c = side_a.collectivite
    RecenseFactory(collectivite=c, numero_inscription=9998)
    RecenseFactory.create_batch(2, collectivite=c)
    with pytest.raises(QuarterError, match="9999 au plus"):
        numeroter(c, 2026, 1)
    assert Recense.objects.filter(numero_inscription__isnull=True).count() == 2


def test_a_closed_quarter_cannot_be_numbered(side_a):
    c = side_a.collectivite
    RecenseFactory(collectivite=c)
    cloturer(c, 2026, 1, side_a.agent)
    assert is_closed(c, 2026, 1)
    with pytest.raises(QuarterError, match="T1 2026 est clos"):
        numeroter(c, 2026, 1)


def test_numbering_one_collectivite_leaves_the_other_alone(side_a, side_b):
    RecenseFactory(collectivite=side_a.collectivite)
    mine = RecenseFactory(collectivite=side_b.collectivite)
    numeroter(side_a.collectivite, 2026, 1)
    mine.refresh_from_db()
    assert mine.numero_inscription is None


@pytest.mark.django_db(transaction=True)
def test_parallel_numbering_gives_1_to_n_without_duplicate_or_gap(side_a):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write: concurrency is only meaningful on PostgreSQL")
    c = side_a.collectivite
    RecenseFactory.create_batch(30, collectivite=c)
    barrier = threading.Barrier(6)
    errors: list[Exception] = []

    def number(batch: int) -> None:
        try:
            if batch % 2:  # half of the threads add registrants while others number
                RecenseFactory.create_batch(5, collectivite=c)
            barrier.wait()
            numeroter(c, 2026, 1)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=number, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numeroter(c, 2026, 1)
    given = sorted(
        Recense.objects.filter(collectivite=c).values_list("numero_inscription", flat=True)
    )
    assert given == list(range(1, 46))


def test_the_command_numbers_a_quarter(side_a, capsys):
    RecenseFactory.create_batch(3, collectivite=side_a.collectivite)
    call_command("numeroter", "--commune", "35288", "--annee", "2026", "--trimestre", "1")
    assert "Saint-Malo T1 2026 : 3 numéroté(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Aucune collectivité de code 99999"):
        call_command("numeroter", "--commune", "99999", "--annee", "2026", "--trimestre", "1")


def test_the_quarters_page_shows_counts_and_numbers_on_request(side_a, side_b):
    RecenseFactory.create_batch(3, collectivite=side_a.collectivite)
    RecenseFactory(collectivite=side_b.collectivite)
    url = reverse("recensement:trimestres")
    page = side_a.client.get(url)
    assert page.context["rows"][0].total == 3
    assert "3 à numéroter" in page.text
    response = side_a.client.post(
        reverse("recensement:numerotation"),
        {"annee": "2026", "trimestre": "1", "confirme": "1"},
        follow=True,
    )
    assert "T1 2026 : 3 recensés numérotés." in response.text
    assert (
        Recense.objects.filter(collectivite=side_b.collectivite, numero_inscription=1).count() == 0
    )


def test_a_closed_quarter_refuses_edits_and_late_registrants(side_a, cog):
    recense = RecenseFactory(collectivite=side_a.collectivite, numero_inscription=1)
    cloturer(side_a.collectivite, 2026, 1, side_a.agent)
    edit = side_a.client.get(reverse("recensement:edit", args=[recense.pk]), follow=True)
    assert "T1 2026 est clos" in edit.text
    post = side_a.client.post(
        reverse("recensement:edit", args=[recense.pk]), form_data(nom_naissance="CHANGÉ")
    )
    assert post.status_code == 302
    recense.refresh_from_db()
    assert recense.nom_naissance != "CHANGÉ"
    late = side_a.client.post(
        reverse("recensement:create"), form_data(date_recensement="2026-03-15")
    )
    assert "T1 2026 est clos" in late.text
    assert "ne peut plus y être ajouté" in late.text
    assert Recense.objects.count() == 1
    assert Trimestre.objects.get().cloture_par == side_a.agent


def test_a_numbered_registrant_keeps_its_quarter(side_a, cog):
    recense = RecenseFactory(collectivite=side_a.collectivite, numero_inscription=4)
    response = side_a.client.post(
        reverse("recensement:edit", args=[recense.pk]),
        form_data(nom_naissance=recense.nom_naissance, date_recensement="2026-04-02"),
    )
    assert "ne peut plus changer de trimestre" in response.text
