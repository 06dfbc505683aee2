"""The validator's problems as the export page shows them: identical ones grouped with their
count, each linked to where it is fixed (the registrant's field, the voter, the collectivité
settings, or the numbering of the quarter)."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from exports.pecoto import HEADER_WHO
from mairie.models import Collectivite
from mairie.problems import Problem
from recensement.models import quarter_label

# The names listed in a group; the others are counted.
MAX_NAMES = 10


@dataclass(frozen=True)
class Link:
    text: str
    url: str = ""  # empty: shown without a link


@dataclass
class ProblemGroup:
    label: str  # the field, in the agents' words
    message: str
    fix: Link | None = None  # one link fixing the whole group (the numbering)
    who: list[Link] = field(default_factory=list)  # where each one is fixed
    count: int = 0  # registrants or voters concerned (0: the collectivité or the list itself)
    noun: str = ""  # of what the count counts: "recensé", "électeur"

    @property
    def others(self) -> int:
        return self.count - len(self.who) if self.count else 0


def group_problems(
    problems: list[Problem],
    collectivite: Collectivite,
    quarter: tuple[int, int] | None = None,
    settings_url: bool = False,
) -> list[ProblemGroup]:
    """Problems with the same field and message as one group, in the order first met.
    `settings_url`: link the collectivité's problems to its settings (agents who may edit them)."""
    groups: dict[tuple[str, str], ProblemGroup] = {}
    for problem in problems:
        # All the unnumbered registrants have one fix: numbering the quarter.
        key = ("", "numbering") if problem.needs_numbering else (problem.field, problem.message)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _new_group(problem, quarter)
        if problem.recense_id or problem.electeur_id:
            group.count += 1
            group.noun = "recensé" if problem.recense_id else "électeur"
            if group.fix is None and len(group.who) < MAX_NAMES:
                group.who.append(Link(problem.who, _fix_url(problem)))
        elif group.fix is None:
            in_settings = settings_url and problem.who == HEADER_WHO
            group.who.append(
                Link(problem.who, _settings_url(problem, collectivite) if in_settings else "")
            )
    return list(groups.values())


def _new_group(problem: Problem, quarter: tuple[int, int] | None) -> ProblemGroup:
    if not problem.needs_numbering:
        return ProblemGroup(problem.label, problem.message)
    url = reverse("recensement:trimestres")
    text = "numérotez le trimestre"
    if quarter:
        url = (
            reverse("recensement:numerotation")
            + "?"
            + urlencode({"annee": quarter[0], "trimestre": quarter[1]})
        )
        text = f"numérotez le trimestre {quarter_label(*quarter)}"
    message = problem.message if problem.recense_id is None else "non numéroté"
    return ProblemGroup(problem.label, message.split(" : ")[0], fix=Link(text, url))


def _fix_url(problem: Problem) -> str:
    if problem.electeur_id:
        return reverse("electoral:detail", args=[problem.electeur_id])
    url = reverse("recensement:edit", args=[problem.recense_id])
    return f"{url}#div_id_{problem.form_field}" if problem.form_field else url


def _settings_url(problem: Problem, collectivite: Collectivite) -> str:
    url = reverse("admin:mairie_collectivite_change", args=[collectivite.pk])
    return f"{url}#id_{problem.form_field}" if problem.form_field else url
