from django.core.management.base import BaseCommand, CommandError, CommandParser

from mairie.benchmarks import BenchmarkUnavailable, benchmarks


class Command(BaseCommand):
    help = (
        "Mesure des opérations longues contre leur objectif chiffré, sur la base configurée, et "
        "imprime un tableau : pour chaque banc d'essai, sa taille, PASS ou FAIL et son chiffre. "
        "Sans nom, lance tous les bancs d'essai ; NOM=TAILLE choisit la taille de l'un d'eux. "
        "Sort en erreur si un objectif n'est pas atteint ou si un banc ne peut pas tourner ici."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        names = ", ".join(benchmark.name for benchmark in benchmarks())
        parser.add_argument("names", nargs="*", metavar="NOM[=TAILLE]", help=f"parmi : {names}")
        parser.add_argument("--size", type=int, help="taille des données de tous les bancs choisis")

    def handle(self, *args, **options) -> None:
        known = {benchmark.name: benchmark for benchmark in benchmarks()}
        sizes: dict[str, int | None] = {}
        for argument in options["names"]:
            name, _, size = argument.partition("=")
            if name not in known:
                raise CommandError(
                    f"Banc d'essai inconnu : {name}. Disponibles : {', '.join(known)}."
                )
            if size and not size.isdigit():
                raise CommandError(f"Taille illisible pour {name} : « {size} ».")
            sizes[name] = int(size) if size else None
        chosen = [known[name] for name in sizes] or list(known.values())
        rows = []
        for benchmark in chosen:
            size = sizes.get(benchmark.name) or options["size"] or benchmark.default_size
            self.stdout.write(f"== {benchmark.name} ({size}) : {benchmark.help}")
            lines: list[str] = []

            def write(line: str, lines: list[str] = lines) -> None:
                self.stdout.write(line)
                lines.append(line)

            try:
                verdict = "PASS" if benchmark.run(size, write) else "FAIL"
                # A benchmark's last line states its figure against the target.
                figure = lines[-1] if lines else ""
            except BenchmarkUnavailable as error:
                verdict, figure = "—", f"indisponible : {error}"
            rows.append((benchmark.name, str(size), verdict, figure))
        self.stdout.write("")
        self.stdout.write(self.table(rows))
        failed = [name for name, _, verdict, _ in rows if verdict != "PASS"]
        if failed:
            raise CommandError(f"Objectif non atteint ou banc indisponible : {', '.join(failed)}.")

    @staticmethod
    def table(rows: list[tuple[str, str, str, str]]) -> str:
        header = ("banc d'essai", "taille", "résultat", "chiffre mesuré")
        widths = [max(len(row[column]) for row in [header, *rows]) for column in range(3)]
        lines = []
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            lines.append(" | ".join([*cells, row[3]]))
            if row is header:
                lines.append("-+-".join("-" * width for width in widths) + "-+-" + "-" * 20)
        return "\n".join(lines)
