"""The listing editor's writes: a provider submits a listing (new, or a change to
a live one) for review; a moderator approves it, which writes the public
`Activity`, or rejects it with a reason. Until then the public page keeps the
approved version. Each write is atomic and audited with before and after."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

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
from ourlondon.core import clock
from ourlondon.providers.models import ListingDraft
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.sanitise import plain_text
from ourlondon.providers.schedules import (
    FLAT_KEYS,
    build_schedule,
    describe,
    schedule_data,
    schedules_of,
)
from ourlondon.providers.solo import sole_trader_problems
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
    "pin": "Pin on the map",
    "age_min": "Youngest age",
    "age_max": "Oldest age",
    "is_free": "Free",
    "price": "Price (£)",
    "accessibility": "Accessibility",
    "schedules": "When",
    "booking_email": "Contact email",
    "booking_phone": "Contact phone",
}


def _manual_schedules(activity: Activity) -> list[Schedule]:
    """The schedules the editor owns: not those a feed wrote (they carry the
    feed item's id and are replaced by the next harvest)."""
    return list(activity.schedules.filter(source_id="").order_by("pk"))


def listing_data(activity: Activity) -> dict[str, Any]:
    """A live activity in the editor's shape (`ListingForm.listing`)."""
    venue = activity.venue
    first_type = activity.types.order_by("label").first() if activity.pk else None
    return {
        "title": activity.title,
        "description": activity.description,
        "activity_type": first_type.slug if first_type else "",
        "is_online": activity.is_online,
        "venue_name": venue.name if venue else "",
        "venue_address": venue.address if venue else "",
        "postcode": venue.postcode if venue else "",
        "venue_lat": _pin(venue)[0] if venue else None,
        "venue_lng": _pin(venue)[1] if venue else None,
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "is_free": activity.is_free,
        "price": str(activity.price) if activity.price is not None else None,
        "accessibility": sorted(activity.accessibility or []),
        "booking_email": activity.booking_email,
        "booking_phone": activity.booking_phone,
        "schedules": [schedule_data(s) for s in _manual_schedules(activity)]
        if activity.pk
        else [],
    }


def _pin(venue: Venue) -> tuple[float | None, float | None]:
    """The venue's pin, or (None, None) when it sits at its postcode's point (a
    venue placed by its postcode alone), as the editor writes it."""
    if venue.lat is None or venue.lng is None:
        return None, None
    pin = (round(venue.lat, 5), round(venue.lng, 5))
    try:
        at = locate_venue(postcode=venue.postcode)
    except ValidationError:
        return pin
    return (None, None) if pin == (round(at.lat, 5), round(at.lng, 5)) else pin


def normalised(data: dict[str, Any]) -> dict[str, Any]:
    """A draft in today's shape, whenever it was written: old drafts (and the
    spreadsheet upload) have one weekly schedule as flat keys and no pin."""
    out = {k: v for k, v in data.items() if k not in FLAT_KEYS}
    out["schedules"] = schedules_of(data)
    out.setdefault("venue_lat", None)
    out.setdefault("venue_lng", None)
    return out


def _shown(name: str, data: dict[str, Any]) -> Any:
    """A field's value as the moderator reads it."""
    if name == "schedules":
        return "\n".join(sorted(describe(s) for s in data["schedules"])) or None
    if name == "pin":
        if data.get("is_online"):
            return None
        if data["venue_lat"] is None:
            return "at the postcode"
        return f"{data['venue_lat']:.5f}, {data['venue_lng']:.5f}"
    return data.get(name)


def changes(
    before: dict[str, Any] | None, after: dict[str, Any]
) -> list[dict[str, Any]]:
    """Field by field: what the moderator is asked to approve."""
    old, new = normalised(before or {}), normalised(after)
    rows = []
    for name, label in FIELD_LABELS.items():
        was = _shown(name, old) if before is not None else None
        will = _shown(name, new)
        if was != will:
            rows.append({"field": label, "before": was, "after": will})
    return rows


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
    problems = sole_trader_problems(organisation, normalised(data))
    if problems:
        raise PortalError(" ".join(problems.values()))
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
    located = locate_venue(
        postcode=data["postcode"],
        lat=data.get("venue_lat"),
        lng=data.get("venue_lng"),
    )
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
    data = normalised(draft.data)
    activity = draft.activity or Activity(organisation=organisation)
    before = listing_data(activity) if activity.pk else None
    try:
        _write(activity, organisation, data)
    except ValidationError as error:
        # Drafts are checked by the editor's form; one that no longer passes
        # (a postcode retired since, an old draft) is refused, not half-written:
        # the exception rolls the transaction back.
        raise PortalError(
            "This listing cannot be published as it is: "
            + " ".join(error.messages)
            + " Reject it with that reason."
        ) from error
    materialise_activity(activity.pk)
    draft.activity = activity
    draft.status = ListingDraft.Status.APPROVED
    draft.decided_by = by
    draft.decided_at = clock.now()
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


def _write(
    activity: Activity, organisation: Organisation, data: dict[str, Any]
) -> None:
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
    activity.last_confirmed_at = clock.now()
    activity.full_clean(exclude=["types"])
    activity.save()
    activity.types.set([ActivityType.objects.get(slug=data["activity_type"])])
    # The editor owns the manual schedules: the approved set replaces them all.
    activity.schedules.filter(source_id="").delete()
    if not data["schedules"]:
        raise ValidationError("It has no schedule.")
    for item in data["schedules"]:
        schedule = build_schedule(item, activity=activity)
        schedule.full_clean(exclude=["activity"])
        schedule.save()


@transaction.atomic
def reject_listing(*, draft: ListingDraft, by: User, reason: str) -> ListingDraft:
    if draft.status != ListingDraft.Status.SUBMITTED:
        raise PortalError("This listing has already been decided.")
    if not reason.strip():
        raise PortalError("Give the reason: it is sent to the provider.")
    draft.status = ListingDraft.Status.REJECTED
    draft.reason = reason
    draft.decided_by = by
    draft.decided_at = clock.now()
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


@transaction.atomic
def withdraw_draft(*, draft: ListingDraft, by: User) -> ListingDraft:
    """The provider takes back a listing or change still waiting for review.
    A live version (if any) stays as it is."""
    if draft.status != ListingDraft.Status.SUBMITTED:
        raise PortalError("Only a listing waiting for review can be withdrawn.")
    draft.status = ListingDraft.Status.WITHDRAWN
    draft.decided_by = by
    draft.decided_at = clock.now()
    draft.save()
    record_event(
        Action.UPDATE,
        actor=by,
        obj=draft,
        before={"status": ListingDraft.Status.SUBMITTED.value},
        after={"status": draft.status},
        note="Withdrawn by the provider before review.",
    )
    return draft


@transaction.atomic
def withdraw_listing(*, activity: Activity, by: User, reason: str = "") -> Activity:
    """The provider takes a listing off the site at once (its page, search and
    the API). Any change waiting for it is withdrawn too; listing it again is a
    change like any other, reviewed before it is public."""
    if activity.status == Activity.Status.WITHDRAWN:
        raise PortalError("This listing is already withdrawn.")
    before = {"status": activity.status}
    activity.status = Activity.Status.WITHDRAWN
    activity.save(update_fields=["status", "updated_at"])
    ListingDraft.objects.filter(
        activity=activity, status=ListingDraft.Status.SUBMITTED
    ).update(
        status=ListingDraft.Status.WITHDRAWN, decided_by=by, decided_at=clock.now()
    )
    record_event(
        Action.UNPUBLISH,
        actor=by,
        obj=activity,
        before=before,
        after={"status": activity.status},
        note=reason or "Withdrawn by the provider.",
    )
    refresh_activities([activity.pk])
    return activity


def _tell(draft: ListingDraft, subject: str, body: str) -> None:
    if draft.created_by is not None and draft.created_by.email:
        send_mail(
            subject=subject,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[draft.created_by.email],
        )
