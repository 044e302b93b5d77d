"""Providers see and change only their own organisation; moderation needs a
moderator with two-factor; private contact details never reach a public page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from ourlondon.accounts.tests.factories import make_user
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.providers import moderation_urls, urls
from ourlondon.providers.models import ClaimRequest, Membership, SafeguardingProfile
from ourlondon.providers.organisations import state
from ourlondon.providers.tests.conftest import signed_in
from ourlondon.providers.tests.factories import make_organisation, organisation_post
from ourlondon.search.indexing import refresh_activities

pytestmark = pytest.mark.django_db

# Every portal URL that names an organisation, with the request that would
# change something if it were allowed.
PORTAL_REQUESTS = {
    "organisation": ("get", {}),
    "organisation-edit": ("post", organisation_post(name="Taken over")),
    "policy": ("get", {}),
    "invite": ("post", {"email": "intruder@example.com"}),
}
MODERATION_REQUESTS = {
    "organisation": ("get", {}),
    "policy": ("get", {}),
    "verify": ("post", {}),
    "reject": ("post", {"reason": "no"}),
    "suspend": ("post", {"reason": "no"}),
}


def _names(patterns: list[URLPattern]) -> set[str]:
    return {p.name for p in patterns if p.name and "<int:pk>" in str(p.pattern)}


def test_every_organisation_url_is_in_these_tests():
    assert _names(urls.urlpatterns) == set(PORTAL_REQUESTS)
    assert _names(moderation_urls.urlpatterns) - {"claim"} == set(MODERATION_REQUESTS)


def _everything(org) -> tuple:
    return (
        state(org),
        sorted(Membership.objects.values_list("user_id", "organisation_id", "role")),
        AuditEvent.objects.exclude(action__in=["login", "logout"]).count(),
    )


@pytest.mark.parametrize("name", sorted(PORTAL_REQUESTS))
def test_another_organisations_provider_gets_404_and_nothing_changes(
    name, owner, stranger, inbox
):
    org = make_organisation(owner)
    make_organisation(stranger, name="Stranger's own club")
    before = _everything(org)
    method, data = PORTAL_REQUESTS[name]
    client = signed_in(stranger)
    response = getattr(client, method)(
        reverse(f"providers:{name}", args=[org.pk]), data
    )
    assert response.status_code == 404
    org.refresh_from_db()
    assert _everything(org) == before
    assert inbox.messages == []


@pytest.mark.parametrize("name", sorted(MODERATION_REQUESTS))
@pytest.mark.parametrize("who", ["provider", "moderator without two-factor"])
def test_moderation_is_refused_and_nothing_changes(name, who, owner, moderator):
    org = make_organisation(owner)
    before = _everything(org)
    client = Client()
    user = owner if who == "provider" else moderator
    client.force_login(
        user, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    method, data = MODERATION_REQUESTS[name]
    response = getattr(client, method)(
        reverse(f"moderation:{name}", args=[org.pk]), data
    )
    assert response.status_code == 403
    org.refresh_from_db()
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
