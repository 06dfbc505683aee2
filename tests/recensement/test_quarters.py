"""The quarters page: each quarter's whole state on one line and its one next action, over the
life of a quarter from its first registrant to "PEC terminée"."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from exports.models import EtatPortail
from exports.services import (
    ExportRefused,
    prepare_export,
    run_export,
    run_prepared,
    set_portal_state,
)
from recensement.attestation import Signataire, cancel_attestation, issue_attestation
from recensement.models import Recense, Trimestre
from recensement.quarters import Action, FileState, QuarterFile, next_action, quarter_rows
from recensement.services import numeroter
from tests.factories import RecenseFactory

T1 = {"annee": 2026, "trimestre": 1}


@pytest.fixture(autouse=True)
def april():
    """T1 2026 is over, its file due; T2 2026 is running."""
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0), tick=False):
        yield


def registrants(collectivite, count=2):
    return [
        RecenseFactory(collectivite=collectivite, date_recensement=dt.date(2026, 2, 10 + n))
        for n in range(count)
    ]


def rows(side):
    return quarter_rows(
        side.collectivite,
        Recense.objects.filter(collectivite=side.collectivite),
        Trimestre.objects.filter(collectivite=side.collectivite),
    )


def page(side) -> str:
    return side.client.get(reverse("recensement:trimestres")).text


def action_cell(text: str) -> str:
    """The last cell of the first quarter's row: its action button, if any."""
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", text, re.S).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1].strip()


def generated(side):
    registrants(side.collectivite)
    numeroter(side.collectivite, 2026, 1)
    return run_export(side.collectivite, "pecoto", T1, side.agent)


def test_without_registrants_there_is_no_quarter_and_nothing_to_do(side_a):
    assert rows(side_a) == []
    assert "Aucun recensé." in page(side_a)


def test_registrants_not_numbered_are_numbered_first(side_a):
    registrants(side_a.collectivite)
    (row,) = rows(side_a)
    assert (row.total, row.numerotes, row.restants, row.file) == (2, 0, 2, None)
    assert row.action == Action.NUMEROTER
    text = page(side_a)
    assert "non généré" in text
    numbering = reverse("recensement:numerotation") + "?annee=2026&amp;trimestre=1"
    assert f'href="{numbering}" class="btn btn-sm btn-primary">Numéroter T1 2026…' in text


def test_a_numbered_quarter_without_file_generates_it_from_the_exports_page(side_a):
    registrants(side_a.collectivite)
    numeroter(side_a.collectivite, 2026, 1)
    (row,) = rows(side_a)
    assert (row.numerotes, row.file, row.action) == (2, None, Action.GENERER)
    cell = action_cell(page(side_a))
    generate = reverse("exports:index") + "?kind=pecoto&amp;annee=2026&amp;trimestre=1"
    assert f'href="{generate}"' in cell and "Générer le fichier PECOTO T1 2026…" in cell
    # The link lands on the exports page's check of that quarter, ready to generate.
    preview = side_a.client.get(reverse("exports:index"), T1 | {"kind": "pecoto"}).text
    assert "2 recensés, dont 2 numérotés." in preview and "Générer le fichier" in preview


def test_a_generated_file_is_deposited_with_the_portals_description_to_copy(side_a):
    export = generated(side_a)
    (row,) = rows(side_a)
    assert row.file.state == FileState.GENERE and row.file.export_id == export.pk
    assert row.file.date == export.termine_le
    assert row.action == Action.DEPOSER
    text = page(side_a)
    assert "généré, à déposer</span> le 02/04/2026" in text
    assert f'href="{reverse("exports:download", args=[export.pk])}">RE_20261.txt</a>' in text
    assert '<code class="user-select-all" id="portail-2026-1">SAINT-MALO – T1 2026</code>' in text
    assert 'data-copie="portail-2026-1"' in text
    assert 'aria-label="Copier la description du fichier T1 2026"' in text
    row_url = reverse("exports:index") + f"?export={export.pk}#export-{export.pk}"
    assert f'href="{row_url}"' in action_cell(text) and "Déposer RE_20261.txt…" in text


@pytest.mark.parametrize("etat", [EtatPortail.DEPOSE, EtatPortail.RECU])
def test_a_deposited_file_waits_for_the_portals_next_state(side_a, etat):
    export = generated(side_a)
    with time_machine.travel(dt.datetime(2026, 4, 5, 10, 0), tick=False):
        set_portal_state(export, etat, "", side_a.agent)
    (row,) = rows(side_a)
    assert (row.file.state, row.action) == (etat, Action.ETAT_PORTAIL)
    assert row.file.date.date() == dt.date(2026, 4, 5)
    text = page(side_a)
    assert f"{FileState(etat).label}</span> le 05/04/2026" in text
    assert "Enregistrer l'état du portail T1 2026…" in action_cell(text)
    assert "SAINT-MALO – T1 2026" in text


