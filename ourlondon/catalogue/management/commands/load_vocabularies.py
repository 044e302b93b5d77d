"""Load activity types (OpenActive Activity List + ours) and school holidays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourlondon.catalogue.models import ActivityType
from ourlondon.catalogue.taxonomy import (
    VocabularyError,
    holidays_known_until,
    holidays_running_out,
    load_activity_types,
    load_school_holidays,
)


class Command(BaseCommand):
    help = (
        "Create or update activity types (OpenActive Activity List and ourlondon's "
        "youth concepts) and add the typical London school holidays. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when activity types are already loaded.",
        )
        parser.add_argument(
            "--holidays",
            metavar="FILE",
            type=Path,
            help=(
                "Load school holidays from this CSV (name,start_date,end_date; ISO "
                "dates) instead of the shipped file: new names are added and the "
                "dates of held ones corrected, all or nothing."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given: Path | None = options["holidays"]
        if options["if_empty"] and given is None and ActivityType.objects.exists():
            return
        try:
            types = load_activity_types()
            holidays = (
                load_school_holidays()
                if given is None
                else load_school_holidays(path=given, update=True)
            )
        except VocabularyError as exc:
            raise CommandError(str(exc)) from exc
        last = holidays_known_until()
        self.stdout.write(
            self.style.SUCCESS(
                f"{types} activity types; school holidays: {holidays.added} added, "
                f"{holidays.updated} updated, {holidays.unchanged} unchanged"
                + (f"; they run to {last:%d %B %Y}." if last else ".")
            )
        )
        warning = holidays_running_out()
        if warning:
            self.stderr.write(self.style.WARNING(warning))
