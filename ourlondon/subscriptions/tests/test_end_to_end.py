"""The whole life of a subscription, through the pages and a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.core import clock
from ourlondon.search.indexing import rebuild_index
from ourlondon.subscriptions.digest import send_digests
from ourlondon.subscriptions.models import Announcement, Topic
from ourlondon.subscriptions.tasks import send_announcement

pytestmark = pytest.mark.django_db


def only_link(message, pattern: str) -> str:
    body = message.get_payload(decode=True).decode()
    found = re.search(r"http://testserver(" + pattern + r"\S*)", body)
    assert found, body
    return found.group(1)


def test_sign_up_confirm_announcement_digest_unsubscribe_then_silence(
    client, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/updates/",
            {
                "email": "sam@example.org",
                "topics": ["vru-news", "near-me"],
                "postcode": "E8 3AA",
                "radius_km": "3",
                "age_band": "14-17",
                "interests": ["sport"],
            },
        )
    assert len(inbox.messages) == 1
    client.post(only_link(inbox.messages[0], "/updates/confirm/"))

    # A staff announcement to one of the topics: arrives once.
    news = Announcement.objects.create(
        topic=Topic.objects.get(slug="vru-news"), subject="Summer news", body="Hi."
    )
    send_announcement(news.pk)
    send_announcement(news.pk)
    assert [m["Subject"] for m in inbox.messages[1:]] == ["Summer news"]

    # A new football club near E8 3AA for 14-year-olds: the digest lists it.
    club = ActivityFactory.create(
        title="Dalston Saturday Football", age_min=12, age_max=16
    )
    ScheduleFactory.create(activity=club, weekdays="SA")
    materialise_activity(club.pk)
    rebuild_index()
    assert send_digests() == (1, 0)
    assert send_digests() == (0, 0)  # once a week
    digest = inbox.messages[-1]
    assert digest["Subject"] == "New activities near E8 3AA"
    assert "Dalston Saturday Football" in digest.get_payload(decode=True).decode()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Next week, nothing new: nothing sent.
    next_week = clock.today() + timedelta(days=7)
    assert send_digests(today=next_week) == (0, 1)

    # One click, and silence.
    unsubscribe = (
        digest["List-Unsubscribe"].strip().strip("<>").removeprefix("http://testserver")
    )
    client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    count = len(inbox.messages)
    later = Announcement.objects.create(
        topic=Topic.objects.get(slug="vru-news"), subject="Autumn news", body="Hi."
    )
    send_announcement(later.pk)
    assert send_digests(today=next_week + timedelta(days=7)) == (0, 0)
    assert len(inbox.messages) == count
