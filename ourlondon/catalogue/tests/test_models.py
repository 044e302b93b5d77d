from datetime import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ourlondon.catalogue.models import Activity, Organisation, Schedule, Venue
from ourlondon.catalogue.tests.factories import (
    ActivityFactory,
    OrganisationFactory,
    ScheduleFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("age_min", "age_max", "ok"),
    [
        (0, 0, True),
        (10, 25, True),
        (None, None, True),
        (14, None, True),
        (None, 120, True),
        (16, 11, False),
        (10, 121, False),
    ],
)
def test_age_range_validation(age_min, age_max, ok):
    activity = ActivityFactory.build(
        organisation=OrganisationFactory.create(), venue=VenueFactory.create()
    )
    activity.age_min, activity.age_max = age_min, age_max
    if ok:
        activity.full_clean()
    else:
        with pytest.raises(ValidationError):
            activity.full_clean()


def test_database_refuses_age_min_above_age_max():
    activity = ActivityFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.all_objects.filter(pk=activity.pk).update(age_min=18, age_max=12)


def test_missing_age_range_means_not_stated_never_all_ages():
    activity = ActivityFactory.create(age_min=None, age_max=None)
    assert not activity.age_stated
    assert activity.age_label == "Age not stated"


@pytest.mark.parametrize(
    ("is_free", "price", "ok"),
    [
        (True, None, True),
        (False, Decimal("3.50"), True),
        (False, Decimal("0"), True),
        (False, Decimal("-1"), False),
        (True, Decimal("2"), False),
    ],
)
def test_price_validation(is_free, price, ok):
    activity = ActivityFactory.build(
        organisation=OrganisationFactory.create(), venue=VenueFactory.create()
    )
    activity.is_free, activity.price = is_free, price
    if ok:
        activity.full_clean()
    else:
        with pytest.raises(ValidationError):
            activity.full_clean()


def test_database_refuses_negative_price():
    activity = ActivityFactory.create(is_free=False, price=Decimal("2"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.all_objects.filter(pk=activity.pk).update(price=Decimal("-2"))


def test_activity_needs_a_venue_unless_online():
    activity = ActivityFactory.build(
        organisation=OrganisationFactory.create(), venue=None
    )
    with pytest.raises(ValidationError, match="online"):
        activity.full_clean()
    activity.is_online = True
    activity.full_clean()


def test_schedule_must_end_after_it_starts():
    schedule = ScheduleFactory.build(
        activity=ActivityFactory.create(), start_time=time(18), end_time=time(17)
    )
    with pytest.raises(ValidationError, match="end after it starts"):
        schedule.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        schedule.save()


def test_weekly_schedule_needs_a_day_and_real_weekdays():
    schedule = ScheduleFactory.build(activity=ActivityFactory.create(), weekdays="")
    with pytest.raises(ValidationError, match="at least one day"):
        schedule.full_clean()
    schedule.weekdays = "MO,XX"
    with pytest.raises(ValidationError, match="Unknown weekday"):
        schedule.full_clean()


def test_multi_day_one_off_may_end_earlier_in_the_day():
    schedule = ScheduleFactory.build(
        activity=ActivityFactory.create(),
        kind=Schedule.Kind.ONE_OFF,
        weekdays="",
        start_time=time(10),
        end_time=time(9),
    )
    schedule.end_date = schedule.start_date.replace(day=3)
    schedule.full_clean()


def test_schedule_exceptions_are_normalised_dates():
    schedule = ScheduleFactory.build(
        activity=ActivityFactory.create(), exceptions=["2026-12-29", "2026-12-22"]
    )
    schedule.full_clean()
    assert schedule.exceptions == ["2026-12-22", "2026-12-29"]
    schedule.exceptions = ["next tuesday"]
    with pytest.raises(ValidationError, match="dates like"):
        schedule.full_clean()


def test_unknown_accessibility_feature_is_rejected():
    activity = ActivityFactory.build(
        organisation=OrganisationFactory.create(),
        venue=VenueFactory.create(),
        accessibility=["step-free", "teleporter"],
    )
    with pytest.raises(ValidationError, match="teleporter"):
        activity.full_clean()


@pytest.mark.parametrize(
    ("kind", "charity", "company", "error_field"),
    [
        (Organisation.Kind.CHARITY, "1234567", "", None),
        (Organisation.Kind.CHARITY, "SC012345", "", None),
        (Organisation.Kind.CHARITY, "", "", "charity_number"),
        (Organisation.Kind.CHARITY, "12AB", "", "charity_number"),
        (Organisation.Kind.CIC, "", "12345678", None),
        (Organisation.Kind.CIC, "", "1234", "company_number"),
        (Organisation.Kind.COMMUNITY, "", "", None),
    ],
)
def test_organisation_registration_numbers(kind, charity, company, error_field):
    org = Organisation(
        name="Test",
        slug="test",
        kind=kind,
        charity_number=charity,
        company_number=company,
    )
    if error_field is None:
        org.full_clean()
    else:
        with pytest.raises(ValidationError) as info:
            org.full_clean()
        assert error_field in info.value.message_dict


class TestVenueValidation:
    def test_postcode_fills_point_and_borough(self):
        venue = Venue(name="Hall", postcode="sw21aa")
        venue.full_clean()
        assert venue.postcode == "SW2 1AA"
        assert venue.borough.name == "Lambeth"
        assert venue.lat is not None

    @pytest.mark.parametrize(
        ("postcode", "message"),
        [
            ("not a postcode", "is not a valid UK postcode"),
            ("E8 9ZZ", "could not find the postcode E8 9ZZ"),
            ("M1 1AA", "M1 1AA is not a London postcode"),
        ],
    )
    def test_bad_postcode_is_rejected_saying_which_problem(self, postcode, message):
        venue = Venue(name="Hall", postcode=postcode)
        with pytest.raises(ValidationError) as info:
            venue.full_clean()
        assert message in " ".join(info.value.message_dict["postcode"])
        assert not Venue.objects.exists()

    def test_pin_outside_london_is_rejected_with_its_reason(self):
        venue = Venue(name="Hall", postcode="E8 3AA", lat=51.75, lng=-1.25)
        with pytest.raises(ValidationError) as info:
            venue.full_clean()
        assert "outside London" in " ".join(info.value.message_dict["lat"])
        assert not Venue.objects.exists()

    def test_pin_far_from_its_postcode_is_rejected(self):
        # A Croydon pin with a Hackney postcode.
        venue = Venue(name="Hall", postcode="E8 3AA", lat=51.3762, lng=-0.0982)
        with pytest.raises(ValidationError, match="km from E8 3AA"):
            venue.full_clean()

    def test_pin_near_its_postcode_is_kept(self):
        venue = Venue(name="Hall", postcode="E8 3AA", lat=51.5440, lng=-0.0660)
        venue.full_clean()
        assert (venue.lat, venue.lng) == (51.5440, -0.0660)
        assert venue.borough_id == "E09000012"


class TestPublicManager:
    def test_only_published_activities_of_visible_organisations_are_public(self):
        shown = ActivityFactory.create()
        ActivityFactory.create(status=Activity.Status.PENDING)
        ActivityFactory.create(status=Activity.Status.WITHDRAWN)
        suspended = OrganisationFactory.create(
            verification=Organisation.Verification.SUSPENDED
        )
        ActivityFactory.create(organisation=suspended)
        assert list(Activity.public.all()) == [shown]
        assert Activity.all_objects.count() == 4

    def test_moderated_model_has_no_objects_manager(self):
        assert not hasattr(Activity, "objects")
        assert Activity._default_manager.name == "all_objects"
