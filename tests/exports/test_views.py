import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from exports.models import Export
from exports.pecoto import FIELD_NAMES, FIELDS, LAYOUT
from exports.services import run_export
from mairie.models import Role
from recensement.models import Recense
from recensement.services import is_closed
from tests.conftest import agent_with_role, stored
from tests.factories import RecenseFactory, UserFactory


@pytest.fixture(autouse=True)
def april():
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0), tick=False):
        yield


def numbered(collectivite, count=2):
    return [
        RecenseFactory(collectivite=collectivite, numero_inscription=n + 1) for n in range(count)
    ]


def test_the_page_proposes_the_due_quarter_and_previews_it(side_a):
    numbered(side_a.collectivite)
    RecenseFactory(collectivite=side_a.collectivite, nom_naissance="SANSNUMERO")
    url = reverse("exports:index")
    page = side_a.client.get(url)
    assert 'value="2026"' in page.text and "tracé provisoire" in page.text
    preview = side_a.client.get(url, {"kind": "pecoto", "annee": "2026", "trimestre": "1"})
    assert "3 recensés, dont 2 numérotés." in preview.text
    numbering = reverse("recensement:numerotation") + "?annee=2026&amp;trimestre=1"
    assert f'<a href="{numbering}">numérotez le trimestre T1 2026</a>' in preview.text
    assert "Générer le fichier" not in preview.text


def test_the_check_speaks_french_groups_identical_problems_and_links_each_to_its_fix(side_a):
    first, second = numbered(side_a.collectivite)
    RecenseFactory.create_batch(2, collectivite=side_a.collectivite)  # not numbered
    Recense.objects.filter(pk__in=[first.pk, second.pk]).update(telephone_portable="061234")
    Recense.objects.filter(pk=first.pk).update(courriel="zoé@example.fr")
    side_a.collectivite.responsable_nom = ""
    side_a.collectivite.save()
    query = {"kind": "pecoto", "annee": "2026", "trimestre": "1"}
    page = side_a.client.get(reverse("exports:index"), query).text

    assert "6 problèmes à corriger avant l'export" in page
    numbering = reverse("recensement:numerotation") + "?annee=2026&amp;trimestre=1"
    assert (
        "<strong>N° d&#x27;inscription</strong> : non numéroté (2 recensés) —\n"
        f'            <a href="{numbering}">numérotez le trimestre T1 2026</a>'
    ) in page
    edit = reverse("recensement:edit", args=[first.pk])
    phone = (
        "<strong>Téléphone portable</strong> : le téléphone doit compter 10 chiffres "
        "(2 recensés) —\n"
        f'            <a href="{edit}#div_id_telephone_portable">{first.nom_naissance} Chloé '
        "(n° 0001)</a>, "
    )
    assert phone in page
    assert page.count("le téléphone doit compter 10 chiffres") == 1
    assert f'<a href="{edit}#div_id_courriel">' in page
    assert "<strong>Nom du responsable recensement</strong> : obligatoire" in page
    for code in ("numero_inscription", "responsable_nom", " — telephone_portable"):
        assert code not in page
    # The link leads to the numbering's confirmation.
    assert "2 recensés reçoivent" in side_a.client.get(numbering.replace("&amp;", "&")).text


def test_every_field_a_problem_links_to_is_on_the_page_it_links_to(side_a, cog):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    form = side_a.client.get(reverse("recensement:edit", args=[recense.pk])).text
    for layout in FIELDS["02"]:
        target = FIELD_NAMES[layout.name][1]
        assert not target or f'id="div_id_{target}"' in form, layout.name
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    side_a.client.force_login(admin)
    settings = reverse("admin:mairie_collectivite_change", args=[side_a.collectivite.pk])
    page = side_a.client.get(settings).text
    for layout in FIELDS["01"]:
        target = FIELD_NAMES[layout.name][1]
        assert not target or f'id="id_{target}"' in page, layout.name
    assert set(FIELD_NAMES) == {layout.name for layout in LAYOUT}


