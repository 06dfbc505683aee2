"""The "pages-recenses" benchmark: the registrants' list pages over 100,000 registrants, at a
constant number of SQL queries and a p95 of at most 100 ms, on the configured database."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from mairie.benchmarks import (
    Benchmark,
    free_code_insee,
    pages_pass,
    time_pages,
)
from mairie.models import Affectation, Collectivite, Role
from mairie.trigram import refresh_after_bulk_load
from recensement.demo import create_recenses
from recensement.models import Recense


def run(size: int, write: Callable[[str], None]) -> bool:
    # Everything is rolled back at the end: the database is left as it was.
    with transaction.atomic():
        collectivite = Collectivite.objects.create(
            code_insee=free_code_insee(), nom="Banc d'essai recensement"
        )
        user, _ = get_user_model().objects.get_or_create(username="banc-essai-recenses")
        Affectation.objects.create(user=user, collectivite=collectivite, role=Role.RESPONSABLE)
        create_recenses(collectivite, size)
        refresh_after_bulk_load(Recense)
        recenses = Recense.objects.filter(collectivite=collectivite)
        sample = recenses.order_by("id")[size // 2]
        annee, trimestre = sample.annee, sample.trimestre
        write(f"{recenses.count()} recensés créés")
        index = reverse("recensement:index")
        timings = time_pages(
            user,
            [
                ("liste (1re page)", index),
                ("liste (page 2)", f"{index}?page=2"),
                (f"recherche « {sample.nom_naissance} »", f"{index}?q={sample.nom_naissance}"),
                (
                    f"recherche « {sample.prenoms.split()[0]} {sample.nom_naissance[:4]} »",
                    f"{index}?q={sample.prenoms.split()[0]}+{sample.nom_naissance[:4]}",
                ),
                (f"filtre T{trimestre} {annee}", f"{index}?trimestre={annee}-{trimestre}"),
                ("filtre non numérotés", f"{index}?numerote=non"),
                ("fiche d'un recensé", reverse("recensement:detail", args=[sample.pk])),
            ],
            write,
        )
        transaction.set_rollback(True)
    return pages_pass(timings, write)


PAGES_RECENSES = Benchmark(
    name="pages-recenses",
    help=(
        "pages de la liste des recensés (liste, recherche par nom, filtres) sur N recensés : "
        "requêtes SQL par page, p50/p95 sur 50 requêtes ; objectif p95 ≤ 100 ms à 100 000"
    ),
    default_size=100_000,
    run=run,
)
