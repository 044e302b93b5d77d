"""Roll every schedule's sessions forward over the occurrence window."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from ourlondon.catalogue.recurrence import materialise_all


class Command(BaseCommand):
    help = (
        "Recompute future sessions of every schedule for the rolling window "
        "(OCCURRENCE_WINDOW_WEEKS). Past sessions are kept. Safe to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = materialise_all()
        self.stdout.write(
            f"{total:,} sessions in the next {settings.OCCURRENCE_WINDOW_WEEKS} weeks."
        )
