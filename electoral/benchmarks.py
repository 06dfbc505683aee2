"""The "import-reu" benchmark, against the time PostgreSQL takes to COPY the same file into a
bare table, measured in the same run: a first import of a million-line REU extraction (five
audited rows per voter: at most 45 times COPY, as measured when the team withdrew the 4×
target), then the re-import of the next extraction, where 1 % of the lines changed, which a
mairie runs again and again (at most 4 times COPY)."""

import contextlib
import csv
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from electoral.models import BureauDeVote, Electeur, Inscription, Mouvement
from electoral.reu import COLUMNS, ImportReport, apply
from mairie.benchmarks import (
    Benchmark,
    BenchmarkUnavailable,
    free_code_insee,
    pages_pass,
    time_pages,
)
from mairie.models import Affectation, Collectivite, Role

TARGET_RATIO = 4.0
FIRST_IMPORT_LIMIT = 45.0
CHANGED_SHARE = 0.01
COPY_TIMES = 3  # the reference COPY is the median of this many runs


def _words(text: str) -> list[str]:
    return text.split()


HEADER = [
    column.label
    for column in COLUMNS
    if column.field
    not in {
        "departement",
        "info_liste",
        "date_liste",
        "numero_general",
        "circonscription_metropolitaine",
    }
]

SYLLABES = _words(
    "MAR TIN BER NARD DU BOIS LE ROUX PE TIT FOUR NIER GAR MO REAU LAU RENT SI MON MI CHEL FE "
    "VRE DA VID BON NET GI RARD MER CIER BLAN CHARD GUE RIN BOU CHER FAU RE AN DRE KER GOF "
    "VEN HUE TAL MA DEC"
)
PARTICULES = ["", "", "", "", "", "", "LE ", "DE ", "DU ", "D'", "LA "]
PRENOMS = _words(
    "MARIE JEAN PIERRE ANNE LOUIS CLAIRE PAUL SOPHIE JACQUES NATHALIE MICHEL ISABELLE ALAIN "
    "CATHERINE ERIC SYLVIE NICOLAS JULIE THOMAS CAMILLE YANN GWENAELLE ERWAN MAEL LENA "
    "FRANCOISE BERNARD MONIQUE PHILIPPE CHRISTINE DANIEL MARTINE PATRICK NICOLE ANDRE JOSEPH "
    "HELENE ROBERT VALERIE LAURENT SANDRINE STEPHANE CELINE JULIEN EMILIE HUGO LEA LUCAS "
    "CHLOE ENZO MANON GABRIEL EMMA RAPHAEL JADE ARTHUR LOUISE JULES ALICE ADAM INES MATHIS "
    "LOLA NOAH ZOE ETHAN ROSE SACHA ANAIS MAXIME PAULINE ANTOINE MARGAUX"
)
TYPES_VOIE = ["RUE", "RUE", "RUE", "AVENUE", "BOULEVARD", "PLACE", "IMPASSE", "CHEMIN", "ALLEE"]
ECOLES = [
    "ECOLE JULES FERRY",
    "ECOLE DES COURTILLES",
    "GYMNASE DU NAYE",
    "SALLE DU PLATEAU",
    "MAIRIE ANNEXE DE PARAME",
    "ECOLE DE ROTHENEUF",
    "MAISON DE QUARTIER",
    "ECOLE DE LA DECOUVERTE",
    "SALLE DES FETES",
    "ECOLE MARIE DE LA HAYE",
]
NAISSANCES = [
    ("35238", "RENNES", "35"),
    ("29019", "BREST", "29"),
    ("22278", "SAINT-BRIEUC", "22"),
    ("44109", "NANTES", "44"),
    ("75056", "PARIS", "75"),
    ("56121", "LORIENT", "56"),
    ("50502", "SAINT-LO", "50"),
    ("35093", "DINARD", "35"),
    ("22050", "DINAN", "22"),
    ("69123", "LYON", "69"),
]
EUROPEENS = [
    ("ALLEMAGNE", "ALLEMANDE", "BERLIN"),
    ("ROYAUME-UNI", "", "LONDRES"),  # not EU: never drawn for the complementary lists
    ("BELGIQUE", "BELGE", "BRUXELLES"),
    ("ESPAGNE", "ESPAGNOLE", "MADRID"),
    ("ITALIE", "ITALIENNE", "ROME"),
    ("PORTUGAL", "PORTUGAISE", "PORTO"),
    ("POLOGNE", "POLONAISE", "VARSOVIE"),
]
COMPLEMENTS = ["APPARTEMENT {}", "BATIMENT {}", "ESCALIER {}", "CHEZ M. {}"]


