"""Many listings at once: each row of an uploaded spreadsheet is checked by the
editor's own form (`ListingForm`) and, if it passes, sent for review exactly as
if it had been typed into the editor (`listings.submit_listing`).

Each row is all or nothing: a row with any problem changes nothing, and the
provider is told its row number, the column and the reason; the good rows are
saved. One audit event records the upload and its counts, besides each
listing's own "submitted" event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from ourlondon.audit.log import record_event
from ourlondon.audit.models import AuditEvent
from ourlondon.catalogue.models import Activity, Organisation
from ourlondon.providers.forms import ListingForm
from ourlondon.providers.listings import submit_listing
from ourlondon.providers.organisations import PortalError
from ourlondon.providers.sanitise import plain_text
from ourlondon.providers.spreadsheets import (
    comma_list,
    read_sheet,
    weekdays,
    yes_no,
)

# Spreadsheet column -> the editor's form field, where the names differ.
_FORM_FIELD: Final = {
    "online": "is_online",
    "free": "is_free",
    "days": "weekdays",
    "contact_email": "booking_email",
    "contact_phone": "booking_phone",
}
_COLUMN: Final = {form: column for column, form in _FORM_FIELD.items()}
# Cells turned into the form's values before it sees them.
_CONVERTERS: Final[dict[str, Callable[[str], Any]]] = {
    "online": yes_no,
    "free": yes_no,
    "days": weekdays,
    "accessibility": comma_list,
    "title": plain_text,
    "description": plain_text,
}
_PLAIN: Final = (
    "title",
    "description",
    "activity_type",
    "venue_name",
    "venue_address",
    "postcode",
    "age_min",
    "age_max",
    "price",
    "start_time",
    "end_time",
    "start_date",
    "end_date",
    "contact_email",
    "contact_phone",
)


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet shows it: the header is row 1
    column: str  # "" when the problem is the row as a whole
    reason: str


@dataclass
class UploadReport:
    filename: str
    rows: int = 0
    new: int = 0
    changed: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.new + self.changed

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems})

    def counts(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "rejected": self.rejected_rows,
            "warnings": self.warnings,
        }


def form_data(cells: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The editor's form data for one row, and the cells that could not even be
    converted (a day that is no day, "maybe" for free)."""
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for column in (*_PLAIN, "online", "free", "days", "accessibility"):
        text = cells.get(column, "")
        convert = _CONVERTERS.get(column)
        try:
            value: Any = convert(text) if convert else text
        except ValueError as error:
            problems.append((column, str(error)))
            continue
        name = _FORM_FIELD.get(column, column)
        if value is True:
            value = "on"
        elif value is False:
            continue  # an unticked checkbox sends nothing
        data[name] = value
    return data, problems


def _form_problems(form: ListingForm) -> list[tuple[str, str]]:
    return [
        (_COLUMN.get(name, name) if name != "__all__" else "", str(message))
        for name, messages in form.errors.items()
        for message in messages
    ]


def _activity(
    organisation: Organisation, text: str
) -> tuple[Activity | None, str | None]:
    """The organisation's listing a row's id names, or why there is none."""
    if not text:
        return None, None
    if not text.isdigit():
        return None, f"“{text}” is not a listing number: leave it empty for a new one."
    activity = Activity.all_objects.filter(
        pk=int(text), organisation=organisation
    ).first()
    if activity is None:
        return None, (
            f"Listing {text} is not one of {organisation.name}'s listings. Leave "
            "the id empty to add a new listing."
        )
    return activity, None


def import_listings(
    *, by: User, organisation: Organisation, content: bytes, filename: str
) -> UploadReport:
    """Check every row and send the good ones for review. Raises
    `SpreadsheetProblem` for a file that cannot be read at all (nothing is
    saved) and `PortalError` for an organisation that may not submit."""
    if organisation.verification in {
        Organisation.Verification.SUSPENDED,
        Organisation.Verification.REJECTED,
    }:
        raise PortalError(
            "This organisation cannot submit listings while it is "
            f"{organisation.get_verification_display().lower()}."
        )
    sheet = read_sheet(content, max_rows=settings.BULK_UPLOAD_MAX_ROWS)
    report = UploadReport(filename=filename[:200], rows=len(sheet.rows))
    if sheet.unknown_columns:
        report.warnings.append(
            "These columns are not ours and were ignored: "
            + ", ".join(sheet.unknown_columns)
            + "."
        )
    seen_ids: dict[int, int] = {}
    for number, cells in sheet.rows:
        problems: list[tuple[str, str]] = []
        activity, id_problem = _activity(organisation, cells.get("id", ""))
        if id_problem:
            problems.append(("id", id_problem))
        elif activity is not None and activity.pk in seen_ids:
            problems.append(
                ("id", f"Row {seen_ids[activity.pk]} already changes this listing.")
            )
        data, conversion = form_data(cells)
        problems += conversion
        form = ListingForm(data)
        if not form.is_valid():
            converted = {column for column, _ in conversion}
            problems += [p for p in _form_problems(form) if p[0] not in converted]
        if problems:
            report.problems += [RowProblem(number, c, r) for c, r in problems]
            continue
        # Each row in its own savepoint: a failure here undoes this row only.
        with transaction.atomic():
            submit_listing(
                by=by, organisation=organisation, data=form.listing(), activity=activity
            )
        if activity is not None:
            seen_ids[activity.pk] = number
            report.changed += 1
        else:
            report.new += 1
    record_event(
        AuditEvent.Action.SUBMIT,
        actor=by,
        obj=organisation,
        after={"spreadsheet_upload": report.counts()},
        note=f"Spreadsheet upload: {report.saved} sent for review, "
        f"{report.rejected_rows} row(s) refused.",
    )
    return report
