"""Activities as the API shows them.

The engine returns ids in order, with each hit's next sessions; a page of results
is their cards from the search index (one query) plus what depends on the
request, shaped as `schemas.ActivityOut`. The detail view builds the same card
from the live catalogue rows (`search/cards.py`), so the two always agree.

Datetimes are sent as ISO 8601 in Europe/London local time with the UTC offset
(`2026-07-04T18:00:00+01:00`): the same instant as UTC, but the wall-clock time a
reader expects, unambiguous across the clock changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from ourlondon.catalogue.models import Activity
from ourlondon.catalogue.queries import ActivityQuerySet
from ourlondon.search.cards import build_card, public_cards
from ourlondon.search.query import LONDON, Hit


def london_iso(moment: datetime) -> str:
    return moment.astimezone(LONDON).isoformat()


def activity_queryset() -> ActivityQuerySet:
    """Public activities with everything a representation reads, joined."""
    return Activity.public.for_display()


def represent(
    card: dict[str, Any],
    *,
    request: HttpRequest,
    distance_km: float | None = None,
    occurrences: Sequence[tuple[datetime, datetime | None]] = (),
) -> dict[str, Any]:
    """An activity's card (search/cards.py) with what depends on the request."""
    return {
        **card,
        "distance_km": distance_km,
        "next_occurrences": [
            {
                "start": london_iso(start),
                "end": london_iso(end) if end is not None else None,
            }
            for start, end in occurrences
        ],
        "url": request.build_absolute_uri(
            reverse("web:activity-detail", args=[card["id"]])
        ),
    }


def represent_hits(
    hits: Sequence[Hit], *, request: HttpRequest
) -> list[dict[str, Any]]:
    """The page of results, in the engine's order, from the cards stored in the
    search index (one query).

    An activity unpublished since the index was built is left out rather than
    shown: the page is then one shorter until the index catches up.
    """
    cards = public_cards([hit.activity_id for hit in hits])
    return [
        represent(
            cards[hit.activity_id],
            request=request,
            distance_km=hit.distance_km,
            occurrences=list(zip(hit.next_starts, hit.next_ends, strict=True)),
        )
        for hit in hits
        if hit.activity_id in cards
    ]


def represent_detail(
    activity: Activity,
    *,
    request: HttpRequest,
    occurrences: Sequence[tuple[datetime, datetime | None]],
) -> dict[str, Any]:
    """One activity with everything its public page shows."""
    data = represent(build_card(activity), request=request, occurrences=occurrences)
    data.update(
        {
            "description": activity.description,
            "price": None if activity.price is None else f"{activity.price:.2f}",
            "cost_label": activity.cost_label,
            "concessions": activity.concessions,
            "gender": activity.gender,
            # What search filters on: the activity's own features and its venue's.
            "accessibility": sorted(
                set(activity.accessibility or [])
                | set(activity.venue.accessibility or [] if activity.venue else [])
            ),
            "booking_url": activity.booking_url,
            "booking_phone": activity.booking_phone,
            "booking_email": activity.booking_email,
            "booking_notes": activity.booking_notes,
            "what_to_bring": activity.what_to_bring,
            "updated_at": london_iso(activity.updated_at),
        }
    )
    return data


def feature(properties: dict[str, Any]) -> dict[str, Any] | None:
    """An activity as a GeoJSON Point feature (RFC 7946), or None when it has no
    point (online-only): GeoJSON has no way to place it."""
    lat, lng = properties.pop("lat"), properties.pop("lng")
    if lat is None or lng is None:
        return None
    return {
        "type": "Feature",
        "id": properties["id"],
        # RFC 7946 section 3.1.1: longitude first.
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
        "properties": properties,
    }
