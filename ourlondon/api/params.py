"""Turning validated query parameters into a `SearchQuery`, a box and a zoom.

django-ninja has already checked types and ranges against `schemas`; this module
does what needs the database or several fields at once (a postcode, a borough, a
time range) and collects every problem into one `ParameterError`, which the API
answers as 400 (or 404 for a postcode that is well formed but not known), with one
message per field.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

from ourlondon.api.schemas import (
    TIME_PATTERN,
    ClusterParams,
    FilterParams,
    SearchParams,
    Weekday,
)
from ourlondon.catalogue.models import ActivityType
from ourlondon.core import clock
from ourlondon.core.models import Borough
from ourlondon.core.postcodes import (
    InvalidPostcode,
    PostcodeError,
    PostcodeLocation,
    lookup_postcode,
)
from ourlondon.search.query import QueryError, SearchQuery

# Dates outside this range cannot mean anything for a listing site, and the far
# ends (year 1, year 9999) overflow datetime arithmetic in the engine.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
WEEKDAY_NUMBER = {day: index for index, day in enumerate(Weekday)}
# Greater London's extent (about -0.51..0.34 E, 51.29..51.69 N) plus a degree each
# way: map boxes are clipped to it, so a zoomed-out map cannot ask for the world.
SERVICE_AREA = (-1.52, 50.28, 1.34, 52.70)  # min_lng, min_lat, max_lng, max_lat


class ParameterError(Exception):
    """Parameters the API cannot answer; `errors` maps each field to a message."""

    def __init__(
        self, errors: dict[str, str], *, status: int = 400, detail: str = ""
    ) -> None:
        self.errors = errors
        self.status = status
        self.detail = detail or "Some parameters were not accepted; see errors."
        super().__init__(self.detail)


def current_time() -> datetime:
    """Now, to the minute: a session that has started is no longer "next".

    Rounded so that repeated requests within a minute give identical bodies (and
    so identical ETags) even when several workers compute them.
    """
    return clock.now().replace(second=0, microsecond=0)


def parse_time(value: str | None, field: str, errors: dict[str, str]) -> time | None:
    if value is None:
        return None
    if re.fullmatch(TIME_PATTERN, value):
        return time.fromisoformat(value)
    errors[field] = f"{field} must be a time from 00:00 to 23:59, like 18:30."
    return None


def check_date(value: date | None, field: str, errors: dict[str, str]) -> date | None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        errors[field] = (
            f"{field} must be between {EARLIEST_DATE.isoformat()} and "
            f"{LATEST_DATE.isoformat()}."
        )
        return None
    return value


def resolve_borough(value: str) -> str | None:
    """The GSS code for a borough's code, name or slug, in any capitalisation.

    Matched in Python over the 33 rows rather than in SQL, so odd input (a NUL
    character, say) can never reach the database driver.
    """
    wanted = value.strip().casefold()
    for code, name, slug in Borough.objects.values_list("gss_code", "name", "slug"):
        if wanted in {code.casefold(), name.casefold(), slug.casefold()}:
            return code
    return None


def locate(postcode: str) -> PostcodeLocation:
    """`lookup_postcode`, with its failures as `ParameterError`s for `postcode`."""
    try:
        return lookup_postcode(postcode)
    except InvalidPostcode as exc:
        raise ParameterError({"postcode": str(exc)}) from exc
    except PostcodeError as exc:  # unknown, or not in London: well formed, not here
        raise ParameterError(
            {"postcode": str(exc)}, status=404, detail=str(exc)
        ) from exc


def build_query(params: FilterParams, *, now: datetime | None = None) -> SearchQuery:
    """The `SearchQuery` for these parameters, or `ParameterError`."""
    errors: dict[str, str] = {}
    postcode_not_found = False
    lat, lng = params.lat, params.lng
    if params.postcode is not None:
        if lat is not None or lng is not None:
            errors["postcode"] = "Give a postcode or lat and lng, not both."
        else:
            try:
                place = locate(params.postcode)
            except ParameterError as exc:
                errors.update(exc.errors)
                postcode_not_found = exc.status == 404
            else:
                lat, lng = place.lat, place.lng
    borough = None
    if params.borough is not None:
        borough = resolve_borough(params.borough)
        if borough is None:
            errors["borough"] = (
                "Unknown borough. Give a GSS code (E09000012), a name (Hackney) or "
                "a slug (hackney); /api/v1/boroughs lists them."
            )
    types = sorted(set(params.type))
    if types:
        known = set(
            ActivityType.objects.filter(slug__in=types).values_list("slug", flat=True)
        )
        unknown = [t for t in types if t not in known]
        if unknown:
            errors["type"] = f"Unknown activity type: {', '.join(unknown)}."
    time_from = parse_time(params.time_from, "time_from", errors)
    time_to = parse_time(params.time_to, "time_to", errors)
    date_from = check_date(params.date_from, "date_from", errors)
    date_to = check_date(params.date_to, "date_to", errors)
    paging = (
        params
        if isinstance(params, SearchParams)
        else SearchParams.model_validate({})  # the defaults: clusters do not page
    )
    try:
        query = SearchQuery.build(
            text=params.q,
            categories=[str(c) for c in params.category],
            activity_types=types,
            lat=lat,
            lng=lng,
            radius_km=params.radius_km,
            borough=borough,
            age=params.age,
            weekdays=[WEEKDAY_NUMBER[d] for d in params.day],
            time_from=time_from,
            time_to=time_to,
            date_from=date_from,
            date_to=date_to,
            not_before=now or current_time(),
            free=params.free,
            accessibility=[str(a) for a in params.accessibility],
            sort=str(paging.sort) if paging.sort else None,
            page=paging.page,
            page_size=paging.page_size,
        )
    except QueryError as exc:
        # Our own messages win where both name a field: they say more.
        errors = {**exc.errors, **errors}
    if errors:
        if postcode_not_found and list(errors) == ["postcode"]:
            message = errors["postcode"]
            raise ParameterError(errors, status=404, detail=message)
        raise ParameterError(errors)
    return query


def parse_bbox(params: ClusterParams) -> tuple[float, float, float, float] | None:
    """The map box clipped to the service area, or None when it lies outside."""
    message = (
        "bbox must be four numbers min_lng,min_lat,max_lng,max_lat with longitudes "
        "-180 to 180, latitudes -90 to 90, and each minimum below its maximum."
    )
    parts = params.bbox.split(",")
    if len(parts) != 4:
        raise ParameterError({"bbox": message})
    try:
        min_lng, min_lat, max_lng, max_lat = (float(p) for p in parts)
    except ValueError as exc:
        raise ParameterError({"bbox": message}) from exc
    values = (min_lng, min_lat, max_lng, max_lat)
    if (
        not all(math.isfinite(v) for v in values)
        or not (-180 <= min_lng < max_lng <= 180)
        or not (-90 <= min_lat < max_lat <= 90)
    ):
        raise ParameterError({"bbox": message})
    area_min_lng, area_min_lat, area_max_lng, area_max_lat = SERVICE_AREA
    clipped = (
        max(min_lng, area_min_lng),
        max(min_lat, area_min_lat),
        min(max_lng, area_max_lng),
        min(max_lat, area_max_lat),
    )
    if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
        return None
    return clipped
