"""The "pecoto" benchmark: the PECOTO file of a quarter of N registrants (9,999 by default, the
most a quarter can number), checked and written as the exports page does it, with its time and
its number of SQL queries (which must not grow with N)."""

import tempfile
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import override_settings

from exports.services import run_export
from mairie.benchmarks import Benchmark, QueryCounter, free_code_insee
from mairie.models import Collectivite
from recensement.demo import create_recenses
from recensement.models import Recense
from recensement.services import numeroter

MAX_QUERIES = 20


def run(size: int, write: Callable[[str], None]) -> bool:
    # Everything is rolled back at the end: the database is left as it was.
    with transaction.atomic(), tempfile.TemporaryDirectory() as media:
        collectivite = Collectivite.objects.create(
            code_insee=free_code_insee(),
            nom="Banc d'essai PECOTO",
            responsable_nom="ESSAI",
            responsable_prenom="Camille",
            responsable_qualite="secrétaire de mairie",
            responsable_telephone="0299000000",
            responsable_courriel="recensement@banc-essai.invalid",
        )
        user, _ = get_user_model().objects.get_or_create(username="banc-essai-pecoto")
        started = time.perf_counter()
        create_recenses(collectivite, size)
        # One quarter holds them all: the demo spreads its registrants over six.
        sample = Recense.objects.filter(collectivite=collectivite).order_by("id").first()
        Recense.objects.filter(collectivite=collectivite).update(
            annee=sample.annee,
            trimestre=sample.trimestre,
            date_recensement=sample.date_recensement,
        )
        numeroter(collectivite, sample.annee, sample.trimestre, user)
        write(f"{size} recensés créés et numérotés en {time.perf_counter() - started:.0f} s")
        counter = QueryCounter()
        with override_settings(MEDIA_ROOT=media), connection.execute_wrapper(counter):
            started = time.perf_counter()
            export = run_export(
                collectivite,
                "pecoto",
                {"annee": sample.annee, "trimestre": sample.trimestre},
                user,
            )
            seconds = time.perf_counter() - started
        write(f"fichier {export.nom_fichier} : {export.taille} octets")
        transaction.set_rollback(True)
    passed = counter.count <= MAX_QUERIES
    write(
        f"PECOTO de {size} recensés : {seconds:.2f} s, {counter.count} requêtes SQL "
        f"(objectif ≤ {MAX_QUERIES}, quelle que soit la taille) : " + ("PASS" if passed else "FAIL")
    )
    return passed


PECOTO = Benchmark(
    name="pecoto",
    help=(
        "fichier PECOTO d'un trimestre de N recensés (contrôle et écriture, comme la page des "
        f"exports) : durée et nombre de requêtes SQL, au plus {MAX_QUERIES} quelle que soit N"
    ),
    # The quarter's numbers have 4 digits: 9,999 registrants at most, the format's ceiling.
    default_size=9_999,
    run=run,
)
