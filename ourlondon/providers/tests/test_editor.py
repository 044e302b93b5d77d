"""The listing editor's schedules, venue pin, preview and withdrawal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import (
    Activity,
    HolidayPeriod,
    Occurrence,
    Schedule,
    Venue,
)
from ourlondon.catalogue.recurrence import LONDON
from ourlondon.core import clock
from ourlondon.core.postcodes import lookup_postcode
from ourlondon.providers.listings import listing_data
from ourlondon.providers.models import ListingDraft
from ourlondon.providers.schedules import FLAT_KEYS
from ourlondon.providers.tests.test_listings import listing_post
from ourlondon.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def today() -> date:
    return clock.today()


def weekly(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "pattern": "weekly",
        "weekdays": ["MO", "WE"],
        "start_time": "16:00",
        "end_time": "17:30",
        "start_date": today().isoformat(),
        "end_date": "",
        "exceptions": "",
    }
    row.update(changes)
    return row


def editor_post(*schedules: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The editor's POST: the listing, its schedules and one blank spare row (as
    a browser sends it: the pattern select always has a value)."""
    data = {k: v for k, v in listing_post(**changes).items() if k not in FLAT_KEYS}
    rows = [*schedules, {"pattern": "weekly"}]
    data.update(
        {
            "schedules-TOTAL_FORMS": str(len(rows)),
            "schedules-INITIAL_FORMS": "0",
            "schedules-MIN_NUM_FORMS": "0",
            "schedules-MAX_NUM_FORMS": "10",
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"schedules-{index}-{key}"] = value
    return data


def _new(org) -> str:
    return reverse("providers:listing-new", args=[org.pk])


def _approve(moderator_client, draft=None):
    draft = draft or ListingDraft.objects.get(status="submitted")
    response = moderator_client.post(
        reverse("moderation:listing-approve", args=[draft.pk])
    )
    assert response.status_code == 302, response.content
    return ListingDraft.objects.select_related("activity").get(pk=draft.pk).activity


# Schedules ------------------------------------------------------------------


def test_several_schedules_are_reviewed_and_all_written_with_their_sessions(
    checked_org, owner_client, moderator_client, client
):
    # A cancelled Monday two weeks on; the Mondays either side still run.
    cancelled = today() + timedelta(days=14 - today().weekday())
    one_day = today() + timedelta(days=10)
    response = owner_client.post(
        _new(checked_org),
        editor_post(
            weekly(exceptions=f"{cancelled:%d/%m/%Y}", end_date=""),
            weekly(
                pattern="term", weekdays=["FR"], start_time="18:00", end_time="19:00"
            ),
            weekly(
                pattern="one_off",
                weekdays=[],
                start_date=one_day.isoformat(),
                start_time="10:00",
                end_time="15:00",
            ),
        ),
    )
    assert response.status_code == 302, response.context["formset"].errors
    draft = ListingDraft.objects.get()
    assert [s["kind"] for s in draft.data["schedules"]] == [
        "weekly",
        "weekly",
        "one_off",
    ]
    assert draft.data["schedules"][0]["exceptions"] == [cancelled.isoformat()]
    assert draft.data["schedules"][1]["season"] == "term"

    review = moderator_client.get(reverse("moderation:listing", args=[draft.pk]))
    when = {c["field"]: c["after"] for c in review.context["changes"]}["When"]
    assert (
        f"Weekly Mon, Wed 16:00–17:30 from {today().isoformat()}, ongoing, "
        f"not on {cancelled.isoformat()}"
    ) in when
    assert "Weekly Fri 18:00–19:00 in school terms only" in when
    assert f"Once, on {one_day.isoformat()} 10:00–15:00" in when
    assert "not on" in review.content.decode()

    activity = _approve(moderator_client, draft)
    schedules = list(activity.schedules.order_by("pk"))
    assert [(s.kind, s.season) for s in schedules] == [
        ("weekly", "all"),
        ("weekly", "term"),
        ("one_off", "all"),
    ]
    sessions = Occurrence.objects.filter(activity=activity)
    by_schedule = {s.pk: sessions.filter(schedule=s).count() for s in schedules}
    assert all(by_schedule.values())
    days = {o.start.astimezone(LONDON).date() for o in sessions}
    assert cancelled not in days
    assert {cancelled - timedelta(days=7), cancelled + timedelta(days=7)} <= days
    assert one_day in days
    assert SearchDocument.objects.filter(activity_id=activity.pk).exists()
    page = client.get(reverse("web:activity-detail", args=[activity.pk]))
    assert "(term time only)" in page.content.decode()


def test_a_term_time_schedule_skips_the_school_holidays(
    checked_org, owner_client, moderator_client
):
    # The test's own calendar: one half term, and no real holiday in its window.
    HolidayPeriod.objects.all().delete()
    holiday = HolidayPeriod.objects.create(
        name="Test half term",
        start_date=today() + timedelta(days=14),
        end_date=today() + timedelta(days=20),
    )
    every_day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    owner_client.post(
        _new(checked_org), editor_post(weekly(pattern="term", weekdays=every_day))
    )
    activity = _approve(moderator_client)
    days = {
        o.start.astimezone(LONDON).date()
        for o in Occurrence.objects.filter(activity=activity)
    }
    assert today() + timedelta(days=13) in days
    assert today() + timedelta(days=21) in days
    assert not any(holiday.start_date <= d <= holiday.end_date for d in days)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"weekdays": []}, "weekdays", "Choose the days"),
        ({"end_time": "15:00"}, "end_time", "end after it starts"),
        ({"exceptions": "25/13/2026"}, "exceptions", "not a date"),
        ({"exceptions": "next tuesday"}, "exceptions", "not a date"),
        ({"exceptions": "2001-01-01"}, "exceptions", "outside this schedule"),
        ({"weekdays": ["SU"], "exceptions": "_MONDAY_"}, "exceptions", "Monday"),
        ({"pattern": "one_off", "exceptions": "_MONDAY_"}, "exceptions", "single date"),
        ({"pattern": "fortnightly"}, "pattern", "valid choice"),
        ({"start_date": ""}, "start_date", "required"),
    ],
)
def test_a_bad_schedule_is_a_400_naming_the_field(
    checked_org, owner_client, row, field, message
):
    monday = today() + timedelta(days=7 - today().weekday())
    row = {k: (monday.isoformat() if v == "_MONDAY_" else v) for k, v in row.items()}
    response = owner_client.post(_new(checked_org), editor_post(weekly(**row)))
    assert response.status_code == 400
    errors = response.context["formset"].forms[0].errors[field]
    assert message in " ".join(errors)
    assert message in response.content.decode()  # in the error summary too
    assert not ListingDraft.objects.exists()


