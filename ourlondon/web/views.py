"""Public pages. Cookie-free and cacheable: nothing here reads or sets a session,
and forms carry no CSRF token (see `report`).

Pages are gzipped here (granian does not compress; whitenoise serves static files
already compressed). No page carries a secret (no cookies, no token), so BREACH
has nothing to recover. The API is left to its own caching rules and the CDN.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited
from shapely.geometry import mapping, shape

from ourlondon.catalogue.models import (
    Activity,
    ListingReport,
    Occurrence,
    age_label,
)
from ourlondon.catalogue.page import UPCOMING_SHOWN, activity_page
from ourlondon.catalogue.vocabulary import Category
from ourlondon.core import clock
from ourlondon.core.models import Borough
from ourlondon.core.origin import same_origin
from ourlondon.search import engine
from ourlondon.search.cards import public_cards
from ourlondon.search.query import LONDON, SearchQuery, SearchResult
from ourlondon.support.queries import find_services
from ourlondon.web import calendar
from ourlondon.web.finder import (
    MY_LOCATION,
    TIMES,
    WIDEST_RADIUS,
    Finder,
    FinderForm,
    api_params,
    build_finder,
    page_url,
    weekend,
)
from ourlondon.web.forms import ReportForm

CATEGORY_LABEL = dict(Category.choices)
# Weeks of sessions in the "whole series" calendar file.
SERIES_WEEKS = 12


def now_to_the_minute() -> datetime:
    return clock.now().replace(second=0, microsecond=0)


@gzip_page
@require_safe
@cache_control(public=True, max_age=60)
def home(request: HttpRequest) -> HttpResponse:
    everything = engine.search(
        SearchQuery.build(not_before=now_to_the_minute(), page_size=1)
    )
    today = clock.today()
    saturday, _ = weekend(today)
    picks = [
        ("Today", "?when=today"),
        ("This weekend", "?when=weekend"),
        ("After school", "?time=after-school"),
        ("Free", "?free=on"),
    ]
    categories = [
        (label, f"?category={value}", everything.facets.category.get(value, 0))
        for value, label in Category.choices
    ]
    return render(
        request,
        "web/home.html",
        {
            "form": FinderForm(),
            "total": everything.total,
            "picks": picks,
            "categories": categories,
            "weekend_starts": saturday,
        },
    )


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _cards(result: SearchResult) -> list[dict[str, Any]]:
    """The page's results as the list shows them, in the engine's order."""
    cards = public_cards([hit.activity_id for hit in result.hits])
    shown = []
    for hit in result.hits:
        card = cards.get(hit.activity_id)
        if card is None:
            continue
        shown.append(
            {
                **card,
                "category_labels": [
                    CATEGORY_LABEL.get(c, c) for c in card["categories"]
                ],
                "type_labels": [t["label"] for t in card["activity_types"]][:3],
                "next": [s.astimezone(LONDON) for s in hit.next_starts],
                "distance_km": hit.distance_km,
                "age_label": age_label(card["age_min"], card["age_max"]),
                # A card stored before this field existed has none until the
                # next re-index.
                "checked_on": _date_or_none(card.get("organisation_checked_on")),
            }
        )
    return shown


def widenings(request: HttpRequest, finder: Finder) -> list[dict[str, Any]]:
    """For a search that found nothing: the nearest wider searches that find
    something, with how many each finds, smallest change first."""
    query = finder.query
    options: list[tuple[str, SearchQuery, dict[str, Any]]] = []
    if query.point is not None and (query.radius_km or 0) < WIDEST_RADIUS:
        options.append(
            (
                f"Look up to {WIDEST_RADIUS} km away",
                replace(query, radius_km=float(WIDEST_RADIUS)),
                {"radius_km": WIDEST_RADIUS},
            )
        )
    if query.weekdays or query.time_from is not None:
        options.append(
            (
                "Any day and time",
                replace(query, weekdays=frozenset(), time_from=None, time_to=None),
                {"day": None, "time": None},
            )
        )
    data = finder.form.cleaned_data
    if data.get("when") or data.get("date_to"):
        options.append(
            (
                "The next 4 weeks",
                replace(query, date_from=clock.today(), date_to=None),
                {"when": None, "date_from": None, "date_to": None},
            )
        )
    if query.free:
        options.append(
            ("Include activities that cost", replace(query, free=False), {"free": None})
        )
    if query.accessibility:
        options.append(
            (
                "Without the accessibility filters",
                replace(query, accessibility=frozenset()),
                {"accessibility": None},
            )
        )
    if query.categories:
        options.append(
            (
                "Every category",
                replace(query, categories=frozenset()),
                {"category": None},
            )
        )
    if query.text:
        options.append(
            (f"Without “{query.text}”", replace(query, text=""), {"q": None})
        )
    found = []
    for label, wider, changes in options:
        total = engine.search(replace(wider, page=1, page_size=1)).total
        if total:
            found.append(
                {
                    "label": label,
                    "count": total,
                    "url": page_url(request.GET, page=None, **changes),
                }
            )
    return found[:4]


@gzip_page
@require_safe
@cache_control(public=True, max_age=60)
def results(request: HttpRequest) -> HttpResponse:
    finder = build_finder(request.GET)
    query = finder.query
    result = engine.search(query)
    pages = max(1, math.ceil(result.total / query.page_size))
    if query.page > pages:
        if result.total:
            finder.errors["page"] = (
                f"There {'is' if pages == 1 else 'are'} only {pages} "
                f"page{'' if pages == 1 else 's'} of results; this is the last."
            )
        query = replace(query, page=pages)
        result = engine.search(query)
    cards = _cards(result)
    place_text = ""
    if query.point is not None:
        place_text = f"within {query.radius_km:g} km of {finder.place}"
    elif query.borough:
        place_text = "in " + str(
            Borough.objects.filter(gss_code=query.borough)
            .values_list("name", flat=True)
            .first()
        )
    base = reverse("web:results")
    pager = {
        "previous": base + page_url(request.GET, page=query.page - 1)
        if query.page > 1
        else None,
        "next": base + page_url(request.GET, page=query.page + 1)
        if query.page < pages
        else None,
        "page": query.page,
        "pages": pages,
        "first": (query.page - 1) * query.page_size + 1,
        "last": (query.page - 1) * query.page_size + len(cards),
    }
    clusters_url = reverse("api:clusters") + "?" + urlencode(api_params(query))
    # "Need to talk to someone?": a few support services near the search, for
    # its age; kept to three names so the page stays within its budget.
    point = (query.point.lat, query.point.lng) if query.point is not None else None
    talk_services = find_services(point=point, age=query.age, limit=3) if point else []
    talk_params = {"where": request.GET.get("where", ""), "age": query.age}
    return render(
        request,
        "web/results.html",
        {
            "finder": finder,
            "form": finder.form,
            "place_text": place_text,
            "query": query,
            "result": result,
            "cards": cards,
            "pager": pager,
            "errors": finder.errors,
            "widenings": widenings(request, finder) if not result.total else [],
            "view": finder.view,
            "list_url": base + page_url(request.GET, view=None),
            "map_url": base + page_url(request.GET, view="map"),
            "clusters_url": clusters_url,
            "time_labels": {k: v[0] for k, v in TIMES.items()},
            "my_location": MY_LOCATION,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "talk_services": talk_services,
            "talk_query": "?" + urlencode({k: v for k, v in talk_params.items() if v})
            if point
            else "",
        },
    )


def _public_activity(pk: int) -> Activity:
    return get_object_or_404(
        Activity.public.for_display().prefetch_related("schedules"), pk=pk
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=60)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _public_activity(pk)
    upcoming = list(activity.occurrences.upcoming().order_by("start")[:UPCOMING_SHOWN])
    url = request.build_absolute_uri(activity_url(activity))
    context = activity_page(
        activity,
        types=list(activity.types.all()),
        schedules=list(activity.schedules.all()),
        upcoming=upcoming,
    )
    following = context["following"]
    context.update(
        share_url=url,
        google_url=calendar.google_calendar_url(following, url=url)
        if following
        else None,
        outlook_url=calendar.outlook_calendar_url(following, url=url)
        if following
        else None,
    )
    return render(request, "web/activity_detail.html", context)


def activity_url(activity: Activity) -> str:
    return reverse("web:activity-detail", args=[activity.pk])


def _ics(content: bytes, title: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{calendar.ics_filename(title)}"'
    )
    return response


@require_safe
@cache_control(public=True, max_age=300)
def activity_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """Every session of the next few weeks, as one calendar file."""
    activity = _public_activity(pk)
    until = clock.now() + timedelta(weeks=SERIES_WEEKS)
    sessions = list(
        activity.occurrences.upcoming().filter(start__lt=until).order_by("start")
    )
    url = request.build_absolute_uri(activity_url(activity))
    return _ics(calendar.series_ics(activity, sessions, url=url), activity.title)


@require_safe
@cache_control(public=True, max_age=300)
def occurrence_ics(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """One session, as a calendar file."""
    activity = _public_activity(pk)
    session = get_object_or_404(
        Occurrence.objects.select_related("activity", "activity__venue"),
        pk=occurrence,
        activity=activity,
    )
    url = request.build_absolute_uri(activity_url(activity))
    return _ics(calendar.occurrence_ics(session, url=url), activity.title)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Report a problem with this listing": no account, stored for moderators."""
    activity = _public_activity(pk)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not same_origin(request):
            return HttpResponseForbidden(
                "Reports can only be sent from this site's own form."
            )
        limited = is_ratelimited(
            request,
            group="listing-report",
            key="ip",
            rate=settings.REPORT_RATE,
            method="POST",
            increment=True,
        )
        if limited:
            return render(
                request,
                "web/report.html",
                {"activity": activity, "form": form, "limited": True},
                status=429,
            )
        if form.is_valid():
            if not form.cleaned_data.get("website"):  # the honeypot stays empty
                ListingReport.objects.create(
                    activity=activity,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                )
            return redirect(reverse("web:report-sent", args=[activity.pk]))
    return render(
        request,
        "web/report.html",
        {"activity": activity, "form": form},
        status=400 if form.errors else 200,
    )


