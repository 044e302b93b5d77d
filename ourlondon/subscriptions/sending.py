"""Sending announcements: exactly one message per subscriber, whatever happens.

`queue_announcement` records who should get it (a `Delivery` per confirmed
subscriber of the topic, unique per pair); `send_pending` sends the waiting ones
over one SMTP connection, marking each sent as soon as the server accepts it. Run
twice, or again after a crash, it sends only what is still waiting. The narrow
window between the server accepting a message and our commit is the only place a
crash could repeat one message; nothing can be lost.
"""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string

from ourlondon.core import clock
from ourlondon.subscriptions.consent import (
    manage_url,
    unsubscribe_headers,
    unsubscribe_url,
)
from ourlondon.subscriptions.models import Announcement, Delivery, Subscriber

BATCH = 200
MAX_ATTEMPTS = 3


def recipients(announcement: Announcement) -> int:
    """How many confirmed subscribers the topic has now (shown before sending)."""
    return Subscriber.objects.filter(
        status=Subscriber.Status.CONFIRMED, topics=announcement.topic
    ).count()


@transaction.atomic
def queue_announcement(announcement: Announcement) -> int:
    """Record a delivery for every confirmed subscriber of the topic; safe to
    repeat (existing pairs are left as they are)."""
    ids = Subscriber.objects.filter(
        status=Subscriber.Status.CONFIRMED, topics=announcement.topic
    ).values_list("pk", flat=True)
    Delivery.objects.bulk_create(
        (
            Delivery(announcement=announcement, subscriber_id=pk)
            for pk in ids.iterator()
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    if announcement.status == Announcement.Status.DRAFT:
        announcement.status = Announcement.Status.SENDING
        announcement.save(update_fields=["status"])
    return announcement.deliveries.count()


def message_for(announcement: Announcement, subscriber: Subscriber) -> EmailMessage:
    body = render_to_string(
        "subscriptions/email_announcement.txt",
        {
            "announcement": announcement,
            "unsubscribe": unsubscribe_url(subscriber),
            "manage": manage_url(subscriber),
        },
    )
    return EmailMessage(
        subject=announcement.subject,
        body=body,
        to=[subscriber.email],
        headers=unsubscribe_headers(subscriber),
    )


def send_pending(announcement: Announcement, *, limit: int | None = None) -> int:
    """Send the waiting deliveries (up to `limit`); how many were sent."""
    sent = 0
    connection = get_connection()
    connection.open()
    try:
        while limit is None or sent < limit:
            batch = list(
                Delivery.objects.filter(
                    announcement=announcement, status=Delivery.Status.PENDING
                )
                .select_related("subscriber")
                .order_by("pk")[:BATCH]
            )
            if not batch:
                break
            for delivery in batch:
                if limit is not None and sent >= limit:
                    break
                subscriber = delivery.subscriber
                if subscriber.status != Subscriber.Status.CONFIRMED:
                    # Unsubscribed since it was queued: never send.
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.FAILED, last_error="unsubscribed"
                    )
                    continue
                message = message_for(announcement, subscriber)
                message.connection = connection
                try:
                    message.send()
                except (smtplib.SMTPException, OSError) as exc:
                    attempts = delivery.attempts + 1
                    Delivery.objects.filter(pk=delivery.pk).update(
                        attempts=attempts,
                        last_error=str(exc)[:300],
                        status=Delivery.Status.FAILED
                        if attempts >= MAX_ATTEMPTS
                        else Delivery.Status.PENDING,
                    )
                    raise
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SENT, sent_at=clock.now()
                )
                sent += 1
    finally:
        connection.close()
    if not announcement.deliveries.filter(status=Delivery.Status.PENDING).exists():
        Announcement.objects.filter(pk=announcement.pk).update(
            status=Announcement.Status.SENT, sent_at=clock.now()
        )
    return sent
