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
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from ourlondon.accounts.security import signed_in_user
from ourlondon.catalogue.models import Activity, Organisation
from ourlondon.providers.forms import (
    ClaimForm,
    InviteForm,
    ListingForm,
    OrganisationForm,
    SafeguardingForm,
    ScheduleFormSet,
    schedule_initial,
)
from ourlondon.providers.listings import (
    listing_data,
    normalised,
    submit_listing,
    withdraw_draft,
    withdraw_listing,
)
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
from ourlondon.providers.preview import preview_page


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
    # The freshness row is shown per listing: joined, not read row by row.
    activities = (
        Activity.all_objects.filter(organisation=organisation)
        .select_related("freshness")
        .order_by("title")
    )
    drafts = ListingDraft.objects.filter(organisation=organisation).order_by(
        "-updated_at"
    )[:50]
    return render(
        request,
        "providers/listings.html",
        {"organisation": organisation, "activities": activities, "drafts": drafts},
    )


# The editor's formset prefix; a POST without its management form is an old
# single-schedule post (ListingForm's own schedule fields), still accepted.
SCHEDULES = "schedules"


def _editor_forms(
    request: HttpRequest,
    organisation: Organisation,
    initial: dict[str, Any] | None,
) -> tuple[ListingForm, Any]:
    post = request.POST if request.method == "POST" else None
    if post is not None and f"{SCHEDULES}-TOTAL_FORMS" not in post:
        return ListingForm(post, organisation=organisation), None
    form = ListingForm(
        post, initial=initial, organisation=organisation, single_schedule=False
    )
    schedules = normalised(initial)["schedules"] if initial else []
    formset = ScheduleFormSet(
        post, initial=[schedule_initial(s) for s in schedules], prefix=SCHEDULES
    )
    return form, formset


def _listing_page(
    request: HttpRequest,
    organisation: Organisation,
    activity: Activity | None,
    initial: dict[str, Any] | None,
) -> HttpResponse:
    form, formset = _editor_forms(request, organisation, initial)
    status = 200
    if request.method == "POST" and "edit" not in request.POST:
        valid = form.is_valid() & (formset is None or formset.is_valid())
        if valid:
            listing = form.listing(formset.schedules() if formset else None)
            if "preview" in request.POST:
                return _preview(request, organisation, activity, listing, form)
            try:
                submit_listing(
                    by=signed_in_user(request),
                    organisation=organisation,
                    data=listing,
                    activity=activity,
                )
            except PortalError as error:
                raise PermissionDenied(str(error)) from error
            if form.markup_removed:
                messages.warning(request, MARKUP_REMOVED)
            messages.success(
                request,
                "Sent for review. "
                + ("The live listing stays as it is until then." if activity else ""),
            )
            return redirect("providers:listings", pk=organisation.pk)
        status = 400
    return render(
        request,
        "providers/listing_form.html",
        {
            "form": form,
            "formset": formset,
            "organisation": organisation,
            "activity": activity,
            "pin_fields": [form["venue_lat"], form["venue_lng"]],
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        status=status,
    )


MARKUP_REMOVED = (
    "We removed HTML from the description: descriptions are plain text. Check "
    "that it still reads well."
)


def _preview(
    request: HttpRequest,
    organisation: Organisation,
    activity: Activity | None,
    listing: dict[str, Any],
    form: ListingForm,
) -> HttpResponse:
    """The public page of the proposed listing, built in memory: nothing saved."""
    context = preview_page(
        organisation=organisation, listing=listing, activity=activity
    )
    context.update(
        preview_banner="providers/preview_banner.html",
        markup_removed=MARKUP_REMOVED if form.markup_removed else "",
        # The editor's own post, sent back by the banner's buttons.
        posted=[
            (name, value)
            for name, values in request.POST.lists()
            if name not in {"csrfmiddlewaretoken", "preview"}
            for value in values
        ],
        editor_url=request.path,
        organisation=organisation,
        share_url="",
        google_url=None,
        outlook_url=None,
    )
    response = render(request, "web/activity_detail.html", context)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@provider_required
def listing_new(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    return _listing_page(request, organisation, None, None)


def _own_activity(organisation: Organisation, activity_id: int) -> Activity:
    return get_object_or_404(
        Activity.all_objects, pk=activity_id, organisation=organisation
    )


@provider_required
def listing_edit(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    organisation = _membership(request, pk).organisation
    activity = _own_activity(organisation, activity_id)
    waiting = ListingDraft.objects.filter(
        activity=activity, status=ListingDraft.Status.SUBMITTED
    ).first()
    initial = waiting.data if waiting is not None else listing_data(activity)
    return _listing_page(request, organisation, activity, normalised(initial))


@provider_required
def listing_withdraw(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    """Take a listing off the site: a page that asks, then a POST that does it."""
    organisation = _membership(request, pk).organisation
    activity = _own_activity(organisation, activity_id)
    context = {"organisation": organisation, "activity": activity, "error": ""}
    if request.method == "POST":
        if request.POST.get("confirm") != "withdraw":
            context["error"] = "Tick the box to confirm, then withdraw."
            return render(
                request, "providers/listing_withdraw.html", context, status=400
            )
        try:
            withdraw_listing(activity=activity, by=signed_in_user(request))
        except PortalError as error:
            return render(
                request, "providers/error.html", {"message": str(error)}, status=400
            )
        messages.success(
            request,
            f"“{activity.title}” is no longer on ourlondon. To list it again, edit "
            "it and send it for review.",
        )
        return redirect("providers:listings", pk=organisation.pk)
    return render(request, "providers/listing_withdraw.html", context)


@provider_required
@require_POST
def draft_withdraw(request: HttpRequest, pk: int, draft_id: int) -> HttpResponse:
    """Take back a listing or change that is still waiting for review."""
    organisation = _membership(request, pk).organisation
    draft = get_object_or_404(ListingDraft, pk=draft_id, organisation=organisation)
    try:
        withdraw_draft(draft=draft, by=signed_in_user(request))
    except PortalError as error:
        return render(
            request, "providers/error.html", {"message": str(error)}, status=400
        )
    messages.success(request, f"“{draft}” is withdrawn from review.")
    return redirect("providers:listings", pk=organisation.pk)
