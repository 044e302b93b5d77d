"""Harvest approved OpenActive RPDE feeds into the catalogue."""

from __future__ import annotations

import signal
import threading
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from ourlondon.core import clock
from ourlondon.ingest.fetching import FetchError, check_url
from ourlondon.ingest.harvesting import MAX_PAGES_PER_RUN, harvest_feed
from ourlondon.ingest.models import Feed


class Command(BaseCommand):
    help = (
        "Harvest approved, enabled OpenActive feeds: catch up, then (without "
        "--once) keep polling each feed's last page every poll_seconds. "
        "--url harvests one URL given here by staff."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--feed", help="Only the feed with this name.")
        parser.add_argument(
            "--once", action="store_true", help="Catch up once, then stop."
        )
        parser.add_argument(
            "--url", help="Harvest this RPDE URL (registered as an approved feed)."
        )
        parser.add_argument(
            "--kind", default=Feed.Kind.SESSION_SERIES, choices=Feed.Kind.values
        )
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="Allow loopback and private addresses (local testing only).",
        )
        parser.add_argument("--max-pages", type=int, default=MAX_PAGES_PER_RUN)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopped = threading.Event()
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if options["url"]:
            feeds = [self._feed_for_url(options)]
        else:
            queryset = Feed.objects.filter(enabled=True, approved=True)
            if options["feed"]:
                queryset = queryset.filter(name=options["feed"])
                if not queryset.exists():
                    raise CommandError(
                        f"No enabled, approved feed named {options['feed']!r}."
                    )
            feeds = list(queryset)
        if not feeds:
            self.stdout.write("No approved, enabled feeds to harvest.")
            return
        while not self.stopped.is_set():
            next_due = None
            for feed in feeds:
                feed.refresh_from_db()
                now = clock.now()
                if feed.status == Feed.Status.STOPPED or (
                    feed.not_before is not None and feed.not_before > now
                ):
                    continue
                report = harvest_feed(
                    feed,
                    max_pages=options["max_pages"],
                    allow_private=options["allow_private"],
                )
                self.stdout.write(report.summary())
                wait = report.wait_seconds or (
                    feed.poll_seconds if report.caught_up else 0
                )
                next_due = wait if next_due is None else min(next_due, wait)
                if self.stopped.is_set():
                    break
            if options["once"]:
                return
            # Woken at once by SIGTERM/Ctrl+C (a plain sleep would finish first).
            self.stopped.wait(max(next_due or 1.0, 0.5))

    def _stop(self, signum: int, frame: Any) -> None:
        # Finish the page in hand (its transaction), then stop.
        self.stopped.set()

    def _feed_for_url(self, options: dict[str, Any]) -> Feed:
        url = options["url"]
        try:
            check_url(url, allow_private=options["allow_private"])
        except FetchError as exc:
            raise CommandError(str(exc)) from exc
        host = urlsplit(url).hostname or "feed"
        feed, _ = Feed.objects.get_or_create(
            url=url,
            defaults={
                "name": slugify(f"cli-{host}-{urlsplit(url).path}")[:100],
                "publisher": host,
                "kind": options["kind"],
                # Given on the command line by staff: that is the approval.
                "approved": True,
                "approved_at": clock.now(),
            },
        )
        return feed
