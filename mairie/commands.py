"""What the management commands of every app share: choosing the collectivité by its code."""

from django.core.management.base import CommandError, CommandParser

from mairie.models import Collectivite


def add_commune_argument(parser: CommandParser) -> None:
    parser.add_argument("--commune", required=True, help="code INSEE de la collectivité")


def collectivite_from_code(code: str) -> Collectivite:
    try:
        return Collectivite.objects.get(code_insee=code)
    except Collectivite.DoesNotExist as error:
        raise CommandError(f"Aucune collectivité de code {code}.") from error
