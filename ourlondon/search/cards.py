"""An activity's card: the fields every list of results shows, as plain data.

Built when an activity is indexed and stored on its `SearchDocument`, so a page
of results is one read of 20 small JSON documents rather than an ORM join over
activities, organisations, venues, boroughs and types. The API's detail view
builds the same card from the live rows, so list and detail always agree.
"""

from __future__ import annotations

from typing import Any

from ourlondon.catalogue.models import Activity


def build_card(activity: Activity) -> dict[str, Any]:
    """The card of an activity loaded with organisation, venue, borough, types."""
    venue = activity.venue
    types = sorted(activity.types.all(), key=lambda t: (t.label, t.slug))
    return {
        "id": activity.pk,
        "title": activity.title,
        "organisation": {
            "id": activity.organisation.pk,
            "name": activity.organisation.name,
        },
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
