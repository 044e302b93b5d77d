"""Exports: the 360Giving sample comes back with every field, and every export
is valid against the official schema."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from ourlondon.funding import threesixty
from ourlondon.funding.exporting import export_csv, export_json
from ourlondon.funding.importing import import_file
from ourlondon.funding.models import Grant
from ourlondon.funding.tests.factories import FundFactory

pytestmark = pytest.mark.django_db


def by_id(grants):
    return {g["id"]: g for g in grants}


def test_the_360giving_sample_survives_import_then_export_field_for_field(fixtures):
    original = json.loads((fixtures / "covid19_london_grants.json").read_bytes())
    fund = FundFactory.create()
    import_file(
        fund=fund,
        content=json.dumps(original).encode(),
        filename="sample.json",
    )
    exported = export_json(fund=fund)
    assert by_id(exported["grants"]) == by_id(original["grants"])
    assert threesixty.schema_errors(exported) == []


def test_the_schema_check_catches_a_broken_package():
    errors = threesixty.schema_errors(
        {
            "grants": [
                {"id": "360G-x", "amountAwarded": "lots", "awardDate": "2020-13-01"}
            ]
        }
    )
    assert any("amountAwarded" in e for e in errors)
    assert any("awardDate" in e for e in errors)


def test_csv_export_imports_back_to_the_same_grants(fixtures):
    fund = FundFactory.create()
    import_file(
        fund=fund,
        content=(fixtures / "covid19_london_grants.json").read_bytes(),
        filename="sample.json",
    )
    before = export_json(fund=fund)
    csv_text = export_csv(fund=fund)
    Grant.objects.all().delete()
    report = import_file(fund=fund, content=csv_text.encode(), filename="back.csv")
    assert report.problems == []
    after = export_json(fund=fund)
    assert threesixty.schema_errors(after) == []

    def standard(grant):
        # Fields the 360Giving schema does not name come back from a CSV as
        # text (their type is not written anywhere): compare them as text.
        recipient = grant["recipientOrganization"][0]
        if "Annual Income" in recipient:
            recipient["Annual Income"] = str(recipient["Annual Income"])
        return grant

    assert by_id(after["grants"]) == {
        k: standard(v) for k, v in by_id(before["grants"]).items()
    }


def test_corrections_made_by_staff_are_what_is_exported(fixtures):
    fund = FundFactory.create()
    import_file(
        fund=fund,
        content=(fixtures / "borough_grants.csv").read_bytes(),
        filename="g.csv",
    )
    grant = Grant.objects.get(identifier="360G-test-0001")
    grant.amount_awarded = Decimal("26000.25")
    grant.award_date = date(2019, 2, 12)
    grant.borough_id = "E09000022"
    grant.planned_start = None
    grant.save()
    exported = by_id(export_json(fund=fund)["grants"])["360G-test-0001"]
    assert exported["amountAwarded"] == 26000.25
    assert exported["awardDate"] == "2019-02-12"
    assert exported["plannedDates"] == [{"endDate": "2020-03-31"}]
    assert exported["beneficiaryLocation"][0]["geoCode"] == "E09000022"
    assert exported["beneficiaryLocation"][0]["name"] == "Lambeth"


def test_every_fund_exports_to_one_valid_package(fixtures):
    first, second = FundFactory.create(), FundFactory.create()
    import_file(
        fund=first,
        content=(fixtures / "borough_grants.csv").read_bytes(),
        filename="g.csv",
    )
    import_file(
        fund=second,
        content=(fixtures / "covid19_london_grants.json").read_bytes(),
        filename="s.json",
    )
    everything = export_json()
    assert len(everything["grants"]) == Grant.objects.count()
    assert threesixty.schema_errors(everything) == []
