import datetime as dt

import pytest
from django.utils import timezone

from electoral.models import (
    Decoupage,
    Electeur,
    Inscription,
    Liste,
    MotifInscription,
    MotifModification,
    MotifRadiation,
    Mouvement,
    Parite,
    TypeMouvement,
)
from electoral.services import (
    MouvementRefused,
    inscrire,
    modifier,
    radier,
    refonte,
    resolve_bureau,
)
from tests.factories import BureauFactory, ElecteurFactory, VoieFactory

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def town(side_a):
    c = side_a.collectivite
    b1, b2, b3 = (BureauFactory(collectivite=c, code=code) for code in ("0001", "0002", "0003"))
    rue = VoieFactory(collectivite=c, type_voie="Rue", libelle="des Tilleuls")
    Decoupage.objects.create(voie=rue, parite=Parite.IMPAIRS, bureau=b1)
    Decoupage.objects.create(voie=rue, parite=Parite.PAIRS, numero_fin=50, bureau=b2)
    Decoupage.objects.create(voie=rue, parite=Parite.PAIRS, numero_debut=52, bureau=b3)
    return side_a, rue, (b1, b2, b3)


@pytest.mark.parametrize(
    ("numero", "bureau"),
    [
        ("1", "0001"),
        ("3 BIS", "0001"),
        ("2", "0002"),
        ("50", "0002"),
        ("52", "0003"),
        ("1000", "0003"),
    ],
)
def test_the_decoupage_gives_odd_even_and_ranges(town, numero, bureau):
    _, rue, _ = town
    assert resolve_bureau(rue, numero).bureau.code == bureau


def test_an_address_without_rule_or_with_two_rules_is_reported(side_a):
    c = side_a.collectivite
    b1, b2 = BureauFactory(collectivite=c, code="0001"), BureauFactory(collectivite=c, code="0002")
    rue = VoieFactory(collectivite=c, libelle="du Port")
    Decoupage.objects.create(voie=rue, numero_debut=1, numero_fin=20, bureau=b1)
    Decoupage.objects.create(voie=rue, numero_debut=15, numero_fin=40, bureau=b2)
    gap = resolve_bureau(rue, "41")
    assert gap.bureau is None and "aucune règle" in gap.problem
    overlap = resolve_bureau(rue, "16")
    assert overlap.bureau is None and "couvert par 2 règles" in overlap.problem
    assert resolve_bureau(rue, "").bureau is None  # no number: only a whole-street rule fits
    assert resolve_bureau(None, "3").problem == "adresse hors des voies du découpage"


def test_inscription_puts_the_voter_in_the_bureau_of_the_decoupage_with_the_next_number(town):
    side, rue, (b1, _, _) = town
    first = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="7")
    second = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="9")
    inscrire(first, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, side.agent)
    inscription = inscrire(second, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, side.agent)
    assert (inscription.bureau, inscription.numero_ordre) == (b1, 2)
    movement = Mouvement.objects.filter(electeur=second).get()
    assert (movement.type, movement.liste, movement.bureau_apres) == ("inscription", "p", b1)
    assert movement.cree_par == side.agent


def test_a_second_inscription_on_the_same_list_is_refused(town):
    side, rue, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue)
    inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    with pytest.raises(MouvementRefused, match="déjà inscrit"):
        inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)


def test_an_eu_citizen_may_be_on_both_complementary_lists_with_a_number_in_each(town):
    side, rue, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, nationalite="Espagne")
    inscrire(voter, Liste.EUROPEENNE, MotifInscription.VOLONTAIRE, DAY, None)
    inscrire(voter, Liste.MUNICIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    assert sorted(voter.inscriptions.values_list("liste", "numero_ordre")) == [("ce", 1), ("cm", 1)]


def test_joining_a_second_list_records_the_inscription_not_an_empty_change_of_the_voter(town):
    side, rue, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, nationalite="Espagne")
    inscrire(voter, Liste.EUROPEENNE, MotifInscription.VOLONTAIRE, DAY, side.agent)
    voter_records = voter.history.count()
    inscrire(voter, Liste.MUNICIPALE, MotifInscription.VOLONTAIRE, DAY, side.agent)
    assert voter.history.count() == voter_records
    joined = Inscription.objects.get(electeur=voter, liste=Liste.MUNICIPALE)
    assert [(r.history_type, r.history_user) for r in joined.history.all()] == [("+", side.agent)]
    assert Mouvement.objects.filter(electeur=voter, liste=Liste.MUNICIPALE).count() == 1


