from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from exports.services import purge_expired_quarters, quarter_files
        from recensement.quarters import register_file_finder
        from recensement.services import quarters_expired

        quarters_expired.connect(purge_expired_quarters)
        register_file_finder(quarter_files)
