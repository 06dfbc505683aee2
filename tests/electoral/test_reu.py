import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from electoral import reu as reu_import
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
    TypeMouvement,
    active_count,
)
from electoral.reu import (
    MAX_REJECTED_LINES,
    FileName,
    ImportReport,
    apply,
    preview,
    write_extraction,
)
from electoral.rules import anniversary
from electoral.services import inscrire, modifier, new_electeur, radier
from mairie.models import Collectivite
from mairie.text import search_key
from tests.factories import (
    BureauFactory,
    CollectiviteFactory,
    ElecteurFactory,
    VoieFactory,
    letters,
)

DAY = dt.date(2025, 1, 6)
FIELD_HEADER = [
    "Code commune",
    "Libellé commune",
    "Type de liste",
    "Nom de naissance",
    "Nom d'usage",
    "Prénoms",
    "Sexe",
    "Date de naissance",
    "Code commune de naissance",
    "Libellé commune de naissance",
    "Code département de naissance",
    "Libellé pays de naissance",
    "Nationalité",
    "Numéro de voie",
    "Libellé de voie",
    "Complément 1",
    "Complément 2",
    "Lieu-dit",
    "Code postal",
    "Commune",
    "Pays",
    "Code du bureau de vote",
    "Libellé du bureau de vote",
    "Circonscription",
    "Canton",
    "Identifiant national électeur",
    "Numéro d'ordre dans le bureau de vote",
]
ARRETE_HEADER = [
    "TypeListe",
    "CodeDepartement",
    "CodeCommune",
    "Civilite",
    "NomdeNaissance",
    "NomDusage",
    "Prenoms",
    "DateDeNaissance",
    "NomComNaissance",
    "DeptNaissance",
    "PaysNaissance",
    "Nationalite",
    "ComplementDeLocalisation1",
    "ComplementDeLocalisation2",
    "NumeroVoie",
    "TypeVoie",
    "LibelleVoie",
    "LieuDit",
    "CodePostal",
    "VilleLocalite",
    "Pays",
    "NomCommune",
    "NoBureauDeVote",
    "NomBureauDeVote",
    "CodeCanton",
    "CodeCirconscription",
]


def voter(**values) -> dict:
    """A line of the field variant: a voter of Saint-Malo (35288) on the liste principale."""
    line = {
        "Code commune": "35288",
        "Libellé commune": "SAINT-MALO",
        "Type de liste": "p",
        "Nom de naissance": "MARTIN",
        "Nom d'usage": "",
        "Prénoms": "JEANNE MARIE",
        "Sexe": "F",
        "Date de naissance": "12/05/1960",
        "Code commune de naissance": "35288",
        "Libellé commune de naissance": "SAINT-MALO",
        "Code département de naissance": "35",
        "Libellé pays de naissance": "FRANCE",
        "Nationalité": "FRANCAISE",
        "Numéro de voie": "3",
        "Libellé de voie": "RUE DES LILAS",
        "Complément 1": "",
        "Complément 2": "",
        "Lieu-dit": "",
        "Code postal": "35400",
        "Commune": "SAINT-MALO",
        "Pays": "FRANCE",
        "Code du bureau de vote": "0001",
        "Libellé du bureau de vote": "ECOLE JULES FERRY",
        "Circonscription": "3502",
        "Canton": "3516",
        "Identifiant national électeur": "",
        "Numéro d'ordre dans le bureau de vote": "",
    }
    line.update({FIELD_NAMES.get(name, name): value for name, value in values.items()})
    return line


FIELD_NAMES = {
    "liste": "Type de liste",
    "nom": "Nom de naissance",
    "usage": "Nom d'usage",
    "prenoms": "Prénoms",
    "sexe": "Sexe",
    "date": "Date de naissance",
    "numero": "Numéro de voie",
    "voie": "Libellé de voie",
    "complement": "Complément 1",
    "bureau": "Code du bureau de vote",
    "libelle_bureau": "Libellé du bureau de vote",
    "ine": "Identifiant national électeur",
    "ordre": "Numéro d'ordre dans le bureau de vote",
    "commune": "Code commune",
}


def quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def write(path, lines, header=FIELD_HEADER, encoding="utf-8", bom=False):
    text = ";".join(quoted(name) for name in header) + "\r\n"
    for line in lines:
        text += ";".join(quoted(line.get(name, "")) for name in header) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


@pytest.fixture
def reu(tmp_path):
    """Write a REU file: reu(lines) or reu(lines, header=..., name=...)."""

    def make(lines, name="reu.csv", **options):
        return write(tmp_path / name, lines, **options)

    return make


THREE = [
    voter(nom="MARTIN", prenoms="JEANNE MARIE", ine="100000001", ordre="4"),
    voter(
        nom="DUPONT",
        prenoms="PIERRE",
        sexe="M",
        date="01/02/1975",
        numero="12 BIS",
        voie="AVENUE DU PORT",
        bureau="0002",
        libelle_bureau="GYMNASE DU NAYE",
        ine="100000002",
        ordre="1",
    ),
    # A German citizen: one voter on both complementary lists, one INE.
    voter(
        liste="ce",
        nom="MÜLLER",
        prenoms="ANNA",
        date="30/06/1988",
        ine="100000003",
        ordre="1",
        **{"Nationalité": "ALLEMANDE", "Libellé pays de naissance": "ALLEMAGNE"},
    ),
    voter(
        liste="cm",
        nom="MÜLLER",
        prenoms="ANNA",
        date="30/06/1988",
        ine="100000003",
        ordre="1",
        **{"Nationalité": "ALLEMANDE", "Libellé pays de naissance": "ALLEMAGNE"},
    ),
]


def outcome(report) -> tuple:
    return (report.new, report.new_voters, report.changed, report.unchanged, report.rejected)


def test_it_imports_the_field_variant(side_a, reu):
    collectivite = side_a.collectivite
    lilas = VoieFactory(collectivite=collectivite, type_voie="Rue", libelle="des Lilas")
    report = apply(collectivite, reu(THREE), side_a.agent, create_bureaux=True)

    assert report.ok and report.applied
    assert (report.lines, *outcome(report)) == (4, 4, 3, 0, 0, 0)
    assert report.bureaux_created == [("0001", "ECOLE JULES FERRY"), ("0002", "GYMNASE DU NAYE")]
    assert report.unknown_columns == [] and report.missing_columns == []
    bureau = BureauDeVote.objects.get(collectivite=collectivite, code="0001")
    assert (bureau.libelle, bureau.canton, bureau.circonscription) == (
        "ECOLE JULES FERRY",
        "3516",
        "3502",
    )
    martin = Electeur.objects.get(collectivite=collectivite, ine="100000001")
    assert (martin.nom_naissance, martin.prenoms, martin.sexe) == ("MARTIN", "JEANNE MARIE", "F")
    assert martin.date_naissance == dt.date(1960, 5, 12)
    assert (martin.numero_voie, martin.libelle_voie, martin.code_postal) == (
        "3",
        "RUE DES LILAS",
        "35400",
    )
    assert martin.voie == lilas  # found by its folded name, as new_electeur does
    assert martin.bureau == bureau
    assert martin.recherche == search_key("MARTIN  JEANNE MARIE")
    muller = Electeur.objects.get(collectivite=collectivite, ine="100000003")
    assert muller.recherche == "MULLER ANNA"
    assert sorted(muller.inscriptions.values_list("liste", flat=True)) == ["ce", "cm"]
    assert muller.nationalite == "ALLEMANDE"
    inscription = martin.inscriptions.get()
    assert (inscription.liste, inscription.bureau, inscription.numero_ordre) == ("p", bureau, 4)
    assert inscription.inscrit_le == dt.date.today()
    movements = Mouvement.objects.filter(collectivite=collectivite)
    assert movements.count() == 4
    movement = movements.get(electeur=martin)
    assert (movement.type, movement.motif, movement.liste) == (
        TypeMouvement.INSCRIPTION,
        MotifInscription.REPRISE_REU,
        "p",
    )
    assert (movement.bureau_apres, movement.cree_par, movement.changements) == (
        bureau,
        side_a.agent,
        {},
    )
    assert movement.date_effet == dt.date.today()


