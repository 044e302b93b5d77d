"""The providers' daily jobs: reading calendar feeds, and freshness (the same
work as `refresh_provider_feeds` and `check_freshness`).

Locks stop two runs overlapping; each run is safe to repeat (a feed's events
are upserted by UID; freshness reminds and hides once per period).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ourlondon.providers.freshness import check_freshness
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


@db_periodic_task(crontab(hour="9", minute="0"))
@lock_task("providers-check-freshness")
def check_freshness_daily() -> tuple[int, int]:
    # Mid-morning, so a reminder arrives when someone can act on it.
    run = check_freshness()
    return run.reminded, run.hidden
