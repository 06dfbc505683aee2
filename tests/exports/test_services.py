import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from exports.exporters import PecotoExporter, previous_quarter
from exports.models import EtatPortail, Export, Statut
from exports.services import ExportRefused, run_export, set_portal_state
from recensement.services import is_closed, numeroter
from tests.conftest import kept_files, stored
from tests.factories import RecenseFactory


@pytest.fixture
def quarter(side_a):
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0), tick=False):
        yield [
            RecenseFactory(collectivite=side_a.collectivite, numero_inscription=n)
            for n in (1, 2, 3)
        ]


def test_the_due_quarter_is_the_previous_one():
    assert previous_quarter(dt.date(2026, 4, 2)) == (2026, 1)
    assert previous_quarter(dt.date(2027, 1, 5)) == (2026, 4)


def test_an_export_is_stored_with_its_size_hash_and_author(side_a, quarter, media_root):
    export = run_export(
        side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, side_a.agent
    )
    data = stored(export.fichier)
    assert export.statut == Statut.TERMINE and export.downloadable
    assert export.nom_fichier == "RE_20261.txt"
    assert (media_root / export.fichier).is_file()  # the local storage: MEDIA_ROOT
    assert (export.taille, export.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert (export.cree_par, export.parametres) == (side_a.agent, {"annee": 2026, "trimestre": 1})
    assert export.description == "Fichier PECOTO — T1 2026"
    assert data.count(b"\r\n") == 5
    assert not list((media_root / export.fichier).parent.glob(".*.part"))


def test_the_same_data_gives_the_same_bytes(side_a, quarter):
    first = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    second = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    assert first.sha256 == second.sha256
    assert Export.objects.count() == 2


def test_unnumbered_registrants_refuse_the_export_and_write_nothing(side_a, quarter, media_root):
    RecenseFactory(collectivite=side_a.collectivite)
    with pytest.raises(ExportRefused) as refusal:
        run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    assert any("numérotez d'abord" in p.message for p in refusal.value.problems)
    assert not Export.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.txt"))


def test_invalid_options_are_refused(side_a):
    with pytest.raises(ExportRefused, match="Trimestre"):
        run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 5}, None)
    with pytest.raises(ExportRefused, match="inconnu"):
        run_export(side_a.collectivite, "nimporte", {}, None)


def test_a_failure_while_rendering_leaves_no_downloadable_file(side_a, quarter, monkeypatch):
    def broken(self):
        raise OSError("disque plein")

    monkeypatch.setattr(PecotoExporter, "render", broken)
    with pytest.raises(OSError, match="disque plein"):
        run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    export = Export.objects.get()
    assert (export.statut, export.erreur, export.downloadable) == (
        Statut.ECHEC,
        "disque plein",
        False,
    )


def test_pec_terminee_closes_the_quarter_and_keeps_the_history(side_a, quarter):
    export = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    set_portal_state(export, EtatPortail.RECU, "", side_a.agent)
    assert not is_closed(side_a.collectivite, 2026, 1)
    set_portal_state(export, EtatPortail.PEC_TERMINEE, "", side_a.agent)
    assert is_closed(side_a.collectivite, 2026, 1)
    states = [h.etat_portail for h in export.history.all()]
    assert states[:2] == [EtatPortail.PEC_TERMINEE, EtatPortail.RECU]
    assert export.history.first().history_user == side_a.agent


@pytest.mark.parametrize("etat", [EtatPortail.REJETE, EtatPortail.RECU, EtatPortail.DEPOSE])
def test_pec_terminee_is_final(side_a, quarter, etat):
    export = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    stale = Export.objects.get(pk=export.pk)  # another agent's page, opened before
    set_portal_state(export, EtatPortail.PEC_TERMINEE, "", side_a.agent)
    with pytest.raises(ExportRefused, match="l'état de ce fichier ne peut plus changer"):
        set_portal_state(stale, etat, "Ligne 3 : code commune inconnu", side_a.agent)
    export.refresh_from_db()
    assert export.etat_portail == EtatPortail.PEC_TERMINEE
    assert is_closed(side_a.collectivite, 2026, 1)


def test_a_rejection_needs_the_portals_message(side_a, quarter):
    export = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    with pytest.raises(ExportRefused, match="message du portail"):
        set_portal_state(export, EtatPortail.REJETE, " ", side_a.agent)
    set_portal_state(export, EtatPortail.REJETE, "Ligne 3 : code commune inconnu", side_a.agent)
    export.refresh_from_db()
    assert export.message_portail == "Ligne 3 : code commune inconnu"


def test_the_command_runs_the_same_exporter_and_keeps_the_export(side_a, quarter, tmp_path):
    out = tmp_path / "sortie"
    call_command(
        "export",
        "pecoto",
        "--commune",
        "35288",
        "--annee",
        "2026",
        "--trimestre",
        "1",
        "--output",
        str(out),
    )
    export = Export.objects.get()
    assert (out / "RE_20261.txt").read_bytes() == stored(export.fichier)
    assert export.cree_par is None


def test_the_command_lists_what_to_fix(side_a, quarter, tmp_path):
    RecenseFactory(collectivite=side_a.collectivite)
    with pytest.raises(CommandError, match="numérotez d'abord"):
        call_command(
            "export",
            "pecoto",
            "--commune",
            "35288",
            "--annee",
            "2026",
            "--trimestre",
            "1",
            "--output",
            str(tmp_path),
        )


def test_a_pecoto_export_costs_the_same_queries_for_10_or_200_registrants(side_a, side_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(collectivite, count):
        RecenseFactory.create_batch(count, collectivite=collectivite)
        numeroter(collectivite, 2026, 1)
        with CaptureQueriesContext(connection) as captured:
            export = run_export(collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
        assert stored(export.fichier).count(b"\r\n") == count + 2
        return len(captured)

    assert queries(side_a.collectivite, 10) == queries(side_b.collectivite, 200)


def test_an_export_kept_in_an_object_store_is_written_and_downloaded_through_it(
    side_a, quarter, object_storage
):
    export = run_export(
        side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, side_a.agent
    )

    data = stored(export.fichier)
    assert export.fichier == f"exports/{side_a.collectivite.code_insee}/{export.pk}-RE_20261.txt"
    assert (export.taille, export.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert data.count(b"\r\n") == 5
    assert kept_files(object_storage) == []  # neither the file nor a partial one on the disk
    download = side_a.client.get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["Content-Length"] == str(len(data))
