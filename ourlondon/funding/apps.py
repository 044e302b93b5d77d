from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "ourlondon.funding"
    verbose_name = "Funding"
    default_auto_field = "django.db.models.BigAutoField"
