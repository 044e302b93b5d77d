"""The endpoints of `/api/v1/`, built with django-ninja.

Each endpoint validates its parameters (`schemas`), builds one `SearchQuery`
(`params`), asks `ourlondon.search.engine`, and shapes the answer
(`representations`). HTTP caching, ETags and CORS are added around every view in
`api/urls.py`. Every bad parameter is a 400 with one message per field; a
postcode that is well formed but not a known London postcode is a 404.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Path, Query
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger

from ourlondon.api import params as api_params
from ourlondon.api.params import ParameterError, build_query, locate, parse_bbox
from ourlondon.api.representations import (
    activity_queryset,
    feature,
    represent_detail,
    represent_hits,
)
from ourlondon.api.schemas import (
    MAX_ID,
    ActivityDetailOut,
    BoroughOut,
    ClusterParams,
    ClustersOut,
    ErrorOut,
    FeatureCollectionOut,
    PostcodeOut,
    SearchOut,
    SearchParams,
)
from ourlondon.core.models import Borough
from ourlondon.search import engine

GEOJSON = "application/geo+json"
DETAIL_OCCURRENCES = 8
DESCRIPTION = """\
Read-only JSON API of ourlondon: activities for young Londoners, searchable by
words, category, place, age, day and time. No key needed; CORS is open for GET.

Responses carry an `ETag` and `Cache-Control: public`; send `If-None-Match` to get
304. Bad parameters get 400 with `errors` naming each field; an unknown or
non-London postcode gets 404. Times are ISO 8601 in Europe/London local time with
the UTC offset. See docs/api.md in the repository for examples.
"""


class OurLondonAPI(NinjaAPI):
    """NinjaAPI whose schema shows GeoJSON under its own media type."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for path, item in schema["paths"].items():
            if not path.endswith(".geojson"):
                continue
            for operation in item.values():
                content = operation["responses"][200]["content"]
                content[GEOJSON] = content.pop("application/json")
        return schema


api = OurLondonAPI(
    title="ourlondon API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI served from our own static files (ninja ships them), and its
    # validator badge off: the docs page loads nothing from third parties.
    docs=Swagger(settings={"validatorUrl": None}),
)

ERRORS = {400: ErrorOut, 404: ErrorOut}


def error_response(
    request: HttpRequest, status: int, detail: str, errors: dict[str, str]
) -> HttpResponse:
    return api.create_response(
        request, ErrorOut(detail=detail, errors=errors).model_dump(), status=status
    )


# Every parameter name the endpoints take, to find the field in a pydantic `loc`.
PARAMETER_NAMES = frozenset(
    [*SearchParams.model_fields, *ClusterParams.model_fields, "id", "postcode"]
)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """One message per parameter from ninja's list of pydantic errors.

    A `loc` is (source, [schema argument,] field, [union branch or list index]).
    An optional parameter is a union with None; the "should be None" branch says
    nothing useful, so it is dropped.
    """
    errors: dict[str, str] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())[1:]]
        if location and location[-1] == "none":
            continue
        field = next((p for p in location if p in PARAMETER_NAMES), None)
        field = field or (location[-1] if location else "request")
        message = str(error.get("msg", "Invalid value."))
        errors[field] = f"{errors[field]} {message}" if field in errors else message
    return errors


@api.exception_handler(ValidationError)
def validation_failed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """ninja's type and range errors, reshaped like ours: 400, one per field."""
    errors = field_errors(exc) or {"request": "Invalid request."}
    return error_response(request, 400, "Some parameters were not accepted.", errors)


@api.exception_handler(ParameterError)
def parameter_error(request: HttpRequest, exc: ParameterError) -> HttpResponse:
    return error_response(request, exc.status, exc.detail, exc.errors)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "Not found.", {})


@api.get(
    "/activities",
    operation_id="searchActivities",
    response={200: SearchOut, **ERRORS},
    summary="Search activities",
    tags=["activities"],
)
def search_activities(
    request: HttpRequest, params: Query[SearchParams]
) -> HttpResponse:
    """Activities matching the filters, a page at a time, with facet counts over
    all matches. Without `sort`, nearest first when a place is given, otherwise
    soonest first."""
    query = build_query(params)
    result = engine.search(query)
    # Serialised here rather than validated against SearchOut on every request
    # (a quarter of the request's time): the representation is built to that
    # schema, and the schemathesis test checks responses conform to it.
    payload = {
        "total": result.total,
        "page": query.page,
        "page_size": query.page_size,
        "corrected_q": result.corrected_text,
        "results": represent_hits(result.hits, request=request),
        "facets": {
            "category": result.facets.category,
            "borough": result.facets.borough,
            "day": result.facets.day,
            "free": result.facets.free,
        },
    }
    return HttpResponse(
        json.dumps(payload, separators=(",", ":")),
        content_type="application/json; charset=utf-8",
    )


