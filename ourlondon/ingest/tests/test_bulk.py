"""The page-at-a-time mapper makes the same catalogue as the item-by-item one."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from ourlondon.catalogue.models import Activity
from ourlondon.core import clock
from ourlondon.ingest import bulk, harvesting
from ourlondon.ingest.harvesting import harvest_feed
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
from ourlondon.search.indexing import (
    _SESSION_COLUMNS,
    rebuild_index,
    refresh_activities,
)
from ourlondon.search.models import SearchCard, SearchDocument, SearchSession
from ourlondon.search.query import SearchQuery

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_feeds(settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    bulk.forget_settled()  # what another test's harvest applied


def weekly(day: str, start: str = "18:00", end: str = "19:30") -> list[dict[str, Any]]:
    return [
        {
            "@type": "PartialSchedule",
            "repeatFrequency": "P1W",
            "byDay": [f"https://schema.org/{day}"],
            "startTime": start,
            "endTime": end,
        }
    ]


def embedded_session(series_id: str, n: int, *, cancelled: bool = False) -> dict:
    start = datetime.combine(
        clock.today() + timedelta(days=2 + n), time(17), tzinfo=LONDON
    )
    session: dict[str, Any] = {
        "@type": "ScheduledSession",
        "@id": f"https://publisher.example/sessions/{series_id}-{n}",
        "startDate": start.isoformat(),
        "endDate": (start + timedelta(hours=1)).isoformat(),
    }
    if cancelled:
        session["eventStatus"] = "https://schema.org/EventCancelled"
    return session


def varied_publisher() -> Publisher:
    """Good and bad series: shared and distinct venues and organisers, pins,
    weekly schedules, embedded sessions, free and paid, online, refusals."""
    publisher = Publisher(page_size=7)
    for n in range(12):
        extra: dict[str, Any] = {"eventSchedule": weekly(["Monday", "Saturday"][n % 2])}
        if n % 3 == 0:
            extra["subEvent"] = [embedded_session(f"s{n}", k) for k in range(2)]
        if n % 4 == 1:
            extra["organizer"] = {"@type": "Organization", "name": f"Club {n}"}
        data = series_data(
            f"s{n}",
            name=f"Session {n}",
            postcode=["E8 3AA", "SW2 1AA", "N1 9GU"][n % 3],
            activity=[BOXING, series_data("x")["activity"][0]["@id"]][n % 2],
            age=[(11, 16), (None, None), (14, None)][n % 3],
            price=[0, 4.5, None][n % 3],
            **extra,
        )
        if n == 5:
            data["location"]["geo"] = {"latitude": 51.5423, "longitude": -0.0559}
        publisher.upsert(f"s{n}", data)
    publisher.upsert("no-name", series_data("no-name", name=""))
    publisher.upsert("bad-age", series_data("bad-age", age=(16, 11)))
    publisher.upsert("outside", series_data("outside", postcode="TS4 3AE"))
    publisher.upsert("nowhere", series_data("nowhere", location=None))
    return publisher


def snapshot(feed_name: str) -> dict[str, Any]:
    """Everything harvesting decides, without database ids or clocks."""
    activities = {}
    for a in Activity.all_objects.filter(source="openactive").select_related(
        "organisation", "venue"
    ):
        venue = a.venue
        activities[a.source_id] = {
            "fields": (a.title, a.description, a.status, a.is_online, a.age_min),
            "more": (a.age_max, a.gender, a.is_free, a.price, a.accessibility),
            "booking": a.booking_url,
            "organisation": (a.organisation.slug, a.organisation.name),
            "venue": None
            if venue is None
            else (venue.name, venue.postcode, venue.lat, venue.lng, venue.borough_id),
            "types": sorted(a.types.values_list("slug", flat=True)),
            "schedules": sorted(
                a.schedules.values_list(
                    "source_id", "kind", "weekdays", "start_time", "end_time"
                )
            ),
            "occurrences": list(
                a.occurrences.order_by("start").values_list("start", "end")
            ),
            "indexed": SearchDocument.objects.filter(activity_id=a.pk).exists(),
            "card": SearchCard.objects.filter(activity_id=a.pk).exists(),
            "sessions": SearchSession.objects.filter(activity_id=a.pk).count(),
        }
    feed = Feed.objects.get(name=feed_name)
    return {
        "activities": activities,
        "items": sorted(
            FeedItem.objects.values_list("kind", "item_id", "modified", "deleted")
        ),
        "rejections": sorted(
            FeedRejection.objects.values_list(
                "item_id", "reason", "outside_london", "waiting_for"
            )
        ),
        "counters": (feed.items_seen, feed.items_rejected, feed.items_outside_london),
        "found": sorted(
            Activity.all_objects.get(pk=hit.activity_id).source_id
            for hit in engine.search(SearchQuery.build(page_size=50)).hits
        ),
    }


def harvest(base: str) -> None:
    feed = approved_feed(base, "series", "SessionSeries")
    harvest_feed(feed)


def test_page_mapper_and_item_mapper_make_the_same_catalogue(monkeypatch):
    applied_together: list[str] = []

    def spy(feed: Feed, items: list) -> bulk.PageResult:
        result = bulk.apply_series_page(feed, items)
        applied_together.extend(item.id for item, _ in result.applied)
        return result

    monkeypatch.setattr(harvesting, "apply_series_page", spy)
    publisher = varied_publisher()
    with serve({"series": publisher}) as base:
        one_by_one = transaction.savepoint()
        with monkeypatch.context() as patch:
            patch.setattr(harvesting, "is_plain_series", lambda item: False)
            harvest(base)
        expected = snapshot("series")
        transaction.savepoint_rollback(one_by_one)
        assert not Activity.all_objects.filter(source="openactive").exists()

        harvest(base)
        assert snapshot("series") == expected
        assert len(applied_together) == 12 and len(expected["found"]) == 12

        # And an update of every series, page at a time, matches too.
        for n in range(12):
            data = publisher.live()[f"s{n}"]
            data["name"] = f"Renamed {n}"
            data["eventSchedule"] = weekly("Wednesday", "10:00", "11:00")
            data.pop("subEvent", None)
            publisher.upsert(f"s{n}", data)
        updated = transaction.savepoint()
        with monkeypatch.context() as patch:
            patch.setattr(harvesting, "is_plain_series", lambda item: False)
            harvest_feed(Feed.objects.get(name="series"))
        expected = snapshot("series")
        transaction.savepoint_rollback(updated)
        harvest_feed(Feed.objects.get(name="series"))
        assert snapshot("series") == expected
    assert len(expected["activities"]) == 12
    assert {a["fields"][0] for a in expected["activities"].values()} == {
        f"Renamed {n}" for n in range(12)
    }
    assert len(expected["rejections"]) == 4


def test_a_page_the_database_refuses_in_bulk_is_applied_one_by_one(monkeypatch):
    calls: list[int] = []

    def refuse(feed: Feed, items: list) -> bulk.PageResult:
        calls.append(len(items))
        raise IntegrityError("simulated: a constraint nobody foresaw")

    monkeypatch.setattr(harvesting, "apply_series_page", refuse)
    publisher = varied_publisher()
    with serve({"series": publisher}) as base:
        harvest(base)
    assert calls, "the page mapper was tried first"
    assert Activity.all_objects.filter(source="openactive").count() == 12
    assert FeedRejection.objects.count() == 4


def search_snapshot() -> dict[str, Any]:
    """The search index's sessions and day bits, by the publisher's ids."""
    source = dict(Activity.all_objects.values_list("pk", "source_id"))
    return {
        "sessions": sorted(
            (source[row[0]], *row[1:])
            # Every column but the session's own id.
            for row in SearchSession.objects.values_list(*_SESSION_COLUMNS[1:])
        ),
        "documents": sorted(
            (source[row[0]], *row[1:])
            for row in SearchDocument.objects.values_list(
                "activity_id", "days_a", "days_b", "day0_last_ts", "beyond"
            )
        ),
    }


def dated(session_id: str, series_id: str, days: int, hour: int = 17) -> dict:
    start = datetime.combine(
        clock.today() + timedelta(days=days), time(hour), tzinfo=LONDON
    )
    return session_data(session_id, series_id, start, minutes=60)


def both_ways(
    monkeypatch: pytest.MonkeyPatch, feed: str, fast: str, spied: list[str]
) -> dict[str, Any]:
    """Harvest `feed` item by item (the harvester's predicate `fast` off), then
    from the same state page at a time: the same catalogue and search index
    both ways, and that index the same as one rebuilt from scratch. Returns
    what the page-at-a-time harvest made; `spied` (what a spy on the page
    mapper records) is emptied first."""
    spied.clear()
    before = transaction.savepoint()
    with monkeypatch.context() as patch:
        patch.setattr(harvesting, fast, lambda item: False)
        harvest_feed(Feed.objects.get(name=feed))
    expected = {**snapshot(feed), **search_snapshot()}
    transaction.savepoint_rollback(before)
    spied.clear()
    harvest_feed(Feed.objects.get(name=feed))
    got = {**snapshot(feed), **search_snapshot()}
    assert got == expected
    rebuilt = transaction.savepoint()
    rebuild_index()
    assert search_snapshot() == {k: got[k] for k in ("sessions", "documents")}
    transaction.savepoint_rollback(rebuilt)
    return got


def test_session_mapper_matches_the_item_mapper_and_a_full_reindex(monkeypatch, clock):
    """Sessions by reference, applied a page at a time and indexed session by
    session, make the same catalogue as the item-by-item mapper and the same
    search index as rebuilding it from scratch."""
    # One day throughout, and the index's day 0 is it: documents count their days
    # from the index's day 0, which a reindex moves to today, so an index begun
    # on an earlier day (the suite's start, before midnight) differs from the
    # reindex by a shift, both right.
    clock.set(clock.now())
    rebuild_index()
    series = Publisher(page_size=10)
    for n in range(4):
        series.upsert(
            f"s{n}",
            series_data(f"s{n}", name=f"Club {n}", postcode="E8 3AA", price=n % 2),
        )
    series.upsert("far", series_data("far", postcode="TS4 3AE"))
    sessions = Publisher(kind="ScheduledSession", page_size=4)
    for n in range(10):
        sessions.upsert(f"x{n}", dated(f"x{n}", f"s{n % 3}", days=n - 1))
    sessions.upsert("x21", dated("x21", "s3", days=3))  # s3's only session
    sessions.upsert("x10", dated("x10", "never-published", days=3))
    sessions.upsert("x11", {**dated("x11", "s0", days=3), "endDate": None})
    sessions.upsert("far1", dated("far1", "far", days=3))
    # Two items of one page describing the same session.
    sessions.upsert("y1", dated("dup", "s0", days=4))
    sessions.upsert("y2", dated("dup", "s1", days=5))
    embedded = dated("e1", "s9", days=6)
    embedded["superEvent"] = series_data("s9", name="Embedded", activity=BOXING)
    sessions.upsert("e1", embedded)

    applied_together: list[str] = []

    def spy(feed: Feed, items: list) -> bulk.SessionPageResult:
        result = bulk.apply_session_page(feed, items)
        applied_together.extend(item.id for item in result.applied)
        return result

    monkeypatch.setattr(harvesting, "apply_session_page", spy)

    with serve({"series": series, "sessions": sessions}) as base:
        harvest(base)
        approved_feed(base, "sessions", "ScheduledSession")
        first = both_ways(monkeypatch, "sessions", "is_plain_session", applied_together)
        assert sorted(applied_together) == sorted(
            [f"x{n}" for n in range(10)] + ["x21"]
        )
        assert {row[0] for row in first["sessions"]} >= {
            "https://publisher.example/series/s0",
            "https://publisher.example/series/s1",
            "https://publisher.example/series/s2",
        }
        reasons = {item_id: reason for item_id, reason, *_ in first["rejections"]}
        assert reasons["x10"].startswith("Waiting for its series")
        assert "endDate" in reasons["x11"]
        assert reasons["far1"].startswith("Waiting for its series")

        # A moderator unpublishes s2: its sessions' changes stay out of search.
        hidden = Activity.all_objects.get(source_id__endswith="/series/s2")
        hidden.status = Activity.Status.PENDING
        hidden.save()
        refresh_activities([hidden.pk])

        sessions.upsert("x0", dated("x0", "s1", days=2))  # moved to another series
        sessions.upsert("x21", dated("x21", "s1", days=3))  # s3 left with none
        sessions.upsert("x1", dated("x1", "s1", days=1, hour=19))  # new time
        cancelled = dated("x3", "s0", days=2)
        cancelled["eventStatus"] = "https://schema.org/EventCancelled"
        sessions.upsert("x3", cancelled)
        sessions.delete("x4")
        sessions.upsert("x5", dated("x5", "s2", days=4))  # republished unchanged
        sessions.upsert("x8", dated("x8", "s2", days=9))  # changed, series hidden
        sessions.upsert("x20", dated("x20", "s0", days=12))
        second = both_ways(
            monkeypatch, "sessions", "is_plain_session", applied_together
        )
        assert sorted(applied_together) == ["x0", "x1", "x20", "x21", "x3", "x5", "x8"]
    assert second != first
    assert not [row for row in second["sessions"] if row[0].endswith(("/s2", "/s3"))]
    assert [row for row in first["sessions"] if row[0].endswith("/s3")]


def carried(session_id: str, series: dict[str, Any], days: int, hour: int = 17):
    """A session carrying its series whole, as combined feeds publish them."""
    data = dated(session_id, "unused", days, hour)
    data["superEvent"] = {k: v for k, v in series.items() if k != "@context"}
    return data


def test_sessions_carrying_their_series_match_the_item_mapper_and_a_reindex(
    monkeypatch, clock
):
    """A combined feed (each session carries its series whole), applied a page
    at a time, makes the same catalogue as the item-by-item mapper and the
    same search index as rebuilding it; a series repeated unchanged is written
    once, and its later sessions are indexed without re-reading it whole."""
    # One day throughout, and the index's day 0 is it: documents count their days
    # from the index's day 0, which a reindex moves to today, so an index begun
    # on an earlier day (the suite's start, before midnight) differs from the
    # reindex by a shift, both right.
    clock.set(clock.now())
    rebuild_index()
    club = {n: series_data(f"c{n}", name=f"Club {n}", price=n % 2) for n in range(3)}
    far = series_data("far", postcode="TS4 3AE")
    unknown = series_data("odd")
    unknown["activity"] = [{"@id": "https://example.org/no", "prefLabel": "Nothing"}]
    feed = Publisher(kind="ScheduledSession.SessionSeries", page_size=6)
    for n in range(12):  # two pages
        feed.upsert(f"x{n}", carried(f"x{n}", club[n % 3], days=n - 1))
    # Two copies of club 2 that differ, in one page: left to the item mapper.
    feed.upsert("v1", carried("v1", club[2], days=6))
    feed.upsert("v2", carried("v2", {**club[2], "name": "Club 2 (new)"}, days=7))
    # Two items of one page describing the same session.
    feed.upsert("y1", carried("dup", club[0], days=8))
    feed.upsert("y2", carried("dup", club[0], days=9))
    feed.upsert("far1", carried("far1", far, days=3))
    feed.upsert("far2", carried("far2", far, days=4))
    feed.upsert("odd1", carried("odd1", unknown, days=3))
    feed.upsert("bad", {**carried("bad", club[0], days=3), "endDate": None})
    unnamed = {k: v for k, v in club[1].items() if k != "@id"}
    feed.upsert("anon", carried("anon", unnamed, days=5))

    together: list[str] = []  # applied or refused by the page mapper

    def spy(feed: Feed, items: list) -> tuple[bulk.PageResult, bulk.SessionPageResult]:
        result = bulk.apply_embedded_page(feed, items)
        together.extend(item.id for item in result[1].applied)
        together.extend(item.id for item, _ in result[1].rejected)
        return result

    monkeypatch.setattr(harvesting, "apply_embedded_page", spy)

    with serve({"combined": feed}) as base:
        approved_feed(base, "combined", "ScheduledSession")
        first = both_ways(monkeypatch, "combined", "is_embedded_session", together)
        assert {"x0", "x11", "far1", "far2", "odd1", "anon", "bad"} <= set(together)
        assert not {"v1", "v2", "y1", "y2"} & set(together)
        reasons = {item_id: reason for item_id, reason, *_ in first["rejections"]}
        assert reasons["far1"] == reasons["far2"] == "TS4 3AE is not in London."
        assert reasons["odd1"].startswith("No activity")
        assert "endDate" in reasons["bad"]
        assert first["counters"] == (21, 4, 2)
        names = {a["fields"][0] for a in first["activities"].values()}
        assert names == {"Club 0", "Club 1", "Club 2 (new)"}
        assert len(first["activities"]) == 4  # and the unnamed one's own

        club0 = Activity.all_objects.get(source_id__endswith="/series/c0")
        hidden = Activity.all_objects.get(source_id__endswith="/series/c1")
        hidden.status = Activity.Status.PENDING  # a moderator's concern
        hidden.save()
        refresh_activities([hidden.pk])
        stamp = club0.updated_at

        feed.upsert("x0", carried("x0", club[1], days=2))  # moved to club 1
        feed.upsert("x1", carried("x1", club[1], days=1, hour=19))  # new time
        cancelled = carried("x3", club[0], days=2)
        cancelled["eventStatus"] = "https://schema.org/EventCancelled"
        feed.upsert("x3", cancelled)
        feed.delete("x4")
        feed.upsert("x6", carried("x6", club[0], days=5))  # republished as it was
        feed.upsert("x20", carried("x20", club[0], days=12))  # new, club 0 as it was
        renamed = {**club[2], "name": "Club 2 renamed"}
        for n in (2, 5, 8, 11):
            feed.upsert(f"x{n}", carried(f"x{n}", renamed, days=n - 1))
        second = both_ways(monkeypatch, "combined", "is_embedded_session", together)
        assert {"x0", "x1", "x3", "x6", "x20", "x2", "x11"} <= set(together)
        club0.refresh_from_db()
        assert club0.updated_at == stamp  # club 0 itself did not change
    assert second != first
    by_id = {k.rsplit("/", 1)[-1]: v for k, v in second["activities"].items()}
    assert by_id["c2"]["fields"][0] == "Club 2 renamed"
    assert by_id["c1"]["fields"][2] == Activity.Status.PENDING
    assert not [row for row in second["sessions"] if row[0].endswith("/c1")]
    assert [row for row in first["sessions"] if row[0].endswith("/c1")]


def test_a_series_carried_again_is_compared_again_only_if_its_activity_changed(
    monkeypatch,
):
    club = series_data("c0", name="Club 0")
    feed = Publisher(kind="ScheduledSession.SessionSeries", page_size=2)
    for n in range(6):  # three pages, each carrying club 0
        feed.upsert(f"a{n}", carried(f"a{n}", club, days=n))
    compared: list[list[str]] = []

    def spy(feed: Feed, parsed: list) -> bulk.PageResult:
        compared.append([series.id.rsplit("/", 1)[-1] for _, series in parsed])
        return real(feed, parsed)

    real = bulk.apply_series
    monkeypatch.setattr(bulk, "apply_series", spy)
    with serve({"combined": feed}) as base:
        source = approved_feed(base, "combined", "ScheduledSession")
        harvest_feed(source)
        assert compared == [["c0"], [], []]
        activity = Activity.all_objects.get(source_id__endswith="/series/c0")
        assert activity.schedules.count() == 6

        activity.title = "Changed here"  # by anything but this harvester
        activity.save()
        feed.upsert("a6", carried("a6", club, days=6))
        compared.clear()
        harvest_feed(Feed.objects.get(pk=source.pk))
        assert compared == [["c0"]]
        activity.refresh_from_db()
        assert activity.title == "Club 0"  # as the item mapper would have it

        feed.upsert("a7", carried("a7", {**club, "name": "Club zero"}, days=7))
        compared.clear()
        harvest_feed(Feed.objects.get(pk=source.pk))
        assert compared == [["c0"]]
        activity.refresh_from_db()
        assert activity.title == "Club zero"
        assert activity.schedules.count() == 8


def event(event_id: str, days: int, **extra: Any) -> dict[str, Any]:
    """An event of its own (no series), as British Cycling's feed lists rides."""
    start = datetime.combine(
        clock.today() + timedelta(days=days), time(10), tzinfo=LONDON
    )
    data = series_data(event_id, name=f"Ride {event_id}", **extra)
    data["@type"] = "Event"
    data["@id"] = f"https://publisher.example/events/{event_id}"
    data["startDate"] = start.isoformat()
    data["endDate"] = (start + timedelta(hours=2)).isoformat()
    return data


def test_standalone_events_page_mapper_matches_the_item_mapper_and_a_reindex(
    monkeypatch, clock
):
    # One day throughout, and the index's day 0 is it: documents count their days
    # from the index's day 0, which a reindex moves to today, so an index begun
    # on an earlier day (the suite's start, before midnight) differs from the
    # reindex by a shift, both right.
    clock.set(clock.now())
    rebuild_index()
    events = Publisher(kind="Event", page_size=4)
    for n in range(6):
        events.upsert(f"e{n}", event(f"e{n}", days=n, price=[0, 3.5][n % 2]))
    cancelled = event("e6", days=3)
    cancelled["eventStatus"] = "https://schema.org/EventCancelled"
    events.upsert("e6", cancelled)
    events.upsert("e7", {**event("e7", days=3), "endDate": None})  # no end
    events.upsert("e8", event("e8", days=4, postcode="TS4 3AE"))
    untyped = event("e9", days=5)
    del untyped["@type"]  # the feed's kind, Event, stands in
    events.upsert("e9", untyped)
    together: list[str] = []

    def spy(feed: Feed, items: list) -> bulk.PageResult:
        result = bulk.apply_series_page(feed, items)
        together.extend(item.id for item, _ in result.applied)
        together.extend(item.id for item, _ in result.rejected)
        return result

    monkeypatch.setattr(harvesting, "apply_series_page", spy)

    with serve({"events": events}) as base:
        approved_feed(base, "events", "Event")
        first = both_ways(monkeypatch, "events", "is_plain_series", together)
        assert sorted(together) == [f"e{n}" for n in range(10)]
        reasons = {item_id: reason for item_id, reason, *_ in first["rejections"]}
        assert set(reasons) == {"e7", "e8"} and "endDate" in reasons["e7"]
        assert len(first["activities"]) == 8
        assert len(first["found"]) == 7  # the cancelled ride has no date left

        events.upsert("e0", event("e0", days=9))  # moved to another day
        events.upsert("e1", {**event("e1", days=1), "name": "Longer ride"})
        events.upsert(
            "e2", {**event("e2", days=2), "eventStatus": cancelled["eventStatus"]}
        )
        events.delete("e3")
        events.upsert("e4", event("e4", days=4, price=0))  # as it was
        second = both_ways(monkeypatch, "events", "is_plain_series", together)
        assert sorted(together) == ["e0", "e1", "e2", "e4"]
    assert second != first
    by_id = {k.rsplit("/", 1)[-1]: v for k, v in second["activities"].items()}
    assert by_id["e1"]["fields"][0] == "Longer ride"
    assert by_id["e2"]["occurrences"] == [] and by_id["e3"]["fields"][2] == "withdrawn"
