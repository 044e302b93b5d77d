"""A proposed listing as its public page, built in memory.

The provider's "Preview" renders the public template (`web/activity_detail.html`)
with the context the public view builds (`catalogue.page.activity_page`), from
unsaved `Activity`, `Venue`, `Schedule` and `Occurrence` instances. Nothing is
written: no row in the catalogue, the search index or the drafts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ourlondon.catalogue.models import Activity, ActivityType, Organisation, Venue
from ourlondon.catalogue.page import activity_page, planned_sessions
from ourlondon.catalogue.places import locate_venue
from ourlondon.catalogue.recurrence import holiday_ranges
from ourlondon.core import clock
from ourlondon.providers.listings import normalised
from ourlondon.providers.schedules import build_schedule


def _venue(organisation: Organisation, data: dict[str, Any]) -> Venue | None:
    if data["is_online"]:
        return None
    located = locate_venue(
        postcode=data["postcode"], lat=data["venue_lat"], lng=data["venue_lng"]
    )
    # The venue approval would reuse, for what it already says (its access).
    known = Venue.objects.filter(
        organisation=organisation, name=data["venue_name"], postcode=located.postcode
    ).first()
    return Venue(
        organisation=organisation,
        name=data["venue_name"],
        address=data["venue_address"],
        postcode=located.postcode,
        lat=located.lat,
        lng=located.lng,
        borough_id=located.borough_code,
        accessibility=known.accessibility if known else [],
    )


def preview_page(
    *,
    organisation: Organisation,
    listing: dict[str, Any],
    activity: Activity | None = None,
) -> dict[str, Any]:
    """The public page's context for `listing` (the editor's cleaned shape), as
    it would be once approved. `activity`: the live listing it changes."""
    data = normalised(listing)
    proposed = Activity(
        organisation=organisation,
        title=data["title"],
        description=data["description"],
        is_online=data["is_online"],
        venue=_venue(organisation, data),
        age_min=data["age_min"],
        age_max=data["age_max"],
        is_free=data["is_free"],
        price=Decimal(data["price"]) if data["price"] else None,
        accessibility=data["accessibility"],
        booking_email=data["booking_email"],
        booking_phone=data["booking_phone"],
        status=Activity.Status.PUBLISHED,
        source=activity.source if activity else Activity.Source.MANUAL,
    )
    # What the page's "last updated" would say on approval.
    proposed.updated_at = clock.now()
    if activity is not None:
        # Fields the editor does not edit are kept from the live listing.
        for name in ("gender", "concessions", "booking_url", "booking_notes"):
            setattr(proposed, name, getattr(activity, name))
        proposed.what_to_bring = activity.what_to_bring
    schedules = [build_schedule(s) for s in data["schedules"]]
    return activity_page(
        proposed,
        types=list(ActivityType.objects.filter(slug=data["activity_type"])),
        schedules=schedules,
        upcoming=planned_sessions(schedules, holidays=holiday_ranges()),
    )
