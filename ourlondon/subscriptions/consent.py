"""Signing up, confirming and unsubscribing: every write about consent.

Double opt-in: the form records consent as given and emails a link signed for 7
days; only the link confirms. The form's answer is the same whether or not the
address was known (no one can learn who subscribes). Unsubscribing needs only
the link in any message, works on one click (RFC 8058), and is recorded too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ourlondon.core import clock
from ourlondon.subscriptions.models import (
    ConsentRecord,
    ConsentWording,
    Subscriber,
    Topic,
)

CONFIRM_SALT = "ourlondon.subscriptions.confirm"
UNSUBSCRIBE_SALT = "ourlondon.subscriptions.unsubscribe"
MANAGE_SALT = "ourlondon.subscriptions.manage"
MANAGE_METHOD = "manage page, from a link in an email"
CONFIRM_FOR = timedelta(days=7)
FORM_METHOD = "sign-up form"
LINK_METHOD = "link in the confirmation email"


class TokenError(ValueError):
    """A link that is not ours, was altered, or has expired."""


def current_wording() -> ConsentWording:
    wording = ConsentWording.objects.order_by("-version").first()
    if wording is None:
        raise ConsentWording.DoesNotExist("No consent wording: run load_topics.")
    return wording


def normalise_email(email: str) -> str:
    """Addresses compare without case in the domain part (and, in practice, the
    local part: no real provider treats them differently)."""
    return email.strip().lower()


def confirm_token(subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(subscriber.pk))


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscriber.pk))


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class SignUp:
    email: str
    topics: Sequence[Topic]
    postcode: str = ""
    interests: Sequence[str] = ()
    radius_km: int = 3
    age_band: str = ""
    page: str = ""
    # The wording the person was shown (the form carries its version).
    wording: ConsentWording | None = None


@transaction.atomic
def sign_up(request: SignUp) -> None:
    """Record consent as given and send the confirmation link.

    An address already confirmed is sent the same kind of email (a link that
    confirms its new choice of topics), so the page's answer never reveals
    whether it was known.
    """
    # Imported here: rights.py builds on this module.
    from ourlondon.subscriptions.rights import is_suppressed

    wording = request.wording or current_wording()
    email = normalise_email(request.email)
    if is_suppressed(email):
        return  # erased at its owner's request: never stored or mailed again
    subscriber, _ = Subscriber.objects.get_or_create(email=email)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.PENDING
        subscriber.unsubscribed_at = None
    subscriber.postcode = request.postcode
    subscriber.interests = list(request.interests)
    subscriber.radius_km = request.radius_km
    subscriber.age_band = request.age_band
    subscriber.save()
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.GIVEN,
        topics=sorted(t.slug for t in request.topics),
        wording=wording,
        page=request.page[:200],
        method=FORM_METHOD,
    )
    transaction.on_commit(lambda: send_confirmation(subscriber.pk))


def send_confirmation(subscriber_id: int) -> None:
    subscriber = Subscriber.objects.get(pk=subscriber_id)
    link = site_url(reverse("subscriptions:confirm", args=[confirm_token(subscriber)]))
    body = render_to_string(
        "subscriptions/email_confirm.txt", {"link": link, "days": CONFIRM_FOR.days}
    )
    EmailMessage(
        subject="Confirm your ourlondon updates",
        body=body,
        to=[subscriber.email],
    ).send()


def subscriber_for(token: str, *, salt: str, max_age: timedelta | None) -> Subscriber:
    try:
        if max_age is None:
            value = signing.Signer(salt=salt).unsign(token)
        else:
            value = signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenError(
            "This link has expired: links to confirm are valid for 7 days. Sign "
            "up again and we will send a new one."
        ) from exc
    except signing.BadSignature as exc:
        raise TokenError(
            "This link is not valid. It may have been copied only in part."
        ) from exc
    subscriber = Subscriber.objects.filter(pk=int(value)).first()
    if subscriber is None:
        raise TokenError("This link is no longer valid: there is nothing to change.")
    return subscriber


@transaction.atomic
def confirm(token: str) -> Subscriber:
    """Confirm the sign-up the token was sent for: its latest consent becomes
    the subscriber's topics."""
    subscriber = subscriber_for(token, salt=CONFIRM_SALT, max_age=CONFIRM_FOR)
    given = subscriber.consents.filter(action=ConsentRecord.Action.GIVEN).last()
    if given is None:
        raise TokenError("This link is no longer valid: there is nothing to confirm.")
    latest = subscriber.consents.last()
    if latest is not None and latest.pk != given.pk:
        # Used already (or overtaken by a later change): nothing to record.
        raise TokenError(
            "This link has already been used. Your choices are as you last set "
            "them; every email has a link to change them."
        )
    subscriber.topics.set(Topic.objects.filter(slug__in=given.topics))
    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.confirmed_at = clock.now()
    subscriber.save()
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.CONFIRMED,
        topics=given.topics,
        wording=given.wording,
        page=given.page,
        method=LINK_METHOD,
    )
    return subscriber


@transaction.atomic
def unsubscribe(token: str, *, method: str) -> Subscriber:
    """Stop every update to this address, and record it. Safe to repeat."""
    subscriber = subscriber_for(token, salt=UNSUBSCRIBE_SALT, max_age=None)
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = clock.now()
        subscriber.save()
        subscriber.topics.clear()
        ConsentRecord.objects.create(
            subscriber=subscriber,
            action=ConsentRecord.Action.WITHDRAWN,
            topics=[],
            wording=current_wording(),
            page="",
            method=method[:100],
        )
    return subscriber


def manage_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=MANAGE_SALT).sign(str(subscriber.pk))


def manage_url(subscriber: Subscriber) -> str:
    return site_url(reverse("subscriptions:manage", args=[manage_token(subscriber)]))


@transaction.atomic
def change_topics(
    subscriber: Subscriber,
    *,
    topics: Sequence[Topic],
    wording: ConsentWording,
    postcode: str = "",
    interests: Sequence[str] = (),
    radius_km: int = 3,
    age_band: str = "",
) -> None:
    """New choices from the manage page (reached only by a link sent to the
    address, so it is the address's owner): they apply at once, recorded."""
    subscriber.topics.set(topics)
    subscriber.postcode = postcode
    subscriber.interests = list(interests)
    subscriber.radius_km = radius_km
    subscriber.age_band = age_band
    if not topics:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = clock.now()
    subscriber.save()
    ConsentRecord.objects.create(
        subscriber=subscriber,
        action=ConsentRecord.Action.CHANGED
        if topics
        else ConsentRecord.Action.WITHDRAWN,
        topics=sorted(t.slug for t in topics),
        wording=wording,
        page=reverse("subscriptions:manage", args=["…"]),
        method=MANAGE_METHOD,
    )


def unsubscribe_url(subscriber: Subscriber) -> str:
    return site_url(
        reverse("subscriptions:unsubscribe", args=[unsubscribe_token(subscriber)])
    )


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers for every message to a subscriber."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
