from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ourlondon.ingest"
    verbose_name = "Open-data feeds"
    default_auto_field = "django.db.models.BigAutoField"