def generate(path: Path, size: int, code_insee: str, seed: int = 2026) -> None:
    """A realistic REU extraction of `size` lines, field variant, every value quoted: a few
    hundred streets, about twenty bureaux, some EU citizens on both complementary lists, and the
    usual mess (incomplete birth dates, a few lines without bureau or with an impossible date)."""
    rnd = random.Random(seed)
    surnames = sorted(
        {
            rnd.choice(PARTICULES) + "".join(rnd.choices(SYLLABES, k=rnd.choice((2, 2, 3))))
            for _ in range(60_000)
        }
    )
    streets = []
    for index in range(300):
        bureau = index % 20 + 1
        name = (
            f"{rnd.choice(['DES', 'DU', 'DE LA', 'SAINT'])} {''.join(rnd.choices(SYLLABES, k=2))}"
        )
        streets.append((rnd.choice(TYPES_VOIE), name, bureau))
    bureaux = {
        number: (f"{number:04d}", f"{ECOLES[number % len(ECOLES)]} {number}", f"35{number % 3:02d}")
        for number in range(1, 21)
    }
    numbers: dict[tuple[int, str], int] = {}
    ine = 100_000_000
    # Voters of 19 to 101 years of age, whatever their day of birth: none refused as a minor.
    youngest = timezone.localdate().year - 19
    born_in = (youngest - 82, youngest)
    identities: set[int] = set()
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(HEADER)
        written = 0
        while written < size:
            ine += rnd.randint(1, 7)
            sexe = rnd.choice("MF")
            nom = rnd.choice(surnames)
            usage = rnd.choice(surnames) if sexe == "F" and rnd.random() < 0.3 else ""
            prenoms = " ".join(rnd.sample(PRENOMS, rnd.choice((1, 1, 2, 2, 3))))
            day, month, year = rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(*born_in)
            # One voter per identity (electoral.rules): a namesake is born another day.
            while hash((nom, prenoms, day, month, year)) in identities:
                day = rnd.randint(1, 28)
            identities.add(hash((nom, prenoms, day, month, year)))
            mess = rnd.random()
            if mess < 0.002:
                day, month = 0, 0
            elif mess < 0.0025:
                day = 0
            elif mess < 0.00255:
                day, month = 31, 2
            type_voie, voie, bureau = rnd.choice(streets)
            bureau_code, bureau_libelle, canton = bureaux[bureau]
            if rnd.random() < 0.0001:
                bureau_code = ""
            place = rnd.random()
            european = rnd.random() < 0.035
            if european:
                pays_naissance, nationalite, ville_naissance = rnd.choice(
                    [country for country in EUROPEENS if country[1]]
                )
                naissance = ("", ville_naissance, "")
                draw = rnd.random()
                listes = ["ce", "cm"] if draw < 0.6 else ["cm"] if draw < 0.85 else ["ce"]
            else:
                nationalite, listes = "FRANCAISE", ["p"]
                if place < 0.45:
                    naissance, pays_naissance = (code_insee, "SAINT-MALO", "35"), "FRANCE"
                elif place < 0.93:
                    naissance, pays_naissance = rnd.choice(NAISSANCES), "FRANCE"
                else:
                    pays_naissance, _, ville_naissance = rnd.choice(EUROPEENS)
                    naissance = ("", ville_naissance, "")
            numero = str(rnd.randint(1, 250)) + (" BIS" if rnd.random() < 0.04 else "")
            complement1 = (
                rnd.choice(COMPLEMENTS).format(rnd.randint(1, 60)) if rnd.random() < 0.12 else ""
            )
            complement2 = "RESIDENCE LES MOUETTES" if rnd.random() < 0.03 else ""
            lieu_dit = "LA VILLE AUX OIES" if rnd.random() < 0.02 else ""
            for liste in listes[: size - written]:
                key = (bureau, liste)
                numbers[key] = numbers.get(key, 0) + 1
                writer.writerow(
                    [
                        code_insee,
                        "SAINT-MALO",
                        liste,
                        nom,
                        usage,
                        prenoms,
                        sexe,
                        f"{day:02d}/{month:02d}/{year}",
                        *naissance,
                        pays_naissance,
                        nationalite,
                        numero,
                        type_voie,
                        voie,
                        complement1,
                        complement2,
                        lieu_dit,
                        "35400",
                        "SAINT-MALO",
                        "FRANCE",
                        bureau_code,
                        bureau_libelle,
                        "3502",
                        canton,
                        "" if rnd.random() < 0.003 else str(ine),
                        str(numbers[key]),
                    ]
                )
                written += 1