def test_a_listing_needs_a_schedule(checked_org, owner_client):
    response = owner_client.post(_new(checked_org), editor_post())
    assert response.status_code == 400
    assert "at least one schedule" in " ".join(
        response.context["formset"].non_form_errors()
    )


def test_removing_a_schedule_on_edit_removes_its_future_sessions(
    checked_org, owner_client, moderator_client
):
    owner_client.post(
        _new(checked_org),
        editor_post(weekly(), weekly(weekdays=["SA"], start_time="10:00")),
    )
    activity = _approve(moderator_client)
    edit = reverse("providers:listing-edit", args=[checked_org.pk, activity.pk])
    page = owner_client.get(edit)
    formset = page.context["formset"]
    assert len(formset.forms) == 4  # two schedules and two spare rows
    assert formset.forms[1].initial["weekdays"] == ["SA"]
    post = editor_post(weekly(), weekly(weekdays=["SA"], start_time="10:00"))
    post["schedules-1-DELETE"] = "on"
    assert owner_client.post(edit, post).status_code == 302
    _approve(moderator_client)
    assert [s.weekday_list for s in activity.schedules.all()] == [["MO", "WE"]]
    starts = Occurrence.objects.filter(activity=activity)
    assert {o.start.astimezone(LONDON).weekday() for o in starts} <= {0, 2}


