"""The bulk writers change exactly what Django's own bulk methods would, on
SQLite and on PostgreSQL (the suite runs on both)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ourlondon.catalogue.models import Activity, Schedule
from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    ScheduleFactory,
    VenueFactory,
)
from ourlondon.core import bulkwrite, clock
from ourlondon.core.bulkwrite import (
    allocate_ids,
    insert_rows,
    maintain_tables,
    prepared_row_writer,
    update_instances,
    update_rows,
)
from ourlondon.ingest.models import Feed, FeedItem
from ourlondon.search.models import SearchTerm

pytestmark = pytest.mark.django_db


def test_update_instances_writes_every_kind_of_value_like_bulk_update():
    activities = ActivityFactory.create_batch(3)
    venue = VenueFactory.create()
    for n, activity in enumerate(activities):
        activity.title = f"Renamed {n}"
        activity.age_min = None  # a column of nothing but NULLs
        activity.price = Decimal("3.50") if n else None
        activity.is_free = not n
        activity.accessibility = ["step-free", f"x{n}"]
        activity.venue = venue if n == 1 else None
        activity.is_online = n != 1
    fields = ["title", "age_min", "price", "is_free", "accessibility", "venue"]
    fields.append("is_online")
    assert update_instances(activities, fields) == 3
    for n, stored in enumerate(Activity.all_objects.order_by("pk")):
        assert stored.title == f"Renamed {n}"
        assert stored.age_min is None
        assert stored.price == (Decimal("3.50") if n else None)
        assert stored.is_free is (not n)
        assert stored.accessibility == ["step-free", f"x{n}"]
        assert stored.venue_id == (venue.pk if n == 1 else None)


def test_update_instances_writes_dates_times_and_json_of_schedules():
    schedule = ScheduleFactory.create()
    untouched = ScheduleFactory.create()
    schedule.start_time, schedule.end_time = time(9, 15), time(10, 45)
    schedule.start_date = date(2026, 12, 1)
    schedule.end_date = schedule.start_date + timedelta(days=70)
    schedule.exceptions = ["2026-12-22"]
    update_instances(
        [schedule], ["start_time", "end_time", "start_date", "end_date", "exceptions"]
    )
    stored = Schedule.objects.get(pk=schedule.pk)
    assert (stored.start_time, stored.end_time) == (time(9, 15), time(10, 45))
    assert (stored.start_date, stored.end_date) == (
        date(2026, 12, 1),
        date(2027, 2, 9),
    )
    assert stored.exceptions == ["2026-12-22"]
    assert Schedule.objects.get(pk=untouched.pk).start_time == untouched.start_time


def test_update_rows_leaves_rows_without_a_match_alone():
    SearchTerm.objects.create(token="boxing", documents=1)
    assert update_rows(SearchTerm, "token", ["documents"], [(5, "boxing"), (9, "x")])
    assert dict(SearchTerm.objects.values_list("token", "documents")) == {"boxing": 5}


def test_allocated_ids_are_new_and_rows_inserted_with_them_keep_them():
    activity = ActivityFactory()
    taken = ScheduleFactory.create(activity=activity).pk
    with transaction.atomic():
        SearchTerm.objects.create(token="lock", documents=0)  # takes the write lock
        ids = allocate_ids(Schedule, 3)
        assert len(set(ids)) == 3 and min(ids) > taken
        Schedule.objects.bulk_create(
            ScheduleFactory.build(activity=activity, pk=pk) for pk in ids
        )
        # The next ones follow those, from the same (remembered) sequence.
        later = allocate_ids(Schedule, 2)
    assert min(later) > max(ids)
    assert set(Schedule.objects.values_list("pk", flat=True)) == {taken, *ids}
    assert ScheduleFactory.create(activity=activity).pk > max(ids)


def test_upserts_insert_new_rows_and_overwrite_existing_ones_twice_in_a_transaction():
    with transaction.atomic():
        for documents in (1, 2):
            insert_rows(
                SearchTerm,
                ["token", "documents"],
                [("boxing", documents), (f"new{documents}", documents)],
                conflict=["token"],
                update=["documents"],
            )
        insert_rows(
            SearchTerm,
            ["token", "documents"],
            [("boxing", 99)],
            conflict=["token"],
        )
    assert dict(SearchTerm.objects.values_list("token", "documents")) == {
        "boxing": 2,
        "new1": 1,
        "new2": 2,
    }


@pytest.mark.parametrize(
    "data",
    [
        {"@type": "ScheduledSession", "name": "Café — ünïcode", "n": [1, 2.5, None]},
        [],
        "a JSON string",
        0,
        False,
        None,  # SQL NULL
    ],
)
def test_prepared_rows_store_json_as_django_would(data):
    feed = Feed.objects.create(
        name="f", publisher="p", kind="k", url="https://x.example/"
    )
    columns = ["feed_id", "kind", "item_id", "modified", "deleted", "data"]
    columns += ["updated_at"]
    write = prepared_row_writer(FeedItem, columns)
    row = (feed.pk, "k", "bulk", "1", False, data, clock.now())
    insert_rows(FeedItem, columns, [write(row)])
    FeedItem.objects.create(
        feed=feed, kind="k", item_id="django", modified="1", data=data
    )
    stored = dict(FeedItem.objects.values_list("item_id", "data"))
    assert stored["bulk"] == stored["django"] == data
    assert FeedItem.objects.filter(data__isnull=True).count() == (
        2 if data is None else 0
    )


def test_rows_repeating_dates_times_and_stamps_are_stored_as_django_would(
    monkeypatch,
):
    """The writers remember what they formatted; values seen again, and more
    values than they keep, still read back exactly."""
    monkeypatch.setattr(bulkwrite, "_REMEMBERED", 5)
    activity = ActivityFactory.create()
    now = clock.now()
    columns = ["activity_id", "source_id", "kind", "weekdays", "start_time"]
    columns += ["end_time", "start_date", "end_date", "season", "exceptions"]
    write = prepared_row_writer(Schedule, columns)
    wanted = []
    for n in range(40):
        day = date(2026, 3, 1) + timedelta(days=n % 7)
        at = time(9 + n % 3, 15 * (n % 4))
        wanted.append((f"s{n}", at, day))
        row = [activity.pk, f"s{n}", "one_off", "", at, time(23, 0), day, None]
        insert_rows(Schedule, columns, [write([*row, "all", []])])
    stored = Schedule.objects.filter(activity=activity).order_by("pk")
    assert list(stored.values_list("source_id", "start_time", "start_date")) == wanted
    feed = Feed.objects.create(
        name="f", publisher="p", kind="k", url="https://x.example/"
    )
    columns = ["feed_id", "kind", "item_id", "modified", "deleted", "data"]
    columns += ["updated_at"]
    write = prepared_row_writer(FeedItem, columns)
    stamps = [now + timedelta(seconds=n % 9, microseconds=n) for n in range(30)]
    rows = [
        write((feed.pk, "k", f"i{n}", "1", False, {}, stamp))
        for n, stamp in enumerate(stamps)
    ]
    insert_rows(FeedItem, columns, rows)
    assert (
        list(FeedItem.objects.order_by("pk").values_list("updated_at", flat=True))
        == stamps
    )


@pytest.mark.django_db(transaction=True)
def test_stale_planner_statistics_are_taken_again_on_postgresql():
    feed = Feed.objects.create(name="f", publisher="p", kind="k", url="https://x/")
    columns = ["feed_id", "kind", "item_id", "modified", "deleted", "updated_at"]
    now = clock.now()
    rows = [(feed.pk, "k", f"i{n}", "1", False, now) for n in range(1500)]
    insert_rows(FeedItem, columns, rows)
    if connection.vendor != "postgresql":
        # SQLite plans these lookups by index without statistics.
        assert maintain_tables([FeedItem]) == []
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
    assert maintain_tables([FeedItem, Feed]) == ["ingest_feeditem"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname = 'ingest_feeditem'"
        )
        assert cursor.fetchone() == (True,)
        # The items' JSON is left out (ingest migration 0004): nothing filters
        # on it, and measuring it was the slowest part of each ANALYZE.
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = "
            "'ingest_feeditem'::regclass AND attname IN ('data', 'item_id')"
        )
        targets = dict(cursor.fetchall())
        # -1 is the default before PostgreSQL 17, NULL from it.
        assert targets["data"] == 0 and targets["item_id"] in (-1, None)
    assert maintain_tables([FeedItem, Feed]) == []

    def dead_rows() -> tuple[int, bool]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT n_dead_tup, last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'ingest_feeditem'"
            )
            return cursor.fetchone()

    # Every row updated twice: 3,000 old versions, more than 1,000 plus a
    # fifth of the 1,500 live ones (other tests' rolled-back rows add more).
    for modified in ("2", "3"):
        FeedItem.objects.update(modified=modified)
    assert dead_rows()[0] >= 3000
    with transaction.atomic():  # VACUUM cannot run here: statistics only
        assert maintain_tables([FeedItem]) == ["ingest_feeditem"]
    assert dead_rows()[0] >= 3000
    assert maintain_tables([FeedItem]) == ["ingest_feeditem"]
    assert dead_rows() == (0, True)
    assert maintain_tables([FeedItem]) == []
