"""The "emargement" and "cartes" benchmarks.

"emargement": the émargement cahiers of N voters in 60 bureaux, written by the exporter's code
(ReportLab, one PDF per bureau in a ZIP), against WeasyPrint rendering the same rows of one
bureau as one HTML document, in the same run. Both run in a fresh interpreter, so that each
peak memory counts from a known start.

The reference renders one bureau, not all N rows: one WeasyPrint document of 100,000 rows would
need tens of gigabytes and the better part of an hour (a 10,000-row tableau takes 1.7 GB); its
rows per second on a bureau are its best, so the ratio is if anything understated.

"cartes": the voter cards of the same N voters by the exporter's code, against WeasyPrint
laying out the first bureau's cards (the same fields at the same places) as HTML.

Targets, for both: at least 10 times the reference's rows per second, and at most 500 MB of
peak memory. The data are written in a throwaway collectivité, committed (the fresh
interpreters read them) and deleted at the end."""

import datetime
import os
import random
import time
from collections.abc import Callable
from html import escape

from django.conf import settings
from django.db import transaction

from electoral.models import BureauDeVote, Electeur, Inscription, Liste, Scrutin
from exports import cartes, emargement
from exports.tableaux_benchmark import SINGLE
from mairie.benchmarks import Benchmark, free_code_insee, fresh_interpreter, verdict
from mairie.demo_names import NOMS, prenoms_of_generation
from mairie.models import Collectivite

TARGET_SPEEDUP = 10
TARGET_MB = 500
BUREAUX = 60

# The exporter's own code in a fresh interpreter: every bureau's cahier (zipped) or every card,
# to a file.
WRITE = """
import json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mairie.settings")
django.setup()
from exports.pdf_pool import cpu_seconds, peak_kb
from exports import cartes, emargement
from electoral.models import Scrutin
kind, pk, path = sys.argv[1:4]
scrutin = Scrutin.objects.select_related("collectivite").get(pk=int(pk))
if kind == "cartes":
    options = cartes.Options(scrutin.collectivite, "p", scrutin.premier_tour)
    write = cartes.write_cards
else:
    options = emargement.Options(scrutin.collectivite, "p", scrutin, 2, scrutin.premier_tour)
    write = emargement.write_zip
started = time.perf_counter()
with open(path, "wb") as out:
    rows = write(options, out, lambda done, total: None)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": rows, "peak_kb": peak_kb(),
                  "bytes": os.path.getsize(path), "cpu": cpu_seconds()}))
"""

STYLE = """
@page { size: A4 landscape; margin: 10mm; @bottom-right { content: "Page " counter(page)
  " / " counter(pages); font-size: 8pt; } }
body { font-family: "Liberation Sans Mairie"; font-size: 8.5pt; }
table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; }
th, td { border: 0.4pt solid black; padding: 1.6mm; vertical-align: top; text-align: left; }
tr { page-break-inside: avoid; height: 9mm; }
"""


def create_voters(collectivite: Collectivite, size: int, seed: int = 2026) -> Scrutin:
    rnd = random.Random(seed)
    bureaux = BureauDeVote.objects.bulk_create(
        BureauDeVote(collectivite=collectivite, code=f"{n:04d}", libelle=f"École n° {n}")
        for n in range(1, BUREAUX + 1)
    )
    masculins, feminins = prenoms_of_generation(1975)
    numeros = [0] * BUREAUX
    batch = 5000
    for start in range(0, size, batch):
        electeurs = []
        for index in range(start, min(size, start + batch)):
            sexe = rnd.choice("MF")
            electeur = Electeur(
                collectivite=collectivite,
                sexe=sexe,
                nom_naissance=rnd.choice(NOMS),
                nom_usage=rnd.choice(NOMS) if sexe == "F" and rnd.random() < 0.3 else "",
                prenoms=" ".join(rnd.sample(feminins if sexe == "F" else masculins, 2)),
                date_naissance=datetime.date(rnd.randint(1930, 2007), rnd.randint(1, 12), 15),
                naissance_commune=rnd.choice(["Rennes", "Saint-Malo", "Brest", "Nantes"]),
                naissance_departement=rnd.choice(["035", "029", "044"]),
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
        inscriptions = []
        for index, electeur in enumerate(electeurs, start=start):
            numeros[index % BUREAUX] += 1
            inscriptions.append(
                Inscription(
                    electeur=electeur,
                    liste=Liste.PRINCIPALE,
                    bureau=bureaux[index % BUREAUX],
                    numero_ordre=numeros[index % BUREAUX],
                    inscrit_le=datetime.date(2020, 1, 2),
                )
            )
        Inscription.objects.bulk_create(inscriptions, batch_size=1000)
    return Scrutin.objects.create(
        collectivite=collectivite,
        libelle="Banc d'essai",
        premier_tour=datetime.date(2026, 3, 15),
        second_tour=datetime.date(2026, 3, 22),
    )


CARD_STYLE = """
@page { size: A4; margin: 0; }
body { font-family: "Liberation Sans Mairie"; margin: 0; }
.sheet { position: relative; width: 210mm; height: 297mm; page-break-after: always; }
.card { position: absolute; width: 105mm; height: 148.5mm; }
.card div { position: absolute; left: 8mm; white-space: nowrap; }
"""


def cards_reference_html(options: cartes.Options) -> tuple[str, int]:
    """The first bureau's cards, the same values at the same places, as HTML."""
    bureaux = BureauDeVote.objects.for_collectivite(options.collectivite).in_bulk()
    rows = sorted(cartes.inscriptions(options), key=cartes.delivery_key)
    sheets, count = [], 0
    for start in range(0, len(rows), cartes.PER_SHEET):
        cards = []
        for slot, inscription in enumerate(rows[start : start + cartes.PER_SHEET]):
            values = cartes.card_values(options, inscription, bureaux)
            fields = "".join(
                f"<div style='top:{field.y - 3}mm;font-size:{field.size}pt;"
                f"font-weight:{'bold' if field.bold else 'normal'}'>{escape(value)}</div>"
                for field, value in zip(cartes.FIELDS, values, strict=True)
                if value
            )
            left, top = (slot % 2) * 105, (slot // 2) * 148.5
            cards.append(
                f"<section class='card' style='left:{left}mm;top:{top}mm'>{fields}</section>"
            )
            count += 1
        sheets.append(f"<article class='sheet'>{''.join(cards)}</article>")
    html = (
        f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><style>{CARD_STYLE}"
        f"</style></head><body>{''.join(sheets)}</body></html>"
    )
    return html, count


def reference_html(options: emargement.Options, bureau: BureauDeVote) -> tuple[str, int]:
    """The first bureau's rows, as the cahier prints them, in one HTML table."""
    rows = emargement.rows(options, bureau, emargement.mandataires(options))
    head = "".join(f"<th>{escape(c.title)}</th>" for c in emargement.columns(options))
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(cell).replace(chr(10), '<br>')}</td>" for cell in row)
        + "</tr>"
        for row in rows
    )
    html = (
        f"<!doctype html><html lang='fr'><head><meta charset='utf-8'><style>{STYLE}</style>"
        f"</head><body><h1>Liste d'émargement</h1><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></body></html>"
    )
    return html, len(rows)