def _copy_seconds(path: Path, times: int = COPY_TIMES) -> float:
    """COPY of the file, as it is, into a bare table of text columns: the median of `times`
    runs (one run varied from 2.3 to 3.3 s within a session, and every ratio with it)."""
    columns = ", ".join(f"c{index} text" for index in range(len(HEADER)))
    runs = []
    with connection.cursor() as cursor:
        for _ in range(times):
            cursor.execute(f"CREATE TABLE benchmark_reu_copy ({columns})")
            with path.open("rb") as file:
                started = time.perf_counter()
                cursor.cursor.copy_expert(
                    "COPY benchmark_reu_copy FROM STDIN "
                    "WITH (FORMAT csv, DELIMITER ';', HEADER true)",
                    file,
                    size=1 << 16,
                )
                runs.append(time.perf_counter() - started)
            cursor.execute("DROP TABLE benchmark_reu_copy")
    return statistics.median(runs)


def _vacuum(write: Callable[[str], None]) -> None:
    """Removed and rolled-back rows stay in the tables until vacuumed (autovacuum may be off):
    clean up so that the next step, the next run and the application find the tables as they
    were, and their pages written to disk (CHECKPOINT, when the database user may)."""
    if connection.in_atomic_block:
        return  # VACUUM cannot run inside a transaction (the tests')
    started = time.perf_counter()
    audited = [BureauDeVote, Electeur, Inscription]
    models = [Collectivite, get_user_model(), Mouvement, *audited]
    models += [model.history.model for model in audited]
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        # Neither superuser nor pg_checkpoint: the pages are written in their own time.
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")
    write(f"nettoyage (VACUUM) : {time.perf_counter() - started:.1f} s")