@require_safe
@cache_control(public=True, max_age=300)
def report_sent(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _public_activity(pk)
    return render(request, "web/report_sent.html", {"activity": activity})


BOROUGHS_CACHE_KEY = "web:boroughs-geojson:v1"


@gzip_page
@require_safe
@cache_control(public=True, max_age=86400)
def boroughs_geojson(request: HttpRequest) -> HttpResponse:
    """London's 33 outlines, simplified to about 50 m, for the map's base layer
    (readable with no tiles). Built once and cached: outlines change only when
    `load_geography` runs."""
    body = cache.get(BOROUGHS_CACHE_KEY)
    if body is None:
        features = []
        for code, name, outline in Borough.objects.values_list(
            "gss_code", "name", "outline"
        ):
            geometry = shape(outline).simplify(0.0005, preserve_topology=True)
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": code, "name": name},
                    "geometry": _rounded(mapping(geometry)),
                }
            )
        body = json.dumps(
            {"type": "FeatureCollection", "features": features},
            separators=(",", ":"),
        )
        cache.set(BOROUGHS_CACHE_KEY, body, 3600)
    return HttpResponse(body, content_type="application/geo+json")


def _rounded(geometry: Any) -> Any:
    """Coordinates to 5 decimal places (about 1 m): a third of the bytes."""
    if isinstance(geometry, dict):
        return {k: _rounded(v) for k, v in geometry.items()}
    if isinstance(geometry, list | tuple):
        if geometry and isinstance(geometry[0], float):
            return [round(c, 5) for c in geometry]
        return [_rounded(g) for g in geometry]
    return geometry


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
