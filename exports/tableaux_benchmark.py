"""The "tableau-pdf" benchmark: the tableau of N movements over 20 bureaux, rendered part by part
in parallel, against one plain WeasyPrint render of the same HTML as a single document (measured
in the same run). Each render runs in a fresh interpreter of its own, so that its peak memory
counts from a known start, whatever ran before in the benchmark's process (a million-voter
import, when `manage.py benchmark` runs them all).

Targets: at least 1.5 times the single document's rows per second, and at most 500 MB of peak
memory (the joining process plus the rendering processes, each at its peak)."""

import datetime
import os
import pickle
import random
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from electoral.models import (
    BureauDeVote,
    Electeur,
    Inscription,
    Liste,
    MotifInscription,
    MotifRadiation,
    Mouvement,
    TypeMouvement,
)
from exports.tableaux import build_tableau, tableau_html, tableau_parts
from mairie.benchmarks import Benchmark, free_code_insee, fresh_interpreter, verdict
from mairie.demo_names import NOMS, prenoms_of_generation
from mairie.models import Collectivite

TARGET_SPEEDUP = 1.5
TARGET_MB = 500
BUREAUX = 20
DU, AU = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)

# The single document, rendered by a bare interpreter reading the HTML on its standard input.
SINGLE = """
import json, sys, time
from exports.pdf_pool import cpu_seconds, peak_kb
from mairie.pdf import write_pdf
html = sys.stdin.buffer.read().decode()
started = time.perf_counter()
data = write_pdf(html, sys.argv[1])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_kb": peak_kb(), "bytes": len(data),
                  "cpu": cpu_seconds()}))
"""


# The parallel render, by the exports' own pool, in a fresh interpreter: the parts are pickled on
# its standard input (exports.pdf_pool imports neither Django nor the project's apps).
PARALLEL = """
import json, pickle, sys, time
from exports.pdf_pool import render_parts
parts = pickle.load(sys.stdin.buffer)
started = time.perf_counter()
joined = render_parts(parts, sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "peak_kb": joined.peak_kb,
                  "pages": sum(joined.pages), "bytes": len(joined.data), "cpu": joined.cpu}))
"""


def create_movements(collectivite: Collectivite, size: int, seed: int = 2026) -> None:
    """`size` movements of the first quarter of 2026 over 20 bureaux, one voter each: two thirds
    inscriptions, a fifth radiations, the rest changes of bureau (printed twice)."""
    rnd = random.Random(seed)
    bureaux = BureauDeVote.objects.bulk_create(
        BureauDeVote(collectivite=collectivite, code=f"{n:04d}", libelle=f"École n° {n}")
        for n in range(1, BUREAUX + 1)
    )
    masculins, feminins = prenoms_of_generation(1975)
    electeurs = []
    for index in range(size):
        sexe = rnd.choice("MF")
        electeur = Electeur(
            collectivite=collectivite,
            sexe=sexe,
            nom_naissance=rnd.choice(NOMS),
            nom_usage=rnd.choice(NOMS) if sexe == "F" and rnd.random() < 0.3 else "",
            prenoms=" ".join(rnd.sample(feminins if sexe == "F" else masculins, 2)),
            date_naissance=datetime.date(rnd.randint(1930, 2007), rnd.randint(1, 12), 15),
            naissance_commune=rnd.choice(["Rennes", "Saint-Malo", "Brest", "Nantes", "Dinan"]),
            naissance_departement=rnd.choice(["035", "029", "044", "022"]),
            naissance_pays="France",
            numero_voie=str(rnd.randint(1, 200)),
            type_voie="Rue",
            libelle_voie=f"des Tilleuls {index % 300}",
            complement1="Appartement 12" if rnd.random() < 0.1 else "",
            code_postal="35400",
            ville="Saint-Malo",
            bureau=bureaux[index % BUREAUX],
        )
        electeur.prepare()
        electeurs.append(electeur)
    Electeur.objects.bulk_create(electeurs, batch_size=1000)
    inscriptions, mouvements = [], []
    numeros = dict.fromkeys(range(BUREAUX), 0)
    days = (AU - DU).days
    for index, electeur in enumerate(electeurs):
        bureau = index % BUREAUX
        day = DU + datetime.timedelta(days=rnd.randint(0, days))
        draw = rnd.random()
        common = {"collectivite": collectivite, "electeur": electeur, "liste": Liste.PRINCIPALE}
        if draw < 0.65:
            numeros[bureau] += 1
            inscriptions.append(
                Inscription(
                    electeur=electeur,
                    liste=Liste.PRINCIPALE,
                    bureau=bureaux[bureau],
                    numero_ordre=numeros[bureau],
                    inscrit_le=day,
                )
            )
            motif = rnd.choice([MotifInscription.VOLONTAIRE, MotifInscription.OFFICE_JEUNE])
            mouvements.append(
                Mouvement(
                    type=TypeMouvement.INSCRIPTION,
                    motif=motif,
                    date_effet=day,
                    bureau_apres=bureaux[bureau],
                    **common,
                )
            )
        elif draw < 0.85:
            motif = rnd.choice([MotifRadiation.DECES, MotifRadiation.AUTRE_COMMUNE])
            mouvements.append(
                Mouvement(
                    type=TypeMouvement.RADIATION,
                    motif=motif,
                    date_effet=day,
                    bureau_avant=bureaux[bureau],
                    **common,
                )
            )
        else:
            mouvements.append(
                Mouvement(
                    type=TypeMouvement.MODIFICATION,
                    motif="adresse",
                    date_effet=day,
                    bureau_avant=bureaux[(bureau + 1) % BUREAUX],
                    bureau_apres=bureaux[bureau],
                    **common,
                )
            )
    Inscription.objects.bulk_create(inscriptions, batch_size=1000)
    Mouvement.objects.bulk_create(mouvements, batch_size=1000)


