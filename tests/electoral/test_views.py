import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from electoral.models import (
    BureauDeVote,
    Decoupage,
    Electeur,
    Inscription,
    Liste,
    Mouvement,
    Parite,
)
from electoral.services import inscrire, modifier, radier
from mairie.models import Pays
from tests.factories import BureauFactory, ElecteurFactory, VoieFactory, letters

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    b1, b2 = BureauFactory(collectivite=c, code="0001"), BureauFactory(collectivite=c, code="0002")
    rue = VoieFactory(collectivite=c, type_voie="Rue", libelle="des Lilas")
    Decoupage.objects.create(voie=rue, parite=Parite.IMPAIRS, bureau=b1)
    Decoupage.objects.create(voie=rue, parite=Parite.PAIRS, bureau=b2)
    return side_a, rue, b1, b2


def voter_form(rue, **overrides) -> dict:
    data = {
        "sexe": "M",
        "nom_naissance": "Lefèvre",
        "prenoms": "Paul",
        "date_naissance": "1970-04-02",
        "naissance_ou": "france",
        "naissance_commune_saisie": "Dinard (35093)",
        "numero_voie": "7",
        "voie": str(rue.pk),
        "liste": "p",
        "motif": "volontaire",
        "date_effet": "2026-03-01",
    }
    data.update(overrides)
    return data


def test_an_agent_inscribes_a_voter_in_the_bureau_of_the_decoupage(town):
    side, rue, b1, _ = town
    response = side.client.post(reverse("electoral:inscription"), voter_form(rue))
    voter = Electeur.objects.get()
    assert response["Location"] == reverse("electoral:detail", args=[voter.pk])
    assert (voter.bureau, voter.libelle_voie, voter.ville) == (b1, "des Lilas", "Saint-Malo")
    assert voter.inscriptions.get().numero_ordre == 1
    assert voter.history.first().history_user == side.agent


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("Ajaccio (2A004)", ("2A004", "Ajaccio", "02A", "France")),
        ("saint-malo", ("35288", "Saint-Malo", "035", "France")),
        ("97105", ("97105", "Basse-Terre", "971", "France")),
    ],
)
def test_the_birth_place_is_a_commune_of_the_reference_with_its_departement(
    town, cog, typed, stored
):
    side, rue, _, _ = town
    side.client.post(
        reverse("electoral:inscription"), voter_form(rue, naissance_commune_saisie=typed)
    )
    voter = Electeur.objects.get()
    assert (
        voter.naissance_code_lieu,
        voter.naissance_commune,
        voter.naissance_departement,
        voter.naissance_pays,
    ) == stored


def test_a_voter_born_abroad_has_a_country_and_a_town(town, cog):
    side, rue, _, _ = town
    espagne = Pays.objects.get(code="99134")
    data = voter_form(
        rue, naissance_ou="etranger", naissance_pays_choix=str(espagne.pk), naissance_ville="Madrid"
    )
    side.client.post(reverse("electoral:inscription"), data)
    voter = Electeur.objects.get()
    assert (voter.naissance_code_lieu, voter.naissance_commune, voter.naissance_pays) == (
        "99134",
        "Madrid",
        "Espagne",
    )
    assert voter.naissance_departement == ""


def test_an_unknown_birth_place_is_refused_next_to_its_field(town, cog):
    side, rue, _, _ = town
    response = side.client.post(
        reverse("electoral:inscription"), voter_form(rue, naissance_commune_saisie="Atlantide")
    )
    assert response.context["form"]["naissance_commune_saisie"].errors == [
        "Commune « Atlantide » introuvable : tapez le début du nom ou le code INSEE et "
        "choisissez dans la liste."
    ]
    assert not Electeur.objects.exists()


