"""The notice individuelle (Cerfa 10870): its text read back from the PDF matches the record, and
the registrant's page prints it for the agent's collectivité only."""

import datetime as dt

import pytest
from django.urls import reverse

from mairie.models import Departement
from recensement.models import (
    DemandeEnLigne,
    Diplome,
    Nationalite,
    Pupille,
    SituationFamiliale,
    SituationScolaire,
    StatutDemande,
)
from recensement.notice import render_notice_pdf
from tests.factories import RecenseFactory
from tests.recensement.test_attestation import assert_one_a4_page, pdf_pages


@pytest.fixture
def recense(side_a, cog):
    Departement.objects.create(code="35", nccenr="Ille-et-Vilaine")
    Departement.objects.create(code="29", nccenr="Finistère")
    return RecenseFactory(
        collectivite=side_a.collectivite,
        nom_naissance="Le Gall",
        nom_usage="Le Gall-Durand",
        prenoms="Chloé Marie",
        sexe="F",
        date_naissance=dt.date(2010, 1, 12),
        nationalite=Nationalite.ACQUISE,
        date_acquisition_nationalite=dt.date(2025, 12, 1),
        double_nationalite="99134",
        domicile_complement="Résidence Les Mouettes",
        residence_identique=False,
        residence_numero="3",
        residence_voie="Calle Mayor",
        residence_code_postal="",
        residence_code_lieu="99134",
        residence_commune="Madrid",
        residence_pays="Espagne",
        telephone_fixe="0299112233",
        pere_nom="Le Gall",
        pere_prenoms="Yannick",
        pere_date_naissance=dt.date(1978, 5, 3),
        pere_naissance_code_lieu="29232",
        pere_naissance_commune="Quimper",
        pere_naissance_departement="029",
        pere_naissance_pays="France",
        mere_nom="García",
        mere_prenoms="Carmen Isabel",
        mere_date_naissance=dt.date(1980, 11, 21),
        mere_naissance_code_lieu="99134",
        mere_naissance_commune="Séville",
        mere_naissance_pays="Espagne",
        mere_nationalite="99134",
        nombre_freres_soeurs=2,
        situation_familiale=SituationFamiliale.PACSE,
        nombre_enfants=1,
        pupille=Pupille.NATION,
        situation_scolaire=SituationScolaire.APPRENTISSAGE,
        etablissement="CFA de Saint-Malo",
        diplome=Diplome.CAP_BEP,
        specialite="Cuisine",
        profession="Apprentie cuisinière",
        situation_particuliere=True,
        situation_particuliere_detail="Allergie grave",
        numero_inscription=7,
    )


def test_the_notice_states_every_section_of_the_record(recense):
    pages, text = pdf_pages(render_notice_pdf(recense))

    assert_one_a4_page(pages)
    assert "NOTICE INDIVIDUELLE DE RECENSEMENT" in text
    assert "Cerfa n° 10870*07 (NI-106*/01)" in text
    # The commune of recensement.
    assert "Commune Saint-Malo Code INSEE 35288 (département 035)" in text
    assert "N° d’inscription 0007 Date de recensement 10/02/2026" in text
    assert f"Mode recensé — {recense.motif_mode}" in text
    # État civil.
    assert "Nom de naissance LE GALL" in text
    assert "Nom d’usage LE GALL-DURAND" in text
    assert "Prénoms Chloé Marie" in text
    assert "Sexe féminin Date de naissance 12/01/2010" in text
    assert "Lieu de naissance Saint-Malo (Ille-et-Vilaine) — code INSEE 35288" in text
    # Nationality, with the country's name and never its code.
    assert "Nationalité devenu(e) français(e) Acquise le 01/12/2025" in text
    assert "Double nationalité Espagne" in text
    # Addresses and contact.
    assert "Domicile 12 BIS Rue des Lilas Résidence Les Mouettes 35400 Saint-Malo" in text
    assert "Résidence 3 Calle Mayor Madrid Espagne" in text
    assert "02 99 11 22 33" in text
    assert "06 12 34 56 78" in text
    assert "chloe.durand@example.fr" in text
    # Filiation, father and mother side by side.
    assert "Père Mère" in text
    assert "Nom de naissance LE GALL GARCÍA" in text
    assert "Prénoms Yannick Carmen Isabel" in text
    assert "Date de naissance 03/05/1978 21/11/1980" in text
    assert "Lieu de naissance Quimper (Finistère) Séville, Espagne" in text
    assert "Nationalité française Espagne" in text
    # Infos diverses: the choices' labels.
    assert "Frères et sœurs 2 Situation familiale pacsé(e)" in text
    assert "Enfants 1 Pupille pupille de la Nation" in text
    assert "Situation scolaire apprentissage Établissement CFA de Saint-Malo" in text
    assert "Diplôme le plus élevé CAP / BEP Spécialité Cuisine" in text
    assert "Profession Apprentie cuisinière Situation particulière oui" in text
    # The internal details never leave the mairie's screen.
    assert "Allergie" not in text
    # Place, date and the two signatures.
    assert "Fait à Saint-Malo, le 10/02/2026" in text
    assert "Signature de l’intéressée LE GALL Chloé Marie" in text
    assert "L’agent de la mairie" in text
    assert "Signature et cachet de la mairie" in text


