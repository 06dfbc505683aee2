import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from electoral import imports
from electoral.models import BureauDeVote, Electeur, ImportReu, Mouvement, StatutImport
from tests.factories import ElecteurFactory

HEADER = (
    "TypeListe;CodeDepartement;CodeCommune;Civilite;NomdeNaissance;NomDusage;Prenoms;"
    "DateDeNaissance;NomComNaissance;DeptNaissance;PaysNaissance;Nationalite;NumeroVoie;TypeVoie;"
    "LibelleVoie;CodePostal;VilleLocalite;NomCommune;NoBureauDeVote;NomBureauDeVote"
)
LINES = [
    "p;035;35288;M.;MARTIN;;Jean;02/03/1960;Rennes;035;France;;3;Rue;des Lilas;35400;Saint-Malo;"
    "Saint-Malo;0001;École du Naye",
    "p;035;35288;Mme;LE GOFF;;Anne;00/00/1953;Brest;029;France;;5;Rue;des Lilas;35400;"
    "Saint-Malo;Saint-Malo;0001;École du Naye",
    "p;035;35288;Mme;DUPUIS;;Léa;31/02/1990;Brest;029;France;;7;Rue;des Lilas;35400;Saint-Malo;"
    "Saint-Malo;0001;École du Naye",
]


@pytest.fixture
def upload(side_a, settings, tmp_path, django_capture_on_commit_callbacks):
    """Post a file; the background analysis runs as the request's commit would start it."""
    settings.MEDIA_ROOT = tmp_path

    def post(content: str, name: str = "extraction.csv"):
        data = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            return side_a.client.post(reverse("electoral:import_reu"), {"fichier": data})

    return post


def test_an_upload_is_previewed_and_imported_only_once_confirmed(
    side_a, upload, django_capture_on_commit_callbacks
):
    response = upload("\r\n".join([HEADER, *LINES]) + "\r\n")
    pending = ImportReu.objects.get()
    assert response["Location"] == reverse("electoral:import_reu_detail", args=[pending.pk])
    page = side_a.client.get(response["Location"])
    assert page.context["import"].statut == StatutImport.APERCU
    assert "Confirmer l'import" in page.text
    assert page.context["import"].rapport["rejected_lines"][2] == {
        "number": 4,
        "reason": "date de naissance impossible « 31/02/1990 »",
    }
    assert "date de naissance impossible « 31/02/1990 »" in page.text
    # Nothing is created yet: the commune's first file names a bureau the database lacks.
    assert "Bureaux inconnus : 0001 (École du Naye, 2 lignes)" in page.text
    assert "Bureaux créés" not in page.text
    assert "Créer les bureaux 0001</label>" in page.text
    assert not Electeur.objects.exists() and not BureauDeVote.objects.exists()
    decision = reverse("electoral:import_reu_decision", args=[pending.pk])
    with django_capture_on_commit_callbacks(execute=True):
        side_a.client.post(decision, {"decision": "confirmer", "creer_bureaux": "oui"})
    pending.refresh_from_db()
    assert pending.statut == StatutImport.APPLIQUE
    assert (pending.rapport["new"], pending.rapport["rejected"]) == (2, 1)
    assert (
        "Bureaux créés : 0001 École du Naye." in side_a.client.get(page.request["PATH_INFO"]).text
    )
    assert Electeur.objects.filter(collectivite=side_a.collectivite).count() == 2
    assert Mouvement.objects.filter(motif="reprise_reu").count() == 2
    again = side_a.client.post(decision, {"decision": "confirmer"}, follow=True)
    assert "n&#x27;est plus à confirmer" in again.text
    assert Electeur.objects.count() == 2


def test_an_abandoned_import_writes_nothing_and_drops_the_file(side_a, upload, tmp_path):
    upload("\r\n".join([HEADER, *LINES]) + "\r\n")
    pending = ImportReu.objects.get()
    side_a.client.post(
        reverse("electoral:import_reu_decision", args=[pending.pk]), {"decision": "abandonner"}
    )
    pending.refresh_from_db()
    assert pending.statut == StatutImport.ABANDONNE
    assert not (tmp_path / pending.fichier).exists()
    assert not Electeur.objects.exists()


def test_a_file_with_a_wrong_header_is_refused_and_cannot_be_confirmed(side_a, upload):
    upload("nom;prenom\r\nMARTIN;Jean\r\n")
    pending = ImportReu.objects.get()
    page = side_a.client.get(reverse("electoral:import_reu_detail", args=[pending.pk])).text
    assert "Fichier refusé" in page
    assert "Confirmer" not in page
    assert pending.statut == StatutImport.REFUSE
    listed = side_a.client.get(reverse("electoral:import_reu")).text
    assert "<td>refusé</td>" in listed and "à confirmer" not in listed
    assert "<strong>refusé</strong>" in page


def test_a_non_csv_file_is_refused_next_to_the_field(side_a, upload):
    response = upload("x", name="photo.png")
    assert "Choisissez le fichier CSV" in response.text
    assert not ImportReu.objects.exists()


