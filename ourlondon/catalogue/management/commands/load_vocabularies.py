"""Load activity types (OpenActive Activity List + ours) and school holidays."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourlondon.catalogue.models import ActivityType
from ourlondon.catalogue.taxonomy import (
    VocabularyError,
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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and ActivityType.objects.exists():
            return
        try:
            types = load_activity_types()
            holidays = load_school_holidays()
        except VocabularyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{types} activity types; {holidays} school holidays added."
            )
        )
