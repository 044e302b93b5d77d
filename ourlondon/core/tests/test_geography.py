import csv
import gzip
import io
import random

import pytest

from ourlondon.core.geography import (
    POSTCODES_CSV,
    borough_code_at,
    haversine_km,
    load_boroughs,
)
from ourlondon.core.models import Borough, Postcode
from ourlondon.core.postcodes import lookup_postcode

pytestmark = pytest.mark.django_db


def test_all_33_london_areas_are_loaded_with_their_gss_codes():
    codes = sorted(Borough.objects.values_list("gss_code", flat=True))
    assert codes == [f"E090000{n:02d}" for n in range(1, 34)]
    assert Borough.objects.get(gss_code="E09000001").name == "City of London"


def test_loading_boroughs_again_changes_nothing():
    before = list(Borough.objects.values_list("gss_code", "name", "label_lat"))
    assert load_boroughs() == 33
    assert list(Borough.objects.values_list("gss_code", "name", "label_lat")) == before


@pytest.mark.parametrize(
    ("postcode", "gss_code", "name"),
    [
        ("E8 3AA", "E09000012", "Hackney"),
        ("SW2 1AA", "E09000022", "Lambeth"),
        ("SE15 5DQ", "E09000028", "Southwark"),
        ("SW1A 2AA", "E09000033", "Westminster"),
        ("RM1 3BB", "E09000016", "Havering"),
    ],
)
def test_known_postcodes_land_in_the_right_borough(postcode, gss_code, name):
    found = lookup_postcode(postcode)
    assert (found.borough_code, found.borough_name) == (gss_code, name)
    # The outline agrees with the postcode table.
    assert borough_code_at(found.lat, found.lng) == gss_code


def test_ec1a_postcodes_are_in_islington_or_the_city_as_the_data_says():
    boroughs = set(
        Postcode.objects.filter(postcode__startswith="EC1A ").values_list(
            "borough__name", flat=True
        )
    )
    assert boroughs <= {"Islington", "City of London"}
    assert lookup_postcode("EC1A 1BB").borough_name == "Islington"


def test_point_in_borough_agrees_with_the_postcode_table_on_a_sample():
    with gzip.open(POSTCODES_CSV, "rb") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    sample = random.Random(7).sample(rows, 500)
    misses = [
        r["postcode"]
        for r in sample
        if borough_code_at(float(r["lat"]), float(r["lng"])) != r["la_code"]
    ]
    assert misses == []


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(53.4808, -2.2426), (51.75, -1.25), (51.3, 0.5), (0.0, 0.0)],
)
def test_points_outside_london_have_no_borough(lat, lng):
    assert borough_code_at(lat, lng) is None


def test_haversine_distance_between_known_points():
    # Trafalgar Square to St Paul's Cathedral is about 2.0 km.
    assert haversine_km(51.5080, -0.1281, 51.5138, -0.0984) == pytest.approx(
        2.15, abs=0.1
    )
    assert haversine_km(51.5, -0.1, 51.5, -0.1) == 0
