"""The "report a problem" inbox: a report from the public page reaches
moderators, who close it with a note, take the listing down at once (out of
search and the API, the provider emailed), suspend the whole organisation, or
deliberately put a listing back. Every step is in the audit log."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, ListingReport, Organisation
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.core import clock
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.search.indexing import refresh_activities
from ourlondon.search.models import SearchDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(owner):
    org = make_organisation(owner)
    Organisation.objects.filter(pk=org.pk).update(
        verification="verified", verified_at=clock.now()
    )
    item = ActivityFactory.create(organisation=org, title="Junior boxing")
    ScheduleFactory.create(activity=item, start_date=clock.today())
    materialise_activity(item.pk)
    refresh_activities([item.pk])
    return Activity.all_objects.get(pk=item.pk)


def _report_from_the_public_page(client, activity, reason="safeguarding"):
    client.post(
        reverse("web:report", args=[activity.pk]),
        {"reason": reason, "details": "Coach asked for phone numbers"},
    )
    return ListingReport.objects.latest("pk")


def _in_search(client, activity) -> bool:
    """In the search index and in a fresh (uncached) API answer; both agree."""
    cache.clear()  # API answers are cached for API_CACHE_SECONDS
    found = client.get("/api/v1/activities", {"postcode": "E8 3AA"}).json()
    in_api = any(r["id"] == activity.pk for r in found["results"])
    indexed = SearchDocument.objects.filter(activity_id=activity.pk).exists()
    assert in_api == indexed
    return indexed


def test_a_public_report_reaches_the_inbox_with_its_listing_linked(
    activity, client, moderator_client
):
    report = _report_from_the_public_page(client, activity)
    page = moderator_client.get(reverse("moderation:reports"), {"status": "open"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "I am worried about someone" in text
    assert reverse("moderation:report", args=[report.pk]) in text
    assert reverse("moderation:activity", args=[activity.pk]) in text
    detail = moderator_client.get(reverse("moderation:report", args=[report.pk]))
    assert "Coach asked for phone numbers" in detail.content.decode()


def test_the_inbox_filters_by_status_and_reason(activity, client, moderator_client):
    _report_from_the_public_page(client, activity, reason="safeguarding")
    wrong = _report_from_the_public_page(client, activity, reason="wrong")
    ListingReport.objects.filter(pk=wrong.pk).update(status="dismissed")
    url = reverse("moderation:reports")
    assert (
        "1 report," in moderator_client.get(url, {"reason": "wrong"}).content.decode()
    )
    assert (
        "1 report,"
        in moderator_client.get(
            url, {"status": "open", "reason": "safeguarding"}
        ).content.decode()
    )
    assert (
        "0 reports"
        in moderator_client.get(
            url, {"status": "resolved", "reason": "wrong"}
        ).content.decode()
    )
    refused = moderator_client.get(url, {"status": "lost"})
    assert refused.status_code == 400
    assert "Please check the filters" in refused.content.decode()


def test_closing_a_report_needs_a_note_and_records_who(
    activity, client, moderator, moderator_client
):
    report = _report_from_the_public_page(client, activity)
    url = reverse("moderation:report-close", args=[report.pk])
    assert (
        moderator_client.post(url, {"outcome": "dismissed", "note": ""}).status_code
        == 400
    )
    assert (
        moderator_client.post(url, {"outcome": "open", "note": "x"}).status_code == 400
    )
    response = moderator_client.post(
        url, {"outcome": "dismissed", "note": "Checked with the club: a parent rota."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "dismissed"
    assert report.handled_by == moderator
    assert report.handling_note == "Checked with the club: a parent rota."
    event = AuditEvent.objects.get(object_type="catalogue.listingreport")
    assert (event.before or {})["status"] == "open"
    assert (event.after or {})["status"] == "dismissed"
    again = moderator_client.post(url, {"outcome": "resolved", "note": "again"})
    assert again.status_code == 400


def test_one_click_takes_a_listing_down_everywhere_and_tells_the_provider(
    activity, client, owner, moderator, moderator_client, mailoutbox
):
    assert _in_search(client, activity)
    url = reverse("moderation:activity-unpublish", args=[activity.pk])
    assert moderator_client.post(url, {"reason": ""}).status_code == 400
    response = moderator_client.post(url, {"reason": "Safeguarding concern"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.WITHDRAWN
    assert not _in_search(client, activity)
    assert (
        client.get(reverse("web:activity-detail", args=[activity.pk])).status_code
        == 404
    )
    assert client.get(f"/api/v1/activities/{activity.pk}").status_code == 404
    [message] = mailoutbox
    assert message.to == [owner.email]
    assert "Safeguarding concern" in message.body
    event = AuditEvent.objects.get(action="unpublish", object_id=str(activity.pk))
    assert event.actor == moderator
    assert event.note == "Safeguarding concern"
    assert (event.before, event.after) == (
        {"status": "published"},
        {"status": "withdrawn"},
    )
    # Twice is refused with a message, not a 500.
    assert moderator_client.post(url, {"reason": "again"}).status_code == 400


def test_putting_a_listing_back_is_a_deliberate_audited_step(
    activity, client, moderator_client
):
    moderator_client.post(
        reverse("moderation:activity-unpublish", args=[activity.pk]), {"reason": "x"}
    )
    url = reverse("moderation:activity-republish", args=[activity.pk])
    assert moderator_client.post(url, {"reason": ""}).status_code == 400
    response = moderator_client.post(url, {"reason": "Concern resolved with the club"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert _in_search(client, activity)
    event = AuditEvent.objects.get(action="approve", object_id=str(activity.pk))
    assert "Concern resolved" in event.note


def test_from_a_report_the_whole_organisation_is_suspended_in_one_click(
    activity, client, moderator_client
):
    report = _report_from_the_public_page(client, activity)
    page = moderator_client.get(reverse("moderation:report", args=[report.pk]))
    suspend = reverse("moderation:suspend", args=[activity.organisation_id])
    assert suspend in page.content.decode()
    other = ActivityFactory.create(organisation=activity.organisation)
    ScheduleFactory.create(activity=other)
    refresh_activities([other.pk])
    moderator_client.post(suspend, {"reason": "Report of a safeguarding concern"})
    assert not Activity.public.filter(organisation=activity.organisation).exists()
    assert not SearchDocument.objects.filter(
        activity_id__in=[activity.pk, other.pk]
    ).exists()


def test_the_listing_page_shows_status_reports_and_history(
    activity, client, moderator_client
):
    _report_from_the_public_page(client, activity, reason="wrong")
    moderator_client.post(
        reverse("moderation:activity-unpublish", args=[activity.pk]),
        {"reason": "Wrong venue"},
    )
    page = moderator_client.get(reverse("moderation:activity", args=[activity.pk]))
    text = page.content.decode()
    assert "not shown on the site" in text
    assert "Some details are wrong" in text
    assert "Wrong venue" in text
    assert reverse("moderation:activity-republish", args=[activity.pk]) in text
