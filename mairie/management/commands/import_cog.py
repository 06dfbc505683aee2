from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mairie.services import COG_TABLES, CogFileError, import_cog

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "cog"


class Command(BaseCommand):
    help = (
        "Importe les fichiers CSV du Code officiel géographique de l'INSEE (format INSEE, "
        "en-têtes vérifiés) : crée les codes nouveaux, met à jour ceux qui ont changé, conserve "
        "les autres ; tout ou rien, en une transaction. --bundled importe les fichiers livrés "
        "avec l'application."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for name in COG_TABLES:
            parser.add_argument(f"--{name}", type=Path, metavar="FICHIER")
        parser.add_argument(
            "--bundled", action="store_true", help=f"les quatre fichiers de {BUNDLED}"
        )

    def handle(self, *args, **options) -> None:
        files = {name: options[name] for name in COG_TABLES if options[name]}
        if options["bundled"]:
            files = {name: BUNDLED / f"{name}.csv" for name in COG_TABLES} | files
        if not files:
            raise CommandError(
                "Indiquez au moins un fichier : --communes, --departements, --regions, --pays "
                "(ou --bundled)."
            )
        try:
            counts = import_cog(files)
        except CogFileError as error:
            raise CommandError(str(error)) from error
        for name, count in counts.items():
            self.stdout.write(
                f"{name} : {count.total} lignes, {count.created} créées, "
                f"{count.updated} mises à jour, {count.unchanged} inchangées"
            )
