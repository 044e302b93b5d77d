"""The job queue's daily read of providers' calendar feeds.

A lock stops two runs overlapping; a run is safe to repeat (each feed's events
are upserted by UID).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ourlondon.providers.models import ProviderFeed
from ourlondon.providers.provider_feeds import refresh_feed, refreshable


@db_periodic_task(crontab(hour="4", minute="20"))
@lock_task("providers-refresh-feeds")
def refresh_provider_feeds() -> list[str]:
    return [refresh_feed(feed).summary() for feed in refreshable()]


@db_task()
def read_feed_now(feed_id: int) -> str:
    """The first read of a feed a moderator has just approved."""
    feed = ProviderFeed.objects.filter(pk=feed_id).first()
    return refresh_feed(feed).summary() if feed is not None else ""