def test_it_imports_the_arrete_variant_with_civilite(side_a, reu):
    lines = [
        {
            "TypeListe": "LP",
            "CodeDepartement": "035",
            "CodeCommune": "35288",
            "Civilite": "Mme",
            "NomdeNaissance": "LE GALL",
            "NomDusage": "KERBRAT",
            "Prenoms": "ANNE",
            "DateDeNaissance": "03/04/1970",
            "NomComNaissance": "BREST",
            "DeptNaissance": "29",
            "PaysNaissance": "FRANCE",
            "NumeroVoie": "8",
            "TypeVoie": "RUE",
            "LibelleVoie": "DE DINAN",
            "CodePostal": "35400",
            "VilleLocalite": "SAINT-MALO",
            "NomCommune": "SAINT-MALO",
            "NoBureauDeVote": "0003",
            "NomBureauDeVote": "MAIRIE",
        },
        {
            "TypeListe": "principale",
            "CodeCommune": "35288",
            "Civilite": "M.",
            "NomdeNaissance": "ROUX",
            "Prenoms": "YANN",
            "DateDeNaissance": "00/00/1953",
            "NoBureauDeVote": "0003",
        },
    ]
    report = apply(
        side_a.collectivite, reu(lines, header=ARRETE_HEADER), side_a.agent, create_bureaux=True
    )

    assert outcome(report) == (2, 2, 0, 0, 0)
    anne = Electeur.objects.get(nom_naissance="LE GALL")
    assert (anne.sexe, anne.nom_usage, anne.type_voie, anne.libelle_voie) == (
        "F",
        "KERBRAT",
        "RUE",
        "DE DINAN",
    )
    assert (anne.naissance_commune, anne.naissance_departement, anne.ine) == ("BREST", "029", "")
    yann = Electeur.objects.get(nom_naissance="ROUX")
    assert (yann.sexe, yann.date_naissance, yann.date_naissance_incomplete) == (
        "M",
        None,
        "00/00/1953",
    )
    # No number in this variant: 1, 2 in the order of the file.
    numbers = Inscription.objects.order_by("numero_ordre").values_list(
        "electeur__nom_naissance", "numero_ordre"
    )
    assert list(numbers) == [("LE GALL", 1), ("ROUX", 2)]
    # Without INE, the identity is the names, the date and the list: a re-import finds them.
    again = apply(
        side_a.collectivite, reu(lines, header=ARRETE_HEADER), side_a.agent, create_bureaux=True
    )
    assert outcome(again) == (0, 0, 0, 2, 0)


def test_messy_lines_are_rejected_with_their_line_numbers(side_a, reu):
    lines = [
        voter(nom="ANCIEN", date="00/00/1953"),  # line 2: kept, date incomplete
        voter(nom="FEVRIER", date="31/02/1990"),  # line 3
        voter(nom="SANSBUREAU", bureau=""),  # line 4
        # Lines 5-6: quoted values with a line break, a quote, a separator, a tab, a backslash.
        voter(
            nom="CIVIL",
            sexe="Mme",
            complement='BAT A\nESCALIER "2"; PORTE 3',
            **{"Complément 2": "RES.\tLES PINS", "Lieu-dit": "LA VILLE\\HAUTE"},
        ),
        voter(nom="", prenoms="", liste="x"),  # line 7
        voter(nom="AILLEURS", commune="75056"),  # line 8
        voter(nom="MOIS", date="00/07/1961"),  # line 9: kept, day unknown
        voter(nom="FORMAT", date="1er juillet 1961"),  # line 10
        voter(nom="LETTRES", bureau="A12"),  # line 11
    ]
    report = apply(side_a.collectivite, reu(lines), side_a.agent, create_bureaux=True)

    assert (report.lines, report.new, report.rejected) == (9, 3, 6)
    assert [(r.number, r.reason) for r in report.rejected_lines] == [
        (3, "date de naissance impossible « 31/02/1990 »"),
        (4, "bureau de vote manquant"),
        (7, "type de liste inconnu « x » ; nom de naissance manquant ; prénoms manquants"),
        (8, "électeur d'une autre commune (code commune 75056)"),
        (10, "date de naissance illisible « 1er juillet 1961 » (JJ/MM/AAAA attendu)"),
        (11, "code du bureau de vote invalide « A12 » (4 chiffres)"),
    ]
    ancien = Electeur.objects.get(nom_naissance="ANCIEN")
    assert (ancien.date_naissance, ancien.date_naissance_incomplete) == (None, "00/00/1953")
    assert Electeur.objects.get(nom_naissance="MOIS").date_naissance_incomplete == "00/07/1961"
    civil = Electeur.objects.get(nom_naissance="CIVIL")
    assert (civil.sexe, civil.complement1) == ("F", 'BAT A\nESCALIER "2"; PORTE 3')
    assert (civil.complement2, civil.lieu_dit) == ("RES.\tLES PINS", "LA VILLE\\HAUTE")


def test_names_outside_the_rule_of_names_are_rejected_with_their_line_numbers(side_a, reu):
    lines = [
        voter(nom="LEFÈVRE", usage="D’ALMEIDA", prenoms="ZOÉ ŸVONNE"),  # line 2: kept
        voter(nom="---", prenoms="PAUL"),  # line 3
        voter(nom="MARTIN", prenoms="JEAN 😀"),  # line 4
        voter(nom="N'DIAYE", usage="<script>"),  # line 5
        voter(nom="DUPONT2", prenoms="ŒDIPE ÆLIS", date="31/02/1990"),  # line 6
    ]
    report = apply(side_a.collectivite, reu(lines), side_a.agent, create_bureaux=True)

    rule = "un nom ne s'écrit qu'en lettres latines (accentuées ou non), espaces, traits d'union "
    assert (report.lines, report.new, report.rejected) == (5, 1, 4)
    assert [(r.number, r.reason) for r in report.rejected_lines] == [
        (3, f"nom de naissance : aucune lettre : {rule}et apostrophes"),
        (4, f"prénoms : caractère non admis « 😀 » : {rule}et apostrophes"),
        (5, f"nom d'usage : caractères non admis « < », « > » : {rule}et apostrophes"),
        (
            6,
            f"nom de naissance : caractère non admis « 2 » : {rule}et apostrophes ; "
            "date de naissance impossible « 31/02/1990 »",
        ),
    ]
    kept = Electeur.objects.get()
    assert (kept.nom_naissance, kept.nom_usage, kept.prenoms) == (
        "LEFÈVRE",
        "D’ALMEIDA",
        "ZOÉ ŸVONNE",
    )


def test_a_file_with_a_missing_required_column_is_refused(side_a, reu):
    header = [name for name in FIELD_HEADER if name != "Code du bureau de vote"]
    report = preview(
        side_a.collectivite,
        reu([voter()], header=header + ["Couleur préférée"]),
        create_bureaux=True,
    )

    assert not report.ok
    assert report.refusal == (
        "Colonnes obligatoires absentes : Code du bureau de vote (NoBureauDeVote). "
        "Le fichier n'est pas importé."
    )
    assert report.missing_columns == ["Code du bureau de vote (NoBureauDeVote)"]
    assert report.unknown_columns == ["Couleur préférée"]
    assert report.lines == 0


def test_an_unknown_column_is_reported_and_ignored(side_a, reu):
    header = ["COMMENTAIRE", *FIELD_HEADER]
    # Headers match whatever their accents, case and punctuation.
    header[header.index("Libellé de voie")] = "LIBELLE_DE_VOIE"
    lines = [{**voter(), "COMMENTAIRE": "rien", "LIBELLE_DE_VOIE": "RUE DES LILAS"}]
    report = apply(
        side_a.collectivite, reu(lines, header=header), side_a.agent, create_bureaux=True
    )

    assert report.ok and report.unknown_columns == ["COMMENTAIRE"]
    assert report.new == 1
    assert Electeur.objects.get().libelle_voie == "RUE DES LILAS"


def test_a_file_not_in_utf8_is_read_as_windows_1252_and_the_report_says_so(side_a, reu):
    lines = [
        {"TypeListe": "p", "NomdeNaissance": "HÉLÈNE", "Prenoms": "ZOÉ", "Civilite": "Mme"},
    ]
    lines[0].update({"DateDeNaissance": "01/02/1980", "NoBureauDeVote": "1"})
    path = reu(lines, header=ARRETE_HEADER, encoding="cp1252")
    report = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)

    assert report.ok and report.encoding == "Windows-1252"
    assert (report.lines, report.new, report.rejected) == (1, 1, 0)
    assert Electeur.objects.get().nom_naissance == "HÉLÈNE"
    assert Electeur.objects.get().bureau.code == "0001"
    utf8 = preview(
        side_a.collectivite, reu(lines, header=ARRETE_HEADER, name="utf8.csv"), create_bureaux=True
    )
    assert utf8.ok and utf8.encoding == ""


def test_empty_and_header_only_files_are_refused_clearly(side_a, tmp_path, reu):
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    assert (
        preview(side_a.collectivite, empty, create_bureaux=True).refusal == "Le fichier est vide."
    )
    header_only = reu([])
    assert preview(side_a.collectivite, header_only, create_bureaux=True).refusal == (
        "Le fichier ne contient que la ligne d'en-tête : aucun électeur."
    )


def test_a_byte_order_mark_is_accepted(side_a, reu):
    report = preview(side_a.collectivite, reu([voter()], bom=True), create_bureaux=True)
    assert report.ok and report.new == 1 and report.unknown_columns == []


def test_preview_writes_nothing(side_a, reu):
    report = preview(side_a.collectivite, reu(THREE), create_bureaux=True)

    assert (report.lines, *outcome(report)) == (4, 4, 3, 0, 0, 0)
    assert [code for code, _ in report.bureaux_created] == ["0001", "0002"]
    assert not report.applied
    for model in (BureauDeVote, Electeur, Inscription):
        assert not model.objects.exists()
        assert not model.history.exists()
    assert not Mouvement.objects.exists()