def _remove(collectivite: Collectivite) -> None:
    """The benchmark's collectivité and everything the imports wrote for it, in a few set-based
    statements (the ORM's cascade would load a million voters first)."""
    electeurs = "SELECT id FROM electoral_electeur WHERE collectivite_id = %s"
    written = [
        (Inscription.history.model, f"electeur_id IN ({electeurs})"),
        (Electeur.history.model, "collectivite_id = %s"),
        (BureauDeVote.history.model, "collectivite_id = %s"),
        (Mouvement, "collectivite_id = %s"),
        (Inscription, f"electeur_id IN ({electeurs})"),
        (Electeur, "collectivite_id = %s"),
        (BureauDeVote, "collectivite_id = %s"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model, rows in written:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {rows}", [collectivite.pk])
        collectivite.delete()


def _steps(report: ImportReport) -> str:
    return ", ".join(f"{step} {seconds:.2f} s" for step, seconds in report.timings.items())


def changed(source: Path, path: Path, share: float = CHANGED_SHARE, seed: int = 2027) -> dict:
    """The next extraction, where `share` of the lines changed, in thirds: voters who moved
    (another house number), who left (their line is gone: counted absent, never radiated by
    the import) and new voters. Written as `generate` writes, in the same order."""
    rnd = random.Random(seed)
    counts = {"adresses": 0, "partis": 0, "nouveaux": 0}
    field = {name: index for index, name in enumerate(HEADER)}
    ine = 900_000_000
    with (
        source.open(encoding="utf-8", newline="") as old,
        path.open("w", encoding="utf-8", newline="") as new,
    ):
        reader = csv.reader(old, delimiter=";")
        writer = csv.writer(new, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(next(reader))
        for row in reader:
            draw = rnd.random() * 3 / share
            if draw < 1:
                row[field["Numéro de voie"]] = str(rnd.randint(251, 400))
                counts["adresses"] += 1
            elif draw < 2:
                counts["partis"] += 1
                continue
            writer.writerow(row)
            if 2 <= draw < 3:
                ine += 1
                row[field["Nom de naissance"]] += " NOUVEAU"
                row[field["Identifiant national électeur"]] = str(ine)
                writer.writerow(row)
                counts["nouveaux"] += 1
    return counts


def run(size: int, write: Callable[[str], None]) -> bool:
    if connection.vendor != "postgresql":
        raise BenchmarkUnavailable(
            "Le banc d'essai import-reu compare l'import à COPY FROM : il faut PostgreSQL "
            "(DATABASE_URL=postgres://…)."
        )
    with tempfile.TemporaryDirectory() as folder:
        path, next_path = Path(folder) / "reu.csv", Path(folder) / "reu-suivante.csv"
        code = free_code_insee()
        started = time.perf_counter()
        generate(path, size, code)
        counts = changed(path, next_path)
        megabytes = path.stat().st_size / 1e6
        write(
            f"Fichier : {size} lignes, {megabytes:.1f} Mo ; extraction suivante : "
            f"{counts['adresses']} adresses changées, {counts['partis']} lignes en moins, "
            f"{counts['nouveaux']} nouveaux (généré en {time.perf_counter() - started:.1f} s)"
        )
        # The reference COPYs first, each committed and dropped: inside the imports'
        # transaction, the pages they wrote were still being flushed to disk while the next
        # import ran (0.4 to 0.5 s more on a re-import, which is not the import's cost).
        copy = _copy_seconds(path)
        write(f"COPY FROM dans une table nue : {copy:.2f} s (médiane de {COPY_TIMES})")
        next_copy = _copy_seconds(next_path)
        write(f"COPY FROM de l'extraction suivante : {next_copy:.2f} s (médiane de {COPY_TIMES})")
        # The first import is committed, then the tables vacuumed as autovacuum would between
        # two extractions: the re-import finds the voters as a mairie's database holds them, not
        # as a million rows of its own unfinished transaction still being written to disk
        # (1.5 to 2 s more). The collectivité and all it holds are removed at the end.
        collectivite = Collectivite.objects.create(code_insee=code, nom="Banc d'essai REU")
        try:
            user, _ = get_user_model().objects.get_or_create(username="banc-essai-reu")
            started = time.perf_counter()
            report = apply(collectivite, path, user, create_bureaux=True)
            first = time.perf_counter() - started
            write(
                f"premier import dans une collectivité neuve : {first:.2f} s "
                f"({first / copy:.1f} × COPY) — {report.new} nouveaux, {report.changed} "
                f"modifiés, {report.unchanged} inchangés, {report.rejected} rejetés"
            )
            write(f"  étapes : {_steps(report)}")
            _vacuum(write)
            with transaction.atomic():
                started = time.perf_counter()
                again = apply(collectivite, next_path, user, create_bureaux=True)
                reimport = time.perf_counter() - started
                transaction.set_rollback(True)
            write(
                f"ré-import de l'extraction suivante : {reimport:.2f} s "
                f"({reimport / next_copy:.1f} × COPY) — {again.new} nouveaux, {again.changed} "
                f"modifiés, {again.unchanged} inchangés (dont {again.sifted} écartés par "
                f"PostgreSQL sans lecture), {again.rejected} rejetés, {again.absent} absents"
            )
            write(f"  étapes : {_steps(again)}")
        finally:
            _remove(collectivite)
            _vacuum(write)
    first_ratio, ratio = first / copy, reimport / next_copy
    passed = first_ratio <= FIRST_IMPORT_LIMIT and ratio <= TARGET_RATIO
    write(
        f"premier import / COPY : {first_ratio:.1f} (au plus {FIRST_IMPORT_LIMIT:g}) ; "
        f"ré-import (1 % changé) / COPY : {ratio:.1f} (objectif ≤ {TARGET_RATIO:g}) : "
        + ("PASS" if passed else "FAIL")
    )
    return passed


IMPORT_REU = Benchmark(
    name="import-reu",
    help=(
        "premier import d'une extraction REU, puis ré-import de l'extraction suivante (1 % des "
        "lignes changées), chacun comparé à COPY FROM du même fichier dans une table nue ; "
        f"objectifs : premier import au plus {FIRST_IMPORT_LIMIT:g} fois COPY, ré-import au "
        f"plus {TARGET_RATIO:g} fois"
    ),
    default_size=1_000_000,
    run=run,
)


def _pages_run(size: int, write: Callable[[str], None]) -> bool:
    """The voters' list pages over `size` voters imported from a generated extraction."""
    if connection.vendor != "postgresql":
        raise BenchmarkUnavailable(
            "Le banc d'essai pages-electeurs mesure les index de PostgreSQL (trigrammes) : il "
            "faut PostgreSQL (DATABASE_URL=postgres://…)."
        )
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        path = Path(folder) / "reu.csv"
        code = free_code_insee()
        generate(path, size, code)
        collectivite = Collectivite.objects.create(code_insee=code, nom="Banc d'essai pages")
        user, _ = get_user_model().objects.get_or_create(username="banc-essai-pages")
        Affectation.objects.create(user=user, collectivite=collectivite, role=Role.RESPONSABLE)
        started = time.perf_counter()
        report = apply(collectivite, path, user, create_bureaux=True)
        write(f"{report.new} inscriptions importées en {time.perf_counter() - started:.0f} s")
        # In the file's order (INEs grow line by line), not the ids' (given in name order).
        voter = Electeur.objects.filter(collectivite=collectivite).order_by("ine", "id")[size // 2]
        prenom = voter.prenoms.split()[0]
        bureau = BureauDeVote.objects.filter(collectivite=collectivite).order_by("code")[3]
        index = reverse("electoral:index")
        timings = time_pages(
            user,
            [
                ("liste (1re page)", index),
                ("liste (page 2)", f"{index}?page=2"),
                (f"recherche « {voter.nom_naissance} »", f"{index}?q={voter.nom_naissance}"),
                (
                    f"recherche « {prenom} {voter.nom_naissance[:4]} »",
                    f"{index}?q={prenom}+{voter.nom_naissance[:4]}",
                ),
                (f"recherche d'un prénom courant « {prenom} »", f"{index}?q={prenom}"),
                ("filtre bureau", f"{index}?bureau={bureau.pk}"),
                ("filtre liste complémentaire européenne", f"{index}?liste=ce"),
                ("filtre radiés", f"{index}?statut=radies"),
                ("fiche d'un électeur", reverse("electoral:detail", args=[voter.pk])),
            ],
            write,
        )
        transaction.set_rollback(True)
    _vacuum(write)
    return pages_pass(timings, write)


PAGES_ELECTEURS = Benchmark(
    name="pages-electeurs",
    help=(
        "pages de la liste des électeurs (liste, recherche par nom, filtres) sur N électeurs : "
        "requêtes SQL par page, p50/p95 sur 50 requêtes ; objectif p95 ≤ 100 ms à 1 000 000"
    ),
    default_size=1_000_000,
    run=_pages_run,
)
