"""What the public activity page shows, built from objects that may not be saved.

`web.views.activity_detail` renders a published activity with it; the provider
portal's preview renders a proposed listing with it (unsaved `Activity`, `Venue`,
`Schedule` and `Occurrence` instances, nothing written), so the preview is the
public page itself, not a look-alike. The template (`web/activity_detail.html`)
reads the types, schedules and sessions from this context, never through the
activity's related managers, which would query the live rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings

from ourlondon.catalogue.models import Activity, ActivityType, Occurrence, Schedule
from ourlondon.catalogue.recurrence import slots_from
from ourlondon.catalogue.vocabulary import AccessibilityFeature
from ourlondon.core import clock

ACCESSIBILITY_LABEL = dict(AccessibilityFeature.choices)
UPCOMING_SHOWN = 8


def activity_page(
    activity: Activity,
    *,
    types: Sequence[ActivityType],
    schedules: Sequence[Schedule],
    upcoming: Sequence[Occurrence],
) -> dict[str, Any]:
    """The template context of the public activity page (less the links that
    need a saved activity, which the public view adds)."""
    venue = activity.venue
    accessibility = sorted(
        set(activity.accessibility or [])
        | set(venue.accessibility or [] if venue else [])
    )
    return {
        "activity": activity,
        "types": list(types),
        "schedules": list(schedules),
        "upcoming": list(upcoming),
        "following": upcoming[0] if upcoming else None,
        "now": clock.now(),
        "accessibility": [ACCESSIBILITY_LABEL.get(a, a) for a in accessibility],
        "directions_url": (
            "https://www.openstreetmap.org/directions?to="
            f"{venue.lat:.5f}%2C{venue.lng:.5f}"
        )
        if venue is not None and venue.lat is not None and venue.lng is not None
        else None,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def planned_sessions(
    schedules: Sequence[Schedule],
    *,
    holidays: list[tuple[date, date]],
    today: date | None = None,
    limit: int = UPCOMING_SHOWN,
) -> list[Occurrence]:
    """The next sessions of unsaved schedules, as unsaved occurrences: what the
    page would list once the schedules are materialised."""
    slots = sorted(
        (
            slot
            for _, slot in slots_from(
                schedules, since=clock.now(), today=today, holidays=holidays
            )
        ),
        key=lambda slot: slot.start,
    )
    return [Occurrence(start=slot.start, end=slot.end) for slot in slots[:limit]]
