"""Spreadsheet upload: good rows go to review like editor submissions, bad rows
are reported by row, column and reason and change nothing; files that are not
spreadsheets, too large or in the wrong encoding are refused with a message."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.providers.models import ListingDraft
from ourlondon.providers.spreadsheets import (
    COLUMN_NAMES,
    read_sheet,
    safe_cell,
    template_csv,
    template_xlsx,
)
from ourlondon.providers.tests.factories import make_organisation

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MIXED_CSV = (FIXTURES / "listings_mixed.csv").read_bytes()


def _upload(client, org, content: bytes, name: str):
    return client.post(
        reverse("providers:bulk-upload", args=[org.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _problems(response) -> list[tuple[int, str, str]]:
    report = response.context["report"]
    return [(p.row, p.column, p.reason) for p in report.problems]


def _check_mixed(response) -> None:
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.rows, report.new, report.rejected_rows) == (6, 3, 3)
    problems = _problems(response)
    columns = {(row, column) for row, column, _ in problems}
    assert (5, "postcode") in columns
    assert (6, "days") in columns
    assert {(8, "age_max"), (8, "free"), (8, "end_time")} <= columns
    assert {row for row, _, _ in problems} == {5, 6, 8}
    reasons = {(r, c): reason for r, c, reason in problems}
    assert "funday" in reasons[(6, "days")]
    assert "maybe" in reasons[(8, "free")]
    page = response.content.decode()
    assert "shoe_size" in page  # the unknown column, reported once
    assert page.count("shoe_size") == 1
    drafts = ListingDraft.objects.order_by("pk")
    assert [d.data["title"] for d in drafts] == [
        "Junior boxing",
        "Girls' football",
        "Online coding",
    ]
    assert all(d.status == "submitted" for d in drafts)
    assert drafts[0].data["schedules"][0]["weekdays"] == ["TU", "TH"]
    assert drafts[2].data["is_online"] is True
    assert not Activity.all_objects.exists()  # nothing public before review


def test_mixed_csv_saves_good_rows_and_reports_bad_ones(owner, owner_client):
    org = make_organisation(owner)
    response = _upload(owner_client, org, MIXED_CSV, "listings.csv")
    _check_mixed(response)
    upload_event = AuditEvent.objects.get(
        object_type="catalogue.organisation", note__startswith="Spreadsheet upload"
    )
    counts = (upload_event.after or {})["spreadsheet_upload"]
    assert (counts["new"], counts["rejected"], counts["rows"]) == (3, 3, 6)
    assert AuditEvent.objects.filter(action="submit").count() == 3 + 1


def test_mixed_xlsx_gives_the_same_report(owner, owner_client):
    import csv

    rows: list[list[object]] = [
        list(r) for r in csv.reader(io.StringIO(MIXED_CSV.decode()))
    ]
    content = _xlsx(rows)
    org = make_organisation(owner)
    _check_mixed(_upload(owner_client, org, content, "listings.xlsx"))


def test_xlsx_cells_typed_as_numbers_dates_and_times_are_read(owner, owner_client):
    from datetime import date, time

    header: list[object] = ["title", "description", "activity_type", "venue_name"]
    header += ["postcode", "age_min", "age_max", "free", "days", "start_time"]
    header += ["end_time", "start_date"]
    content = _xlsx(
        [
            header,
            ["Drama", "Acting games.", "football", "Marsh Hall", "E8 3AA"]
            + [11, 16.0, True, "Monday, Wednesday", time(18, 0), time(19, 30)]
            + [date(2027, 1, 4)],
        ]
    )
    org = make_organisation(owner)
    response = _upload(owner_client, org, content, "drama.xlsx")
    assert _problems(response) == []
    data = ListingDraft.objects.get().data
    schedule = data["schedules"][0]
    assert (data["age_max"], schedule["start_time"], schedule["start_date"]) == (
        16,
        "18:00",
        "2027-01-04",
    )
    assert schedule["weekdays"] == ["MO", "WE"] and data["is_free"] is True


def test_html_and_script_in_descriptions_are_stripped(owner, owner_client):
    org = make_organisation(owner)
    _upload(owner_client, org, MIXED_CSV, "listings.csv")
    description = ListingDraft.objects.get(data__title="Girls' football").data[
        "description"
    ]
    assert description == "Five-a-side for girls"
    assert "<" not in description and "alert" not in description


def test_a_csv_with_a_bom_and_messy_headers_is_read():
    content = "\ufeff  TITLE , start-time\r\nA,18:00\r\n,\r\n".encode()
    sheet = read_sheet(content, max_rows=10)
    assert sheet.rows == [(2, {"title": "A", "start_time": "18:00"})]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "listings.xlsx", "it is a PDF"),
        (random.Random(8).randbytes(4096), "listings.csv", "not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "listings.csv", "PNG image"),
        (b"", "listings.csv", "empty"),
        ("title\r\nCaf\xe9 club\r\n".encode("cp1252"), "listings.csv", "UTF-8"),
        (b"name;when\r\nx;y\r\n".replace(b"name", b"what"), "l.csv", "header row"),
    ],
    ids=["pdf-named-xlsx", "random-bytes", "png", "empty", "cp1252", "no-header"],
)
def test_files_that_cannot_be_read_are_refused_with_a_message(
    owner, owner_client, content, name, message
):
    org = make_organisation(owner)
    response = _upload(owner_client, org, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ListingDraft.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(owner, owner_client):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    org = make_organisation(owner)
    response = _upload(owner_client, org, out.getvalue(), "listings.xlsx")
    assert response.status_code == 400
    assert "not a spreadsheet" in response.content.decode()


@pytest.mark.parametrize("extra", [1, 200_000], ids=["just-over", "far-over"])
def test_an_oversized_upload_is_refused_with_413(owner, owner_client, settings, extra):
    settings.BULK_UPLOAD_MAX_BYTES = 10_000
    org = make_organisation(owner)
    content = b"title\r\n" + b"x" * (10_000 + extra)
    response = _upload(owner_client, org, content, "big.csv")
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not ListingDraft.objects.exists()


def test_too_many_rows_saves_nothing(owner, owner_client, settings):
    settings.BULK_UPLOAD_MAX_ROWS = 2
    org = make_organisation(owner)
    response = _upload(owner_client, org, MIXED_CSV, "listings.csv")
    assert response.status_code == 400
    assert "Too many rows" in response.content.decode()
    assert not ListingDraft.objects.exists()


def _row_for(activity_id: object, title: str) -> bytes:
    header = "id,title,description,activity_type,venue_name,postcode,age_min,"
    header += "age_max,free,days,start_time,end_time,start_date\r\n"
    row = f"{activity_id},{title},Changed.,boxing,Marsh Hall,E8 3AA,11,16,yes,"
    row += "mon,18:00,19:00,2027-01-04\r\n"
    return (header + row).encode()


def test_an_id_column_changes_that_organisations_own_listing(owner, owner_client):
    org = make_organisation(owner)
    activity = ActivityFactory.create(organisation=org, title="Old title")
    ScheduleFactory.create(activity=activity)
    response = _upload(owner_client, org, _row_for(activity.pk, "New"), "a.csv")
    assert _problems(response) == []
    assert response.context["report"].changed == 1
    draft = ListingDraft.objects.get()
    assert draft.activity == activity and draft.data["title"] == "New"
    activity.refresh_from_db()
    assert activity.title == "Old title"  # live listing waits for review


def test_another_organisations_activity_id_rejects_the_row(
    owner, owner_client, stranger
):
    org = make_organisation(owner)
    other = make_organisation(stranger, name="Stranger's club")
    theirs = ActivityFactory.create(organisation=other, title="Theirs")
    before = AuditEvent.objects.filter(action="submit").count()
    response = _upload(owner_client, org, _row_for(theirs.pk, "Taken"), "a.csv")
    [(row, column, reason)] = _problems(response)
    assert (row, column) == (2, "id")
    assert "not one of" in reason
    assert not ListingDraft.objects.exists()
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
    # Only the upload's own event was added.
    assert AuditEvent.objects.filter(action="submit").count() == before + 1


def test_templates_have_header_notes_and_an_example_and_read_back(owner, owner_client):
    org = make_organisation(owner)
    csv_response = owner_client.get(
        reverse("providers:bulk-template-csv", args=[org.pk])
    )
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    xlsx_response = owner_client.get(
        reverse("providers:bulk-template-xlsx", args=[org.pk])
    )
    assert xlsx_response.status_code == 200
    for content in (template_csv(), template_xlsx()):
        sheet = read_sheet(content, max_rows=10)
        assert sheet.columns == list(COLUMN_NAMES)
        # The notes row is skipped: only the example is a listing.
        assert [n for n, _ in sheet.rows] == [3]
    workbook = load_workbook(io.BytesIO(template_xlsx()), read_only=True)
    notes = list(workbook["notes"].iter_rows(values_only=True))
    assert len(notes) == len(COLUMN_NAMES) + 1
    assert any("HH:MM" in str(cell) for row in notes for cell in row)


def test_the_uploaded_template_example_row_is_a_valid_listing(owner, owner_client):
    org = make_organisation(owner)
    response = _upload(owner_client, org, template_xlsx(), "template.xlsx")
    assert _problems(response) == []
    assert response.context["report"].new == 1


@pytest.mark.parametrize("value", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\t=x"])
def test_cells_written_out_never_start_a_formula(value):
    assert safe_cell(value).startswith("'")
    assert safe_cell("Junior boxing") == "Junior boxing"


def test_no_cell_in_either_template_starts_a_formula():
    import csv

    text = template_csv().decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    workbook = load_workbook(io.BytesIO(template_xlsx()), read_only=True)
    for sheet in workbook.worksheets:
        cells += [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]


def test_a_suspended_organisation_cannot_upload(owner, owner_client):
    from ourlondon.catalogue.models import Organisation

    org = make_organisation(owner)
    Organisation.objects.filter(pk=org.pk).update(verification="suspended")
    response = _upload(owner_client, org, MIXED_CSV, "listings.csv")
    assert response.status_code == 403
    assert not ListingDraft.objects.exists()


def test_the_upload_page_explains_the_columns(owner, owner_client):
    org = make_organisation(owner)
    page = owner_client.get(reverse("providers:bulk-upload", args=[org.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "HH:MM" in text and "YYYY-MM-DD" in text and "mon,wed" in text
    assert 'for="id_file"' in text
