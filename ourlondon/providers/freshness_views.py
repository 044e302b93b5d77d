"""Providers confirm a listing still runs: from the emailed link (no sign-in;
the signed token names the listing) or from their list of listings.

The emailed link opens a page with one button that POSTs: mail clients' link
scanners follow links with GET, and a GET must never confirm anything.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ourlondon.accounts.security import signed_in_user
from ourlondon.catalogue.models import Activity
from ourlondon.providers.freshness import confirm_listing, read_confirm_token
from ourlondon.providers.models import Membership
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.views import provider_required


@require_http_methods(["GET", "POST"])
def still_running(request: HttpRequest, token: str) -> HttpResponse:
    try:
        activity = read_confirm_token(token)
    except PortalError as error:
        return render(
            request, "providers/still_running.html", {"error": str(error)}, status=400
        )
    if request.method == "POST":
        try:
            back = confirm_listing(activity=activity, by=None)
        except PortalError as error:
            return render(
                request,
                "providers/still_running.html",
                {"activity": activity, "error": str(error)},
                status=400,
            )
        return render(
            request,
            "providers/still_running.html",
            {"activity": activity, "done": True, "back": back},
        )
    return render(request, "providers/still_running.html", {"activity": activity})


@provider_required
@require_POST
def listing_confirm(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership, user=signed_in_user(request), organisation_id=pk
    )
    activity = get_object_or_404(
        Activity.all_objects, pk=activity_id, organisation_id=membership.organisation_id
    )
    try:
        back = confirm_listing(activity=activity, by=signed_in_user(request))
    except PortalError as error:
        return render(
            request, "providers/error.html", {"message": str(error)}, status=400
        )
    messages.success(
        request,
        f"Thank you: “{activity.title}” is confirmed"
        + (" and back on the site." if back else "."),
    )
    return redirect("providers:listings", pk=pk)
