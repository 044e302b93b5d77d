from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "ourlondon.search"
    label = "search"
    verbose_name = "Search index"
