from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ourlondon.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Logins, failures, lockouts and two-factor changes go to the audit log.
        from ourlondon.accounts import audit_receivers

        audit_receivers.connect()
