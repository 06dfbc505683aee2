from django.apps import AppConfig


class MairieConfig(AppConfig):
    name = "mairie"
    verbose_name = "Mairie : collectivités et référentiels"
