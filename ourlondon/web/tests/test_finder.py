"""The results page, rendered on the server: what works with no JavaScript."""

from __future__ import annotations

import gzip
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ourlondon.catalogue.models import ListingReport

pytestmark = pytest.mark.django_db

RESULTS = "/search/"


def titles(html: str) -> list[str]:
    return [
        unescape(t)
        for t in re.findall(
            r'<li class="result">\s*<h3><a href="[^"]+">([^<]+)</a>', html
        )
    ]


def test_postcode_and_age_find_what_admits_that_age_nearest_first(client, listings):
    html = client.get(RESULTS, {"where": "e83aa", "age": "12"}).content.decode()
    # Football (11-16) is at E8 3AA; dance (age not stated) is in Lambeth, beyond
    # the default 3 km; coding is online, so has no distance.
    assert titles(html) == ["Saturday football"]
    assert "1 activity" in html and "within 3 km of E8 3AA" in html
    assert "0.0 km away" in html


def test_a_wider_radius_reaches_lambeth_and_lists_unstated_ages_last(client, listings):
    html = client.get(
        RESULTS, {"where": "E8 3AA", "age": "12", "radius_km": "20"}
    ).content.decode()
    assert titles(html) == ["Saturday football", "Street dance crew"]
    assert "Age not stated" in html


def test_borough_names_and_postcode_areas_are_places_too(client, listings):
    html = client.get(RESULTS, {"where": "Lambeth"}).content.decode()
    assert titles(html) == ["Street dance crew"]
    assert "in Lambeth" in html
    html = client.get(RESULTS, {"where": "sw2"}).content.decode()
    assert titles(html) == ["Street dance crew"]


def test_my_location_searches_around_the_point_given(client, listings):
    html = client.get(
        RESULTS, {"where": "My location", "lat": "51.546", "lng": "-0.075"}
    ).content.decode()
    assert titles(html) == ["Saturday football"]
    assert "within 3 km of My location" in html


def test_text_filters_and_the_url_keeps_the_whole_search(client, listings):
    response = client.get(RESULTS, {"q": "dance", "free": "on", "day": "mon"})
    html = response.content.decode()
    assert response.status_code == 200
    assert titles(html) == []
    # The filters stay chosen in the form.
    assert 'value="dance"' in html
    assert re.search(r'name="free"[^>]*checked', html)
    assert re.search(r'value="mon"[^>]*checked', html)


def test_an_empty_search_offers_the_nearest_widenings_with_counts(client, listings):
    html = client.get(RESULTS, {"q": "dance", "free": "on"}).content.decode()
    assert "Nothing found" in html
    assert "Include activities that cost" in html
    assert re.search(
        r"Include activities that cost</a> <span class=\"count\">\(1 result\)", html
    )
    link = re.search(r'href="(/search/\?[^"]*)">Include activities that cost', html)
    assert link is not None
    following = client.get(unescape(link.group(1))).content.decode()
    assert titles(following) == ["Street dance crew"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"where": "nonsense"}, "where", "We could not find “nonsense”"),
        ({"where": "ZZ99 9ZZ"}, "where", "not a London postcode"),
        ({"age": "abc"}, "age", "Enter an age as a number"),
        ({"age": "200"}, "age", "Enter an age from 5 to 30"),
        ({"date_from": "2026-02-30"}, "date_from", "Enter a date like"),
        ({"page": "x"}, "page", "That page number is not a number"),
    ],
)
def test_bad_input_gets_a_message_and_keeps_the_other_filters(
    client, listings, params, field, message
):
    response = client.get(RESULTS, {"q": "football", "free": "on", **params})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert message in html
    assert f'href="#id_{field}"' in html
    # The rest of the search still ran, and is still in the form.
    assert titles(response.content.decode()) == ["Saturday football"]
    assert 'value="football"' in html


def test_a_page_past_the_end_shows_the_last_page(client, listings):
    html = client.get(RESULTS, {"page": "99999"}).content.decode()
    assert "only 1 page of results; this is the last" in html
    assert len(titles(html)) == 3


