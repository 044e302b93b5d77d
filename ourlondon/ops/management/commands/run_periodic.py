"""The one entry point for scheduled work (run it daily from cron or a timer)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the daily jobs: roll the session window forward, then rebuild the "
        "search index from the public catalogue."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("materialise_occurrences", stdout=self.stdout)
        call_command("rebuild_search_index", stdout=self.stdout)
