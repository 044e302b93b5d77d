from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "ourlondon.subscriptions"
    verbose_name = "Email updates"
    default_auto_field = "django.db.models.BigAutoField"
