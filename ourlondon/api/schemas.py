"""The API's request parameters and response shapes.

These classes are the contract: django-ninja validates query strings against the
parameter classes and publishes every class here in `/api/v1/openapi.json`, and
the endpoints build their answers through the response classes, so what is sent
is what the schema says. Field descriptions end up in the docs page.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from ourlondon.catalogue.vocabulary import AccessibilityFeature, Category
from ourlondon.search.query import (
    DEFAULT_RADIUS_KM,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    Sort,
)

# Databases store ids as signed 64-bit integers; a bigger number in a path or query
# would overflow the driver (a 500) instead of simply matching nothing.
MAX_ID = 2**63 - 1
# Ten thousand pages of 100 is far beyond the catalogue; the cap keeps offsets sane.
MAX_PAGE = 10_000
MAX_ZOOM = 20
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class Weekday(enum.StrEnum):
    """Days as the API spells them; 0 = Monday in `SearchQuery.weekdays`."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


# Optional query parameters are absent, never null: SkipJsonSchema keeps `None` as
# the Python default without publishing a "null" type the query string cannot carry.
# Constraints go on the non-null type itself: on the union they would be lost from
# (or mangled in) the published schema.
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Age = Annotated[int, Field(ge=0, le=120)]
# The pattern is published but checked in `params.parse_time`, whose message is
# friendlier than pydantic's "String should match pattern".
ClockTime = Annotated[str, Field(json_schema_extra={"pattern": TIME_PATTERN})]
Postcode = Annotated[str, Field(max_length=16)]
BoroughName = Annotated[str, Field(max_length=64)]


class FilterParams(Schema):
    """Filters shared by `/activities`, `/activities.geojson` and `/clusters`."""

    q: str = Field(
        "",
        max_length=200,
        description="Words to look for in titles, descriptions and activity types. "
        "Typos are corrected when nothing matches (see `corrected_q`).",
    )
    category: list[Category] = Field(
        default_factory=list,
        description="Category; repeat for several (any of them matches).",
    )
    type: list[Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)]] = Field(
        default_factory=list,
        description="Activity type slug (e.g. `football`); repeat for several.",
    )
    lat: Latitude | SkipJsonSchema[None] = Field(None, description="WGS84 latitude.")
    lng: Longitude | SkipJsonSchema[None] = Field(None, description="WGS84 longitude.")
    postcode: Postcode | SkipJsonSchema[None] = Field(
        None,
        description="A London postcode to search around (instead of lat/lng).",
    )
    radius_km: float = Field(
        DEFAULT_RADIUS_KM,
        gt=0,
        le=MAX_RADIUS_KM,
        allow_inf_nan=False,
        description="Search radius around the place, in km (used with a place).",
    )
    borough: BoroughName | SkipJsonSchema[None] = Field(
        None,
        description="GSS code (E09000012), name (Hackney) or slug (hackney), "
        "any capitalisation.",
    )
    age: Age | SkipJsonSchema[None] = Field(
        None,
        description="Age of the young person. Activities whose age range is not "
        "stated match too, listed after those that state one.",
    )
    day: list[Weekday] = Field(
        default_factory=list,
        description="Day of the week of a session; repeat for several.",
    )
    time_from: ClockTime | SkipJsonSchema[None] = Field(
        None,
        description="Sessions starting at or after this London time (HH:MM).",
    )
    time_to: ClockTime | SkipJsonSchema[None] = Field(
        None,
        description="Sessions starting at or before this London time (HH:MM).",
    )
    date_from: date | SkipJsonSchema[None] = Field(
        None, description="First London date to search (default today)."
    )
    date_to: date | SkipJsonSchema[None] = Field(
        None,
        description="Last London date to search, inclusive (default date_from + 27 "
        "days; at most 366 days after date_from).",
    )
    free: bool = Field(False, description="Only free activities.")
    accessibility: list[AccessibilityFeature] = Field(
        default_factory=list,
        description="Accessibility feature; repeat for several (all must match).",
    )


class SearchParams(FilterParams):
    sort: Sort | SkipJsonSchema[None] = Field(
        None,
        description="`soonest` (default without a place), `distance` (default with "
        "a place) or `relevance`.",
    )
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        20, ge=1, le=MAX_PAGE_SIZE, description="Results per page (max 100)."
    )


