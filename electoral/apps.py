from django.apps import AppConfig


class ElectoralConfig(AppConfig):
    name = "electoral"
    verbose_name = "Élections"

    def ready(self) -> None:
        from electoral.models import Electeur, active_count
        from mairie import dashboard, pays
        from mairie.models import Role

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