def test_a_rejected_file_shows_the_portals_message_and_a_new_file_is_generated(side_a):
    export = generated(side_a)
    set_portal_state(export, EtatPortail.DEPOSE, "", side_a.agent)
    set_portal_state(export, EtatPortail.REJETE, "Ligne 3 : code commune inconnu", side_a.agent)
    (row,) = rows(side_a)
    assert (row.file.state, row.action) == (FileState.REJETE, Action.GENERER)
    text = page(side_a)
    assert "rejeté</span> le 02/04/2026" in text
    assert "Message du portail : Ligne 3 : code commune inconnu" in text
    assert "Générer le fichier PECOTO T1 2026…" in action_cell(text)
    # The new file stands for the quarter.
    again = run_export(side_a.collectivite, "pecoto", T1, side_a.agent)
    (row,) = rows(side_a)
    assert (row.file.export_id, row.file.state, row.action) == (
        again.pk,
        FileState.GENERE,
        Action.DEPOSER,
    )


def test_pec_terminee_closes_the_quarter_and_leaves_nothing_to_do(side_a):
    export = generated(side_a)
    set_portal_state(export, EtatPortail.PEC_TERMINEE, "", side_a.agent)
    run_export(side_a.collectivite, "pecoto", T1, side_a.agent)  # a later copy, never deposited
    (row,) = rows(side_a)
    assert (row.file.export_id, row.file.state, row.action) == (
        export.pk,
        FileState.PEC_TERMINEE,
        None,
    )
    text = page(side_a)
    assert "clos le 02/04/2026" in text and "PEC terminée</span> le 02/04/2026" in text
    assert action_cell(text) == ""
    assert "Copier" not in text  # nothing left to type on the portal


def test_a_file_being_generated_or_failed(side_a):
    registrants(side_a.collectivite)
    numeroter(side_a.collectivite, 2026, 1)
    waiting = prepare_export(side_a.collectivite, "pecoto", T1, side_a.agent)
    (row,) = rows(side_a)
    assert (row.file.state, row.action) == (FileState.EN_GENERATION, None)
    assert "RE_20261.txt" not in page(side_a)
    # The data changed while it waited: the run fails, and the file is generated again.
    registrants(side_a.collectivite, 1)
    with pytest.raises(ExportRefused):
        run_prepared(waiting)
    numeroter(side_a.collectivite, 2026, 1)
    (row,) = rows(side_a)
    assert (row.file.state, row.action) == (FileState.ECHEC, Action.GENERER)
    assert "génération en échec" in page(side_a)


def test_a_failed_attempt_does_not_hide_the_deposited_file(side_a):
    export = generated(side_a)
    set_portal_state(export, EtatPortail.DEPOSE, "", side_a.agent)
    waiting = prepare_export(side_a.collectivite, "pecoto", T1, side_a.agent)
    registrants(side_a.collectivite, 1)
    with pytest.raises(ExportRefused):
        run_prepared(waiting)
    (row,) = rows(side_a)
    assert (row.file.export_id, row.file.state) == (export.pk, FileState.DEPOSE)
    assert row.action == Action.NUMEROTER  # the newcomer comes first


def test_attestations_delivered_count_the_valid_ones(side_a):
    first, second, _ = registrants(side_a.collectivite, 3)
    issue_attestation(first, side_a.agent, Signataire.MAIRE)
    cancelled = issue_attestation(second, side_a.agent, Signataire.MAIRE)
    cancel_attestation(cancelled, side_a.agent, "Erreur de prénom")
    issue_attestation(second, side_a.agent, Signataire.MAIRE)
    (row,) = rows(side_a)
    assert row.attestations == 2


def test_each_collectivite_sees_its_own_quarters_and_files(side_a, side_b):
    generated(side_b)
    registrants(side_a.collectivite, 1)
    (row,) = rows(side_a)
    assert (row.total, row.file, row.action) == (1, None, Action.NUMEROTER)
    assert "RE_20261.txt" not in page(side_a)


def test_the_current_quarter_is_en_cours_and_its_actions_are_not_the_urgent_ones(side_a):
    RecenseFactory(collectivite=side_a.collectivite, date_recensement=dt.date(2026, 4, 1))
    text = page(side_a)
    assert '<span class="badge text-bg-info">en cours</span>' in text
    assert 'class="btn btn-sm btn-outline-primary">Numéroter T2 2026…' in text


@pytest.mark.parametrize(
    ("closed", "unnumbered", "state", "action"),
    [
        (False, 3, None, Action.NUMEROTER),
        (False, 1, FileState.DEPOSE, Action.NUMEROTER),
        (False, 0, None, Action.GENERER),
        (False, 0, FileState.EN_GENERATION, None),
        (False, 0, FileState.ECHEC, Action.GENERER),
        (False, 0, FileState.GENERE, Action.DEPOSER),
        (False, 0, FileState.DEPOSE, Action.ETAT_PORTAIL),
        (False, 0, FileState.RECU, Action.ETAT_PORTAIL),
        (False, 0, FileState.REJETE, Action.GENERER),
        (True, 0, FileState.PEC_TERMINEE, None),
    ],
)
def test_the_next_action_follows_the_quarters_life(closed, unnumbered, state, action):
    file = state and QuarterFile(state, dt.datetime(2026, 4, 2), 1, "RE_20261.txt", "X – T1 2026")
    assert next_action(closed, unnumbered, file) == action