class ClusterParams(FilterParams):
    bbox: str = Field(
        ...,
        max_length=200,
        description="The map view: `min_lng,min_lat,max_lng,max_lat` (WGS84). "
        "Clipped to Greater London plus one degree.",
        # `example`, not `examples`: ninja copies this onto the OpenAPI parameter,
        # where `examples` must be a map, not a list.
        json_schema_extra={"example": "-0.2,51.45,0.0,51.6"},
    )
    zoom: int = Field(
        ..., ge=0, le=MAX_ZOOM, description="Map zoom level (web-mercator), 0 to 20."
    )


# Responses ---------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in a sentence.")
    errors: dict[str, str] = Field(
        default_factory=dict,
        description="One message per parameter that was not accepted.",
    )


class BoroughRef(Schema):
    gss_code: str
    name: str


class OrganisationOut(Schema):
    id: int
    name: str


class VenueOut(Schema):
    id: int
    name: str
    address: str
    postcode: str
    borough: BoroughRef


class ActivityTypeOut(Schema):
    slug: str
    label: str
    uri: str


class OccurrenceOut(Schema):
    start: str = Field(
        json_schema_extra={"format": "date-time"},
        description="Start, ISO 8601 in London local time with its UTC offset.",
    )
    end: str | None = Field(
        None,
        json_schema_extra={"format": "date-time"},
        description="End, as `start`; null if not known.",
    )


class ActivityProperties(Schema):
    """An activity in a list; also the `properties` of a GeoJSON feature."""

    id: int
    title: str
    organisation: OrganisationOut
    organisation_checked_on: str | None = Field(
        None,
        json_schema_extra={"format": "date"},
        description="The date (London) our moderators checked the organisation's "
        "safeguarding; null if it has not been checked.",
    )
    venue: VenueOut | None = Field(description="Null for online-only activities.")
    is_online: bool
    distance_km: float | None = Field(
        description="From the place searched around; null without a place."
    )
    age_min: int | None = Field(description="Null when not stated.")
    age_max: int | None = Field(description="Null when not stated.")
    age_stated: bool = Field(description="False when neither age is stated.")
    categories: list[str]
    activity_types: list[ActivityTypeOut]
    free: bool
    next_occurrences: list[OccurrenceOut] = Field(
        description="Up to three next matching sessions (not already started)."
    )
    url: str = Field(description="The activity's page on this site.")


class ActivityOut(ActivityProperties):
    lat: float | None = Field(description="Venue latitude; null when online.")
    lng: float | None = Field(description="Venue longitude; null when online.")


class ActivityDetailOut(ActivityOut):
    description: str
    price: str | None = Field(
        description='Per session in pounds, e.g. "3.50"; null when free or varies.'
    )
    cost_label: str
    concessions: str
    gender: str
    accessibility: list[str]
    booking_url: str
    booking_phone: str
    booking_email: str
    booking_notes: str
    what_to_bring: str
    updated_at: str = Field(json_schema_extra={"format": "date-time"})


class FacetsOut(Schema):
    category: dict[str, int] = Field(description="Matches per category.")
    borough: dict[str, int] = Field(description="Matches per borough GSS code.")
    day: dict[str, int] = Field(description="Matches with a session on each day.")
    free: dict[str, int] = Field(description="Matches that are free or paid.")


class SearchOut(Schema):
    total: int = Field(description="All matching activities, over every page.")
    page: int
    page_size: int
    corrected_q: str | None = Field(
        description="The corrected words searched for when `q` found nothing."
    )
    results: list[ActivityOut]
    facets: FacetsOut = Field(description="Counts over all matches, not one page.")


class PointGeometry(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(
        min_length=2, max_length=2, description="[longitude, latitude] (RFC 7946)."
    )


class FeatureOut(Schema):
    type: Literal["Feature"]
    id: int
    geometry: PointGeometry
    properties: ActivityProperties


class FeatureCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[FeatureOut]
    total: int = Field(description="All matches, including online-only ones.")
    page: int
    page_size: int


class CellOut(Schema):
    lat: float
    lng: float
    count: int = Field(description="Matching activities in the cell.")
    activity_id: int | None = Field(description="The activity, when count is 1.")


class ClustersOut(Schema):
    zoom: int
    total: int = Field(description="Matching activities in the box.")
    cells: list[CellOut]


class PostcodeOut(Schema):
    postcode: str
    lat: float
    lng: float
    borough: BoroughRef


class BoroughOut(Schema):
    gss_code: str
    name: str
    slug: str
    inner_london: bool
    sub_region: str
    label_lat: float
    label_lng: float
