"""The listing editor's writes: a provider submits a listing (new, or a change to
a live one) for review; a moderator approves it, which writes the public
`Activity`, or rejects it with a reason. Until then the public page keeps the
approved version. Each write is atomic and audited with before and after."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import (
    Activity,
    ActivityType,
    Organisation,
    Schedule,
    Venue,
)
from ourlondon.catalogue.places import locate_venue
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.providers.models import ListingDraft
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.sanitise import plain_text
from ourlondon.search.indexing import refresh_activities

Action = AuditEvent.Action
Verification = Organisation.Verification

# What the editor edits, in display order, with labels for the moderator's diff.
FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "activity_type": "Type of activity",
    "is_online": "Online",
    "venue_name": "Venue",
    "venue_address": "Venue address",
    "postcode": "Postcode",
    "age_min": "Youngest age",
    "age_max": "Oldest age",
    "is_free": "Free",
    "price": "Price (£)",
    "accessibility": "Accessibility",
    "weekdays": "Days",
    "start_time": "Starts",
    "end_time": "Ends",
    "start_date": "From",
    "end_date": "Until",
    "booking_email": "Contact email",
    "booking_phone": "Contact phone",
}


def listing_data(activity: Activity) -> dict[str, Any]:
    """A live activity in the editor's shape (its first weekly schedule)."""
    venue = activity.venue
    schedule = activity.schedules.filter(kind=Schedule.Kind.WEEKLY).first()
    first_type = activity.types.order_by("label").first()
    return {
        "title": activity.title,
        "description": activity.description,
        "activity_type": first_type.slug if first_type else "",
        "is_online": activity.is_online,
        "venue_name": venue.name if venue else "",
        "venue_address": venue.address if venue else "",
        "postcode": venue.postcode if venue else "",
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "is_free": activity.is_free,
        "price": str(activity.price) if activity.price is not None else None,
        "accessibility": sorted(activity.accessibility or []),
        "weekdays": schedule.weekday_list if schedule else [],
        "start_time": schedule.start_time.strftime("%H:%M") if schedule else "",
        "end_time": schedule.end_time.strftime("%H:%M") if schedule else "",
        "start_date": schedule.start_date.isoformat() if schedule else "",
        "end_date": schedule.end_date.isoformat()
        if schedule and schedule.end_date
        else "",
        "booking_email": activity.booking_email,
        "booking_phone": activity.booking_phone,
    }


def changes(
    before: dict[str, Any] | None, after: dict[str, Any]
) -> list[dict[str, Any]]:
    """Field by field: what the moderator is asked to approve."""
    before = before or {}
    return [
        {"field": label, "before": before.get(name), "after": after.get(name)}
        for name, label in FIELD_LABELS.items()
        if before.get(name) != after.get(name)
    ]


@transaction.atomic
def submit_listing(
    *,
    by: User,
    organisation: Organisation,
    data: dict[str, Any],
    activity: Activity | None = None,
) -> ListingDraft:
    """Send a new listing, or a change to `activity`, for review. A change that
    is already waiting is replaced by this one."""
    if organisation.verification in {Verification.SUSPENDED, Verification.REJECTED}:
        raise PortalError(
            "This organisation cannot submit listings while it is "
            f"{organisation.get_verification_display().lower()}."
        )
    if activity is not None and activity.organisation_id != organisation.pk:
        raise PortalError("That listing belongs to another organisation.")
    # Plain text whatever the form let through (editor and spreadsheet alike).
    data = {
        **data,
        **{k: plain_text(data[k]) for k in ("title", "description") if k in data},
    }
    draft = None
    if activity is not None:
        draft = ListingDraft.objects.filter(
            activity=activity, status=ListingDraft.Status.SUBMITTED
        ).first()
    before = (
        draft.data
        if draft is not None
        else listing_data(activity)
        if activity is not None
        else None
    )
    if draft is None:
        draft = ListingDraft(organisation=organisation, activity=activity)
    draft.data = data
    draft.created_by = by
    draft.save()
    record_event(
        Action.SUBMIT,
        actor=by,
        obj=activity if activity is not None else draft,
        before=before,
        after=data,
    )
    return draft


