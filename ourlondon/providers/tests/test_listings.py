"""The listing editor: a provider submits a listing or a change; nothing public
changes until a moderator approves; the moderator sees what changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity
from ourlondon.core import clock
from ourlondon.providers.models import ListingDraft
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def listing_post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Junior boxing",
        "description": "Technique and fitness for beginners.",
        "activity_type": "football",
        "venue_name": "Marsh Hall",
        "venue_address": "1 Marsh Lane",
        "postcode": "e83aa",
        "age_min": "11",
        "age_max": "16",
        "is_free": "on",
        "price": "",
        "accessibility": ["step-free"],
        "weekdays": ["TU", "TH"],
        "start_time": "18:00",
        "end_time": "19:30",
        "start_date": clock.today().isoformat(),
        "end_date": "",
        "booking_email": "hello@peckhamboxing.example",
        "booking_phone": "",
    }
    data.update(changes)
    return data


def _submit(client, org, activity=None, **changes):
    url = (
        reverse("providers:listing-edit", args=[org.pk, activity.pk])
        if activity
        else reverse("providers:listing-new", args=[org.pk])
    )
    return client.post(url, listing_post(**changes))


def _approve(moderator_client, draft):
    return moderator_client.post(reverse("moderation:listing-approve", args=[draft.pk]))


def test_a_new_listing_waits_for_review_then_goes_live_and_into_search(
    checked_org, owner_client, moderator_client, client, inbox
):
    response = _submit(owner_client, checked_org)
    assert response.status_code == 302
    draft = ListingDraft.objects.get()
    assert draft.status == "submitted"
    assert draft.data["postcode"] == "E8 3AA"
    assert not Activity.all_objects.exists()

    review = moderator_client.get(reverse("moderation:listing", args=[draft.pk]))
    assert "Junior boxing" in review.content.decode()
    assert _approve(moderator_client, draft).status_code == 302

    activity = Activity.all_objects.get()
    assert activity.status == "published"
    assert activity.organisation == checked_org
    assert activity.venue is not None
    assert activity.venue.borough_id
    [schedule] = activity.schedules.all()
    assert schedule.weekday_list == ["TU", "TH"]
    assert activity.occurrences.exists()
    assert SearchDocument.objects.filter(activity_id=activity.pk).exists()
    page = client.get(reverse("web:activity-detail", args=[activity.pk]))
    assert "Ages 11 to 16" in page.content.decode()
    assert "is live" in inbox.messages[-1]["Subject"]
    assert AuditEvent.objects.filter(
        action="approve", object_type="catalogue.activity", object_id=str(activity.pk)
    ).exists()


def test_a_change_stays_in_review_while_the_approved_version_stays_live(
    checked_org, owner_client, moderator_client, client
):
    _submit(owner_client, checked_org)
    _approve(moderator_client, ListingDraft.objects.get())
    activity = Activity.all_objects.get()
    public = reverse("web:activity-detail", args=[activity.pk])

    edit = reverse("providers:listing-edit", args=[checked_org.pk, activity.pk])
    form = owner_client.get(edit)
    assert form.context["form"].initial["age_min"] == 11

    assert (
        _submit(
            owner_client, checked_org, activity, age_min="13", age_max="18"
        ).status_code
        == 302
    )
    change = ListingDraft.objects.get(status="submitted")
    assert "Ages 11 to 16" in client.get(public).content.decode()
    activity.refresh_from_db()
    assert (activity.age_min, activity.age_max) == (11, 16)

    review = moderator_client.get(reverse("moderation:listing", args=[change.pk]))
    rows = {c["field"]: (c["before"], c["after"]) for c in review.context["changes"]}
    assert rows == {"Youngest age": (11, 13), "Oldest age": (16, 18)}
    submitted = AuditEvent.objects.get(
        action="submit", object_type="catalogue.activity", object_id=str(activity.pk)
    )
    assert (submitted.before or {})["age_min"] == 11

    _approve(moderator_client, change)
    assert "Ages 13 to 18" in client.get(public).content.decode()


def test_a_second_change_replaces_the_one_waiting(
    checked_org, owner_client, moderator_client
):
    _submit(owner_client, checked_org)
    _approve(moderator_client, ListingDraft.objects.get())
    activity = Activity.all_objects.get()
    _submit(owner_client, checked_org, activity, title="Boxing for juniors")
    _submit(owner_client, checked_org, activity, title="Junior boxing club")
    waiting = ListingDraft.objects.filter(status="submitted")
    assert [d.data["title"] for d in waiting] == ["Junior boxing club"]


def test_rejecting_a_change_keeps_the_live_listing_and_emails_the_reason(
    checked_org, owner_client, moderator_client, client, inbox
):
    _submit(owner_client, checked_org)
    _approve(moderator_client, ListingDraft.objects.get())
    activity = Activity.all_objects.get()
    _submit(owner_client, checked_org, activity, title="Free boxing for all ages")
    change = ListingDraft.objects.get(status="submitted")
    url = reverse("moderation:listing-reject", args=[change.pk])
    assert moderator_client.post(url, {"reason": ""}).status_code == 400
    assert (
        moderator_client.post(url, {"reason": "Ages must be stated."}).status_code
        == 302
    )
    activity.refresh_from_db()
    assert activity.title == "Junior boxing"
    assert (
        "Ages must be stated." in inbox.messages[-1].get_payload(decode=True).decode()
    )


def test_listings_of_an_unchecked_organisation_are_not_published(
    owner, owner_client, moderator_client
):
    org = make_organisation(owner)  # pending
    _submit(owner_client, org)
    response = _approve(moderator_client, ListingDraft.objects.get())
    assert response.status_code == 400
    assert "Check the organisation first" in response.content.decode()
    assert not Activity.all_objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postcode": "SW1A 1ZZZ"}, "postcode", ""),
        ({"postcode": "M1 1AE"}, "postcode", "London"),
        ({"postcode": ""}, "postcode", "postcode"),
        ({"age_min": "16", "age_max": "11"}, "age_max", "oldest age"),
        ({"age_max": "200"}, "age_max", "less than or equal to 120"),
        ({"price": "5.00"}, "price", "free activity has no price"),
        ({"end_time": "17:00"}, "end_time", "end after it starts"),
        ({"weekdays": []}, "weekdays", "required"),
        ({"weekdays": ["XX"]}, "weekdays", "valid choice"),
        ({"activity_type": "no-such-type"}, "activity_type", "valid choice"),
    ],
)
def test_bad_listing_input_is_a_400_naming_the_field(
    checked_org, owner_client, changes, field, message
):
    response = _submit(owner_client, checked_org, **changes)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not ListingDraft.objects.exists()


@pytest.mark.parametrize(
    ("description", "kept"),
    [
        ('<script>alert("x")</script><b>Bring gloves</b>', "Bring gloves"),
        ('<img src="x" onerror="alert(1)">Bring gloves', "Bring gloves"),
        ('<a href="javascript:alert(1)">Bring gloves</a>', "Bring gloves"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Bring gloves", "Bring gloves"),
    ],
)
def test_markup_in_a_description_is_removed_with_a_message_and_never_published(
    checked_org, owner_client, moderator_client, client, description, kept
):
    response = _submit(owner_client, checked_org, description=description)
    assert response.status_code == 302
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("removed HTML" in m for m in told)
    draft = ListingDraft.objects.get()
    assert draft.data["description"] == kept
    _approve(moderator_client, draft)
    activity = Activity.all_objects.get()
    page = client.get(
        reverse("web:activity-detail", args=[activity.pk])
    ).content.decode()
    assert kept in page
    for bad in ("<script>alert", "&lt;script", "onerror=", "javascript:"):
        assert bad not in page


def test_plain_text_descriptions_keep_their_symbols_and_get_no_message(
    checked_org, owner_client
):
    text = "Fish & chips after, ages 11 < 16 > 10.\nBring a drink."
    response = _submit(owner_client, checked_org, description=text)
    assert response.status_code == 302
    assert ListingDraft.objects.get().data["description"] == text
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("removed HTML" in m for m in told)


def test_a_description_that_is_only_markup_is_refused(checked_org, owner_client):
    response = _submit(owner_client, checked_org, description="<script>x</script>")
    assert response.status_code == 400
    errors = response.context["form"].errors["description"]
    assert "nothing was left" in " ".join(errors)
    assert not ListingDraft.objects.exists()
