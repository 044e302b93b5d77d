"""Remove axes' login records older than LOGIN_RECORDS_DAYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourlondon.accounts.retention import purge_login_records


class Command(BaseCommand):
    help = (
        "Remove axes' access logs, failure logs and attempts older than --days "
        "(default LOGIN_RECORDS_DAYS, 90). The audit log is kept. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            purged = purge_login_records(days=options["days"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Removed {purged.access_logs} access logs, {purged.failure_logs} "
            f"failure logs and {purged.attempts} attempts."
        )