def test_inscription_without_bureau_is_refused_with_the_reason(side_a):
    rue = VoieFactory(collectivite=side_a.collectivite)
    voter = ElecteurFactory(collectivite=side_a.collectivite, voie=rue)
    with pytest.raises(MouvementRefused, match="aucune règle"):
        inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    assert not Inscription.objects.exists()


def test_radiation_ends_the_inscription_and_keeps_the_reason(town):
    side, rue, (b1, _, _) = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue)
    inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    radier(voter, Liste.PRINCIPALE, MotifRadiation.DECES, dt.date(2026, 5, 2), side.agent)
    assert voter.inscriptions.get().radie_le == dt.date(2026, 5, 2)
    movement = Mouvement.objects.get(type=TypeMouvement.RADIATION)
    assert (movement.motif_label, movement.bureau_avant) == ("décès", b1)
    with pytest.raises(MouvementRefused, match="n'est pas inscrit"):
        radier(voter, Liste.PRINCIPALE, MotifRadiation.DECES, DAY, None)


def test_a_new_address_moves_the_voter_to_the_new_bureau_with_a_new_number(town):
    side, rue, (b1, b2, _) = town
    already = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="4")
    inscrire(already, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="5")
    inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    modifier(voter, {"numero_voie": "8"}, MotifModification.ADRESSE, DAY, side.agent)
    voter.refresh_from_db()
    inscription = voter.inscriptions.get()
    assert (voter.bureau, inscription.bureau, inscription.numero_ordre) == (b2, b2, 2)
    movement = Mouvement.objects.get(type=TypeMouvement.MODIFICATION)
    assert (movement.bureau_avant, movement.bureau_apres) == (b1, b2)
    assert movement.changements == {"numero_voie": ["5", "8"], "bureau": ["0001", "0002"]}


def test_an_explicit_bureau_change_and_a_change_of_name(town):
    side, rue, (b1, _, b3) = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue)
    inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    modifier(voter, {}, MotifModification.BUREAU, DAY, None, bureau=b3)
    voter.refresh_from_db()
    assert voter.bureau == b3
    modifier(voter, {"nom_usage": "MARTIN"}, MotifModification.ETAT_CIVIL, DAY, None)
    voter.refresh_from_db()
    assert (voter.nom_usage, voter.bureau) == ("MARTIN", b3)
    with pytest.raises(MouvementRefused, match="Aucun changement"):
        modifier(voter, {"nom_usage": "MARTIN"}, MotifModification.ETAT_CIVIL, DAY, None)
    assert voter.history.count() >= 3


def test_refonte_renumbers_alphabetically_and_keeps_who_did_it(town):
    side, rue, (b1, _, _) = town
    names = ["ZOLA", "ÉLIE", "MARTIN", "EMERY"]
    voters = [
        ElecteurFactory(collectivite=side.collectivite, voie=rue, nom_naissance=n) for n in names
    ]
    for voter in voters:
        inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    radier(voters[2], Liste.PRINCIPALE, MotifRadiation.DECES, DAY, None)
    assert refonte(b1, Liste.PRINCIPALE, side.agent) == 3
    numbers = dict(
        Inscription.objects.actives().values_list("electeur__nom_naissance", "numero_ordre")
    )
    assert numbers == {"ÉLIE": 1, "EMERY": 2, "ZOLA": 3}
    last = Inscription.objects.get(electeur=voters[0], radie_le__isnull=True).history.first()
    assert (last.history_user, last.history_change_reason) == (side.agent, "refonte du bureau 0001")


def test_the_refonte_command_renumbers_a_bureau(town, capsys):
    from django.core.management import CommandError, call_command

    side, rue, _ = town
    for name in ("ZOLA", "ABEL"):
        voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, nom_naissance=name)
        inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    call_command("refonte", "--commune", "35288", "--bureau", "0001", "--liste", "p")
    assert "Bureau 0001, liste p : 2 renumérotés" in capsys.readouterr().out
    assert Inscription.objects.get(electeur__nom_naissance="ABEL").numero_ordre == 1
    with pytest.raises(CommandError, match="Aucun bureau 0009"):
        call_command("refonte", "--commune", "35288", "--bureau", "0009", "--liste", "p")


def test_no_movement_takes_effect_after_the_day_it_is_recorded(town):
    side, rue, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, numero_voie="3")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(MouvementRefused, match="ne peut pas être dans le futur"):
        inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, tomorrow, None)
    assert not Electeur.objects.filter(pk=voter.pk, bureau__isnull=False).exists()
    inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, timezone.localdate(), None)
    with pytest.raises(MouvementRefused, match="ne peut pas être dans le futur"):
        radier(voter, Liste.PRINCIPALE, MotifRadiation.DECES, tomorrow, None)
    with pytest.raises(MouvementRefused, match="ne peut pas être dans le futur"):
        modifier(voter, {"prenoms": "Yves"}, MotifModification.ETAT_CIVIL, tomorrow, None)
    assert voter.inscriptions.get().radie_le is None
    assert Mouvement.objects.count() == 1


