"""Load the demo content of the support pages (services, havens, toolkits)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ourlondon.support.demo import load_support_demo
from ourlondon.support.models import SafeHaven


class Command(BaseCommand):
    help = (
        "Load made-up support services, safe havens, toolkit pages and resources "
        "and campaign messages, each labelled as a demo. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if there is already a safe haven.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and SafeHaven.all_objects.exists():
            return
        load_support_demo()
        self.stdout.write("Loaded the support demo content.")
