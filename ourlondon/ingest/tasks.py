"""Harvesting on the job queue: every minute, each approved feed that is due.

The `harvest` command is the busy-feed poller (every `poll_seconds`, 8 s by
default); this periodic job is the floor that keeps every feed moving when only
the queue's consumer runs. A lock stops two runs overlapping.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from ourlondon.ingest.harvesting import harvest_feed
from ourlondon.ingest.models import Feed


def due_feeds(now: datetime | None = None) -> QuerySet[Feed]:
    """Approved, enabled feeds not stopped or waiting, and not polled within
    their interval."""
    now = now or timezone.now()
    feeds = (
        Feed.objects.filter(approved=True, enabled=True)
        .exclude(status=Feed.Status.STOPPED)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
    )
    due = [
        feed.pk
        for feed in feeds
        if feed.status != Feed.Status.CAUGHT_UP
        or feed.last_success_at is None
        or feed.last_success_at <= now - timedelta(seconds=feed.poll_interval())
    ]
    return Feed.objects.filter(pk__in=due).order_by("name")


@db_periodic_task(crontab(minute="*"))
@lock_task("ingest-harvest-due-feeds")
def harvest_due_feeds() -> list[str]:
    return [harvest_feed(feed).summary() for feed in due_feeds()]
