from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "ourlondon.providers"
    verbose_name = "Provider portal"