def test_a_parent_not_declared_is_said_so(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite, pere_connu=False, pere_nom="")

    _, text = pdf_pages(render_notice_pdf(recense))

    assert "Nom de naissance non déclaré LEROY" in text
    assert "Prénoms Anne" in text


def test_a_pupille_de_l_etat_notice_carries_no_filiation(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite, pupille=Pupille.ETAT)

    _, text = pdf_pages(render_notice_pdf(recense))

    assert "Pupille de l’État : la filiation n’est pas portée sur la notice" in text
    assert "LEROY" not in text
    assert "Père" not in text


def test_the_page_prints_the_notice(side_a, recense):
    response = side_a.client.get(reverse("recensement:notice", args=[recense.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="notice-individuelle-{recense.pk}.pdf"' in response["Content-Disposition"]
    _, text = pdf_pages(response.content)
    assert "Nom de naissance LE GALL" in text


def test_another_collectivites_registrant_is_not_found(side_a, side_b):
    foreign = RecenseFactory(collectivite=side_b.collectivite)

    response = side_a.client.get(reverse("recensement:notice", args=[foreign.pk]))

    assert response.status_code == 404


def test_the_registrants_page_has_the_notice_button(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite)

    page = side_a.client.get(reverse("recensement:detail", args=[recense.pk])).content.decode()

    assert reverse("recensement:notice", args=[recense.pk]) in page
    assert "Imprimer la notice individuelle" in page
    assert "Cerfa de la demande en ligne" not in page


def test_a_registrant_from_an_online_request_keeps_its_cerfa_copy_beside_the_notice(
    side_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    copy = tmp_path / "demandes" / "35288" / "10870-PDF.pdf"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"%PDF-1.4\n% the Cerfa copy\n%%EOF\n")
    recense = RecenseFactory(collectivite=side_a.collectivite)
    demande = DemandeEnLigne.objects.create(
        collectivite=side_a.collectivite,
        identifiant="A-1-N8F602RR",
        sha256="0" * 64,
        date_soumission="2026-02-09T10:00:00+01:00",
        fichier_xml="demandes/35288/10870-XML.xml",
        nom_fichier_xml="10870-XML.xml",
        fichier_pdf="demandes/35288/10870-PDF.pdf",
        nom_fichier_pdf="10870-PDF.pdf",
        statut=StatutDemande.VALIDEE,
        recense=recense,
    )

    page = side_a.client.get(reverse("recensement:detail", args=[recense.pk])).content.decode()

    cerfa_url = reverse("recensement:demande_pdf", args=[demande.pk])
    assert cerfa_url in page
    assert "Cerfa de la demande en ligne A-1-N8F602RR" in page
    assert page.index(reverse("recensement:notice", args=[recense.pk])) < page.index(cerfa_url)
    response = side_a.client.get(cerfa_url)
    assert b"".join(response.streaming_content) == copy.read_bytes()
