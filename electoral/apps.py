from django.apps import AppConfig


class ElectoralConfig(AppConfig):
    name = "electoral"
    verbose_name = "Élections"

    def ready(self) -> None:
        from electoral.benchmarks import IMPORT_REU
        from electoral.demo import create_electeurs
        from mairie import benchmarks, demo

        benchmarks.register(IMPORT_REU)
        demo.register(demo.DemoPart("electeurs", "électeurs", 200, create_electeurs))
