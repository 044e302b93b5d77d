"""The feeds' health page for staff: is each feed up to date, and what failed."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ourlondon.core import clock
from ourlondon.ingest.models import Feed, FeedRejection


@staff_member_required
def health(request: HttpRequest) -> HttpResponse:
    feeds = list(Feed.objects.order_by("status", "name"))
    reasons = (
        FeedRejection.objects.values("feed__name", "reason")
        .annotate(n=Count("id"))
        .order_by("feed__name", "-n")
    )
    by_feed: dict[str, list[tuple[str, int]]] = {}
    for row in reasons:
        found = by_feed.setdefault(row["feed__name"], [])
        if len(found) < 5:
            found.append((row["reason"], row["n"]))
    rows = [(feed, by_feed.get(feed.name, [])) for feed in feeds]
    return render(
        request,
        "ingest/health.html",
        {"rows": rows, "now": clock.now(), "title": "Feed health"},
    )