def test_the_import_tells_each_step_and_how_far_the_reading_is(side_a, reu, monkeypatch):
    monkeypatch.setattr(reu_import, "PROGRESS_EVERY", 2)
    told = []
    apply(side_a.collectivite, reu(THREE), side_a.agent, told.append, create_bureaux=True)

    assert told == [
        "lecture du fichier",
        "lecture du fichier : 2 lignes lues (99\u00a0%)",  # the whole file is read ahead
        "lecture du fichier : 4 lignes lues (99\u00a0%)",
        "rapprochement avec les électeurs déjà connus",
        "classement des lignes : nouvelles, modifiées, inchangées",
        "écriture des électeurs modifiés",
        "écriture des 3 nouveaux électeurs",
        "écriture des inscriptions et des mouvements",
    ]
    told.clear()
    preview(side_a.collectivite, reu(THREE), told.append, create_bureaux=True)
    assert told[-1] == "classement des lignes : nouvelles, modifiées, inchangées"


def test_the_reading_progress_follows_the_file(side_a, tmp_path, monkeypatch):
    monkeypatch.setattr(reu_import, "PROGRESS_EVERY", 1000)
    lines = [voter(nom=f"NOM {letters(index)}", ine=f"2{index:08}") for index in range(5000)]
    told = []
    preview(
        side_a.collectivite, write(tmp_path / "long.csv", lines), told.append, create_bureaux=True
    )

    percents = [int(step.split("(")[1].split("\u00a0")[0]) for step in told if "lues" in step]
    assert len(percents) == 5 and percents == sorted(percents)
    assert 5 <= percents[0] <= 40 and percents[-1] == 99


def test_a_report_survives_a_round_trip_through_json(side_a, reu):
    report = preview(
        side_a.collectivite, reu([*THREE, voter(nom="X", bureau="")]), create_bureaux=True
    )

    assert ImportReport.from_dict(json.loads(json.dumps(report.as_dict()))) == report


def test_a_reimport_of_the_same_file_changes_nothing(side_a, reu):
    path = reu(THREE)
    apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)
    counts = [
        model.objects.count() for model in (Electeur, Inscription, Mouvement, BureauDeVote)
    ] + [model.history.count() for model in (Electeur, Inscription)]

    again = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)

    assert outcome(again) == (0, 0, 0, 4, 0)
    assert (again.bureaux_created, again.absent) == ([], 0)
    assert counts == [
        model.objects.count() for model in (Electeur, Inscription, Mouvement, BureauDeVote)
    ] + [model.history.count() for model in (Electeur, Inscription)]


def test_a_changed_address_is_reported_and_recorded_as_a_modification(side_a, reu):
    apply(side_a.collectivite, reu(THREE), side_a.agent, create_bureaux=True)
    moved = [voter(nom="MARTIN", prenoms="JEANNE MARIE", ine="100000001", numero="5"), *THREE[1:]]

    report = preview(side_a.collectivite, reu(moved, name="suivant.csv"), create_bureaux=True)
    assert outcome(report) == (0, 0, 1, 3, 0)
    report = apply(
        side_a.collectivite, reu(moved, name="suivant.csv"), side_a.agent, create_bureaux=True
    )
    assert outcome(report) == (0, 0, 1, 3, 0)

    martin = Electeur.objects.get(ine="100000001")
    assert martin.numero_voie == "5"
    movement = Mouvement.objects.get(electeur=martin, type=TypeMouvement.MODIFICATION)
    assert (movement.motif, movement.liste, movement.changements) == (
        "adresse",
        "p",
        {"numero_voie": ["3", "5"]},
    )
    assert movement.bureau_avant == movement.bureau_apres == martin.bureau
    assert movement.cree_par == side_a.agent
    latest = martin.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user, latest.numero_voie) == (
        "~",
        side_a.agent,
        "5",
    )


def test_absent_counts_the_collectivites_active_inscriptions_only(side_a, side_b, reu):
    apply(side_a.collectivite, reu(THREE), side_a.agent, create_bureaux=True)
    ajaccio = [{**line, "Code commune": "2A004"} for line in THREE]
    apply(side_b.collectivite, reu(ajaccio, name="ajaccio.csv"), side_b.agent, create_bureaux=True)
    assert Inscription.objects.for_collectivite(side_b.collectivite).actives().count() == 4
    # An inscription without a bureau is still the collectivité's, a radiated one is not.
    mine = Inscription.objects.for_collectivite(side_a.collectivite)
    mine.filter(electeur__ine="100000001").update(bureau=None, numero_ordre=None)
    mine.filter(electeur__ine="100000002").update(radie_le=DAY)

    report = apply(side_a.collectivite, reu(THREE[2:], name="suivant.csv"), side_a.agent)

    # Anna Müller's two lines are there; Jeanne Martin's inscription is not, Pierre Dupont's
    # is radiated, and side B's four are not side A's.
    assert report.absent == 1


def test_a_new_bureau_moves_the_inscription_with_a_new_number(side_a, reu):
    apply(side_a.collectivite, reu(THREE), side_a.agent, create_bureaux=True)
    moved = [voter(nom="MARTIN", prenoms="JEANNE MARIE", ine="100000001", bureau="0002")]

    report = apply(
        side_a.collectivite, reu(moved, name="suivant.csv"), side_a.agent, create_bureaux=True
    )

    assert outcome(report) == (0, 0, 1, 0, 0)
    assert report.absent == 3  # counted, not radiated
    assert Inscription.objects.actives().count() == 4
    martin = Electeur.objects.get(ine="100000001")
    inscription = martin.inscriptions.get()
    assert (martin.bureau.code, inscription.bureau.code, inscription.numero_ordre) == (
        "0002",
        "0002",
        2,  # after DUPONT's 1
    )
    movement = Mouvement.objects.get(electeur=martin, type=TypeMouvement.MODIFICATION)
    assert (movement.motif, movement.changements) == ("bureau", {"bureau": ["0001", "0002"]})
    assert (movement.bureau_avant.code, movement.bureau_apres.code) == ("0001", "0002")
    assert inscription.history.order_by("-history_id").first().history_type == "~"


def test_a_known_voter_joining_another_list_gets_an_inscription_not_a_twin(side_a, reu):
    apply(
        side_a.collectivite, reu([THREE[2]]), side_a.agent, create_bureaux=True
    )  # MÜLLER on the ce list

    report = apply(
        side_a.collectivite, reu(THREE[2:], name="suivant.csv"), side_a.agent, create_bureaux=True
    )

    assert outcome(report) == (1, 0, 0, 1, 0)
    muller = Electeur.objects.get()
    assert sorted(muller.inscriptions.values_list("liste", flat=True)) == ["ce", "cm"]
    assert muller.mouvements.filter(liste="cm", type=TypeMouvement.INSCRIPTION).exists()


def test_a_voter_whose_lines_disagree_takes_the_first_and_stays_put(side_a, reu):
    apply(side_a.collectivite, reu(THREE), side_a.agent, create_bureaux=True)
    # MÜLLER moves to bureau 0002 on the ce line (first) but not on the cm line.
    moved = [*THREE[:2], {**THREE[2], "Code du bureau de vote": "0002"}, THREE[3]]

    report = apply(
        side_a.collectivite, reu(moved, name="suivant.csv"), side_a.agent, create_bureaux=True
    )
    assert outcome(report) == (0, 0, 2, 2, 0)
    muller = Electeur.objects.get(ine="100000003")
    assert muller.bureau.code == "0002"
    bureaux = dict(muller.inscriptions.values_list("liste", "bureau__code"))
    assert bureaux == {"ce": "0002", "cm": "0001"}
    motifs = set(muller.mouvements.filter(type="modification").values_list("motif", flat=True))
    assert motifs == {"bureau"}

    again = apply(
        side_a.collectivite, reu(moved, name="suivant.csv"), side_a.agent, create_bureaux=True
    )
    assert outcome(again) == (0, 0, 0, 4, 0)


@pytest.mark.parametrize("few_lines", [reu_import.FEW_LINES, 0], ids=["few", "many"])
def test_numbers_of_the_file_are_kept_when_free(side_a, reu, monkeypatch, few_lines):
    # "many": the statements of a big import (hashed sets instead of index lookups) give the
    # same numbers.
    monkeypatch.setattr(reu_import, "FEW_LINES", few_lines)
    bureau = BureauFactory(collectivite=side_a.collectivite, code="0001")
    present = ElecteurFactory(collectivite=side_a.collectivite, nom_naissance="DEJA")
    inscrire(present, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None, bureau=bureau)
    assert present.inscriptions.get().numero_ordre == 1
    lines = [
        voter(nom="A", ordre="7"),  # free: kept
        voter(nom="B", ordre="1"),  # taken by DEJA
        voter(nom="C", ordre="7"),  # taken by A, earlier in the file
        voter(nom="D", ordre=""),
        voter(nom="E", ordre="3", liste="cm"),  # another list: its own numbers
    ]
    apply(side_a.collectivite, reu(lines), side_a.agent, create_bureaux=True)

    numbers = dict(
        Inscription.objects.filter(bureau=bureau).values_list(
            "electeur__nom_naissance", "numero_ordre"
        )
    )
    assert numbers == {"DEJA": 1, "A": 7, "B": 8, "C": 9, "D": 10, "E": 3}


