"""Access, erasure and retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection

from ourlondon.core import clock
from ourlondon.subscriptions.models import (
    ConsentRecord,
    Subscriber,
    Suppression,
)
from ourlondon.subscriptions.rights import digest, erase, export, purge, send_export

pytestmark = pytest.mark.django_db
ADDRESS = "erase.me@example.org"


def signed_up(client, captured, email=ADDRESS):
    with captured(execute=True):
        client.post(
            "/updates/",
            {
                "email": email,
                "topics": ["near-me"],
                "postcode": "E8 3AA",
                "interests": ["sport"],
            },
        )
    return Subscriber.objects.get(email=email)


def tables_holding(text: str) -> list[str]:
    """Every table with a row that mentions `text` anywhere."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("core_postcode"):
                continue  # reference data, no personal data (and 180,000 rows)
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            if any(text in str(row).lower() for row in cursor.fetchall()):
                found.append(table)
    return found


def test_export_holds_everything_and_goes_to_that_address(
    client, inbox, django_capture_on_commit_callbacks
):
    subscriber = signed_up(client, django_capture_on_commit_callbacks)
    data = export(subscriber)
    assert data["email"] == ADDRESS and data["postcode"] == "E8 3AA"
    assert data["consent_history"][0]["wording"].startswith("We will use your email")
    send_export(subscriber)
    message = inbox.messages[-1]
    assert message["To"] == ADDRESS
    attachment = [
        p for p in message.walk() if p.get_filename() == "ourlondon-data.json"
    ]
    assert json.loads(attachment[0].get_payload(decode=True))["interests"] == ["sport"]


def test_after_erasure_the_address_is_nowhere_but_its_hash_and_never_mailed_again(
    client, inbox, django_capture_on_commit_callbacks
):
    subscriber = signed_up(client, django_capture_on_commit_callbacks)
    assert tables_holding(ADDRESS) == ["subscriptions_subscriber"]
    erase(subscriber)
    assert tables_holding(ADDRESS) == []
    assert Suppression.objects.filter(digest=digest(ADDRESS)).exists()
    assert not ConsentRecord.objects.exists()
    sent_before = len(inbox.messages)
    response = None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/updates/", {"email": ADDRESS.upper(), "topics": ["vru-news"]}
        )
    # The same answer as for anyone, and nothing stored or sent.
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert len(inbox.messages) == sent_before


def test_retention_removes_unconfirmed_and_long_unsubscribed(
    client, inbox, django_capture_on_commit_callbacks
):
    pending = signed_up(client, django_capture_on_commit_callbacks, "p@example.org")
    gone = signed_up(client, django_capture_on_commit_callbacks, "u@example.org")
    recent = signed_up(client, django_capture_on_commit_callbacks, "r@example.org")
    now = clock.now()
    Subscriber.objects.filter(pk=pending.pk).update(created_at=now - timedelta(days=8))
    Subscriber.objects.filter(pk__in=[gone.pk, recent.pk]).update(status="unsubscribed")
    Subscriber.objects.filter(pk=gone.pk).update(
        unsubscribed_at=now - timedelta(days=31)
    )
    Subscriber.objects.filter(pk=recent.pk).update(
        unsubscribed_at=now - timedelta(days=2)
    )
    assert purge() == (1, 1)
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["r@example.org"]
    assert Suppression.objects.filter(digest=digest("u@example.org")).exists()
    assert not Suppression.objects.filter(digest=digest("p@example.org")).exists()
