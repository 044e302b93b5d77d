import pytest
from django.urls import reverse

from ourlondon.catalogue.models import Activity, Occurrence, Venue
from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ScheduleFactory,
    VenueFactory,
)
from ourlondon.core import clock

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "catalogue/activity",
        "catalogue/activitytype",
        "catalogue/organisation",
        "catalogue/venue",
        "catalogue/occurrence",
        "catalogue/holidayperiod",
        "catalogue/listingreport",
        "core/borough",
        "core/postcode",
    ],
)
def test_staff_can_list_and_search_every_model(admin_client, model):
    ScheduleFactory.create()
    url = f"/staff/{model}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "e8 3aa"}).status_code == 200


def test_activity_change_page_renders_with_inline_schedules(admin_client):
    schedule = ScheduleFactory.create()
    url = reverse("admin:catalogue_activity_change", args=[schedule.activity_id])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"schedules-0-weekdays" in response.content


def test_adding_an_activity_in_the_admin_materialises_its_sessions(admin_client):
    org, venue = OrganisationFactory.create(), VenueFactory.create()
    data = {
        "title": "Tuesday Boxing",
        "description": "Boxing for beginners",
        "types": [],
        "status": "published",
        "organisation": org.pk,
        "venue": venue.pk,
        "age_min": 12,
        "age_max": 18,
        "gender": "any",
        "is_free": "on",
        "accessibility": ["step-free"],
        "source": "manual",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "1",
        "schedules-MAX_NUM_FORMS": "1000",
        "schedules-0-kind": "weekly",
        "schedules-0-weekdays": ["TU", "TH"],
        "schedules-0-start_time": "18:00",
        "schedules-0-end_time": "19:30",
        "schedules-0-start_date": clock.today().isoformat(),
        "schedules-0-season": "all",
        "schedules-0-exceptions": "",
    }
    from ourlondon.catalogue.models import ActivityType

    data["types"] = [ActivityType.objects.get(slug="boxing").pk]
    response = admin_client.post(reverse("admin:catalogue_activity_add"), data)
    assert response.status_code == 302, response.context["errors"]
    activity = Activity.all_objects.get(title="Tuesday Boxing")
    assert activity.schedules.get().weekdays == "TU,TH"
    assert Occurrence.objects.filter(activity=activity).count() >= 23


def test_bad_schedule_in_the_admin_saves_nothing(admin_client):
    org, venue = OrganisationFactory.create(), VenueFactory.create()
    data = {
        "title": "Broken",
        "status": "draft",
        "organisation": org.pk,
        "venue": venue.pk,
        "gender": "any",
        "source": "manual",
        "types": [],
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "1",
        "schedules-MAX_NUM_FORMS": "1000",
        "schedules-0-kind": "weekly",
        "schedules-0-weekdays": ["MO"],
        "schedules-0-start_time": "19:00",
        "schedules-0-end_time": "18:00",
        "schedules-0-start_date": "2026-12-01",
        "schedules-0-season": "all",
    }
    response = admin_client.post(reverse("admin:catalogue_activity_add"), data)
    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()
    assert not Activity.all_objects.filter(title="Broken").exists()


def test_venue_outside_london_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:catalogue_venue_add"),
        {"name": "Manchester Hall", "postcode": "M1 1AA", "address": ""},
    )
    assert response.status_code == 200
    assert "M1 1AA is not a London postcode" in response.content.decode()
    assert not Venue.objects.filter(name="Manchester Hall").exists()


def test_activity_list_filters_by_category_and_borough(admin_client):
    ActivityFactory.create()
    url = reverse("admin:catalogue_activity_changelist")
    response = admin_client.get(
        url,
        {"types__category": "sport", "venue__borough__gss_code__exact": "E09000012"},
    )
    assert response.status_code == 200


def test_moderators_can_resolve_reports_from_the_list(admin_client):
    from ourlondon.catalogue.models import ListingReport

    report = ListingReport.objects.create(
        activity=ActivityFactory.create(), reason="safeguarding", details="worried"
    )
    response = admin_client.post(
        "/staff/catalogue/listingreport/",
        {"action": "mark_resolved", "_selected_action": [report.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ListingReport.Status.RESOLVED
