"""The "liste-csv" and "liste-xml" benchmarks: a list of N voters exported as the exports page
does it (exporter, stored file, hash, progress), against a bare `COPY (SELECT …) TO STDOUT` of
the same rows (same join, filter and order, raw columns) in the same run. Each measure runs in a
fresh Python process, so that its peak memory (VmHWM: see exports.pdf_pool.peak_kb) grows from a
known start.

The N voters are made by SQL (generate_series) in a throwaway collectivité, deleted at the end."""

import datetime
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from lxml import etree

from electoral.models import BureauDeVote, Electeur, Inscription
from exports.liste_electorale import Extraction, schema
from exports.models import Export
from exports.pdf_pool import peak_kb
from mairie import files
from mairie.benchmarks import Benchmark, BenchmarkUnavailable, free_code_insee
from mairie.models import Collectivite

CSV_RATIO, XML_RATIO, MEMORY_MB = 1.5, 4.0, 150
BUREAUX = 40
DATE = datetime.date(2026, 3, 10)


def _words(text: str) -> list[str]:
    return text.split()


NOMS = _words(
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL "
    "LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE "
    "ROUSSEAU VINCENT MULLER LEFEVRE FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER "
    "FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU "
    "KERBRAT TANGUY"
)
PRENOMS = _words(
    "Marie Jean Pierre Anne Louis Claire Paul Sophie Jacques Nathalie Michel Isabelle Alain "
    "Catherine Éric Sylvie Nicolas Julie Thomas Camille Yann Gwenaëlle Erwan Maël Léna Françoise "
    "Hugo Léa Lucas Chloé Enzo Manon Gabriel Emma Raphaël Jade Arthur Louise Jules Alice"
)
VOIES = ["de la Pie", "des Tilleuls", "du Moulin", "Jules Ferry", "de Dinan", "Saint-Vincent"]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(_literal(value) for value in values) + "]"


def _pick(values: list[str], seed: str) -> str:
    return f"({_array(values)})[1 + ({seed}) % {len(values)}]"


def _electeur_columns(collectivite: Collectivite) -> dict[str, str]:
    """Each column of the voter table as an SQL expression of the series number i."""
    nom, prenoms = _pick(NOMS, "i * 7919"), _pick(PRENOMS, "i * 104729")
    bureaux = ", ".join(
        str(pk)
        for pk in BureauDeVote.objects.filter(collectivite=collectivite)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    return {
        "collectivite_id": str(collectivite.pk),
        "sexe": "CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END",
        "nom_naissance": nom,
        "nom_usage": f"CASE WHEN i % 5 = 0 THEN {_pick(NOMS, 'i * 31')} ELSE '' END",
        "prenoms": f"{prenoms} || CASE WHEN i % 3 = 0 THEN ' ' || {_pick(PRENOMS, 'i')} "
        "ELSE '' END",
        "date_naissance": "DATE '1930-01-01' + (i * 37 % 27000)::int",
        "date_naissance_incomplete": "''",
        "naissance_code_lieu": "'35238'",
        "naissance_commune": "'Rennes'",
        "naissance_departement": "'035'",
        "naissance_pays": "'France'",
        "nationalite": "''",
        "numero_voie": "(1 + i % 250)::text",
        "voie_id": "NULL",
        "type_voie": "'Rue'",
        "libelle_voie": _pick(VOIES, "i / 7"),
        # A few values the CSV has to quote or keep from becoming formulas.
        "complement1": "CASE WHEN i % 50 = 0 THEN 'Bât. A; esc. 2' "
        "WHEN i % 97 = 0 THEN '=chez ' || i ELSE '' END",
        "complement2": "CASE WHEN i % 301 = 0 THEN 'Résidence \"Les Mouettes\"' ELSE '' END",
        "lieu_dit": "''",
        "code_postal": "'35400'",
        "ville": _literal(collectivite.nom),
        "pays": "''",
        "bureau_id": f"(ARRAY[{bureaux}])[1 + i % {BUREAUX}]",
        "ine": "(100000000 + i)::text",
        "recherche": f"upper({nom})",
    }


def create_voters(collectivite: Collectivite, size: int) -> None:
    for number in range(1, BUREAUX + 1):
        BureauDeVote.objects.create(
            collectivite=collectivite,
            code=f"{number:04d}",
            libelle=f"École n° {number}",
            canton="3512",
            circonscription="3502",
        )
    expressions = _electeur_columns(collectivite)
    columns = [field.column for field in Electeur._meta.concrete_fields if field.column != "id"]
    electeur, inscription = Electeur._meta.db_table, Inscription._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {electeur} ({', '.join(columns)}) "
            f"SELECT {', '.join(expressions[column] for column in columns)} "
            f"FROM generate_series(1, {int(size)}::bigint) AS i"
        )
        cursor.execute(
            f"INSERT INTO {inscription} "
            "(electeur_id, liste, bureau_id, numero_ordre, inscrit_le, radie_le) "
            "SELECT id, 'p', bureau_id, "
            "row_number() OVER (PARTITION BY bureau_id ORDER BY id), DATE '2020-03-01', NULL "
            f"FROM {electeur} WHERE collectivite_id = %s",
            [collectivite.pk],
        )
        cursor.execute(f"ANALYZE {electeur}")
        cursor.execute(f"ANALYZE {inscription}")


