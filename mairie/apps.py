from django.apps import AppConfig


class MairieConfig(AppConfig):
    name = "mairie"
    verbose_name = "Mairie : collectivités et référentiels"

    def ready(self) -> None:
        from mairie import checks  # noqa: F401  (registers the checks)