def test_the_report_block_is_polled_while_the_worker_analyses(
    side_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    data = SimpleUploadedFile("x.csv", HEADER.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False):
        side_a.client.post(reverse("electoral:import_reu"), {"fichier": data})
    pending = ImportReu.objects.get()
    block = side_a.client.get(
        reverse("electoral:import_reu_detail", args=[pending.pk]), HTTP_HX_REQUEST="true"
    ).text
    assert 'hx-trigger="every 2s"' in block and "Analyse en cours" in block
    assert "<html" not in block


def test_the_polled_block_tells_the_step_the_worker_is_at_and_forgets_it_once_done(
    side_a, upload, django_capture_on_commit_callbacks
):
    upload("\r\n".join([HEADER, *LINES]) + "\r\n")
    pending = ImportReu.objects.get()
    url = reverse("electoral:import_reu_detail", args=[pending.pk])
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.etape*"))  # the analysis removed it
    with django_capture_on_commit_callbacks(execute=False):
        side_a.client.post(
            reverse("electoral:import_reu_decision", args=[pending.pk]), {"decision": "confirmer"}
        )
    pending.refresh_from_db()
    imports._progress_writer(pending)("écriture des 2 nouveaux électeurs")

    block = side_a.client.get(url, HTTP_HX_REQUEST="true").text
    assert "Import en cours : écriture des 2 nouveaux électeurs…" in block

    ImportReu.objects.filter(pk=pending.pk).update(statut=StatutImport.APPLIQUE)
    assert "écriture des" not in side_a.client.get(url, HTTP_HX_REQUEST="true").text


def test_an_import_whose_progress_cannot_be_written_still_runs(
    side_a, upload, django_capture_on_commit_callbacks
):
    upload("\r\n".join([HEADER, *LINES]) + "\r\n")
    pending = ImportReu.objects.get()
    stored = Path(settings.MEDIA_ROOT) / pending.fichier
    (stored.parent / f"{stored.name}.etape.tmp").mkdir()  # where the step would be written

    with django_capture_on_commit_callbacks(execute=True):
        side_a.client.post(
            reverse("electoral:import_reu_decision", args=[pending.pk]),
            {"decision": "confirmer", "creer_bureaux": "oui"},
        )

    pending.refresh_from_db()
    assert pending.statut == StatutImport.APPLIQUE
    assert Electeur.objects.count() == 2


def test_a_confirmed_import_without_the_bureaux_ticked_creates_none(
    side_a, upload, django_capture_on_commit_callbacks
):
    upload("\r\n".join([HEADER, *LINES]) + "\r\n")
    pending = ImportReu.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        side_a.client.post(
            reverse("electoral:import_reu_decision", args=[pending.pk]), {"decision": "confirmer"}
        )

    pending.refresh_from_db()
    assert pending.statut == StatutImport.APPLIQUE
    assert (pending.rapport["new"], pending.rapport["rejected"]) == (0, 3)
    assert not BureauDeVote.objects.exists() and not Electeur.objects.exists()


def test_the_preview_shows_minors_and_twins_as_rejected_lines(side_a, upload):
    BureauDeVote.objects.create(collectivite=side_a.collectivite, code="0001", libelle="École")
    minor = f"{dt.date.today().year - 12}"
    # A voter known without an inscription (radiated, say): not the file's voter, their twin.
    ElecteurFactory(
        collectivite=side_a.collectivite,
        nom_naissance="Durand",
        prenoms="Paul",
        date_naissance=dt.date(1960, 3, 2),
    )
    lines = [
        LINES[0],
        LINES[0].replace("MARTIN;;Jean", "DURAND;;PAUL"),
        LINES[0].replace("02/03/1960", f"02/03/{minor}"),
    ]
    upload("\r\n".join([HEADER, *lines]) + "\r\n")
    pending = ImportReu.objects.get()
    page = side_a.client.get(reverse("electoral:import_reu_detail", args=[pending.pk])).text

    assert (
        "<td>3</td><td>électeur en double : un électeur de même identité existe déjà : Durand "
        "Paul, né(e) le 02/03/1960</td>"
    ) in page
    assert f"<td>4</td><td>moins de 18 ans le {dt.date.today():%d/%m/%Y}" in page
    assert "Bureaux inconnus" not in page


def test_the_imports_list_pages_by_20_through_the_common_pagination(side_a):
    from django.utils import timezone

    for number in range(21):
        ImportReu.objects.create(
            collectivite=side_a.collectivite,
            nom_fichier=f"extraction-{number}.csv",
            taille=10,
            cree_par=side_a.agent,
            cree_le=timezone.now() - timezone.timedelta(days=number),
        )
    first = side_a.client.get(reverse("electoral:import_reu"))
    assert len(first.context["page"]) == 20 and "Suivante" in first.text
    second = side_a.client.get(reverse("electoral:import_reu"), {"page": "2"})
    assert [item.nom_fichier for item in second.context["page"]] == ["extraction-20.csv"]
