"""Benchmarks of long operations against their stated target, run by `manage.py benchmark`.

Each feature app's benchmark modules declare their benchmarks, named by dotted path in
`settings.MAIRIE_BENCHMARKS` and loaded by the `benchmark` command only, so neither `mairie` nor
any feature code imports benchmark code.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from mairie.models import Collectivite


class BenchmarkUnavailable(Exception):
    """The benchmark cannot run here (e.g. it needs PostgreSQL); the message (French) says why."""


@dataclass(frozen=True)
class Benchmark:
    name: str
    help: str  # what it measures and its target
    default_size: int
    run: Callable[[int, Callable[[str], None]], bool]  # (size, write a line) -> target reached


def benchmarks() -> list[Benchmark]:
    """The feature apps' benchmarks, in the order of `settings.MAIRIE_BENCHMARKS`."""
    return [import_string(path) for path in settings.MAIRIE_BENCHMARKS]


# -- List pages ------------------------------------------------------------------------------------

PAGE_TARGET_MS = 100.0


class QueryCounter:
    """Counts the SQL statements run inside `connection.execute_wrapper(counter)`."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass(frozen=True)
class PageTiming:
    label: str
    queries: int
    p50_ms: float
    p95_ms: float


def time_pages(
    user, pages: list[tuple[str, str]], write: Callable[[str], None], repeat: int = 50
) -> list[PageTiming]:
    """Server time of each page (request to rendered response, in this process, on the
    configured database) over `repeat` requests, and its SQL query count."""
    timings = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        for label, url in pages:
            client.get(url)  # warm: templates compiled, session read once
            counter = QueryCounter()  # not connection.queries: each request clears it
            with connection.execute_wrapper(counter):
                response = client.get(url)
            if response.status_code != 200:
                raise BenchmarkUnavailable(f"{label} : réponse {response.status_code} pour {url}")
            durations = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                durations.append((time.perf_counter() - started) * 1000)
            durations.sort()
            timing = PageTiming(
                label,
                counter.count,
                statistics.median(durations),
                durations[max(0, round(0.95 * len(durations)) - 1)],
            )
            write(
                f"  {label} : {timing.queries} requêtes SQL, p50 {timing.p50_ms:.0f} ms, "
                f"p95 {timing.p95_ms:.0f} ms"
            )
            timings.append(timing)
    return timings


def pages_pass(timings: list[PageTiming], write: Callable[[str], None]) -> bool:
    worst = max(timing.p95_ms for timing in timings)
    passed = worst <= PAGE_TARGET_MS
    write(
        f"p95 le plus lent : {worst:.0f} ms (objectif ≤ {PAGE_TARGET_MS:g} ms) : "
        + ("PASS" if passed else "FAIL")
    )
    return passed


def free_code_insee() -> str:
    """A code no collectivité uses, for the throwaway collectivité a benchmark measures in: a
    commune code (mairie.models.is_code_commune) of the overseas département 979, which no
    territory has (96 is no département, 99xxx would read as a country, abroad)."""
    taken = set(Collectivite.objects.values_list("code_insee", flat=True))
    return next(f"{code}" for code in range(97999, 97900, -1) if f"{code}" not in taken)


def fresh_interpreter(script: str, args: list[str], data: bytes = b"") -> dict:
    """Run `script` in a new Python interpreter of this project (its own peak memory counts from
    a known start), `data` on its standard input; returns the JSON it prints."""
    completed = subprocess.run(
        [sys.executable, "-c", script, *args],
        input=data,
        capture_output=True,
        check=True,
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),
    )
    return json.loads(completed.stdout)


def verdict(
    write: Callable[[str], None], speedup: float, target: float, peak_mb: float, target_mb: float
) -> bool:
    """Write the two verdict lines of a document benchmark (throughput against its reference,
    peak memory) and say whether both targets are reached."""
    fast, small = speedup >= target, peak_mb <= target_mb
    write(
        f"débit : {speedup:.2f} × la référence (objectif ≥ {target:g}) : "
        + ("PASS" if fast else "FAIL")
    )
    write(
        f"mémoire : {peak_mb:.0f} Mo (objectif ≤ {target_mb:g} Mo) : "
        + ("PASS" if small else "FAIL")
    )
    return fast and small