def run(size: int, write: Callable[[str], None]) -> bool:
    return _run(size, write, cards=False)


def run_cards(size: int, write: Callable[[str], None]) -> bool:
    return _run(size, write, cards=True)


def _run(size: int, write: Callable[[str], None], cards: bool) -> bool:
    write(f"{os.cpu_count()} cœurs, charge moyenne de la machine {os.getloadavg()[0]:.1f}")
    started = time.perf_counter()
    with transaction.atomic():
        collectivite = Collectivite.objects.create(
            code_insee=free_code_insee(), nom="Banc d'essai de l'émargement"
        )
        scrutin = create_voters(collectivite, size)
    write(
        f"Données : {size} électeurs dans {BUREAUX} bureaux ({time.perf_counter() - started:.1f} s)"
    )
    try:
        output = settings.MEDIA_ROOT / "benchmark-emargement.out"
        output.parent.mkdir(parents=True, exist_ok=True)
        kind = "cartes" if cards else "emargement"
        volume = fresh_interpreter(WRITE, [kind, str(scrutin.pk), str(output)])
        output.unlink(missing_ok=True)
        rate = volume["rows"] / volume["seconds"]
        what = (
            "cartes (ReportLab, 4 par feuille)"
            if cards
            else "cahiers (ReportLab, un PDF par bureau en ZIP)"
        )
        write(
            f"{what} : {volume['rows']} lignes en "
            f"{volume['seconds']:.1f} s, {rate:.0f} lignes/s, {volume['bytes'] / 1e6:.1f} Mo, "
            f"{volume['cpu']:.0f} s de calcul ; mémoire de pointe {volume['peak_kb'] / 1024:.0f} Mo"
        )
        options = emargement.Options(
            collectivite, Liste.PRINCIPALE, scrutin, 2, scrutin.premier_tour
        )
        first = BureauDeVote.objects.get(collectivite=collectivite, code="0001")
        html, sample = reference_html(options, first)
        reference = fresh_interpreter(SINGLE, [str(settings.MEDIA_ROOT)], html.encode())
        reference_rate = sample / reference["seconds"]
        write(
            f"référence (WeasyPrint, un document du bureau 0001) : {sample} lignes en "
            f"{reference['seconds']:.1f} s, {reference_rate:.0f} lignes/s ; mémoire de pointe "
            f"{reference['peak_kb'] / 1024:.0f} Mo"
        )
    finally:
        with transaction.atomic():
            Scrutin.objects.filter(collectivite=collectivite).delete()
            Inscription.objects.filter(electeur__collectivite=collectivite).delete()
            Electeur.objects.filter(collectivite=collectivite).delete()
            BureauDeVote.objects.filter(collectivite=collectivite).delete()
            collectivite.delete()
    speedup = rate / reference_rate
    peak_mb = volume["peak_kb"] / 1024
    return verdict(write, speedup, TARGET_SPEEDUP, peak_mb, TARGET_MB)


EMARGEMENT = Benchmark(
    name="emargement",
    help=(
        "listes d'émargement de N électeurs dans 60 bureaux (un PDF par bureau, en ZIP) ; "
        f"objectifs : au moins {TARGET_SPEEDUP} fois le débit d'un rendu WeasyPrint des mêmes "
        f"lignes, au plus {TARGET_MB} Mo de mémoire de pointe"
    ),
    default_size=100_000,
    run=run,
)


CARTES = Benchmark(
    name="cartes",
    help=(
        "cartes électorales de N électeurs dans 60 bureaux (4 par feuille A4) ; objectifs : au "
        f"moins {TARGET_SPEEDUP} fois le débit d'un rendu WeasyPrint des mêmes cartes, au plus "
        f"{TARGET_MB} Mo de mémoire de pointe"
    ),
    default_size=100_000,
    run=run_cards,
)