def _single(html: str) -> dict:
    return _fresh(SINGLE, html.encode())


def _parallel(parts: list) -> dict:
    return _fresh(PARALLEL, pickle.dumps(parts))


def _fresh(script: str, data: bytes) -> dict:
    return fresh_interpreter(script, [str(settings.MEDIA_ROOT)], data)


def run(size: int, write: Callable[[str], None]) -> bool:
    write(
        f"{os.cpu_count()} cœurs, charge moyenne de la machine {os.getloadavg()[0]:.1f} "
        "(les autres processus ralentissent les deux mesures)"
    )
    started = time.perf_counter()
    # Everything is rolled back: the rendering processes never read the database.
    with transaction.atomic():
        collectivite = Collectivite.objects.create(
            code_insee=free_code_insee(), nom="Banc d'essai des tableaux"
        )
        create_movements(collectivite, size)
        created = time.perf_counter() - started
        started = time.perf_counter()
        tableau = build_tableau(collectivite, Liste.PRINCIPALE, DU, AU)
        parts = tableau_parts(tableau)
        prepared = time.perf_counter() - started
        single_html = tableau_html(tableau, True, tableau.printed_sections)
        transaction.set_rollback(True)
    rows = tableau.additions + tableau.retranchements
    write(
        f"Données : {size} mouvements, {rows} lignes imprimées dans {BUREAUX} bureaux "
        f"(créées en {created:.1f} s) ; lecture et HTML des parties : {prepared:.2f} s"
    )
    joined = _parallel(parts)
    parallel = prepared + joined["seconds"]
    workers = len(joined["peak_kb"]) - 1
    peak_mb = sum(joined["peak_kb"].values()) / 1024
    write(
        f"en parallèle ({workers} processus de rendu, {len(parts)} documents joints) : "
        f"{parallel:.1f} s, {rows / parallel:.0f} lignes/s, {joined['pages']} pages, "
        f"{joined['cpu']:.0f} s de calcul, "
        f"{joined['bytes'] / 1e6:.1f} Mo ; mémoire de pointe {peak_mb:.0f} Mo "
        f"(le processus qui joint et les processus de rendu : "
        + ", ".join(f"{kb / 1024:.0f}" for kb in joined["peak_kb"].values())
        + f" Mo) ; charge {os.getloadavg()[0]:.1f}"
    )
    single = _single(single_html)
    single_rate = rows / single["seconds"]
    write(
        f"document unique (référence, un seul rendu WeasyPrint) : {single['seconds']:.1f} s, "
        f"{single_rate:.0f} lignes/s, {single['cpu']:.0f} s de calcul (import compris), "
        f"mémoire de pointe {single['peak_kb'] / 1024:.0f} Mo ; charge {os.getloadavg()[0]:.1f}"
    )
    speedup = (rows / parallel) / single_rate
    return verdict(write, speedup, TARGET_SPEEDUP, peak_mb, TARGET_MB)


TABLEAU_PDF = Benchmark(
    name="tableau-pdf",
    help=(
        "tableau des additions et retranchements de N mouvements sur 20 bureaux, rendu par "
        "parties en parallèle ; objectifs : au moins "
        f"{TARGET_SPEEDUP:g} fois le débit d'un rendu WeasyPrint en un seul document, au plus "
        f"{TARGET_MB} Mo de mémoire de pointe"
    ),
    default_size=10_000,
    run=run,
)
