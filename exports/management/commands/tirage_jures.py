import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from electoral.jures import TirageRefused, tirer
from exports.services import ExportRefused, run_export
from mairie import files
from mairie.commands import add_commune_argument, collectivite_from_code

DOCUMENTS = ("jures-pv", "jures-liste", "jures-csv")


class Command(BaseCommand):
    help = (
        "Tire au sort la liste préparatoire des jurés d'assises (code de procédure pénale, art. "
        "259 à 261) : trois fois --nombre électeurs de la liste principale du jour, sans ceux "
        "qui n'auront pas 23 ans l'année suivante. La graine est enregistrée et imprimée : la "
        "même graine sur la même liste redonne le même tirage. Écrit dans --output le "
        "procès-verbal et la liste préparatoire (PDF) et la liste pour le greffe (CSV)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_commune_argument(parser)
        parser.add_argument("--annee", type=int, required=True, help="année du tirage")
        parser.add_argument("--nombre", type=int, required=True, help="jurés de l'arrêté")
        parser.add_argument("--graine", default="", help="graine (défaut : au hasard)")
        parser.add_argument("--output", type=Path, required=True, help="dossier de sortie")

    def handle(self, *args, **options) -> None:
        collectivite = collectivite_from_code(options["commune"])
        try:
            tirage = tirer(
                collectivite,
                options["annee"],
                options["nombre"],
                None,
                day=timezone.localdate(),
                graine=options["graine"],
            )
        except TirageRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"{len(tirage.tires)} électeurs tirés parmi {tirage.eligibles}, graine {tirage.graine}"
        )
        options["output"].mkdir(parents=True, exist_ok=True)
        for kind in DOCUMENTS:
            try:
                export = run_export(collectivite, kind, {"tirage": tirage.pk}, None)
            except ExportRefused as refusal:
                raise CommandError(str(refusal)) from refusal
            target = options["output"] / export.nom_fichier
            with files.open_kept(export.fichier) as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy, 1 << 20)
            self.stdout.write(f"{target} (SHA-256 {export.sha256})")
