from itertools import groupby

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mairie.commands import collectivite_from_code
from mairie.pays import EmptyCountryTable, stored_codes_to_check


class Command(BaseCommand):
    help = (
        "Liste, par collectivité, les recensés, demandes en ligne et électeurs dont un code pays "
        "INSEE (99xxx) est absent du référentiel ou a changé de sens avec le fichier INSEE 2025 "
        "(99101 n'est plus Féroé, 99132 n'est plus Guernesey, Jersey ni Man mais le "
        "Royaume-Uni, 99135 n'est plus Aruba…) ; ne modifie rien : chaque valeur est à vérifier "
        "et à corriger par un agent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", help="code INSEE d'une seule collectivité")

    def handle(self, *args, **options) -> None:
        collectivite = collectivite_from_code(options["commune"]) if options["commune"] else None
        try:
            found = sorted(
                stored_codes_to_check(collectivite),
                key=lambda item: (item.collectivite.nom, item.collectivite.pk),
            )
        except EmptyCountryTable as error:
            raise CommandError(
                "Le référentiel des pays est vide : lancez d'abord "
                "« manage.py import_cog --bundled »."
            ) from error
        if found:
            self.stdout.write(
                "Codes pays à vérifier (sens changé par le fichier INSEE 2025, ou absents du "
                "référentiel) :"
            )
        for place, items in groupby(found, key=lambda item: item.collectivite):
            self.stdout.write(str(place))
            for item in items:
                name = f" (nom enregistré : « {item.stored_name} »)" if item.stored_name else ""
                self.stdout.write(f"  {item.record} — {item.field} : {item.code}{name}")
                self.stdout.write(f"    {item.problem}")
        places = len({item.collectivite.pk for item in found})
        self.stdout.write(
            f"{len(found)} valeur(s) à vérifier dans {places} collectivité(s) ; "
            "aucune donnée modifiée."
        )
