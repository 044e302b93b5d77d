"""Importing 360Giving files: row-level problems, good rows kept, a malformed
file changes nothing, and grants are linked to organisations that list with us."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from openpyxl import Workbook

from ourlondon.catalogue.tests.factories import OrganisationFactory
from ourlondon.funding.importing import FileProblem, import_file
from ourlondon.funding.models import Grant
from ourlondon.funding.tests.factories import FundFactory

pytestmark = pytest.mark.django_db


def problems_by_id(report) -> dict[str, str]:
    found: dict[str, str] = {}
    for p in report.problems:
        found[p.identifier] = found.get(p.identifier, "") + "; ".join(p.messages)
    return found


def test_bad_rows_are_reported_by_row_and_the_good_rows_kept(fixtures):
    fund = FundFactory.create()
    report = import_file(
        fund=fund, content=(fixtures / "bad_rows.csv").read_bytes(), filename="b.csv"
    )
    assert report.rows == 8
    assert sorted(Grant.objects.values_list("identifier", flat=True)) == [
        "360G-bad-0001",
        "360G-bad-0008",
    ]
    problems = problems_by_id(report)
    assert {p.row for p in report.problems} == {3, 4, 5, 6, 7, 8}
    assert "used again on row 5" in problems["360G-bad-0002"]
    assert "used again on row 3" in problems["360G-bad-0002"]
    assert "negative" in problems["360G-bad-0003"]
    assert "unknown currency “XYZ”" in problems["360G-bad-0005"]
    assert "no recipient organisation" in problems["360G-bad-0006"]
    assert "not a London borough" in problems["360G-bad-0007"]
    assert "E08000025" in problems["360G-bad-0007"]
    text = report.as_text()
    assert "8 rows; 2 accepted" in text and "6 rejected" in text
    assert "row 5 360G-bad-0002: the identifier is used again on row 3" in text


def test_the_real_sample_imports_whole(fixtures):
    content = (fixtures / "covid19_london_grants.json").read_bytes()
    fund = FundFactory.create()
    report = import_file(fund=fund, content=content, filename="sample.json")
    assert report.problems == []
    assert Grant.objects.count() == len(json.loads(content)["grants"])


def test_importing_again_updates_the_same_grants(fixtures):
    fund = FundFactory.create()
    content = (fixtures / "borough_grants.csv").read_bytes()
    first = import_file(fund=fund, content=content, filename="g.csv")
    again = import_file(fund=fund, content=content, filename="g.csv")
    assert (first.created, first.updated) == (8, 0)
    assert (again.created, again.updated) == (0, 8)
    assert Grant.objects.count() == 8


def test_an_identifier_of_another_fund_is_refused(fixtures):
    content = (fixtures / "borough_grants.csv").read_bytes()
    import_file(fund=FundFactory.create(), content=content, filename="g.csv")
    other = FundFactory.create()
    report = import_file(fund=other, content=content, filename="g.csv")
    assert report.accepted == 0
    assert "already a grant of another fund" in report.problems[0].messages[0]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b'{"grants": [{"id": "360G-x"', "broken.json", "not a JSON file"),
        (b'{"title": "no grants"}', "empty.json", "has none"),
        (b"Name,Amount\nA,1\n", "nothing.csv", 'No "Identifier" column'),
        (b"\xff\xfe\x00bad", "binary.csv", "not UTF-8"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "not an Excel"),
        (b"Identifier,Title,Title\n360G-a,b,c\n", "twice.csv", "appear twice"),
        (b"Identifier,Title\n360G-a,b,extra\n", "ragged.csv", "more cells"),
        (b"%PDF-1.4", "grants.pdf", "not read here"),
    ],
)
def test_a_malformed_file_is_refused_whole_and_nothing_is_written(
    fixtures, content, filename, message
):
    fund = FundFactory.create()
    with pytest.raises(FileProblem, match=message):
        import_file(fund=fund, content=content, filename=filename)
    assert not Grant.objects.exists()


def test_a_malformed_file_after_good_rows_writes_none_of_them(fixtures):
    good = (fixtures / "borough_grants.csv").read_bytes()
    broken = good + b'360G-test-0009,"unclosed quote\n'
    with pytest.raises(FileProblem):
        import_file(fund=FundFactory.create(), content=broken, filename="g.csv")
    assert not Grant.objects.exists()


def test_the_spreadsheet_as_xlsx_imports_like_the_csv(fixtures):
    import csv

    rows = list(csv.reader(io.StringIO((fixtures / "borough_grants.csv").read_text())))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(
            [
                float(c) if c.replace(".", "").isdigit() and "-" not in c else c
                for c in row
            ]
        )
    out = io.BytesIO()
    book.save(out)
    fund = FundFactory.create()
    report = import_file(fund=fund, content=out.getvalue(), filename="g.xlsx")
    assert report.problems == []
    second = Grant.objects.get(identifier="360G-test-0002")
    assert second.amount_awarded == Decimal("18500.50")
    assert second.borough_id == "E09000028"


def test_grants_link_to_organisations_by_charity_or_company_number(fixtures):
    charity = OrganisationFactory.create(charity_number="1900001")
    company = OrganisationFactory.create(charity_number="", company_number="18000003")
    import_file(
        fund=FundFactory.create(),
        content=(fixtures / "borough_grants.csv").read_bytes(),
        filename="g.csv",
    )
    linked = dict(Grant.objects.values_list("identifier", "organisation_id"))
    assert linked["360G-test-0001"] == charity.pk
    assert linked["360G-test-0007"] == charity.pk
    assert linked["360G-test-0003"] == company.pk  # from the GB-COH- org-id
    assert linked["360G-test-0002"] is None


def test_without_a_beneficiary_borough_the_recipients_postcode_places_it():
    grant = {
        "id": "360G-test-pc",
        "title": "t",
        "description": "d",
        "currency": "GBP",
        "amountAwarded": 100,
        "awardDate": "2020-01-01",
        "recipientOrganization": [
            {"id": "GB-CHC-1", "name": "R", "postalCode": "e8 3aa"}
        ],
        "fundingOrganization": [{"id": "XI-F", "name": "F"}],
    }
    report = import_file(
        fund=FundFactory.create(),
        content=json.dumps({"grants": [grant]}).encode(),
        filename="one.json",
    )
    assert report.problems == []
    saved = Grant.objects.get()
    assert (saved.borough_id, saved.borough_from_postcode) == ("E09000012", True)


def test_a_dry_run_writes_nothing(fixtures):
    report = import_file(
        fund=FundFactory.create(),
        content=(fixtures / "borough_grants.csv").read_bytes(),
        filename="g.csv",
        dry_run=True,
    )
    assert report.created == 8 and "would be written" in report.as_text()
    assert not Grant.objects.exists()
