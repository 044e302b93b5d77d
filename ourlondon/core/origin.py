"""Was a form posted from our own page?"""

from __future__ import annotations

from django.http import HttpRequest


def same_origin(request: HttpRequest) -> bool:
    """The form was posted from our own page (browsers send Origin on POST).

    This stands in for a CSRF token, which would need a cookie, on the public
    forms a young person may use (report a problem, apply to be a safe haven):
    they are anonymous and change nothing anyone owns, so a cross-site post
    could only file a report or an application for moderation, and their rate
    limits cap that as they cap any other.
    """
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return request.headers.get("Sec-Fetch-Site") in (None, "same-origin")
    return origin == f"{request.scheme}://{request.get_host()}"
