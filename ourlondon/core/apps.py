from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ourlondon.core"
    label = "core"
    verbose_name = "London geography"
