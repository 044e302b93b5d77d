"""Moderators filter the listings queue (borough, organisation, new or changed,
ages overlapping, sent since), the organisations queue and the audit log, with
GET parameters; a bad value is a 400 with a message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Organisation
from ourlondon.catalogue.tests.factories import ActivityFactory
from ourlondon.core import clock
from ourlondon.providers.listings import submit_listing
from ourlondon.providers.models import ListingDraft
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.providers.tests.test_listings import listing_post

pytestmark = pytest.mark.django_db


def _data(**changes):
    """A proposed listing in the shape the editor saves."""
    from ourlondon.providers.forms import ListingForm

    form = ListingForm(listing_post(**changes))
    assert form.is_valid(), form.errors
    return form.listing()


@pytest.fixture
def queue(owner, stranger):
    boxing = make_organisation(owner)
    other = make_organisation(stranger, name="Brixton Chess")
    Organisation.objects.filter(pk__in=[boxing.pk, other.pk]).update(
        verification="verified", verified_at=clock.now()
    )
    live = ActivityFactory.create(organisation=boxing, title="Live boxing")
    drafts = {
        "hackney-teens": submit_listing(
            by=owner, organisation=boxing, data=_data(title="Hackney teens")
        ),
        "lambeth-kids": submit_listing(
            by=stranger,
            organisation=other,
            data=_data(
                title="Lambeth kids", postcode="SW2 1AA", age_min="5", age_max="9"
            ),
        ),
        "change": submit_listing(
            by=owner,
            organisation=boxing,
            activity=live,
            data=_data(title="Live boxing, new times", age_min="16", age_max="21"),
        ),
    }
    # Sent on different days, in this order.
    for n, draft in enumerate(drafts.values()):
        ListingDraft.objects.filter(pk=draft.pk).update(
            created_at=clock.now() - timedelta(days=10 - n),
            updated_at=clock.now() - timedelta(days=10 - n),
        )
    return {"boxing": boxing, "other": other, **drafts}


def _titles(moderator_client, **params) -> list[str]:
    response = moderator_client.get(reverse("moderation:listings"), params)
    assert response.status_code == 200
    text = response.content.decode()
    titles = ["Hackney teens", "Lambeth kids", "Live boxing, new times"]
    found = [t for t in titles if f">{t}</a>" in text]
    return sorted(found, key=text.index)


def test_the_queue_is_oldest_first_and_counts(queue, moderator_client):
    assert _titles(moderator_client) == [
        "Hackney teens",
        "Lambeth kids",
        "Live boxing, new times",
    ]
    page = moderator_client.get(reverse("moderation:listings"), {"kind": "new"})
    assert "Showing 2 of 3 waiting" in page.content.decode()


def test_filter_by_borough(queue, moderator_client):
    assert _titles(moderator_client, borough="E09000022") == ["Lambeth kids"]
    assert _titles(moderator_client, borough="E09000012") == [
        "Hackney teens",
        "Live boxing, new times",
    ]


def test_filter_by_organisation_and_new_or_changed(queue, moderator_client):
    assert _titles(moderator_client, organisation=queue["other"].pk) == ["Lambeth kids"]
    assert _titles(moderator_client, kind="change") == ["Live boxing, new times"]


def test_filter_by_overlapping_ages(queue, moderator_client):
    # 11-16, 5-9 and 16-21 against 8-11: the first two overlap.
    assert _titles(moderator_client, age_from=8, age_to=11) == [
        "Hackney teens",
        "Lambeth kids",
    ]
    assert _titles(moderator_client, age_from=18) == ["Live boxing, new times"]


def test_filter_by_date_sent(queue, moderator_client):
    since = (clock.today() - timedelta(days=9)).isoformat()
    assert _titles(moderator_client, since=since) == [
        "Lambeth kids",
        "Live boxing, new times",
    ]


@pytest.mark.parametrize(
    "params",
    [{"age_from": "12", "age_to": "8"}, {"since": "yesterday"}, {"borough": "X"}],
)
def test_bad_filters_are_a_400_with_a_message(queue, moderator_client, params):
    response = moderator_client.get(reverse("moderation:listings"), params)
    assert response.status_code == 400
    assert "Please check the filters" in response.content.decode()


def test_the_organisations_queue_filters_by_name_and_kind(owner, moderator_client):
    make_organisation(owner)
    url = reverse("moderation:queue")
    assert (
        "Peckham Boxing" in moderator_client.get(url, {"q": "peckham"}).content.decode()
    )
    assert (
        "Peckham Boxing"
        not in moderator_client.get(url, {"kind": "school"}).content.decode()
    )


def test_the_audit_log_filters_by_action_type_actor_and_date(
    owner, moderator, moderator_client
):
    org = make_organisation(owner)  # a "create" by the owner
    record_event("approve", actor=moderator, obj=org, note="Checked it")
    url = reverse("moderation:audit")
    by_action = moderator_client.get(url, {"action": "approve"}).content.decode()
    assert "Checked it" in by_action and "1 event." in by_action
    by_actor = moderator_client.get(url, {"actor": "peckhamboxing"}).content.decode()
    assert "Checked it" not in by_actor
    by_type = moderator_client.get(
        url, {"object_type": "catalogue.organisation"}
    ).content.decode()
    assert "Checked it" in by_type
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert (
        "0 events"
        in moderator_client.get(url, {"date_from": tomorrow}).content.decode()
    )
    refused = moderator_client.get(
        url, {"date_from": tomorrow, "date_to": "2020-01-01"}
    )
    assert refused.status_code == 400


def test_the_audit_log_pages_and_changes_nothing(owner, moderator, moderator_client):
    org = make_organisation(owner)
    for n in range(60):
        record_event("update", actor=moderator, obj=org, note=f"change {n}")
    before = AuditEvent.objects.count()
    first = moderator_client.get(reverse("moderation:audit")).content.decode()
    assert "Page 1 of 2" in first and "change 59" in first
    second = moderator_client.get(
        reverse("moderation:audit"), {"page": 2}
    ).content.decode()
    assert "change 0" in second
    assert moderator_client.post(reverse("moderation:audit")).status_code == 405
    assert AuditEvent.objects.count() == before
