"""The public support pages: content, privacy, size, moderation, bad input."""

import gzip
import re
from datetime import time
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ourlondon.support.demo import load_support_demo
from ourlondon.support.models import (
    OpeningHours,
    RoleModelMessage,
    SafeHaven,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rate_limit_memory():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo():
    load_support_demo()


def test_help_page_has_every_line_as_a_link(client):
    response = client.get(reverse("support:help"))
    html = response.content.decode()
    for link in (
        'href="tel:999"',
        'href="tel:08001111"',
        'href="tel:116123"',
        'href="sms:85258?&amp;body=SHOUT"',
        'href="tel:08081689111"',
    ):
        assert link in html
    for name in ("Fearless", "Rescue and Response", "London Gang Exit", "Redthread"):
        assert name in html
    assert "Exit this page" in html


def test_help_page_sets_no_cookie_and_asks_no_other_host(client):
    response = client.get(reverse("support:help"))
    assert response.cookies == {}
    assert "public" in response["Cache-Control"]
    html = response.content.decode()
    # Only links may point elsewhere; nothing the page loads does.
    loaded = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', html)
    assert loaded and all(url.startswith(("/", "data:")) for url in loaded)


def test_help_page_with_its_css_and_scripts_is_under_15_kb_compressed(client):
    html = client.get(reverse("support:help")).content
    assets = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html.decode())
    total = len(gzip.compress(html))
    for name in assets:
        path = finders.find(name)
        assert isinstance(path, str)
        total += len(gzip.compress(Path(path).read_bytes()))
    assert sorted(assets) == ["web/exit.js", "web/site.css"]
    assert total < 15 * 1024, total


def test_a_help_line_shows_its_last_checked_date_once_set(client):
    from ourlondon.support.models import HelpLine

    line = HelpLine.objects.get(name="Childline")
    assert "Checked" not in client.get(reverse("support:help")).content.decode()
    line.last_checked = "2026-11-20"
    line.save()
    assert "Checked 20 November 2026" in client.get("/help/").content.decode()


