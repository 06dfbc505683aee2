from django.apps import AppConfig


class ElectoralConfig(AppConfig):
    name = "electoral"
    verbose_name = "Élections"
