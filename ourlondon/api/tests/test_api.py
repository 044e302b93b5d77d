"""Each endpoint's happy path with exact values, and every kind of bad input."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from ourlondon.search.query import LONDON, WEEKDAYS

pytestmark = pytest.mark.django_db

FOOTBALL_URI = (
    "https://openactive.io/activity-list#0a5f732d-e806-4e51-ad40-0a7de0239c8c"
)
E8_3AA = {"lat": 51.54333, "lng": -0.066532}
HACKNEY = {"gss_code": "E09000012", "name": "Hackney"}
LAMBETH = {"gss_code": "E09000022", "name": "Lambeth"}


def get(client, url, **params):
    response = client.get(url, params)
    return response, response.json()


def ids(body):
    return [r["id"] for r in body["results"]]


def iso(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=LONDON).isoformat()


def test_search_lists_public_activities_soonest_first(client, listings):
    response, body = get(client, "/api/v1/activities")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert body["total"] == 3
    assert (body["page"], body["page_size"]) == (1, 20)
    assert body["corrected_q"] is None
    assert ids(body) == [listings.dance.pk, listings.coding.pk, listings.football.pk]
    today = listings.today
    days = {WEEKDAYS[(today + timedelta(days=n)).weekday()]: 0 for n in (3, 5, 7, 10)}
    for n in (3, 5, 7):  # the dance's second session falls on a day it already has
        days[WEEKDAYS[(today + timedelta(days=n)).weekday()]] += 1
    if (
        WEEKDAYS[(today + timedelta(days=10)).weekday()]
        != WEEKDAYS[(today + timedelta(days=3)).weekday()]
    ):
        days[WEEKDAYS[(today + timedelta(days=10)).weekday()]] += 1
    assert body["facets"] == {
        "category": {"sport": 1, "dance": 1, "tech-coding": 1},
        "borough": {"E09000012": 1, "E09000022": 1},
        "day": {d: n for d in WEEKDAYS if (n := days.get(d, 0))},
        "free": {"free": 2, "paid": 1},
    }


def test_a_result_has_every_field_with_exact_values(client, listings):
    _, body = get(client, "/api/v1/activities", q="football")
    assert body["total"] == 1
    football = listings.football
    day = listings.today + timedelta(days=7)
    assert body["results"][0] == {
        "id": football.pk,
        "title": "Saturday football",
        "organisation": {"id": football.organisation_id, "name": "Hackney Youth Trust"},
        "organisation_checked_on": timezone.localdate(
            football.organisation.verified_at
        ).isoformat(),
        "venue": {
            "id": football.venue_id,
            "name": "Marsh Hall",
            "address": "1 Marsh Lane",
            "postcode": "E8 3AA",
            "borough": HACKNEY,
        },
        "is_online": False,
        "lat": E8_3AA["lat"],
        "lng": E8_3AA["lng"],
        "distance_km": None,
        "age_min": 11,
        "age_max": 16,
        "age_stated": True,
        "categories": ["sport"],
        "activity_types": [
            {"slug": "football", "label": "Football", "uri": FOOTBALL_URI}
        ],
        "free": True,
        "next_occurrences": [{"start": iso(day, time(10)), "end": iso(day, time(12))}],
        "url": f"http://testserver/activities/{football.pk}/",
    }


def test_times_are_london_local_with_offset(client, listings):
    _, body = get(client, "/api/v1/activities", q="dance")
    start = body["results"][0]["next_occurrences"][0]["start"]
    assert start.startswith(
        (listings.today + timedelta(days=3)).isoformat() + "T18:00:00+0"
    )
    assert start.endswith(("+00:00", "+01:00"))


def test_unstated_ages_are_null_and_flagged(client, listings):
    _, body = get(client, "/api/v1/activities", q="dance")
    result = body["results"][0]
    assert (result["age_min"], result["age_max"], result["age_stated"]) == (
        None,
        None,
        False,
    )
    assert [o["start"][11:16] for o in result["next_occurrences"]] == [
        "18:00",
        "18:00",
    ]


def test_search_around_a_postcode_sorts_by_distance(client, listings):
    _, body = get(client, "/api/v1/activities", postcode="e83aa")
    assert ids(body) == [listings.football.pk]
    assert body["results"][0]["distance_km"] == 0.0
    _, wide = get(client, "/api/v1/activities", postcode="E8 3AA", radius_km=50)
    assert ids(wide) == [listings.football.pk, listings.dance.pk]
    assert 0 < wide["results"][1]["distance_km"] < 50


def test_search_around_a_point(client, listings):
    _, body = get(client, "/api/v1/activities", radius_km=1, **E8_3AA)
    assert ids(body) == [listings.football.pk]


@pytest.mark.parametrize("borough", ["E09000022", "Lambeth", "lambeth", "LAMBETH"])
def test_borough_by_code_name_or_slug(client, listings, borough):
    _, body = get(client, "/api/v1/activities", borough=borough)
    assert ids(body) == [listings.dance.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "sport"}, ["football"]),
        ({"category": ["sport", "dance"]}, ["dance", "football"]),
        ({"type": "coding"}, ["coding"]),
        ({"age": 12}, ["football", "dance"]),  # stated ranges first
        ({"free": "true"}, ["coding", "football"]),
        ({"accessibility": "step-free"}, ["football"]),
        ({"time_from": "17:30"}, ["dance"]),
        ({"time_from": "09:00", "time_to": "17:00"}, ["coding", "football"]),
        ({"q": "fotball"}, ["football"]),  # typo corrected
        ({"sort": "relevance", "q": "club"}, ["coding"]),
    ],
)
def test_filters(client, listings, params, expected):
    _, body = get(client, "/api/v1/activities", **params)
    assert ids(body) == [getattr(listings, name).pk for name in expected]


def test_day_filter(client, listings):
    day = WEEKDAYS[(listings.today + timedelta(days=5)).weekday()]
    _, body = get(client, "/api/v1/activities", day=day)
    assert listings.coding.pk in ids(body)
    assert listings.football.pk not in ids(body)


def test_date_range(client, listings):
    today = listings.today
    _, body = get(
        client,
        "/api/v1/activities",
        date_from=(today + timedelta(days=6)).isoformat(),
        date_to=(today + timedelta(days=8)).isoformat(),
    )
    assert ids(body) == [listings.football.pk]


def test_corrected_q_is_reported(client, listings):
    _, body = get(client, "/api/v1/activities", q="fotball")
    assert body["corrected_q"] == "footbal"  # the indexed stem of "football"
    assert ids(body) == [listings.football.pk]


def test_paging(client, listings):
    _, first = get(client, "/api/v1/activities", page_size=2)
    _, second = get(client, "/api/v1/activities", page_size=2, page=2)
    assert first["total"] == second["total"] == 3
    assert ids(first) == [listings.dance.pk, listings.coding.pk]
    assert ids(second) == [listings.football.pk]
    _, beyond = get(client, "/api/v1/activities", page=9)
    assert (beyond["total"], beyond["results"]) == (3, [])


def test_activity_detail(client, listings):
    dance = listings.dance
    response, body = get(client, f"/api/v1/activities/{dance.pk}")
    assert response.status_code == 200
    today = listings.today
    assert body["next_occurrences"] == [
        {
            "start": iso(today + timedelta(days=n), time(18)),
            "end": iso(today + timedelta(days=n), time(19, 30)),
        }
        for n in (3, 10)
    ]
    assert body["venue"]["borough"] == LAMBETH
    assert body["distance_km"] is None
    assert (body["price"], body["cost_label"], body["free"]) == ("3.50", "£3.50", False)
    assert body["description"] == "Street dance crew. All welcome."
    assert body["gender"] == "any"
    assert body["accessibility"] == []
    assert body["url"] == f"http://testserver/activities/{dance.pk}/"


def test_draft_and_missing_activities_are_404(client, listings):
    for pk in (listings.draft.pk, 10**12):
        response, body = get(client, f"/api/v1/activities/{pk}")
        assert response.status_code == 404
        assert body == {"detail": "Not found.", "errors": {}}


def test_geojson(client, listings):
    response = client.get("/api/v1/activities.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert (body["total"], body["page"], body["page_size"]) == (3, 1, 20)
    # The online activity has no point, so it is left out.
    assert [f["id"] for f in body["features"]] == [
        listings.dance.pk,
        listings.football.pk,
    ]
    football = body["features"][1]
    assert football["type"] == "Feature"
    assert football["geometry"] == {
        "type": "Point",
        "coordinates": [E8_3AA["lng"], E8_3AA["lat"]],  # longitude first
    }
    assert "lat" not in football["properties"]
    assert football["properties"]["title"] == "Saturday football"
    assert football["properties"]["venue"]["postcode"] == "E8 3AA"


def test_geojson_takes_the_same_filters(client, listings):
    _, body = get(client, "/api/v1/activities.geojson", borough="hackney")
    assert [f["id"] for f in body["features"]] == [listings.football.pk]


LONDON_BOX = "-0.6,51.2,0.4,51.8"


def test_clusters_zoomed_in_are_single_activities(client, listings):
    _, body = get(client, "/api/v1/clusters", bbox=LONDON_BOX, zoom=12)
    assert body["zoom"] == 12
    assert body["total"] == 2
    assert sorted(c["activity_id"] for c in body["cells"]) == sorted(
        [listings.football.pk, listings.dance.pk]
    )
    assert {c["count"] for c in body["cells"]} == {1}
    football = next(
        c for c in body["cells"] if c["activity_id"] == listings.football.pk
    )
    assert football["lat"] == pytest.approx(E8_3AA["lat"], abs=0.001)
    assert football["lng"] == pytest.approx(E8_3AA["lng"], abs=0.001)


def test_clusters_zoomed_out_group_activities(client, listings):
    _, body = get(client, "/api/v1/clusters", bbox=LONDON_BOX, zoom=0)
    assert body["total"] == 2
    assert [(c["count"], c["activity_id"]) for c in body["cells"]] == [(2, None)]


def test_clusters_take_the_filters_and_clip_to_london(client, listings):
    _, body = get(client, "/api/v1/clusters", bbox=LONDON_BOX, zoom=5, free="true")
    assert [c["activity_id"] for c in body["cells"]] == [listings.football.pk]
    _, world = get(client, "/api/v1/clusters", bbox="-180,-90,180,90", zoom=0)
    assert world["total"] == 2
    _, paris = get(client, "/api/v1/clusters", bbox="2.2,48.8,2.4,48.9", zoom=10)
    assert paris == {"zoom": 10, "total": 0, "cells": []}


def test_postcode(client, listings):
    response, body = get(client, "/api/v1/postcodes/e83aa")
    assert response.status_code == 200
    assert body == {"postcode": "E8 3AA", **E8_3AA, "borough": HACKNEY}


def test_boroughs(client):
    response, body = get(client, "/api/v1/boroughs")
    assert response.status_code == 200
    assert len(body) == 33
    assert body[0] == {
        "gss_code": "E09000002",
        "name": "Barking and Dagenham",
        "slug": "barking-and-dagenham",
        "inner_london": False,
        "sub_region": "East",
        "label_lat": 51.554117,
        "label_lng": 0.150504,
    }
    assert [b["name"] for b in body] == sorted(b["name"] for b in body)


# Errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/activities", {"page": "abc"}, "page"),
        ("/api/v1/activities", {"page": "0"}, "page"),
        ("/api/v1/activities", {"page": "9" * 40}, "page"),
        ("/api/v1/activities", {"page_size": "101"}, "page_size"),
        ("/api/v1/activities", {"lat": "nan", "lng": "0"}, "lat"),
        ("/api/v1/activities", {"lat": "51.5", "lng": "inf"}, "lng"),
        ("/api/v1/activities", {"lat": "91", "lng": "0"}, "lat"),
        ("/api/v1/activities", {"lat": "51.5"}, "lat"),
        ("/api/v1/activities", {"radius_km": "-1"}, "radius_km"),
        ("/api/v1/activities", {"radius_km": "51"}, "radius_km"),
        ("/api/v1/activities", {"age": "121"}, "age"),
        ("/api/v1/activities", {"age": "9" * 30}, "age"),
        ("/api/v1/activities", {"day": "funday"}, "day"),
        ("/api/v1/activities", {"category": "knitting"}, "category"),
        ("/api/v1/activities", {"type": "quidditch"}, "type"),
        ("/api/v1/activities", {"type": "Not A Slug"}, "type"),
        ("/api/v1/activities", {"accessibility": "wings"}, "accessibility"),
        ("/api/v1/activities", {"sort": "random"}, "sort"),
        ("/api/v1/activities", {"sort": "distance"}, "sort"),
        ("/api/v1/activities", {"time_from": "25:00"}, "time_from"),
        ("/api/v1/activities", {"time_to": "6pm"}, "time_to"),
        ("/api/v1/activities", {"time_to": "18"}, "time_to"),
        ("/api/v1/activities", {"time_to": "18:30:00"}, "time_to"),
        ("/api/v1/activities", {"time_from": "18:00", "time_to": "09:00"}, "time_to"),
        ("/api/v1/activities", {"date_from": "2026-02-30"}, "date_from"),
        ("/api/v1/activities", {"date_from": "0001-01-01"}, "date_from"),
        ("/api/v1/activities", {"date_to": "9999-12-31"}, "date_to"),
        (
            "/api/v1/activities",
            {"date_from": "2030-01-02", "date_to": "2030-01-01"},
            "date_to",
        ),
        ("/api/v1/activities", {"free": "maybe"}, "free"),
        ("/api/v1/activities", {"q": "x" * 201}, "q"),
        ("/api/v1/activities", {"borough": "Atlantis"}, "borough"),
        ("/api/v1/activities", {"postcode": "not a postcode"}, "postcode"),
        ("/api/v1/activities", {"postcode": "E8 3AA", "lat": "51.5"}, "postcode"),
        ("/api/v1/activities.geojson", {"page_size": "500"}, "page_size"),
        ("/api/v1/clusters", {"zoom": "3"}, "bbox"),
        ("/api/v1/clusters", {"bbox": LONDON_BOX}, "zoom"),
        ("/api/v1/clusters", {"bbox": LONDON_BOX, "zoom": "21"}, "zoom"),
        ("/api/v1/clusters", {"bbox": "1,2,3", "zoom": "3"}, "bbox"),
        ("/api/v1/clusters", {"bbox": "a,b,c,d", "zoom": "3"}, "bbox"),
        ("/api/v1/clusters", {"bbox": "0,51,nan,52", "zoom": "3"}, "bbox"),
        ("/api/v1/clusters", {"bbox": "0.1,51,0,52", "zoom": "3"}, "bbox"),
        ("/api/v1/clusters", {"bbox": "0,51,1,95", "zoom": "3"}, "bbox"),
        ("/api/v1/activities/abc", {}, "id"),
        ("/api/v1/activities/0", {}, "id"),
        ("/api/v1/activities/" + "9" * 30, {}, "id"),
        ("/api/v1/postcodes/zz", {}, "postcode"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(client, url, params, field):
    response = client.get(url, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert field in body["errors"]
    assert body["errors"][field]


def test_several_bad_parameters_are_all_named(client):
    response = client.get(
        "/api/v1/activities", {"page": "x", "age": "-3", "day": "mon", "lat": "1e999"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"page", "age", "lat"}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/postcodes/E8 9ZZ", {}),  # a London district, no such postcode
        ("/api/v1/postcodes/M1 1AE", {}),  # Manchester
        ("/api/v1/activities", {"postcode": "M1 1AE"}),
        ("/api/v1/activities.geojson", {"postcode": "E8 9ZZ"}),
        ("/api/v1/clusters", {"postcode": "M1 1AE", "bbox": LONDON_BOX, "zoom": 3}),
    ],
)
def test_unknown_postcode_is_404_with_a_message(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 404
    body = response.json()
    assert "postcode" in body["detail"].lower()
    assert body["errors"]["postcode"] == body["detail"]


def test_non_london_postcode_says_so(client):
    body = client.get("/api/v1/postcodes/M11AE").json()
    assert body["detail"].startswith("M1 1AE is not a London postcode.")


def test_unknown_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "openapi.json" in response.json()["detail"]


def test_other_methods_are_not_allowed(client):
    response = client.post("/api/v1/activities")
    assert response.status_code == 405


def test_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/api/v1/openapi.json" in html
    assert '"validatorUrl": null' in html
    assert "https://" not in html and "http://" not in html


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "ourlondon API"


def test_results_still_shown_when_the_index_predates_cards(client, listings):
    from ourlondon.search.models import SearchCard

    _, expected = get(client, "/api/v1/activities")
    SearchCard.objects.all().delete()
    # A different URL, so the server cache cannot answer.
    _, body = get(client, "/api/v1/activities", page=1)
    assert body["results"]
    assert body["results"] == expected["results"]
