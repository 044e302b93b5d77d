from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ourlondon.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from ourlondon.catalogue import checks  # noqa: F401  registers them
