from django.core.management.base import BaseCommand, CommandParser

from mairie.commands import collectivite_from_code
from recensement.services import PURGE_RULE, purge_recensement


class Command(BaseCommand):
    help = (
        f"Conservation des données de recensement (RGPD). {PURGE_RULE} Toutes les collectivités, "
        "ou celle de --commune ; --dry-run compte sans rien supprimer. À lancer chaque jour "
        "(cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", help="code INSEE de la collectivité (toutes sinon)")
        parser.add_argument(
            "--dry-run", action="store_true", help="compter ce qui serait supprimé, sans supprimer"
        )

    def handle(self, *args, **options) -> None:
        collectivites = None
        if options["commune"]:
            collectivites = [collectivite_from_code(options["commune"])]
        dry_run = options["dry_run"]
        verb = "à supprimer" if dry_run else "supprimé(s)"
        for count in purge_recensement(collectivites, dry_run=dry_run):
            self.stdout.write(
                f"{count.collectivite} : {count.recenses} recensé(s), "
                f"{count.attestations} attestation(s), {count.historique} ligne(s) "
                f"d'historique, {count.fichiers} fichier(s) généré(s) {verb}"
            )
        if dry_run:
            self.stdout.write("Simulation (--dry-run) : rien n'a été supprimé.")
