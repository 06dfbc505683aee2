from django.core.management.base import BaseCommand, CommandError, CommandParser

from mairie.benchmarks import BENCHMARKS, BenchmarkUnavailable


class Command(BaseCommand):
    help = (
        "Mesure des opérations longues contre leur objectif chiffré et dit PASS ou FAIL pour "
        "chacune ; sans nom, lance tous les bancs d'essai. Sort en erreur si un objectif n'est "
        "pas atteint ou si un banc ne peut pas tourner sur cette base."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        names = ", ".join(benchmark.name for benchmark in BENCHMARKS)
        parser.add_argument("names", nargs="*", metavar="NOM", help=f"parmi : {names}")
        parser.add_argument(
            "--size", type=int, help="taille des données (défaut : celle de chaque banc d'essai)"
        )

    def handle(self, *args, **options) -> None:
        known = {benchmark.name: benchmark for benchmark in BENCHMARKS}
        unknown = [name for name in options["names"] if name not in known]
        if unknown:
            raise CommandError(
                f"Banc d'essai inconnu : {', '.join(unknown)}. Disponibles : {', '.join(known)}."
            )
        chosen = [known[name] for name in options["names"]] or BENCHMARKS
        failed = []
        for benchmark in chosen:
            self.stdout.write(f"== {benchmark.name} : {benchmark.help}")
            try:
                passed = benchmark.run(options["size"] or benchmark.default_size, self.stdout.write)
            except BenchmarkUnavailable as error:
                raise CommandError(str(error)) from error
            if not passed:
                failed.append(benchmark.name)
        if failed:
            raise CommandError(f"Objectif non atteint : {', '.join(failed)}.")
