from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ourlondon.ops"
    label = "ops"
    verbose_name = "Operations"
