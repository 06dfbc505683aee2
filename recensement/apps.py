from django.apps import AppConfig


class RecensementConfig(AppConfig):
    name = "recensement"
    verbose_name = "Recensement citoyen"

    def ready(self) -> None:
        from mairie import benchmarks, dashboard, demo
        from mairie.models import Role
        from recensement.benchmarks import PAGES_RECENSES
        from recensement.demo import create_demandes, create_recenses
        from recensement.models import (
            current_quarter_count,
            pending_demandes_count,
            unnumbered_count,
        )

        benchmarks.register(PAGES_RECENSES)
        demo.register(demo.DemoPart("recenses", "recensés", 40, create_recenses))
        demo.register(demo.DemoPart("demandes", "demandes en ligne", 3, create_demandes))
        for label, count, query in [
            ("Recensés du trimestre", current_quarter_count, ""),
            ("Recensés non numérotés", unnumbered_count, "numerote=non"),
        ]:
            dashboard.register(
                dashboard.Figure(label, Role.RECENSEMENT, count, "recensement:index", query)
            )
        dashboard.register(
            dashboard.Figure(
                "Demandes en ligne à traiter",
                Role.RECENSEMENT,
                pending_demandes_count,
                "recensement:demandes",
            )
        )