def test_an_import_for_one_collectivite_never_touches_another(side_a, side_b, reu):
    bureau_b = BureauFactory(collectivite=side_b.collectivite, code="0001")
    twin = ElecteurFactory(
        collectivite=side_b.collectivite,
        nom_naissance="MARTIN",
        prenoms="JEANNE MARIE",
        date_naissance=dt.date(1960, 5, 12),
        ine="100000001",
        numero_voie="99",
        bureau=bureau_b,
    )
    inscrire(twin, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)

    report = apply(side_a.collectivite, reu(THREE), side_a.agent, create_bureaux=True)

    assert (report.new_voters, report.absent) == (3, 0)
    twin.refresh_from_db()
    assert (twin.numero_voie, twin.bureau, twin.collectivite) == (
        "99",
        bureau_b,
        side_b.collectivite,
    )
    assert Mouvement.objects.filter(collectivite=side_b.collectivite).count() == 1
    assert Electeur.objects.filter(collectivite=side_b.collectivite).count() == 1
    assert BureauDeVote.objects.filter(collectivite=side_b.collectivite).count() == 1


def test_history_records_who_imported_each_voter(side_a, reu):
    apply(side_a.collectivite, reu(THREE), side_a.agent, create_bureaux=True)

    for electeur in Electeur.objects.all():
        record = electeur.history.get()
        assert (record.history_type, record.history_user) == ("+", side_a.agent)
        assert record.history_change_reason == "import de l'extraction REU"
        assert record.nom_naissance == electeur.nom_naissance
    for inscription in Inscription.objects.all():
        assert inscription.history.get().history_user == side_a.agent
    for bureau in BureauDeVote.objects.all():
        assert bureau.history.get().history_user == side_a.agent


@pytest.mark.skipif(connection.vendor != "postgresql", reason="séquences de PostgreSQL")
def test_history_of_an_import_whose_ids_another_collectivite_interleaved(side_a, side_b, reu):
    # Another collectivité took ids between this import's: the audit records are those of
    # this import's rows only, and each of them has one.
    bureau_b = BureauFactory(collectivite=side_b.collectivite, code="0001")
    taken = {}
    with connection.cursor() as cursor:
        for model in (Electeur, Inscription):
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 2")
            cursor.execute("SELECT nextval(%s)", [sequence])
            taken[model] = cursor.fetchone()[0] + 3  # between the next two
    other = ElecteurFactory(id=taken[Electeur], collectivite=side_b.collectivite, bureau=bureau_b)
    Inscription.objects.create(
        id=taken[Inscription],
        electeur=other,
        liste=Liste.PRINCIPALE,
        bureau=bureau_b,
        numero_ordre=1,
        inscrit_le=DAY,
    )

    report = apply(side_a.collectivite, reu(THREE), side_a.agent, create_bureaux=True)

    assert report.new_voters == 3
    imported = Electeur.objects.filter(collectivite=side_a.collectivite)
    ids = sorted(imported.values_list("id", flat=True))
    assert ids[0] < other.id < ids[-1]
    for electeur in imported:
        assert electeur.history.get().history_user == side_a.agent
        for inscription in electeur.inscriptions.all():
            assert inscription.history.get().history_user == side_a.agent
    assert other.history.count() == 1
    assert Inscription.history.filter(id=taken[Inscription]).count() == 1


def test_a_voter_entered_by_hand_is_found_by_name_and_gets_the_ine(side_a, reu):
    bureau = BureauFactory(collectivite=side_a.collectivite, code="0001")
    by_hand = ElecteurFactory(
        collectivite=side_a.collectivite,
        nom_naissance="Martin",
        prenoms="Jeanne-Marie",
        date_naissance=dt.date(1960, 5, 12),
        numero_voie="3",
        type_voie="",
        libelle_voie="RUE DES LILAS",
        ville="SAINT-MALO",
        pays="FRANCE",
        naissance_commune="SAINT-MALO",
        naissance_departement="35",
        naissance_pays="FRANCE",
        nationalite="FRANCAISE",
        bureau=bureau,
    )
    inscrire(by_hand, Liste.PRINCIPALE, MotifInscription.VOLONTAIRE, DAY, None)

    report = apply(
        side_a.collectivite, reu([voter(ine="100000001")]), side_a.agent, create_bureaux=True
    )

    assert outcome(report) == (0, 0, 1, 0, 0)
    by_hand.refresh_from_db()
    assert (by_hand.ine, by_hand.nom_naissance) == ("100000001", "MARTIN")
    movement = Mouvement.objects.get(type=TypeMouvement.MODIFICATION)
    assert movement.motif == "etat_civil"
    assert movement.changements["ine"] == ["", "100000001"]
    assert movement.changements["nom_naissance"] == ["Martin", "MARTIN"]


def test_a_voter_twice_on_the_same_list_is_rejected(side_a, reu):
    lines = [voter(ine="100000001"), voter(ine="100000001", numero="9")]
    report = preview(side_a.collectivite, reu(lines), create_bureaux=True)

    assert (report.new, report.rejected) == (1, 1)
    assert report.rejected_lines[0].number == 3
    assert "ligne 2" in report.rejected_lines[0].reason


def test_rejected_lines_kept_in_memory_are_capped(side_a, reu):
    lines = [voter(nom=letters(index), bureau="") for index in range(MAX_REJECTED_LINES + 5)]
    report = preview(side_a.collectivite, reu(lines), create_bureaux=True)

    assert report.rejected == MAX_REJECTED_LINES + 5
    assert len(report.rejected_lines) == MAX_REJECTED_LINES
    assert report.rejected_lines[-1].number == MAX_REJECTED_LINES + 1


def test_the_command_prints_the_report_and_dry_run_writes_nothing(side_a, reu, capsys):
    path = reu([*THREE, voter(nom="FEVRIER", date="31/02/1990")])
    call_command("import_reu", "--commune", "35288", str(path), "--dry-run", "--creer-bureaux")
    out, err = capsys.readouterr()
    assert "Nouveaux : 4 (dont 3 électeurs)" in out
    assert err.splitlines()[0] == "… lecture du fichier"  # the steps, apart from the report
    assert "… classement des lignes" not in out
    assert "ligne 6 : date de naissance impossible « 31/02/1990 »" in out
    assert "Simulation : rien n'a été enregistré." in out
    assert not Electeur.objects.exists()

    call_command(
        "import_reu",
        "--commune",
        "35288",
        str(path),
        "--utilisateur",
        "agent.a",
        "-v",
        "0",
        "--creer-bureaux",
    )
    out, err = capsys.readouterr()
    assert "Import enregistré." in out and err == ""
    assert Electeur.objects.count() == 3
    assert Mouvement.objects.filter(cree_par=side_a.agent).count() == 4


def test_the_command_refuses_a_wrong_file(side_a, reu):
    header = [name for name in FIELD_HEADER if name != "Prénoms"]
    with pytest.raises(CommandError, match="Colonnes obligatoires absentes : Prénoms"):
        call_command("import_reu", "--commune", "35288", str(reu([voter()], header=header)))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="le banc d'essai mesure COPY : PostgreSQL seulement"
)
def test_the_import_benchmark_measures_copy_and_import(db, capsys):
    try:
        call_command("benchmark", "import-reu", "--size", "2000")
    except CommandError as error:
        assert str(error) == "Objectif non atteint ou banc indisponible : import-reu."
    out = capsys.readouterr().out
    assert "2000 lignes" in out
    assert "COPY FROM" in out and "premier import" in out and "ré-import" in out
    assert "PASS" in out or "FAIL" in out
    # The first import, committed, and all it wrote are removed at the end.
    assert not Electeur.objects.exists() and not Mouvement.objects.exists()
    assert not Collectivite.objects.filter(nom="Banc d'essai REU").exists()


def test_the_benchmark_needs_postgresql(db, capsys):
    if connection.vendor == "postgresql":
        pytest.skip("sur PostgreSQL, le banc d'essai tourne (test précédent)")
    with pytest.raises(CommandError, match="import-reu"):
        call_command("benchmark", "import-reu", "--size", "10")
    assert "indisponible : Le banc d'essai import-reu compare" in capsys.readouterr().out


# -- Files as ELIRE, the préfecture and Excel write them -------------------------------------------

ACTIFS_HEADER = [
    "code du l'ugle",
    "libellé de l'ugle",
    "libellé du type de liste",
    "nom de naissance",
    "nom d'usage",
    "prénoms",
    "sexe",
    "date de naissance",
    "code commune de naissance",
    "libellé commune de naissance",
    "code département de naissance",
    "pays de naissance",
    "libellé nationalité",
    "numéro de voie",
    "libellé de voie",
    "complément 1",
    "complément 2",
    "lieu-dit",
    "code postal",
    "commune",
    "pays",
    "code du bureau de vote",
    "libellé du bureau de vote",
    "code circonscription législative du bureau de vote",
    "libellé canton du bureau de vote",
    "libellé circonscription métropolitaine du bureau de vote",
    "numéro d'ordre dans le bureau de vote",
]


