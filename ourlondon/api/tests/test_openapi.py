"""The OpenAPI document is accurate: schemathesis fuzzes every GET operation
in-process (WSGI) and finds no server error and no response that breaks the
schema, for valid and for invalid input."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from ourlondon.api.api import api

pytestmark = pytest.mark.django_db

OPERATIONS = [
    "/api/v1/activities",
    "/api/v1/activities.geojson",
    "/api/v1/activities/{id}",
    "/api/v1/clusters",
    "/api/v1/postcodes/{postcode}",
    "/api/v1/boroughs",
]
EXAMPLES = 30


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus the per-request connection cleanup.

    Django closes "old" connections at the start and end of each request; inside
    a test's transaction that would close the test's own connection. The test
    client disconnects these handlers the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)


def test_every_get_operation_is_covered(schema):
    assert sorted(schema.raw_schema["paths"]) == sorted(OPERATIONS)
    for item in schema.raw_schema["paths"].values():
        assert set(item) == {"get"}


def test_every_operation_documents_its_errors():
    document = api.get_openapi_schema()
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        if path != "/api/v1/boroughs":
            assert {200, 400, 404} <= set(responses), path
    geojson = document["paths"]["/api/v1/activities.geojson"]["get"]
    assert list(geojson["responses"][200]["content"]) == ["application/geo+json"]
    json.dumps(document)  # serialisable as served


@pytest.mark.parametrize(
    ("path", "mode"),
    [(path, "positive") for path in OPERATIONS]
    # /boroughs takes no parameters, so there is no invalid request to make.
    + [(path, "negative") for path in OPERATIONS if path != "/api/v1/boroughs"],
)
def test_schemathesis_finds_no_500_and_no_schema_violation(
    catalogue, schema, path, mode
):
    operation = schema[path]["GET"]
    strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        response = case.call()
        case.validate_response(
            response, checks=[not_a_server_error, response_schema_conformance]
        )

    check()
