"""Where a feed's place is: by postcode, by pin, or refused with the reason."""

from __future__ import annotations

import pytest

from ourlondon.ingest.mapping import Rejected, place_location
from ourlondon.ingest.openactive import Place

pytestmark = pytest.mark.django_db

LONDON_FIELDS = (51.5423, -0.0559)  # Hackney


def place(postcode: str = "", pin: tuple[float, float] | None = None) -> Place:
    lat, lng = pin if pin else (None, None)
    return Place(name="Hall", address="", postcode=postcode, lat=lat, lng=lng)


def test_a_known_postcode_places_it_with_a_near_pin():
    found = place_location(place("E8 3AA", LONDON_FIELDS))
    assert (found.postcode, found.lat, found.lng) == ("E8 3AA", *LONDON_FIELDS)


def test_a_pin_alone_files_it_under_the_nearest_postcode():
    found = place_location(place(pin=LONDON_FIELDS))
    assert (found.lat, found.lng, found.borough_code) == (
        *LONDON_FIELDS,
        "E09000012",
    )
    assert found.postcode.startswith("E8 ")


def test_an_unknown_postcode_with_a_pin_is_placed_by_the_pin():
    found = place_location(place("E8 9ZZ", LONDON_FIELDS))
    assert found.postcode.startswith("E8 ") and found.postcode != "E8 9ZZ"


def test_an_unknown_postcode_without_a_pin_is_refused_saying_why():
    with pytest.raises(Rejected, match="could not find the postcode E8 9ZZ"):
        place_location(place("E8 9ZZ"))


def test_a_pin_outside_london_is_counted_as_outside_london():
    with pytest.raises(Rejected) as refused:
        place_location(place(pin=(52.0406224, -0.7594171)))  # Milton Keynes
    assert refused.value.outside_london
    assert refused.value.reason == "The location (52.04062, -0.75942) is not in London."


def test_a_place_with_neither_postcode_nor_pin_is_refused():
    with pytest.raises(Rejected, match="^The location has no postcode and no pin.$"):
        place_location(place())


def test_a_london_pin_far_from_any_postcode_is_refused(monkeypatch):
    # Nowhere in London is a kilometre from a postcode; Bushy Park's middle
    # is 0.47 km from the nearest, so the test asks for 100 m.
    from ourlondon.core import postcodes
    from ourlondon.ingest import mapping

    monkeypatch.setattr(postcodes, "NEAREST_WITHIN_KM", 0.1)
    monkeypatch.setattr(mapping, "NEAREST_WITHIN_KM", 0.1)
    with pytest.raises(Rejected, match="no London postcode is within 0.1 km"):
        place_location(place(pin=(51.4135, -0.3370)))
