from django.apps import AppConfig


class ElectoralConfig(AppConfig):
    name = "electoral"
    verbose_name = "Élections"

    def ready(self) -> None:
        from electoral.benchmarks import IMPORT_REU
        from mairie import benchmarks

        benchmarks.register(IMPORT_REU)
