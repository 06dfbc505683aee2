from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from electoral.imports import run_file
from electoral.reu import ENCODING_NOTE, ImportReport
from mairie.commands import add_commune_argument, collectivite_from_code
from mairie.text import french_number


def report_lines(report: ImportReport) -> list[str]:
    lines = [
        f"Fichier : {report.file_name}",
        *([f"Extraction du {report.extraction_date}"] if report.extraction_date else []),
        *([ENCODING_NOTE.format(encoding=report.encoding)] if report.encoding else []),
        f"Lignes d'électeurs lues : {report.lines}",
        f"Nouveaux : {report.new} (dont {report.new_voters} électeurs)",
        f"Modifiés : {report.changed}",
        f"Inchangés : {report.unchanged}",
        f"Rejetés : {report.rejected}",
        f"Absents du fichier (non radiés) : {report.absent}",
    ]
    if report.unknown_bureaux:
        lines.append(
            "Bureaux de vote inconnus : "
            + ", ".join(
                f"{code} {libelle} ({french_number(count)} ligne{'s' if count > 1 else ''})"
                for code, libelle, count in report.unknown_bureaux
            )
        )
    if report.bureaux_created:
        lines.append(
            "Bureaux de vote créés : "
            + ", ".join(f"{code} {libelle}" for code, libelle in report.bureaux_created)
        )
    elif report.unknown_bureaux:
        lines.append(
            "Bureaux non créés (--creer-bureaux pour les créer) : leurs lignes sont rejetées"
        )
    if report.unknown_columns:
        lines.append("Colonnes inconnues (ignorées) : " + ", ".join(report.unknown_columns))
    if report.rejected_lines:
        lines.append("Lignes rejetées :")
        lines += [f"  ligne {line.number} : {line.reason}" for line in report.rejected_lines]
        if report.rejected > len(report.rejected_lines):
            lines.append(f"  … et {report.rejected - len(report.rejected_lines)} autres")
    return lines


class Command(BaseCommand):
    help = (
        "Importe l'extraction du REU téléchargée d'ELIRE (CSV ; ou , ; UTF-8 ou Windows-1252) : "
        "colonnes reconnues par leur nom (toutes les graphies connues, voir le README), codes "
        "ramenés à leur forme INSEE (35 → 035, bureau 1 → 0001), lignes invalides rejetées avec "
        "leur numéro et le motif, "
        "électeurs reconnus par l'INE ou par nom, prénoms, date de naissance et liste ; crée les "
        "nouveaux électeurs (mouvement « reprise de l'extraction REU ») et modifie les autres "
        "(mouvement de modification). Un bureau de vote inconnu n'est créé qu'avec "
        "--creer-bureaux : sinon ses lignes sont rejetées. Les absents du fichier sont comptés, "
        "jamais radiés. --dry-run : le rapport seul, rien n'est enregistré. Les étapes s'affichent "
        "au fur et à mesure sur la sortie d'erreur (sauf -v 0)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_commune_argument(parser)
        parser.add_argument("fichier", type=Path, help="fichier CSV téléchargé d'ELIRE")
        parser.add_argument("--dry-run", action="store_true", help="rapport seul, sans import")
        parser.add_argument(
            "--creer-bureaux",
            action="store_true",
            help="crée les bureaux de vote du fichier inconnus de la commune (sinon leurs lignes "
            "sont rejetées)",
        )
        parser.add_argument(
            "--utilisateur", help="identifiant de l'agent inscrit dans l'historique"
        )

    def handle(self, *args, **options) -> None:
        collectivite = collectivite_from_code(options["commune"])
        path = options["fichier"]
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        user = None
        if options["utilisateur"]:
            try:
                user = get_user_model().objects.get(username=options["utilisateur"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"Aucun utilisateur {options['utilisateur']}.") from error

        report = run_file(
            collectivite,
            path,
            user,
            dry_run=options["dry_run"],
            create_bureaux=options["creer_bureaux"],
            progress=None if options["verbosity"] == 0 else self.tell,
        )
        if not report.ok:
            raise CommandError(report.refusal)
        for line in report_lines(report):
            self.stdout.write(line)
        self.stdout.write(
            "Import enregistré." if report.applied else "Simulation : rien n'a été enregistré."
        )

    def tell(self, step: str) -> None:
        # On standard error, plainly: standard output keeps the report alone.
        self.stderr.write(f"… {step}", style_func=str)