def test_markup_in_the_query_is_shown_escaped(client, listings):
    html = client.get(RESULTS, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_map_view_asks_the_clusters_api_for_the_same_search(client, listings):
    html = client.get(
        RESULTS, {"where": "E8 3AA", "age": "12", "view": "map"}
    ).content.decode()
    found = re.search(r'data-clusters="([^"]+)"', html)
    assert found is not None
    url = unescape(found.group(1))
    assert url.startswith("/api/v1/clusters?")
    answer = client.get(url + "&bbox=-0.51,51.28,0.34,51.70&zoom=10").json()
    assert answer["total"] == 1
    assert "web/map.js" in html


def test_the_list_view_does_not_load_map_code(client, listings):
    html = client.get(RESULTS, {"where": "E8 3AA"}).content.decode()
    assert "map.js" not in html and "leaflet" not in html.lower()


def first_results_offset(html: str, count: int) -> int:
    ends = [
        m.end()
        for m in re.finditer(r"</li>", html[html.index('<ol class="results"') :])
    ]
    return html.index('<ol class="results"') + ends[count - 1]


def test_the_first_ten_results_arrive_in_the_first_14_kb(client):
    from ourlondon.catalogue.demo import generate_demo
    from ourlondon.search.indexing import rebuild_index

    generate_demo(seed=7)
    rebuild_index()
    html = client.get(RESULTS, {"where": "E8 3AA", "radius_km": "5"}).content.decode()
    assert len(titles(html)) == 20
    prefix = html[: first_results_offset(html, 10)].encode()
    assert len(gzip.compress(prefix)) <= 14 * 1024


def test_pages_are_compressed_for_clients_that_accept_it(client, listings):
    response = client.get(RESULTS, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        RESULTS + "?where=E8+3AA&age=14",
        RESULTS + "?view=map",
        "/help/",
    ],
)
def test_public_pages_set_no_cookies_and_may_be_cached(client, listings, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.cookies == {}
    assert "Set-Cookie" not in response
    assert "public" in response["Cache-Control"]


def test_report_form_stores_a_report_without_cookies(client, listings):
    url = reverse("web:report", args=[listings.football.pk])
    page = client.get(url)
    assert page.cookies == {}
    assert "If someone is in danger now, call 999" in page.content.decode()
    response = client.post(
        url, {"reason": "safeguarding", "details": "Coach asked for phone numbers"}
    )
    assert response.status_code == 302
    assert response.cookies == {}
    report = ListingReport.objects.get()
    assert report.activity == listings.football
    assert report.reason == "safeguarding"
    assert report.details == "Coach asked for phone numbers"
    assert client.get(response["Location"]).status_code == 200


def test_report_without_a_reason_is_refused_with_a_message(client, listings):
    url = reverse("web:report", args=[listings.football.pk])
    response = client.post(url, {"details": "something"})
    assert response.status_code == 400
    assert "Choose what the problem is." in response.content.decode()
    assert "something</textarea>" in response.content.decode()
    assert not ListingReport.objects.exists()


def test_report_from_another_site_is_refused(client, listings):
    url = reverse("web:report", args=[listings.football.pk])
    response = client.post(
        url, {"reason": "wrong"}, HTTP_ORIGIN="https://elsewhere.example"
    )
    assert response.status_code == 403
    assert not ListingReport.objects.exists()


def test_reports_are_rate_limited(client, listings, settings):
    settings.REPORT_RATE = "2/h"
    url = reverse("web:report", args=[listings.football.pk])
    codes = [client.post(url, {"reason": "wrong"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert ListingReport.objects.count() == 2


def test_a_filled_honeypot_is_thanked_but_not_stored(client, listings):
    url = reverse("web:report", args=[listings.football.pk])
    response = client.post(url, {"reason": "wrong", "website": "http://spam"})
    assert response.status_code == 302
    assert not ListingReport.objects.exists()


def test_no_report_for_an_unpublished_listing(client, listings):
    url = reverse("web:report", args=[listings.draft.pk])
    assert client.post(url, {"reason": "wrong"}).status_code == 404


def test_activity_page_offers_calendar_share_directions_and_report(client, listings):
    html = client.get(
        reverse("web:activity-detail", args=[listings.football.pk])
    ).content.decode()
    assert reverse("web:activity-ics", args=[listings.football.pk]) in html
    assert "calendar.google.com" in html and "outlook.live.com" in html
    assert "openstreetmap.org/directions" in html
    assert "Step-free access" in html
    assert "organisation checked on" in html
    assert reverse("web:report", args=[listings.football.pk]) in html


def test_calendar_files_download_for_the_series_and_one_session(client, listings):
    from icalendar import Calendar

    activity = listings.dance
    series = client.get(reverse("web:activity-ics", args=[activity.pk]))
    assert series["Content-Type"].startswith("text/calendar")
    assert "attachment" in series["Content-Disposition"]
    events = Calendar.from_ical(series.content).walk("VEVENT")
    assert len(events) == 2
    assert {str(e["SUMMARY"]) for e in events} == {"Street dance crew"}
    session = activity.occurrences.order_by("start").first()
    one = client.get(reverse("web:occurrence-ics", args=[activity.pk, session.pk]))
    assert len(Calendar.from_ical(one.content).walk("VEVENT")) == 1
    other = listings.football.occurrences.first()
    assert (
        client.get(
            reverse("web:occurrence-ics", args=[activity.pk, other.pk])
        ).status_code
        == 404
    )


def test_borough_outlines_for_the_map_are_simplified_geojson(client, listings):
    response = client.get(reverse("web:boroughs-geojson"))
    data = response.json()
    assert response["Content-Type"] == "application/geo+json"
    assert len(data["features"]) == 33
    assert len(response.content) < 150_000


def test_help_page_lists_the_numbers_as_phone_links(client):
    html = client.get(reverse("support:help")).content.decode()
    for number in ('tel:999"', 'tel:08001111"', 'tel:116123"'):
        assert number in html
    assert "Fearless" in html


def test_a_list_page_with_its_css_and_scripts_is_within_60_kb_compressed(client):
    from django.contrib.staticfiles import finders

    from ourlondon.catalogue.demo import generate_demo
    from ourlondon.search.indexing import rebuild_index

    generate_demo(seed=7)
    rebuild_index()
    html = client.get(RESULTS, {"where": "E8 3AA", "radius_km": "5"}).content
    assets = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html.decode())
    assert sorted(assets) == ["web/exit.js", "web/finder.js", "web/site.css"]
    total = len(gzip.compress(html))
    for name in assets:
        path = finders.find(name)
        assert isinstance(path, str)
        total += len(gzip.compress(Path(path).read_bytes()))
    assert total <= 60 * 1024


PARAMETERS = [
    "q",
    "where",
    "lat",
    "lng",
    "radius_km",
    "age",
    "category",
    "when",
    "date_from",
    "date_to",
    "day",
    "time",
    "free",
    "accessibility",
    "borough",
    "sort",
    "page",
    "view",
]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(PARAMETERS),
            st.one_of(
                st.text(max_size=40),
                st.sampled_from(
                    [
                        "E8 3AA",
                        "sw2",
                        "Hackney",
                        "14",
                        "-1",
                        "1e309",
                        "nan",
                        "inf",
                        "2026-13-40",
                        "9999-12-31",
                        "sat",
                        "map",
                        "distance",
                        "99999999999",
                    ]
                ),
            ),
        ),
        max_size=8,
    )
)
def test_any_search_parameters_give_a_page_never_a_500(client, listings, params):
    response = client.get(RESULTS, params)
    assert response.status_code == 200


def test_an_empty_report_post_is_answered_with_messages(client, listings):
    url = reverse("web:report", args=[listings.football.pk])
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose what the problem is." in response.content.decode()
