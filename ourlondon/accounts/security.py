"""Who is a moderator, and whether this session has passed two-factor.

A moderator is a superuser, or a staff member in the "Moderators" group. Every
staff member must complete TOTP in the current session before the staff admin or
a moderation page will answer (see `middleware.StaffMFAMiddleware`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

MODERATORS_GROUP = "Moderators"


def is_moderator(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not isinstance(user, User) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_staff and user.groups.filter(name=MODERATORS_GROUP).exists()


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view that requires login (typed for what follows)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def needs_mfa(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff (moderators included) may not act without two-factor."""
    return bool(
        user.is_authenticated
        and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    )


def mfa_completed(request: HttpRequest) -> bool:
    """Whether this session's login included a second factor (TOTP or a
    recovery code), as allauth records it."""
    user = request.user
    if not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    return any(r.get("method") == "mfa" for r in records)


def has_totp(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.TOTP
    ).exists()


def login_identifier(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The address a login attempt names, for axes' per-account counting.

    allauth authenticates with `email=`; the staff admin form (now a redirect) and
    Django's own forms with `username=`.
    """
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login", "")
    )
    return str(value or "").strip().lower()


def moderator_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Moderation views: sign-in, the Moderators group (or superuser) and a
    second factor in this session; anything less is refused."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_moderator(request.user) or not mfa_completed(request):
            raise PermissionDenied("Moderators only, after two-factor sign-in.")
        return view(request, *args, **kwargs)

    return wrapped
