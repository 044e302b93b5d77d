from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ourlondon.core"
    label = "core"
    verbose_name = "London geography"

    def ready(self) -> None:
        from ourlondon.core import checks, lookups  # noqa: F401  they register
