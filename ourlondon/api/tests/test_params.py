"""Parameters that need the database or several fields: boroughs, postcodes,
times, dates and the map box."""

from __future__ import annotations

from datetime import date, time

import pytest

from ourlondon.api.params import (
    SERVICE_AREA,
    ParameterError,
    build_query,
    parse_bbox,
    resolve_borough,
)
from ourlondon.api.schemas import ClusterParams, SearchParams

pytestmark = pytest.mark.django_db


def search_params(**values):
    """Parameters as ninja would pass them, validated from the query's values."""
    return SearchParams.model_validate(values)


@pytest.mark.parametrize(
    "text",
    ["E09000012", "e09000012", "Hackney", "HACKNEY", " hackney ", "hackney"],
)
def test_borough_by_code_name_or_slug(text):
    assert resolve_borough(text) == "E09000012"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("City of London", "E09000001"),
        ("city-of-london", "E09000001"),
        ("Kensington and Chelsea", "E09000020"),
        ("kensington-and-chelsea", "E09000020"),
    ],
)
def test_borough_names_with_spaces(text, code):
    assert resolve_borough(text) == code


@pytest.mark.parametrize("text", ["", "Atlantis", "E0900001", "hack\x00ney", "%"])
def test_unknown_borough_is_none_without_asking_the_database(text):
    assert resolve_borough(text) is None


def test_postcode_becomes_the_point(now):
    query = build_query(search_params(postcode="sw1a 2aa"), now=now)
    assert query.point is not None
    assert (round(query.point.lat, 3), round(query.point.lng, 3)) == (51.504, -0.128)
    assert query.radius_km == 3.0
    assert query.sort == "distance"


def test_engine_and_api_errors_are_reported_together():
    with pytest.raises(ParameterError) as info:
        build_query(
            search_params(
                borough="Atlantis",
                sort="distance",
                time_from="24:30",
                date_from="1999-12-31",
            )
        )
    assert info.value.status == 400
    assert set(info.value.errors) == {"borough", "sort", "time_from", "date_from"}
    assert info.value.errors["time_from"] == (
        "time_from must be a time from 00:00 to 23:59, like 18:30."
    )


def test_unknown_postcode_alone_is_404_but_with_other_errors_is_400():
    with pytest.raises(ParameterError) as alone:
        build_query(search_params(postcode="E8 9ZZ"))
    assert alone.value.status == 404
    assert alone.value.detail == alone.value.errors["postcode"]
    with pytest.raises(ParameterError) as mixed:
        build_query(search_params(postcode="E8 9ZZ", borough="Atlantis"))
    assert mixed.value.status == 400
    assert set(mixed.value.errors) == {"postcode", "borough"}


def test_times_and_dates_reach_the_query(now):
    query = build_query(
        search_params(
            time_from="09:30",
            time_to="18:00",
            date_from=date(2030, 1, 1),
            date_to=date(2030, 1, 31),
            day=["mon", "sun"],
        ),
        now=now,
    )
    assert (query.time_from, query.time_to) == (time(9, 30), time(18))
    assert (query.date_from, query.date_to) == (date(2030, 1, 1), date(2030, 1, 31))
    assert query.weekdays == frozenset({0, 6})
    assert query.not_before == now


def box(text):
    return parse_bbox(ClusterParams.model_validate({"bbox": text, "zoom": 10}))


def test_bbox_inside_london_is_kept():
    assert box("-0.2,51.45,0.0,51.6") == (-0.2, 51.45, 0.0, 51.6)


def test_bbox_is_clipped_to_the_service_area():
    assert box("-180,-90,180,90") == SERVICE_AREA
    assert box("-0.2,40,0.0,51.6") == (-0.2, SERVICE_AREA[1], 0.0, 51.6)


def test_bbox_outside_the_service_area_is_empty():
    assert box("2.2,48.8,2.4,48.9") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1,2,3",
        "1,2,3,4,5",
        "a,b,c,d",
        "0,51,inf,52",
        "nan,51,0,52",
        "0,51,0,52",  # no width
        "0.2,51,0.1,52",  # min above max
        "-181,51,0,52",
        "0,-91,1,52",
    ],
)
def test_bad_bbox(text):
    with pytest.raises(ParameterError) as info:
        box(text)
    assert set(info.value.errors) == {"bbox"}
