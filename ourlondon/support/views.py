"""Public support pages: get help now (and its service worker), the support
services directory, safe havens (list, map data, application), the toolkits and
the London Needs You Alive campaign.

Like the finder's pages they set no cookie and are cacheable; bad query
parameters give a message on the page (or a 400), never a 500. The application
form checks `Origin` instead of a CSRF cookie, rate-limits by address and drops
what fills its honeypot, as the finder's "report a problem" form does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from ourlondon.core import clock
from ourlondon.core.geography import haversine_km
from ourlondon.core.origin import same_origin
from ourlondon.support.forms import (
    HavenApplicationForm,
    HavenSearchForm,
    ResourceSearchForm,
    ServiceSearchForm,
)
from ourlondon.support.havens import apply_for_haven
from ourlondon.support.hours import is_open
from ourlondon.support.models import (
    HelpLine,
    Resource,
    RoleModelMessage,
    SafeHaven,
    Service,
    Toolkit,
    ToolkitPage,
)
from ourlondon.support.queries import find_services

TOOLKIT_SLUGS = {"education": Toolkit.EDUCATION, "business": Toolkit.BUSINESS}
HAVEN_RADIUS_KM = 3.0


def _errors(form: Any) -> dict[str, str]:
    return {name: str(errors[0]) for name, errors in form.errors.items()}


def _cleaned(form: Any) -> dict[str, Any]:
    """What is valid of a GET form: a bad field is left out, not fatal."""
    form.is_valid()
    return {
        name: value
        for name, value in getattr(form, "cleaned_data", {}).items()
        if name not in form.errors
    }


# Get help now --------------------------------------------------------------------


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def help_page(request: HttpRequest) -> HttpResponse:
    lines = list(HelpLine.objects.filter(is_active=True))
    groups = [
        (label, [line for line in lines if line.group == value])
        for value, label in HelpLine.Group.choices
    ]
    return render(
        request,
        "support/help.html",
        {"groups": [(label, items) for label, items in groups if items]},
    )


def offline_assets() -> list[str]:
    """What the service worker keeps: the help page and everything it loads."""
    return [
        reverse("support:help"),
        static("web/site.css"),
        static("web/exit.js"),
    ]


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps "Get help now" for offline use.

    Served from the root so its scope can be the whole site: a page that cannot
    load offline falls back to the kept help page. Never cached long, so a
    changed list of assets reaches browsers at their next visit.
    """
    assets = offline_assets()
    response = render(
        request,
        "support/sw.js",
        {
            "assets": json.dumps(assets),
            "help_url": json.dumps(assets[0]),
            # A new cache whenever an asset's fingerprint changes.
            "version": hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12],
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


# Support services directory -----------------------------------------------------


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def services(request: HttpRequest) -> HttpResponse:
    form = ServiceSearchForm(request.GET or None)
    data = _cleaned(form) if request.GET else {}
    place = data.get("where")
    radius = data.get("radius_km") or 5
    hits = find_services(
        need=data.get("need", ""),
        point=(place[0], place[1]) if place else None,
        radius_km=float(radius),
        age=data.get("age"),
        limit=50,
    )
    return render(
        request,
        "support/services.html",
        {
            "form": form,
            "errors": _errors(form) if request.GET else {},
            "hits": hits,
            "place": place[2] if place else "",
            "radius": radius,
            "searched": bool(request.GET),
        },
        status=200,
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service.objects.listed().for_display(), pk=pk)
    return render(request, "support/service_detail.html", {"service": service})


# Safe havens ----------------------------------------------------------------------


def _havens(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Approved havens matching the filters, each with its distance and whether
    it is open now."""
    havens = SafeHaven.public.select_related("borough").prefetch_related("hours")
    if data.get("kind"):
        havens = havens.filter(kind=data["kind"])
    now = clock.now()
    place = data.get("where")
    found: list[dict[str, Any]] = []
    for haven in havens.defer("borough__outline"):
        openings = haven.openings()
        open_now = is_open(openings, now, always_open=haven.open_24_hours)
        if data.get("open_now") and not open_now:
            continue
        distance = None
        if place is not None:
            if haven.lat is None or haven.lng is None:
                continue
            distance = haversine_km(place[0], place[1], haven.lat, haven.lng)
            if distance > HAVEN_RADIUS_KM:
                continue
        found.append(
            {
                "haven": haven,
                "open_now": open_now,
                "distance_km": distance,
                "hours": [o.label() for o in openings],
            }
        )
    if place is not None:
        found.sort(key=lambda item: item["distance_km"] or 0.0)
    return found


@gzip_page
@require_safe
@cache_control(public=True, max_age=60)
def havens(request: HttpRequest) -> HttpResponse:
    form = HavenSearchForm(request.GET or None)
    data = _cleaned(form) if request.GET else {}
    found = _havens(data)
    place = data.get("where")
    params = request.GET.urlencode()
    return render(
        request,
        "support/havens.html",
        {
            "form": form,
            "errors": _errors(form) if request.GET else {},
            "havens": found,
            "place": place[2] if place else "",
            "radius": HAVEN_RADIUS_KM,
            "geojson_url": reverse("support:havens-geojson")
            + (f"?{params}" if params else ""),
            "has_points": any(item["haven"].lat is not None for item in found),
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=60)
def havens_geojson(request: HttpRequest) -> HttpResponse:
    """The list's havens as GeoJSON (RFC 7946) for the map layer."""
    form = HavenSearchForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse(
            json.dumps({"errors": _errors(form)}),
            status=400,
            content_type="application/json",
        )
    data = form.cleaned_data if request.GET else {}
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [
                    round(item["haven"].lng, 5),
                    round(item["haven"].lat, 5),
                ],
            },
            "properties": {
                "name": item["haven"].name,
                "kind": item["haven"].get_kind_display(),
                "address": item["haven"].address,
                "open_now": item["open_now"],
                "url": reverse("support:haven-detail", args=[item["haven"].pk]),
            },
        }
        for item in _havens(data)
        if item["haven"].lat is not None and item["haven"].lng is not None
    ]
    return HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}),
        content_type="application/geo+json",
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=60)
def haven_detail(request: HttpRequest, pk: int) -> HttpResponse:
    haven = get_object_or_404(SafeHaven.public.prefetch_related("hours"), pk=pk)
    openings = haven.openings()
    return render(
        request,
        "support/haven_detail.html",
        {
            "haven": haven,
            "open_now": is_open(openings, clock.now(), always_open=haven.open_24_hours),
            "hours": [o.label() for o in openings],
        },
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def haven_apply(request: HttpRequest) -> HttpResponse:
    form = HavenApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not same_origin(request):
            return HttpResponseForbidden(
                "Applications can only be sent from this site's own form."
            )
        if is_ratelimited(
            request,
            group="safe-haven-application",
            key="ip",
            rate=settings.REPORT_RATE,
            method="POST",
            increment=True,
        ):
            return render(
                request,
                "support/haven_apply.html",
                {"form": form, "limited": True},
                status=429,
            )
        if form.is_valid():
            if not form.cleaned_data.get("website"):  # the honeypot stays empty
                apply_for_haven(data=form.cleaned_data)
            return redirect(reverse("support:haven-applied"))
    return render(
        request,
        "support/haven_apply.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
@cache_control(public=True, max_age=3600)
def haven_applied(request: HttpRequest) -> HttpResponse:
    return render(request, "support/haven_applied.html")


# Toolkits -------------------------------------------------------------------------


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def toolkits(request: HttpRequest) -> HttpResponse:
    pages = ToolkitPage.objects.filter(is_published=True)
    return render(
        request,
        "support/toolkits.html",
        {
            "toolkits": [
                (slug, label, [p for p in pages if p.toolkit == value])
                for slug, value in TOOLKIT_SLUGS.items()
                for label in [Toolkit(value).label]
            ]
        },
    )


def _toolkit(slug: str) -> Toolkit:
    if slug not in TOOLKIT_SLUGS:
        raise Http404("No such toolkit.")
    return TOOLKIT_SLUGS[slug]


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def toolkit(request: HttpRequest, slug: str) -> HttpResponse:
    kit = _toolkit(slug)
    form = ResourceSearchForm(request.GET or None)
    data = _cleaned(form) if request.GET else {}
    resources = Resource.objects.filter(is_published=True, toolkit=kit)
    for word in data.get("q", "").split()[:8]:
        resources = resources.filter(
            Q(title__icontains=word) | Q(summary__icontains=word)
        )
    for name in ("audience", "stage", "format"):
        if data.get(name):
            resources = resources.filter(**{name: data[name]})
    return render(
        request,
        "support/toolkit.html",
        {
            "slug": slug,
            "kit": kit,
            "label": Toolkit(kit).label,
            "form": form,
            "errors": _errors(form) if request.GET else {},
            "resources": list(resources),
            "pages": ToolkitPage.objects.filter(is_published=True, toolkit=kit),
            "is_business": kit == Toolkit.BUSINESS,
        },
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def toolkit_page(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    kit = _toolkit(slug)
    found = get_object_or_404(
        ToolkitPage.objects.filter(is_published=True, toolkit=kit), slug=page
    )
    return render(
        request,
        "support/toolkit_page.html",
        {"page": found, "slug": slug, "label": Toolkit(kit).label},
    )


# Campaign -------------------------------------------------------------------------


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def campaign(request: HttpRequest) -> HttpResponse:
    messages = RoleModelMessage.objects.filter(is_published=True)
    return render(
        request,
        "support/campaign.html",
        {
            "role_messages": messages,
            "share_url": request.build_absolute_uri(reverse("support:campaign")),
        },
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=300)
def campaign_message(request: HttpRequest, slug: str) -> HttpResponse:
    message = get_object_or_404(
        RoleModelMessage.objects.filter(is_published=True), slug=slug
    )
    return render(
        request,
        "support/campaign_message.html",
        {
            "message": message,
            "share_url": request.build_absolute_uri(
                reverse("support:campaign-message", args=[message.slug])
            ),
        },
    )
