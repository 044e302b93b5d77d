"""HTTP caching, ETags, CORS and cookies: the rules `api/caching.py` adds to every
view."""

from __future__ import annotations

import runpy
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.test import RequestFactory

from ourlondon.api import caching
from ourlondon.catalogue.models import Activity
from ourlondon.search.indexing import rebuild_index

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/activities",
    "/api/v1/activities.geojson",
    "/api/v1/clusters?bbox=-0.6,51.2,0.4,51.8&zoom=10",
    "/api/v1/postcodes/E8%203AA",
    "/api/v1/boroughs",
    "/api/v1/openapi.json",
    "/api/v1/docs",
]


@pytest.mark.parametrize("url", URLS)
def test_get_is_public_cacheable_with_etag_cors_and_no_cookie(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize("url", URLS)
def test_matching_if_none_match_is_304(client, url):
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=60"
    assert again["Access-Control-Allow-Origin"] == "*"
    stale = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_etag_is_a_hash_of_the_body(client, listings):
    one = client.get("/api/v1/activities")
    two = client.get("/api/v1/activities", {"q": "dance"})
    assert one["ETag"] != two["ETag"]
    cache.clear()
    assert client.get("/api/v1/activities")["ETag"] == one["ETag"]


def test_errors_carry_cors_but_are_not_cached(client):
    response = client.get("/api/v1/activities", {"page": "x"})
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "no-cache"
    assert "ETag" not in response
    assert not response.cookies


def test_preflight_for_get(client):
    response = client.options(
        "/api/v1/activities",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


def test_head_is_answered_like_get_without_a_body(client):
    get = client.get("/api/v1/boroughs")
    head = client.head("/api/v1/boroughs")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content))


def test_the_session_is_never_touched(client):
    client.cookies["sessionid"] = "whatever"
    response = client.get("/api/v1/boroughs")
    assert "sessionid" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_responses_are_served_from_the_cache(client, listings):
    first = client.get("/api/v1/activities")
    Activity.all_objects.filter(pk=listings.dance.pk).update(status="withdrawn")
    rebuild_index()
    # Within API_CACHE_SECONDS the cached answer stands...
    assert client.get("/api/v1/activities").content == first.content
    cache.clear()
    # ...and once it expires the change shows.
    assert client.get("/api/v1/activities").json()["total"] == 2


def test_parameter_order_does_not_split_the_cache():
    factory = RequestFactory()
    key = caching.cache_key
    assert key(factory.get("/api/v1/activities?q=a&page=2")) == key(
        factory.get("/api/v1/activities?page=2&q=a")
    )
    assert key(factory.get("/api/v1/activities?q=a")) != key(
        factory.get("/api/v1/activities?q=b")
    )
    assert key(factory.get("/api/v1/activities?q=a")) != key(
        factory.get("/api/v1/activities.geojson?q=a")
    )
    # An empty value is not the same question as no value.
    assert key(factory.get("/api/v1/activities?lat=")) != key(
        factory.get("/api/v1/activities")
    )
    assert key(factory.get("/api/v1/activities", HTTP_HOST="localhost")) != key(
        factory.get("/api/v1/activities")
    )


class BrokenCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("redis is down")

    set = get


def test_a_cache_outage_is_not_an_error(client, monkeypatch):
    monkeypatch.setattr(caching, "cache", BrokenCache())
    response = client.get("/api/v1/boroughs")
    assert response.status_code == 200
    assert len(response.json()) == 33


SETTINGS = Path(__file__).resolve().parents[2] / "settings" / "__init__.py"


def test_redis_url_selects_the_redis_cache(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")
    cache_settings = runpy.run_path(str(SETTINGS))["CACHES"]["default"]
    assert cache_settings["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache_settings["LOCATION"] == "redis://127.0.0.1:6379/1"
    monkeypatch.setenv("REDIS_URL", "")
    cache_settings = runpy.run_path(str(SETTINGS))["CACHES"]["default"]
    assert cache_settings["BACKEND"].endswith("LocMemCache")


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free local port, when one is installed."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_responses_are_cached_in_redis(client, redis_url, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "ourlondon",
        }
    }
    first = client.get("/api/v1/boroughs")
    keys = redis.Redis.from_url(redis_url).keys("ourlondon:*")
    assert len(keys) == 1
    again = client.get("/api/v1/boroughs")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