def test_service_worker_is_root_scoped_and_keeps_the_help_page(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert '"/help/"' in body and "web/site." in body
    assert response.cookies == {}


def test_services_search_by_need_postcode_and_age(client, demo):
    html = client.get(
        reverse("support:services"),
        {"need": "counselling", "where": "E8 3AA", "age": "15"},
    ).content.decode()
    assert "Youth Counselling Drop-in" in html
    assert "Exploitation Support Team" not in html
    assert "within 5 km of E8 3AA" in html
    assert 'href="tel:02079460001"' in html


def test_service_detail_shows_age_and_contact(client, demo):
    from ourlondon.support.models import Service

    service = Service.objects.get(name="Family Mediation North")
    html = client.get(reverse("support:service-detail", args=[service.pk])).content
    assert b"Age not stated" in html and b"tel:02079460004" in html


def test_bad_search_input_is_a_message_not_an_error(client, demo):
    response = client.get(
        reverse("support:services"),
        {"where": "nonsense", "age": "-3", "radius_km": "x"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a valid UK postcode" in html
    assert "Enter an age of 0 or more." in html
    assert "Choose a distance from the list." in html


def test_results_page_shows_services_to_talk_to(client, demo):
    html = client.get(reverse("web:results"), {"where": "E8 3AA", "age": "15"}).content
    text = html.decode()
    assert "Need to talk to someone?" in text
    assert "Youth Counselling Drop-in" in text
    assert "/support-services/?where=E8+3AA&amp;age=15" in text


def test_only_approved_havens_are_public(client, demo):
    pending = SafeHaven.all_objects.create(
        name="Waiting Cafe",
        kind="shop",
        address="1 Road",
        postcode="E8 3AA",
        lat=51.54,
        lng=-0.06,
        status="pending",
    )
    html = client.get(reverse("support:havens")).content.decode()
    assert "Mare Street Library (demo)" in html and "Waiting Cafe" not in html
    assert (
        client.get(reverse("support:haven-detail", args=[pending.pk])).status_code
        == 404
    )
    geojson = client.get(reverse("support:havens-geojson")).json()
    names = {f["properties"]["name"] for f in geojson["features"]}
    assert "Waiting Cafe" not in names and len(names) == 4


def test_open_now_filter_uses_the_hours(client, demo, clock):
    # Sunday 01:00: the late shop (18:00-02:00) and the 24-hour pharmacy only.
    clock.set("2025-06-15 01:00")
    html = client.get(reverse("support:havens"), {"open_now": "on"}).content.decode()
    assert "Night Owl Late Shop (demo)" in html
    assert "Brixton Hill Pharmacy (demo)" in html
    assert "Mare Street Library (demo)" not in html


def haven_post(**changes):
    data = {
        "name": "Corner Shop",
        "kind": "shop",
        "address": "1 Mare Street",
        "postcode": "e8 3aa",
        "contact_name": "Sam",
        "contact_email": "sam@example.org",
        "opens_5": "20:00",
        "closes_5": "02:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_application_waits_for_moderation(client):
    url = reverse("support:haven-apply")
    response = client.post(url, haven_post(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302
    haven = SafeHaven.all_objects.get(name="Corner Shop")
    assert haven.status == "pending" and haven.postcode == "E8 3AA"
    assert haven.borough_id == "E09000012"
    hours = OpeningHours.objects.get(haven=haven)
    assert (hours.weekday, hours.opens, hours.closes) == (5, time(20), time(2))
    assert "Corner Shop" not in client.get(reverse("support:havens")).content.decode()


def test_an_application_from_another_site_is_refused(client):
    response = client.post(
        reverse("support:haven-apply"), haven_post(), HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert not SafeHaven.all_objects.exists()


def test_the_honeypot_drops_an_application_quietly(client):
    response = client.post(
        reverse("support:haven-apply"),
        haven_post(website="spam"),
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302
    assert not SafeHaven.all_objects.exists()


def test_applications_are_rate_limited(client, settings):
    settings.REPORT_RATE = "2/h"
    url = reverse("support:haven-apply")
    codes = [
        client.post(
            url, haven_post(name=f"Shop {i}"), HTTP_ORIGIN="http://testserver"
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]


def test_a_bad_application_says_what_to_fix(client):
    response = client.post(
        reverse("support:haven-apply"),
        haven_post(postcode="ZZ1", closes_5=None),
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a valid UK postcode" in html
    assert "Give both the opening and the closing time for Saturday" in html


def test_toolkit_filters(client, demo):
    url = reverse("support:toolkit", args=["education"])
    html = client.get(url, {"audience": "parents"}).content.decode()
    assert "What parents can do" in html and "Guide for faith leaders" not in html
    html = client.get(
        reverse("support:toolkit", args=["business"]), {"stage": "respond"}
    )
    assert b"If a young person comes in for help" in html.content
    assert b"Staff briefing" not in html.content
    assert client.get(url, {"q": "faith"}).content.decode().count('class="result"') == 1
    assert client.get("/toolkits/nope/").status_code == 404


def test_toolkit_page_shows_sanitised_markdown(client, demo):
    html = client.get(
        reverse("support:toolkit-page", args=["education", "about"])
    ).content.decode()
    assert "<strong>London Needs You Alive</strong>" in html
    assert '<a href="/help/" rel="noopener noreferrer">help page</a>' in html


def test_campaign_is_shareable(client, demo):
    html = client.get(reverse("support:campaign")).content.decode()
    assert '<meta property="og:title" content="London Needs You Alive">' in html
    assert "http://testserver/london-needs-you-alive/" in html
    assert "mailto:?subject=" in html
    message = RoleModelMessage.objects.get(slug="jordan")
    page = client.get(reverse("support:campaign-message", args=[message.slug]))
    assert b'content="Jordan: London Needs You Alive"' in page.content
    assert b"<script" not in page.content.split(b"</footer>")[0].split(b"<body>")[1]


PAGES = [
    "support:services",
    "support:havens",
    "support:havens-geojson",
]
PARAMS = ["need", "where", "radius_km", "age", "kind", "open_now", "q"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(PAGES + ["toolkit"]),
    params=st.dictionaries(
        st.sampled_from(PARAMS + ["audience", "stage", "format"]),
        st.text(max_size=30) | st.sampled_from(["E8 3AA", "SW1A", "999", "-1", "on"]),
        max_size=5,
    ),
)
def test_public_pages_never_500_on_bad_parameters(client, name, params):
    url = (
        reverse("support:toolkit", args=["education"])
        if name == "toolkit"
        else reverse(name)
    )
    clean = {k: v.replace("\x00", "") for k, v in params.items()}
    response = client.get(url, clean)
    assert response.status_code in (200, 400)
