from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ourlondon.web"
    label = "web"
    verbose_name = "Public site"
