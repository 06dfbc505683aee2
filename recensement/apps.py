from django.apps import AppConfig


class RecensementConfig(AppConfig):
    name = "recensement"
    verbose_name = "Recensement citoyen"

    def ready(self) -> None:
        from mairie import benchmarks, dashboard, demo
        from mairie.models import Role
        from recensement.benchmarks import PAGES_RECENSES
        from recensement.demo import create_recenses
        from recensement.models import current_quarter_count, unnumbered_count

        benchmarks.register(PAGES_RECENSES)
        demo.register(demo.DemoPart("recenses", "recensés", 40, create_recenses))
        for label, count, query in [
            ("Recensés du trimestre", current_quarter_count, ""),
            ("Recensés non numérotés", unnumbered_count, "numerote=non"),
        ]:
            dashboard.register(
                dashboard.Figure(label, Role.RECENSEMENT, count, "recensement:index", query)
            )
