from django.apps import AppConfig


class RecensementConfig(AppConfig):
    name = "recensement"
    verbose_name = "Recensement citoyen"

    def ready(self) -> None:
        from mairie.demo import DemoPart, register
        from recensement.demo import create_recenses

        register(DemoPart("recenses", "recensés", 40, create_recenses))
