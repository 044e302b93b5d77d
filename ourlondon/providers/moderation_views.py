"""Moderation (/moderation/): organisations waiting for a check and claims;
verify, reject with a reason, suspend at once. Moderators only, after two-factor
(`moderator_required`; the middleware checks the second factor too)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ourlondon.accounts.security import moderator_required, signed_in_user
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, Organisation
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
    Membership,
    SafeguardingProfile,
)
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.verification import (
    decide_claim,
    reject_organisation,
    suspend_organisation,
    verify_organisation,
)
from ourlondon.providers.views import policy_response


@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    pending = Organisation.objects.filter(
        verification=Organisation.Verification.PENDING
    ).order_by("updated_at")
    claims = ClaimRequest.objects.filter(
        status=ClaimRequest.Status.PENDING
    ).select_related("user", "organisation")
    return render(
        request,
        "providers/moderation/queue.html",
        {"pending": pending, "claims": claims},
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
    drafts = ListingDraft.objects.filter(
        status=ListingDraft.Status.SUBMITTED
    ).select_related("organisation", "activity")
    return render(request, "providers/moderation/listings.html", {"drafts": drafts})


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
