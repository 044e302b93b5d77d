"""allauth's hooks: moderators' sessions end when the browser closes."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from ourlondon.accounts.security import needs_mfa


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        if needs_mfa(user):
            # Never "remember me" for staff: a shared or lost laptop must not keep
            # moderator access. The session still expires after
            # SESSION_COOKIE_AGE on the server.
            request.session.set_expiry(0)
