from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from exports.benchmarks import LISTE_CSV, LISTE_XML
        from mairie import benchmarks

        benchmarks.register(LISTE_CSV)
        benchmarks.register(LISTE_XML)
