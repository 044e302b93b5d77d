"""Announcements reach each confirmed subscriber exactly once, over real SMTP."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage

from ourlondon.core import clock
from ourlondon.subscriptions.models import Announcement, Delivery, Subscriber, Topic
from ourlondon.subscriptions.sending import queue_announcement, send_pending
from ourlondon.subscriptions.tasks import send_announcement

pytestmark = pytest.mark.django_db


def subscribers(
    n: int, topic: str = "vru-news", status: str = "confirmed", prefix: str = "person"
) -> list[Subscriber]:
    made = []
    for i in range(n):
        s = Subscriber.objects.create(
            email=f"{prefix}{i}@example.org", status=status, confirmed_at=clock.now()
        )
        s.topics.add(Topic.objects.get(slug=topic))
        made.append(s)
    return made


def announcement() -> Announcement:
    return Announcement.objects.create(
        topic=Topic.objects.get(slug="vru-news"), subject="Summer news", body="Hello."
    )


def test_an_announcement_arrives_once_with_one_click_unsubscribe(client, inbox):
    subscribers(3)
    subscribers(2, status="pending", prefix="pending")
    subscribers(1, topic="community-seed-fund", prefix="seed")
    news = announcement()
    send_announcement(news.pk)  # the job queue runs it at once in tests
    assert sorted(m["To"] for m in inbox.messages) == [
        "person0@example.org",
        "person1@example.org",
        "person2@example.org",
    ]
    message = inbox.messages[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<http://testserver/updates/unsubscribe/")
    )
    assert "Stop them, in one click:" in message.get_payload()
    send_announcement(news.pk)  # again: nothing more
    assert len(inbox.messages) == 3
    news.refresh_from_db()
    assert news.status == Announcement.Status.SENT


def test_after_a_crash_mid_batch_a_second_run_sends_only_the_rest(inbox, monkeypatch):
    subscribers(5)
    news = announcement()
    queue_announcement(news)
    real_send = EmailMessage.send
    calls = {"n": 0}

    def crash_on_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("connection reset")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", crash_on_third)
    with pytest.raises(OSError):
        send_pending(news)
    assert len(inbox.messages) == 2
    monkeypatch.setattr(EmailMessage, "send", real_send)
    send_pending(news)
    send_pending(news)
    recipients = [m["To"] for m in inbox.messages]
    assert sorted(recipients) == [f"person{i}@example.org" for i in range(5)]
    assert Delivery.objects.filter(status="sent").count() == 5


def test_someone_who_unsubscribes_after_queueing_gets_nothing(inbox):
    first, second = subscribers(2)
    news = announcement()
    queue_announcement(news)
    first.status = Subscriber.Status.UNSUBSCRIBED
    first.save()
    send_pending(news)
    assert [m["To"] for m in inbox.messages] == ["person1@example.org"]


def test_staff_preview_and_recipient_count(admin_client):
    subscribers(4)
    news = announcement()
    html = admin_client.get(
        f"/staff/subscriptions/announcement/{news.pk}/change/"
    ).content.decode()
    assert "Subject: Summer news" in html
    assert "Confirmed subscribers of the topic now" in html and ">4<" in html
