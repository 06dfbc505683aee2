import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exports.exporters import EXPORTERS
from exports.services import ExportRefused, run_export
from mairie import files
from mairie.commands import add_commune_argument, collectivite_from_code


class Command(BaseCommand):
    help = (
        "Génère un export avec le même exportateur que la page Exports, le conserve dans la "
        "liste des derniers exports et en copie le fichier dans --output. Un export dont les "
        "données casseraient le format est refusé avec la liste des corrections."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="TYPE")
        for identifier, exporter in EXPORTERS.items():
            sub = kinds.add_parser(identifier, help=exporter.verbose_name)
            add_commune_argument(sub)
            sub.add_argument("--output", required=True, type=Path, help="dossier de sortie")
            for name, field in exporter.form_class.base_fields.items():
                sub.add_argument(f"--{name.replace('_', '-')}", dest=name, help=str(field.label))

    def handle(self, *args, **options) -> None:
        exporter = EXPORTERS[options["kind"]]
        collectivite = collectivite_from_code(options["commune"])
        data = {
            name: options[name]
            for name in exporter.form_class.base_fields
            if options.get(name) is not None
        }
        try:
            export = run_export(collectivite, options["kind"], data, None)
        except ExportRefused as refusal:
            lines = [str(refusal)] + [f"- {p}" for p in refusal.problems]
            raise CommandError("\n".join(lines)) from refusal
        options["output"].mkdir(parents=True, exist_ok=True)
        target = options["output"] / export.nom_fichier
        with files.open_kept(export.fichier) as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        self.stdout.write(f"{target} ({export.taille} octets, SHA-256 {export.sha256})")
