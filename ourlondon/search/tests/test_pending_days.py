"""Documents whose days a harvest's sessions changed wait in `PendingDays`
and are counted again later: they then hold what a rebuild would count,
whatever happened to those sessions in between."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ourlondon.catalogue.models import Activity, Occurrence, Schedule
from ourlondon.catalogue.recurrence import ScheduleTimes, rematerialised_schedules
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.core import clock
from ourlondon.search.indexing import (
    count_pending_days,
    rebuild_index,
    refresh_activities,
    refresh_sessions,
)
from ourlondon.search.models import PendingDays, SearchDocument, SearchIndexState

pytestmark = pytest.mark.django_db


def days(activity: Activity) -> tuple[object, ...]:
    return tuple(
        SearchDocument.objects.filter(pk=activity.pk).values_list(
            "days_a", "days_b", "day0_last_ts", "beyond"
        )[0]
    )


def recounted(activity: Activity) -> tuple[object, ...]:
    """Its days as re-indexing it from scratch counts them (nothing kept)."""
    refresh_activities([activity.pk])
    return days(activity)


def session_on(activity: Activity, in_days: int, *, defer: bool = True) -> Schedule:
    """A one-off session `in_days` from today, added as a harvest adds one."""
    day = clock.today() + timedelta(days=in_days)
    schedule = ScheduleFactory.create(
        activity=activity,
        kind=Schedule.Kind.ONE_OFF,
        weekdays="",
        start_date=day,
        end_date=day,
    )
    removed, written = rematerialised_schedules([ScheduleTimes.of(schedule)])
    refresh_sessions([activity.pk], removed=removed, written=written, defer_days=defer)
    return schedule


def cancel(schedule: Schedule) -> None:
    """The session removed, as a harvest removes a cancelled one."""
    gone = list(
        Occurrence.objects.filter(schedule=schedule).values_list("pk", flat=True)
    )
    activity_id = schedule.activity_id
    schedule.delete()
    _, nothing = rematerialised_schedules([])
    refresh_sessions([activity_id], removed=gone, written=nothing, defer_days=True)


@pytest.fixture
def activity() -> Activity:
    """A public activity with one session in two days, indexed."""
    # A fresh index whose day 0 is today's window (whatever ran before).
    SearchIndexState.objects.all().delete()
    PendingDays.objects.all().delete()
    activity = ActivityFactory.create()
    session_on(activity, 2, defer=False)  # no index yet: indexed whole
    assert days(activity)[0] != 0
    return activity


def test_deferred_days_reach_the_document_only_when_counted(activity):
    before = days(activity)
    session_on(activity, 5)
    assert days(activity) == before  # waiting
    assert PendingDays.objects.filter(activity_id=activity.pk).count() == 1

    assert count_pending_days() == 1
    counted = days(activity)
    assert counted != before
    assert not PendingDays.objects.exists()
    assert recounted(activity) == counted


def test_without_deferring_the_days_are_written_at_once(activity):
    before = days(activity)
    session_on(activity, 5, defer=False)
    assert days(activity) != before
    assert not PendingDays.objects.exists()
    assert count_pending_days() == 0


def test_a_day_whose_session_is_cancelled_before_the_count_is_not_added(activity):
    before = days(activity)
    later = session_on(activity, 5)
    cancel(later)  # its activity lost a session: its days are counted at once
    assert days(activity) == before
    count_pending_days()
    assert days(activity) == before == recounted(activity)
    assert not PendingDays.objects.exists()


def test_days_from_several_pages_are_written_once(activity):
    session_on(activity, 5)
    session_on(activity, 9)
    session_on(activity, 5)  # the same day again
    assert PendingDays.objects.count() == 3
    assert count_pending_days() == 1
    counted = days(activity)
    assert recounted(activity) == counted


def test_a_session_removed_by_a_full_re_index_is_not_brought_back(activity):
    before = days(activity)
    later = session_on(activity, 5)
    Occurrence.objects.filter(schedule=later).delete()
    later.delete()
    refresh_activities([activity.pk])  # an edit re-indexes it whole
    assert count_pending_days() == 0
    assert days(activity) == before


def test_only_the_listed_documents_are_counted(activity):
    other = ActivityFactory.create()
    refresh_activities([other.pk])
    session_on(activity, 5)
    # Its days wrong in the index, but not listed: left for a rebuild.
    SearchDocument.objects.filter(pk=other.pk).update(days_a=1)
    assert count_pending_days() == 1
    assert days(other)[0] == 1


def test_a_rebuild_counts_every_day_and_clears_what_waited(activity):
    session_on(activity, 5)
    rebuild_index()
    assert not PendingDays.objects.exists()
    assert days(activity) == recounted(activity)
