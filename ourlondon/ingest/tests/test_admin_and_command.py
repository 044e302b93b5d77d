"""Staff see and steer feeds; the harvest command runs them."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from ourlondon.catalogue.models import Activity
from ourlondon.ingest.harvesting import HarvestReport
from ourlondon.ingest.models import Feed, FeedRejection
from ourlondon.ingest.tests.publisher import Publisher, series_data, serve

pytestmark = pytest.mark.django_db


def test_health_page_shows_state_errors_and_top_reasons(admin_client):
    feed = Feed.objects.create(
        name="hackney",
        publisher="Hackney Leisure",
        kind="SessionSeries",
        url="https://feeds.example/hackney",
        approved=True,
        last_error="HTTP 500",
    )
    for n in range(3):
        FeedRejection.objects.create(
            feed=feed, kind="SessionSeries", item_id=str(n), reason="No postcode."
        )
    html = admin_client.get("/staff/feeds/health/").content.decode()
    assert "hackney" in html and "HTTP 500" in html and "3 × No postcode." in html


def test_health_page_is_for_staff_only(client):
    assert client.get("/staff/feeds/health/").status_code == 302


@pytest.mark.parametrize("model", ["feed", "feedrejection"])
def test_admin_lists_feeds_and_rejections(admin_client, model):
    assert admin_client.get(f"/staff/ingest/{model}/").status_code == 200


def test_harvest_once_by_url_needs_allow_private_for_a_local_server(capsys):
    publisher = Publisher()
    publisher.upsert("s1", series_data("s1"))
    with serve({"series": publisher}) as base:
        with pytest.raises(CommandError, match="127.0.0.1"):
            call_command("harvest", "--url", f"{base}/series", "--once")
        call_command("harvest", "--url", f"{base}/series", "--once", "--allow-private")
    out = capsys.readouterr().out
    # Two pages (the item's, then the empty last one), each timed.
    assert re.search(
        r"2 pages, 1 items, .* caught up; each page written in p50 \d+ ms, p95 \d+ ms",
        out,
    )
    assert Activity.public.filter(source="openactive").count() == 1
    assert Feed.objects.get().approved


def test_harvest_by_name_of_an_unknown_feed_says_so():
    with pytest.raises(CommandError, match="No enabled, approved feed"):
        call_command("harvest", "--feed", "nope", "--once")


def test_a_report_gives_the_median_and_95th_percentile_of_its_page_times():
    report = HarvestReport(feed="f", page_seconds=[0.010] * 19 + [1.0])
    # Nineteen pages of 10 ms and one of a second: the median is 10 ms, and the
    # 95th percentile lies a twentieth of the way from the 19th to the 20th.
    assert report.page_times() == "each page written in p50 10 ms, p95 60 ms"
    assert HarvestReport(feed="f", page_seconds=[0.25]).page_times() == (
        "each page written in p50 250 ms, p95 250 ms"
    )
    assert HarvestReport(feed="f").page_times() == ""
    assert "written" not in HarvestReport(feed="f").summary()
