"""Providers confirm their listings every 90 days: one reminder per period with a
one-click link (a page with one button that POSTs), hiding at 120 days with a
week's notice at least, back on confirmation; feed listings take no part; the
staff dashboard counts by age and covers every borough."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, Organisation
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.core import clock
from ourlondon.providers.freshness import (
    CONFIRM_SALT,
    FreshnessRun,
    age_bands,
    borough_coverage,
    check_freshness,
    confirm_listing,
    confirm_token,
    stale_listings,
)
from ourlondon.providers.models import ListingFreshness
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.search.indexing import refresh_activities
from ourlondon.search.models import SearchDocument

pytestmark = pytest.mark.django_db

NOW = clock.now()


def days_ago(n: int):
    return NOW - timedelta(days=n)


@pytest.fixture
def org(owner):
    organisation = make_organisation(owner)
    organisation.verification = Organisation.Verification.VERIFIED
    organisation.verified_at = days_ago(200)
    organisation.save()
    return organisation


def listing(org, *, confirmed_days_ago: int, **fields) -> Activity:
    activity = ActivityFactory.create(
        organisation=org, last_confirmed_at=days_ago(confirmed_days_ago), **fields
    )
    ScheduleFactory.create(activity=activity, start_date=clock.today())
    materialise_activity(activity.pk)
    refresh_activities([activity.pk])
    return activity


def indexed(activity: Activity) -> bool:
    return SearchDocument.objects.filter(activity_id=activity.pk).exists()


def test_a_listing_confirmed_89_days_ago_is_left_alone(org, mailoutbox):
    listing(org, confirmed_days_ago=89)
    assert check_freshness(now=NOW).reminded == 0
    assert mailoutbox == []


def test_at_90_days_members_get_one_reminder_per_period(org, owner, mailoutbox):
    activity = listing(org, confirmed_days_ago=90)
    run = check_freshness(now=NOW)
    assert (run.reminded, run.hidden) == (1, 0)
    [message] = mailoutbox
    assert message.to == [owner.email]
    assert activity.title in message.subject
    [link] = re.findall(r"http\S+/still-running/\S+/", message.body)
    assert signing.loads(link.split("/")[-2], salt=CONFIRM_SALT) == activity.pk
    # Run again the same day, and the next: nothing more is sent.
    assert check_freshness(now=NOW + timedelta(hours=12)).reminded == 0
    assert check_freshness(now=NOW + timedelta(days=1)).reminded == 0
    assert len(mailoutbox) == 1
    assert ListingFreshness.objects.get(activity=activity).reminded_at == NOW


def test_unconfirmed_at_120_days_it_is_hidden_reindexed_and_the_provider_told(
    org, owner, mailoutbox
):
    activity = listing(org, confirmed_days_ago=90)
    check_freshness(now=NOW)  # the reminder
    later = NOW + timedelta(days=30)
    run = check_freshness(now=later)
    assert (run.reminded, run.hidden) == (0, 1)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.WITHDRAWN
    assert not Activity.public.filter(pk=activity.pk).exists()
    assert not indexed(activity)
    assert "is hidden" in mailoutbox[-1].subject
    event = AuditEvent.objects.get(action="unpublish", object_id=str(activity.pk))
    assert event.actor is None and event.actor_label == "freshness check"
    assert (event.before or {})["status"] == "published"
    assert (event.after or {})["status"] == "withdrawn"
    # Twice a day changes nothing more.
    assert check_freshness(now=later + timedelta(hours=12)) == FreshnessRun(0, 0)
    assert len(mailoutbox) == 2


def test_a_listing_already_old_gets_a_weeks_notice_before_it_is_hidden(org, mailoutbox):
    activity = listing(org, confirmed_days_ago=200)
    assert check_freshness(now=NOW).reminded == 1
    assert check_freshness(now=NOW + timedelta(days=6)).hidden == 0
    assert check_freshness(now=NOW + timedelta(days=7)).hidden == 1
    activity.refresh_from_db()
    assert activity.status == Activity.Status.WITHDRAWN


def test_approval_counts_as_confirmation_and_a_new_period_gets_a_new_reminder(
    org, mailoutbox
):
    activity = listing(org, confirmed_days_ago=90)
    check_freshness(now=NOW)
    confirm_listing(activity=activity, by=None, now=NOW + timedelta(days=1))
    assert check_freshness(now=NOW + timedelta(days=60)).reminded == 0
    assert check_freshness(now=NOW + timedelta(days=91)).reminded == 1
    assert len(mailoutbox) == 2


def test_feed_listings_demo_listings_and_organisations_without_members_take_no_part(
    org, mailoutbox
):
    listing(org, confirmed_days_ago=300, source=Activity.Source.OPENACTIVE)
    listing(org, confirmed_days_ago=300, is_demo=True)
    staff_entered = ActivityFactory.create(last_confirmed_at=days_ago(300))
    assert check_freshness(now=NOW) == FreshnessRun(reminded=0, hidden=0)
    assert check_freshness(now=NOW + timedelta(days=30)) == FreshnessRun(0, 0)
    assert mailoutbox == []
    staff_entered.refresh_from_db()
    assert staff_entered.status == Activity.Status.PUBLISHED


def test_a_suspended_organisations_listings_are_not_reminded(org, mailoutbox):
    listing(org, confirmed_days_ago=100)
    org.verification = Organisation.Verification.SUSPENDED
    org.save()
    assert check_freshness(now=NOW).reminded == 0
    assert mailoutbox == []


def test_the_emailed_link_opens_a_page_whose_get_confirms_nothing(org):
    activity = listing(org, confirmed_days_ago=95)
    url = reverse("providers:still-running", args=[confirm_token(activity)])
    page = Client().get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("<button") >= 1 and "Yes, it is still running" in text
    assert 'method="post"' in text
    activity.refresh_from_db()
    assert activity.last_confirmed_at == days_ago(95)
    assert not AuditEvent.objects.filter(
        object_type="catalogue.activity", object_id=str(activity.pk)
    ).exists()


def test_the_button_confirms_without_signing_in_and_brings_a_hidden_listing_back(
    org, mailoutbox
):
    activity = listing(org, confirmed_days_ago=90)
    check_freshness(now=NOW)
    check_freshness(now=NOW + timedelta(days=30))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.WITHDRAWN
    client = Client(enforce_csrf_checks=True)
    url = reverse("providers:still-running", args=[confirm_token(activity)])
    client.get(url)
    response = client.post(
        url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    )
    assert response.status_code == 200
    assert "back on ourlondon" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    assert activity.last_confirmed_at is not None
    assert activity.last_confirmed_at > NOW
    assert indexed(activity)
    assert ListingFreshness.objects.get(activity=activity).hidden_at is None
    event = AuditEvent.objects.get(action="update", object_id=str(activity.pk))
    assert event.actor is None
    assert event.actor_label == "provider, by the emailed link"
    assert (event.before or {})["status"] == "withdrawn"
    assert (event.after or {})["status"] == "published"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps(1, salt="ourlondon.providers.organisations.invite"),
    ],
)
def test_a_tampered_or_foreign_token_is_refused_with_a_message(org, token):
    listing(org, confirmed_days_ago=95)
    response = Client().post(reverse("providers:still-running", args=[token]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_an_expired_link_is_refused_and_says_how_to_confirm_instead(org, clock):
    activity = listing(org, confirmed_days_ago=95)
    clock.set(clock.now())
    token = signing.dumps(activity.pk, salt=CONFIRM_SALT)
    clock.advance(days=61)
    response = Client().post(reverse("providers:still-running", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    activity.refresh_from_db()
    assert activity.last_confirmed_at == days_ago(95)


def test_a_listing_a_moderator_took_down_is_not_brought_back_by_confirming(
    org, moderator
):
    from ourlondon.providers.reports import unpublish_listing

    activity = listing(org, confirmed_days_ago=90)
    check_freshness(now=NOW)
    check_freshness(now=NOW + timedelta(days=30))
    unpublish_listing(
        activity=Activity.all_objects.get(pk=activity.pk), by=moderator, reason="x"
    )
    with pytest.raises(PortalError):
        confirm_listing(activity=activity, by=None)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.WITHDRAWN


def test_a_feed_listing_cannot_be_confirmed(org):
    activity = listing(org, confirmed_days_ago=1, source=Activity.Source.ICAL)
    with pytest.raises(PortalError, match="feed"):
        confirm_listing(activity=activity, by=None)


def test_providers_confirm_from_their_list_of_listings(org, owner, owner_client):
    activity = listing(org, confirmed_days_ago=95)
    page = owner_client.get(reverse("providers:listings", args=[org.pk]))
    confirm = reverse("providers:listing-confirm", args=[org.pk, activity.pk])
    assert confirm in page.content.decode()
    response = owner_client.post(confirm)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.last_confirmed_at is not None
    assert activity.last_confirmed_at > NOW
    event = AuditEvent.objects.get(action="update", object_id=str(activity.pk))
    assert event.actor == owner


def test_the_command_and_the_daily_job_run_the_same_check(org, mailoutbox):
    from ourlondon.providers.tasks import check_freshness_daily

    listing(org, confirmed_days_ago=100)
    out = StringIO()
    call_command("check_freshness", stdout=out)
    assert out.getvalue().strip() == "1 reminded, 0 hidden."
    assert check_freshness_daily.call_local() == (0, 0)
    assert len(mailoutbox) == 1


def test_the_dashboard_counts_by_age_and_lists_the_stale_oldest_first(org):
    for n in (10, 70, 95, 100):
        listing(org, confirmed_days_ago=n, title=f"Confirmed {n} days ago")
    hidden = listing(org, confirmed_days_ago=130, title="Hidden one")
    check_freshness(now=NOW - timedelta(days=10))
    check_freshness(now=NOW)
    hidden.refresh_from_db()
    assert hidden.status == Activity.Status.WITHDRAWN
    counts = [band.count for band in age_bands(now=NOW)]
    assert counts == [1, 1, 2, 0, 1]
    assert [a.title for a in stale_listings(now=NOW)] == [
        "Hidden one",
        "Confirmed 100 days ago",
        "Confirmed 95 days ago",
    ]


def test_coverage_counts_public_activities_per_borough_with_a_rate(org):
    listing(org, confirmed_days_ago=1)  # E8 3AA: Hackney
    rows = {row.name: row for row in borough_coverage()}
    assert len(rows) == 33
    hackney = rows["Hackney"]
    assert hackney.activities == 1
    assert hackney.young_people is not None and hackney.young_people > 10_000
    assert hackney.per_10k == round(10_000 / hackney.young_people, 1)
    assert rows["Bexley"].activities == 0


def test_the_dashboard_page_shows_bands_stale_listings_and_empty_boroughs(
    org, moderator_client
):
    listing(org, confirmed_days_ago=100, title="Old club")
    check_freshness(now=NOW)
    page = moderator_client.get(reverse("moderation:freshness"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Old club" in text and org.name in text
    assert f"{timezone.localtime(NOW):%-d %b %Y}" in text  # when it was reminded
    assert "32 boroughs have none" in text
    assert "per 10,000" in text
