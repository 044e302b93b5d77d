"""The subscriber's rights: a copy of everything we hold, erasure, and the
retention rules that apply without anyone asking.

Erasure deletes the subscriber with its consent history and deliveries, and
keeps only a keyed hash of the address (HMAC with the site's secret) on the
suppression list, so the address is never mailed again and cannot be read back.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.crypto import salted_hmac

from ourlondon.core import clock
from ourlondon.subscriptions.consent import CONFIRM_FOR, normalise_email
from ourlondon.subscriptions.models import Subscriber, Suppression

KEEP_UNSUBSCRIBED = timedelta(days=30)


def digest(email: str) -> str:
    return salted_hmac(
        "ourlondon.subscriptions.suppression",
        normalise_email(email),
        algorithm="sha256",
    ).hexdigest()


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(digest=digest(email)).exists()


def export(subscriber: Subscriber) -> dict[str, Any]:
    """Everything stored about this address."""
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "topics": sorted(subscriber.topics.values_list("slug", flat=True)),
        "postcode": subscriber.postcode,
        "interests": subscriber.interests,
        "created_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at.isoformat()
        if subscriber.confirmed_at
        else None,
        "unsubscribed_at": subscriber.unsubscribed_at.isoformat()
        if subscriber.unsubscribed_at
        else None,
        "consent_history": [
            {
                "action": record.action,
                "topics": record.topics,
                "wording_version": record.wording.version,
                "wording": record.wording.text,
                "page": record.page,
                "method": record.method,
                "at": record.at.isoformat(),
            }
            for record in subscriber.consents.select_related("wording")
        ],
        "messages_sent": [
            {
                "subject": d.announcement.subject,
                "sent_at": d.sent_at.isoformat() if d.sent_at else None,
            }
            for d in subscriber.deliveries.select_related("announcement").filter(
                status="sent"
            )
        ],
    }


def send_export(subscriber: Subscriber) -> None:
    """Email the export to the address itself (and to no one else)."""
    message = EmailMessage(
        subject="Your data held by ourlondon",
        body="Attached is everything ourlondon holds about this address.",
        to=[subscriber.email],
    )
    message.attach(
        "ourlondon-data.json",
        json.dumps(export(subscriber), indent=2),
        "application/json",
    )
    message.send()


@transaction.atomic
def erase(subscriber: Subscriber) -> None:
    Suppression.objects.get_or_create(digest=digest(subscriber.email))
    subscriber.delete()  # consent records and deliveries go with it


def purge(*, now: Any = None) -> tuple[int, int]:
    """Retention: unconfirmed sign-ups after 7 days (deleted: they never agreed
    by the link), unsubscribed addresses after 30 days (erased: the hash stays).
    Returns (unconfirmed, unsubscribed) removed."""
    now = now or clock.now()
    pending = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING, created_at__lt=now - CONFIRM_FOR
    )
    unconfirmed = pending.count()
    pending.delete()
    gone = 0
    for subscriber in Subscriber.objects.filter(
        status=Subscriber.Status.UNSUBSCRIBED,
        unsubscribed_at__lt=now - KEEP_UNSUBSCRIBED,
    ):
        erase(subscriber)
        gone += 1
    return unconfirmed, gone
