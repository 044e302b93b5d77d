"""Adds, changes and deletions in the staff admin are in the audit log, with
who made them and the values before and after."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import HolidayPeriod, ListingReport, Organisation
from ourlondon.catalogue.tests.factories import ActivityFactory
from ourlondon.core import clock

pytestmark = pytest.mark.django_db


def _events(model: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=model).order_by("id"))


def test_adding_and_changing_in_the_admin_records_before_and_after(
    admin_client, admin_user
):
    add = admin_client.post(
        reverse("admin:catalogue_holidayperiod_add"),
        {"name": "Half term", "start_date": "2026-10-26", "end_date": "2026-10-30"},
    )
    assert add.status_code == 302
    holiday = HolidayPeriod.objects.get(name="Half term")
    change = admin_client.post(
        reverse("admin:catalogue_holidayperiod_change", args=[holiday.pk]),
        {"name": "Half term", "start_date": "2026-10-26", "end_date": "2026-11-02"},
    )
    assert change.status_code == 302
    created, changed = _events("catalogue.holidayperiod")
    assert (created.action, changed.action) == ("create", "update")
    assert created.actor == changed.actor == admin_user
    assert created.before is None
    assert (created.after or {})["end_date"] == "2026-10-30"
    assert (changed.before or {})["end_date"] == "2026-10-30"
    assert (changed.after or {})["end_date"] == "2026-11-02"
    assert "End date" in changed.note


def test_deleting_in_the_admin_records_what_was_deleted(admin_client, admin_user):
    holidays = [
        HolidayPeriod.objects.create(
            name=name, start_date="2026-12-21", end_date="2027-01-01"
        )
        for name in ("Christmas test", "Winter test")
    ]
    admin_client.post(
        reverse("admin:catalogue_holidayperiod_delete", args=[holidays[0].pk]),
        {"post": "yes"},
    )
    admin_client.post(
        reverse("admin:catalogue_holidayperiod_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [holidays[1].pk],
            "post": "yes",
        },
    )
    assert not HolidayPeriod.objects.filter(pk__in=[h.pk for h in holidays]).exists()
    events = _events("catalogue.holidayperiod")
    assert [(e.action, (e.before or {})["name"]) for e in events] == [
        ("delete", "Christmas test"),
        ("delete", "Winter test"),
    ]
    assert all(e.actor == admin_user for e in events)


def test_many_to_many_links_are_in_before_and_after(admin_client):
    activity = ActivityFactory.create()
    page = admin_client.get(
        reverse("admin:catalogue_organisation_change", args=[activity.organisation_id])
    )
    form = page.context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
    }
    data.pop("verified_at")
    data.update(
        {
            "name": "Renamed Trust",
            "verified_at_0": clock.today().isoformat(),
            "verified_at_1": "10:00:00",
            "is_demo": "",
        }
    )
    response = admin_client.post(
        reverse("admin:catalogue_organisation_change", args=[activity.organisation_id]),
        data,
    )
    assert response.status_code == 302, response.context["errors"]
    [event] = _events("catalogue.organisation")
    assert (event.before or {})["name"] != "Renamed Trust"
    assert (event.after or {})["name"] == "Renamed Trust"
    assert Organisation.objects.get(pk=activity.organisation_id).name == "Renamed Trust"


def test_marking_reports_resolved_in_the_admin_is_audited(admin_client, admin_user):
    report = ListingReport.objects.create(
        activity=ActivityFactory.create(), reason="wrong"
    )
    admin_client.post(
        reverse("admin:catalogue_listingreport_changelist"),
        {"action": "mark_resolved", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.status == "resolved"
    assert report.handled_by == admin_user
    [event] = _events("catalogue.listingreport")
    assert (event.before, event.after) == ({"status": "open"}, {"status": "resolved"})
