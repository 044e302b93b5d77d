"""The portal: create an organisation with its safeguarding details, edit it,
claim one already listed, invite a colleague."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ourlondon.accounts.tests.factories import make_user
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Organisation
from ourlondon.catalogue.tests.factories import OrganisationFactory
from ourlondon.providers.models import ClaimRequest, Membership, SafeguardingProfile
from ourlondon.providers.organisations import invitation_token
from ourlondon.providers.tests.conftest import signed_in
from ourlondon.providers.tests.factories import (
    PDF,
    make_organisation,
    organisation_post,
)

pytestmark = pytest.mark.django_db
NEW = reverse("providers:organisation-new")


def test_the_portal_asks_for_sign_in(client):
    response = client.get(reverse("providers:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_portal_refuses_an_unverified_address(db):
    client = signed_in(make_user("new@club.example", verified=False))
    assert client.get(reverse("providers:home")).status_code == 403


def test_a_provider_creates_an_organisation_that_waits_for_a_check(owner, owner_client):
    response = owner_client.post(NEW, organisation_post())
    org = Organisation.objects.get(name="Peckham Boxing Club")
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:organisation", args=[org.pk])
    assert org.verification == Organisation.Verification.PENDING
    assert org.verified_at is None
    assert org.charity_number == "1123456"
    profile = org.safeguarding
    assert profile.lead_name == "Ada Okafor"
    assert profile.dbs_declared
    assert profile.declared_by == owner
    assert Membership.objects.get(organisation=org).role == "owner"
    event = AuditEvent.objects.get(action="create", object_id=str(org.pk))
    assert event.actor == owner
    assert (event.after or {})["safeguarding"]["lead_role"] == "Welfare officer"

    page = owner_client.get(response["Location"]).content.decode()
    assert "Check in progress" in page


def test_a_policy_pdf_upload_is_kept_and_read_by_members_only(
    owner_client, stranger_client
):
    upload = SimpleUploadedFile("policy.pdf", PDF, content_type="application/pdf")
    response = owner_client.post(
        NEW, organisation_post(policy_url="", policy_file=upload)
    )
    assert response.status_code == 302
    org = Organisation.objects.get()
    url = reverse("providers:policy", args=[org.pk])
    download = owner_client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert stranger_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"policy_url": ""}, "policy_file", "Upload your safeguarding policy"),
        (
            {"policy_url": "http://peckhamboxing.example/p"},
            "policy_url",
            "https://",
        ),
        ({"dbs_declared": ""}, "dbs_declared", "This field is required"),
        ({"lead_name": ""}, "lead_name", "This field is required"),
        ({"charity_number": "12"}, "charity_number", "Enter a charity number"),
        (
            {"kind": "company", "charity_number": ""},
            "company_number",
            "Companies House number",
        ),
        ({"kind": "school"}, "kind_detail", "what kind of organisation"),
        ({"kind": "unknown"}, "kind", "Select a valid choice"),
        (
            {
                "kind": "community",
                "kind_detail": "Tenants' football",
                "referee1_name": "A",
            },
            "referee2_name",
            "two referees",
        ),
    ],
)
def test_bad_organisation_details_are_refused_with_a_reason(
    owner_client, changes, field, message
):
    response = owner_client.post(NEW, organisation_post(**changes))
    assert response.status_code == 400
    forms = [response.context["org_form"], response.context["sg_form"]]
    errors = " ".join(" ".join(f.errors.get(field, [])) for f in forms)
    assert message in errors
    assert not Organisation.objects.exists()


def test_a_community_group_with_two_referees_is_accepted(owner_client):
    response = owner_client.post(
        NEW,
        organisation_post(
            kind="community",
            charity_number="",
            kind_detail="Tenants' association football team",
            referee1_name="Rev. J. Smith",
            referee1_contact="020 7946 0000",
            referee2_name="Cllr P. Jones",
            referee2_contact="p.jones@council.example",
        ),
    )
    assert response.status_code == 302
    profile = SafeguardingProfile.objects.get()
    assert [r.name for r in profile.referees.all()] == [
        "Rev. J. Smith",
        "Cllr P. Jones",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policy.pdf", b"<html>not a pdf</html>", "must be a PDF"),
        ("policy.exe", PDF, "must be a PDF"),
        ("policy.pdf", PDF + b"x" * 2000, "too large"),
    ],
)
def test_a_policy_upload_must_be_a_small_pdf(
    owner_client, settings, name, content, message
):
    settings.POLICY_MAX_BYTES = 1000
    upload = SimpleUploadedFile(name, content)
    response = owner_client.post(
        NEW, organisation_post(policy_url="", policy_file=upload)
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["sg_form"].errors["policy_file"])
    assert not Organisation.objects.exists()


def test_editing_sends_the_organisation_back_for_a_check_and_is_audited(
    owner, owner_client
):
    org = make_organisation(owner)
    Organisation.objects.filter(pk=org.pk).update(
        verification="verified", verified_at="2026-01-01T00:00Z"
    )
    url = reverse("providers:organisation-edit", args=[org.pk])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, organisation_post(lead_name="Grace Mensah"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.verification == "pending"
    assert org.safeguarding.lead_name == "Grace Mensah"
    event = AuditEvent.objects.get(action="update", object_id=str(org.pk))
    assert (event.before or {})["safeguarding"]["lead_name"] == "Ada Okafor"
    assert (event.before or {})["organisation"]["verification"] == "verified"
    assert (event.after or {})["safeguarding"]["lead_name"] == "Grace Mensah"


def test_a_suspended_organisation_cannot_be_edited_by_its_provider(owner, owner_client):
    org = make_organisation(owner)
    Organisation.objects.filter(pk=org.pk).update(verification="suspended")
    url = reverse("providers:organisation-edit", args=[org.pk])
    assert owner_client.post(url, organisation_post(name="New name")).status_code == 403
    org.refresh_from_db()
    assert org.name == "Peckham Boxing Club"


def test_a_provider_asks_to_manage_an_organisation_already_listed(owner, owner_client):
    listed = OrganisationFactory.create(name="Lewisham Lions Youth FC")
    found = owner_client.get(reverse("providers:claim"), {"q": "lions"})
    assert "Lewisham Lions Youth FC" in found.content.decode()
    response = owner_client.post(
        reverse("providers:claim"),
        {"organisation": listed.pk, "message": "I am the club secretary."},
    )
    assert response.status_code == 302
    claim = ClaimRequest.objects.get()
    assert (claim.user, claim.organisation, claim.status) == (owner, listed, "pending")
    assert AuditEvent.objects.filter(action="claim", object_id=str(listed.pk)).exists()
    again = owner_client.post(
        reverse("providers:claim"),
        {"organisation": listed.pk, "message": "Again."},
    )
    assert again.status_code == 400
    assert "already asked" in again.content.decode()
    assert ClaimRequest.objects.count() == 1


def test_an_organisation_with_managers_cannot_be_claimed(owner, stranger_client):
    org = make_organisation(owner)
    response = stranger_client.post(
        reverse("providers:claim"), {"organisation": org.pk, "message": "Mine!"}
    )
    assert response.status_code == 400
    assert not ClaimRequest.objects.exists()


def _link(message) -> str:
    body = message.get_payload(decode=True).decode()
    found = re.search(r"http://testserver(/provider/join/\S+/)", body)
    assert found
    return found.group(1)


def test_a_member_invites_a_colleague_by_a_signed_link(owner, owner_client, inbox):
    org = make_organisation(owner)
    response = owner_client.post(
        reverse("providers:invite", args=[org.pk]),
        {"email": "coach@peckhamboxing.example"},
    )
    assert response.status_code == 302
    [message] = inbox.messages
    assert message["To"] == "coach@peckhamboxing.example"
    link = _link(message)

    wrong_person = signed_in(make_user("other@elsewhere.example"))
    refused = wrong_person.post(link)
    assert refused.status_code == 400
    assert "another email address" in refused.content.decode()

    coach = make_user("coach@peckhamboxing.example")
    colleague = signed_in(coach)
    assert colleague.get(link).status_code == 200
    assert colleague.post(link).status_code == 302
    membership = Membership.objects.get(user=coach)
    assert (membership.organisation, membership.role) == (org, "member")
    assert AuditEvent.objects.filter(action="invite", object_id=str(org.pk)).exists()
    assert AuditEvent.objects.get(action="join").actor == coach


def test_an_expired_or_altered_invitation_is_refused(owner, clock):
    org = make_organisation(owner)
    coach = make_user("coach@peckhamboxing.example")
    clock.set(clock.now())
    old = invitation_token(organisation=org, email=coach.email, by=owner)
    clock.advance(days=8)
    client = signed_in(coach)
    expired = client.post(reverse("providers:join", args=[old]))
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()
    fresh = invitation_token(organisation=org, email=coach.email, by=owner)
    altered = client.post(reverse("providers:join", args=[fresh[:-2] + "xx"]))
    assert altered.status_code == 400
    assert "not valid" in altered.content.decode()
    assert not Membership.objects.filter(user=coach).exists()


def test_a_bad_invitation_address_is_a_400(owner, owner_client):
    org = make_organisation(owner)
    response = owner_client.post(
        reverse("providers:invite", args=[org.pk]), {"email": "not an address"}
    )
    assert response.status_code == 400
