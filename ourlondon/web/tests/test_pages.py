import pytest
from django.urls import reverse

from ourlondon.catalogue.models import Activity
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.search.indexing import rebuild_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed_activity():
    activity = ActivityFactory.create(title="Hackney Street Dance", is_demo=True)
    ScheduleFactory.create(activity=activity, weekdays="MO,WE")
    materialise_activity(activity.pk)
    rebuild_index()
    return activity


def test_home_answers_with_quick_exit_help_and_attribution(client, listed_activity):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "What do you want to do?" in html
    assert "data-quick-exit" in html and "Exit this page" in html
    assert 'href="tel:08001111"' in html
    assert "Contains OS data © Crown copyright" in html
    assert 'href="/help/"' in html
    assert "1 activity for young people" in html
    assert 'href="/search/?when=weekend"' in html


def test_public_pages_set_no_cookies(client, listed_activity):
    for url in ["/", reverse("web:activity-detail", args=[listed_activity.pk])]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.cookies == {}
        assert "public" in response["Cache-Control"]


def test_activity_page_shows_the_facts_and_demo_label(client, listed_activity):
    response = client.get(reverse("web:activity-detail", args=[listed_activity.pk]))
    html = response.content.decode()
    assert "Demo listing" in html
    assert "Ages 11 to 16" in html
    assert "Free" in html
    assert "Hackney" in html
    assert "organisation checked on" in html


def test_age_not_stated_is_shown_as_such(client):
    activity = ActivityFactory.create(age_min=None, age_max=None)
    response = client.get(reverse("web:activity-detail", args=[activity.pk]))
    assert "Age not stated" in response.content.decode()


@pytest.mark.parametrize("status", ["draft", "pending", "withdrawn"])
def test_unpublished_activity_is_not_found(client, status):
    activity = ActivityFactory.create(status=status)
    response = client.get(reverse("web:activity-detail", args=[activity.pk]))
    assert response.status_code == 404


def test_unknown_activity_is_404_not_500(client):
    assert client.get("/activities/999999/").status_code == 404
    assert client.get("/activities/abc/").status_code == 404


def test_home_refuses_post(client):
    assert client.post("/").status_code == 405


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_home_counts_only_public_activities(client, listed_activity):
    draft = ActivityFactory.create(status=Activity.Status.DRAFT)
    ScheduleFactory.create(activity=draft, weekdays="MO,WE")
    materialise_activity(draft.pk)
    rebuild_index()
    response = client.get("/")
    assert response.context["total"] == 1
