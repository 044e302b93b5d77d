from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Safety and support: get help now, the support services directory (Open
    Referral UK), safe havens, the prevention toolkits and the campaign page."""

    name = "ourlondon.support"
    label = "support"
    verbose_name = "Safety and support"
    default_auto_field = "django.db.models.BigAutoField"
