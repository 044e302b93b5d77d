"""Staff pages refuse a session that has not completed two-factor."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ourlondon.accounts.security import has_totp, mfa_completed, needs_mfa

# Everything a staff member can change is under these paths.
MFA_REQUIRED_PREFIXES = ("/staff/", "/moderation/")


class StaffMFAMiddleware:
    """Only looks at the session on staff paths, so public pages stay
    cookie-free and cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(MFA_REQUIRED_PREFIXES) and not _allowed(request):
            response = TemplateResponse(
                request,
                "accounts/mfa_required.html",
                {"has_totp": has_totp(request.user)},
                status=403,
            )
            response.render()
            return response
        return self.get_response(request)


def _allowed(request: HttpRequest) -> bool:
    user = request.user
    if not needs_mfa(user):
        # Anonymous visitors and non-staff: the pages themselves refuse them.
        return True
    return mfa_completed(request)