def test_an_old_single_schedule_draft_still_approves_and_diffs(
    checked_org, owner, moderator_client
):
    """Drafts saved before several schedules (and the spreadsheet upload, which
    fills the flat fields) have no `schedules` key."""
    flat = {k: v for k, v in listing_post().items() if k != "postcode"}
    flat.update(
        postcode="E8 3AA",
        age_min=11,
        age_max=16,
        is_free=True,
        price=None,
        is_online=False,
        accessibility=["step-free"],
    )
    draft = ListingDraft.objects.create(
        organisation=checked_org, data=flat, created_by=owner
    )
    review = moderator_client.get(reverse("moderation:listing", args=[draft.pk]))
    when = {c["field"]: c["after"] for c in review.context["changes"]}["When"]
    assert when == f"Weekly Tue, Thu 18:00–19:30 from {today().isoformat()}, ongoing"
    activity = _approve(moderator_client, draft)
    [schedule] = activity.schedules.all()
    assert (schedule.kind, schedule.weekday_list) == ("weekly", ["TU", "TH"])
    assert activity.occurrences.exists()
    # And a change against it compares schedules, not flat keys.
    draft2 = ListingDraft.objects.create(
        organisation=checked_org, activity=activity, data=flat, created_by=owner
    )
    review = moderator_client.get(reverse("moderation:listing", args=[draft2.pk]))
    assert review.context["changes"] == []


def test_the_single_schedule_fields_still_make_a_listing(checked_org):
    """The contract with the spreadsheet upload: `ListingForm(data)` with the
    flat schedule fields, then `submit_listing(data=form.listing())`."""
    from ourlondon.providers.forms import ListingForm

    form = ListingForm(listing_post())
    assert form.is_valid(), form.errors
    listing = form.listing()
    assert listing["schedules"] == [
        {
            "kind": "weekly",
            "season": "all",
            "weekdays": ["TU", "TH"],
            "start_time": "18:00",
            "end_time": "19:30",
            "start_date": today().isoformat(),
            "end_date": "",
            "exceptions": [],
        }
    ]
    assert not ListingForm(listing_post(weekdays=[])).is_valid()


# The venue pin ----------------------------------------------------------------


def test_a_dragged_pin_is_kept_reviewed_and_placed_on_approval(
    checked_org, owner_client, moderator_client
):
    at = lookup_postcode("E8 3AA")
    pin = (round(at.lat + 0.003, 5), round(at.lng - 0.002, 5))
    owner_client.post(
        _new(checked_org),
        editor_post(weekly(), venue_lat=str(pin[0]), venue_lng=str(pin[1])),
    )
    draft = ListingDraft.objects.get()
    assert (draft.data["venue_lat"], draft.data["venue_lng"]) == pin
    activity = _approve(moderator_client, draft)
    assert activity.venue is not None
    assert (activity.venue.lat, activity.venue.lng) == pin

    # Moving it is a change a moderator sees; the live pin stays until then.
    edit = reverse("providers:listing-edit", args=[checked_org.pk, activity.pk])
    assert owner_client.get(edit).context["form"].initial["venue_lat"] == pin[0]
    moved = (round(pin[0] + 0.001, 5), pin[1])
    owner_client.post(
        edit, editor_post(weekly(), venue_lat=str(moved[0]), venue_lng=str(moved[1]))
    )
    change = ListingDraft.objects.get(status="submitted")
    review = moderator_client.get(reverse("moderation:listing", args=[change.pk]))
    rows = {c["field"]: (c["before"], c["after"]) for c in review.context["changes"]}
    assert rows == {
        "Pin on the map": (
            f"{pin[0]:.5f}, {pin[1]:.5f}",
            f"{moved[0]:.5f}, {moved[1]:.5f}",
        )
    }
    activity.venue.refresh_from_db()
    assert activity.venue.lat == pin[0]


