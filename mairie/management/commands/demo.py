from django.core.management.base import BaseCommand, CommandParser

from mairie.demo import create_demo, parts


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration : deux collectivités (Saint-Malo, Ajaccio), leurs "
        "agents, un superutilisateur, et les données fictives des modules ; relançable sans "
        "doublon. Les identifiants sont affichés."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for part in parts():
            parser.add_argument(
                f"--{part.option}",
                type=int,
                default=part.default,
                help=f"nombre de {part.help} par collectivité (défaut {part.default})",
            )

    def handle(self, *args, **options) -> None:
        sizes = {part.option: options[part.option] for part in parts()}
        for line in create_demo(sizes):
            self.stdout.write(line)