def _venue(organisation: Organisation, data: dict[str, Any]) -> Venue | None:
    if data["is_online"]:
        return None
    located = locate_venue(postcode=data["postcode"])
    venue = Venue.objects.filter(
        organisation=organisation,
        name=data["venue_name"],
        postcode=located.postcode,
    ).first()
    if venue is None:
        venue = Venue(organisation=organisation, name=data["venue_name"])
    venue.address = data["venue_address"]
    venue.postcode = located.postcode
    venue.lat, venue.lng = located.lat, located.lng
    venue.borough_id = located.borough_code
    venue.save()
    return venue


@transaction.atomic
def approve_listing(*, draft: ListingDraft, by: User) -> Activity:
    """Write the approved listing to the public catalogue and the search index."""
    if draft.status != ListingDraft.Status.SUBMITTED:
        raise PortalError("This listing has already been decided.")
    organisation = draft.organisation
    if organisation.verification != Verification.VERIFIED:
        raise PortalError(
            "Check the organisation first: listings are published only for a "
            "checked organisation."
        )
    data = draft.data
    activity = draft.activity or Activity(organisation=organisation)
    before = listing_data(activity) if activity.pk else None
    activity.title = data["title"]
    activity.description = data["description"]
    activity.is_online = data["is_online"]
    activity.venue = _venue(organisation, data)
    activity.age_min = data["age_min"]
    activity.age_max = data["age_max"]
    activity.is_free = data["is_free"]
    activity.price = Decimal(data["price"]) if data["price"] else None
    activity.accessibility = data["accessibility"]
    activity.booking_email = data["booking_email"]
    activity.booking_phone = data["booking_phone"]
    activity.status = Activity.Status.PUBLISHED
    activity.last_confirmed_at = timezone.now()
    activity.full_clean(exclude=["types"])
    activity.save()
    activity.types.set([ActivityType.objects.get(slug=data["activity_type"])])
    # The editor owns one weekly schedule; it replaces the manual ones.
    activity.schedules.filter(source_id="").delete()
    schedule = Schedule(
        activity=activity,
        kind=Schedule.Kind.WEEKLY,
        weekdays=",".join(data["weekdays"]),
        start_time=time.fromisoformat(data["start_time"]),
        end_time=time.fromisoformat(data["end_time"]),
        start_date=date.fromisoformat(data["start_date"]),
        end_date=date.fromisoformat(data["end_date"]) if data["end_date"] else None,
    )
    schedule.full_clean(exclude=["activity"])
    schedule.save()
    materialise_activity(activity.pk)
    draft.activity = activity
    draft.status = ListingDraft.Status.APPROVED
    draft.decided_by = by
    draft.decided_at = timezone.now()
    draft.save()
    record_event(
        Action.APPROVE,
        actor=by,
        obj=activity,
        before=before,
        after=listing_data(activity),
    )
    refresh_activities([activity.pk])
    _tell(draft, f'Your listing "{activity.title}" is live', "It is now on ourlondon.")
    return activity


@transaction.atomic
def reject_listing(*, draft: ListingDraft, by: User, reason: str) -> ListingDraft:
    if draft.status != ListingDraft.Status.SUBMITTED:
        raise PortalError("This listing has already been decided.")
    if not reason.strip():
        raise PortalError("Give the reason: it is sent to the provider.")
    draft.status = ListingDraft.Status.REJECTED
    draft.reason = reason
    draft.decided_by = by
    draft.decided_at = timezone.now()
    draft.save()
    record_event(
        Action.REJECT,
        actor=by,
        obj=draft.activity if draft.activity is not None else draft,
        after=draft.data,
        note=reason,
    )
    _tell(
        draft,
        f'Your listing "{draft}" needs changes',
        f"A moderator could not approve it, for this reason:\n\n{reason}\n\n"
        "Any live version stays as it was.",
    )
    return draft


def _tell(draft: ListingDraft, subject: str, body: str) -> None:
    if draft.created_by is not None and draft.created_by.email:
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[draft.created_by.email],
        )
