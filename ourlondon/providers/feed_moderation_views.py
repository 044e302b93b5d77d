"""Moderation of providers' feeds (/moderation/feeds/): approve, or reject with
a reason that is emailed. Moderators only, after two-factor."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ourlondon.accounts.security import moderator_required, signed_in_user
from ourlondon.providers.forms import ReasonForm
from ourlondon.providers.models import ProviderFeed
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.provider_feeds import approve_feed, reject_feed
from ourlondon.providers.tasks import read_feed_now


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "providers/error.html", {"message": message}, status=400)


@moderator_required
def feed_queue(request: HttpRequest) -> HttpResponse:
    waiting = ProviderFeed.objects.filter(
        status=ProviderFeed.Status.PENDING
    ).select_related("organisation", "added_by", "activity_type", "default_venue")
    failing = ProviderFeed.objects.filter(
        status=ProviderFeed.Status.FAILING
    ).select_related("organisation")
    return render(
        request,
        "providers/moderation/feeds.html",
        {"waiting": waiting, "failing": failing, "reason_form": ReasonForm()},
    )


@moderator_required
@require_POST
def feed_approve(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(ProviderFeed.objects.select_related("organisation"), pk=pk)
    try:
        approve_feed(feed=feed, by=signed_in_user(request))
    except PortalError as error:
        return _refused(request, str(error))
    if feed.kind == ProviderFeed.Kind.ICAL:
        # After the approval has committed: the first read runs on the queue.
        read_feed_now(feed.pk)
    messages.success(request, f"Feed for {feed.organisation.name} approved.")
    return redirect("moderation:feeds")


@moderator_required
@require_POST
def feed_reject(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(ProviderFeed.objects.select_related("organisation"), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _refused(request, "Give the reason: it is sent to the provider.")
    try:
        reject_feed(
            feed=feed, by=signed_in_user(request), reason=form.cleaned_data["reason"]
        )
    except PortalError as error:
        return _refused(request, str(error))
    messages.success(request, "Feed rejected; the provider has been told.")
    return redirect("moderation:feeds")
