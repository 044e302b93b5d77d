"""The public pages: figures equal sums made here from the file, bad filters
are named with a 400 (never a 500), grant pages link to activities."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ourlondon.catalogue.tests.factories import ActivityFactory, OrganisationFactory
from ourlondon.core.models import Postcode
from ourlondon.funding.importing import import_file
from ourlondon.funding.tests.factories import FundFactory
from ourlondon.subscriptions.models import ConsentRecord, Subscriber

pytestmark = pytest.mark.django_db

POPULATION = Path(__file__).resolve().parents[1] / "data" / "young_people_10_24.csv"


def pounds(amount: Decimal) -> str:
    """As the pages print exact amounts: pence only when there are any."""
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def cell_texts(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-code="{code}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, code
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


@pytest.fixture
def imported(fixtures):
    fund = FundFactory.create(slug="test-seed", name="Test Seed Fund")
    path = fixtures / "borough_grants.csv"
    import_file(fund=fund, content=path.read_bytes(), filename=path.name)
    return fund, list(csv.DictReader(path.open()))


def test_the_borough_table_equals_sums_made_from_the_file(client, imported):
    fund, rows = imported
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        code = row["Beneficiary Location:Geographic Code"]
        amounts[code] += Decimal(row["Amount Awarded"])
        counts[code] += 1
    with POPULATION.open() as f:
        people = {r["la_code"]: int(r["age_10_24_2023"]) for r in csv.DictReader(f)}

    response = client.get(reverse("funding:boroughs"), {"fund": fund.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr data-code="E09') == 33
    for code, amount in amounts.items():
        cells = cell_texts(html, code)
        per_person = (amount / people[code]).quantize(Decimal("0.01"))
        assert cells[1:] == [
            pounds(amount),
            str(counts[code]),
            f"{people[code]:,}",
            f"£{per_person:,.2f}",
        ], code
    assert cell_texts(html, "E09000033")[1:3] == ["£0", "0"]  # Westminster: none
    total = sum(amounts.values(), Decimal(0))
    assert f'<span data-figure="exact">{pounds(total)}</span>' in html
    assert f"to {len(rows)} projects in {len(amounts)} boroughs" in html


def test_the_fund_page_headline_and_figures_equal_the_file(client, fixtures):
    path = fixtures / "covid19_london_grants.json"
    grants = json.loads(path.read_bytes())["grants"]
    fund = FundFactory.create(slug="covid", name="Covid grants")
    import_file(fund=fund, content=path.read_bytes(), filename=path.name)
    total = sum((Decimal(str(g["amountAwarded"])) for g in grants), Decimal(0))
    # The borough of each grant: none of these name one, so the recipient's
    # postcode places it (when it is a London postcode we know).
    postcodes = {
        g["recipientOrganization"][0].get("postalCode", "").strip().upper()
        for g in grants
    }
    known = dict(
        Postcode.objects.filter(postcode__in=postcodes).values_list(
            "postcode", "borough_id"
        )
    )
    boroughs = {
        known[p]
        for g in grants
        if (p := g["recipientOrganization"][0].get("postalCode", "").strip().upper())
        in known
    }
    recipients = {g["recipientOrganization"][0]["id"].strip() for g in grants}
    html = client.get(reverse("funding:fund", args=[fund.slug])).content.decode()
    assert f'<dd data-figure="exact">{pounds(total)}</dd>' in html
    assert f'<dd data-figure="grants">{len(grants)}</dd>' in html
    assert f'<dd data-figure="boroughs">{len(boroughs)}</dd>' in html
    assert f'<dd data-figure="recipients">{len(recipients)}</dd>' in html
    millions = (total / 1_000_000).quantize(Decimal("0.1"))
    assert f"£{millions.normalize():f}m to {len(grants)} projects" in html


def test_the_list_filters_by_fund_borough_year_and_amount(client, imported):
    fund, rows = imported
    FundFactory.create(slug="other")
    response = client.get(
        reverse("funding:grants"),
        {
            "fund": fund.slug,
            "borough": "E09000028",
            "year": "2020",
            "min_amount": "100",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mentoring" in html and "Dance academy" not in html  # 2019
    assert "Boxing club" not in html  # Hackney
    chosen = [
        r
        for r in rows
        if r["Beneficiary Location:Geographic Code"] == "E09000028"
        and r["Award Date"].startswith("2020")
    ]
    assert f"to {len(chosen)} project" in html
    between = client.get(
        reverse("funding:grants"), {"min_amount": "10000", "max_amount": "20000"}
    ).content.decode()
    expected = {
        r["Title"] for r in rows if 10000 <= Decimal(r["Amount Awarded"]) <= 20000
    }
    shown = set(re.findall(r'/funding/grants/\d+/">([^<]+)<', between))
    assert shown == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "last year"}, "Enter a year like 2019."),
        (
            {"year": "99999999999999999999"},
            "Ensure this value is less than or equal to 2100.",
        ),
        ({"min_amount": "lots"}, "Enter an amount in pounds, like 5000."),
        ({"min_amount": "-5"}, "greater than or equal to 0"),
        ({"min_amount": "50", "max_amount": "10"}, "must not be below"),
        ({"fund": "no-such-fund"}, "Choose a fund from the list."),
        ({"borough": "E08000025"}, "Choose a borough from the list."),
        ({"page": "0"}, "greater than or equal to 1"),
        ({"min_amount": "NaN"}, "Enter an amount"),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it(client, imported, params, message):
    response = client.get(reverse("funding:grants"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    # The other filters, and the list, still show.
    assert "Boxing club" in response.content.decode() or "fund" in params


def test_a_bad_fund_on_the_borough_page_is_a_400_showing_every_fund(client, imported):
    response = client.get(reverse("funding:boroughs"), {"fund": "<script>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a fund from the list." in html and "<script>" not in html
    assert html.count('<tr data-code="E09') == 33


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["fund", "borough", "year", "min_amount", "max_amount", "page"]
        ),
        st.text(max_size=30),
    )
)
def test_no_query_makes_the_public_pages_fail(client, params):
    for name in ("funding:grants", "funding:boroughs", "funding:index"):
        response = client.get(reverse(name), params)
        assert response.status_code in (200, 400)


def test_a_grant_page_links_to_the_recipients_activities(client, fixtures):
    organisation = OrganisationFactory.create(charity_number="1900001")
    activity = ActivityFactory.create(organisation=organisation, title="Boxing nights")
    fund = FundFactory.create()
    import_file(
        fund=fund,
        content=(fixtures / "borough_grants.csv").read_bytes(),
        filename="g.csv",
    )
    grant = fund.grants.get(identifier="360G-test-0001")
    html = client.get(reverse("funding:grant", args=[grant.pk])).content.decode()
    assert f'href="{reverse("web:activity-detail", args=[activity.pk])}"' in html
    assert "Boxing nights" in html and "£25,000" in html
    other = fund.grants.get(identifier="360G-test-0002")
    html = client.get(reverse("funding:grant", args=[other.pk])).content.decode()
    assert "Activities by" not in html


def test_public_pages_have_the_quick_exit_set_no_cookies_and_are_cacheable(
    client, imported
):
    fund, _ = imported
    grant = fund.grants.first()
    for url in [
        reverse("funding:index"),
        reverse("funding:fund", args=[fund.slug]),
        reverse("funding:boroughs"),
        reverse("funding:grants"),
        reverse("funding:grant", args=[grant.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'id="quick-exit"' in response.content.decode(), url
        assert response.cookies == {}
        assert "public" in response["Cache-Control"]
    footer = client.get("/").content.decode()
    assert f'href="{reverse("funding:index")}"' in footer


def test_the_open_data_downloads(client, imported):
    fund, rows = imported
    document = client.get(reverse("funding:fund-json", args=[fund.slug])).json()
    assert len(document["grants"]) == len(rows)
    text = client.get(reverse("funding:all-csv")).content.decode()
    assert text.splitlines()[0].startswith("Identifier,Title,Description")
    assert len(text.splitlines()) == len(rows) + 1
    assert client.get("/funding/nope/grants.json").status_code == 404


def test_tell_me_when_the_next_round_opens_signs_up_to_the_funds_topic(
    client, inbox, django_capture_on_commit_callbacks
):
    fund = FundFactory.create()
    url = reverse("funding:next-round", args=[fund.slug])
    page = client.get(url)
    assert page.status_code == 200 and "consent-wording" in page.content.decode()
    bad = client.post(url, {"email": "not an address"})
    assert bad.status_code == 400
    assert "Enter an email address like" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"email": "Someone@Example.org", "wording_version": "1"}
        )
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="someone@example.org")
    consent = ConsentRecord.objects.get(subscriber=subscriber)
    assert consent.topics == [fund.topic.slug]
    assert consent.page == url
    assert len(inbox.messages) == 1
    assert "Confirm" in inbox.messages[0]["Subject"]
