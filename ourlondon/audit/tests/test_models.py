"""The audit log is append-only: rows are added, never changed or removed."""

from __future__ import annotations

import pytest

from ourlondon.audit.log import record_event, snapshot
from ourlondon.audit.models import AppendOnlyError, AuditEvent
from ourlondon.catalogue.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_an_event_names_the_object_and_keeps_before_and_after(admin_user):
    org = OrganisationFactory.create(name="Hackney Hoops", verification="unverified")
    before = snapshot(org, ["name", "verification"])
    org.name = "Hackney Hoops CIC"
    after = snapshot(org, ["name", "verification"])
    event = record_event(
        AuditEvent.Action.UPDATE, actor=admin_user, obj=org, before=before, after=after
    )
    event.refresh_from_db()
    assert event.object_type == "catalogue.organisation"
    assert event.object_id == str(org.pk)
    assert event.actor_label == admin_user.email
    assert event.before == {"name": "Hackney Hoops", "verification": "unverified"}
    assert event.after is not None
    assert event.after["name"] == "Hackney Hoops CIC"


def test_an_event_cannot_be_changed_or_deleted(admin_user):
    event = record_event(AuditEvent.Action.LOGIN, actor=admin_user, obj=admin_user)
    event.note = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.note == ""


def test_the_admin_lists_and_filters_events_but_offers_no_change(
    admin_client, admin_user
):
    event = record_event(AuditEvent.Action.LOGIN, actor=admin_user, obj=admin_user)
    listing = admin_client.get("/staff/audit/auditevent/?action__exact=login")
    assert listing.status_code == 200
    assert "Logged in" in listing.content.decode()
    page = admin_client.get(f"/staff/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    deleting = admin_client.post(f"/staff/audit/auditevent/{event.pk}/delete/")
    assert deleting.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
