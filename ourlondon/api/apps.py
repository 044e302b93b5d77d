from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ourlondon.api"
    label = "api"
    verbose_name = "Public API"
