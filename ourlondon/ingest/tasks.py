"""Harvesting on the job queue: each approved feed, as often as it is due.

A periodic job runs every minute (the queue's minute counts from when its
consumer started). Between those runs one chain of follow-up jobs polls each
feed when it falls due, a busy feed every `poll_seconds` (8 s by default): each
follow-up schedules the next for when the next feed is due. The chain's
current link is kept in the queue's own storage; a follow-up that is not the
current link (another run started a new chain) does nothing, so there is never
more than one chain, and the queue's worker is held only while a harvest runs.
When no feed is due within a minute the chain ends and the periodic job starts
it again; it also starts a new one if a link was lost (the consumer stopped). A
lock stops two harvests overlapping. The `harvest` command polls the same way
as a process of its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, lock_task

from ourlondon.core import clock
from ourlondon.ingest.harvesting import harvest_feed
from ourlondon.ingest.models import Feed

LOCK = "ingest-harvest-due-feeds"
CHAIN_KEY = "ingest-poll-chain"
# Due later than this: left to the periodic job (it runs every minute).
HORIZON_SECONDS = 60.0
# The queue's scheduler looks at delayed jobs once a second: sooner is not kept.
SHORTEST_WAIT = 1.0
# A link this long overdue is taken as lost (a busy worker runs it late).
LOST_AFTER_SECONDS = 30.0


def _pollable() -> QuerySet[Feed]:
    return Feed.objects.filter(approved=True, enabled=True).exclude(
        status=Feed.Status.STOPPED
    )


def _due_at(feed: Feed, now: datetime) -> datetime:
    """When `feed` should next be asked for a page."""
    due = now
    if feed.status == Feed.Status.CAUGHT_UP and feed.last_success_at is not None:
        due = feed.last_success_at + timedelta(seconds=feed.poll_interval())
    if feed.not_before is not None:
        due = max(due, feed.not_before)
    return due


def due_feeds(now: datetime | None = None) -> QuerySet[Feed]:
    """Approved, enabled feeds not stopped or waiting, and not polled within
    their interval."""
    now = now or clock.now()
    feeds = _pollable().filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
    due = [feed.pk for feed in feeds if _due_at(feed, now) <= now]
    return Feed.objects.filter(pk__in=due).order_by("name")


def seconds_until_due(now: datetime | None = None) -> float | None:
    """Seconds until the next feed is due (0 if one is due now); None if no
    feed is to be polled at all."""
    now = now or clock.now()
    times = [_due_at(feed, now) for feed in _pollable()]
    return max((min(times) - now).total_seconds(), 0.0) if times else None


def current_link() -> tuple[str, float] | None:
    """(token, when it is due, epoch seconds) of the chain's pending follow-up."""
    link = HUEY.get(CHAIN_KEY, peek=True)
    if not link:
        return None
    token, due = link
    return str(token), float(due)


def _harvest_due() -> list[str]:
    return [harvest_feed(feed).summary() for feed in due_feeds()]


def _link_next() -> None:
    """Schedule the chain's next follow-up for when the next feed is due, or
    end the chain if that is beyond the periodic job's next run."""
    wait = seconds_until_due()
    if wait is None or wait >= HORIZON_SECONDS:
        HUEY.delete(CHAIN_KEY)
        return
    wait = max(wait, SHORTEST_WAIT)
    token = uuid.uuid4().hex
    HUEY.put(CHAIN_KEY, (token, clock.timestamp() + wait))
    poll_due_feeds.schedule(args=(token,), delay=wait)


@db_periodic_task(crontab(minute="*"))
@lock_task(LOCK)
def harvest_due_feeds() -> list[str]:
    summaries = _harvest_due()
    link = current_link()
    if link is None or link[1] < clock.timestamp() - LOST_AFTER_SECONDS:
        _link_next()
    return summaries


@db_task()
@lock_task(LOCK)
def poll_due_feeds(token: str) -> list[str]:
    """A follow-up between the minute's runs (see the module's docstring)."""
    link = current_link()
    if link is None or link[0] != token:
        return []  # superseded by a newer chain
    summaries = _harvest_due()
    _link_next()
    return summaries
