"""Read providers' approved calendar feeds now (the job queue does it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourlondon.providers.models import ProviderFeed
from ourlondon.providers.provider_feeds import refresh_feed, refreshable


class Command(BaseCommand):
    help = (
        "Read every approved iCalendar feed of a provider and bring its events in "
        "line (safe to re-run). --feed ID reads one feed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--feed", type=int, help="Only the feed with this id.")

    def handle(self, *args: Any, **options: Any) -> None:
        feeds = refreshable()
        if options["feed"] is not None:
            feeds = [f for f in feeds if f.pk == options["feed"]]
            if not feeds:
                exists = ProviderFeed.objects.filter(pk=options["feed"]).exists()
                raise CommandError(
                    f"Feed {options['feed']} is not an approved calendar feed."
                    if exists
                    else f"No feed with id {options['feed']}."
                )
        if not feeds:
            self.stdout.write("No approved calendar feeds.")
        failed = 0
        for feed in feeds:
            result = refresh_feed(feed)
            failed += bool(result.error)
            self.stdout.write(result.summary())
        if failed:
            raise CommandError(f"{failed} feed(s) could not be read.")
