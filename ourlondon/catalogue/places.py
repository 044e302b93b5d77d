"""Placing venues: every venue is at a known point inside one of London's 33 areas."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ourlondon.core.geography import borough_code_at, haversine_km
from ourlondon.core.postcodes import PostcodeError, lookup_postcode

# A pin more than this far from its postcode's point is almost certainly a mistake
# (swapped lat/lng, wrong postcode); London postcodes cover a few hundred metres.
MAX_PIN_DISTANCE_KM = 2.0


@dataclass(frozen=True)
class VenueLocation:
    postcode: str
    lat: float
    lng: float
    borough_code: str


def locate_venue(
    *, postcode: str, lat: float | None = None, lng: float | None = None
) -> VenueLocation:
    """Check a venue's postcode (and pin, if given) and return where it is.

    Raises `ValidationError` keyed by field, with a message saying what is wrong:
    an invalid, unknown or non-London postcode, or a pin outside London or far from
    the postcode.
    """
    try:
        found = lookup_postcode(postcode)
    except PostcodeError as exc:
        raise ValidationError({"postcode": str(exc)}, code=exc.code) from exc
    if (lat is None) != (lng is None):
        raise ValidationError({"lat": "Give both latitude and longitude, or neither."})
    if lat is None or lng is None:
        return VenueLocation(found.postcode, found.lat, found.lng, found.borough_code)
    borough = borough_code_at(lat, lng)
    if borough is None:
        raise ValidationError(
            {
                "lat": f"The pin ({lat:.5f}, {lng:.5f}) is outside London. ourlondon "
                "lists venues in the 32 London boroughs and the City of London."
            },
            code="outside_london",
        )
    distance = haversine_km(lat, lng, found.lat, found.lng)
    if distance > MAX_PIN_DISTANCE_KM:
        raise ValidationError(
            {
                "lat": f"The pin is {distance:.1f} km from {found.postcode}. Check the "
                "postcode, or move the pin to the venue."
            },
            code="pin_far_from_postcode",
        )
    return VenueLocation(found.postcode, lat, lng, borough)
