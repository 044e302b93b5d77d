"""A page is harvested by index lookups, never by reading a whole table: a
feed of a million items must cost the same per page as a feed of a hundred.
The plans are read from the database itself, SQLite or PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ourlondon.catalogue.models import Activity
from ourlondon.core import clock
from ourlondon.ingest.harvesting import harvest_feed
from ourlondon.ingest.models import Feed, FeedRejection
from ourlondon.ingest.openactive import LONDON
from ourlondon.ingest.tests.publisher import (
    Publisher,
    approved_feed,
    series_data,
    serve,
    session_data,
)

pytestmark = pytest.mark.django_db

# Tables that grow with the feeds; reading one whole is a bug at scale. (Not
# search_pendingdays: read whole by design, it holds a minute's harvest.)
GROWING = (
    "ingest_feeditem",
    "ingest_feedrejection",
    "catalogue_activity",
    "catalogue_schedule",
    "catalogue_occurrence",
    "catalogue_venue",
    "search_searchsession",
    "search_searchdocument",
    "search_searchcard",
)
WHOLE_TABLE = re.compile(rf"\bSCAN ({'|'.join(GROWING)})\b")
# PostgreSQL, told to avoid reading tables whole, still does so only where no
# index can serve the query.
SEQ_SCAN = re.compile(rf"\bSeq Scan on ({'|'.join(GROWING)})\b")
# An index used for its first column only, when that column picks out a whole
# feed or a whole source: as bad as reading the table.
WHOLE_FEED = re.compile(
    r"\bSEARCH \w+ USING (COVERING )?INDEX \S+ \((feed_id|source)=\?\)"
)
# Except the weekly re-sync's sweep, which reads a feed's items whole by design.
SWEEP = re.compile(r'"seen_at" <')


def soon(days: int) -> datetime:
    return datetime.combine(
        clock.today() + timedelta(days=days), time(18), tzinfo=LONDON
    )


def whole_table_reads(queries: list[dict[str, str]]) -> list[str]:
    """The plans of these queries that read a growing table whole."""
    found = []
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # On tables this small PostgreSQL would rightly read them whole.
            cursor.execute("SET LOCAL enable_seqscan = off")
        else:
            # Plan as for large tables: statistics an earlier test took (the
            # search index runs ANALYZE) describe tiny ones, which a scan suits.
            cursor.execute(
                "SELECT name FROM sqlite_schema WHERE name LIKE 'sqlite_stat%'"
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("ANALYZE sqlite_schema")
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
                continue
            cursor.execute(
                f"EXPLAIN {sql}" if postgres else f"EXPLAIN QUERY PLAN {sql}"
            )
            plan = " / ".join(str(row[-1]) for row in cursor.fetchall())
            if postgres:
                bad = bool(SEQ_SCAN.search(plan))
            else:
                bad = bool(WHOLE_TABLE.search(plan)) or bool(
                    WHOLE_FEED.search(plan) and not SWEEP.search(sql)
                )
            if bad:
                found.append(f"{plan}\n    {sql[:300]}")
    return found


def test_harvesting_pages_reads_no_growing_table_whole(settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    series, sessions = (
        Publisher(page_size=4),
        Publisher(kind="ScheduledSession", page_size=4),
    )
    for n in range(6):
        series.upsert(f"s{n}", series_data(f"s{n}"))
    for n in range(12):
        sessions.upsert(f"x{n}", session_data(f"x{n}", f"s{n % 6}", soon(n + 1)))
    # Sessions carrying their series whole, as Legend's London feeds publish.
    combined = Publisher(kind="ScheduledSession", page_size=4)
    for n in range(8):
        carried = {**series_data(f"c{n % 3}"), "name": f"Carried {n % 3}"}
        data = {**session_data(f"y{n}", "", soon(n + 1)), "superEvent": carried}
        combined.upsert(f"y{n}", data)
    # Sessions harvested before their series, which then finds them waiting.
    early = Publisher(kind="ScheduledSession", page_size=4)
    later = Publisher(page_size=4)
    for n in range(2):
        later.upsert(f"l{n}", series_data(f"l{n}"))
    for n in range(5):
        early.upsert(f"e{n}", session_data(f"e{n}", f"l{n % 2}", soon(n + 1)))
    published = {
        "series": series,
        "sessions": sessions,
        "combined": combined,
        "early": early,
        "later": later,
    }
    with serve(published) as base:
        feeds = [
            approved_feed(base, name, kind)
            for name, kind in (
                ("series", "SessionSeries"),
                ("sessions", "ScheduledSession"),
                ("combined", "ScheduledSession"),
                ("early", "ScheduledSession"),
                ("later", "SessionSeries"),
            )
        ]
        with CaptureQueriesContext(connection) as first:
            for feed in feeds[:-1]:
                harvest_feed(feed)
        waited = FeedRejection.objects.exclude(waiting_for=None).count()
        with CaptureQueriesContext(connection) as joined:
            harvest_feed(feeds[-1])
        for n in range(0, 12, 2):
            sessions.upsert(f"x{n}", session_data(f"x{n}", f"s{n % 6}", soon(n + 2)))
        sessions.delete("x1")
        series.upsert("s0", {**series_data("s0"), "name": "Renamed"})
        combined.delete("y0")
        combined.upsert(
            "y1",
            {
                **session_data("y1", "", soon(9)),
                "superEvent": {**series_data("c1"), "name": "Carried, renamed"},
            },
        )
        with CaptureQueriesContext(connection) as second:
            for feed in Feed.objects.order_by("pk"):
                harvest_feed(feed)
    found = whole_table_reads(
        first.captured_queries + joined.captured_queries + second.captured_queries
    )
    assert found == []
    # Every path ran: nothing was refused (the early sessions waited, then
    # joined their series), and the carried series were made.
    assert waited == 5
    assert not FeedRejection.objects.exists()
    assert Activity.all_objects.filter(title__startswith="Carried").count() == 3