def test_without_a_pin_the_postcode_places_the_venue(
    checked_org, owner_client, moderator_client
):
    owner_client.post(_new(checked_org), editor_post(weekly()))
    assert ListingDraft.objects.get().data["venue_lat"] is None
    activity = _approve(moderator_client)
    at = lookup_postcode("E8 3AA")
    assert (activity.venue.lat, activity.venue.lng) == (at.lat, at.lng)
    # A pin left on the postcode's point is no change.
    assert listing_data(activity)["venue_lat"] is None


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        (52.2053, 0.1218, "outside London"),  # Cambridge
        (51.5007, -0.1246, "km from E8 3AA"),  # Westminster, in London but far
        (51.55, "", "both latitude and longitude"),
        ("north", -0.05, "Enter a number"),
    ],
)
def test_a_pin_outside_london_or_far_from_its_postcode_is_refused(
    checked_org, owner_client, lat, lng, message
):
    response = owner_client.post(
        _new(checked_org), editor_post(weekly(), venue_lat=lat, venue_lng=lng)
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["venue_lat"])
    assert not ListingDraft.objects.exists()


def test_the_editor_offers_the_map_with_vendored_leaflet_only(
    owner_client, checked_org
):
    page = owner_client.get(_new(checked_org)).content.decode()
    assert 'id="pin-map"' in page
    assert "/static/web/vendor/leaflet/leaflet.js" in page
    assert "/static/providers/pin.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()
    assert 'name="venue_lat"' in page  # the fields work without the map


# Preview --------------------------------------------------------------------


def _catalogue() -> tuple:
    return (
        sorted(Activity.all_objects.values_list("pk", "title", "age_min", "status")),
        Venue.objects.count(),
        Schedule.objects.count(),
        Occurrence.objects.count(),
        SearchDocument.objects.count(),
        ListingDraft.objects.count(),
        AuditEvent.objects.exclude(action__in=["login", "logout"]).count(),
    )


