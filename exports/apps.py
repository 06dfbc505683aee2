from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from exports.services import purge_expired_quarters
        from recensement.services import quarters_expired

        quarters_expired.connect(purge_expired_quarters)
