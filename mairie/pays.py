"""INSEE country codes stored in the feature apps' data, checked against the country table.

Feature apps register the fields holding a country code from AppConfig.ready(), so `mairie`
never imports them; `manage.py verifier_codes_pays` lists what is to be checked.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models

from mairie.models import Collectivite, Pays


@dataclass(frozen=True)
class ChangedCode:
    before: str  # what the bundled table used the code for until its 2025 correction
    now: str  # what INSEE's 2025 file means by it
    elsewhere: str  # where the places it no longer covers are coded now


# The codes the previous bundled pays.csv (233 rows, built from ISO lists) gave to places INSEE
# codes elsewhere, from its diff with INSEE's 2025 file. Its other differences are renamings
# ("RUSSIE, FEDERATION DE" → "RUSSIE") or groupings under the same code (Anguilla, Bermudes…:
# 99425), which leave a stored code right.
CHANGED_CODES: dict[str, ChangedCode] = {
    "99101": ChangedCode("Danemark ou Îles Féroé", "Danemark", "Féroé : 99158"),
    "99103": ChangedCode(
        "Norvège, Île Bouvet ou Svalbard et île Jan Mayen",
        "Norvège",
        "Territoires norvégiens en Atlantique Nord : 99159 ; Terres australes norvégiennes : 99363",
    ),
    "99132": ChangedCode(
        "Guernesey, Jersey ou Île de Man",
        "Royaume-Uni",
        "Dépendances de la Couronne britannique : 99161",
    ),
    "99135": ChangedCode("Pays-Bas ou Aruba", "Pays-Bas", "Aruba : 99431"),
    "99501": ChangedCode(
        "Australie, Îles Cocos (Keeling), Île Christmas, Îles Heard-et-MacDonald ou Île Norfolk",
        "Australie",
        "Territoires australiens de l'océan Indien : 99265 ; "
        "Territoires de l'Australie en Océanie : 99522",
    ),
    "99502": ChangedCode(
        "Nouvelle-Zélande, Îles Cook, Nioue ou Tokelau",
        "Nouvelle-Zélande",
        "Cook : 99520 ; Niue : 99521 ; Territoires de la Nouvelle-Zélande : 99519",
    ),
}


@dataclass(frozen=True)
class CountryCodeField:
    """A stored value that may be an INSEE country code (99xxx)."""

    model: type[models.Model]  # a CollectiviteOwned model
    path: str  # a field, or a key of a JSON field: "donnees__naissance_code_lieu"
    label: str
    name_path: str = ""  # the country's name stored next to the code, if any


FIELDS: list[CountryCodeField] = []


def register(field: CountryCodeField) -> None:
    if field not in FIELDS:
        FIELDS.append(field)


@dataclass(frozen=True)
class StoredCode:
    collectivite: Collectivite
    record: str
    field: str
    code: str
    stored_name: str
    problem: str


class EmptyCountryTable(Exception):
    """The country table has not been imported: every code would look unknown."""


def _value(obj: models.Model, path: str) -> str:
    value = obj
    for part in path.split("__"):
        value = value.get(part, "") if isinstance(value, dict) else getattr(value, part)
    return value if isinstance(value, str) else ""


def _problem(code: str, known: set[str]) -> str:
    if code not in known:
        return "code absent du référentiel des pays"
    changed = CHANGED_CODES.get(code)
    if changed is None:
        return ""
    return (
        f"ancien référentiel : {changed.before} ; INSEE 2025 : {changed.now} ; "
        f"désormais {changed.elsewhere}"
    )


def stored_codes_to_check(collectivite: Collectivite | None = None) -> Iterator[StoredCode]:
    """Every registered value holding a country code whose meaning changed in 2025
    (CHANGED_CODES) or that the country table does not know; reads only."""
    known = set(Pays.objects.values_list("code", flat=True))
    if not known:
        raise EmptyCountryTable
    for field in FIELDS:
        queryset = field.model.objects.filter(**{f"{field.path}__startswith": "99"})
        if collectivite is not None:
            queryset = queryset.filter(collectivite=collectivite)
        # SQLite reads a JSON string of digits back as a number.
        codes = {str(code) for code in queryset.values_list(field.path, flat=True).distinct()}
        to_check = {code for code in codes if _problem(code, known)}
        if not to_check:
            continue
        found = (
            queryset.filter(**{f"{field.path}__in": sorted(to_check)})
            .select_related("collectivite")
            .order_by("pk")
        )
        for obj in found:
            code = _value(obj, field.path)
            yield StoredCode(
                collectivite=obj.collectivite,
                record=f"{obj._meta.verbose_name} n° {obj.pk} : {obj}",
                field=field.label,
                code=code,
                stored_name=_value(obj, field.name_path) if field.name_path else "",
                problem=_problem(code, known),
            )
