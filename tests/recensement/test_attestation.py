import datetime
import io
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.core.files.base import ContentFile
from PIL import Image

from recensement import attestation as service
from recensement.attestation import (
    AttestationRefused,
    Signataire,
    cancel_attestation,
    issue_attestation,
    render_attestation_pdf,
    signataire_text,
)
from recensement.models import Attestation
from tests.factories import CollectiviteFactory, RecenseFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")
# 1 March 2026, 23:30 UTC: already 2 March in Paris.
ISSUE_TIME = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)


def pdf_pages(data: bytes) -> tuple[list[pypdf.PageObject], str]:
    """The pages and their text, whitespace folded so that wrapped lines still match."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return list(pages), " ".join(" ".join(page.extract_text() for page in pages).split())


def assert_one_a4_page(pages: list[pypdf.PageObject]) -> None:
    assert len(pages) == 1
    box = pages[0].mediabox
    assert float(box.width) == pytest.approx(595, abs=1)
    assert float(box.height) == pytest.approx(842, abs=1)


def issue(side, signataire: str = Signataire.MAIRE, **recense_fields) -> Attestation:
    recense = RecenseFactory(collectivite=side.collectivite, **recense_fields)
    with time_machine.travel(ISSUE_TIME, tick=False):
        return issue_attestation(recense, side.agent, signataire)


@pytest.fixture
def mairie(side_a):
    collectivite = side_a.collectivite
    collectivite.adresse = "Place Chateaubriand\nBP 147"
    collectivite.code_postal = "35400"
    collectivite.maire_prenom, collectivite.maire_nom = "Anne", "Le Gall"
    collectivite.save()
    return side_a


def test_the_pdf_is_one_a4_page_stating_the_person_and_the_issuance(mairie):
    attestation = issue(mairie, nom_naissance="DURAND", nom_usage="MARTIN-DURAND")

    pages, text = pdf_pages(render_attestation_pdf(attestation))

    assert_one_a4_page(pages)
    assert "Mairie de Saint-Malo" in text
    assert "Place Chateaubriand BP 147 35400 Saint-Malo" in text
    assert "ATTESTATION DE RECENSEMENT" in text
    assert "Nom de naissance DURAND" in text
    assert "Nom d’usage MARTIN-DURAND" in text
    assert "Prénoms Chloé Marie" in text
    assert "Née le 12/01/2010" in text
    assert "Née à Saint-Malo (35)" in text
    assert "Domiciliée 12 BIS Rue des Lilas 35400 Saint-Malo" in text
    assert "a été recensée le 10/02/2026 à la mairie de Saint-Malo" in text
    assert "article L.113-1 du code du service national" in text
    assert "Fait à Saint-Malo, le 02/03/2026" in text
    assert "Anne LE GALL, maire" in text
    assert "Journée défense et citoyenneté" in text
    assert "Document délivré en un seul exemplaire" in text


def test_the_surnames_are_printed_in_capitals(mairie):
    attestation = issue(mairie, nom_naissance="Benali", nom_usage="Lefèvre-Benali")

    _, text = pdf_pages(render_attestation_pdf(attestation))

    assert "Nom de naissance BENALI" in text
    assert "Nom d’usage LEFÈVRE-BENALI" in text
    assert "Benali" not in text


def test_the_wording_follows_the_sex_of_the_person(mairie):
    attestation = issue(mairie, sexe="M")

    _, text = pdf_pages(render_attestation_pdf(attestation))

    assert "Né le 12/01/2010" in text
    assert "Domicilié 12 BIS" in text
    assert "a été recensé le" in text


def test_a_person_born_and_living_abroad_shows_town_and_country(mairie):
    attestation = issue(
        mairie,
        naissance_code_lieu="99134",
        naissance_commune="Madrid",
        naissance_departement="",
        naissance_pays="Espagne",
        domicile_code_lieu="99134",
        domicile_code_postal="",
        domicile_commune="Madrid",
        domicile_departement="",
        domicile_pays="Espagne",
    )

    _, text = pdf_pages(render_attestation_pdf(attestation))

    assert "Née à Madrid (Espagne)" in text
    assert "12 BIS Rue des Lilas Madrid Espagne" in text


def test_the_longest_names_and_address_still_fit_one_page(mairie):
    attestation = issue(
        mairie,
        signataire=Signataire.DELEGATION,
        nom_naissance="WOLFESCHLEGELSTEINHAUSEN-BERGERDORFF-DE-LA-TOURRRR",
        nom_usage="DE LA ROCHEFOUCAULD-MONTMORENCY-LAVAL-BOURBON-ABCD",
        prenoms="Marie-Antoinette Joséphine Charlotte Françoise Élisabeth Zoé",
        domicile_numero="1234 B",
        domicile_voie="Avenue du Maréchal de Lattre de Tassigny et de la Libération",
        domicile_complement="Résidence Les Terrasses Bâtiment C Esc",
        domicile_commune="Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson-Nord",
    )
    assert len(attestation.recense.nom_naissance) == 50
    assert len(attestation.recense.prenoms) == 60

    pages, text = pdf_pages(render_attestation_pdf(attestation))

    assert_one_a4_page(pages)
    assert "Marie-Antoinette Joséphine Charlotte Françoise Élisabeth Zoé" in text
    assert "Pour le maire et par délégation, Sophie MARTIN, adjoint administratif" in text
    assert "Journée défense et citoyenneté" in text


def test_the_seal_of_the_collectivite_is_printed_on_the_single_page(mairie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (120, 120), "navy").save(png, format="PNG")
    mairie.collectivite.sceau.save("sceau.png", ContentFile(png.getvalue()))
    attestation = issue(mairie)

    pages, text = pdf_pages(render_attestation_pdf(attestation))

    assert_one_a4_page(pages)
    assert len(pages[0].images) == 1
    assert "Mairie de Saint-Malo" in text


def test_a_seal_file_gone_from_the_disk_does_not_prevent_printing(mairie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mairie.collectivite.sceau = "collectivites/disparu.png"
    mairie.collectivite.save()

    pages, _ = pdf_pages(render_attestation_pdf(issue(mairie)))

    assert_one_a4_page(pages)
    assert len(pages[0].images) == 0


def test_it_refuses_a_second_attestation(mairie):
    first = issue(mairie)

    with pytest.raises(AttestationRefused) as refusal:
        issue_attestation(first.recense, UserFactory(), Signataire.MAIRE)

    message = str(refusal.value)
    assert "déjà été délivrée le 02/03/2026 à 00:30" in message
    assert mairie.agent.get_full_name() in message
    assert "ne délivre pas de duplicata" in message
    assert first.recense.attestations.count() == 1


def test_the_database_constraint_backs_up_the_refusal(mairie, monkeypatch):
    first = issue(mairie)
    checks = []
    real_check = service._refuse_if_issued

    def check_misses_the_first_time(recense):
        checks.append(recense)
        if len(checks) > 1:
            real_check(recense)

    monkeypatch.setattr(service, "_refuse_if_issued", check_misses_the_first_time)

    with pytest.raises(AttestationRefused, match="ne délivre pas de duplicata"):
        issue_attestation(first.recense, mairie.agent, Signataire.MAIRE)
    assert first.recense.attestations.count() == 1


def test_it_refuses_a_person_listed_without_having_come(mairie):
    recense = RecenseFactory(
        collectivite=mairie.collectivite,
        inscription_d_office=True,
        date_naissance=datetime.date(2008, 1, 12),
    )

    with pytest.raises(AttestationRefused, match="inscrite d'office"):
        issue_attestation(recense, mairie.agent, Signataire.MAIRE)
    assert not recense.attestations.exists()


def test_cancelling_requires_a_motif(mairie):
    attestation = issue(mairie)

    with pytest.raises(AttestationRefused, match="Indiquez le motif de l'annulation."):
        cancel_attestation(attestation, mairie.agent, "   ")

    attestation.refresh_from_db()
    assert attestation.annulee_le is None


def test_it_refuses_to_cancel_twice(mairie):
    attestation = issue(mairie)
    cancel_attestation(attestation, mairie.agent, "Erreur de prénom")

    with pytest.raises(AttestationRefused, match="déjà été annulée"):
        cancel_attestation(attestation, mairie.agent, "Encore")


def test_after_a_cancellation_a_new_attestation_can_be_issued(mairie):
    responsable = UserFactory(first_name="Sophie", last_name="Martin")
    first = issue(mairie)

    cancel_attestation(first, responsable, "  Erreur sur le prénom  ")
    second = issue_attestation(first.recense, mairie.agent, Signataire.DELEGATION)

    first.refresh_from_db()
    assert first.annulee_le is not None
    assert first.annulee_par == responsable
    assert first.motif_annulation == "Erreur sur le prénom"
    assert first.recense.attestation == second
    assert list(first.recense.attestations.order_by("pk")) == [first, second]
    history = first.history.order_by("history_date")
    assert [(h.history_type, h.history_user) for h in history] == [
        ("+", mairie.agent),
        ("~", responsable),
    ]
    assert second.history.get().history_user == mairie.agent


def test_the_maire_signs_with_name_and_quality():
    collectivite = CollectiviteFactory.build(maire_prenom="Anne", maire_nom="Le Gall")

    assert signataire_text(collectivite, Signataire.MAIRE) == "Anne LE GALL, maire"


def test_the_delegate_signs_for_the_maire_with_name_and_quality():
    collectivite = CollectiviteFactory.build(
        responsable_prenom="Sophie", responsable_nom="Martin", responsable_qualite="DGS"
    )

    assert signataire_text(collectivite, Signataire.DELEGATION) == (
        "Pour le maire et par délégation, Sophie MARTIN, DGS"
    )
    collectivite.responsable_qualite = "Adjoint administratif"
    assert signataire_text(collectivite, Signataire.DELEGATION) == (
        "Pour le maire et par délégation, Sophie MARTIN, adjoint administratif"
    )


def test_it_refuses_a_maire_whose_name_is_not_set():
    collectivite = CollectiviteFactory.build(maire_nom="")

    with pytest.raises(AttestationRefused, match="nom et le prénom du maire.*administration"):
        signataire_text(collectivite, Signataire.MAIRE)


def test_it_refuses_a_delegate_without_name_or_quality():
    collectivite = CollectiviteFactory.build(responsable_prenom=" ")
    with pytest.raises(AttestationRefused, match="responsable recensement ne sont pas"):
        signataire_text(collectivite, Signataire.DELEGATION)

    collectivite = CollectiviteFactory.build(responsable_qualite="")
    with pytest.raises(AttestationRefused, match="qualité du responsable"):
        signataire_text(collectivite, Signataire.DELEGATION)


@pytest.mark.parametrize("posted", [None, "", "adjoint"])
def test_it_asks_to_choose_a_signatory(posted):
    with pytest.raises(AttestationRefused, match="Choisissez le signataire"):
        signataire_text(CollectiviteFactory.build(), posted)


def test_the_seal_kept_in_an_object_store_is_printed(mairie, object_storage):
    png = io.BytesIO()
    Image.new("RGB", (120, 120), "navy").save(png, format="PNG")
    mairie.collectivite.sceau.save("sceau.png", ContentFile(png.getvalue()))

    pages, _ = pdf_pages(render_attestation_pdf(issue(mairie)))

    assert mairie.collectivite.sceau_uri().startswith("data:image/png;base64,")
    assert len(pages[0].images) == 1
