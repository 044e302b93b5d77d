"""The real OpenActive examples through the harvester: the specification's
example pages and items from real publishers' feeds (fixtures/
openactive-examples, copied from shared/data/openactive/rpde; see the README
there). Each item is listed or refused with its reason, never lost to an error;
and moved to London, the listable ones are listed as they describe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ourlondon.catalogue.models import Activity
from ourlondon.ingest import openactive
from ourlondon.ingest.harvesting import harvest_feed
from ourlondon.ingest.models import Feed, FeedItem, FeedRejection
from ourlondon.ingest.tests.publisher import Publisher, approved_feed, serve

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "openactive-examples"


@pytest.fixture(autouse=True)
def local_feeds(settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True


def recorded_items(name: str) -> list[dict[str, Any]]:
    """The RPDE items of an example file: a whole page, one item, or (some
    publisher fixtures) an item's bare `data`."""
    raw = json.loads((EXAMPLES / f"{name}.json").read_text())
    if "items" in raw:
        return list(raw["items"])
    if "state" in raw:
        return [raw]
    data = raw["data"] if set(raw) == {"data"} else raw
    return [
        {
            "state": "updated",
            "kind": openactive.item_type(data) or "Unknown",
            "id": name,
            "modified": 1,
            "data": data,
        }
    ]


