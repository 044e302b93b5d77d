from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ourlondon.audit"
    verbose_name = "Audit log"
