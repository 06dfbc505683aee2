from django.apps import AppConfig


class ElectoralConfig(AppConfig):
    name = "electoral"
    verbose_name = "Élections"

    def ready(self) -> None:
        from electoral.benchmarks import IMPORT_REU, PAGES_ELECTEURS
        from electoral.demo import create_electeurs
        from electoral.models import Electeur, active_count
        from mairie import benchmarks, dashboard, demo, pays
        from mairie.models import Role

        benchmarks.register(IMPORT_REU)
        benchmarks.register(PAGES_ELECTEURS)
        demo.register(demo.DemoPart("electeurs", "électeurs", 200, create_electeurs))
        dashboard.register(
            dashboard.Figure(
                "Électeurs inscrits (liste principale)",
                Role.ELECTIONS,
                active_count,
                "electoral:index",
                "liste=p",
            )
        )
        pays.register(
            pays.CountryCodeField(
                Electeur, "naissance_code_lieu", "lieu de naissance", "naissance_pays"
            )
        )
