"""The retention purge (RGPD) also deletes the files generated from the registrants it deletes:
a PECOTO or a list of an expired quarter would otherwise keep their data on the exports page."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command

from exports.models import Export
from exports.services import run_export
from recensement.services import cloturer, numeroter, purge_recensement
from tests.factories import RecenseFactory
from tests.recensement.test_purge import SENT, sent_quarter

PURGED = SENT.replace(year=2025) + dt.timedelta(minutes=1)


def _files(side, annee: int, trimestre: int) -> list[Export]:
    options = {"annee": annee, "trimestre": trimestre}
    return [
        run_export(side.collectivite, kind, options, side.agent)
        for kind in ("pecoto", "liste-recenses")
    ]


def _kept_quarter(side) -> list[Export]:
    """T2 2020, closed a year after T1: still within its retention period at PURGED."""
    with time_machine.travel(dt.datetime(2020, 5, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        RecenseFactory(
            collectivite=side.collectivite,
            date_recensement=dt.date(2020, 5, 12),
            date_naissance=dt.date(2004, 4, 2),
        )
        numeroter(side.collectivite, 2020, 2, side.agent)
        files = _files(side, 2020, 2)
    with time_machine.travel(SENT.replace(year=2021), tick=False):
        cloturer(side.collectivite, 2020, 2, side.agent)
    return files


@pytest.mark.parametrize("object_store", [False, True], ids=["MEDIA_ROOT", "stockage objet"])
def test_the_files_of_an_expired_quarter_go_with_its_registrants(
    side_a, side_b, django_capture_on_commit_callbacks, request, object_store
):
    if object_store:
        request.getfixturevalue("object_storage")
    sent_quarter(side_a)
    with time_machine.travel(SENT - dt.timedelta(days=2), tick=False):
        expired = _files(side_a, 2020, 1)
    kept = _kept_quarter(side_a)
    sent_quarter(side_b)
    with time_machine.travel(SENT - dt.timedelta(days=2), tick=False):
        other = _files(side_b, 2020, 1)
    assert all(default_storage.exists(export.fichier) for export in expired + kept + other)

    with time_machine.travel(PURGED, tick=False):
        [dry] = purge_recensement([side_a.collectivite], dry_run=True)
    assert dry.fichiers == 2
    assert all(default_storage.exists(export.fichier) for export in expired)

    with (
        time_machine.travel(PURGED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [count] = purge_recensement([side_a.collectivite])
    assert count.fichiers == 2
    assert not Export.objects.filter(pk__in=[export.pk for export in expired]).exists()
    assert not any(default_storage.exists(export.fichier) for export in expired)
    # Another quarter's files, and another collectivité's, stay.
    assert Export.objects.filter(pk__in=[e.pk for e in kept + other]).count() == 4
    assert all(default_storage.exists(export.fichier) for export in kept + other)


def test_the_command_reports_the_files(side_a):
    sent_quarter(side_a)
    with time_machine.travel(SENT - dt.timedelta(days=2), tick=False):
        _files(side_a, 2020, 1)
    out = StringIO()
    with time_machine.travel(PURGED, tick=False):
        call_command("purge_recensement", "--dry-run", stdout=out)
    assert "2 fichier(s) généré(s) à supprimer" in out.getvalue()


def test_a_csv_of_a_search_that_may_hold_an_expired_quarter_goes_with_it(
    side_a, django_capture_on_commit_callbacks
):
    sent_quarter(side_a)
    _kept_quarter(side_a)
    with time_machine.travel(SENT.replace(year=2021) + dt.timedelta(days=1), tick=False):
        of = {
            search: run_export(side_a.collectivite, "recenses-csv", options, side_a.agent)
            for search, options in (
                ("all", {}),
                ("expired", {"trimestre": "2020-1"}),
                ("kept", {"trimestre": "2020-2"}),
            )
        }
    with (
        time_machine.travel(PURGED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [count] = purge_recensement([side_a.collectivite])
    assert count.fichiers == 2  # the search of all quarters and that of the expired one
    assert list(Export.objects.filter(kind="recenses-csv")) == [of["kept"]]
    assert not default_storage.exists(of["all"].fichier)
    assert default_storage.exists(of["kept"].fichier)
