"""Sign-up with a verified address, strong passwords, throttling, two-factor for
staff, sessions that end, and a password reset that reveals nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from ourlondon.accounts.testing import login_with_mfa
from ourlondon.accounts.tests.factories import (
    PASSWORD,
    add_totp,
    make_moderator,
    make_user,
    totp_code,
)
from ourlondon.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _body(message) -> str:
    part = message.get_payload()[0] if message.is_multipart() else message
    return part.get_payload(decode=True).decode()


def _login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_up_needs_the_emailed_link_before_the_first_login(client, inbox):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@club.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    [message] = inbox.messages
    assert message["To"] == "new@club.example"
    link = re.search(r"http://testserver(/account/confirm-email/\S+/)", _body(message))
    assert link

    client.logout()
    refused = _login(client, "new@club.example")
    assert refused["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    client.post(link.group(1))
    client.logout()
    response = _login(client, "new@club.example")
    assert response["Location"] == reverse("providers:home")
    assert client.session["_auth_user_id"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "at least 12 characters"),
        ("qwerty123456", "too common"),
        ("123456789012345", "entirely numeric"),
    ],
)
def test_sign_up_refuses_weak_passwords_with_a_reason(client, password, message):
    response = client.post(
        reverse("account_signup"),
        {"email": "weak@club.example", "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="weak@club.example").exists()


def test_password_reset_says_the_same_for_known_and_unknown_addresses(client, inbox):
    make_user("known@club.example")
    known = client.post(
        reverse("account_reset_password"), {"email": "known@club.example"}
    )
    unknown = client.post(
        reverse("account_reset_password"), {"email": "nobody@club.example"}
    )
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page_known = client.get(known["Location"]).content
    page_unknown = client.get(unknown["Location"]).content
    assert page_known == page_unknown
    # Only the real account gets a reset link; the other address is told it has
    # no account (to that address only, so nothing is revealed to the asker).
    by_address = {m["To"]: _body(m) for m in inbox.messages}
    assert "/account/password/reset/key/" in by_address["known@club.example"]
    assert "/password/reset/key/" not in by_address.get("nobody@club.example", "")


def test_repeated_failures_lock_the_login_and_the_audit_log_shows_it(client):
    make_user("target@club.example")
    for _ in range(5):
        _login(client, "target@club.example", "wrong password!!")
    # Locked: even the right password is refused, with 429 and a message.
    response = _login(client, "target@club.example")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session

    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.count() >= 5
    assert {e.actor_label for e in failed} == {"target@club.example"}
    locked = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT).first()
    assert locked is not None
    assert locked.actor_label == "target@club.example"
    assert locked.ip_address == "127.0.0.1"


def test_a_login_is_in_the_audit_log(client):
    user = make_user("sam@club.example")
    _login(client, "sam@club.example")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == user
    assert event.object_id == str(user.pk)


def test_staff_admin_refuses_a_session_without_two_factor(client):
    moderator = make_moderator()
    client.force_login(
        moderator, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    response = client.get("/staff/")
    assert response.status_code == 403
    assert "Two-factor sign-in needed" in response.content.decode()
    assert client.get(reverse("moderation:queue")).status_code == 403


def test_staff_admin_login_page_hands_over_to_the_account_login(client):
    response = client.get("/staff/login/?next=/staff/catalogue/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=%2Fstaff%2Fcatalogue%2F"
    evil = client.get("/staff/login/?next=https://evil.example/")
    assert "evil" not in evil["Location"]


def test_moderator_signs_in_with_password_and_totp_then_reaches_staff_pages(client):
    moderator = make_moderator()
    secret = add_totp(moderator)
    response = _login(client, moderator.email)
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/").status_code == 302  # still not signed in

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert client.get(reverse("moderation:queue")).status_code == 200
    # Moderators are never remembered: the session ends with the browser.
    assert client.session.get_expire_at_browser_close()


def test_moderation_is_refused_to_staff_outside_the_moderators_group(client):
    staff = make_user("staff@ourlondon.example")
    staff.is_staff = True
    staff.save()
    login_with_mfa(client, staff)
    assert client.get(reverse("moderation:queue")).status_code == 403


def test_moderation_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_provider_may_add_totp_but_is_not_asked_to(client):
    make_user("sam@club.example")
    response = _login(client, "sam@club.example")
    assert response["Location"] == reverse("providers:home")
    assert client.get(reverse("mfa_activate_totp")).status_code in {200, 302}


def test_sessions_last_two_weeks_at_most(settings):
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


def test_public_pages_ignore_a_signed_in_providers_session(client):
    """A provider browsing the finder while signed in: the page neither reads
    the session (no Vary: Cookie, so it stays cacheable) nor sets a cookie."""
    make_user("sam@club.example")
    _login(client, "sam@club.example")
    for url in ["/", "/search/?where=E8+3AA", "/help/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.cookies == {}
        assert "Cookie" not in response.get("Vary", "")


def test_a_moderator_reads_the_audit_log_in_the_staff_admin(client):
    moderator = make_moderator()
    login_with_mfa(client, moderator)
    response = client.get("/staff/audit/auditevent/", {"action__exact": "login"})
    assert response.status_code == 200
    assert moderator.email in response.content.decode()