@api.get(
    "/activities.geojson",
    operation_id="searchActivitiesGeojson",
    response={200: FeatureCollectionOut, **ERRORS},
    summary="Search activities as GeoJSON",
    tags=["activities"],
)
def search_activities_geojson(
    request: HttpRequest, params: Query[SearchParams]
) -> HttpResponse:
    """The same search and paging as `/activities`, as an RFC 7946
    FeatureCollection of points. Online-only activities have no point and are
    left out, so a page can hold fewer features than `page_size`; `total` counts
    every match."""
    query = build_query(params)
    result = engine.search(query)
    features = [
        f
        for f in (feature(p) for p in represent_hits(result.hits, request=request))
        if f is not None
    ]
    body = FeatureCollectionOut.model_validate(
        {
            "type": "FeatureCollection",
            "features": features,
            "total": result.total,
            "page": query.page,
            "page_size": query.page_size,
        }
    )
    return HttpResponse(body.model_dump_json(), content_type=GEOJSON)


@api.get(
    "/activities/{id}",
    operation_id="getActivity",
    response={200: ActivityDetailOut, **ERRORS},
    summary="One activity",
    tags=["activities"],
)
def activity_detail(
    request: HttpRequest,
    id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> dict[str, Any]:
    """A published activity with its next sessions (up to eight, from now)."""
    activity = get_object_or_404(activity_queryset(), pk=id)
    sessions = activity.occurrences.upcoming(after=api_params.current_time()).order_by(
        "start", "pk"
    )[:DETAIL_OCCURRENCES]
    return represent_detail(
        activity,
        request=request,
        occurrences=[(s.start, s.end) for s in sessions],
    )


@api.get(
    "/clusters",
    operation_id="getClusters",
    response={200: ClustersOut, **ERRORS},
    summary="Map clusters",
    tags=["map"],
)
def clusters(request: HttpRequest, params: Query[ClusterParams]) -> dict[str, Any]:
    """Matching activities inside `bbox`, grouped into grid cells of about 64
    pixels at `zoom`. A cell holding one activity gives its `activity_id`, so
    zoomed in the cells are the activities themselves."""
    query = build_query(params)
    bbox = parse_bbox(params)
    cells = [] if bbox is None else engine.clusters(query, bbox=bbox, zoom=params.zoom)
    return {
        "zoom": params.zoom,
        "total": sum(cell.count for cell in cells),
        "cells": [
            {
                "lat": cell.lat,
                "lng": cell.lng,
                "count": cell.count,
                "activity_id": cell.activity_id,
            }
            for cell in cells
        ],
    }


@api.get(
    "/postcodes/{postcode}",
    operation_id="getPostcode",
    response={200: PostcodeOut, **ERRORS},
    summary="Place a London postcode",
    tags=["places"],
)
def postcode_detail(
    request: HttpRequest,
    postcode: Annotated[str, Path(max_length=16)],
) -> dict[str, Any]:
    """Where a postcode is and which borough it is in. Any spacing and
    capitalisation; 400 when it is not a postcode, 404 when it is not a known
    London postcode."""
    place = locate(postcode)
    return {
        "postcode": place.postcode,
        "lat": place.lat,
        "lng": place.lng,
        "borough": {"gss_code": place.borough_code, "name": place.borough_name},
    }


@api.get(
    "/boroughs",
    operation_id="listBoroughs",
    response={200: list[BoroughOut]},
    summary="London's 33 areas",
    tags=["places"],
)
def boroughs(request: HttpRequest) -> list[Borough]:
    """The 32 boroughs and the City of London, by name, with a label point."""
    # The outlines are large and not part of this answer.
    return list(Borough.objects.order_by("name").defer("outline"))


def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /api/v1/: a JSON 404 rather than the HTML page."""
    body = ErrorOut(detail="No such API endpoint; see /api/v1/openapi.json.")
    response = HttpResponse(
        json.dumps(body.model_dump()), status=404, content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
