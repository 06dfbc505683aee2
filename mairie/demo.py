"""Demo data: the core creates collectivités and agents; each feature app's demo module declares
its own part.

The parts are named by dotted path in `settings.MAIRIE_DEMO_PARTS` and loaded by the `demo`
command only, so neither `mairie` nor any feature code imports demo code.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import import_string

from mairie.models import Affectation, Collectivite, Role

DEMO_PASSWORD = "demo-mairie-2026"


@dataclass(frozen=True)
class DemoPart:
    option: str  # command-line option giving how many objects per collectivité
    help: str
    default: int
    create: Callable[[Collectivite, int], int]  # returns how many objects it created


def parts() -> list[DemoPart]:
    """The feature apps' parts, in the order of `settings.MAIRIE_DEMO_PARTS`."""
    return [import_string(path) for path in settings.MAIRIE_DEMO_PARTS]


COLLECTIVITES = [
    {
        "code_insee": "35288",
        "nom": "Saint-Malo",
        "adresse": "Place Chateaubriand\nBP 147",
        "code_postal": "35400",
        "telephone": "0299406161",
        "courriel": "etat-civil@ville-saint-malo.example",
        "maire_nom": "LE GALL",
        "maire_prenom": "Anne",
        "responsable_nom": "MARTIN",
        "responsable_prenom": "Sophie",
        "responsable_qualite": "Adjoint administratif",
        "responsable_telephone": "0299406200",
        "responsable_courriel": "recensement@ville-saint-malo.example",
    },
    {
        "code_insee": "2A004",
        "nom": "Ajaccio",
        "adresse": "Avenue Antoine Serafini",
        "code_postal": "20000",
        "telephone": "0495515253",
        "courriel": "etat-civil@ville-ajaccio.example",
        "maire_nom": "ALBERTINI",
        "maire_prenom": "Paul",
        "responsable_nom": "SANTONI",
        "responsable_prenom": "Marie-Ange",
        "responsable_qualite": "Secrétaire de mairie",
        "responsable_telephone": "0495515300",
        "responsable_courriel": "recensement@ville-ajaccio.example",
    },
]

# username, first name, last name, {code_insee: role}
AGENTS = [
    ("agent.saintmalo", "Sophie", "Martin", {"35288": Role.RESPONSABLE}),
    ("agent.ajaccio", "Marie-Ange", "Santoni", {"2A004": Role.RESPONSABLE}),
    ("agent.elections", "Yann", "Kerbrat", {"35288": Role.ELECTIONS}),
    (
        "agent.intercommunal",
        "Lucie",
        "Bernard",
        {"35288": Role.RECENSEMENT, "2A004": Role.RECENSEMENT},
    ),
]


def _user(username: str, **fields) -> tuple:
    user, created = get_user_model().objects.update_or_create(username=username, defaults=fields)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user, created


@transaction.atomic
def create_demo(sizes: dict[str, int]) -> list[str]:
    """Create (or bring back to their demo state) the demo collectivités and agents, then let
    each registered part add its objects. Safe to run twice: nothing is duplicated."""
    report = []
    collectivites = {}
    for values in COLLECTIVITES:
        collectivite, _ = Collectivite.objects.update_or_create(
            code_insee=values["code_insee"], defaults=values
        )
        collectivites[collectivite.code_insee] = collectivite
    admin, _ = _user("admin", is_staff=True, is_superuser=True, email="admin@mairie.example")
    report.append(f"superutilisateur : admin / {DEMO_PASSWORD}")
    for username, first_name, last_name, roles in AGENTS:
        user, _ = _user(username, first_name=first_name, last_name=last_name)
        for code, role in roles.items():
            Affectation.objects.update_or_create(
                user=user, collectivite=collectivites[code], defaults={"role": role}
            )
        where = ", ".join(f"{collectivites[c].nom} ({r.label.lower()})" for c, r in roles.items())
        report.append(f"agent : {username} / {DEMO_PASSWORD} — {where}")
    for collectivite in collectivites.values():
        Affectation.objects.get_or_create(
            user=admin, collectivite=collectivite, defaults={"role": Role.RESPONSABLE}
        )
    for part in parts():
        for collectivite in collectivites.values():
            created = part.create(collectivite, sizes.get(part.option, part.default))
            report.append(f"{collectivite.nom} : {created} {part.help} créés")
    return report
