"""The account factories make what they say."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from ourlondon.accounts.security import has_totp, is_moderator
from ourlondon.accounts.tests.factories import (
    add_totp,
    make_moderator,
    make_user,
    totp_code,
)

pytestmark = pytest.mark.django_db


def test_make_user_has_a_verified_address_and_is_no_moderator():
    user = make_user("sam@club.example")
    assert EmailAddress.objects.get(user=user).verified
    assert not is_moderator(user)


def test_make_moderator_is_staff_in_the_moderators_group():
    moderator = make_moderator()
    assert moderator.is_staff
    assert is_moderator(moderator)


def test_add_totp_gives_a_device_whose_codes_are_six_digits():
    user = make_user()
    assert not has_totp(user)
    secret = add_totp(user)
    assert has_totp(user)
    code = totp_code(secret)
    assert len(code) == 6
    assert code.isdigit()
