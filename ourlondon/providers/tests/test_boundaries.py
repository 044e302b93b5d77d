"""Providers see and change only their own organisation; moderation needs a
moderator with two-factor; private contact details never reach a public page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse

from ourlondon.accounts.tests.factories import make_user
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, ListingReport
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.providers import moderation_urls, urls
from ourlondon.providers.models import (
    ClaimRequest,
    ListingDraft,
    Membership,
    ProviderFeed,
    SafeguardingProfile,
)
from ourlondon.providers.organisations import state
from ourlondon.providers.tests.conftest import signed_in
from ourlondon.providers.tests.factories import make_organisation, organisation_post
from ourlondon.providers.tests.test_listings import listing_post
from ourlondon.search.indexing import refresh_activities

pytestmark = pytest.mark.django_db

# Every portal URL that names an organisation, with the request that would
# change something if it were allowed.
PORTAL_REQUESTS = {
    "organisation": ("get", {}),
    "organisation-edit": ("post", organisation_post(name="Taken over")),
    "policy": ("get", {}),
    "invite": ("post", {"email": "intruder@example.com"}),
    "listings": ("get", {}),
    "listing-new": ("post", listing_post()),
    "listing-edit": ("post", listing_post(title="Taken over")),
    "bulk-upload": (
        "post",
        {
            "file": SimpleUploadedFile(
                "listings.csv",
                b"title,description,activity_type,venue_name,postcode,age_min,"
                b"age_max,free,days,start_time,end_time,start_date\r\n"
                b"Taken over,x,boxing,Marsh Hall,E8 3AA,11,16,yes,mon,18:00,19:00,"
                b"2027-01-04\r\n",
            )
        },
    ),
    "bulk-template-csv": ("get", {}),
    "bulk-template-xlsx": ("get", {}),
    "feeds": ("post", {"kind": "ical", "url": "https://calendar.example/c.ics"}),
    "feed-remove": ("post", {}),
    "listing-withdraw": ("post", {"confirm": "withdraw"}),
    "draft-withdraw": ("post", {}),
    "listing-confirm": ("post", {}),
}
# The preview is a button of the editor, so a POST to the editor URL.
PREVIEW = {"preview": "1"}
# name: (method, data, what the URL names: an organisation or a listing draft)
MODERATION_REQUESTS = {
    "organisation": ("get", {}, "org"),
    "policy": ("get", {}, "org"),
    "verify": ("post", {}, "org"),
    "reject": ("post", {"reason": "no"}, "org"),
    "suspend": ("post", {"reason": "no"}, "org"),
    "listing": ("get", {}, "draft"),
    "listing-approve": ("post", {}, "draft"),
    "listing-reject": ("post", {"reason": "no"}, "draft"),
    "feed-approve": ("post", {}, "feed"),
    "feed-reject": ("post", {"reason": "no"}, "feed"),
    "report": ("get", {}, "report"),
    "report-close": ("post", {"outcome": "dismissed", "note": "no"}, "report"),
    "activity": ("get", {}, "activity"),
    "activity-unpublish": ("post", {"reason": "no"}, "activity"),
    "activity-republish": ("post", {"reason": "no"}, "activity"),
}
# Moderation pages without an id: each refused in the same way.
MODERATION_PAGES = ["queue", "listings", "reports", "freshness", "audit"]


def _names(patterns: list[URLPattern]) -> set[str]:
    return {p.name for p in patterns if p.name and "<int:pk>" in str(p.pattern)}


def test_every_organisation_url_is_in_these_tests():
    assert _names(urls.urlpatterns) == set(PORTAL_REQUESTS)
    assert _names(moderation_urls.urlpatterns) - {"claim"} == set(MODERATION_REQUESTS)
    # Listing URLs name the organisation too (checked above) or a draft.
    assert {
        p.name for p in urls.urlpatterns if "<int:activity_id>" in str(p.pattern)
    } == {"listing-edit", "listing-withdraw", "listing-confirm"}
    assert {p.name for p in urls.urlpatterns if "<int:draft_id>" in str(p.pattern)} == {
        "draft-withdraw"
    }
    assert {p.name for p in urls.urlpatterns if "<int:feed_id>" in str(p.pattern)} == {
        "feed-remove"
    }


def _everything(org) -> tuple:
    return (
        state(org),
        sorted(Membership.objects.values_list("user_id", "organisation_id", "role")),
        AuditEvent.objects.exclude(action__in=["login", "logout"]).count(),
        sorted(ListingDraft.objects.values_list("pk", "status", "data")),
        sorted(
            Activity.all_objects.values_list(
                "pk", "title", "status", "last_confirmed_at"
            )
        ),
        sorted(ProviderFeed.objects.values_list("pk", "status", "url")),
        sorted(ListingReport.objects.values_list("pk", "status", "handling_note")),
    )


def _live_listing(org):
    activity = ActivityFactory.create(organisation=org, title="Junior boxing")
    ScheduleFactory.create(activity=activity)
    return activity


def _feed(org) -> ProviderFeed:
    return ProviderFeed.objects.create(
        organisation=org, kind="ical", url="https://calendar.example/theirs.ics"
    )


def _args(name: str, org, activity, draft=None, feed=None) -> list[int]:
    if name == "feed-remove":
        return [org.pk, feed.pk]
    if name in {"listing-edit", "listing-withdraw", "listing-confirm"}:
        return [org.pk, activity.pk]
    if name == "draft-withdraw":
        return [org.pk, draft.pk]
    return [org.pk]


@pytest.mark.parametrize("name", sorted(PORTAL_REQUESTS))
def test_another_organisations_provider_gets_404_and_nothing_changes(
    name, owner, stranger, inbox
):
    org = make_organisation(owner)
    activity = _live_listing(org)
    draft = ListingDraft.objects.create(
        organisation=org, activity=activity, data=listing_post(), created_by=owner
    )
    feed = _feed(org)
    make_organisation(stranger, name="Stranger's own club")
    before = _everything(org)
    method, data = PORTAL_REQUESTS[name]
    client = signed_in(stranger)
    response = getattr(client, method)(
        reverse(f"providers:{name}", args=_args(name, org, activity, draft, feed)),
        data,
    )
    assert response.status_code == 404
    org.refresh_from_db()
    assert _everything(org) == before
    assert inbox.messages == []


@pytest.mark.parametrize("name", sorted(MODERATION_REQUESTS))
@pytest.mark.parametrize("who", ["provider", "moderator without two-factor"])
def test_moderation_is_refused_and_nothing_changes(name, who, owner, moderator):
    org = make_organisation(owner)
    draft = ListingDraft.objects.create(
        organisation=org, data=listing_post(), created_by=owner
    )
    feed = ProviderFeed.objects.create(
        organisation=org, kind="ical", url="https://calendar.example/c.ics"
    )
    activity = _live_listing(org)
    report = ListingReport.objects.create(activity=activity, reason="wrong")
    before = _everything(org)
    client = Client()
    user = owner if who == "provider" else moderator
    client.force_login(
        user, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    method, data, target = MODERATION_REQUESTS[name]
    pk = {
        "org": org,
        "draft": draft,
        "feed": feed,
        "report": report,
        "activity": activity,
    }[target].pk
    response = getattr(client, method)(reverse(f"moderation:{name}", args=[pk]), data)
    assert response.status_code == 403
    org.refresh_from_db()
    assert _everything(org) == before


@pytest.mark.parametrize("name", MODERATION_PAGES)
@pytest.mark.parametrize("who", ["provider", "moderator without two-factor"])
def test_moderation_pages_are_refused(name, who, owner, moderator):
    client = Client()
    client.force_login(
        owner if who == "provider" else moderator,
        backend="allauth.account.auth_backends.AuthenticationBackend",
    )
    assert client.get(reverse(f"moderation:{name}")).status_code == 403


def test_moderation_pages_send_anonymous_visitors_to_sign_in(client):
    for name in MODERATION_PAGES:
        response = client.get(reverse(f"moderation:{name}"))
        assert response.status_code == 302
        assert "/account/login/" in response["Location"]


def test_a_provider_cannot_edit_another_organisations_listing_through_their_own(
    owner, stranger
):
    org = make_organisation(owner)
    activity = _live_listing(org)
    own = make_organisation(stranger, name="Stranger's own club")
    before = _everything(org)
    response = signed_in(stranger).post(
        reverse("providers:listing-edit", args=[own.pk, activity.pk]),
        listing_post(title="Taken over"),
    )
    assert response.status_code == 404
    assert _everything(org) == before


@pytest.mark.parametrize(
    "name", ["listing-withdraw", "draft-withdraw", "feed-remove", "preview"]
)
def test_a_provider_cannot_reach_another_organisations_listing_through_their_own(
    name, owner, stranger
):
    org = make_organisation(owner)
    activity = _live_listing(org)
    draft = ListingDraft.objects.create(
        organisation=org, activity=activity, data=listing_post(), created_by=owner
    )
    feed = _feed(org)
    own = make_organisation(stranger, name="Stranger's own club")
    before = _everything(org)
    client = signed_in(stranger)
    if name == "preview":
        url = reverse("providers:listing-edit", args=[own.pk, activity.pk])
        response = client.post(url, {**listing_post(), **PREVIEW})
    else:
        response = client.post(
            reverse(f"providers:{name}", args=_args(name, own, activity, draft, feed)),
            {"confirm": "withdraw"},
        )
    assert response.status_code == 404
    assert _everything(org) == before


def test_a_provider_cannot_confirm_another_organisations_listing_through_their_own(
    owner, stranger
):
    org = make_organisation(owner)
    activity = _live_listing(org)
    own = make_organisation(stranger, name="Stranger's own club")
    before = _everything(org)
    response = signed_in(stranger).post(
        reverse("providers:listing-confirm", args=[own.pk, activity.pk])
    )
    assert response.status_code == 404
    assert _everything(org) == before


def test_claim_decisions_are_refused_to_providers(owner, stranger):
    org = make_organisation(owner)
    claim = ClaimRequest.objects.create(user=stranger, organisation=org, message="x")
    response = signed_in(stranger).post(
        reverse("moderation:claim", args=[claim.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=stranger).exists()


def test_a_member_cannot_act_for_an_organisation_after_leaving(owner):
    org = make_organisation(owner)
    colleague = make_user("coach@peckhamboxing.example")
    membership = Membership.objects.create(user=colleague, organisation=org)
    client = signed_in(colleague)
    assert (
        client.get(reverse("providers:organisation", args=[org.pk])).status_code == 200
    )
    membership.delete()
    assert (
        client.get(reverse("providers:organisation", args=[org.pk])).status_code == 404
    )


def test_a_sole_traders_private_phone_and_address_are_never_public(
    owner, moderator_client, client
):
    org = make_organisation(owner)
    moderator_client.post(reverse("moderation:verify", args=[org.pk]))
    activity = ActivityFactory.create(organisation=org)
    ScheduleFactory.create(activity=activity)
    materialise_activity(activity.pk)
    refresh_activities([activity.pk])
    profile = SafeguardingProfile.objects.get(organisation=org)
    pages = [
        client.get(reverse("web:activity-detail", args=[activity.pk])),
        client.get(f"/api/v1/activities/{activity.pk}"),
        client.get("/api/v1/activities", {"postcode": "E8 3AA"}),
        client.get(reverse("web:results"), {"where": "E8 3AA"}),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert profile.private_phone not in text
        assert "Home Street" not in text
        assert profile.lead_contact not in text
    assert org.name in pages[0].content.decode()