@pytest.mark.parametrize(
    "born, reason",
    [
        (dt.date(2014, 3, 2), "Moins de 18 ans le 01/03/2026"),  # 12 years old
        (dt.date(2027, 1, 1), "Date de naissance dans le futur « 01/01/2027 »"),
        (dt.date(1890, 1, 1), "Date de naissance il y a plus de 120 ans"),
    ],
)
def test_no_minor_and_no_impossible_birth_date_is_inscribed(town, born, reason):
    side, rue, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, date_naissance=born)
    voter.pk = None  # a voter the inscription creates, as the form gives it
    with pytest.raises(MouvementRefused, match=reason):
        inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    assert not Inscription.objects.exists() and not Mouvement.objects.exists()


def test_a_known_voter_joins_another_list_only_when_18_on_that_date(town):
    side, rue, _ = town
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue, date_naissance=None)
    voter.date_naissance_incomplete = "00/06/2008"  # 18 on 30/06/2026 whatever the day
    voter.save()
    with pytest.raises(MouvementRefused, match="moins de 18 ans le 01/03/2026"):
        inscrire(voter, Liste.EUROPEENNE, MotifInscription.VOLONTAIRE, DAY, None)
    inscrire(voter, Liste.EUROPEENNE, MotifInscription.VOLONTAIRE, dt.date(2026, 7, 1), None)


def test_a_second_voter_with_the_same_identity_is_refused(town, side_b):
    side, rue, _ = town
    first = ElecteurFactory(collectivite=side.collectivite, voie=rue, nom_naissance="Lefèvre")
    inscrire(first, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    twin = ElecteurFactory.build(collectivite=side.collectivite, voie=rue, nom_naissance="LEFEVRE")
    with pytest.raises(MouvementRefused, match="même identité existe déjà") as refusal:
        inscrire(twin, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    assert refusal.value.duplicate == first
    assert Inscription.objects.count() == 1
    # The same person in another collectivité is theirs to inscribe.
    elsewhere = ElecteurFactory.build(collectivite=side_b.collectivite, nom_naissance="LEFEVRE")
    bureau = BureauFactory(collectivite=side_b.collectivite)
    inscrire(elsewhere, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None, bureau=bureau)


def test_a_change_of_etat_civil_into_another_voter_s_identity_is_refused(town):
    side, rue, _ = town
    one = ElecteurFactory(collectivite=side.collectivite, voie=rue, nom_naissance="DURAND")
    other = ElecteurFactory(collectivite=side.collectivite, voie=rue, nom_naissance="DURANT")
    for voter in (one, other):
        inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    with pytest.raises(MouvementRefused, match="même identité"):
        modifier(other, {"nom_naissance": "Durand"}, MotifModification.ETAT_CIVIL, DAY, None)
    with pytest.raises(MouvementRefused, match="Moins de 18 ans"):
        modifier(
            other, {"date_naissance": dt.date(2015, 1, 1)}, MotifModification.ETAT_CIVIL, DAY, None
        )
    other.refresh_from_db()
    assert other.nom_naissance == "DURANT" and other.date_naissance == dt.date(1980, 5, 4)


def test_the_services_refuse_a_name_outside_the_rule_of_names(town):
    side, rue, _ = town
    emoji = ElecteurFactory.build(collectivite=side.collectivite, voie=rue, prenoms="Paul 😀")
    with pytest.raises(MouvementRefused, match="Prénoms : caractère non admis « 😀 »") as refusal:
        inscrire(emoji, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    assert refusal.value.field == "prenoms" and not Electeur.objects.exists()
    voter = ElecteurFactory(collectivite=side.collectivite, voie=rue)
    inscrire(voter, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)
    with pytest.raises(MouvementRefused, match="Nom d'usage : aucune lettre"):
        modifier(voter, {"nom_usage": "---"}, MotifModification.ETAT_CIVIL, DAY, None)
    with pytest.raises(MouvementRefused, match="Nom de naissance : caractères non admis"):
        modifier(voter, {"nom_naissance": "<script>"}, MotifModification.ETAT_CIVIL, DAY, None)
    voter.refresh_from_db()
    assert voter.nom_usage == "" and "<" not in voter.nom_naissance
    assert Mouvement.objects.count() == 1
