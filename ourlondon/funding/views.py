"""Funding in the open: funds, a borough map with its table, the grants list,
one grant, the open data, and "tell me when the next round opens".

Public pages are cookie-free and cacheable like the finder's; a bad filter is
answered with a 400 that names it (the page still shows, without that filter).
Only the sign-up page has a form with a CSRF token (as /updates/ has).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from ourlondon.catalogue.models import Activity
from ourlondon.funding import exporting
from ourlondon.funding.figures import borough_figures, headline, money
from ourlondon.funding.forms import BoroughFilterForm, GrantFilterForm, NextRoundForm
from ourlondon.funding.models import Fund, Grant, Round
from ourlondon.funding.population import YEAR
from ourlondon.subscriptions import consent
from ourlondon.subscriptions.models import ConsentWording
from ourlondon.subscriptions.views import SIGN_UP_RATE, SIGN_UP_RATE_PER_EMAIL

PAGE_SIZE = 50
CACHE_SECONDS = 300


def _fund_cards() -> list[dict[str, Any]]:
    cards = []
    for fund in Fund.objects.all():
        grants = Grant.objects.filter(fund=fund)
        totals = grants.filter(currency="GBP").totals()
        today_rounds = list(fund.rounds.all())
        cards.append(
            {
                "fund": fund,
                "totals": totals,
                "headline": headline(totals),
                "exact": money(totals.amount),
                "other_currency": grants.exclude(currency="GBP").count(),
                "open": [r for r in today_rounds if r.status == Round.Status.OPEN],
                "next": sorted(
                    (r for r in today_rounds if r.status == Round.Status.UPCOMING),
                    key=lambda r: r.opens,
                )[:1],
            }
        )
    return cards


@gzip_page
@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def index(request: HttpRequest) -> HttpResponse:
    everything = Grant.objects.filter(currency="GBP").totals()
    return render(
        request,
        "funding/index.html",
        {
            "cards": _fund_cards(),
            "headline": headline(everything),
            "exact": money(everything.amount),
            "is_demo": Grant.objects.filter(is_demo=True).exists(),
        },
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def fund_detail(request: HttpRequest, slug: str) -> HttpResponse:
    fund = get_object_or_404(Fund, slug=slug)
    card = next(c for c in _fund_cards() if c["fund"].pk == fund.pk)
    grants = Grant.objects.filter(fund=fund)
    figures = [f for f in borough_figures(grants) if f.grants]
    figures.sort(key=lambda f: (-f.amount, f.name))
    return render(
        request,
        "funding/fund.html",
        {
            **card,
            "rounds": fund.rounds.all(),
            "recent": grants.select_related("borough").defer("borough__outline")[:10],
            "boroughs": figures,
        },
    )


def _bad_request_status(form: Any) -> int:
    return 400 if form.errors else 200


@gzip_page
@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def boroughs(request: HttpRequest) -> HttpResponse:
    form = BoroughFilterForm(request.GET or None)
    fund = None
    if form.is_bound and form.is_valid() and form.cleaned_data["fund"]:
        fund = Fund.objects.get(slug=form.cleaned_data["fund"])
    grants = Grant.objects.all()
    if fund is not None:
        grants = grants.filter(fund=fund)
    figures = borough_figures(grants)
    totals = grants.filter(currency="GBP").totals()
    return render(
        request,
        "funding/boroughs.html",
        {
            "form": form,
            "fund": fund,
            "figures": figures,
            "headline": headline(totals),
            "exact": money(totals.amount),
            "population_year": YEAR,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        status=_bad_request_status(form),
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def grant_list(request: HttpRequest) -> HttpResponse:
    form = GrantFilterForm(request.GET)
    filters = form.valid_filters()
    grants = (
        Grant.objects.select_related("fund", "borough")
        .defer("borough__outline", "data")
        .order_by("-award_date", "identifier")
    )
    if "fund" in filters:
        grants = grants.in_fund(filters["fund"])
    if "borough" in filters:
        grants = grants.in_borough(filters["borough"])
    if "year" in filters:
        grants = grants.awarded_in(filters["year"])
    grants = grants.amount_between(filters.get("min_amount"), filters.get("max_amount"))
    totals = grants.filter(currency="GBP").totals()
    page = Paginator(grants, PAGE_SIZE).get_page(filters.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/grant_list.html",
        {
            "form": form,
            "page": page,
            "headline": headline(totals),
            "exact": money(totals.amount),
            "years": Grant.objects.years(),
            "query": query.urlencode(),
        },
        status=_bad_request_status(form),
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(
        Grant.objects.select_related("fund", "borough", "organisation").defer(
            "borough__outline"
        ),
        pk=pk,
    )
    activities = []
    if grant.organisation_id is not None:
        activities = list(
            Activity.public.filter(organisation_id=grant.organisation_id)
            .for_display()
            .order_by("title")[:20]
        )
    return render(
        request,
        "funding/grant.html",
        {
            "grant": grant,
            "activities": activities,
            "amount": money(grant.amount_awarded),
        },
    )


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@gzip_page
@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def grants_json(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    fund = get_object_or_404(Fund, slug=slug) if slug else None
    document = exporting.export_json(fund=fund)
    return _download(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        "application/json",
        f"{slug or 'ourlondon'}-grants.json",
    )


@gzip_page
@require_safe
@cache_control(public=True, max_age=CACHE_SECONDS)
def grants_csv(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    fund = get_object_or_404(Fund, slug=slug) if slug else None
    return _download(
        exporting.export_csv(fund=fund),
        "text/csv; charset=utf-8",
        f"{slug or 'ourlondon'}-grants.csv",
    )


def _email_key(group: str, request: HttpRequest) -> str:
    return consent.normalise_email(request.POST.get("email", ""))[:254]


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def next_round(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Tell me when the next round opens": the updates sign-up (double opt-in,
    consent recorded) for this fund's topic only."""
    fund = get_object_or_404(Fund.objects.select_related("topic"), slug=slug)
    if fund.topic is None or not fund.topic.active:
        raise Http404("This fund has no updates.")
    wording = consent.current_wording()
    form = NextRoundForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "fund": fund, "wording": wording}
    if request.method == "POST":
        if is_ratelimited(
            request, group="sign-up", key="ip", rate=SIGN_UP_RATE, increment=True
        ) or is_ratelimited(
            request,
            group="sign-up-email",
            key=_email_key,
            rate=SIGN_UP_RATE_PER_EMAIL,
            increment=True,
        ):
            return render(
                request,
                "funding/next_round.html",
                {**context, "limited": True},
                status=429,
            )
        if form.is_valid():
            if not form.cleaned_data["website"]:
                version = request.POST.get("wording_version", "")
                shown = (
                    ConsentWording.objects.filter(version=int(version)).first()
                    if version.isdigit()
                    else None
                )
                consent.sign_up(
                    consent.SignUp(
                        email=form.cleaned_data["email"],
                        topics=[fund.topic],
                        page=request.path,
                        wording=shown or wording,
                    )
                )
            return redirect("subscriptions:check-email")
    return render(
        request, "funding/next_round.html", context, status=_bad_request_status(form)
    )
