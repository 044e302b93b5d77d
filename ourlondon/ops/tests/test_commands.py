from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ourlondon.catalogue.tests.factories import ScheduleFactory
from ourlondon.search.engine import search
from ourlondon.search.models import SearchDocument
from ourlondon.search.query import SearchQuery

pytestmark = pytest.mark.django_db


def test_run_periodic_rolls_sessions_and_rebuilds_the_index():
    schedule = ScheduleFactory.create()
    out = StringIO()
    call_command("run_periodic", stdout=out, stderr=StringIO())
    assert "sessions in the next 12 weeks" in out.getvalue()
    assert "Search index: 1 activities" in out.getvalue()
    assert SearchDocument.objects.filter(activity_id=schedule.activity_id).exists()


def test_bootstrap_is_quick_and_quiet_when_everything_is_there():
    out = StringIO()
    call_command("bootstrap", no_demo=True, stdout=out, stderr=StringIO())
    assert "Loaded" not in out.getvalue()


def test_staff_edit_in_the_admin_is_searchable_at_once(admin_client):
    schedule = ScheduleFactory.create()
    activity = schedule.activity
    call_command("rebuild_search_index", stdout=StringIO(), stderr=StringIO())
    assert search(SearchQuery.build(text="kayak")).total == 0
    url = reverse("admin:catalogue_activity_change", args=[activity.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in {"types", "accessibility", "last_confirmed_at"}
    }
    data.update(
        {
            "title": "Kayak taster",
            "types": [t.pk for t in activity.types.all()],
            "is_free": "on",
            "schedules-TOTAL_FORMS": "1",
            "schedules-INITIAL_FORMS": "1",
            "schedules-MIN_NUM_FORMS": "1",
            "schedules-MAX_NUM_FORMS": "1000",
            "schedules-0-id": schedule.pk,
            "schedules-0-activity": activity.pk,
            "schedules-0-kind": "weekly",
            "schedules-0-weekdays": ["TU"],
            "schedules-0-start_time": "18:00",
            "schedules-0-end_time": "19:30",
            "schedules-0-start_date": "2026-01-01",
            "schedules-0-season": "all",
            "schedules-0-exceptions": "",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert search(SearchQuery.build(text="kayak")).total == 1
