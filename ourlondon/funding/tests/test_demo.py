"""The demo matches the published figures, is marked as demo, and is valid
360Giving."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from ourlondon.funding import threesixty
from ourlondon.funding.demo import KNIFE_CRIME_TEN, generate_demo
from ourlondon.funding.exporting import export_json
from ourlondon.funding.models import Fund, Grant, Round

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return generate_demo(today=date(2026, 3, 9))


def test_the_seed_fund_is_14m_to_43_projects_in_19_boroughs_with_the_ten(demo):
    grants = Grant.objects.filter(fund__slug="community-seed-fund")
    assert grants.aggregate(total=Sum("amount_awarded"))["total"] == Decimal("1400000")
    assert grants.count() == 43
    boroughs = set(grants.values_list("borough_id", flat=True))
    assert len(boroughs) == 19
    assert set(KNIFE_CRIME_TEN) <= boroughs


def test_the_young_londoners_fund_is_45m(demo):
    fund = Fund.objects.get(slug="young-londoners-fund")
    assert fund.total_budget == Decimal("45000000")
    awarded = fund.grants.aggregate(total=Sum("amount_awarded"))["total"]
    assert awarded == Decimal("45000000")


def test_everything_is_marked_as_demo_and_exports_valid_360giving(demo):
    assert not Grant.objects.filter(is_demo=False).exists()
    assert not Fund.objects.filter(is_demo=False).exists()
    assert not Round.objects.filter(is_demo=False).exists()
    assert threesixty.schema_errors(export_json()) == []


def test_the_pages_print_the_published_figures(client, demo):
    html = client.get(reverse("funding:fund", args=["community-seed-fund"]))
    assert "£1.4m to 43 projects in 19 boroughs" in html.content.decode()
    index = client.get(reverse("funding:index")).content.decode()
    assert "£45m to 150 projects in 33 boroughs" in index
    assert "Demo data." in index


def test_the_demo_is_the_same_each_time_and_bootstrap_loads_it_only_when_empty():
    first = generate_demo(today=date(2026, 3, 9))
    amounts = list(Grant.objects.order_by("identifier").values_list("amount_awarded"))
    call_command("load_funding_demo", replace=True, stdout=None)
    assert first.grants == Grant.objects.count()
    Grant.objects.filter(is_demo=True).update(title="changed")
    call_command("load_funding_demo", if_empty=True)
    assert Grant.objects.filter(title="changed").count() == first.grants
    assert amounts == list(
        Grant.objects.order_by("identifier").values_list("amount_awarded")
    )
