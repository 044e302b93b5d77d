"""Remind providers of listings due for confirmation; hide the unconfirmed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ourlondon.providers.freshness import check_freshness


class Command(BaseCommand):
    help = (
        "Email a one-click 'still running' reminder for each provider-managed "
        "listing unconfirmed for FRESHNESS_REMIND_DAYS (90), once per period; "
        "hide those unconfirmed for FRESHNESS_HIDE_DAYS (120) and tell the "
        "provider. Safe to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = check_freshness()
        self.stdout.write(f"{run.reminded} reminded, {run.hidden} hidden.")