def delete_voters(collectivite: Collectivite) -> None:
    electeur, inscription = Electeur._meta.db_table, Inscription._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {inscription} WHERE electeur_id IN "
            f"(SELECT id FROM {electeur} WHERE collectivite_id = %s)",
            [collectivite.pk],
        )
        cursor.execute(f"DELETE FROM {electeur} WHERE collectivite_id = %s", [collectivite.pk])
    for export in Export.objects.filter(collectivite=collectivite):
        files.delete(export.fichier)
        export.history.all().delete()
        export.delete()
    BureauDeVote.history.filter(collectivite_id=collectivite.pk).delete()
    BureauDeVote.objects.filter(collectivite=collectivite).delete()
    collectivite.delete()
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for table in (electeur, inscription):
                cursor.execute(f"VACUUM (ANALYZE) {table}")


def bare_copy_sql(extraction: Extraction) -> str:
    """The same rows (join, filter, order), raw columns, no formatting at all."""
    raw = [
        "liste", "numero_ordre", "electeur__sexe", "electeur__nom_naissance",
        "electeur__nom_usage", "electeur__prenoms", "electeur__date_naissance",
        "electeur__date_naissance_incomplete", "electeur__naissance_commune",
        "electeur__naissance_departement", "electeur__naissance_pays",
        "electeur__nationalite", "bureau__libelle", "bureau__code", "bureau__canton",
        "bureau__circonscription", "electeur__complement1", "electeur__complement2",
        "electeur__numero_voie", "electeur__type_voie", "electeur__libelle_voie",
        "electeur__lieu_dit", "electeur__code_postal", "electeur__ville", "electeur__pays",
    ]  # fmt: skip
    rows = extraction.inscriptions().order_by(
        "bureau__code", "electeur__nom_naissance", "electeur__prenoms", "electeur_id"
    )
    sql, params = rows.values_list(*raw).query.sql_with_params()
    with connection.cursor() as cursor:
        select = cursor.cursor.mogrify(sql, params).decode()
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')"


def measure(what: str, code_insee: str, folder: str) -> dict:
    """In a fresh process: run one thing and say how long it took and how much the peak memory
    grew."""
    from exports.services import run_export  # the services import the exporters: not at load

    collectivite = Collectivite.objects.get(code_insee=code_insee)
    connection.ensure_connection()
    before = peak_kb()
    started = time.perf_counter()
    if what == "copy":
        sql = bare_copy_sql(Extraction(collectivite, "p", DATE))
        path = Path(folder) / "bare.csv"
        with path.open("wb") as file, connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, file)
        size, name = path.stat().st_size, ""
        path.unlink()
    else:
        export = run_export(collectivite, what, {"liste": "p", "date": DATE.isoformat()}, None)
        size, name = export.taille, export.fichier
    seconds = time.perf_counter() - started
    after = peak_kb()
    return {
        "seconds": seconds,
        "megabytes": (after - before) / 1024,
        "peak": after / 1024,
        "size": size,
        "fichier": name,  # the kept export's
    }