def test_an_agent_generates_downloads_and_closes_the_quarter(
    side_a, django_capture_on_commit_callbacks
):
    numbered(side_a.collectivite)
    url = reverse("exports:index")
    preview = side_a.client.get(url, {"kind": "pecoto", "annee": "2026", "trimestre": "1"})
    assert "SAINT-MALO – T1 2026" in preview.text
    with django_capture_on_commit_callbacks(execute=True):
        response = side_a.client.post(
            reverse("exports:generate", args=["pecoto"]), {"annee": "2026", "trimestre": "1"}
        )
    assert response["Location"] == url
    export = Export.objects.get()
    download = side_a.client.get(reverse("exports:download", args=[export.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="RE_20261.txt"'
    assert download["Content-Type"] == "text/plain; charset=us-ascii"
    assert b"".join(download.streaming_content) == stored(export.fichier)
    side_a.client.post(
        reverse("exports:portal_state", args=[export.pk]),
        {"etat": "pec_terminee", "message": "", "confirme": "1"},
    )
    assert is_closed(side_a.collectivite, 2026, 1)
    assert "PEC terminée" in side_a.client.get(url).text


def test_pec_terminee_asks_for_confirmation_saying_what_cannot_be_undone(side_a):
    numbered(side_a.collectivite)
    export = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    url = reverse("exports:portal_state", args=[export.pk])
    asked = side_a.client.post(url, {"etat": "pec_terminee", "message": "Dossier 42"})
    assert asked.status_code == 200
    assert "clôt le trimestre T1 2026" in asked.text
    assert "Cela ne peut pas être défait" in asked.text
    assert "les 2 fiches du trimestre ne pourront plus être modifiées" in asked.text
    assert 'name="confirme"' in asked.text and 'value="Dossier 42"' in asked.text
    assert not is_closed(side_a.collectivite, 2026, 1)
    export.refresh_from_db()
    assert export.etat_portail == ""
    # Other states are recorded at once.
    side_a.client.post(url, {"etat": "recu", "message": ""})
    export.refresh_from_db()
    assert export.etat_portail == "recu"

    side_a.client.post(url, {"etat": "pec_terminee", "message": "Dossier 42", "confirme": "1"})
    assert is_closed(side_a.collectivite, 2026, 1)
    row = side_a.client.get(reverse("exports:index")).text
    assert "PEC terminée</span> <small>Dossier 42</small>" in row
    assert f'action="{url}"' not in row  # the state can no longer be changed

    # Nor by a hand-made request: the service refuses it.
    refused = side_a.client.post(url, {"etat": "rejete", "message": "Erreur"}, follow=True)
    assert "RE_20261.txt est « PEC terminée »" in refused.text
    export.refresh_from_db()
    assert export.etat_portail == "pec_terminee"
    assert is_closed(side_a.collectivite, 2026, 1)


def test_a_refused_generation_lists_the_problems(side_a):
    RecenseFactory(collectivite=side_a.collectivite)
    response = side_a.client.post(
        reverse("exports:generate", args=["pecoto"]),
        {"annee": "2026", "trimestre": "1"},
        follow=True,
    )
    assert "Export refusé" in response.text
    assert "numérotez le trimestre T1 2026</a>" in response.text
    assert not Export.objects.exists()


def test_the_quarter_list_pdf_goes_through_the_same_mechanism(
    side_a, django_capture_on_commit_callbacks
):
    numbered(side_a.collectivite, 3)
    with django_capture_on_commit_callbacks(execute=True):
        side_a.client.post(
            reverse("exports:generate", args=["liste-recenses"]),
            {"annee": "2026", "trimestre": "1"},
        )
    export = Export.objects.get()
    assert (export.nom_fichier, export.content_type) == (
        "liste-recenses-2026-T1.pdf",
        "application/pdf",
    )
    assert stored(export.fichier).startswith(b"%PDF")


def test_the_list_shows_only_the_collectivites_exports_and_filters_by_kind(side_a, side_b):
    numbered(side_a.collectivite)
    numbered(side_b.collectivite)
    mine = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    run_export(side_a.collectivite, "liste-recenses", {"annee": 2026, "trimestre": 1}, None)
    run_export(side_b.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    url = reverse("exports:index")
    assert len(side_a.client.get(url).context["page"]) == 2
    assert list(side_a.client.get(url, {"type": "pecoto"}).context["page"]) == [mine]


def test_the_list_narrows_to_one_file_as_the_quarters_page_links_to_it(side_a, side_b):
    numbered(side_a.collectivite)
    numbered(side_b.collectivite)
    first = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    theirs = run_export(side_b.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    url = reverse("exports:index")
    one = side_a.client.get(url, {"export": first.pk})
    assert list(one.context["page"]) == [first]
    assert f'<a href="{url}">Tous les exports</a>' in one.text
    assert list(side_a.client.get(url, {"export": theirs.pk}).context["page"]) == []
    assert len(side_a.client.get(url, {"export": "x"}).context["page"]) == 2
    assert list(side_a.client.get(url, {"export": "9" * 30}).context["page"]) == []


def test_files_of_another_collectivite_are_404(side_a, side_b):
    numbered(side_b.collectivite)
    theirs = run_export(side_b.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    assert side_a.client.get(reverse("exports:download", args=[theirs.pk])).status_code == 404
    response = side_a.client.post(
        reverse("exports:portal_state", args=[theirs.pk]), {"etat": "pec_terminee"}
    )
    assert response.status_code == 404
    assert not is_closed(side_b.collectivite, 2026, 1)


def test_an_elections_agent_sees_no_recensement_export(side_a):
    numbered(side_a.collectivite)
    export = run_export(side_a.collectivite, "pecoto", {"annee": 2026, "trimestre": 1}, None)
    elections = agent_with_role(side_a.collectivite, Role.ELECTIONS, "urnes")
    assert len(elections.get(reverse("exports:index")).context["page"]) == 0
    assert elections.get(reverse("exports:download", args=[export.pk])).status_code == 404
    refused = elections.post(
        reverse("exports:generate", args=["pecoto"]), {"annee": "2026", "trimestre": "1"}
    )
    assert refused.status_code == 403


def test_a_queued_export_shows_its_progress_until_the_worker_is_done(
    side_a, django_capture_on_commit_callbacks
):
    numbered(side_a.collectivite)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        side_a.client.post(
            reverse("exports:generate", args=["pecoto"]), {"annee": "2026", "trimestre": "1"}
        )
    export = Export.objects.get()
    status = reverse("exports:status", args=[export.pk])
    waiting = side_a.client.get(status, HTTP_HX_REQUEST="true").text
    assert 'hx-trigger="every 1s"' in waiting and "en attente" in waiting
    assert not export.downloadable
    for callback in callbacks:  # what the commit of the request would have run: the task
        callback()
    done = side_a.client.get(status, HTTP_HX_REQUEST="true").text
    assert "RE_20261.txt" in done and "hx-trigger" not in done


def test_a_failed_export_shows_its_reason_and_no_link(side_a, django_capture_on_commit_callbacks):
    numbered(side_a.collectivite)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        side_a.client.post(
            reverse("exports:generate", args=["pecoto"]), {"annee": "2026", "trimestre": "1"}
        )
    RecenseFactory(collectivite=side_a.collectivite)  # unnumbered: the data changed meanwhile
    for callback in callbacks:
        callback()
    export = Export.objects.get()
    cell = side_a.client.get(reverse("exports:status", args=[export.pk])).text
    assert "échec" in cell and "Les données ont changé" in cell
    assert reverse("exports:download", args=[export.pk]) not in cell


def test_the_exports_list_pages_by_25_through_the_common_pagination(side_a):
    for number in range(26):
        Export.objects.create(
            collectivite=side_a.collectivite,
            kind="pecoto",
            description=f"Export n° {number}",
            cree_le=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=number),
        )
    first = side_a.client.get(reverse("exports:index"))
    assert len(first.context["page"]) == 25 and first.context["page"].has_next
    assert "Export n° 25" in first.text and "Export n° 0<" not in first.text
    second = side_a.client.get(reverse("exports:index"), {"page": "2"})
    assert [export.description for export in second.context["page"]] == ["Export n° 0"]
    assert "Précédente" in second.text and "Suivante" not in second.text
