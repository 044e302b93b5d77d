"""Public pages. Cookie-free and cacheable: nothing here reads or sets a session."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from ourlondon.catalogue.models import Activity, ActivityType, Occurrence
from ourlondon.catalogue.vocabulary import Category
from ourlondon.core.models import Borough


@require_safe
@cache_control(public=True, max_age=60)
def home(request: HttpRequest) -> HttpResponse:
    public = Activity.public.all()
    counts = dict(
        ActivityType.objects.filter(activities__in=public)
        .values_list("category")
        .annotate(n=Count("activities", distinct=True))
    )
    categories = [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Category.choices
    ]
    boroughs = (
        Borough.objects.defer("outline")
        .annotate(n=Count("venues__activities", distinct=True))
        .order_by("name")
    )
    soon = (
        Occurrence.objects.public()
        .upcoming()
        .select_related("activity", "activity__venue")
        .order_by("start")[:10]
    )
    return render(
        request,
        "web/home.html",
        {
            "total": public.count(),
            "categories": categories,
            "boroughs": boroughs,
            "soon": soon,
        },
    )


@require_safe
@cache_control(public=True, max_age=60)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        Activity.public.select_related("organisation", "venue", "venue__borough")
        .defer("venue__borough__outline")
        .prefetch_related("types", "schedules"),
        pk=pk,
    )
    upcoming = activity.occurrences.upcoming().order_by("start")[:8]
    return render(
        request,
        "web/activity_detail.html",
        {"activity": activity, "upcoming": upcoming, "now": timezone.now()},
    )


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
