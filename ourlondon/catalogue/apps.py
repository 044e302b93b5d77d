from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "ourlondon.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"
