"""The one entry point for scheduled work (run it daily from cron or a timer)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ourlondon.catalogue.taxonomy import holidays_running_out

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the daily jobs: roll the session window forward, then rebuild the "
        "search index from the public catalogue; warn when the school holidays "
        "held run out within six months."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("materialise_occurrences", stdout=self.stdout)
        call_command("rebuild_search_index", stdout=self.stdout)
        warning = holidays_running_out()
        if warning:
            # Logged, not only printed: the job queue's log is where it is read.
            logger.warning(warning)
            self.stderr.write(self.style.WARNING(warning))
