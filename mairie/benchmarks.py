"""Benchmarks of long operations against their stated target, run by `manage.py benchmark`.

A feature app calls `register(...)` from its AppConfig.ready(), so `mairie` never imports it.
"""

from collections.abc import Callable
from dataclasses import dataclass


class BenchmarkUnavailable(Exception):
    """The benchmark cannot run here (e.g. it needs PostgreSQL); the message (French) says why."""


@dataclass(frozen=True)
class Benchmark:
    name: str
    help: str  # what it measures and its target
    default_size: int
    run: Callable[[int, Callable[[str], None]], bool]  # (size, write a line) -> target reached


BENCHMARKS: list[Benchmark] = []


def register(benchmark: Benchmark) -> None:
    if benchmark.name not in {existing.name for existing in BENCHMARKS}:
        BENCHMARKS.append(benchmark)