def _in_subprocess(what: str, code_insee: str, folder: str) -> dict:
    script = (
        "import django, json, sys; django.setup(); "
        "from exports.benchmarks import measure; "
        "print(json.dumps(measure(sys.argv[1], sys.argv[2], sys.argv[3])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, what, code_insee, folder],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"la mesure {what} a échoué :\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def validate_streaming(path: str) -> int:
    """Validate the XML file against the schema while reading it; returns the voters."""
    count = 0
    for _, element in etree.iterparse(path, events=("end",), tag="Electeur", schema=schema()):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return count


def _run(kind: str, ratio_target: float, size: int, write: Callable[[str], None]) -> bool:
    if connection.vendor != "postgresql":
        raise BenchmarkUnavailable(
            f"Le banc d'essai {kind} compare l'export à COPY TO : il faut PostgreSQL "
            "(DATABASE_URL=postgres://…)."
        )
    if connection.in_atomic_block:
        raise BenchmarkUnavailable(
            f"Le banc d'essai {kind} mesure dans des processus à part : il ne peut pas tourner "
            "dans une transaction."
        )
    collectivite = Collectivite.objects.create(
        code_insee=free_code_insee(), nom="Banc d'essai listes"
    )
    try:
        started = time.perf_counter()
        create_voters(collectivite, size)
        write(f"{size} électeurs créés en {time.perf_counter() - started:.1f} s")
        with tempfile.TemporaryDirectory() as folder:
            copy = _in_subprocess("copy", collectivite.code_insee, folder)
            write(
                f"COPY (SELECT mêmes lignes, colonnes brutes) TO STDOUT : {copy['seconds']:.2f} s, "
                f"{copy['size'] / 1e6:.1f} Mo"
            )
            export = _in_subprocess(kind, collectivite.code_insee, folder)
            write(
                f"export {kind} (exportateur, fichier conservé, SHA-256, progression) : "
                f"{export['seconds']:.2f} s, {export['size'] / 1e6:.1f} Mo, "
                f"mémoire de pointe du processus {export['peak']:.0f} Mo "
                f"(+{export['megabytes']:.1f} Mo pendant l'export)"
            )
            valid = True
            if kind == "liste-xml":
                started = time.perf_counter()
                try:
                    with files.local_copy(export["fichier"]) as path:
                        count = validate_streaming(str(path))
                except etree.XMLSyntaxError as error:
                    valid = False
                    write(f"fichier NON valide selon le XSD : {error}")
                else:
                    valid = count == size
                    write(
                        f"fichier valide selon le XSD ({count} électeurs, vérifié en "
                        f"{time.perf_counter() - started:.1f} s)"
                    )
    finally:
        started = time.perf_counter()
        delete_voters(collectivite)
        write(f"nettoyage : {time.perf_counter() - started:.1f} s")
    ratio = export["seconds"] / copy["seconds"]
    passed = ratio <= ratio_target and export["megabytes"] <= MEMORY_MB and valid
    write(
        f"rapport export / COPY : {ratio:.2f} (objectif ≤ {ratio_target:g}), mémoire "
        f"+{export['megabytes']:.1f} Mo (objectif ≤ {MEMORY_MB}) : "
        + ("PASS" if passed else "FAIL")
    )
    return passed


LISTE_CSV = Benchmark(
    name="liste-csv",
    help=(
        "liste électorale CSV de N électeurs comparée à COPY TO STDOUT des mêmes lignes ; "
        f"objectif : au plus {CSV_RATIO:g} fois le temps de COPY, mémoire +{MEMORY_MB} Mo au plus"
    ),
    default_size=1_000_000,
    run=lambda size, write: _run("liste-csv", CSV_RATIO, size, write),
)
LISTE_XML = Benchmark(
    name="liste-xml",
    help=(
        "liste électorale XML de N électeurs comparée à COPY TO STDOUT (CSV) des mêmes lignes, "
        f"fichier validé par le XSD ; objectif : au plus {XML_RATIO:g} fois le temps de COPY, "
        f"mémoire +{MEMORY_MB} Mo au plus"
    ),
    default_size=1_000_000,
    run=lambda size, write: _run("liste-xml", XML_RATIO, size, write),
)
