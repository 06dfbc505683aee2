import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from mairie.models import Departement, Pays, Role
from recensement.attestation import Signataire, cancel_attestation, issue_attestation
from recensement.models import Mode, Recense, RecenseLocked
from recensement.services import cloturer
from tests.conftest import agent_with_role
from tests.factories import RecenseFactory

TODAY = dt.date(2026, 2, 10)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 0), tick=False):
        yield


def form_data(**overrides) -> dict:
    data = {
        "date_recensement": "2026-02-10",
        "sexe": "F",
        "nom_naissance": "Lefèvre",
        "nom_usage": "",
        "prenoms": "Chloé  Marie",
        "date_naissance": "2010-01-12",
        "naissance_ou": "france",
        "naissance_commune_saisie": "Saint-Malo (35288)",
        "nationalite": "N",
        "domicile_numero": "12 BIS",
        "domicile_voie": "Rue des Lilas",
        "domicile_complement": "",
        "domicile_code_postal": "35400",
        "domicile_commune_saisie": "Saint-Malo (35288)",
        "residence_identique": "on",
        "telephone_portable": "06 12 34 56 78",
        "courriel": "chloe@example.fr",
        "pere_nom": "Lefèvre",
        "pere_prenoms": "Jean",
        "pere_nationalite": "99100",
        "pere_naissance_ou": "france",
        "mere_nom": "Martin",
        "mere_prenoms": "Anne",
        "mere_nationalite": "99100",
        "mere_naissance_ou": "france",
        "nombre_freres_soeurs": "1",
        "situation_familiale": "C",
        "nombre_enfants": "0",
        "pupille": "0",
        "situation_scolaire": "S",
        "etablissement": "Lycée Jacques Cartier",
        "diplome": "01",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_create(client, **overrides):
    return client.post(reverse("recensement:create"), form_data(**overrides))


def test_an_agent_records_a_registrant(side_a, cog):
    response = post_create(side_a.client)
    recense = Recense.objects.get()
    assert response["Location"] == reverse("recensement:detail", args=[recense.pk])
    assert recense.collectivite == side_a.collectivite
    assert (recense.nom_naissance, recense.prenoms) == ("Lefèvre", "Chloé Marie")
    assert (recense.naissance_code_lieu, recense.naissance_commune) == ("35288", "Saint-Malo")
    assert (recense.naissance_departement, recense.naissance_pays) == ("035", "France")
    assert recense.telephone_portable == "0612345678"
    assert recense.mode == Mode.RECENSE
    assert recense.motif_mode == "16 ans le 12/01/2026, délai jusqu'au 30/04/2026"
    assert (recense.annee, recense.trimestre) == (2026, 1)
    assert recense.history.get().history_user == side_a.agent


def test_the_form_shows_sections_and_field_limits(side_a, cog):
    page = side_a.client.get(reverse("recensement:create")).text
    for section in ["État civil", "Adresses", "Filiation", "Nationalité", "Informations diverses"]:
        assert f"<legend>{section}" in page or f">{section}</legend>" in page
    assert 'maxlength="50"' in page and "50 caractères au plus." in page
    assert 'type="date"' in page
    assert 'value="Saint-Malo (35288)"' in page  # domicile defaults to the collectivité
    assert 'list="naissance-communes"' in page and 'hx-get="/referentiel/communes/"' in page


def test_a_birth_abroad_and_an_unknown_father(side_a, cog):
    espagne = Pays.objects.get(code="99134")
    post_create(
        side_a.client,
        naissance_ou="etranger",
        naissance_commune_saisie="",
        naissance_pays_choix=str(espagne.pk),
        naissance_ville="Madrid",
        pere_non_declare="on",
        pere_nom="ignored",
    )
    recense = Recense.objects.get()
    assert (recense.naissance_code_lieu, recense.naissance_commune) == ("99134", "Madrid")
    assert (recense.naissance_departement, recense.naissance_pays) == ("", "Espagne")
    assert not recense.pere_connu
    assert (recense.pere_nom, recense.pere_prenoms, recense.pere_nationalite) == ("", "", "")


def test_late_registration_is_regularise_with_its_reason(side_a, cog):
    post_create(side_a.client, date_naissance="2009-06-15")
    recense = Recense.objects.get()
    assert recense.mode == Mode.REGULARISE
    assert recense.motif_mode == "16 ans le 15/06/2025, délai expiré le 30/09/2025"
    page = side_a.client.get(reverse("recensement:detail", args=[recense.pk])).text
    assert "régularisé" in page and "délai expiré le 30/09/2025" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_naissance": "2010-03-01"}, "date_naissance", "n&#x27;a pas encore 16 ans"),
        ({"date_naissance": "1999-01-01"}, "date_naissance", "plus de 25 ans"),
        ({"naissance_commune_saisie": "Atlantide"}, "naissance_commune_saisie", "introuvable"),
        ({"naissance_commune_saisie": "Sainte-Marie"}, "naissance_commune_saisie", "25513"),
        (
            {"naissance_ou": "etranger", "naissance_commune_saisie": ""},
            "naissance_pays_choix",
            "Choisissez le pays",
        ),
        ({"nationalite": "A"}, "date_acquisition_nationalite", "devenue française"),
        ({"telephone_portable": "06 12"}, "telephone_portable", "10 chiffres"),
        ({"pere_nom": ""}, "pere_nom", "non déclaré"),
        ({"residence_identique": None}, "residence_voie", "adresse de résidence"),
        ({"nom_naissance": "X" * 51}, "nom_naissance", "50 caractères"),
        ({"domicile_code_postal": "354"}, "domicile_code_postal", "5 chiffres"),
        ({"date_naissance": "31/02/2010"}, "date_naissance", "Saisissez une date valide"),
        ({"nom_naissance": "---"}, "nom_naissance", "Aucune lettre"),
        ({"nom_usage": "Ωmega"}, "nom_usage", "Caractère non admis « Ω »"),
        ({"prenoms": "Chloé <script>"}, "prenoms", "Caractères non admis « &lt; », « &gt; »"),
        ({"pere_nom": "Lefèvre 2"}, "pere_nom", "Caractère non admis « 2 »"),
        ({"pere_prenoms": "Jean."}, "pere_prenoms", "Caractère non admis « . »"),
        ({"mere_nom": "Benali 😀"}, "mere_nom", "Caractère non admis « 😀 »"),
        ({"mere_prenoms": "Anne\u200bMarie"}, "mere_prenoms", "U+200B"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    side_a, cog, overrides, field, message
):
    response = post_create(side_a.client, **overrides)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert message in response.text
    assert "La fiche n'est pas enregistrée" in response.text
    assert not Recense.objects.exists()


def test_names_keep_their_latin_letters_and_are_stored_composed_with_single_spaces(side_a, cog):
    response = post_create(
        side_a.client,
        nom_naissance=" N’Diaye-Lætitia ",
        nom_usage="L'Haÿ  Cœur",
        prenoms="E\u0301lodie   Françoise",
        pere_nom="Łukasz-Müller",
    )
    assert response.status_code == 302
    recense = Recense.objects.get()
    assert (recense.nom_naissance, recense.nom_usage) == ("N’Diaye-Lætitia", "L'Haÿ Cœur")
    assert (recense.prenoms, recense.pere_nom) == ("Élodie Françoise", "Łukasz-Müller")


def test_the_names_of_a_parent_not_declared_are_not_checked(side_a, cog):
    response = post_create(side_a.client, pere_non_declare="on", pere_nom="???")
    assert response.status_code == 302
    assert Recense.objects.get().pere_nom == ""


def test_the_model_refuses_a_name_outside_the_rule(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    recense.nom_naissance, recense.mere_prenoms = "---", "Anne 😀"
    with pytest.raises(ValidationError) as refused:
        recense.full_clean()
    assert set(refused.value.message_dict) == {"nom_naissance", "mere_prenoms"}


def test_it_refuses_a_second_registration_of_the_same_person_and_links_to_the_first(side_a, cog):
    post_create(side_a.client)
    first = Recense.objects.get()
    response = post_create(side_a.client, nom_naissance="LEFEVRE", prenoms="chloe marie")
    assert response.status_code == 200
    assert "Cette personne est déjà recensée" in response.text
    assert reverse("recensement:detail", args=[first.pk]) in response.text
    assert Recense.objects.count() == 1


def test_the_same_person_may_be_registered_in_another_collectivite(side_a, side_b, cog):
    post_create(side_a.client)
    post_create(side_b.client, domicile_commune_saisie="2A004", domicile_code_postal="20000")
    assert Recense.objects.count() == 2


def test_editing_keeps_the_history_with_who_and_what(side_a, cog):
    post_create(side_a.client)
    recense = Recense.objects.get()
    url = reverse("recensement:edit", args=[recense.pk])
    page = side_a.client.get(url)
    assert 'value="Saint-Malo (35288)"' in page.text
    response = side_a.client.post(url, form_data(etablissement="Lycée Maupertuis"))
    assert response.status_code == 302
    recense.refresh_from_db()
    assert recense.etablissement == "Lycée Maupertuis"
    detail = side_a.client.get(reverse("recensement:detail", args=[recense.pk])).text
    assert "Modification" in detail
    assert "établissement : Lycée Jacques Cartier → Lycée Maupertuis" in detail


def test_an_abroad_birth_is_shown_again_when_editing(side_a, cog):
    espagne = Pays.objects.get(code="99134")
    recense = RecenseFactory(
        collectivite=side_a.collectivite,
        naissance_code_lieu="99134",
        naissance_commune="Madrid",
        naissance_departement="",
        naissance_pays="Espagne",
    )
    form = side_a.client.get(reverse("recensement:edit", args=[recense.pk])).context["form"]
    assert form.initial["naissance_ou"] == "etranger"
    assert form.initial["naissance_pays_choix"] == espagne.pk
    assert form.initial["naissance_ville"] == "Madrid"


def test_the_list_searches_without_accents_and_filters(side_a, side_b):
    RecenseFactory(collectivite=side_a.collectivite, nom_naissance="LEFÈVRE", prenoms="Zoé")
    RecenseFactory(
        collectivite=side_a.collectivite,
        nom_naissance="MARTIN",
        date_naissance=dt.date(2009, 6, 15),
        date_recensement=dt.date(2025, 11, 3),
    )
    RecenseFactory(collectivite=side_b.collectivite, nom_naissance="LEFEVRE", prenoms="Zoe")
    url = reverse("recensement:index")

    def names(**params):
        return [r.nom_naissance for r in side_a.client.get(url, params).context["page"]]

    assert names() == ["LEFÈVRE", "MARTIN"]
    assert names(q="lefevre zoe") == ["LEFÈVRE"]
    assert names(date_naissance="2009-06-15") == ["MARTIN"]
    assert names(trimestre="2025-4") == ["MARTIN"]
    assert names(mode="G") == ["MARTIN"]
    assert names(numerote="oui") == []
    assert names(numerote="non") == ["LEFÈVRE", "MARTIN"]


def test_the_list_filters_on_the_attestation_a_cancelled_one_is_not_delivered(side_a, side_b):
    delivered, cancelled, never = (
        RecenseFactory(collectivite=side_a.collectivite, nom_naissance=name)
        for name in ("DELIVRE", "ANNULE", "JAMAIS")
    )
    for recense in (delivered, cancelled):
        issue_attestation(recense, side_a.agent, Signataire.MAIRE)
    cancel_attestation(cancelled.attestation, side_a.agent, "Imprimée avec une erreur")
    other = RecenseFactory(collectivite=side_b.collectivite, nom_naissance="DELIVRE")
    issue_attestation(other, side_b.agent, Signataire.MAIRE)
    url = reverse("recensement:index")

    def names(**params):
        return sorted(r.nom_naissance for r in side_a.client.get(url, params).context["page"])

    assert names(attestation="oui") == ["DELIVRE"]
    assert names(attestation="non") == ["ANNULE", "JAMAIS"]
    assert names() == ["ANNULE", "DELIVRE", "JAMAIS"]
    # The detail page says the same of each.
    for recense, said in ((delivered, True), (cancelled, False), (never, False)):
        detail = side_a.client.get(reverse("recensement:detail", args=[recense.pk]))
        assert (detail.context["attestation"] is not None) is said
        assert ("Pas encore délivrée" not in detail.text) is said


def test_surnames_are_shown_in_capitals_as_typed_otherwise(side_a):
    recense = RecenseFactory(
        collectivite=side_a.collectivite,
        nom_naissance="Benali",
        nom_usage="Lefèvre-Benali",
        pere_nom="Benali",
        mere_nom="d’Almeida",
    )
    listed = side_a.client.get(reverse("recensement:index")).text
    detail = side_a.client.get(reverse("recensement:detail", args=[recense.pk])).text
    assert "BENALI" in listed and "LEFÈVRE-BENALI" in listed
    assert "BENALI Chloé Marie" in detail and "LEFÈVRE-BENALI" in detail
    assert "BENALI Jean" in detail and "D’ALMEIDA Anne" in detail
    assert "Benali" not in listed + detail
    recense.refresh_from_db()
    assert recense.nom_naissance == "Benali"  # stored as typed: history and search read it


def test_the_list_costs_the_same_queries_whatever_the_size(side_a, django_assert_num_queries):
    url = reverse("recensement:index")
    RecenseFactory.create_batch(3, collectivite=side_a.collectivite)
    side_a.client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        side_a.client.get(url, {"q": "durand"})
    RecenseFactory.create_batch(60, collectivite=side_a.collectivite)
    with CaptureQueriesContext(connection) as large:
        response = side_a.client.get(url, {"q": "durand"})
    assert len(response.context["page"]) == 50
    assert len(large) == len(small) <= 8


def test_delete_asks_for_confirmation_then_deletes(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    url = reverse("recensement:delete", args=[recense.pk])
    assert "Supprimer la fiche" in side_a.client.get(url).text
    assert side_a.client.post(url)["Location"] == reverse("recensement:index")
    assert not Recense.objects.exists()


def test_a_numbered_registrant_cannot_be_deleted(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite, numero_inscription=7)
    response = side_a.client.post(reverse("recensement:delete", args=[recense.pk]), follow=True)
    assert "une fiche numérotée ne peut plus être supprimée" in response.text
    assert Recense.objects.filter(pk=recense.pk).exists()


def test_an_agent_of_b_cannot_edit_a_registrant_of_a(side_a, side_b, cog):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    url = reverse("recensement:edit", args=[recense.pk])
    assert side_b.client.post(url, form_data(nom_naissance="PIRATE")).status_code == 404
    recense.refresh_from_db()
    assert recense.nom_naissance != "PIRATE"


def test_only_a_responsable_cancels_an_attestation(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    side_a.client.post(
        reverse("recensement:attestation", args=[recense.pk]), {"signataire": "maire"}
    )
    clerk = agent_with_role(side_a.collectivite, Role.RECENSEMENT, "guichet")
    url = reverse("recensement:attestation_cancel", args=[recense.pk])
    assert clerk.post(url, {"motif": "erreur"}).status_code == 403
    assert recense.attestation is not None
    response = side_a.client.post(url, {"motif": ""}, follow=True)
    assert "Indiquez le motif de l&#x27;annulation." in response.text
    assert recense.attestation is not None
    side_a.client.post(url, {"motif": "Imprimée sur la fiche d'un autre jeune"})
    assert recense.attestation is None


def test_printing_gives_a_pdf_once_then_refuses(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    url = reverse("recensement:attestation", args=[recense.pk])
    first = side_a.client.post(url, {"signataire": "maire"})
    assert first["Content-Type"] == "application/pdf"
    assert first.content.startswith(b"%PDF")
    second = side_a.client.post(url, {"signataire": "maire"}, follow=True)
    assert "ne délivre pas de duplicata" in second.text
    assert recense.attestations.count() == 1


def test_the_next_page_keeps_the_filters(side_a):
    RecenseFactory.create_batch(51, collectivite=side_a.collectivite)
    url = reverse("recensement:index")
    first = side_a.client.get(url, {"q": "durand", "mode": "R"})
    assert 'href="?q=durand&amp;mode=R&amp;page=2"' in first.text
    second = side_a.client.get(url, {"q": "durand", "mode": "R", "page": "2"})
    assert len(second.context["page"]) == 1
    assert 'href="?q=durand&amp;mode=R&amp;page=1"' in second.text


def test_the_detail_page_leads_back_to_the_list_at_the_search_it_was_opened_from(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    index, detail = reverse("recensement:index"), reverse("recensement:detail", args=[recense.pk])
    listed = side_a.client.get(index, {"q": "durand", "mode": "R", "page": "1"}).text
    link = f"{detail}?retour=q%3Ddurand%26mode%3DR%26page%3D1"
    assert f'href="{link}"' in listed
    opened = side_a.client.get(link).text
    assert f'<a href="{index}?q=durand&amp;mode=R&amp;page=1">' in opened
    assert f'<a href="{index}">' in side_a.client.get(detail).text
    # Whatever `retour` holds, the link stays on the list: no open redirect.
    for hostile in ("https://evil.example/", "//evil.example/x", "q=a&next=//evil.example"):
        page = side_a.client.get(detail, {"retour": hostile}).context
        assert page["back_url"] in (index, f"{index}?q=a")


def test_the_quarter_filter_offers_every_quarter_from_the_newest_to_the_oldest(side_a):
    for day in (dt.date(2026, 2, 10), dt.date(2026, 11, 16)):
        RecenseFactory(collectivite=side_a.collectivite, date_recensement=day)
    filters = side_a.client.get(reverse("recensement:index")).context["filters"]
    assert [label for _, label in filters.fields["trimestre"].choices] == [
        "tous",
        "T4 2026",
        "T3 2026",
        "T2 2026",
        "T1 2026",
    ]


def test_a_territory_is_offered_with_its_country_and_stored_with_its_own_code(side_a, cog):
    page = side_a.client.get(reverse("recensement:create")).text
    feroe = Pays.objects.get(code="99158")
    assert f'<option value="{feroe.pk}">Féroé (Danemark)</option>' in page  # birth places
    assert '<option value="99158">Féroé (Danemark)</option>' in page  # nationalities
    post_create(
        side_a.client,
        naissance_ou="etranger",
        naissance_commune_saisie="",
        naissance_pays_choix=str(feroe.pk),
        naissance_ville="Tórshavn",
        mere_nationalite="99158",
    )
    recense = Recense.objects.get()
    assert (recense.naissance_code_lieu, recense.naissance_pays) == ("99158", "Féroé")
    assert recense.mere_nationalite == "99158"


def test_a_country_name_longer_than_the_stored_one_is_cut_its_code_kept(side_a, cog):
    territoires = Pays.objects.get(code="99425")
    post_create(
        side_a.client,
        naissance_ou="etranger",
        naissance_commune_saisie="",
        naissance_pays_choix=str(territoires.pk),
        naissance_ville="Hamilton",
    )
    recense = Recense.objects.get()
    assert recense.naissance_code_lieu == "99425"
    assert recense.naissance_pays == "Territoires britanniques dans les Antilles et Berm"


def test_the_duplicate_error_is_shown_once_with_its_link(side_a, cog):
    post_create(side_a.client)
    response = post_create(side_a.client)
    assert response.text.count("Cette personne est déjà recensée") == 1
    assert response.text.count("Voir la fiche existante") == 1


def test_the_page_shows_names_not_codes(side_a, cog):
    Departement.objects.create(
        code="29", region_code="53", cheflieu="29232", tncc="2", ncc="FINISTERE",
        nccenr="Finistère", libelle="Le Finistère",
    )  # fmt: skip
    recense = RecenseFactory(
        collectivite=side_a.collectivite,
        naissance_code_lieu="29232",
        naissance_commune="Quimper",
        naissance_departement="029",
        double_nationalite="99134",
        pere_nationalite="99350",
        mere_nationalite="99100",
        mere_naissance_code_lieu="99134",
        mere_naissance_commune="Madrid",
        mere_naissance_pays="Espagne",
        telephone_fixe="0612345678",
        telephone_portable="0612345678",
        nombre_enfants=0,
    )
    page = side_a.client.get(reverse("recensement:detail", args=[recense.pk])).text
    assert "Quimper (Finistère)" in page
    assert "double nationalité : Espagne" in page
    assert "nationalité : Maroc" in page  # the father's
    assert "nationalité : française" in page  # the mother's
    assert "à Madrid, Espagne" in page
    for code in ("29232", "99134", "99350", "99100", "(029)"):
        assert code not in page
    assert "aucun enfant" in page and "0 enfant" not in page
    assert page.count("06 12 34 56 78") == 1 and "0612345678" not in page


def test_a_closed_quarters_registrant_cannot_be_deleted_even_unnumbered(side_a):
    # Registered late in the quarter's dates, after its list was numbered and sent.
    recense = RecenseFactory(collectivite=side_a.collectivite)
    cloturer(side_a.collectivite, 2026, 1, side_a.agent)
    url = reverse("recensement:delete", args=[recense.pk])
    for response in (side_a.client.get(url, follow=True), side_a.client.post(url, follow=True)):
        assert "Le trimestre T1 2026 est clos" in response.text
        assert response.redirect_chain[-1][0] == reverse("recensement:detail", args=[recense.pk])
    assert Recense.objects.filter(pk=recense.pk).exists()
    # The model itself refuses, whatever the way in.
    with pytest.raises(RecenseLocked, match="T1 2026 est clos"):
        recense.delete()
    recense.prenoms = "Autre"
    with pytest.raises(RecenseLocked, match="T1 2026 est clos"):
        recense.save()
    with pytest.raises(RecenseLocked, match="T1 2026 est clos"):
        RecenseFactory(collectivite=side_a.collectivite)


def test_once_delivered_the_print_button_gives_way_to_who_delivered_it(side_a):
    recense = RecenseFactory(collectivite=side_a.collectivite)
    detail = reverse("recensement:detail", args=[recense.pk])
    assert "Imprimer l'attestation" in side_a.client.get(detail).text
    side_a.client.post(
        reverse("recensement:attestation", args=[recense.pk]), {"signataire": "maire"}
    )
    page = side_a.client.get(detail).text
    assert "Imprimer l'attestation" not in page
    assert f"Délivrée le 10/02/2026 à 11:00 par {side_a.agent.get_full_name()}" in page
    assert "Annuler la délivrance" in page  # a responsable
    clerk = agent_with_role(side_a.collectivite, Role.RECENSEMENT, "guichet").get(detail).text
    assert "Délivrée le 10/02/2026" in clerk
    assert "Annuler la délivrance" not in clerk and "Imprimer l'attestation" not in clerk


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"nom_naissance": "Lefebvre"}, "en changeant le nom de naissance,"),
        (
            {"prenoms": "Chloé", "date_naissance": "2010-01-13"},
            "en changeant les prénoms et la date de naissance,",
        ),
    ],
)
def test_changing_what_a_delivered_attestation_prints_asks_for_confirmation(
    side_a, cog, change, words
):
    post_create(side_a.client)
    recense = Recense.objects.get()
    url = reverse("recensement:edit", args=[recense.pk])
    # Before the attestation is delivered, nothing is asked.
    assert side_a.client.post(url, form_data(etablissement="Lycée Maupertuis")).status_code == 302
    side_a.client.post(
        reverse("recensement:attestation", args=[recense.pk]), {"signataire": "maire"}
    )
    # A field the attestation does not print: saved at once.
    assert (
        side_a.client.post(url, form_data(etablissement="Lycée Chateaubriand")).status_code == 302
    )

    asked = side_a.client.post(url, form_data(**change))
    assert asked.status_code == 200
    assert "L&#x27;attestation de recensement a été délivrée le 10/02/2026" in asked.text
    assert words in asked.text
    assert "l&#x27;attestation imprimée ne correspondra plus" in asked.text
    assert 'name="confirme_attestation"' in asked.text
    recense.refresh_from_db()
    assert (recense.nom_naissance, recense.prenoms) == ("Lefèvre", "Chloé Marie")

    confirmed = side_a.client.post(url, form_data(**change, confirme_attestation="on"))
    assert confirmed.status_code == 302
    recense.refresh_from_db()
    assert recense.nom_naissance == change.get("nom_naissance", "Lefèvre")
    assert recense.date_naissance == dt.date.fromisoformat(
        change.get("date_naissance", "2010-01-12")
    )


def test_numbering_asks_for_confirmation_saying_what_cannot_be_undone(side_a):
    RecenseFactory(collectivite=side_a.collectivite, date_recensement=dt.date(2025, 11, 3),
                   date_naissance=dt.date(2009, 8, 1), numero_inscription=1)  # fmt: skip
    RecenseFactory.create_batch(
        2,
        collectivite=side_a.collectivite,
        date_recensement=dt.date(2025, 12, 1),
        date_naissance=dt.date(2009, 8, 1),
    )
    quarters = side_a.client.get(reverse("recensement:trimestres")).text
    url = reverse("recensement:numerotation")
    assert f'href="{url}?annee=2025&amp;trimestre=4"' in quarters
    confirmation = side_a.client.get(url, {"annee": "2025", "trimestre": "4"}).text
    assert "2 recensés reçoivent les numéros d'inscription 0002 à 0003" in confirmation
    assert "Cela ne peut pas être défait" in confirmation
    assert "ne peut plus être supprimée" in confirmation
    assert "est en cours" not in confirmation
    # A POST without the confirmation only asks again.
    asked = side_a.client.post(url, {"annee": "2025", "trimestre": "4"})
    assert "Cela ne peut pas être défait" in asked.text
    assert not Recense.objects.filter(numero_inscription=3).exists()
    done = side_a.client.post(url, {"annee": "2025", "trimestre": "4", "confirme": "1"})
    assert done["Location"] == reverse("recensement:trimestres")
    assert Recense.objects.filter(numero_inscription__isnull=True).count() == 0


def test_the_current_quarter_is_en_cours_and_numbering_it_warns(side_a):
    RecenseFactory(collectivite=side_a.collectivite)  # 10/02/2026: T1 2026 is running
    quarters = side_a.client.get(reverse("recensement:trimestres")).text
    assert '<span class="badge text-bg-info">en cours</span>' in quarters
    confirmation = side_a.client.get(
        reverse("recensement:numerotation"), {"annee": "2026", "trimestre": "1"}
    ).text
    assert "Le trimestre T1 2026 est en cours." in confirmation
    assert "peuvent encore s'y recenser" in confirmation
    assert "1 recensé reçoit le numéro d'inscription 0001" in confirmation


def test_the_numbering_page_without_a_quarter_proposes_the_due_one(side_a):
    page = side_a.client.get(reverse("recensement:numerotation")).text
    assert "Numéroter T4 2025 ?" in page  # on 10/02/2026
