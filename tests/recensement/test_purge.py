"""The retention purge (RGPD): registrants of quarters sent longer ago than the collectivité's
retention period go, with their history and attestations; nothing else does."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from recensement.attestation import Signataire, cancel_attestation, issue_attestation
from recensement.management.commands.purge_recensement import Command as PurgeCommand
from recensement.models import Attestation, Recense
from recensement.services import cloturer, numeroter, purge_recensement, years_before
from recensement.tasks import purge_recensement_task
from tests.factories import RecenseFactory

SENT = dt.datetime(2020, 5, 10, 10, 0, tzinfo=dt.UTC)
HistoricalRecense = Recense.history.model
HistoricalAttestation = Attestation.history.model


def sent_quarter(side, **fields) -> Recense:
    """A registrant of T1 2020, numbered, with an attestation issued then cancelled then issued
    again, the quarter closed at SENT."""
    with time_machine.travel(dt.datetime(2020, 2, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        recense = RecenseFactory(
            collectivite=side.collectivite,
            date_recensement=dt.date(2020, 2, 10),
            date_naissance=dt.date(2004, 1, 12),
            **fields,
        )
        numeroter(side.collectivite, 2020, 1, side.agent)
        first = issue_attestation(recense, side.agent, Signataire.MAIRE)
        cancel_attestation(first, side.agent, "faute de frappe")
        issue_attestation(recense, side.agent, Signataire.MAIRE)
    with time_machine.travel(SENT, tick=False):
        cloturer(side.collectivite, 2020, 1, side.agent)
    return recense


def rows(recense: Recense) -> tuple[int, int, int, int]:
    return (
        Recense.objects.filter(pk=recense.pk).count(),
        HistoricalRecense.objects.filter(id=recense.pk).count(),
        Attestation.objects.filter(recense_id=recense.pk).count(),
        HistoricalAttestation.objects.filter(recense_id=recense.pk).count(),
    )


def test_a_registrant_is_kept_until_the_retention_period_after_sending(side_a):
    recense = sent_quarter(side_a)
    before = rows(recense)
    assert before == (1, 2, 2, 3)  # created + numbered; two issuances + one cancellation
    with time_machine.travel(SENT.replace(year=2025) - dt.timedelta(minutes=1), tick=False):
        [count] = purge_recensement([side_a.collectivite])
    assert (count.recenses, count.attestations, count.historique) == (0, 0, 0)
    assert rows(recense) == before


def test_after_the_retention_period_it_is_deleted_with_its_history_and_attestations(side_a):
    recense = sent_quarter(side_a)
    with time_machine.travel(SENT.replace(year=2025) + dt.timedelta(minutes=1), tick=False):
        [count] = purge_recensement([side_a.collectivite])
    assert (count.collectivite, count.recenses, count.attestations) == (side_a.collectivite, 1, 2)
    assert count.historique == 5
    assert rows(recense) == (0, 0, 0, 0)


def test_the_retention_period_is_the_collectivites(side_a):
    side_a.collectivite.duree_conservation_recensement = 10
    side_a.collectivite.save()
    recense = sent_quarter(side_a)
    with time_machine.travel(dt.datetime(2030, 5, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        purge_recensement()
    assert rows(recense)[0] == 1
    with time_machine.travel(dt.datetime(2030, 5, 10, 11, 0, tzinfo=dt.UTC), tick=False):
        purge_recensement()
    assert rows(recense) == (0, 0, 0, 0)


def test_unnumbered_registrants_and_quarters_not_sent_are_never_purged(side_a):
    c = side_a.collectivite
    # In the closed quarter's dates, never numbered, so never sent (a closed quarter takes no
    # new registrant: this one is made before it closes and its number taken back in SQL).
    unnumbered = RecenseFactory(
        collectivite=c, date_recensement=dt.date(2020, 3, 1), date_naissance=dt.date(2004, 1, 5)
    )
    sent_quarter(side_a)
    Recense.objects.filter(pk=unnumbered.pk).update(numero_inscription=None)
    numbered_not_sent = RecenseFactory(
        collectivite=c, date_recensement=dt.date(2020, 5, 1), date_naissance=dt.date(2004, 3, 5)
    )
    numeroter(c, 2020, 2)
    with time_machine.travel(dt.datetime(2040, 1, 1, tzinfo=dt.UTC), tick=False):
        [count] = purge_recensement([c])
    assert count.recenses == 1
    assert set(Recense.objects.values_list("pk", flat=True)) == {
        unnumbered.pk,
        numbered_not_sent.pk,
    }


def test_a_dry_run_counts_and_deletes_nothing(side_a):
    recense = sent_quarter(side_a)
    before = rows(recense)
    out = StringIO()
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        call_command("purge_recensement", "--dry-run", stdout=out)
    assert rows(recense) == before
    assert (
        "Saint-Malo (35288) : 1 recensé(s), 2 attestation(s), 5 ligne(s) d'historique, "
        "0 fichier(s) généré(s) à supprimer" in out.getvalue()
    )
    assert "rien n'a été supprimé" in out.getvalue()


def test_the_command_for_one_commune_leaves_the_other_untouched(side_a, side_b):
    a, b = sent_quarter(side_a), sent_quarter(side_b)
    out = StringIO()
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        call_command("purge_recensement", "--commune", "35288", stdout=out)
    assert rows(a) == (0, 0, 0, 0)
    assert rows(b) == (1, 2, 2, 3)
    assert out.getvalue().splitlines() == [
        "Saint-Malo (35288) : 1 recensé(s), 2 attestation(s), 5 ligne(s) d'historique, "
        "0 fichier(s) généré(s) supprimé(s)"
    ]


def test_the_scheduled_task_runs_the_same_purge_for_every_collectivite(side_a, side_b):
    a, b = sent_quarter(side_a), sent_quarter(side_b)
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        result = purge_recensement_task.enqueue()
    assert result.return_value == 2
    assert rows(a) == rows(b) == (0, 0, 0, 0)


def test_the_help_states_the_rule():
    assert "durée de conservation" in PurgeCommand.help
    assert "jamais supprimé" in PurgeCommand.help


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2028, 2, 29, 12, 0), dt.datetime(2023, 2, 28, 12, 0)),
        (dt.datetime(2026, 3, 1, 12, 0), dt.datetime(2021, 3, 1, 12, 0)),
    ],
)
def test_years_before_handles_29_february(moment, expected):
    assert years_before(timezone.make_aware(moment), 5) == timezone.make_aware(expected)
