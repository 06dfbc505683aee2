from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mairie.commands import add_commune_argument, collectivite_from_code
from recensement.demandes import Upload, import_uploads


def uploads_of(paths: list[Path]) -> list[Upload]:
    """Each file given, and every file under each folder given (named from that folder, so that
    a dossier's XML and PDFs stay paired by their sub-folder)."""
    uploads = []
    for path in paths:
        if path.is_dir():
            uploads += [
                Upload.from_path(item, item.relative_to(path).as_posix())
                for item in sorted(path.rglob("*"))
                if item.is_file()
            ]
        elif path.is_file():
            uploads.append(Upload.from_path(path))
        else:
            raise CommandError(f"Fichier ou dossier introuvable : {path}")
    return uploads


class Command(BaseCommand):
    help = (
        "Importe les dossiers HubEE de la démarche « Recensement citoyen obligatoire » (XML "
        "RecensementCitoyen, copie PDF du Cerfa et pièces jointes, ou archives ZIP de dossiers) "
        "comme demandes en ligne à valider, comme la page Demandes en ligne. Un XML prend les "
        "PDF de son répertoire (tous s'il y est le seul XML, sinon ceux dont le nom porte son "
        "identifiant ou le nom du XML) ; l'identifiant est Formalite/Identifiant, sinon le "
        "numéro de dossier des noms de fichiers, sinon l'empreinte SHA-256 du XML. Un dossier "
        "déjà reçu (même identifiant ou même contenu) n'est pas dupliqué. Chaque dossier est "
        "enregistré ou refusé pour lui-même (mal formé, trop gros, avec DOCTYPE) ; une archive "
        "illisible ou avec un chemin qui en sort est refusée entière. Un rapport par dossier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_commune_argument(parser)
        parser.add_argument(
            "fichiers", nargs="+", type=Path, help="fichiers XML, PDF, ZIP ou dossiers"
        )
        parser.add_argument(
            "--utilisateur", help="identifiant de l'agent inscrit dans l'historique"
        )

    def handle(self, *args, **options) -> None:
        collectivite = collectivite_from_code(options["commune"])
        user = None
        if options["utilisateur"]:
            try:
                user = get_user_model().objects.get(username=options["utilisateur"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"Aucun utilisateur {options['utilisateur']}.") from error
        reports = import_uploads(collectivite, uploads_of(options["fichiers"]), user)
        for report in reports:
            self.stdout.write(report.message)
        created = sum(report.statut == "creee" for report in reports)
        duplicates = sum(report.statut == "doublon" for report in reports)
        refused = sum(report.statut == "refuse" for report in reports)
        self.stdout.write(
            f"{created} demande(s) enregistrée(s), {duplicates} déjà reçue(s), "
            f"{refused} fichier(s) refusé(s)."
        )
        if refused:
            raise CommandError(f"{refused} fichier(s) refusé(s) : voir le rapport ci-dessus.")
