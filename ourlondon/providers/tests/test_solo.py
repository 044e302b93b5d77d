"""Sole traders: their own address and phone stay private; each listing has a
public booking contact and a public venue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ourlondon.catalogue.models import Activity, Organisation
from ourlondon.core import clock
from ourlondon.providers.models import ListingDraft, SafeguardingProfile
from ourlondon.providers.organisations import create_organisation
from ourlondon.providers.solo import home_postcode
from ourlondon.providers.tests.factories import organisation_post
from ourlondon.providers.tests.test_editor import editor_post, weekly

pytestmark = pytest.mark.django_db
PRIVATE_PHONE = "07700 900456"
PRIVATE_ADDRESS = "12 Quiet Road, Hackney, London E8 2PB"


@pytest.fixture
def sole_trader(owner):
    org = create_organisation(
        by=owner,
        organisation=Organisation(
            name="Sam Adeyemi Dance", kind=Organisation.Kind.SOLE_TRADER
        ),
        profile=SafeguardingProfile(
            lead_name="Sam Adeyemi",
            lead_role="Dance teacher",
            lead_contact="sam.private@example.com",
            policy_url="https://samdance.example/safeguarding",
            dbs_declared=True,
            private_phone=PRIVATE_PHONE,
            private_address=PRIVATE_ADDRESS,
        ),
        referees=[],
    )
    Organisation.objects.filter(pk=org.pk).update(
        verification="verified", verified_at=clock.now()
    )
    org.refresh_from_db()
    return org


def _new(org) -> str:
    return reverse("providers:listing-new", args=[org.pk])


def test_a_sole_trader_is_a_kind_a_provider_can_choose(owner_client):
    page = owner_client.get(reverse("providers:organisation-new")).content.decode()
    assert 'value="sole_trader"' in page
    assert "Sole trader or individual" in page


def test_a_sole_trader_gives_their_own_phone_and_address_for_the_check(owner_client):
    post = organisation_post(
        kind="sole_trader", charity_number="", private_phone="", private_address=""
    )
    response = owner_client.post(reverse("providers:organisation-new"), post)
    assert response.status_code == 400
    errors = response.context["sg_form"].errors
    assert "never shown publicly" in errors["private_phone"][0]
    assert "private_address" in errors
    post.update(private_phone=PRIVATE_PHONE, private_address=PRIVATE_ADDRESS)
    assert (
        owner_client.post(reverse("providers:organisation-new"), post).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"booking_email": "", "booking_phone": ""}, "booking_email", "sole trader"),
        ({"booking_phone": "+44 7700 900456"}, "booking_phone", "private phone"),
        ({"postcode": "e82pb"}, "postcode", "home postcode"),
    ],
)
def test_a_sole_traders_listing_keeps_their_home_and_phone_private(
    sole_trader, owner_client, changes, field, message
):
    response = owner_client.post(_new(sole_trader), editor_post(weekly(), **changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ListingDraft.objects.exists()


def test_the_same_rules_hold_for_a_listing_sent_without_the_editor(sole_trader, owner):
    """The spreadsheet upload calls `submit_listing` directly."""
    from ourlondon.providers.forms import ListingForm
    from ourlondon.providers.listings import submit_listing
    from ourlondon.providers.organisations import PortalError
    from ourlondon.providers.tests.test_listings import listing_post

    form = ListingForm(listing_post(postcode="E8 2PB"))
    assert form.is_valid(), form.errors
    with pytest.raises(PortalError, match="home postcode"):
        submit_listing(by=owner, organisation=sole_trader, data=form.listing())
    assert not ListingDraft.objects.exists()


def test_a_sole_traders_private_details_never_reach_a_page_the_api_or_geojson(
    sole_trader, owner_client, moderator_client, client
):
    response = owner_client.post(
        _new(sole_trader),
        editor_post(
            weekly(),
            title="Street dance for teens",
            booking_email="bookings@samdance.example",
            booking_phone="020 7946 0001",
        ),
    )
    assert response.status_code == 302
    draft = ListingDraft.objects.get()
    moderator_client.post(reverse("moderation:listing-approve", args=[draft.pk]))
    activity = Activity.public.get()
    pages = {
        "page": client.get(reverse("web:activity-detail", args=[activity.pk])),
        "results": client.get(reverse("web:results"), {"where": "E8 3AA"}),
        "api": client.get(f"/api/v1/activities/{activity.pk}"),
        "api search": client.get("/api/v1/activities", {"postcode": "E8 3AA"}),
        "geojson": client.get("/api/v1/activities.geojson", {"postcode": "E8 3AA"}),
        "calendar": client.get(reverse("web:activity-ics", args=[activity.pk])),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        text = page.content.decode()
        assert "Street dance for teens" in text, name
        for private in (
            PRIVATE_PHONE,
            PRIVATE_PHONE.replace(" ", ""),
            "Quiet Road",
            "E8 2PB",
            "sam.private@example.com",
        ):
            assert private not in text, (name, private)
    assert "bookings@samdance.example" in pages["page"].content.decode()
    assert pages["api"].json()["booking_phone"] == "020 7946 0001"


@pytest.mark.parametrize(
    ("address", "postcode"),
    [
        ("12 Quiet Road, London E8 2PB", "E8 2PB"),
        ("flat 2\n3 High St\nlondon\nsw1a2aa", "SW1A 2AA"),
        ("no postcode here", ""),
        ("E8 2PB old address; now N1 9GU", "N1 9GU"),
    ],
)
def test_the_home_postcode_is_read_from_the_private_address(address, postcode):
    assert home_postcode(address) == postcode


def test_the_public_page_has_no_form_that_collects_young_peoples_details(
    sole_trader, owner_client, moderator_client, client
):
    """No messaging through ourlondon: a young person contacts the provider by
    the booking link, email or phone; the only form is ourlondon's own "report a
    problem" link (a page of ours, to moderators)."""
    owner_client.post(_new(sole_trader), editor_post(weekly()))
    draft = ListingDraft.objects.get()
    moderator_client.post(reverse("moderation:listing-approve", args=[draft.pk]))
    activity = Activity.public.get()
    page = client.get(reverse("web:activity-detail", args=[activity.pk]))
    text = page.content.decode()
    assert "<form" not in text
    assert 'type="email"' not in text
    assert reverse("web:report", args=[activity.pk]) in text
    assert not page.cookies
