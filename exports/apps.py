from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from exports.benchmarks import TABLEAU_PDF
        from exports.exporters import EXPORTERS
        from exports.tableaux import TABLEAU_EXPORTERS
        from mairie import benchmarks

        EXPORTERS.update({exporter.identifier: exporter for exporter in TABLEAU_EXPORTERS})
        benchmarks.register(TABLEAU_PDF)
