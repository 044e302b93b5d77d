"""Writes for safe havens: a public application, and the moderator's decision.

An application is stored as a `SafeHaven` in `pending` state: nothing about it is
public until a moderator approves it in the admin (`approve_havens`). Its place
on the map is its postcode's point (applicants are not asked to drop a pin).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Any

from django.db import transaction

from ourlondon.core import clock
from ourlondon.core.postcodes import lookup_postcode
from ourlondon.support.models import OpeningHours, SafeHaven


@transaction.atomic
def apply_for_haven(*, data: dict[str, Any]) -> SafeHaven:
    """Store a validated application (`HavenApplicationForm.cleaned_data`)."""
    place = lookup_postcode(data["postcode"])
    haven = SafeHaven.all_objects.create(
        name=data["name"],
        kind=data["kind"],
        address=data["address"],
        postcode=place.postcode,
        lat=place.lat,
        lng=place.lng,
        borough_id=place.borough_code,
        description=data.get("description", ""),
        phone=data.get("phone", ""),
        open_24_hours=bool(data.get("open_24_hours")),
        contact_name=data["contact_name"],
        contact_email=data["contact_email"],
        status=SafeHaven.Status.PENDING,
    )
    openings: Iterable[tuple[int, time, time]] = data.get("openings", [])
    OpeningHours.objects.bulk_create(
        OpeningHours(haven=haven, weekday=day, opens=opens, closes=closes)
        for day, opens, closes in openings
    )
    return haven


def decide_havens(havens: Iterable[SafeHaven], *, status: str, note: str = "") -> int:
    """Approve or reject applications; returns how many changed."""
    changed = 0
    with transaction.atomic():
        for haven in havens:
            haven.status = status
            haven.reviewed_at = clock.now()
            if note:
                haven.moderator_note = note
            haven.save(update_fields=["status", "reviewed_at", "moderator_note"])
            changed += 1
    return changed