def actif(**values) -> list[str]:
    """A line of a "Listes électeurs actifs" extraction, in ACTIFS_HEADER's order."""
    line = {
        "code du l'ugle": "35288",
        "libellé de l'ugle": "Saint-Malo",
        "libellé du type de liste": "Liste principale",
        "nom de naissance": "MARTIN",
        "nom d'usage": "",
        "prénoms": "Jeanne Marie",
        "sexe": "F",
        "date de naissance": "12/05/1960",
        "code commune de naissance": "35238",
        "libellé commune de naissance": "Rennes",
        "code département de naissance": "35",
        "pays de naissance": "FRANCE",
        "libellé nationalité": "Française",
        "numéro de voie": "3",
        "libellé de voie": "RUE DES LILAS",
        "complément 1": "",
        "complément 2": "",
        "lieu-dit": "",
        "code postal": "35400",
        "commune": "Saint-Malo",
        "pays": "France",
        "code du bureau de vote": "1",
        "libellé du bureau de vote": "ECOLE JULES FERRY",
        "code circonscription législative du bureau de vote": "3502",
        "libellé canton du bureau de vote": "Saint-Malo-1",
        "libellé circonscription métropolitaine du bureau de vote": "",
        "numéro d'ordre dans le bureau de vote": "4",
    }
    line.update(values)
    return [line[name] for name in ACTIFS_HEADER]


def write_actifs(path, lines, separator=";", encoding="utf-8") -> None:
    """As the REU writes it: every field quoted but the last, UTF-8 without BOM, LF."""

    def row(values):
        return separator.join([*(quoted(value) for value in values[:-1]), values[-1]]) + "\n"

    path.write_bytes((row(ACTIFS_HEADER) + "".join(map(row, lines))).encode(encoding))


def test_a_listes_electeurs_actifs_extraction_imports(side_a, tmp_path):
    BureauFactory(collectivite=side_a.collectivite, code="0001")
    path = tmp_path / "listes_electeurs_actifs.csv"
    write_actifs(
        path,
        [
            actif(),
            actif(
                **{
                    "libellé du type de liste": "Liste complémentaire européenne",
                    "nom de naissance": "MÜLLER",
                    "prénoms": "Hanna",
                    "date de naissance": "1961",
                    "code commune de naissance": "",
                    "libellé commune de naissance": "Berlin",
                    "code département de naissance": "99",
                    "pays de naissance": "ALLEMAGNE",
                    "libellé nationalité": "Allemande",
                    "numéro d'ordre dans le bureau de vote": "1",
                }
            ),
        ],
    )
    report = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)

    assert report.ok, report.refusal
    assert (report.unknown_columns, report.rejected_lines) == ([], [])
    assert outcome(report) == (2, 2, 0, 0, 0)
    martin = Electeur.objects.get(nom_naissance="MARTIN")
    assert (martin.naissance_departement, martin.naissance_code_lieu) == ("035", "35238")
    assert (martin.bureau.code, martin.inscriptions.get().liste) == ("0001", Liste.PRINCIPALE)
    muller = Electeur.objects.get(nom_naissance="MÜLLER")
    assert (muller.date_naissance, muller.date_naissance_incomplete) == (None, "00/00/1961")
    assert (muller.naissance_departement, muller.naissance_pays) == ("", "ALLEMAGNE")
    assert muller.inscriptions.get().liste == Liste.EUROPEENNE
    assert not BureauDeVote.objects.exclude(code="0001").exists()


@pytest.mark.parametrize(
    "liste, code",
    [
        ("Liste principale", "p"),
        ("LISTE COMPLEMENTAIRE MUNICIPALE", "cm"),
        ("LCE", "ce"),
        ("lcm", "cm"),
        ("p", "p"),
        ("ce", "ce"),
    ],
)
def test_list_values_may_be_labels_or_codes(side_a, tmp_path, liste, code):
    path = tmp_path / "reu.csv"
    write_actifs(path, [actif(**{"libellé du type de liste": liste})])
    report = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)
    assert report.new == 1 and Inscription.objects.get().liste == code


def test_a_comma_separated_file_saved_by_excel_in_windows_1252_imports(side_a, tmp_path):
    path = tmp_path / "reu.csv"
    write_actifs(path, [actif(**{"nom de naissance": "LEFÈVRE"})], ",", "cp1252")
    report = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)

    assert report.ok and report.encoding == "Windows-1252"
    assert report.new == 1 and Electeur.objects.get().nom_naissance == "LEFÈVRE"


def test_dates_may_carry_a_time(side_a, reu):
    lines = [{"TypeListe": "p", "NomdeNaissance": "HEURE", "Prenoms": "ANNE", "Civilite": "Mme"}]
    lines[0].update({"DateDeNaissance": "04/05/1980 00:00:00", "NoBureauDeVote": "0001"})
    report = apply(
        side_a.collectivite, reu(lines, header=ARRETE_HEADER), side_a.agent, create_bureaux=True
    )
    assert report.new == 1 and Electeur.objects.get().date_naissance == dt.date(1980, 5, 4)


def test_the_file_name_gives_the_list_commune_and_date_no_column_gives(side_a, tmp_path):
    header = [name for name in ACTIFS_HEADER if name not in ("libellé du type de liste",)]
    header = [name for name in header if name not in ("code du l'ugle", "libellé de l'ugle")]
    line = dict(zip(ACTIFS_HEADER, actif(), strict=True))
    path = tmp_path / "export_LCM_com35288_04-12-2026.csv"
    path.write_text(
        ";".join(header) + "\n" + ";".join(line[name] for name in header) + "\n", "utf-8"
    )
    report = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)

    assert report.ok, report.refusal
    assert (report.new, report.extraction_date) == (1, "04/12/2026")
    assert Inscription.objects.get().liste == Liste.MUNICIPALE
    other = path.rename(tmp_path / "export_LP_com75056.csv")
    refused = preview(side_a.collectivite, other, create_bureaux=True)
    assert refused.refusal.startswith("Le nom du fichier désigne la commune 75056")
    unnamed = other.rename(tmp_path / "export.csv")
    assert preview(side_a.collectivite, unnamed, create_bureaux=True).missing_columns == [
        "Type de liste (TypeListe)"
    ]


@pytest.mark.parametrize(
    ("name", "commune"),
    [
        ("export_LP_com2a004_04-12-2026.csv", "2A004"),
        ("export_LP_com97105.csv", "97105"),
        # Not commune codes (Corsica before 1976, a country): the name designates no commune.
        ("export_LP_com20004.csv", ""),
        ("export_LP_com99134.csv", ""),
        ("export_LP_com352880.csv", ""),
    ],
)
def test_the_file_name_designates_a_commune_by_its_insee_code(name, commune):
    assert FileName.of(name).commune == commune


def test_codes_spelt_otherwise_change_nothing(side_a, tmp_path):
    """35 and 035, 1 and 0001, 1004 and 01004 are one code: a file that says what the database
    says, in other spellings, writes nothing."""
    path = tmp_path / "reu.csv"
    write_actifs(path, [actif(**{"code département de naissance": "035"})])
    assert apply(side_a.collectivite, path, side_a.agent, create_bureaux=True).new == 1
    movements = Mouvement.objects.count()
    write_actifs(
        path,
        [
            actif(
                **{
                    "code département de naissance": "35",
                    "code du bureau de vote": "0001",
                    "code du l'ugle": "35288",
                }
            )
        ],
    )
    again = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)
    assert outcome(again) == (0, 0, 0, 1, 0)
    assert Mouvement.objects.count() == movements
    write_actifs(path, [actif(**{"code du bureau de vote": "00001"})])
    assert outcome(apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)) == (
        0,
        0,
        0,
        1,
        0,
    )


def test_a_commune_code_that_lost_its_leading_zero_is_the_same_commune(db, tmp_path):
    bourg = CollectiviteFactory(code_insee="01053", nom="Bourg-en-Bresse")
    path = tmp_path / "reu.csv"
    write_actifs(path, [actif(**{"code du l'ugle": "1053", "code département de naissance": "1"})])
    report = apply(bourg, path, None, create_bureaux=True)
    assert report.new == 1 and Electeur.objects.get().naissance_departement == "001"


