"""URLs of `/api/v1/`: ninja's views wrapped with the API's HTTP rules."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, re_path

from ourlondon.api.api import api, api_not_found
from ourlondon.api.caching import api_view

_patterns, _app_name, _namespace = api.urls
app_name = "api"


def _wrapped(
    patterns: list[URLPattern | URLResolver],
) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = api_view(pattern.callback)
    return patterns


urlpatterns = [
    *_wrapped(list(_patterns)),
    # Last: anything else under /api/v1/ is a JSON 404, not the site's HTML one.
    re_path(r"^(?P<path>.*)$", api_not_found),
]
