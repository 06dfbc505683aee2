from django.core.management.base import BaseCommand, CommandError, CommandParser

from mairie.commands import add_commune_argument, collectivite_from_code
from recensement.services import QuarterError, numeroter


class Command(BaseCommand):
    help = (
        "Numérote les recensés non encore numérotés d'un trimestre (R*111-9) : les numéros suivent "
        "le plus haut déjà donné, dans l'ordre de la date de recensement, du nom de naissance et "
        "des prénoms ; 4 chiffres, 9999 au plus ; refusé pour un trimestre clos."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_commune_argument(parser)
        parser.add_argument("--annee", type=int, required=True)
        parser.add_argument("--trimestre", type=int, required=True, choices=[1, 2, 3, 4])

    def handle(self, *args, **options) -> None:
        collectivite = collectivite_from_code(options["commune"])
        try:
            count = numeroter(collectivite, options["annee"], options["trimestre"])
        except QuarterError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{collectivite.nom} T{options['trimestre']} {options['annee']} : {count} numéroté(s)"
        )