@pytest.mark.parametrize("liste", [Liste.PRINCIPALE, Liste.EUROPEENNE, Liste.MUNICIPALE])
def test_our_own_list_file_imports_back_unchanged(side_a, tmp_path, liste):
    """The list CSV the project exports (names with accents, a formula-looking value guarded by
    an apostrophe, a line break inside a value, a birth abroad, an incomplete date, département
    35 written for 035) re-imported: nothing new, nothing changed, no movement, no history."""
    from django.utils import timezone

    from exports.liste_electorale import Extraction, write_csv
    from exports.streaming import no_progress
    from tests.exports import liste_data

    liste_data.build(side_a.collectivite)
    path = tmp_path / "liste.csv"
    with path.open("wb") as file:
        write_csv(Extraction(side_a.collectivite, liste, timezone.localdate()), file, no_progress)
    written = Mouvement.objects.count(), Electeur.history.count(), Inscription.history.count()

    report = apply(side_a.collectivite, path, side_a.agent, create_bureaux=True)

    assert report.ok and report.rejected_lines == []
    assert (report.new, report.changed, report.unchanged) == (0, 0, report.lines)
    assert report.lines == active_count(side_a.collectivite, liste) > 0
    assert (Mouvement.objects.count(), Electeur.history.count()) == written[:2]
    assert Inscription.history.count() == written[2]


def test_the_readme_lists_every_accepted_header_spelling():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for column in reu_import.COLUMNS:
        for name in (column.label, *column.aliases):
            assert f"`{name}`" in readme, name


# -- The sieve (PostgreSQL): unchanged lines are never read in Python, and nothing else changes --


def _state(collectivite) -> tuple:
    """What an import leaves, without ids, dates of the run or history timestamps."""
    from electoral.models import Electeur as E

    voters = sorted(
        tuple(str(value) for value in row)
        for row in E.objects.filter(collectivite=collectivite).values_list(
            *reu_import.ELECTEUR_FIELDS, "bureau__code", "voie_id", "recherche"
        )
    )
    inscriptions = sorted(
        tuple(map(str, row))
        for row in Inscription.objects.filter(electeur__collectivite=collectivite).values_list(
            "electeur__ine", "electeur__nom_naissance", "liste", "bureau__code",
            "numero_ordre", "radie_le",
        )
    )  # fmt: skip
    movements = sorted(
        (
            m.electeur.nom_naissance,
            m.type,
            m.liste,
            m.motif,
            json.dumps(m.changements, sort_keys=True),
        )
        for m in Mouvement.objects.filter(collectivite=collectivite).select_related("electeur")
    )
    return voters, inscriptions, movements, Electeur.history.count(), Inscription.history.count()


def _both_ways(collectivite, path, agent) -> tuple:
    """The import with and without the sieve, each rolled back: reports and what they wrote."""
    from django.db import transaction

    results = []
    for sift in (True, False):
        with transaction.atomic():
            report = apply(collectivite, path, agent, sift=sift, create_bureaux=True)
            results.append((report, _state(collectivite)))
            transaction.set_rollback(True)
    return results


def _comparable(report: ImportReport) -> dict:
    return {**report.as_dict(), "timings": None, "sifted": None}


BASE = [
    voter(nom=f"NOM {letters(n - 1)}", prenoms="ANNE", ine=f"1000000{n:02d}", ordre=str(n))
    for n in range(1, 13)
] + [
    voter(nom="SANSINE", prenoms="PAUL", date="00/00/1953"),
    voter(liste="ce", nom="EUROPE", nationalite="ALLEMANDE", ine="100000099", ordre="1"),
    voter(liste="cm", nom="EUROPE", nationalite="ALLEMANDE", ine="100000099", ordre="1"),
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="le tamis lit le fichier par COPY")
def test_the_sieve_gives_what_the_full_checks_give(side_a, reu):
    collectivite = side_a.collectivite
    assert apply(collectivite, reu(BASE), side_a.agent, create_bureaux=True).new == 15
    # An agent changed a voter since the last file: the file now differs from the database.
    services_voter = Electeur.objects.get(nom_naissance="NOM C")
    from electoral.models import MotifModification
    from electoral.services import modifier, radier

    modifier(
        services_voter,
        {"numero_voie": "99"},
        MotifModification.ADRESSE,
        DAY,
        None,
        bureau=services_voter.bureau,
    )
    radier(Electeur.objects.get(nom_naissance="NOM D"), Liste.PRINCIPALE, "deces", DAY, None)
    lines = [dict(line) for line in BASE]
    lines[0]["Code du bureau de vote"] = "1"  # the same bureau, spelt otherwise
    lines[1]["Code département de naissance"] = "035"  # the same département
    lines[4]["Numéro de voie"] = "5"  # moved
    lines[5]["Nom de naissance"] = " NOM F "  # spaces the checks strip
    lines[6]["Sexe"] = "Mme"  # F, spelt otherwise
    lines[7]["Date de naissance"] = "31/02/1960"  # rejected
    lines[8]["Identifiant national électeur"] = " 100000010"  # NOM J's INE, with a space
    lines[11]["Code du bureau de vote"] = "0002"  # another bureau
    lines.append(voter(nom="NOUVEAU", prenoms="LEA", ine="100000050"))  # new voter
    lines.append(dict(lines[2]))  # NOM C twice on the same list
    lines.append(voter(liste="ce", nom="NOM L", ine="100000012"))  # a second list
    lines[13]["Nationalité"] = ""  # a blank nationality clears nothing
    year = dt.date.today().year
    lines += [  # refused by electoral.rules: a minor, a birth to come, twins
        voter(nom="ENFANT", prenoms="LEO", date=f"01/01/{year - 11}", ine="100000060"),
        voter(nom="FUTUR", prenoms="LEO", date=f"01/01/{year + 1}", ine="100000061"),
        voter(nom="Nom a", prenoms="anne", ine="100000062"),  # NOM A, whom the sieve sets aside
        voter(nom="NOUVEAU", prenoms="LÉA", ine="100000063"),  # the new voter, twice
        voter(nom="ANNEE", prenoms="ZOE", date=f"00/00/{year - 17}"),
        voter(nom="ANNEE", prenoms="MAX", date=f"00/00/{year - 19}"),  # of age whatever the day
        voter(nom="NOM B", prenoms="ANNE"),  # without an INE, the identity of a voter set aside
    ]
    path = reu(lines)

    sifted, full = _both_ways(collectivite, path, side_a.agent)

    # NOM A, NOM B, NOM G (codes spelt otherwise) and the untouched ones went unread.
    assert (sifted[0].sifted, full[0].sifted) == (6, 0)
    assert _comparable(sifted[0]) == _comparable(full[0])
    assert sifted[1] == full[1]
    assert (sifted[0].new, sifted[0].changed, sifted[0].rejected) == (4, 4, 9)
    reasons = {line.number: line.reason for line in sifted[0].rejected_lines}
    assert reasons[20].startswith("moins de 18 ans le ")
    assert reasons[21].startswith("date de naissance dans le futur")
    assert reasons[22].startswith("électeur en double : un électeur de même identité existe")
    assert reasons[23].endswith("même date de naissance qu'à la ligne 17")
    assert reasons[24].startswith("moins de 18 ans le ")
    assert reasons[26].startswith("électeur en double : un électeur de même identité existe")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="le tamis lit le fichier par COPY")
def test_the_sieve_leaves_a_name_the_rule_of_names_refuses_to_the_full_checks(side_a, reu):
    collectivite = side_a.collectivite
    lines = [
        *BASE,
        voter(nom="LEFÈVRE", usage="D’ALMEIDA", prenoms="ZOÉ", ine="100000060", ordre="20"),
        voter(nom="ANCIEN", prenoms="LUC", ine="100000061", ordre="21"),
    ]
    assert (
        apply(collectivite, reu(lines, name="base.csv"), side_a.agent, create_bureaux=True).new
        == 17
    )
    # A name stored before the rule of names existed, which the next file repeats.
    Electeur.objects.filter(ine="100000061").update(nom_naissance="ANCIEN 2")
    lines[-1]["Nom de naissance"] = "ANCIEN 2"

    sifted, full = _both_ways(collectivite, reu(lines), side_a.agent)

    assert _comparable(sifted[0]) == _comparable(full[0])
    assert sifted[1] == full[1]
    assert [r.number for r in full[0].rejected_lines] == [len(lines) + 1]
    # Every line with an INE but the refused one went unread, accented names included.
    assert sifted[0].sifted == len(lines) - 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="le tamis lit le fichier par COPY")
@pytest.mark.parametrize(
    "variant",
    ["codes spelt otherwise", "a rejected code", "fewer columns", "commas", "windows-1252"],
)
def test_the_sieve_and_the_full_checks_agree_on_every_shape_of_file(side_a, reu, variant):
    collectivite = side_a.collectivite
    apply(collectivite, reu(BASE, name="base.csv"), side_a.agent, create_bureaux=True)
    lines, header, options = [dict(line) for line in BASE], FIELD_HEADER, {}
    if variant == "codes spelt otherwise":
        for line in lines:
            line.update({"Sexe": "Mme", "Type de liste": "Liste principale"})
            line["Code département de naissance"] = "035"
    elif variant == "a rejected code":
        lines[3]["Sexe"] = "X"
        lines[4]["Code du bureau de vote"] = "B1"
        lines[5]["Code commune"] = "75056"
    elif variant == "fewer columns":
        header = [name for name in FIELD_HEADER if name not in ("Nom d'usage", "Lieu-dit")]
    elif variant == "windows-1252":
        options["encoding"] = "cp1252"
    path = reu(lines, header=header, **options)
    if variant == "commas":
        path.write_text(path.read_text(encoding="utf-8").replace(";", ","), encoding="utf-8")

    sifted, full = _both_ways(collectivite, path, side_a.agent)

    assert _comparable(sifted[0]) == _comparable(full[0])
    assert sifted[1] == full[1]
    assert full[0].sifted == 0
    assert (sifted[0].sifted > 0) == (variant != "windows-1252")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="le tamis lit le fichier par COPY")
