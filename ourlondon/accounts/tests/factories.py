"""Users with a verified address, moderators, and TOTP devices."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.auth.models import Group, User

from ourlondon.accounts.security import MODERATORS_GROUP
from ourlondon.core import clock

PASSWORD = "correct horse battery staple 42"


def make_user(email: str = "sam@club.example", *, verified: bool = True) -> User:
    user = User.objects.create_user(
        username=email.split("@")[0] + str(User.objects.count()),
        email=email,
        password=PASSWORD,
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_moderator(email: str = "mod@ourlondon.example") -> User:
    user = make_user(email)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def add_totp(user: User) -> str:
    """Give `user` an authenticator app; returns its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(clock.timestamp()) // 30))
