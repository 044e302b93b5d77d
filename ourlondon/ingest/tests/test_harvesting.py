"""The RPDE harvester against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time as wall_time
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ourlondon.catalogue.models import Activity, Schedule
from ourlondon.core import clock
from ourlondon.ingest import harvesting
from ourlondon.ingest.harvesting import harvest_feed, retry_after_seconds
from ourlondon.ingest.models import Feed, FeedItem, FeedRejection
from ourlondon.ingest.openactive import LONDON
from ourlondon.ingest.tests.publisher import (
    BOXING,
    Publisher,
    approved_feed,
    series_data,
    serve,
    session_data,
)
from ourlondon.search import engine
from ourlondon.search.indexing import count_pending_days, refresh_activities
from ourlondon.search.models import PendingDays, SearchDocument, SearchSession
from ourlondon.search.query import SearchQuery

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def local_feeds(settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True


def soon(days: int = 3, hour: int = 18) -> datetime:
    day = clock.today() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def openactive_titles() -> dict[str, str]:
    return dict(
        Activity.all_objects.filter(source="openactive").values_list(
            "source_id", "status"
        )
    )


def published_ids(publisher: Publisher) -> set[str]:
    return {
        data["@id"]
        for data in publisher.live().values()
        if data["@type"] == "SessionSeries"
    }


def catalogue_ids() -> set[str]:
    return set(
        Activity.all_objects.filter(
            source="openactive", status="published"
        ).values_list("source_id", flat=True)
    )


@pytest.mark.parametrize("strategy", ["modified", "change"])
def test_both_orderings_harvest_every_item_and_stop_at_the_last_page(strategy):
    publisher = Publisher(strategy=strategy, page_size=2)
    for n in range(5):
        publisher.upsert(f"s{n}", series_data(f"s{n}", name=f"Club {n}"))
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        report = harvest_feed(feed)
    assert report.caught_up and report.items == 5 and report.rejected == 0
    assert catalogue_ids() == published_ids(publisher)
    feed.refresh_from_db()
    assert feed.status == Feed.Status.CAUGHT_UP
    assert feed.items_seen == 5
    # Pages of 2: three full or partial pages, then the empty last page.
    assert report.pages == 4


@pytest.mark.django_db(transaction=True)
def test_each_page_commits_without_waiting_for_disk_and_only_that_page():
    publisher = Publisher(page_size=2)
    for n in range(3):
        publisher.upsert(f"s{n}", series_data(f"s{n}"))
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        with CaptureQueriesContext(connection) as queries:
            report = harvest_feed(feed)
    # (The reference data may be gone here: a transactional test empties
    # the tables, so the places need not be in London.)
    assert report.items == 3 and report.pages == 3
    settings = [q["sql"] for q in queries if "synchronous_commit" in q["sql"]]
    if connection.vendor != "postgresql":
        assert settings == []  # SQLite's WAL mode already commits so
        return
    assert settings == ["SET LOCAL synchronous_commit = off"] * report.pages
    # Only the pages' own transactions: whatever this connection does next
    # (a moderator's edit in the same worker) waits for the disk as before.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


def test_new_items_are_inserted_and_items_seen_before_overwritten():
    publisher = Publisher(page_size=10)
    for n in range(3):
        publisher.upsert(f"s{n}", series_data(f"s{n}", name=f"Club {n}"))

    def upserts(queries: CaptureQueriesContext) -> int:
        return sum(
            'INTO "ingest_feeditem"' in q["sql"] and "ON CONFLICT" in q["sql"]
            for q in queries.captured_queries
        )

    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        with CaptureQueriesContext(connection) as first:
            harvest_feed(feed)
        publisher.upsert("s0", series_data("s0", name="Club 0, renamed"))
        publisher.upsert("s3", series_data("s3", name="Club 3"))
        with CaptureQueriesContext(connection) as second:
            harvest_feed(Feed.objects.get())
    # All new the first time: inserted, no upsert; then one page of a new item
    # and a changed one: the new one inserted, the other overwritten.
    assert upserts(first) == 0 and upserts(second) == 1
    stored = {i.item_id: i for i in FeedItem.objects.all()}
    live = publisher.live()
    assert sorted(stored) == sorted(live) == ["s0", "s1", "s2", "s3"]
    for item_id, data in live.items():
        assert stored[item_id].data == data
    assert Activity.all_objects.get(source_id=live["s0"]["@id"]).title == (
        "Club 0, renamed"
    )


def test_an_item_read_again_unchanged_is_skipped_even_with_a_very_long_id():
    """Ids are stored cut to 300 characters (and `modified` to 64); an item
    read again with the same `modified` is still recognised as stored."""
    publisher = Publisher(page_size=10)
    long_id = "session-" + "x" * 400
    publisher.upsert(long_id, series_data("s1"), modified=10**70)
    publisher.upsert("s2", series_data("s2"))
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        harvest_feed(feed)
        written = dict(FeedItem.objects.values_list("item_id", "updated_at"))
        # Read from the start again (a re-sync, or a page read again after a
        # restart), nothing changed: nothing is written again.
        Feed.objects.filter(pk=feed.pk).update(next_url="")
        report = harvest_feed(Feed.objects.get(pk=feed.pk))
    assert report.items == 2 and report.rejected == 0
    assert dict(FeedItem.objects.values_list("item_id", "updated_at")) == written
    assert len(written) == 2 and long_id[:300] in written


def test_an_update_and_then_a_delete_of_the_same_id():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1", name="Boxing Club"))
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        harvest_feed(feed)
        publisher.upsert("s1", series_data("s1", name="Boxing Club (new time)"))
        harvest_feed(Feed.objects.get())
        activity = Activity.all_objects.get(source="openactive")
        assert activity.title == "Boxing Club (new time)"
        publisher.delete("s1")
        report = harvest_feed(Feed.objects.get())
    assert report.deleted == 1
    activity.refresh_from_db()
    assert activity.status == Activity.Status.WITHDRAWN
    assert Activity.public.count() == 0


def test_equal_modified_values_across_a_page_boundary_lose_nothing():
    publisher = Publisher(page_size=2)
    for n in range(5):
        publisher.upsert(f"s{n}", series_data(f"s{n}"), modified=5000)
    with serve({"series": publisher}) as base:
        report = harvest_feed(approved_feed(base, "series"))
    assert report.items == 5
    assert catalogue_ids() == published_ids(publisher)


@pytest.mark.parametrize("series_first", [True, False])
def test_sessions_join_their_series_whichever_arrives_first(series_first):
    series = Publisher(kind="SessionSeries")
    sessions = Publisher(kind="ScheduledSession")
    series.upsert("s1", series_data("s1"))
    sessions.upsert("x1", session_data("x1", "s1", soon()))
    sessions.upsert("x2", session_data("x2", "s1", soon(days=10)))
    with serve({"series": series, "sessions": sessions}) as base:
        series_feed = approved_feed(base, "series")
        session_feed = approved_feed(base, "sessions", "ScheduledSession")
        first, second = (
            (series_feed, session_feed) if series_first else (session_feed, series_feed)
        )
        harvest_feed(first)
        if not series_first:
            assert (
                FeedRejection.objects.filter(reason__startswith="Waiting").count() == 2
            )
        harvest_feed(second)
    activity = Activity.public.get()
    assert Schedule.objects.filter(activity=activity).count() == 2
    assert activity.occurrences.count() == 2
    session = activity.occurrences.order_by("start").first()
    assert session is not None and session.start.astimezone(LONDON).time() == time(18)
    assert not FeedRejection.objects.exists()
    # And it is searchable straight away.
    found = engine.search(SearchQuery.build(text="football"))
    assert [h.activity_id for h in found.hits] == [activity.pk]


def test_many_sessions_waiting_for_their_series_all_join_it():
    series = Publisher(kind="SessionSeries")
    sessions = Publisher(kind="ScheduledSession", page_size=10)
    series.upsert("s1", series_data("s1"))
    series.upsert("s2", series_data("s2", name="Other club"))
    for n in range(6):
        sessions.upsert(
            f"x{n}", session_data(f"x{n}", f"s{n % 2 + 1}", soon(days=n + 1))
        )
    # Two items describing one session: the later one wins.
    sessions.upsert("y1", session_data("dup", "s1", soon(days=8)))
    sessions.upsert("y2", session_data("dup", "s1", soon(days=9)))
    with serve({"series": series, "sessions": sessions}) as base:
        harvest_feed(approved_feed(base, "sessions", "ScheduledSession"))
        assert FeedRejection.objects.filter(reason__startswith="Waiting").count() == 8
        harvest_feed(approved_feed(base, "series"))
    assert not FeedRejection.objects.exists()
    counts = dict(
        Schedule.objects.values_list("activity__source_id").annotate(n=Count("pk"))
    )
    assert counts == {
        "https://publisher.example/series/s1": 4,
        "https://publisher.example/series/s2": 3,
    }
    dup = Schedule.objects.get(source_id="https://publisher.example/sessions/dup")
    assert dup.start_date == soon(days=9).astimezone(LONDON).date()
    assert SearchSession.objects.count() == 7


def test_an_embedded_superevent_makes_the_series_too():
    sessions = Publisher(kind="ScheduledSession")
    data = session_data("x1", "s1", soon())
    data["superEvent"] = series_data("s1", name="Embedded Boxing", activity=BOXING)
    sessions.upsert("x1", data)
    with serve({"sessions": sessions}) as base:
        report = harvest_feed(approved_feed(base, "sessions", "ScheduledSession"))
    assert report.rejected == 0
    activity = Activity.public.get()
    assert activity.title == "Embedded Boxing"
    assert activity.occurrences.count() == 1


def test_bad_items_are_rejected_one_by_one_with_reasons():
    publisher = Publisher(page_size=10)
    publisher.upsert("good", series_data("good"))
    publisher.upsert("no-name", series_data("no-name", name=""))
    publisher.upsert("bad-age", series_data("bad-age", age=(16, 11)))
    publisher.upsert("nowhere", series_data("nowhere", postcode="TS4 3AE"))
    unknown = series_data("unknown")
    unknown["activity"] = [{"@id": "https://x.example/c", "prefLabel": "Quidditch"}]
    publisher.upsert("unknown", unknown)
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        report = harvest_feed(feed)
    assert report.items == 5 and report.rejected == 4 and report.outside_london == 1
    assert catalogue_ids() == {"https://publisher.example/series/good"}
    reasons = dict(FeedRejection.objects.values_list("item_id", "reason"))
    assert reasons["no-name"] == "The item has no name."
    assert "ageRange runs from 16 down to 11" in reasons["bad-age"]
    assert "not in London" in reasons["nowhere"]
    assert "No activity from the OpenActive Activity List" in reasons["unknown"]
    feed.refresh_from_db()
    assert (feed.items_rejected, feed.items_outside_london) == (4, 1)


def test_items_that_are_not_rpde_items_are_rejected_and_the_rest_kept():
    publisher = Publisher(page_size=10)
    publisher.upsert("good", series_data("good"))

    def page_with_junk(query):
        if query:
            return None
        page = publisher.page({}, "", "")
        page["items"] += [
            "not an object",
            {"state": "updated", "kind": "SessionSeries", "modified": 3},
            {"state": "gone", "kind": "SessionSeries", "id": "z", "modified": 4},
            {"state": "updated", "kind": "SessionSeries", "id": "y", "modified": 5},
        ]
        page["next"] = "?afterTimestamp=9999&afterId=zzz"
        return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()

    publisher.intercept = page_with_junk
    with serve({"series": publisher}) as base:
        report = harvest_feed(approved_feed(base, "series"))
    assert report.rejected == 4
    assert catalogue_ids() == {"https://publisher.example/series/good"}
    reasons = set(FeedRejection.objects.values_list("reason", flat=True))
    assert "An updated item must carry its data object." in reasons
    assert "state must be updated or deleted, not 'gone'." in reasons


def test_503_with_retry_after_backs_off_and_keeps_the_position():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1"))
    publisher.intercept = lambda q: (503, {"Retry-After": "120"}, b"busy")
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        report = harvest_feed(feed)
    feed.refresh_from_db()
    assert report.wait_seconds == 120
    assert feed.status == Feed.Status.BACKING_OFF
    assert feed.not_before is not None
    assert 110 < (feed.not_before - clock.now()).total_seconds() <= 120
    assert feed.next_url == ""
    assert not Activity.all_objects.exists()


def test_retry_after_as_an_http_date():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)
    assert retry_after_seconds("Wed, 25 Nov 2026 12:01:00 GMT", now) == 60
    assert retry_after_seconds("soon", now) is None


@pytest.mark.parametrize("status", [404, 410])
def test_a_feed_that_is_gone_is_stopped_and_flagged(status):
    publisher = Publisher()
    publisher.intercept = lambda q: (status, {}, b"gone")
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        report = harvest_feed(feed)
    feed.refresh_from_db()
    assert report.stopped
    assert feed.status == Feed.Status.STOPPED
    assert f"HTTP {status}" in feed.last_error


def test_a_malformed_page_commits_nothing_and_names_its_url():
    publisher = Publisher(page_size=1)
    publisher.upsert("s1", series_data("s1"))
    publisher.upsert("s2", series_data("s2"))

    def second_page_broken(query):
        if query:
            return 200, {"Content-Type": "application/json"}, b'{"items": [}'
        return None

    publisher.intercept = second_page_broken
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        report = harvest_feed(feed)
    feed.refresh_from_db()
    assert report.pages == 1 and report.error.startswith("Malformed page")
    assert feed.last_error_url.endswith("afterTimestamp=1001&afterId=s1")
    # The first page landed; its position is kept for the next run.
    assert catalogue_ids() == {"https://publisher.example/series/s1"}
    assert feed.next_url.endswith("afterTimestamp=1001&afterId=s1")


def test_a_redirect_to_cloud_metadata_is_refused():
    publisher = Publisher()
    publisher.intercept = lambda q: (
        302,
        {"Location": "http://169.254.169.254/latest/meta-data/"},
        b"",
    )
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        report = harvest_feed(feed)
    assert "169.254.169.254" in report.error
    assert not Activity.all_objects.exists()


def test_a_feed_whose_next_never_ends_stops_at_the_page_cap():
    publisher = Publisher()
    counter = iter(range(10**6))

    def endless(query):
        n = next(counter)
        page = {"next": f"?page={n + 1}", "items": []}
        return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()

    publisher.intercept = endless
    with serve({"series": publisher}) as base:
        report = harvest_feed(approved_feed(base, "series"), max_pages=25)
    assert report.pages == 25 and not report.caught_up
    assert "Stopped after 25 pages" in report.error
    # The page after the cap is not fetched ahead either.
    assert len(publisher.requests) == 25


def committing_first_page_while(monkeypatch, during) -> list[object]:
    """Run `during()` inside the commit of the first page; returns what it gave."""
    seen: list[object] = []
    commit = harvesting._commit_page

    def observed(feed, page, report, *, last):
        if not seen:
            seen.append(during())
        commit(feed, page, report, last=last)

    monkeypatch.setattr(harvesting, "_commit_page", observed)
    return seen


def test_the_next_page_is_fetched_while_this_one_is_committed(monkeypatch):
    publisher = Publisher(page_size=1)
    for n in range(3):
        publisher.upsert(f"s{n}", series_data(f"s{n}"))
    second_asked = threading.Event()
    publisher.intercept = lambda query: second_asked.set() if query else None
    # Without the prefetch the second page is asked for only after this
    # commit, so the wait would time out.
    seen = committing_first_page_while(monkeypatch, lambda: second_asked.wait(10))
    with serve({"series": publisher}) as base:
        report = harvest_feed(approved_feed(base, "series"))
    assert seen == [True]
    assert report.caught_up and report.pages == 4
    assert catalogue_ids() == published_ids(publisher)


def test_a_failed_commit_does_not_wait_for_the_page_fetched_ahead(monkeypatch):
    publisher = Publisher(page_size=1)
    for n in range(2):
        publisher.upsert(f"s{n}", series_data(f"s{n}"))
    asked, released, answered = threading.Event(), threading.Event(), threading.Event()

    def held(query):
        if query:
            asked.set()
            released.wait(10)
            answered.set()
        return

    publisher.intercept = held

    def fail():
        asked.wait(10)
        raise RuntimeError("the database went away")

    committing_first_page_while(monkeypatch, fail)
    with serve({"series": publisher}) as base:
        with pytest.raises(RuntimeError):
            harvest_feed(approved_feed(base, "series"))
        # The error came back while the page fetched ahead was still held.
        assert asked.is_set() and not answered.is_set()
        released.set()
    assert not Activity.all_objects.exists()


def test_unapproved_feeds_are_never_fetched():
    publisher = Publisher()
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        feed.approved = False
        feed.save()
        report = harvest_feed(feed)
    assert "not approved" in report.error
    assert publisher.requests == []


def test_a_real_feeds_tombstones_page_through_to_the_end():
    """Jubilee Hall's recorded SessionSeries feed (London): 14 pages of deleted
    items, the last pointing at itself."""
    recorded = json.loads(
        (FIXTURES / "jubileehall-legend_SessionSeries_deleted_pages.json").read_text()
    )
    pages = {entry["url"].split("?", 1)[-1]: entry["page"] for entry in recorded}
    first_query = recorded[0]["url"].split("?", 1)[-1]
    publisher = Publisher()

    def replay(query):
        raw = "&".join(f"{k}={v[0]}" for k, v in query.items()) or first_query
        page = dict(pages[raw])
        page["next"] = "?" + page["next"].split("?", 1)[-1]
        return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()

    publisher.intercept = replay
    with serve({"series": publisher}) as base:
        report = harvest_feed(approved_feed(base, "series"))
    assert report.caught_up
    assert report.deleted == 240
    assert report.rejected == 0


OPS = st.lists(
    st.tuples(st.sampled_from(["upsert", "delete", "harvest"]), st.integers(0, 5)),
    max_size=30,
)


@pytest.fixture(scope="module")
def feed_server():
    publishers: dict[str, Publisher] = {}
    with serve(publishers) as base:
        yield base, publishers


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
def test_any_interleaving_of_updates_and_deletes_ends_equal_to_the_publisher(
    feed_server, ops
):
    base, publishers = feed_server
    Feed.objects.all().delete()
    Activity.all_objects.filter(source="openactive").delete()
    publisher = Publisher(page_size=2)
    publishers["series"] = publisher
    feed = approved_feed(base, "series")
    for op, n in ops:
        if op == "upsert":
            publisher.upsert(
                f"s{n}", series_data(f"s{n}", name=f"Club {n} v{publisher.clock}")
            )
        elif op == "delete":
            publisher.delete(f"s{n}")
        else:
            harvest_feed(Feed.objects.get(pk=feed.pk))
    report = harvest_feed(Feed.objects.get(pk=feed.pk))
    assert report.caught_up
    assert catalogue_ids() == published_ids(publisher)
    titles = dict(
        Activity.all_objects.filter(
            source="openactive", status="published"
        ).values_list("source_id", "title")
    )
    assert titles == {d["@id"]: d["name"] for d in publisher.live().values()}


def test_the_weekly_resync_withdraws_what_vanished_without_a_tombstone():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1"))
    publisher.upsert("s2", series_data("s2"))
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        harvest_feed(feed)
        del publisher.entries["s2"]  # gone, with no deleted item
        report = harvest_feed(Feed.objects.get())  # not a re-sync yet
        assert report.deleted == 0
        # Changed during the re-read: stored anew, and seen.
        publisher.upsert("s1", series_data("s1", name="Renamed"))
        later = clock.now() + timedelta(days=8)
        report = harvest_feed(Feed.objects.get(), now=later)
    assert report.deleted == 1
    assert catalogue_ids() == {"https://publisher.example/series/s1"}
    assert Feed.objects.get().resync_started_at is None


def test_the_weekly_resync_of_a_session_feed_removes_vanished_sessions():
    series = Publisher()
    series.upsert("s1", series_data("s1"))
    sessions = Publisher(kind="ScheduledSession")
    for n in range(3):
        sessions.upsert(f"x{n}", session_data(f"x{n}", "s1", soon(days=n + 1)))
    with serve({"series": series, "sessions": sessions}) as base:
        harvest_feed(approved_feed(base, "series"))
        feed = approved_feed(base, "sessions", "ScheduledSession")
        harvest_feed(feed)
        assert Schedule.objects.count() == 3
        del sessions.entries["x2"]  # gone, with no deleted item
        sessions.upsert("x1", session_data("x1", "s1", soon(days=5)))  # changed
        later = clock.now() + timedelta(days=8)
        report = harvest_feed(Feed.objects.get(pk=feed.pk), now=later)
    assert report.deleted == 1
    assert sorted(Schedule.objects.values_list("source_id", flat=True)) == [
        "https://publisher.example/sessions/x0",
        "https://publisher.example/sessions/x1",
    ]


def test_modified_may_be_a_very_large_integer():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1"), modified=2**70)
    with serve({"series": publisher}) as base:
        report = harvest_feed(approved_feed(base, "series"))
    assert report.items == 1 and report.rejected == 0
    assert FeedItem.objects.get().modified == str(2**70)


def test_quiet_feeds_are_polled_less_often():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1"))
    with serve({"series": publisher}) as base:
        feed = approved_feed(base, "series")
        harvest_feed(feed)
        assert Feed.objects.get().poll_interval() == 8
        for _ in range(3):
            harvest_feed(Feed.objects.get())
        assert Feed.objects.get().poll_interval() == 64
        publisher.upsert("s2", series_data("s2"))
        harvest_feed(Feed.objects.get())
        assert Feed.objects.get().poll_interval() == 8


def test_a_listing_a_moderator_unpublished_stays_unpublished_after_feed_edits():
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1", name="Boxing Club"))
    with serve({"series": publisher}) as base:
        harvest_feed(approved_feed(base, "series"))
        Activity.all_objects.update(status=Activity.Status.WITHDRAWN)  # moderator
        publisher.upsert("s1", series_data("s1", name="Boxing Club (renamed)"))
        harvest_feed(Feed.objects.get())
        activity = Activity.all_objects.get()
        assert activity.title == "Boxing Club (renamed)"
        assert activity.status == Activity.Status.WITHDRAWN
        # The feed deletes it and later lists it again: that one the feed may revive.
        Activity.all_objects.update(status=Activity.Status.PUBLISHED)
        publisher.delete("s1")
        harvest_feed(Feed.objects.get())
        publisher.upsert("s1", series_data("s1", name="Boxing Club is back"))
        harvest_feed(Feed.objects.get())
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert activity.title == "Boxing Club is back"


def test_a_long_harvest_keeps_planner_statistics_up_to_date(monkeypatch):
    started: list[str] = []
    done: list[tuple[type, ...]] = []

    def refresh(tables: tuple[type, ...]) -> None:
        started.append(threading.current_thread().name)
        wall_time.sleep(1)  # an ANALYZE takes a while: no page waits for it
        done.append(tables)

    monkeypatch.setattr(harvesting, "UPKEEP_EVERY_PAGES", 2)
    monkeypatch.setattr(harvesting, "maintain_tables", refresh)
    publisher = Publisher(page_size=1)
    for n in range(4):
        publisher.upsert(f"s{n}", series_data(f"s{n}"))
    with serve({"series": publisher}) as base:
        report = harvest_feed(approved_feed(base, "series"))
    assert report.pages == 5
    # Asked for after pages 2 and 4, run on a thread of their own (one asked
    # for while the other runs is left to the next), and all finished by the
    # time the harvest is.
    assert 1 <= len(started) <= 2 and len(done) == len(started)
    assert all(name.startswith("harvest-upkeep") for name in started)
    assert all(FeedItem in tables for tables in done)


def search_days() -> list[tuple[int, int, int, int | None, bool]]:
    return list(
        SearchDocument.objects.order_by("pk").values_list(
            "activity_id", "days_a", "days_b", "day0_last_ts", "beyond"
        )
    )


def one_series_daily(count: int, *, page_size: int) -> tuple[Publisher, Publisher]:
    """A series feed of one series, and a session feed of `count` sessions
    of it on the days after today."""
    series = Publisher(kind="SessionSeries")
    sessions = Publisher(kind="ScheduledSession", page_size=page_size)
    series.upsert("s1", series_data("s1"))
    for n in range(count):
        sessions.upsert(f"x{n}", session_data(f"x{n}", "s1", soon(days=n + 1)))
    return series, sessions


def assert_days_as_a_re_index_counts(
    rows: list[tuple[int, int, int, int | None, bool]],
) -> None:
    refresh_activities([row[0] for row in rows])
    assert search_days() == rows


def test_days_sessions_add_reach_search_during_the_harvest_and_at_its_end(
    monkeypatch,
):
    waiting: list[int] = []

    def count() -> int:
        waiting.append(PendingDays.objects.count())
        return count_pending_days()

    monkeypatch.setattr(harvesting, "DAYS_EVERY_SECONDS", 0)
    monkeypatch.setattr(harvesting, "count_pending_days", count)
    series, sessions = one_series_daily(5, page_size=1)
    with serve({"series": series, "sessions": sessions}) as base:
        harvest_feed(approved_feed(base, "series"))
        waiting.clear()
        report = harvest_feed(approved_feed(base, "sessions", "ScheduledSession"))
    assert report.pages == 6
    # Counted after every page (its time is up at once here), and as the
    # harvest ends: each page's session left its series listed once.
    assert waiting == [1, 1, 1, 1, 1, 0, 0]
    assert not PendingDays.objects.exists()
    assert_days_as_a_re_index_counts(search_days())


def test_the_next_harvest_adds_the_days_an_interrupted_one_left(monkeypatch):
    series, sessions = one_series_daily(3, page_size=2)
    with serve({"series": series, "sessions": sessions}) as base:
        harvest_feed(approved_feed(base, "series"))
        feed = approved_feed(base, "sessions", "ScheduledSession")
        with monkeypatch.context() as patch:
            # Killed before any count: the sessions are in, their days wait.
            patch.setattr(harvesting, "count_pending_days", lambda: 0)
            harvest_feed(feed)
        assert PendingDays.objects.count() == 2  # the series' days, a page each
        interrupted = search_days()
        feed.refresh_from_db()
        harvest_feed(feed)  # caught up: only the last page is asked for again
    assert not PendingDays.objects.exists()
    resumed = search_days()
    assert resumed != interrupted
    assert_days_as_a_re_index_counts(resumed)