def test_an_import_leaves_none_of_its_work_tables_behind(side_a, reu):
    collectivite = side_a.collectivite
    apply(collectivite, reu(BASE, name="base.csv"), side_a.agent, create_bureaux=True)
    lines = [dict(line) for line in BASE]
    lines[4]["Numéro de voie"] = "5"

    # Its unlogged tables (the file as it is, the coded values, the lines without a voter)
    # are ordinary tables that every session lists: each is dropped at the end.
    report = apply(collectivite, reu(lines), side_a.agent, create_bureaux=True)

    assert report.sifted > 0 and report.changed == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'reu%%'")
        assert cursor.fetchall() == []


# -- Who may be inscribed (electoral.rules): the import reports what the form refuses ----------


def test_minors_impossible_births_and_twins_are_reported_lines_not_voters(side_a, reu, capsys):
    today = dt.date.today()
    year = today.year
    known = ElecteurFactory(
        collectivite=side_a.collectivite, nom_naissance="Lefèvre", ine="100000099"
    )
    inscrire(
        known,
        Liste.PRINCIPALE,
        MotifInscription.VOLONTAIRE,
        DAY,
        None,
        bureau=BureauFactory(collectivite=side_a.collectivite, code="0001"),
    )
    lines = [
        voter(nom="ENFANT", date=f"01/01/{year - 11}", ine="100000001"),  # line 2: 11 years old
        voter(nom="FUTUR", date=f"01/01/{year + 1}", ine="100000002"),  # line 3
        voter(nom="ANCETRE", date=f"01/01/{year - 121}", ine="100000003"),  # line 4
        voter(nom="MARTIN", ine="100000004"),  # line 5
        voter(nom="Martin", prenoms="Jeanne-Marie", ine="100000005"),  # line 6: line 5's twin
        voter(nom="LEFEVRE", prenoms="LOUISE", date="04/05/1980", ine="100000006"),  # line 7
        voter(nom="JEUNE", date=f"00/00/{year - 17}"),  # line 8: a year alone, surely a minor
        voter(nom="MAJEUR", date=f"00/00/{year - 19}"),  # line 9: of age whatever the day
        voter(nom="MOIS", date=f"00/01/{year - 19}"),  # line 10
    ]
    report = apply(side_a.collectivite, reu(lines), side_a.agent, create_bureaux=True)

    assert (report.new, report.rejected) == (3, 6)
    reasons = {line.number: line.reason for line in report.rejected_lines}
    assert reasons[2] == (
        f"moins de 18 ans le {today:%d/%m/%Y}, date d'effet (né(e) le 01/01/{year - 11}, "
        f"18 ans le 01/01/{year + 7})"
    )
    assert reasons[3] == f"date de naissance dans le futur « 01/01/{year + 1} »"
    assert reasons[4] == f"date de naissance il y a plus de 120 ans « 01/01/{year - 121} »"
    assert reasons[6] == (
        "électeur en double : même nom de naissance, mêmes prénoms et même date de naissance "
        "qu'à la ligne 5"
    )
    assert reasons[7] == (
        "électeur en double : un électeur de même identité existe déjà : Lefèvre Louise, "
        "né(e) le 04/05/1980"
    )
    assert reasons[8].startswith(f"moins de 18 ans le {today:%d/%m/%Y}, date d'effet (né(e) le ")
    assert set(Electeur.objects.values_list("nom_naissance", flat=True)) == {
        "Lefèvre", "MARTIN", "MAJEUR", "MOIS"
    }  # fmt: skip

    call_command("import_reu", "--commune", "35288", str(reu(lines)), "--dry-run")
    out = capsys.readouterr().out
    assert f"ligne 3 : date de naissance dans le futur « 01/01/{year + 1} »" in out
    assert "ligne 7 : électeur en double : un électeur de même identité existe déjà" in out


def test_a_voter_without_ine_on_both_complementary_lists_is_one_voter(side_a, reu):
    lines = [
        voter(liste="ce", nom="MÜLLER", prenoms="ANNA", nationalite="ALLEMANDE"),
        voter(liste="cm", nom="MÜLLER", prenoms="ANNA", nationalite="ALLEMANDE"),
    ]
    report = apply(side_a.collectivite, reu(lines), side_a.agent, create_bureaux=True)

    assert outcome(report) == (2, 1, 0, 0, 0)
    assert set(Electeur.objects.get().inscriptions.values_list("liste", flat=True)) == {"ce", "cm"}
    assert outcome(apply(side_a.collectivite, reu(lines), side_a.agent, create_bureaux=True)) == (
        0,
        0,
        0,
        2,
        0,
    )


# -- No bureau created silently -----------------------------------------------------------------


def test_lines_of_an_unknown_bureau_are_rejected_unless_its_creation_is_asked(side_a, reu):
    collectivite = side_a.collectivite
    BureauFactory(collectivite=collectivite, code="0001")
    lines = [
        voter(nom="CONNU", ine="100000001"),
        voter(nom="TROIS", bureau="3", libelle_bureau="SALLE DES FETES", ine="100000002"),
        voter(nom="QUATRE", bureau="0004", libelle_bureau="", ine="100000003"),
        voter(nom="TROISBIS", bureau="0003", ine="100000004"),
    ]
    path = reu(lines)

    seen = preview(collectivite, path)
    done = apply(collectivite, path, side_a.agent)

    for report in (seen, done):
        assert report.unknown_bureaux == [
            ("0003", "SALLE DES FETES", 2), ("0004", "Bureau 0004", 1)
        ]  # fmt: skip
        assert (report.new, report.rejected, report.bureaux_created) == (1, 3, [])
        assert [(r.number, r.reason) for r in report.rejected_lines] == [
            (3, "bureau de vote 0003 inconnu : non créé, ligne non importée"),
            (4, "bureau de vote 0004 inconnu : non créé, ligne non importée"),
            (5, "bureau de vote 0003 inconnu : non créé, ligne non importée"),
        ]
    assert list(BureauDeVote.objects.values_list("code", flat=True)) == ["0001"]
    assert list(Electeur.objects.values_list("nom_naissance", flat=True)) == ["CONNU"]

    # The agent ticks the creation of the bureaux the preview listed: 0003 only, here.
    chosen = apply(collectivite, path, side_a.agent, create_bureaux=["0003"])
    assert (chosen.new, chosen.rejected) == (2, 1)
    assert chosen.bureaux_created == [("0003", "SALLE DES FETES")]
    assert list(BureauDeVote.objects.values_list("code", flat=True)) == ["0001", "0003"]
    assert chosen.rejected_lines[0].number == 4


def test_the_first_import_of_a_commune_creates_its_bureaux_when_asked(side_a, reu, capsys):
    path = reu(THREE)
    call_command("import_reu", "--commune", "35288", str(path))
    out = capsys.readouterr().out
    assert "Bureaux de vote inconnus : 0001 ECOLE JULES FERRY (3 lignes), 0002 GYMNASE" in out
    assert "Bureaux non créés (--creer-bureaux pour les créer)" in out
    assert "ligne 2 : bureau de vote 0001 inconnu : non créé, ligne non importée" in out
    assert not BureauDeVote.objects.exists() and not Electeur.objects.exists()

    call_command("import_reu", "--commune", "35288", str(path), "--creer-bureaux")
    out = capsys.readouterr().out
    assert "Bureaux de vote créés : 0001 ECOLE JULES FERRY, 0002 GYMNASE DU NAYE" in out
    assert BureauDeVote.objects.count() == 2 and Electeur.objects.count() == 3


# Voters as stored (codes normalised as the import stores them), with their bureau's code and
# the lists they join, for the services and the import alike.
TWINS = [
    (
        {
            "sexe": "F",
            "nom_naissance": "CŒUR-L'HAŸ",
            "nom_usage": "de La Fontaine",
            "prenoms": "Zoé Ærwen",
            "date_naissance": dt.date(1960, 5, 12),
            "naissance_code_lieu": "35288",
            "naissance_commune": "SAINT-MALO",
            "naissance_departement": "035",
            "naissance_pays": "FRANCE",
            "numero_voie": "3",
            "type_voie": "RUE",
            "libelle_voie": "DES LILAS",
            "code_postal": "35800",  # the street of that postcode, not the first created
            "ville": "SAINT-MALO",
            "pays": "FRANCE",
            "ine": "200000001",
        },
        "0001",
        ["p"],
    ),
    (
        {
            "sexe": "M",
            "nom_naissance": "MÜLLER",
            "prenoms": "JÜRGEN",
            "date_naissance": dt.date(1975, 2, 1),
            "naissance_code_lieu": "99109",
            "naissance_commune": "BERLIN",
            "naissance_pays": "ALLEMAGNE",
            "nationalite": "ALLEMANDE",
            "numero_voie": "12 BIS",
            "type_voie": "Rue",
            "libelle_voie": "des Lilas",
            "complement1": "Bâtiment A",
            "code_postal": "35400",
            "ville": "SAINT-MALO",
            "ine": "200000002",
        },
        "0001",
        ["ce", "cm"],
    ),
    (
        {
            "sexe": "F",
            "nom_naissance": "LE GALL",
            "prenoms": "ANNE",
            "date_naissance_incomplete": "00/00/1953",
            "lieu_dit": "LA VILLE ES OFFRAYS",
            "code_postal": "35400",
            "ville": "SAINT-MALO",
            "ine": "200000003",
        },
        "0002",
        ["p"],
    ),
]


