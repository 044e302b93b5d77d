"""An activity's card: the fields every list of results shows, as plain data.

Built when an activity is indexed and stored on its `SearchDocument`, so a page
of results is one read of 20 small JSON documents rather than an ORM join over
activities, organisations, venues, boroughs and types. The API's detail view
builds the same card from the live rows, so list and detail always agree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from ourlondon.catalogue.models import Activity, ActivityType, Organisation


def checked_on(organisation: Organisation) -> str | None:
    """The London date a moderator checked the organisation (ISO), or None."""
    if (
        organisation.verification != Organisation.Verification.VERIFIED
        or organisation.verified_at is None
    ):
        return None
    return timezone.localdate(organisation.verified_at).isoformat()


def build_card(
    activity: Activity, types: Sequence[ActivityType] | None = None
) -> dict[str, Any]:
    """The card of an activity loaded with organisation, venue, borough, types
    (`types`: its types, if the caller has them already)."""
    venue = activity.venue
    types = sorted(
        activity.types.all() if types is None else types,
        key=lambda t: (t.label, t.slug),
    )
    return {
        "id": activity.pk,
        "title": activity.title,
        "organisation": {
            "id": activity.organisation.pk,
            "name": activity.organisation.name,
        },
        "organisation_checked_on": checked_on(activity.organisation),
        "venue": None
        if venue is None
        else {
            "id": venue.pk,
            "name": venue.name,
            "address": venue.address,
            "postcode": venue.postcode,
            "borough": {"gss_code": venue.borough.gss_code, "name": venue.borough.name},
        },
        "is_online": activity.is_online,
        "lat": venue.lat if venue is not None else None,
        "lng": venue.lng if venue is not None else None,
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "age_stated": activity.age_stated,
        "categories": sorted({t.category for t in types}),
        "activity_types": [
            {"slug": t.slug, "label": t.label, "uri": t.uri} for t in types
        ],
        "free": activity.is_free,
    }


def public_cards(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The cards of those of `ids` that are public now, from the search index.

    One query for the cards and one for which are still public: an activity
    unpublished since the index was built is left out rather than shown. An
    index built before cards existed has none until its next rebuild, so those
    are built from the catalogue rather than fail.
    """
    from ourlondon.search.models import SearchCard

    cards = {
        activity_id: json.loads(card)
        for activity_id, card in SearchCard.objects.filter(
            activity_id__in=ids
        ).values_list("activity_id", "card")
    }
    public = set(Activity.public.filter(pk__in=ids).values_list("pk", flat=True))
    stale = [i for i in ids if i in public and not cards.get(i)]
    for activity in Activity.public.for_display().filter(pk__in=stale):
        cards[activity.pk] = build_card(activity)
    return {i: cards[i] for i in ids if i in public and i in cards}