def replayed(items: list[dict[str, Any]]) -> Publisher:
    """A feed of one page holding `items`, then the last page."""
    publisher = Publisher()

    def answer(query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        last = query.get("page") == ["last"]
        page = {"next": "?page=last", "items": [] if last else items}
        return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()

    publisher.intercept = answer
    return publisher


def harvest_examples(examples: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Harvest each example as its own feed; what became of each item: "listed"
    or the reason it was refused."""
    with serve({name: replayed(items) for name, items in examples.items()}) as base:
        for name in examples:
            feed = approved_feed(base, name)
            report = harvest_feed(feed)
            assert report.caught_up, report.summary()
    outcome = {
        f"{item.feed.name}/{item.item_id}": "stored"
        for item in FeedItem.objects.select_related("feed")
    }
    for rejection in FeedRejection.objects.select_related("feed"):
        outcome[f"{rejection.feed.name}/{rejection.item_id}"] = rejection.reason
    return outcome


ALL = sorted(path.stem for path in EXAMPLES.glob("*.json"))


def test_every_real_example_is_stored_or_refused_with_its_reason():
    outcome = harvest_examples({name: recorded_items(name) for name in ALL})
    facility = "Facility bookings (FacilityUse, Slot) are not activities: not listed."
    milton_keynes = "The location (52.04062, -0.75942) is not in London."
    assert outcome == {
        # An online course for children (eventAttendanceMode, no place).
        "course-with-schedule/311870": "stored",
        # TeamUp: the place is on the event, not on its series.
        "event-with-superevent/00620dd0cea2a867dd4eadc8da9983f6dbe31c1e": (
            "CW12 1QU is not in London."
        ),
        "event_example_1/151175": "TS4 3AE is not in London.",
        "facilityuse/facilityuse": facility,
        "facilityuse-embedded-slot/155569": facility,
        "facilityuse_example_1/009SQUASH2018-07-17T06:20:00Z": facility,
        "place_example_1/1402CBP20150217": "Items of type 'Place' are not listed.",
        # Split feeds harvested apart: each session waits for its series.
        "scheduledsession-referenced-superevent/bzncxfzk8oe": (
            "Waiting for its series https://playwaze.com/SessionSeries/jifgh8dinma."
        ),
        "scheduledsession-split_example_1/C5EE1E55-2DE6-44F7-A865-42F268A82C63": (
            "Waiting for its series "
            "https://opensessions.io/api/session-series/1402CBP20150217."
        ),
        "scheduledsession-with-superevent/111": (
            "The item has no location (and is not online)."
        ),
        "scheduledsession_example_1/C5EE1E55-2DE6-44F7-A865-42F268A82C63": (
            "TS4 3AE is not in London."
        ),
        # Playwaze gives a pin and no postcode.
        "sessionseries/jifgh8dinma": milton_keynes,
        "sessionseries-split_example_1/1402CBP20150217": "TS4 3AE is not in London.",
        "sessionseries-with-schedule/tlqi1kkclv66": milton_keynes,
        "sessionseries-with-schedule-exdates/tlqi1kkclv66": milton_keynes,
        "sessionseries_example_1/1402CBP20150217": "TS4 3AE is not in London.",
        "slot-referenced-facilityuse/slot-referenced-facilityuse": facility,
        "slot_example_1/009/2018-03-01T10:00:00Z": facility,
    }
    # Pins outside London are counted as outside London, like postcodes.
    outside = dict(Feed.objects.values_list("name", "items_outside_london"))
    assert outside["sessionseries"] == outside["event-with-superevent"] == 1
    assert sum(outside.values()) == 8
    assert Activity.all_objects.get().title == "S4K TV - Dance"


HACKNEY_PIN = {"@type": "GeoCoordinates", "latitude": 51.5423, "longitude": -0.0559}


def in_london(value: Any, *, pin_only: bool = False) -> Any:
    """The example with every place moved to Hackney: by postcode (E8 3AA,
    no pin), or by pin alone."""
    if isinstance(value, list):
        return [in_london(v, pin_only=pin_only) for v in value]
    if not isinstance(value, dict):
        return value
    moved = {k: in_london(v, pin_only=pin_only) for k, v in value.items()}
    place = moved.get("location")
    if isinstance(place, dict):
        place = {k: v for k, v in place.items() if k != "geo"}
        address = dict(place.get("address") or {})
        address.pop("postalCode", None)
        if pin_only:
            place["geo"] = HACKNEY_PIN
        else:
            address["postalCode"] = "E8 3AA"
        place["address"] = address
        moved["location"] = place
    return moved


def listing(source_id: str) -> dict[str, Any]:
    activity = Activity.all_objects.select_related("venue", "organisation").get(
        source_id=source_id
    )
    venue = activity.venue
    return {
        "title": activity.title,
        "ages": (activity.age_min, activity.age_max),
        "free": activity.is_free,
        "price": None if activity.price is None else str(activity.price),
        "organiser": activity.organisation.name,
        "venue": None if venue is None else (venue.postcode, venue.borough_id),
        "types": sorted(activity.types.values_list("slug", flat=True)),
        "schedules": sorted(
            (kind, days, str(at), str(on))
            for kind, days, at, on in activity.schedules.values_list(
                "kind", "weekdays", "start_time", "start_date"
            )
        ),
    }


def test_the_real_examples_moved_to_london_are_listed_as_they_describe():
    examples = {
        name: in_london(recorded_items(name))
        for name in (
            "sessionseries_example_1",
            "scheduledsession_example_1",
            "event-with-superevent",
        )
    }
    # Split feeds in one feed here: the series after its session, which waits.
    examples["split"] = in_london(
        recorded_items("scheduledsession-split_example_1")
        + recorded_items("sessionseries-split_example_1")
    )
    examples["pinned"] = in_london(
        recorded_items("event_example_1") + recorded_items("sessionseries"),
        pin_only=True,
    )
    outcome = harvest_examples(examples)
    assert outcome == {
        "sessionseries_example_1/1402CBP20150217": "stored",
        "scheduledsession_example_1/C5EE1E55-2DE6-44F7-A865-42F268A82C63": "stored",
        "event-with-superevent/00620dd0cea2a867dd4eadc8da9983f6dbe31c1e": "stored",
        "split/1402CBP20150217": "stored",
        "split/C5EE1E55-2DE6-44F7-A865-42F268A82C63": "stored",
        "pinned/151175": "stored",
        "pinned/jifgh8dinma": (
            "No activity from the OpenActive Activity List that we know (General)."
        ),
    }
    hackney = ("E8 3AA", "E09000012")
    # A series with a weekly schedule and two sessions of its own.
    assert listing("https://example.com/api/session-series/1402CBP20150217") == {
        "title": "Virtual BODYPUMP",
        "ages": (16, None),
        "free": False,
        "price": "3.30",
        "organiser": "Everyone Active",
        "venue": hackney,
        "types": ["bodypumptm"],
        "schedules": [
            ("one_off", "", "20:15:00", "2018-10-02"),
            ("one_off", "", "20:15:00", "2018-10-09"),
            ("weekly", "TU", "20:15:00", "2018-10-02"),
        ],
    }
    # The combined example and the split pair describe the same series and
    # the same session (one @id): the split feed, harvested later, wins.
    split = listing("https://opensessions.io/api/session-series/1402CBP20150217")
    assert split["schedules"] == [
        ("one_off", "", "19:15:00", "2016-05-09"),
        ("weekly", "TU,SU", "08:30:00", "2018-10-19"),
    ]
    # TeamUp: the series has no place or price; its session's stand in.
    assert listing("https://goteamup.com/api/openactive/v1/id/event-series/7837") == {
        "title": "WOD Class",
        "ages": (14, None),
        "free": False,
        "price": "5.00",
        "organiser": "CrossFit Fierce Spirit",
        "venue": hackney,
        "types": ["crossfit"],
        "schedules": [("one_off", "", "08:00:00", "2020-07-04")],
    }
    # British Cycling's ride, given by pin alone: at its pin, filed under the
    # nearest postcode.
    ride = Activity.all_objects.select_related("venue").get(
        source_id="https://id.bookingsystem.example.com/events/158313"
    )
    assert (ride.title, ride.age_min, ride.is_free) == (
        "Alan's social ride group Gorhambury House loop",
        16,
        True,
    )
    assert ride.venue is not None
    assert (ride.venue.lat, ride.venue.lng) == (51.5423, -0.0559)
    assert ride.venue.borough_id == "E09000012"
    assert ride.venue.postcode.startswith("E8 ")
