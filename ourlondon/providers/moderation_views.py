"""Moderation (/moderation/): organisations waiting for a check and claims;
verify, reject with a reason, suspend at once; listings to review (filtered);
the "report a problem" inbox; taking a listing down and putting it back; the
freshness dashboard and the audit log. Moderators only, after two-factor
(`moderator_required`; the middleware checks the second factor too)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from ourlondon.accounts.security import moderator_required, signed_in_user
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, ListingReport, Organisation
from ourlondon.funding.population import YEAR as POPULATION_YEAR
from ourlondon.providers import freshness
from ourlondon.providers.forms import ReasonForm
from ourlondon.providers.listings import (
    approve_listing,
    changes,
    listing_data,
    reject_listing,
)
from ourlondon.providers.models import (
    ClaimRequest,
    ListingDraft,
    ListingFreshness,
    Membership,
    SafeguardingProfile,
)
from ourlondon.providers.moderation_forms import (
    AuditFilter,
    CloseReportForm,
    ListingQueueFilter,
    OrganisationQueueFilter,
    ReportFilter,
)
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.reports import (
    close_report,
    republish_listing,
    unpublish_listing,
)
from ourlondon.providers.verification import (
    decide_claim,
    reject_organisation,
    suspend_organisation,
    verify_organisation,
)
from ourlondon.providers.views import policy_response


@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    waiting = Organisation.objects.filter(
        verification=Organisation.Verification.PENDING
    )
    form = OrganisationQueueFilter(request.GET)
    valid = form.is_valid()
    pending = list(form.apply(waiting)) if valid else []
    claims = ClaimRequest.objects.filter(
        status=ClaimRequest.Status.PENDING
    ).select_related("user", "organisation")
    return render(
        request,
        "providers/moderation/queue.html",
        {
            "pending": pending,
            "n_waiting": waiting.count(),
            "claims": claims,
            "form": form,
            "n_open_reports": ListingReport.objects.filter(
                status=ListingReport.Status.OPEN
            ).count(),
        },
        status=200 if valid else 400,
    )


@moderator_required
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    return render(
        request,
        "providers/moderation/organisation.html",
        {
            "organisation": org,
            "profile": SafeguardingProfile.objects.filter(organisation=org)
            .prefetch_related("referees")
            .first(),
            "members": Membership.objects.filter(organisation=org).select_related(
                "user"
            ),
            "n_public": Activity.public.filter(organisation=org).count(),
            "history": AuditEvent.objects.filter(
                object_type="catalogue.organisation", object_id=str(org.pk)
            )[:50],
            "reason_form": ReasonForm(),
        },
    )


@moderator_required
def policy(request: HttpRequest, pk: int) -> HttpResponseBase:
    org = get_object_or_404(Organisation, pk=pk)
    return policy_response(SafeguardingProfile.objects.filter(organisation=org).first())


def _done(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("moderation:organisation", pk=pk)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "providers/error.html", {"message": message}, status=400)


@moderator_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    try:
        verify_organisation(organisation=org, by=signed_in_user(request))
    except PortalError as error:
        return _refused(request, str(error))
    return _done(request, pk, f"{org.name} is checked.")


@moderator_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Give the reason: it is sent to the organisation.")
    try:
        reject_organisation(
            organisation=org,
            by=signed_in_user(request),
            reason=form.cleaned_data["reason"],
        )
    except PortalError as error:
        return _refused(request, str(error))
    return _done(request, pk, f"{org.name} is rejected; its members have been told.")


@moderator_required
@require_POST
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Give the reason: it is kept in the audit log.")
    try:
        hidden = suspend_organisation(
            organisation=org,
            by=signed_in_user(request),
            reason=form.cleaned_data["reason"],
        )
    except PortalError as error:
        return _refused(request, str(error))
    return _done(
        request, pk, f"{org.name} is suspended; {hidden} listing(s) taken down."
    )


@moderator_required
@require_POST
def claim_decision(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(ClaimRequest, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        decide_claim(
            claim=claim,
            by=signed_in_user(request),
            approve=approve,
            reason=request.POST.get("reason", "")[:4000],
        )
    except PortalError as error:
        return _refused(request, str(error))
    messages.success(request, "Claim approved." if approve else "Claim rejected.")
    return redirect("moderation:queue")


@moderator_required
def listing_queue(request: HttpRequest) -> HttpResponse:
    waiting = ListingDraft.objects.filter(
        status=ListingDraft.Status.SUBMITTED
    ).select_related("organisation", "activity")
    form = ListingQueueFilter(request.GET)
    valid = form.is_valid()
    drafts = form.apply(waiting) if valid else []
    return render(
        request,
        "providers/moderation/listings.html",
        {"drafts": drafts, "n_waiting": waiting.count(), "form": form},
        status=200 if valid else 400,
    )


@moderator_required
def listing(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(
        ListingDraft.objects.select_related("organisation", "activity"), pk=pk
    )
    live = listing_data(draft.activity) if draft.activity is not None else None
    return render(
        request,
        "providers/moderation/listing.html",
        {
            "draft": draft,
            "changes": changes(live, draft.data),
            "is_new": live is None,
            "reason_form": ReasonForm(),
        },
    )


@moderator_required
@require_POST
def listing_approve(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(ListingDraft, pk=pk)
    try:
        activity = approve_listing(draft=draft, by=signed_in_user(request))
    except PortalError as error:
        return _refused(request, str(error))
    messages.success(request, f"“{activity.title}” is live.")
    return redirect("moderation:listings")


@moderator_required
@require_POST
def listing_reject(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(ListingDraft, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Give the reason: it is sent to the provider.")
    try:
        reject_listing(
            draft=draft, by=signed_in_user(request), reason=form.cleaned_data["reason"]
        )
    except PortalError as error:
        return _refused(request, str(error))
    messages.success(request, "Rejected; the provider has been told.")
    return redirect("moderation:listings")


# The "report a problem" inbox ---------------------------------------------------


@moderator_required
@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    form = ReportFilter(request.GET)
    valid = form.is_valid()
    everything = ListingReport.objects.select_related(
        "activity", "activity__organisation"
    )
    found = (
        form.apply(everything).order_by("created_at", "pk")
        if valid
        else everything.none()
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/moderation/reports.html",
        {
            "form": form,
            "page": page,
            "by_status": dict(
                ListingReport.objects.values_list("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            ),
            "query": _without_page(request),
        },
        status=200 if valid else 400,
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@moderator_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ListingReport.objects.select_related(
            "activity", "activity__organisation", "handled_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "providers/moderation/report.html",
        {
            "report": item,
            "activity": item.activity,
            "freshness": ListingFreshness.objects.filter(
                activity_id=item.activity_id
            ).first(),
            "close_form": CloseReportForm(),
            "reason_form": ReasonForm(),
            "others": ListingReport.objects.filter(activity=item.activity)
            .exclude(pk=item.pk)
            .order_by("-created_at")[:20],
        },
    )


@moderator_required
@require_POST
def report_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ListingReport, pk=pk)
    form = CloseReportForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, "Choose resolved or dismissed and say what was done, or why not."
        )
    try:
        close_report(
            report=item,
            by=signed_in_user(request),
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except PortalError as error:
        return _refused(request, str(error))
    messages.success(request, "The report is closed.")
    return redirect("moderation:reports")


# One listing: take it down, put it back -----------------------------------------


@moderator_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Activity.all_objects.select_related("organisation"), pk=pk)
    return render(
        request,
        "providers/moderation/activity.html",
        {
            "activity": item,
            "is_public": Activity.public.filter(pk=item.pk).exists(),
            "freshness": ListingFreshness.objects.filter(activity=item).first(),
            "reports": ListingReport.objects.filter(activity=item).order_by(
                "-created_at"
            )[:20],
            "history": AuditEvent.objects.filter(
                object_type="catalogue.activity", object_id=str(item.pk)
            )[:50],
            "reason_form": ReasonForm(),
        },
    )


@moderator_required
@require_POST
def activity_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Activity.all_objects, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Give the reason: it is sent to the provider.")
    try:
        unpublish_listing(
            activity=item,
            by=signed_in_user(request),
            reason=form.cleaned_data["reason"],
        )
    except PortalError as error:
        return _refused(request, str(error))
    messages.success(request, f"“{item.title}” is taken down; the provider is told.")
    return redirect("moderation:activity", pk=pk)


@moderator_required
@require_POST
def activity_republish(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Activity.all_objects, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Say why it can go back up: it is kept.")
    try:
        republish_listing(
            activity=item, by=signed_in_user(request), note=form.cleaned_data["reason"]
        )
    except PortalError as error:
        return _refused(request, str(error))
    messages.success(request, f"“{item.title}” is back on the site.")
    return redirect("moderation:activity", pk=pk)


# Freshness and coverage ------------------------------------------------------------


@moderator_required
@require_safe
def freshness_dashboard(request: HttpRequest) -> HttpResponse:
    coverage = freshness.borough_coverage()
    return render(
        request,
        "providers/moderation/freshness.html",
        {
            "bands": freshness.age_bands(),
            "stale": freshness.stale_listings(),
            "coverage": coverage,
            "without": [row for row in coverage if row.activities == 0],
            "online": Activity.public.filter(venue__isnull=True).count(),
            "population_year": POPULATION_YEAR,
        },
    )


# The audit log -------------------------------------------------------------------


@moderator_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET)
    valid = form.is_valid()
    events = (
        form.apply(AuditEvent.objects.all()) if valid else AuditEvent.objects.none()
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "providers/moderation/audit.html",
        {"form": form, "page": page, "query": _without_page(request)},
        status=200 if valid else 400,
    )
