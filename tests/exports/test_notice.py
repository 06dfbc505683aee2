"""The exporter "notice": one registrant's notice individuelle, from the exports page and from
`manage.py export notice`, for the collectivité's own registrants only."""

import datetime as dt
import io

import pypdf
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from exports.models import Export, Statut
from exports.services import run_export
from recensement.notice import render_notice_pdf
from recensement.services import purge_recensement
from tests.conftest import stored
from tests.exports.test_retention import PURGED
from tests.factories import RecenseFactory
from tests.recensement.test_purge import SENT, sent_quarter

NOT_A_CHOICE = "Ce choix ne fait pas partie de ceux disponibles"


def text_of(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_command_writes_the_registrants_notice(side_a, media_root, tmp_path):
    recense = RecenseFactory(collectivite=side_a.collectivite, nom_naissance="Le Gall")
    out = tmp_path / "sortie"

    call_command(
        "export",
        "notice",
        "--commune",
        "35288",
        "--recense",
        str(recense.pk),
        "--output",
        str(out),
        stdout=io.StringIO(),
    )

    written = out / f"notice-individuelle-{recense.pk}.pdf"
    export = Export.objects.get()
    assert written.read_bytes() == stored(export.fichier)
    assert (export.kind, export.statut) == ("notice", Statut.TERMINE)
    assert export.description == f"Notice individuelle — LE GALL {recense.prenoms}"
    assert export.parametres == {"recense": recense.pk, "annee": 2026, "trimestre": 1}
    text = text_of(written.read_bytes())
    assert "NOTICE INDIVIDUELLE DE RECENSEMENT" in text
    assert f"Nom de naissance LE GALL Nom d’usage — Prénoms {recense.prenoms}" in text
    # One code path: the page's PDF and the exporter's hold the same text.
    assert text == text_of(render_notice_pdf(recense))


def test_another_collectivites_registrant_is_not_one_of_the_choices(
    side_a, side_b, media_root, tmp_path
):
    foreign = RecenseFactory(collectivite=side_b.collectivite)

    with pytest.raises(CommandError, match=NOT_A_CHOICE):
        call_command(
            "export",
            "notice",
            "--commune",
            "35288",
            "--recense",
            str(foreign.pk),
            "--output",
            str(tmp_path),
        )

    assert not Export.objects.exists()
    assert not list(tmp_path.iterdir())


def test_the_exports_page_refuses_another_collectivites_registrant(side_a, side_b, media_root):
    foreign = RecenseFactory(collectivite=side_b.collectivite)

    response = side_a.client.post(
        reverse("exports:generate", args=["notice"]), {"recense": foreign.pk}, follow=True
    )

    assert NOT_A_CHOICE in response.content.decode()
    assert not Export.objects.exists()


def test_the_exports_page_generates_the_notice(
    side_a, media_root, django_capture_on_commit_callbacks
):
    recense = RecenseFactory(collectivite=side_a.collectivite)

    with django_capture_on_commit_callbacks(execute=True):
        side_a.client.post(reverse("exports:generate", args=["notice"]), {"recense": recense.pk})

    export = Export.objects.get()
    assert export.statut == Statut.TERMINE
    assert export.nom_fichier == f"notice-individuelle-{recense.pk}.pdf"
    download = side_a.client.get(reverse("exports:download", args=[export.pk]))
    assert b"".join(download.streaming_content) == stored(export.fichier)


def test_the_notice_of_an_expired_quarter_goes_with_its_registrant(
    side_a, media_root, django_capture_on_commit_callbacks
):
    recense = sent_quarter(side_a)
    with time_machine.travel(SENT - dt.timedelta(days=2), tick=False):
        expired = run_export(side_a.collectivite, "notice", {"recense": recense.pk}, None)
    with time_machine.travel(dt.datetime(2020, 5, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        later = RecenseFactory(
            collectivite=side_a.collectivite,
            date_recensement=dt.date(2020, 5, 12),
            date_naissance=dt.date(2004, 4, 2),
        )
        kept = run_export(side_a.collectivite, "notice", {"recense": later.pk}, None)

    with (
        time_machine.travel(PURGED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        [count] = purge_recensement([side_a.collectivite])

    assert count.fichiers == 1
    assert list(Export.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not default_storage.exists(expired.fichier)
    assert default_storage.exists(kept.fichier)
