"""UK postcode validation, normalisation and offline lookup.

Normalisation is pure (no database): it accepts any capitalisation and spacing and
returns the "OUTCODE INCODE" form Royal Mail uses, or raises `InvalidPostcode`.
`lookup_postcode` then places a postcode using the local table loaded by
`manage.py load_geography`, and says precisely why when it cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # at run time models load lazily: this module is pure
    from ourlondon.core.models import Postcode

# The shapes Royal Mail allocates: A9, A99, AA9, AA99, A9A, AA9A outcodes, then a
# digit and two letters. The incode letters never include C, I, K, M, O or V. GIR 0AA
# (Girobank) is the one historic exception still live.
_OUTCODE = r"(?:[A-Z]{1,2}[0-9][0-9A-Z]?)"
_INCODE = r"(?:[0-9][ABD-HJLNP-UW-Z]{2})"
_POSTCODE_RE = re.compile(rf"^(?P<out>{_OUTCODE})(?P<in>{_INCODE})$")
_OUTCODE_RE = re.compile(rf"^{_OUTCODE}$")
_SPACES_RE = re.compile(r"\s+")


class PostcodeError(ValueError):
    """A postcode that cannot be used; `str()` is a message fit to show a user."""

    code = "postcode"


class InvalidPostcode(PostcodeError):
    code = "invalid"


class UnknownPostcode(PostcodeError):
    code = "unknown"


class PostcodeOutsideLondon(PostcodeError):
    code = "outside_london"


def _compact(text: str) -> str:
    return _SPACES_RE.sub("", str(text)).upper()


def normalise_postcode(text: str) -> str:
    """Return `text` as a postcode in "OUTCODE INCODE" form ("e83aa" -> "E8 3AA")."""
    compact = _compact(text)
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE_RE.match(compact)
    if not match:
        shown = str(text).strip()[:20] or "(empty)"
        raise InvalidPostcode(
            f"“{shown}” is not a valid UK postcode. A postcode looks like E8 3AA "
            "or SW1A 2AA."
        )
    return f"{match['out']} {match['in']}"


def is_outcode(text: str) -> bool:
    """True when `text` is a postcode district on its own, such as "SE15"."""
    return bool(_OUTCODE_RE.match(_compact(text)))


@dataclass(frozen=True)
class PostcodeLocation:
    postcode: str
    lat: float
    lng: float
    borough_code: str
    borough_name: str


def lookup_postcode(text: str) -> PostcodeLocation:
    """Place a London postcode, or raise the `PostcodeError` that says why not."""
    from ourlondon.core.models import Postcode, PostcodeDistrict

    postcode = normalise_postcode(text)
    row = (
        Postcode.objects.select_related("borough")
        .filter(postcode=postcode)
        .only("postcode", "lat", "lng", "borough__gss_code", "borough__name")
        .first()
    )
    if row is not None:
        return _location(row)
    outcode = postcode.split(" ")[0]
    if not PostcodeDistrict.objects.filter(outcode=outcode).exists():
        raise PostcodeOutsideLondon(
            f"{postcode} is not a London postcode. ourlondon lists activities in "
            "the 32 London boroughs and the City of London."
        )
    raise UnknownPostcode(
        f"We could not find the postcode {postcode}. Check it, or try a postcode "
        "nearby; new postcodes can take a few months to reach our list."
    )


# About 1 km either way: a pin that far from every postcode is not at an
# address (a park's middle, the river).
_NEAR_DEGREES_LAT = 0.009
_NEAR_DEGREES_LNG = 0.015
NEAREST_WITHIN_KM = 1.0


def nearest_postcode(lat: float, lng: float) -> PostcodeLocation | None:
    """The London postcode nearest a point, within `NEAREST_WITHIN_KM`, or
    None. For venues that open-data feeds give by pin alone."""
    from ourlondon.core.geography import haversine_km
    from ourlondon.core.models import Postcode

    rows = (
        Postcode.objects.filter(
            lat__range=(lat - _NEAR_DEGREES_LAT, lat + _NEAR_DEGREES_LAT),
            lng__range=(lng - _NEAR_DEGREES_LNG, lng + _NEAR_DEGREES_LNG),
        )
        .select_related("borough")
        .only("postcode", "lat", "lng", "borough__gss_code", "borough__name")
    )
    best = min(
        ((haversine_km(lat, lng, row.lat, row.lng), row) for row in rows),
        key=lambda pair: (pair[0], pair[1].postcode),
        default=None,
    )
    if best is None or best[0] > NEAREST_WITHIN_KM:
        return None
    return _location(best[1])


def _location(row: Postcode) -> PostcodeLocation:
    return PostcodeLocation(
        postcode=row.postcode,
        lat=row.lat,
        lng=row.lng,
        borough_code=row.borough.gss_code,
        borough_name=row.borough.name,
    )