def test_the_inscription_form_offers_the_commune_autocomplete_and_no_reprise(town):
    side, _, _, _ = town
    page = side.client.get(reverse("electoral:inscription"))
    field = page.context["form"]["naissance_commune_saisie"]
    assert field.field.widget.attrs["hx-get"] == reverse("commune_autocomplete")
    assert 'datalist id="naissance-communes"' in page.text
    assert "naissance_departement" not in page.context["form"].fields
    motifs = [value for value, _ in page.context["movement"].fields["motif"].choices]
    assert "reprise_reu" not in motifs and "volontaire" in motifs


def test_an_agent_cannot_record_a_reprise_of_the_reu_extraction(town):
    side, rue, _, _ = town
    response = side.client.post(
        reverse("electoral:inscription"), voter_form(rue, motif="reprise_reu")
    )
    assert response.context["movement"]["motif"].errors
    assert not Electeur.objects.exists()


def test_an_untouched_birth_place_outside_the_reference_is_kept_by_a_modification(town):
    side, rue, _, b2 = town
    voter = ElecteurFactory(
        collectivite=side.collectivite,
        voie=rue,
        numero_voie="3",
        naissance_code_lieu="",
        naissance_commune="SAINT-JEAN-DES-CHAMPS",
        naissance_departement="050",
        naissance_pays="FRANCE",
    )
    inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    url = reverse("electoral:modification", args=[voter.pk])
    initial = side.client.get(url).context["form"]["naissance_commune_saisie"].value()
    data = voter_form(rue, naissance_commune_saisie=initial, motif="etat_civil", prenoms="Yves")
    data.update(nom_naissance=voter.nom_naissance, date_naissance=str(voter.date_naissance))
    data["sexe"] = voter.sexe
    assert side.client.post(url, data).status_code == 302
    voter.refresh_from_db()
    assert (voter.prenoms, voter.naissance_commune, voter.naissance_departement) == (
        "Yves",
        "SAINT-JEAN-DES-CHAMPS",
        "050",
    )