def _written(collectivite, ines) -> dict[str, dict]:
    """The rows written for these voters, by INE, without ids, timestamps and change reasons."""

    def values(obj, skip=()) -> dict:
        ignored = {"id", "history_id", "history_date", "history_change_reason", "cree_le", *skip}
        return {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in ignored
        }

    rows = {}
    for electeur in Electeur.objects.filter(collectivite=collectivite, ine__in=ines):
        rows[electeur.ine] = {
            "électeur": values(electeur),
            "inscriptions": sorted(
                tuple(values(i, {"electeur_id"}).values()) for i in electeur.inscriptions.all()
            ),
            "mouvements": sorted(
                tuple(values(m, {"electeur_id"}).values()) for m in electeur.mouvements.all()
            ),
            "historique": [values(h) for h in electeur.history.all()],
            "historique des inscriptions": sorted(
                tuple(values(h, {"electeur_id"}).values())
                for h in Inscription.history.filter(electeur_id=electeur.pk)
            ),
        }
    return rows


def test_the_services_and_the_import_write_the_same_voters_inscriptions_and_movements(
    side_a, tmp_path
):
    """The import is the services' set-based twin: inscribing voters one by one (new_electeur,
    inscrire) and importing the same voters write the same rows: the same street (the same
    postcode first), search key, next numbers after the highest active one, movements."""
    collectivite, agent = side_a.collectivite, side_a.agent
    bureaux = {
        code: BureauFactory(collectivite=collectivite, code=code, canton="3516")
        for code in ("0001", "0002")
    }
    lilas = VoieFactory(collectivite=collectivite, libelle="des Lilas", code_postal="35400")
    lilas_paramé = VoieFactory(
        collectivite=collectivite, type_voie="RUE", libelle="DES LILAS", code_postal="35800"
    )
    # Numbers already given: the next after the highest active one, a radiated one not counted.
    for prenoms, liste in (("UN", "p"), ("DEUX", "p"), ("TROIS", "ce")):
        electeur = ElecteurFactory.build(collectivite=collectivite, prenoms=prenoms)
        inscrire(electeur, liste, MotifInscription.VOLONTAIRE, DAY, agent, bureaux["0001"])
    last = Electeur.objects.get(prenoms="DEUX")
    radier(last, "p", MotifRadiation.DECES, DAY, agent)
    ines = [fields["ine"] for fields, _, _ in TWINS]

    def forget() -> None:
        voters = Electeur.objects.filter(ine__in=ines)
        Mouvement.objects.filter(electeur__in=voters).delete()
        Inscription.history.filter(electeur_id__in=voters.values("pk")).delete()
        Inscription.objects.filter(electeur__in=voters).delete()
        Electeur.history.filter(id__in=voters.values("pk")).delete()
        voters.delete()

    today = dt.date.today()
    for fields, code, listes in TWINS:
        electeur = new_electeur(collectivite, **fields)
        for liste in listes:
            inscrire(electeur, liste, MotifInscription.REPRISE_REU, today, agent, bureaux[code])
    by_services = _written(collectivite, ines)
    forget()
    path = tmp_path / "extraction.csv"
    write_extraction(
        path,
        [
            (Electeur(collectivite=collectivite, bureau=bureaux[code], **fields), liste)
            for fields, code, listes in TWINS
            for liste in listes
        ],
    )
    report = apply(collectivite, path, agent)
    assert (report.new, report.new_voters, report.rejected) == (4, 3, 0)
    by_import = _written(collectivite, ines)

    assert by_import == by_services
    coeur, muller, le_gall = (by_import[ine]["électeur"] for ine in ines)
    assert (coeur["voie_id"], muller["voie_id"], le_gall["voie_id"]) == (
        lilas_paramé.pk,
        lilas.pk,
        None,
    )
    assert coeur["recherche"] == "COEUR L HAY DE LA FONTAINE ZOE AERWEN"
    numbers = {
        ine: [numero for liste, _, numero, *_ in by_import[ine]["inscriptions"]] for ine in ines
    }
    assert numbers == {"200000001": [2], "200000002": [2, 1], "200000003": [1]}


def test_an_import_dated_in_the_past_takes_effect_that_day_on_voters_of_age_then(side_a, reu):
    collectivite = side_a.collectivite
    BureauFactory(collectivite=collectivite, code="0001")
    today = dt.date.today()
    takeover = today - dt.timedelta(days=730)
    young = anniversary(today, -18) - dt.timedelta(days=30)  # 18 today, 16 at the takeover
    path = reu(
        [
            voter(nom="MARTIN", ine="300000001"),
            voter(nom="DURAND", date=young.strftime("%d/%m/%Y"), ine="300000002"),
        ]
    )

    report = apply(collectivite, path, side_a.agent, date_effet=takeover)

    assert (report.new, report.rejected) == (1, 1)
    assert "moins de 18 ans" in report.rejected_lines[0].reason
    inscription = Inscription.objects.get(electeur__ine="300000001")
    assert inscription.inscrit_le == takeover
    assert Mouvement.objects.get(electeur__ine="300000001").date_effet == takeover
    with pytest.raises(ValidationError):
        apply(collectivite, path, side_a.agent, date_effet=today + dt.timedelta(days=1))


def test_a_move_through_the_services_and_through_a_reimport_records_the_same_movement(
    side_a, side_b, tmp_path
):
    """Two towns alike, one voter in each; one moves through modifier, the other through the
    next extraction: the same voter, inscription and movement (the street named in both)."""

    def town(collectivite):
        bureaux = [BureauFactory(collectivite=collectivite, code=code) for code in ("0001", "0002")]
        streets = [
            VoieFactory(collectivite=collectivite, libelle=libelle, code_postal="35400")
            for libelle in ("des Lilas", "des Roses")
        ]
        for voie, bureau in zip(streets, bureaux, strict=True):
            Decoupage.objects.create(voie=voie, bureau=bureau)
        return bureaux, streets

    def extraction(collectivite, numero, voie, bureau):
        path = tmp_path / f"{collectivite.code_insee}-{numero}.csv"
        martin = Electeur(
            collectivite=collectivite,
            sexe="F",
            nom_naissance="MARTIN",
            prenoms="ANNE",
            date_naissance=dt.date(1970, 1, 1),
            numero_voie=numero,
            type_voie=voie.type_voie,
            libelle_voie=voie.libelle,
            code_postal="35400",
            ville="SAINT-MALO",
            ine="400000001",
            bureau=bureau,
        )
        write_extraction(path, [(martin, "p")])
        return path

    def written(collectivite) -> tuple:
        electeur = Electeur.objects.get(collectivite=collectivite)
        inscription = electeur.inscriptions.get()
        movement = electeur.mouvements.get(type=TypeMouvement.MODIFICATION)
        return (
            (electeur.numero_voie, str(electeur.voie), electeur.bureau.code),
            (inscription.bureau.code, inscription.numero_ordre),
            (movement.motif, movement.bureau_avant.code, movement.bureau_apres.code),
            movement.changements,
        )

    towns = {}
    for side in (side_a, side_b):
        collectivite = side.collectivite
        (lilas_bureau, _), (lilas, _) = towns[collectivite.pk] = town(collectivite)
        apply(collectivite, extraction(collectivite, "3", lilas, lilas_bureau), None)
    (_, roses_bureau), (_, roses) = towns[side_a.collectivite.pk]
    martin = Electeur.objects.get(collectivite=side_a.collectivite)
    changes = {"numero_voie": "5", "voie": roses, "libelle_voie": roses.libelle}
    modifier(martin, changes, MotifModification.ADRESSE, dt.date.today(), None)
    (_, roses_bureau), (_, roses) = towns[side_b.collectivite.pk]
    collectivite = side_b.collectivite
    report = apply(collectivite, extraction(collectivite, "5", roses, roses_bureau), None)
    assert report.changed == 1

    assert written(side_b.collectivite) == written(side_a.collectivite)
    assert written(side_a.collectivite)[3] == {
        "numero_voie": ["3", "5"],
        "voie": ["Rue des Lilas", "Rue des Roses"],
        "libelle_voie": ["des Lilas", "des Roses"],
        "bureau": ["0001", "0002"],
    }
