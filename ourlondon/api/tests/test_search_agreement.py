"""The API answers exactly what `engine.search` answers for the same question."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ourlondon.api.representations import london_iso
from ourlondon.catalogue.vocabulary import AccessibilityFeature, Category
from ourlondon.core import clock
from ourlondon.core.postcodes import lookup_postcode
from ourlondon.search.engine import search
from ourlondon.search.query import WEEKDAYS, SearchQuery
from ourlondon.search.tests.catalogue import POSTCODES, TYPES

pytestmark = pytest.mark.django_db

BOROUGHS = {"E09000012": "hackney", "E09000022": "Lambeth", "E09000028": "E09000028"}

api_args = st.fixed_dictionaries(
    {},
    optional={
        "q": st.sampled_from(["football", "dance", "footy", "club", "zzz", "fotball"]),
        "category": st.lists(st.sampled_from(Category.values), max_size=2),
        "type": st.lists(st.sampled_from(TYPES), max_size=2),
        "postcode": st.sampled_from(POSTCODES),
        "radius_km": st.sampled_from([0.5, 3.0, 10.0, 50.0]),
        "borough": st.sampled_from(sorted(BOROUGHS)),
        "age": st.integers(5, 25),
        "day": st.lists(st.integers(0, 6), max_size=3),
        "time_from": st.sampled_from([time(9), time(15, 30)]),
        "time_to": st.sampled_from([time(19), time(23)]),
        "days": st.integers(0, 60),
        "free": st.booleans(),
        "accessibility": st.lists(
            st.sampled_from(AccessibilityFeature.values), max_size=1
        ),
        "sort": st.sampled_from(["soonest", "distance", "relevance"]),
        "page": st.integers(1, 3),
        "page_size": st.sampled_from([5, 20]),
    },
)


def both(args, today, now):
    """The same question as API parameters and as a `SearchQuery`."""
    if "postcode" not in args:
        args.pop("radius_km", None)
        if args.get("sort") == "distance":
            args.pop("sort")
    if (
        args.get("time_to")
        and args.get("time_from")
        and args["time_to"] < args["time_from"]
    ):
        args.pop("time_to")
    params = {}
    kwargs = {"not_before": now, "date_from": today}
    for name, value in args.items():
        if name == "q":
            params["q"] = kwargs["text"] = value
        elif name == "category":
            params["category"], kwargs["categories"] = value, value
        elif name == "type":
            params["type"], kwargs["activity_types"] = value, value
        elif name == "postcode":
            params["postcode"] = value
            place = lookup_postcode(value)
            kwargs["lat"], kwargs["lng"] = place.lat, place.lng
        elif name == "borough":
            params["borough"], kwargs["borough"] = BOROUGHS[value], value
        elif name == "day":
            params["day"] = [WEEKDAYS[d] for d in value]
            kwargs["weekdays"] = value
        elif name in ("time_from", "time_to"):
            params[name], kwargs[name] = value.strftime("%H:%M"), value
        elif name == "days":
            params["date_to"] = (today + timedelta(days=value)).isoformat()
            kwargs["date_to"] = today + timedelta(days=value)
        elif name == "free":
            params["free"], kwargs["free"] = str(value).lower(), value
        else:
            params[name], kwargs[name] = value, value
    return params, SearchQuery.build(**kwargs)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(args=api_args)
def test_api_results_are_the_engines(client, catalogue, now, args):
    cache.clear()
    today = clock.today()
    params, query = both(dict(args), today, now)
    response = client.get("/api/v1/activities", params)
    assert response.status_code == 200, response.content
    body = response.json()
    expected = search(query)
    assert body["total"] == expected.total
    assert [r["id"] for r in body["results"]] == [h.activity_id for h in expected.hits]
    assert [r["distance_km"] for r in body["results"]] == [
        h.distance_km for h in expected.hits
    ]
    assert [[o["start"] for o in r["next_occurrences"]] for r in body["results"]] == [
        [london_iso(s) for s in h.next_starts] for h in expected.hits
    ]
    assert [r["age_stated"] for r in body["results"]] == [
        h.age_stated for h in expected.hits
    ]
    assert body["facets"] == {
        "category": expected.facets.category,
        "borough": expected.facets.borough,
        "day": expected.facets.day,
        "free": expected.facets.free,
    }
    assert body["corrected_q"] == expected.corrected_text
    geojson = client.get("/api/v1/activities.geojson", params).json()
    assert geojson["total"] == expected.total
    assert [f["id"] for f in geojson["features"]] == [
        r["id"] for r in body["results"] if r["lat"] is not None
    ]


def test_the_catalogue_gives_the_comparison_something_to_find(client, catalogue):
    body = client.get("/api/v1/activities", {"page_size": 100}).json()
    assert body["total"] > 20
    assert any(r["venue"] is None for r in body["results"])
    assert any(not r["age_stated"] for r in body["results"])