def test_preview_is_the_public_page_with_the_proposed_listing_and_saves_nothing(
    checked_org, owner_client
):
    before = _catalogue()
    at = lookup_postcode("E8 3AA")
    post = editor_post(
        weekly(weekdays=["TU"], start_time="18:00", end_time="19:30"),
        title="Girls' boxing",
        age_min="12",
        age_max="17",
        venue_lat=str(round(at.lat + 0.002, 5)),
        venue_lng=str(round(at.lng, 5)),
    )
    response = owner_client.post(_new(checked_org), {**post, "preview": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert [t.name for t in response.templates][0] == "web/activity_detail.html"
    assert "Preview — not yet public" in page
    assert "<h1>Girls&#x27; boxing</h1>" in page
    assert "Ages 12 to 17" in page
    assert "Weekly TU 18:00–19:30" in page
    assert "Marsh Hall" in page and "Hackney" in page
    assert f'data-lat="{round(at.lat + 0.002, 5)}"' in page
    assert "Tue " in page  # the next sessions, computed in memory
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert _catalogue() == before
    # The banner's form sends the same listing for review.
    assert 'name="title" value="Girls&#x27; boxing"' in page


def test_preview_of_a_change_shows_it_while_the_live_page_keeps_its_version(
    checked_org, owner_client, moderator_client, client
):
    owner_client.post(_new(checked_org), editor_post(weekly()))
    activity = _approve(moderator_client)
    before = _catalogue()
    edit = reverse("providers:listing-edit", args=[checked_org.pk, activity.pk])
    response = owner_client.post(
        edit, {**editor_post(weekly(), title="Boxing for juniors"), "preview": "1"}
    )
    assert "Boxing for juniors" in response.content.decode()
    assert _catalogue() == before
    public = client.get(reverse("web:activity-detail", args=[activity.pk]))
    assert "Boxing for juniors" not in public.content.decode()


def test_preview_with_bad_input_shows_the_form_with_errors(checked_org, owner_client):
    response = owner_client.post(
        _new(checked_org), {**editor_post(weekly(), age_max="200"), "preview": "1"}
    )
    assert response.status_code == 400
    assert "age_max" in response.context["form"].errors


def test_back_from_the_preview_returns_to_the_filled_form(checked_org, owner_client):
    post = {**editor_post(weekly(), title="Girls' boxing"), "edit": "1"}
    response = owner_client.post(_new(checked_org), post)
    assert response.status_code == 200
    assert response.context["form"]["title"].value() == "Girls' boxing"
    assert not ListingDraft.objects.exists()


# Withdrawing ----------------------------------------------------------------


def test_a_provider_withdraws_a_change_waiting_for_review(
    checked_org, owner_client, moderator_client, client
):
    owner_client.post(_new(checked_org), editor_post(weekly()))
    activity = _approve(moderator_client)
    edit = reverse("providers:listing-edit", args=[checked_org.pk, activity.pk])
    owner_client.post(edit, editor_post(weekly(), title="Changed my mind"))
    draft = ListingDraft.objects.get(status="submitted")
    url = reverse("providers:draft-withdraw", args=[checked_org.pk, draft.pk])
    assert owner_client.get(url).status_code == 405
    assert owner_client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "withdrawn"
    assert (
        moderator_client.post(
            reverse("moderation:listing-approve", args=[draft.pk])
        ).status_code
        == 400
    )
    activity.refresh_from_db()
    assert (activity.title, activity.status) == ("Junior boxing", "published")
    assert AuditEvent.objects.filter(
        object_type="providers.listingdraft", object_id=str(draft.pk)
    ).exists()
    assert owner_client.post(url).status_code == 400  # twice: a clear refusal


def test_a_provider_unpublishes_a_live_listing_at_once_and_relists_through_review(
    checked_org, owner, owner_client, moderator_client, client
):
    owner_client.post(_new(checked_org), editor_post(weekly()))
    activity = _approve(moderator_client)
    public = reverse("web:activity-detail", args=[activity.pk])
    assert client.get(public).status_code == 200
    url = reverse("providers:listing-withdraw", args=[checked_org.pk, activity.pk])
    assert "Withdraw the listing" in owner_client.get(url).content.decode()
    # Without the confirmation nothing happens.
    assert owner_client.post(url).status_code == 400
    assert Activity.all_objects.get(pk=activity.pk).status == "published"

    assert owner_client.post(url, {"confirm": "withdraw"}).status_code == 302
    activity.refresh_from_db()
    assert activity.status == "withdrawn"
    assert client.get(public).status_code == 404
    assert not SearchDocument.objects.filter(activity_id=activity.pk).exists()
    assert client.get(f"/api/v1/activities/{activity.pk}").status_code == 404
    event = AuditEvent.objects.get(action="unpublish", object_id=str(activity.pk))
    assert event.actor == owner
    assert (event.before, event.after) == (
        {"status": "published"},
        {"status": "withdrawn"},
    )

    # Listing it again is a change a moderator approves.
    edit = reverse("providers:listing-edit", args=[checked_org.pk, activity.pk])
    assert owner_client.post(edit, editor_post(weekly())).status_code == 302
    assert client.get(public).status_code == 404
    draft = ListingDraft.objects.get(status="submitted")
    review = moderator_client.get(reverse("moderation:listing", args=[draft.pk]))
    assert "listing again" in review.content.decode()
    _approve(moderator_client, draft)
    assert client.get(public).status_code == 200
    assert SearchDocument.objects.filter(activity_id=activity.pk).exists()
