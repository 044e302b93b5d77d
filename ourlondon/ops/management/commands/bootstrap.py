"""Prepare a site to serve: migrate, load reference and demo data, collect static.

`make run` calls this once per start, so it must be quick when there is nothing to
do (the second `make run` serves within seconds).
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ourlondon.catalogue.models import Activity
from ourlondon.search.models import SearchDocument


class Command(BaseCommand):
    help = (
        "Migrate, load geography and vocabularies if missing, load the demo data "
        "if the catalogue is empty, build the search index if it is empty, and "
        "collect static files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-demo", action="store_true", help="Never load the demo data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = {"verbosity": 0}
        call_command("migrate", interactive=False, **quiet)
        call_command("load_geography", if_empty=True, stdout=self.stdout)
        call_command("load_vocabularies", if_empty=True, stdout=self.stdout)
        if not options["no_demo"]:
            call_command("load_demo", if_empty=True, stdout=self.stdout)
            call_command("load_support_demo", if_empty=True, stdout=self.stdout)
            call_command("load_funding_demo", if_empty=True, stdout=self.stdout)
        if not SearchDocument.objects.exists() and Activity.public.exists():
            call_command("rebuild_search_index", stdout=self.stdout)
        call_command("collectstatic", interactive=False, **quiet)
