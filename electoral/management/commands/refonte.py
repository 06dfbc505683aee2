from django.core.management.base import BaseCommand, CommandError, CommandParser

from electoral.models import BureauDeVote, Liste
from electoral.services import refonte
from mairie.commands import add_commune_argument, collectivite_from_code


class Command(BaseCommand):
    help = (
        "Refonte : renumérote de 1 à n les électeurs inscrits d'un bureau sur une liste, par "
        "ordre alphabétique (nom de naissance, prénoms, date de naissance) ; chaque nouveau "
        "numéro est historisé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_commune_argument(parser)
        parser.add_argument("--bureau", required=True, help="code du bureau de vote (ex. 0001)")
        parser.add_argument("--liste", required=True, choices=Liste.values)

    def handle(self, *args, **options) -> None:
        collectivite = collectivite_from_code(options["commune"])
        try:
            bureau = BureauDeVote.objects.get(collectivite=collectivite, code=options["bureau"])
        except BureauDeVote.DoesNotExist as error:
            raise CommandError(f"Aucun bureau {options['bureau']} à {collectivite.nom}.") from error
        count = refonte(bureau, options["liste"], None)
        self.stdout.write(f"Bureau {bureau.code}, liste {options['liste']} : {count} renumérotés")
