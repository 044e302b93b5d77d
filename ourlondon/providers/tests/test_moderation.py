"""Moderators verify or reject an organisation (the reason emailed to its
members over real SMTP), suspend one at once, and decide claims."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Organisation
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ScheduleFactory,
)
from ourlondon.core import clock
from ourlondon.providers.models import ClaimRequest, Membership
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.search.indexing import refresh_activities
from ourlondon.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def _listed(org: Organisation):
    activity = ActivityFactory.create(organisation=org, title="Junior boxing")
    ScheduleFactory.create(activity=activity, start_date=clock.today())
    materialise_activity(activity.pk)
    refresh_activities([activity.pk])
    return activity


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def test_the_queue_lists_organisations_waiting_for_a_check(owner, moderator_client):
    org = make_organisation(owner)
    OrganisationFactory.create(name="Already checked")
    page = moderator_client.get(reverse("moderation:queue")).content.decode()
    assert org.name in page
    assert "Already checked" not in page
    detail = moderator_client.get(reverse("moderation:organisation", args=[org.pk]))
    text = detail.content.decode()
    assert "Ada Okafor" in text
    assert "07700 900123" in text  # moderators see the private contact


def test_verifying_shows_organisation_checked_on_the_date_and_tells_members(
    owner, moderator, moderator_client, client, inbox
):
    org = make_organisation(owner)
    activity = _listed(org)
    response = moderator_client.post(reverse("moderation:verify", args=[org.pk]))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.verification == "verified"
    assert org.verified_at is not None
    page = client.get(reverse("web:activity-detail", args=[activity.pk]))
    assert (
        f"organisation checked on {org.verified_at:%-d %B %Y}" in page.content.decode()
    )
    [message] = inbox.messages
    assert message["To"] == owner.email
    assert "has been checked" in message["Subject"]
    event = AuditEvent.objects.get(action="approve", object_id=str(org.pk))
    assert event.actor == moderator
    assert (event.before or {})["organisation"]["verification"] == "pending"
    assert (event.after or {})["organisation"]["verification"] == "verified"


def test_rejecting_needs_a_reason_which_is_emailed(owner, moderator_client, inbox):
    org = make_organisation(owner)
    url = reverse("moderation:reject", args=[org.pk])
    refused = moderator_client.post(url, {"reason": ""})
    assert refused.status_code == 400
    org.refresh_from_db()
    assert org.verification == "pending"

    reason = "The safeguarding policy link does not open."
    assert moderator_client.post(url, {"reason": reason}).status_code == 302
    org.refresh_from_db()
    assert org.verification == "rejected"
    assert org.safeguarding.rejection_reason == reason
    [message] = inbox.messages
    assert message["To"] == owner.email
    assert reason in _body(message)
    assert AuditEvent.objects.get(action="reject", object_id=str(org.pk)).note == reason


def test_suspending_takes_every_listing_down_and_out_of_search(
    owner, moderator_client, client, inbox
):
    org = make_organisation(owner)
    moderator_client.post(reverse("moderation:verify", args=[org.pk]))
    first, second = _listed(org), _listed(org)
    assert (
        SearchDocument.objects.filter(activity_id__in=[first.pk, second.pk]).count()
        == 2
    )
    assert (
        client.get(reverse("web:activity-detail", args=[first.pk])).status_code == 200
    )

    response = moderator_client.post(
        reverse("moderation:suspend", args=[org.pk]),
        {"reason": "Concern reported by a parent."},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.verification == "suspended"
    assert not SearchDocument.objects.filter(
        activity_id__in=[first.pk, second.pk]
    ).exists()
    for activity in (first, second):
        assert (
            client.get(reverse("web:activity-detail", args=[activity.pk])).status_code
            == 404
        )
    event = AuditEvent.objects.get(action="suspend", object_id=str(org.pk))
    assert event.note == "Concern reported by a parent."
    assert "taken down" in inbox.messages[-1]["Subject"]


def test_verify_twice_or_reject_a_checked_organisation_is_a_clear_400(
    owner, moderator_client
):
    org = make_organisation(owner)
    moderator_client.post(reverse("moderation:verify", args=[org.pk]))
    again = moderator_client.post(reverse("moderation:verify", args=[org.pk]))
    assert again.status_code == 400
    assert "waiting for a check" in again.content.decode()
    rejected = moderator_client.post(
        reverse("moderation:reject", args=[org.pk]), {"reason": "late"}
    )
    assert rejected.status_code == 400


def test_approving_a_claim_makes_the_asker_an_owner(
    owner, stranger, moderator_client, inbox
):
    listed = OrganisationFactory.create(name="Lewisham Lions Youth FC")
    claim = ClaimRequest.objects.create(
        user=stranger, organisation=listed, message="Club secretary."
    )
    response = moderator_client.post(
        reverse("moderation:claim", args=[claim.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "approved"
    membership = Membership.objects.get(user=stranger, organisation=listed)
    assert membership.role == "owner"
    assert inbox.messages[-1]["To"] == stranger.email


def test_rejecting_a_claim_needs_a_reason(stranger, moderator_client):
    listed = OrganisationFactory.create(name="Lewisham Lions Youth FC")
    claim = ClaimRequest.objects.create(
        user=stranger, organisation=listed, message="Club secretary."
    )
    url = reverse("moderation:claim", args=[claim.pk])
    assert moderator_client.post(url, {"decision": "reject"}).status_code == 400
    claim.refresh_from_db()
    assert claim.status == "pending"
    assert not Membership.objects.filter(user=stranger).exists()


def test_after_verifying_result_cards_and_the_api_say_when_it_was_checked(
    owner, moderator_client, client
):
    org = make_organisation(owner)
    activity = _listed(org)
    results = client.get(reverse("web:results"), {"where": "E8 3AA"})
    assert "Organisation checked on" not in results.content.decode()
    api = client.get("/api/v1/activities", {"postcode": "E8 3AA"}).json()
    assert api["results"][0]["organisation_checked_on"] is None
    moderator_client.post(reverse("moderation:verify", args=[org.pk]))
    org.refresh_from_db()
    day = timezone.localdate(org.verified_at)
    cache.clear()  # API answers are cached for API_CACHE_SECONDS
    results = client.get(reverse("web:results"), {"where": "E8 3AA"})
    assert f"Organisation checked on {day:%-d %B %Y}" in results.content.decode()
    api = client.get("/api/v1/activities", {"postcode": "E8 3AA"}).json()
    [result] = [r for r in api["results"] if r["id"] == activity.pk]
    assert result["organisation_checked_on"] == day.isoformat()
    detail = client.get(f"/api/v1/activities/{activity.pk}").json()
    assert detail["organisation_checked_on"] == day.isoformat()
