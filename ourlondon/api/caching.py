"""HTTP behaviour shared by every API view: caching, ETags, CORS, HEAD, OPTIONS.

`api_view` wraps each view django-ninja generates (see `api/urls.py`), so the rules
hold for every endpoint, the OpenAPI document and the docs page alike:

- A successful GET is answered from Django's cache when it can be (Redis when
  `REDIS_URL` is set, local memory otherwise). The key is the host, path and the
  query string with its parameters in a canonical order, plus today's London date
  (defaults such as `date_from` depend on it). Entries live `API_CACHE_SECONDS`.
- Every 200 carries a strong `ETag` (a hash of the body) and
  `Cache-Control: public, max-age=API_CACHE_SECONDS`; a matching
  `If-None-Match` gets 304. Errors are `no-cache`.
- CORS is open for reading: `Access-Control-Allow-Origin: *` on every response,
  and an `OPTIONS` preflight is answered for GET. No credentials: the API never
  reads the session or sets a cookie.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control

from ourlondon.core import clock

logger = logging.getLogger(__name__)

# Bump when a response's shape changes, so no cache serves the old one.
CACHE_VERSION = 2
# Bodies larger than this are not worth a cache round trip (or Redis memory).
MAX_CACHED_BYTES = 2_000_000
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    # ETag is not a CORS-safelisted response header; scripts need it for 304s.
    "Access-Control-Expose-Headers": "ETag",
}

View = Callable[..., HttpResponseBase]


def cache_seconds() -> int:
    return int(getattr(settings, "API_CACHE_SECONDS", 60))


def cache_key(request: HttpRequest) -> str:
    """One key per distinct question.

    Parameters are put in order by name; the order of repeated values is kept
    (a stable sort), so only requests that certainly mean the same share a key.
    """
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    query = urlencode(sorted(pairs, key=lambda pair: pair[0]))
    raw = "\n".join(
        [
            request.scheme or "",
            request.get_host(),
            request.path,
            query,
            clock.today().isoformat(),
        ]
    )
    return "api:" + hashlib.sha256(raw.encode()).hexdigest()


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key, version=CACHE_VERSION)
    except Exception:  # a cache outage must not become a 500
        logger.warning("API cache read failed", exc_info=True)
        return None


def _cache_set(key: str, value: Any) -> None:
    try:
        cache.set(key, value, timeout=cache_seconds(), version=CACHE_VERSION)
    except Exception:  # as above: serve uncached instead
        logger.warning("API cache write failed", exc_info=True)


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = ALLOWED_METHODS
    response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response["Access-Control-Allow-Headers"] = "Accept, If-None-Match"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _cached_or_computed(
    view: View, request: HttpRequest, args: Any, kwargs: Any
) -> HttpResponseBase:
    key = cache_key(request)
    hit = _cache_get(key)
    if hit is not None:
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)
    response = view(request, *args, **kwargs)
    if (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and len(response.content) <= MAX_CACHED_BYTES
    ):
        _cache_set(key, (response.content, response["Content-Type"]))
    return response


def api_view(view: View) -> View:
    """Wrap a view with the API's HTTP rules (see the module docstring)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "OPTIONS":
            response: HttpResponseBase = _preflight()
        else:
            head = request.method == "HEAD"
            if head:
                # Answer HEAD exactly as GET, then drop the body (RFC 9110 9.3.2).
                request.method = "GET"
            if request.method == "GET":
                response = _cached_or_computed(view, request, args, kwargs)
            else:
                response = view(request, *args, **kwargs)
            if response.status_code == 200 and isinstance(response, HttpResponse):
                response["ETag"] = _etag(response.content)
                patch_cache_control(response, public=True, max_age=cache_seconds())
                conditional = get_conditional_response(
                    request, etag=response["ETag"], response=response
                )
                response = conditional or response
            elif not response.has_header("Cache-Control"):
                patch_cache_control(response, no_cache=True)
            if head and isinstance(response, HttpResponse):
                response["Content-Length"] = str(len(response.content))
                response.content = b""
        for name, value in CORS_HEADERS.items():
            response[name] = value
        return response

    return wrapped
