"""Indexing from the sessions just materialised equals indexing from the
database, including sessions before today still inside the index's days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ourlondon.catalogue.models import Occurrence
from ourlondon.catalogue.recurrence import materialised_sessions
from ourlondon.catalogue.tests.factories import ScheduleFactory
from ourlondon.search.indexing import refresh_activities
from ourlondon.search.models import SearchDocument, SearchIndexState, SearchSession

pytestmark = pytest.mark.django_db


def index_rows() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    sessions: list[tuple[object, ...]] = list(
        SearchSession.objects.order_by("pk").values_list()
    )
    documents: list[tuple[object, ...]] = list(
        SearchDocument.objects.order_by("pk").values_list(
            "activity_id", "days_a", "days_b", "day0_last_ts", "beyond"
        )
    )
    return sessions, documents


def test_index_from_materialised_sessions_equals_index_read_back():
    today = date(2026, 11, 25)
    schedules = [
        ScheduleFactory.create(weekdays="TU,SA", start_date=date(2026, 11, 1)),
        ScheduleFactory.create(weekdays="WE", start_date=date(2026, 11, 1)),
    ]
    # The index's day 0 is two days ago: yesterday's session is still in it,
    # though materialising from today leaves it alone. (Replacing any state a
    # harvest test before this one left behind.)
    SearchIndexState.objects.all().delete()
    SearchIndexState.objects.create(
        day0=today - timedelta(days=2), built_at=datetime(2026, 11, 23, tzinfo=UTC)
    )
    Occurrence.objects.create(
        activity=schedules[0].activity,
        schedule=schedules[0],
        start=datetime(2026, 11, 24, 18, tzinfo=UTC),
        end=datetime(2026, 11, 24, 19, tzinfo=UTC),
    )
    ids = [s.activity_id for s in schedules]
    sessions = materialised_sessions(ids, today=today)
    assert (
        len(sessions.rows)
        == Occurrence.objects.filter(start__gte=sessions.since).count()
    )
    refresh_activities(ids, materialised=sessions)
    given = index_rows()
    refresh_activities(ids)
    assert index_rows() == given
    assert len(given[0]) == len(sessions.rows) + 1  # yesterday's too
