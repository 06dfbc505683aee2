from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from electoral.models import Electeur, ImportReu, Mouvement, StatutImport

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


def upload(client, content: str, name: str = "extraction.csv"):
    data = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("electoral:import_reu"), {"fichier": data})


def test_an_upload_is_previewed_and_imported_only_once_confirmed(side_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = upload(side_a.client, "\r\n".join([HEADER, *LINES]) + "\r\n")
    pending = ImportReu.objects.get()
    assert response["Location"] == reverse("electoral:import_reu_detail", args=[pending.pk])
    page = side_a.client.get(response["Location"]).text
    assert "Confirmer l&#x27;import" in page or "Confirmer l'import" in page
    assert "31/02/1990" in page or "date" in page
    assert not Electeur.objects.exists()
    decision = reverse("electoral:import_reu_decision", args=[pending.pk])
    done = side_a.client.post(decision, {"decision": "confirmer"}, follow=True)
    assert "Import terminé : 2 inscription(s)" in done.text
    assert "1 ligne(s) rejetée(s)" in done.text
    assert Electeur.objects.filter(collectivite=side_a.collectivite).count() == 2
    assert Mouvement.objects.filter(motif="reprise_reu").count() == 2
    again = side_a.client.post(decision, {"decision": "confirmer"}, follow=True)
    assert "n&#x27;est plus à confirmer" in again.text or "n'est plus à confirmer" in again.text
    assert Electeur.objects.count() == 2


def test_an_abandoned_import_writes_nothing_and_drops_the_file(side_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload(side_a.client, "\r\n".join([HEADER, *LINES]) + "\r\n")
    pending = ImportReu.objects.get()
    side_a.client.post(
        reverse("electoral:import_reu_decision", args=[pending.pk]), {"decision": "abandonner"}
    )
    pending.refresh_from_db()
    assert pending.statut == StatutImport.ABANDONNE
    assert not (tmp_path / pending.fichier).exists()
    assert not Electeur.objects.exists()


def test_a_file_with_a_wrong_header_is_refused_and_cannot_be_confirmed(side_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload(side_a.client, "nom;prenom\r\nMARTIN;Jean\r\n")
    pending = ImportReu.objects.get()
    page = side_a.client.get(reverse("electoral:import_reu_detail", args=[pending.pk])).text
    assert "Fichier refusé" in page
    assert "Confirmer" not in page


def test_a_non_csv_file_is_refused_next_to_the_field(side_a):
    response = upload(side_a.client, "x", name="photo.png")
    assert "Choisissez le fichier CSV" in response.text
    assert not ImportReu.objects.exists()
