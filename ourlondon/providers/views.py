"""The provider portal (/provider/): a provider's organisations, their
safeguarding details, claims and invitations.

Every view that names an organisation looks it up through the signed-in user's
memberships, so another organisation's id is a 404, never someone else's data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ourlondon.accounts.security import signed_in_user
from ourlondon.catalogue.models import Activity, Organisation
from ourlondon.providers.forms import (
    ClaimForm,
    InviteForm,
    ListingForm,
    OrganisationForm,
    SafeguardingForm,
)
from ourlondon.providers.listings import listing_data, submit_listing
from ourlondon.providers.models import (
    ClaimRequest,
    ListingDraft,
    Membership,
    SafeguardingProfile,
)
from ourlondon.providers.organisations import (
    PortalError,
    accept_invitation,
    create_organisation,
    read_invitation,
    request_claim,
    send_invitation,
    state,
    update_organisation,
)


def provider_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Signed in, with a verified email address."""

    @functools.wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = signed_in_user(request)
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise PermissionDenied("Verify your email address first.")
        return view(request, *args, **kwargs)

    return wrapped


def _membership(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("organisation"),
        user=signed_in_user(request),
        organisation_id=pk,
    )


@provider_required
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    claims = ClaimRequest.objects.filter(user=user).select_related("organisation")
    return render(
        request,
        "providers/home.html",
        {"memberships": memberships, "claims": claims},
    )


def _forms(
    request: HttpRequest, organisation: Organisation, profile: SafeguardingProfile
) -> tuple[OrganisationForm, SafeguardingForm]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    org_form = OrganisationForm(data, instance=organisation)
    kind = data.get("kind", "") if data is not None else organisation.kind
    return org_form, SafeguardingForm(data, files, instance=profile, kind=kind)


@provider_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    org_form, sg_form = _forms(request, Organisation(), SafeguardingProfile())
    if request.method == "POST" and org_form.is_valid() & sg_form.is_valid():
        organisation = create_organisation(
            by=signed_in_user(request),
            organisation=org_form.instance,
            profile=sg_form.instance,
            referees=sg_form.referees(),
        )
        messages.success(
            request, "Thank you. A moderator will check your organisation soon."
        )
        return redirect("providers:organisation", pk=organisation.pk)
    return render(
        request,
        "providers/organisation_form.html",
        {"org_form": org_form, "sg_form": sg_form, "organisation": None},
        status=400 if request.method == "POST" else 200,
    )


@provider_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    organisation = membership.organisation
    profile = SafeguardingProfile.objects.filter(organisation=organisation).first()
    members = Membership.objects.filter(organisation=organisation).select_related(
        "user"
    )
    return render(
        request,
        "providers/organisation_detail.html",
        {
            "organisation": organisation,
            "profile": profile,
            "membership": membership,
            "members": members,
            "invite_form": InviteForm(),
        },
    )


@provider_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    if organisation.verification == Organisation.Verification.SUSPENDED:
        raise PermissionDenied(
            "This organisation is suspended. Contact the moderators to discuss it."
        )
    profile = SafeguardingProfile.objects.filter(
        organisation=organisation
    ).first() or SafeguardingProfile(organisation=organisation)
    before = state(organisation)
    org_form, sg_form = _forms(request, organisation, profile)
    if request.method == "POST" and org_form.is_valid() & sg_form.is_valid():
        update_organisation(
            by=signed_in_user(request),
            organisation=org_form.instance,
            profile=sg_form.instance,
            referees=sg_form.referees(),
            before=before,
        )
        messages.success(request, "Saved. A moderator will check the changes.")
        return redirect("providers:organisation", pk=organisation.pk)
    return render(
        request,
        "providers/organisation_form.html",
        {"org_form": org_form, "sg_form": sg_form, "organisation": organisation},
        status=400 if request.method == "POST" else 200,
    )


