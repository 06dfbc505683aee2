from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from exports.benchmarks import LISTE_CSV, LISTE_XML
        from exports.pecoto_benchmark import PECOTO
        from exports.services import purge_expired_quarters
        from exports.tableaux_benchmark import TABLEAU_PDF
        from mairie import benchmarks
        from recensement.services import quarters_expired

        benchmarks.register(LISTE_CSV)
        benchmarks.register(LISTE_XML)
        benchmarks.register(TABLEAU_PDF)
        benchmarks.register(PECOTO)
        quarters_expired.connect(purge_expired_quarters)
