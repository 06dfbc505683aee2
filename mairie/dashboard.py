"""Figures on the home page: feature apps register theirs from AppConfig.ready(), so `mairie`
never imports them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from mairie.models import Affectation, Collectivite


@dataclass(frozen=True)
class Figure:
    label: str
    role: str  # the role that sees it (the responsable sees all)
    count: Callable[[Collectivite], int]
    url_name: str  # where the figure leads
    query: str = ""  # the filters of that page, e.g. "numerote=non"


FIGURES: list[Figure] = []


def register(figure: Figure) -> None:
    if figure.label not in {existing.label for existing in FIGURES}:
        FIGURES.append(figure)


def figures_for(affectation: Affectation) -> list[tuple[str, int, str]]:
    return [
        (
            figure.label,
            figure.count(affectation.collectivite),
            reverse(figure.url_name) + (f"?{figure.query}" if figure.query else ""),
        )
        for figure in FIGURES
        if affectation.allows(figure.role)
    ]
