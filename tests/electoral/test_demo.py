import datetime
from collections import Counter, defaultdict
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from electoral.demo import Inscrire, Modifier, Radier, create_electeurs, demo_steps
from electoral.models import (
    BureauDeVote,
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
    Voie,
    born_abroad,
)
from electoral.reu import HISTORY_REASON
from electoral.services import inscrire, modifier, radier, resolve_bureau
from exports.liste_electorale import Extraction
from mairie.models import Collectivite

NOW = datetime.datetime(2026, 11, 23, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
EUROPEENS = {
    "Portugal",
    "Espagne",
    "Italie",
    "Belgique",
    "Allemagne",
    "Roumanie",
    "Pays-Bas",
    "Pologne",
}


@pytest.fixture
def today() -> datetime.date:
    with time_machine.travel(NOW, tick=False):
        yield NOW.date()


@pytest.fixture
def town(side_a, today) -> Collectivite:
    create_electeurs(side_a.collectivite, 2000)
    return side_a.collectivite


def demo(count: int) -> str:
    out = StringIO()
    call_command("demo", "--electeurs", str(count), "--recenses", "0", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "bureaux": BureauDeVote.objects.count(),
        "voies": Voie.objects.count(),
        "règles": Decoupage.objects.count(),
        "électeurs": Electeur.objects.count(),
        "inscriptions": Inscription.objects.count(),
        "mouvements": Mouvement.objects.count(),
        "historique électeurs": Electeur.history.count(),
        "historique inscriptions": Inscription.history.count(),
    }


def test_running_again_creates_nothing_and_a_larger_count_tops_up(db, today):
    out = demo(120)
    assert "Saint-Malo : 120 électeurs créés" in out
    assert "Ajaccio : 120 électeurs créés" in out
    first = counts()
    assert first["bureaux"] == 4  # two per collectivité
    assert first["voies"] == 10  # five per collectivité
    assert first["électeurs"] == 240
    before = set(Electeur.objects.values_list("pk", flat=True))

    assert "Saint-Malo : 0 électeurs créés" in demo(120)
    assert counts() == first

    assert "Ajaccio : 280 électeurs créés" in demo(400)
    for collectivite in Collectivite.objects.all():
        assert Electeur.objects.filter(collectivite=collectivite).count() == 400
        assert Voie.objects.filter(collectivite=collectivite).count() == 10
    assert before < set(Electeur.objects.values_list("pk", flat=True))
    assert counts()["règles"] >= first["règles"]
    assert Electeur.history.filter(history_type="+").count() == 800


def test_the_decoupage_sends_every_number_of_a_street_to_exactly_one_bureau(town):
    bureaux = BureauDeVote.objects.filter(collectivite=town)
    assert list(bureaux.values_list("code", flat=True)) == ["0001", "0002", "0003"]
    assert all(bureau.libelle and bureau.adresse for bureau in bureaux)
    voies = Voie.objects.filter(collectivite=town).prefetch_related("decoupages")
    assert len(voies) == 50
    kinds = Counter()
    for voie in voies:
        rules = list(voie.decoupages.all())
        parites = {rule.parite for rule in rules}
        ranged = any(rule.numero_fin is not None for rule in rules)
        kinds[(len(rules) > 1, tuple(sorted(parites)), ranged)] += 1
        for numero in range(0, 301):
            assert sum(rule.covers(numero) for rule in rules) == 1, (voie, numero)
        assert sum(rule.covers(None) for rule in rules) == (len(rules) == 1)
    assert kinds[(False, (Parite.TOUS,), False)] > 25  # whole streets
    assert kinds[(True, (Parite.IMPAIRS, Parite.PAIRS), False)]  # odd / even
    assert kinds[(True, (Parite.TOUS,), True)]  # by number ranges
    assert kinds[(True, (Parite.IMPAIRS, Parite.PAIRS), True)]  # even numbers by ranges


def test_every_voter_votes_where_the_decoupage_sends_their_current_address(town):
    voters = Electeur.objects.filter(collectivite=town).prefetch_related(
        "voie__decoupages__bureau", "inscriptions"
    )
    assert len(voters) == 2000
    for voter in voters:
        assert voter.bureau == resolve_bureau(voter.voie, voter.numero_voie).bureau
        assert voter.adresse.endswith(str(voter.voie))
        for inscription in voter.inscriptions.all():
            if inscription.radie_le is None:
                assert inscription.bureau_id == voter.bureau_id
    sizes = Counter(voter.bureau.code for voter in voters)
    assert min(sizes.values()) > 300


def test_numbers_are_unique_and_follow_on_in_each_bureau_list(town):
    numbers = defaultdict(list)
    for bureau, liste, numero in Inscription.objects.actives().values_list(
        "bureau__code", "liste", "numero_ordre"
    ):
        numbers[bureau, liste].append(numero)
    left = set()  # lists a voter left: by radiation or by moving to another bureau
    for mouvement in Mouvement.objects.exclude(type=TypeMouvement.INSCRIPTION):
        if mouvement.bureau_avant != mouvement.bureau_apres:
            left.add((mouvement.bureau_avant.code, mouvement.liste))
    for key, given in numbers.items():
        assert len(given) == len(set(given)), key
        if key not in left:
            assert sorted(given) == list(range(1, len(given) + 1)), key
    assert {liste for _, liste in numbers} == {"p", "ce", "cm"}


def test_eu_citizens_are_on_the_complementary_lists_with_their_nationality(town):
    listes = defaultdict(set)
    for electeur, liste in Inscription.objects.values_list("electeur", "liste"):
        listes[electeur].add(liste)
    voters = {voter.pk: voter for voter in Electeur.objects.filter(collectivite=town)}
    europeens = [pk for pk, on in listes.items() if on != {Liste.PRINCIPALE}]
    assert 0.02 * len(voters) < len(europeens) < 0.09 * len(voters)
    assert Liste.PRINCIPALE not in set().union(*(listes[pk] for pk in europeens))
    assert sum(listes[pk] == {Liste.EUROPEENNE, Liste.MUNICIPALE} for pk in europeens) > 10
    assert {voters[pk].nationalite for pk in europeens} <= EUROPEENS
    assert len({voters[pk].nationalite for pk in europeens}) >= 4
    assert all(not v.nationalite for pk, v in voters.items() if pk not in set(europeens))


def test_the_demo_voters_fill_every_mandatory_column_of_the_list_files(town, today):
    for liste in (Liste.PRINCIPALE, Liste.EUROPEENNE, Liste.MUNICIPALE):
        extraction = Extraction(town, liste, today)
        assert extraction.inscriptions().exists()
        assert extraction.problems() == []
    assert Electeur.objects.filter(born_abroad(), collectivite=town).count() > 50


def test_two_years_of_inscriptions_radiations_and_changes_of_address(town, today):
    movements = Mouvement.objects.filter(collectivite=town)
    by_type = Counter((m.type, m.motif) for m in movements)
    for kind, motif in [
        (TypeMouvement.INSCRIPTION, MotifInscription.REPRISE_REU),
        (TypeMouvement.INSCRIPTION, MotifInscription.VOLONTAIRE),
        (TypeMouvement.INSCRIPTION, MotifInscription.OFFICE_JEUNE),
        (TypeMouvement.RADIATION, MotifRadiation.DECES),
        (TypeMouvement.RADIATION, MotifRadiation.AUTRE_COMMUNE),
        (TypeMouvement.MODIFICATION, MotifModification.ADRESSE),
        (TypeMouvement.MODIFICATION, MotifModification.ETAT_CIVIL),
    ]:
        assert by_type[kind, motif], (kind, motif)
    assert by_type[TypeMouvement.RADIATION, MotifRadiation.DECES] > 20
    assert by_type[TypeMouvement.MODIFICATION, MotifModification.ADRESSE] > 80
    dates = [m.date_effet for m in movements]
    assert datetime.date(2024, 11, 22) < min(dates) and max(dates) <= today
    assert len({d.year for d in dates}) == 3
    radiations = movements.filter(type=TypeMouvement.RADIATION)
    assert Inscription.objects.filter(radie_le__isnull=False).count() == radiations.count()
    moved = movements.filter(type=TypeMouvement.MODIFICATION, motif=MotifModification.ADRESSE)
    assert all("voie" in m.changements or "numero_voie" in m.changements for m in moved)
    assert any("bureau" in m.changements for m in moved)
    young = movements.filter(motif=MotifInscription.OFFICE_JEUNE).select_related("electeur")
    assert all(m.electeur.date_naissance.year == m.date_effet.year - 18 for m in young)


def test_a_moved_voter_s_history_keeps_the_old_then_the_new_address(town):
    assert Electeur.history.filter(history_type="+").count() == 2000
    created = Inscription.history.filter(history_type="+").count()
    assert created == Inscription.objects.count()
    mouvement = Mouvement.objects.filter(changements__has_key="bureau").first()
    records = list(mouvement.electeur.history.order_by("history_date"))
    addresses = [(record.numero_voie, record.voie_id, record.bureau_id) for record in records]
    old, new = mouvement.changements["bureau"]
    assert records[0].bureau.code == old
    assert records[-1].bureau.code == new == mouvement.electeur.bureau.code
    assert addresses[0] != addresses[-1]
    inscription = mouvement.electeur.inscriptions.get(liste=mouvement.liste)
    assert [r.bureau.code for r in inscription.history.order_by("history_date")][-2:] == [old, new]


def _rows(collectivite: Collectivite) -> dict[str, dict]:
    """What the movements wrote, voter by voter (by INE), without ids, timestamps and the
    history's change reason (the import names itself there)."""

    def values(obj, skip=()) -> dict:
        return {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in {"id", "history_id", "history_date", "history_change_reason", *skip}
        }

    rows = {}
    for voter in Electeur.objects.filter(collectivite=collectivite):
        inscriptions = Inscription.history.filter(electeur_id=voter.pk)
        rows[voter.ine] = {
            "électeur": values(voter),
            "inscriptions": sorted(
                tuple(values(i, {"electeur_id"}).values()) for i in voter.inscriptions.all()
            ),
            "mouvements": [
                values(m, {"electeur_id", "cree_le"})
                for m in voter.mouvements.order_by("cree_le", "id")
            ],
            "historique": [values(h) for h in voter.history.order_by("history_date", "history_id")],
            "historique des inscriptions": [
                values(h, {"electeur_id"})
                for h in inscriptions.order_by("history_date", "history_id")
            ],
        }
    return rows


def test_the_demo_writes_through_the_import_the_rows_the_services_write(side_a, today):
    collectivite = side_a.collectivite
    assert create_electeurs(collectivite, 300) == 300
    bulk = _rows(collectivite)
    # The takeover came in through the REU import, each later movement through a service.
    reasons = Counter(Electeur.history.values_list("history_type", "history_change_reason"))
    taken_over = Mouvement.objects.filter(motif=MotifInscription.REPRISE_REU)
    assert reasons["+", HISTORY_REASON] == taken_over.values("electeur").distinct().count() > 200
    assert reasons["+", None] == 300 - reasons["+", HISTORY_REASON] > 20

    Mouvement.objects.all().delete()
    Inscription.objects.all().delete()
    Electeur.objects.all().delete()
    Inscription.history.all().delete()
    Electeur.history.all().delete()
    steps = demo_steps(collectivite, 300)
    assert {type(step.op) for step in steps} == {Inscrire, Radier, Modifier}
    for step in steps:
        match step.op:
            case Inscrire(liste=liste, motif=motif):
                inscrire(step.electeur, liste, motif, step.date, None)
            case Radier(liste=liste, motif=motif):
                radier(step.electeur, liste, motif, step.date, None)
            case Modifier(changes=changes, motif=motif):
                modifier(step.electeur, changes, motif, step.date, None)
    by_services = _rows(collectivite)

    assert len(by_services) == 300
    assert bulk == by_services
    # The comparison covered the delicate cases: two lists, a change of bureau, a radiation,
    # and the last number of a list given again after its holder left.
    assert Mouvement.objects.filter(changements__has_key="bureau").exists()
    assert Electeur.objects.filter(nationalite__gt="").exists()
    numbers = ("bureau", "liste", "numero_ordre")
    active = set(Inscription.objects.actives().values_list(*numbers))
    assert active & set(Inscription.objects.filter(radie_le__isnull=False).values_list(*numbers))
