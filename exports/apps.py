from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from exports.exporters import EXPORTERS
        from exports.services import purge_expired_quarters
        from exports.tableaux import TABLEAU_EXPORTERS
        from recensement.services import quarters_expired

        EXPORTERS.update({exporter.identifier: exporter for exporter in TABLEAU_EXPORTERS})
        quarters_expired.connect(purge_expired_quarters)
