"""Test helpers: a logged-in client whose session has passed two-factor."""

from __future__ import annotations

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.auth.models import User
from django.test import Client

from ourlondon.core import clock

# allauth's key for whose records they are (internal, so named here once).
_RECORDS_USER_KEY = "account_authentication_methods_user"


def login_with_mfa(client: Client, user: User) -> Client:
    """As if `user` had signed in with a password and a TOTP code."""
    client.force_login(
        user, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    session = client.session
    now = clock.timestamp()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now},
        {"method": "mfa", "type": "totp", "at": now},
    ]
    session[_RECORDS_USER_KEY] = str(user.pk)
    session.save()
    return client