def policy_response(profile: SafeguardingProfile | None) -> FileResponse:
    if profile is None or not profile.policy_file:
        raise Http404("No policy file.")
    return FileResponse(
        profile.policy_file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"safeguarding-policy-{profile.organisation.slug}.pdf",
    )


@provider_required
def policy(request: HttpRequest, pk: int) -> HttpResponseBase:
    organisation = _membership(request, pk).organisation
    return policy_response(
        SafeguardingProfile.objects.filter(organisation=organisation).first()
    )


@provider_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    form = InviteForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            "Enter a valid email address.", status=400, content_type="text/plain"
        )
    email = form.cleaned_data["email"]
    send_invitation(by=signed_in_user(request), organisation=organisation, email=email)
    messages.success(request, f"Invitation sent to {email}.")
    return redirect("providers:organisation", pk=organisation.pk)


@provider_required
def join(request: HttpRequest, token: str) -> HttpResponse:
    try:
        organisation, email = read_invitation(token)
        if request.method == "POST":
            accept_invitation(token=token, user=signed_in_user(request))
            messages.success(request, f"You now act for {organisation.name}.")
            return redirect("providers:organisation", pk=organisation.pk)
    except PortalError as error:
        return render(
            request, "providers/error.html", {"message": str(error)}, status=400
        )
    return render(
        request, "providers/join.html", {"organisation": organisation, "email": email}
    )


@provider_required
def claim(request: HttpRequest) -> HttpResponse:
    """Find an organisation already listed and ask to manage it."""
    query = request.GET.get("q", "").strip()[:100]
    found = (
        Organisation.objects.filter(
            name__icontains=query, memberships__isnull=True
        ).exclude(
            verification__in=[
                Organisation.Verification.SUSPENDED,
                Organisation.Verification.REJECTED,
            ]
        )[:20]
        if len(query) >= 3
        else []
    )
    form = ClaimForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                request_claim(
                    by=signed_in_user(request),
                    organisation=form.cleaned_data["organisation"],
                    message=form.cleaned_data["message"],
                )
            except PortalError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you. A moderator will be in touch.")
                return redirect("providers:home")
        return render(
            request,
            "providers/claim.html",
            {"form": form, "found": found, "query": query},
            status=400,
        )
    return render(
        request, "providers/claim.html", {"form": form, "found": found, "query": query}
    )


@provider_required
def listings(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    activities = Activity.all_objects.filter(organisation=organisation).order_by(
        "title"
    )
    drafts = ListingDraft.objects.filter(organisation=organisation).order_by(
        "-updated_at"
    )[:50]
    return render(
        request,
        "providers/listings.html",
        {"organisation": organisation, "activities": activities, "drafts": drafts},
    )


def _listing_page(
    request: HttpRequest,
    organisation: Organisation,
    activity: Activity | None,
    initial: dict[str, Any] | None,
) -> HttpResponse:
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                submit_listing(
                    by=signed_in_user(request),
                    organisation=organisation,
                    data=form.listing(),
                    activity=activity,
                )
            except PortalError as error:
                raise PermissionDenied(str(error)) from error
            messages.success(
                request,
                "Sent for review. "
                + ("The live listing stays as it is until then." if activity else ""),
            )
            return redirect("providers:listings", pk=organisation.pk)
        status = 400
    else:
        status = 200
    return render(
        request,
        "providers/listing_form.html",
        {"form": form, "organisation": organisation, "activity": activity},
        status=status,
    )


@provider_required
def listing_new(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    return _listing_page(request, organisation, None, None)


@provider_required
def listing_edit(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    activity = get_object_or_404(
        Activity.all_objects, pk=activity_id, organisation=organisation
    )
    waiting = ListingDraft.objects.filter(
        activity=activity, status=ListingDraft.Status.SUBMITTED
    ).first()
    initial = waiting.data if waiting is not None else listing_data(activity)
    return _listing_page(request, organisation, activity, initial)
