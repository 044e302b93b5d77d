"""The ingest app's data migrations, run backwards and forwards on real rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("ingest", "0004_no_statistics_for_item_data")
AFTER = ("ingest", "0005_waiting_for_on_the_report")


def migrate(target: tuple[str, str]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def test_sessions_waiting_for_their_series_keep_waiting_across_the_move():
    old = migrate(BEFORE)
    try:
        feed = old.get_model("ingest", "Feed").objects.create(
            name="f", publisher="p", kind="ScheduledSession", url="https://x.example/"
        )
        # Historical models (typed as Any: the stubs know only today's).
        items: Any = old.get_model("ingest", "FeedItem").objects
        reports = old.get_model("ingest", "FeedRejection").objects
        for item_id, series, reason in (
            ("x1", " https://x.example/series/1 ", "Waiting for its series s1."),
            ("x2", "https://x.example/series/2", "Missing startDate."),
            ("x3", "", "Waiting for its series s3."),
        ):
            items.create(
                feed=feed,
                kind="k",
                item_id=item_id,
                modified="1",
                super_event_id=series,
            )
            reports.create(feed=feed, kind="k", item_id=item_id, reason=reason)
        new = migrate(AFTER)
        waiting = dict(
            new.get_model("ingest", "FeedRejection").objects.values_list(
                "item_id", "waiting_for"
            )
        )
        assert waiting == {"x1": "https://x.example/series/1", "x2": None, "x3": None}
        old = migrate(BEFORE)
        old_items: Any = old.get_model("ingest", "FeedItem").objects
        back = dict(old_items.values_list("item_id", "super_event_id"))
        assert back["x1"] == "https://x.example/series/1"
    finally:
        # Every app at its latest again, for the tests after this one.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
