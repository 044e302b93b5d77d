"""The job queue harvests each feed as often as it is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from huey.contrib.djhuey import HUEY

from ourlondon.core import clock
from ourlondon.ingest.models import Feed
from ourlondon.ingest.tasks import (
    CHAIN_KEY,
    current_link,
    due_feeds,
    harvest_due_feeds,
    poll_due_feeds,
    seconds_until_due,
)
from ourlondon.ingest.tests.publisher import (
    Publisher,
    approved_feed,
    series_data,
    serve,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_queue(settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    HUEY.flush()
    yield
    HUEY.flush()


def scheduled_polls() -> list[datetime]:
    """When the pending follow-ups are due (the queue keeps naive UTC times)."""
    polls = [t for t in HUEY.scheduled() if isinstance(t, poll_due_feeds.task_class)]
    return sorted(task.eta.replace(tzinfo=UTC) for task in polls)


def link_token() -> str:
    link = current_link()
    assert link is not None
    return link[0]


def test_the_queue_job_harvests_due_feeds_and_skips_waiting_ones():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1"))
    with serve({"series": publisher}) as base:
        series = approved_feed(base, "series")
        approved_feed(base, "waiting", not_before=clock.now() + timedelta(minutes=5))
        approved_feed(base, "unapproved", approved=False)
        assert list(due_feeds().values_list("name", flat=True)) == ["series"]
        summaries = harvest_due_feeds.call_local()
    assert len(summaries) == 1 and "caught up" in summaries[0]
    series.refresh_from_db()
    assert series.status == Feed.Status.CAUGHT_UP
    # Just polled: not due again until poll_seconds have passed.
    assert not due_feeds().exists()
    later = clock.now() + timedelta(seconds=9)
    assert list(due_feeds(now=later).values_list("name", flat=True)) == ["series"]


def test_seconds_until_the_next_feed_is_due():
    now = clock.now()
    assert seconds_until_due(now) is None
    approved_feed(
        "https://feeds.example",
        "busy",
        status=Feed.Status.CAUGHT_UP,
        last_success_at=now - timedelta(seconds=3),
    )
    assert seconds_until_due(now) == pytest.approx(5)
    approved_feed("https://feeds.example", "stopped", status=Feed.Status.STOPPED)
    approved_feed("https://feeds.example", "off", enabled=False)
    assert seconds_until_due(now) == pytest.approx(5)
    waiting = approved_feed(
        "https://feeds.example", "waiting", not_before=now + timedelta(seconds=2)
    )
    assert seconds_until_due(now) == pytest.approx(2)
    # A feed part-way through its pages is due at once.
    waiting.not_before = None
    waiting.status = Feed.Status.HARVESTING
    waiting.save()
    assert seconds_until_due(now) == 0


def test_a_busy_feed_is_polled_again_by_one_chain_of_follow_ups():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1"))
    with serve({"series": publisher}) as base:
        busy = approved_feed(base, "series")
        before = clock.now()
        harvest_due_feeds.call_local()
        # Caught up just now: due again after its poll_seconds (8).
        (first,) = scheduled_polls()
        assert before + timedelta(seconds=8) <= first
        assert first <= clock.now() + timedelta(seconds=8)
        token = link_token()
        # The minute's next run does not start a second chain.
        harvest_due_feeds.call_local()
        assert scheduled_polls() == [first]
        # The follow-up polls the feed (from where it was: the last page) and
        # schedules the next link.
        Feed.objects.filter(pk=busy.pk).update(status=Feed.Status.HARVESTING)
        (summary,) = poll_due_feeds.call_local(token)
        assert summary.startswith(
            "series: 1 pages, 0 items, 0 deleted, 0 rejected (0 outside London); "
            "caught up; each page written in p50 "
        )
        assert len(scheduled_polls()) == 2 and link_token() != token
        # A link that is no longer the current one does nothing.
        Feed.objects.filter(pk=busy.pk).update(status=Feed.Status.HARVESTING)
        assert poll_due_feeds.call_local(token) == []
        assert len(scheduled_polls()) == 2
    assert len(publisher.requests) == 3


def test_the_chain_ends_when_no_feed_is_due_within_a_minute():
    now = clock.now()
    approved_feed(
        "https://feeds.example",
        "quiet",
        status=Feed.Status.CAUGHT_UP,
        last_success_at=now,
        quiet_polls=5,  # polled every 256 s
    )
    harvest_due_feeds.call_local()
    assert scheduled_polls() == [] and current_link() is None


def test_a_lost_link_is_replaced_by_the_minutes_run():
    approved_feed(
        "https://feeds.example",
        "busy",
        status=Feed.Status.CAUGHT_UP,
        last_success_at=clock.now(),
    )
    HUEY.put(CHAIN_KEY, ("lost", clock.timestamp() - 120))
    harvest_due_feeds.call_local()
    assert len(scheduled_polls()) == 1
    assert link_token() != "lost"
