from django.apps import AppConfig


class RecensementConfig(AppConfig):
    name = "recensement"
    verbose_name = "Recensement"