def test_bad_input_saves_nothing(town):
    side, rue, _, _ = town
    response = side.client.post(
        reverse("electoral:inscription"), voter_form(rue, nom_naissance="", date_effet="31/02/2026")
    )
    assert response.status_code == 200
    assert "Rien n&#x27;est enregistré" in response.text or "Rien n'est enregistré" in response.text
    assert not Electeur.objects.exists() and not Mouvement.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nom_naissance", "---", "Aucune lettre"),
        ("nom_usage", "<b>Martin</b>", "Caractères non admis « &lt; », « &gt; », « / »"),
        ("prenoms", "Paul 😀", "Caractère non admis « 😀 »"),
        ("prenoms", "Paul2", "Caractère non admis « 2 »"),
    ],
)
def test_a_name_outside_the_rule_of_names_is_refused_next_to_its_field(town, field, value, message):
    side, rue, _, _ = town
    response = side.client.post(reverse("electoral:inscription"), voter_form(rue, **{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert message in response.text
    assert not Electeur.objects.exists() and not Mouvement.objects.exists()


def test_a_name_with_latin_letters_is_stored_composed_and_shown_in_capitals(town):
    side, rue, _, _ = town
    data = voter_form(rue, nom_naissance="N’Diaye-Lefèvre", nom_usage="Cœur", prenoms="E\u0301lise")
    side.client.post(reverse("electoral:inscription"), data)
    voter = Electeur.objects.get()
    assert (voter.nom_naissance, voter.prenoms) == ("N’Diaye-Lefèvre", "Élise")
    for page in (
        side.client.get(reverse("electoral:index")).text,
        side.client.get(reverse("electoral:detail", args=[voter.pk])).text,
    ):
        assert "N’DIAYE-LEFÈVRE" in page and "CŒUR" in page
        assert "N’Diaye-Lefèvre" not in page


def test_an_address_without_bureau_is_refused_with_the_reason(town):
    side, rue, _, _ = town
    other = VoieFactory(collectivite=side.collectivite, libelle="Sans Découpage")
    response = side.client.post(
        reverse("electoral:inscription"), voter_form(rue, voie=str(other.pk)), follow=True
    )
    assert "aucune règle du découpage" in response.text
    assert not Electeur.objects.exists()


def test_moving_house_changes_the_bureau_and_shows_in_the_movements(town):
    side, rue, b1, b2 = town
    side.client.post(reverse("electoral:inscription"), voter_form(rue))
    voter = Electeur.objects.get()
    url = reverse("electoral:modification", args=[voter.pk])
    assert side.client.get(url).status_code == 200
    side.client.post(url, voter_form(rue, numero_voie="12", motif="adresse"))
    voter.refresh_from_db()
    assert voter.bureau == b2
    page = side.client.get(reverse("electoral:detail", args=[voter.pk])).text
    assert "0001 → 0002" in page and "changement d&#x27;adresse" in page


def test_radiation_form_offers_the_voters_lists(town):
    side, rue, _, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    url = reverse("electoral:radiation", args=[voter.pk])
    form = side.client.get(url).context["movement"]
    assert [value for value, _ in form.fields["liste"].choices] == ["p"]
    side.client.post(url, {"liste": "p", "motif": "deces", "date_effet": "2026-04-01"})
    assert voter.inscriptions.get().radie_le == dt.date(2026, 4, 1)


def test_a_radiation_waits_for_the_agent_to_choose_its_motif(town):
    side, rue, _, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    url = reverse("electoral:radiation", args=[voter.pk])
    assert 'value="" selected' in side.client.get(url).text
    response = side.client.post(url, {"liste": "p", "motif": "", "date_effet": "2026-04-01"})
    assert "Ce champ est obligatoire." in response.text
    assert voter.inscriptions.get().radie_le is None


def test_the_list_searches_filters_and_costs_constant_queries(town, side_b):
    side, rue, b1, b2 = town
    for index in range(3):
        voter = ElecteurFactory(
            collectivite=side.collectivite,
            voie=rue,
            numero_voie=str(index + 1),
            nom_naissance=f"DURAND {letters(index)}",
        )
        inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    gone = ElecteurFactory(collectivite=side.collectivite, voie=rue, nom_naissance="PARTI")
    inscrire(gone, Liste.PRINCIPALE, "volontaire", DAY, None)
    radier(gone, Liste.PRINCIPALE, "deces", DAY, None)
    ElecteurFactory(collectivite=side_b.collectivite, nom_naissance="DURAND A")
    url = reverse("electoral:index")

    def names(**params):
        return [e.nom_naissance for e in side.client.get(url, params).context["page"]]

    assert names() == ["DURAND A", "DURAND B", "DURAND C"]
    assert names(q="durand b") == ["DURAND B"]
    assert names(bureau=str(b2.pk)) == ["DURAND B"]
    assert names(statut="radies") == ["PARTI"]
    assert names(liste="ce") == []
    with CaptureQueriesContext(connection) as small:
        side.client.get(url)
    for index in range(60):
        voter = ElecteurFactory(
            collectivite=side.collectivite, voie=rue, numero_voie=str(index + 10)
        )
        inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    with CaptureQueriesContext(connection) as large:
        page = side.client.get(url).context["page"]
    assert len(page) == 50
    assert len(large) == len(small)


def test_bureaux_are_created_counted_and_renumbered(town):
    side, rue, b1, _ = town
    response = side.client.post(
        reverse("electoral:bureau_create"), {"code": "0003", "libelle": "Gymnase"}
    )
    assert response.status_code == 302
    duplicate = side.client.post(
        reverse("electoral:bureau_create"), {"code": "0003", "libelle": "X"}
    )
    assert "Le bureau 0003 existe déjà." in duplicate.text
    for name in ("ZOLA", "ABEL"):
        voter = ElecteurFactory(
            collectivite=side.collectivite, voie=rue, numero_voie="1", nom_naissance=name
        )
        inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    table = side.client.get(reverse("electoral:bureaux")).context["table"]
    assert [(bureau.code, counts) for bureau, counts in table][:2] == [
        ("0001", [2, 0, 0]),
        ("0002", [0, 0, 0]),
    ]
    side.client.post(reverse("electoral:bureau_refonte", args=[b1.pk]), {"liste": "p"})
    numbers = dict(Inscription.objects.values_list("electeur__nom_naissance", "numero_ordre"))
    assert numbers == {"ABEL": 1, "ZOLA": 2}


def test_a_bureau_code_is_four_digits_as_the_ministry_requires(town):
    side, *_ = town
    url = reverse("electoral:bureau_create")
    assert side.client.post(url, {"code": "7", "libelle": "Salle des fêtes"}).status_code == 302
    assert BureauDeVote.objects.filter(collectivite=side.collectivite, code="0007").exists()
    again = side.client.post(url, {"code": "07", "libelle": "Autre"})
    assert "Le bureau 0007 existe déjà." in again.text
    letters = side.client.post(url, {"code": "B1", "libelle": "Autre"})
    assert "Code de bureau invalide « B1 » : 4 chiffres (ex. 0001)." in letters.text


def test_a_rule_that_overlaps_another_is_refused(town):
    side, rue, b1, _ = town
    url = reverse("electoral:voie", args=[rue.pk])
    response = side.client.post(
        url, {"parite": "pairs", "numero_debut": "10", "bureau": str(b1.pk)}
    )
    assert "chevauche une règle existante" in response.text
    assert Decoupage.objects.count() == 2


def test_the_check_page_lists_uncovered_and_doubly_covered_addresses(town):
    side, rue, b1, b2 = town
    port = VoieFactory(collectivite=side.collectivite, libelle="du Port")
    Decoupage.objects.create(voie=port, numero_debut=1, numero_fin=20, bureau=b1)
    Decoupage.objects.create(voie=port, numero_debut=10, numero_fin=30, bureau=b2)
    for numero in ("5", "15", "40"):
        voter = ElecteurFactory(collectivite=side.collectivite, voie=port, numero_voie=numero)
        inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None, bureau=b1)
    problems = side.client.get(reverse("electoral:controle")).context["controle"].problems
    assert sorted((p["numero_voie"], p["problem"][:12]) for p in problems) == [
        ("15", "« 15 Rue du "),
        ("40", "aucune règle"),
    ]


def test_the_history_names_the_street_not_its_id(town):
    side, rue, _, _ = town
    other = VoieFactory(collectivite=side.collectivite, type_voie="Quai", libelle="Duguay-Trouin")
    Decoupage.objects.create(voie=other, bureau=BureauFactory(collectivite=side.collectivite))
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    side.client.post(
        reverse("electoral:modification", args=[voter.pk]),
        voter_form(rue, voie=str(other.pk), motif="adresse"),
    )
    page = side.client.get(reverse("electoral:detail", args=[voter.pk])).text
    assert "voie : Rue des Lilas → Quai Duguay-Trouin" in page


def test_the_dashboard_counts_the_voters_of_the_principal_list(town, side_b):
    side, rue, _, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    ElecteurFactory(collectivite=side_b.collectivite)
    figures = side.client.get(reverse("home")).context["figures"]
    assert ("Électeurs inscrits (liste principale)", 1, "/elections/?liste=p") in figures


def _search_among(town, people):
    """Voters of these names on the principal list; returns what a search of the page finds."""
    side, rue, _, _ = town
    for nom, prenoms in people:
        voter = ElecteurFactory(
            collectivite=side.collectivite, voie=rue, nom_naissance=nom, prenoms=prenoms
        )
        inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    url = reverse("electoral:index")

    def found(q):
        return [
            (e.nom_naissance, e.prenoms) for e in side.client.get(url, {"q": q}).context["page"]
        ]

    return found


def test_a_search_of_several_words_wants_each_of_them_in_any_order(town):
    found = _search_among(town, [("DURAND", "Jean Paul"), ("DURAND", "Paul"), ("MARTIN", "Jeanne")])
    assert found("jean durand") == [("DURAND", "Jean Paul")]
    assert found("Durand  JEAN  jean") == [("DURAND", "Jean Paul")]
    assert sorted(found("jean")) == [("DURAND", "Jean Paul"), ("MARTIN", "Jeanne")]
    assert found("paul martin") == []


def test_a_word_of_one_or_two_letters_must_start_a_word_of_the_name(town):
    found = _search_among(town, [("DU TERTRE", "Pierre"), ("BOUDU", "Pierre"), ("D'ARC", "Jeanne")])
    assert found("pierre du t") == [("DU TERTRE", "Pierre")]
    assert found("du") == [("DU TERTRE", "Pierre")]
    assert found("udu") == [("BOUDU", "Pierre")]  # three letters and more: anywhere in a name
    assert found("d arc") == [("D'ARC", "Jeanne")]
    assert found("je d'") == [("D'ARC", "Jeanne")]


def test_a_search_of_punctuation_alone_lists_everyone_as_no_search_does(town):
    side = town[0]
    found = _search_among(town, [("DURAND", "Paul"), ("MARTIN", "Jeanne")])
    url = reverse("electoral:index")

    def statements(**params) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            side.client.get(url, params)
        # Read now (the next request clears them), without literals and cursor names.
        return [re.sub(r"'[^']*'|_django_curs_\w+", "?", query["sql"]) for query in queries]

    assert statements(q=" - ' ! ") == statements()
    assert found(" - ' ! ") == [("DURAND", "Paul"), ("MARTIN", "Jeanne")]


def test_a_future_date_of_effect_is_refused_next_to_its_field(town):
    side, rue, _, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    url = reverse("electoral:radiation", args=[voter.pk])
    response = side.client.post(
        url, {"liste": "p", "motif": "deces", "date_effet": tomorrow.isoformat()}
    )
    field = response.context["movement"]["date_effet"]
    assert field.errors == [
        f"La date d'effet ({tomorrow:%d/%m/%Y}) ne peut pas être dans le futur : un mouvement "
        f"prend effet au plus tard le jour où il est enregistré "
        f"({timezone.localdate():%d/%m/%Y})."
    ]
    assert voter.inscriptions.get().radie_le is None
    response = side.client.post(
        reverse("electoral:inscription"), voter_form(rue, date_effet=tomorrow.isoformat())
    )
    assert response.context["movement"]["date_effet"].errors
    assert Electeur.objects.count() == 1


def test_modifier_saves_every_field_it_shows_whatever_the_motif(town):
    side, rue, b1, b2 = town
    side.client.post(reverse("electoral:inscription"), voter_form(rue))
    voter = Electeur.objects.get()
    url = reverse("electoral:modification", args=[voter.pk])
    response = side.client.post(
        url,
        voter_form(rue, motif="bureau", bureau=str(b2.pk), prenoms="Paul Marie", nom_usage="Roux"),
    )
    assert response.status_code == 302
    voter.refresh_from_db()
    assert (voter.bureau, voter.prenoms, voter.nom_usage) == (b2, "Paul Marie", "Roux")
    assert voter.inscriptions.get().bureau == b2
    mouvement = voter.mouvements.get(type="modification")
    assert mouvement.changements == {
        "prenoms": ["Paul", "Paul Marie"],
        "nom_usage": ["", "Roux"],
        "bureau": ["0001", "0002"],
    }
    # An address changed under the motif "état civil" is saved too, and moves the voter.
    side.client.post(url, voter_form(rue, motif="etat_civil", numero_voie="9", prenoms="Paul"))
    voter.refresh_from_db()
    assert (voter.numero_voie, voter.prenoms, voter.bureau) == ("9", "Paul", b1)
    assert voter.history.first().history_user == side.agent


def test_a_radiated_voter_offers_no_radiation(town):
    side, rue, _, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(voter, Liste.PRINCIPALE, "volontaire", DAY, None)
    url = reverse("electoral:radiation", args=[voter.pk])
    detail = reverse("electoral:detail", args=[voter.pk])
    assert url in side.client.get(detail).text
    radier(voter, Liste.PRINCIPALE, "deces", DAY, None)
    assert url not in side.client.get(detail).text
    response = side.client.get(url, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert f"{voter} n&#x27;est inscrit(e) sur aucune liste : rien à radier." in response.text
    response = side.client.post(url, {"liste": "p", "motif": "deces", "date_effet": "2026-04-01"})
    assert response["Location"] == detail and voter.mouvements.count() == 2


def test_list_codes_are_shown_with_their_names(town):
    side, rue, _, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(voter, Liste.MUNICIPALE, "volontaire", DAY, None)
    index = side.client.get(reverse("electoral:index")).text
    assert '<abbr title="liste complémentaire municipale">cm</abbr> 1' in index
    assert (
        "Listes : <strong>p</strong> liste principale · <strong>ce</strong> liste "
        "complémentaire européenne · <strong>cm</strong> liste complémentaire municipale."
    ) in index
    detail = side.client.get(reverse("electoral:detail", args=[voter.pk])).text
    assert "<td>liste complémentaire municipale</td>" in detail
    bureaux = side.client.get(reverse("electoral:bureaux")).text
    assert '<th scope="col">Liste complémentaire municipale (cm)</th>' in bureaux


def test_the_check_page_lists_the_voters_whose_bureau_contradicts_the_decoupage(town, side_b):
    side, rue, b1, b2 = town  # odd numbers of the rue des Lilas vote in b1, even ones in b2
    right = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    inscrire(right, Liste.PRINCIPALE, "volontaire", DAY, None)
    wrong = ElecteurFactory(
        collectivite=side.collectivite, voie=rue, numero_voie="4", nom_naissance="AUTREBUREAU"
    )
    inscrire(wrong, Liste.PRINCIPALE, "volontaire", DAY, None, bureau=b1)
    gone = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="6")
    inscrire(gone, Liste.PRINCIPALE, "volontaire", DAY, None, bureau=b1)
    radier(gone, Liste.PRINCIPALE, "deces", DAY, None)
    # Another collectivité's voter in a bureau of its own: not on A's page.
    other = BureauFactory(collectivite=side_b.collectivite, code="0001")
    ElecteurFactory(collectivite=side_b.collectivite, voie=None, bureau=other)
    response = side.client.get(reverse("electoral:controle"))
    controle = response.context["controle"]
    assert controle.contradictions == [(wrong, b2)] and controle.contradictions_total == 1
    assert "AUTREBUREAU" in response.text and str(b2) in response.text
    # Moved to the découpage's bureau, the voter leaves the page.
    modifier(wrong, {}, "bureau", DAY, None, bureau=b2)
    assert side.client.get(reverse("electoral:controle")).context["controle"].contradictions == []


def test_a_minor_is_refused_next_to_the_birth_date(town):
    side, rue, _, _ = town
    response = side.client.post(
        reverse("electoral:inscription"), voter_form(rue, date_naissance="2014-03-02")
    )
    assert response.status_code == 200
    errors = re.findall(r'id="error_\d+_id_date_naissance"[^>]*>\s*<strong>([^<]*)', response.text)
    assert errors and "Moins de 18 ans le 01/03/2026" in errors[0]
    assert not Electeur.objects.exists() and not Mouvement.objects.exists()


def test_a_second_voter_with_the_same_identity_is_refused_with_a_link_to_the_first(town):
    side, rue, _, _ = town
    side.client.post(reverse("electoral:inscription"), voter_form(rue))
    first = Electeur.objects.get()
    response = side.client.post(
        reverse("electoral:inscription"),
        voter_form(rue, nom_naissance="LEFEVRE", prenoms="paul", numero_voie="9"),
    )
    assert response.status_code == 200
    assert "Un électeur de même identité existe déjà : Lefèvre Paul, né(e) le 02/04/1970" in (
        response.text
    )
    assert reverse("electoral:detail", args=[first.pk]) in response.text
    assert Electeur.objects.count() == 1 and Mouvement.objects.count() == 1
