"""Listings as a spreadsheet: reading an upload (CSV or XLSX) into rows, and the
template providers fill in. Pure: bytes in, rows out, no database.

An upload is identified by its content, never its name: an XLSX is a zip holding
`xl/workbook.xml`; a CSV is text without control characters, in UTF-8 (with or
without Excel's byte-order mark). Anything else (a PDF, an image, an old .xls,
a zip, random bytes) is refused as "not a spreadsheet", before any row is read.

Rows keep the number the provider sees in their spreadsheet program (the header
is row 1), so the report can say "row 7, column postcode". Empty rows, and
notes rows (first cell starting with "#", as in the template), are skipped.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Final

from ourlondon.catalogue.vocabulary import AccessibilityFeature, Weekday

# An XLSX unpacks to many times its size; a small file claiming hundreds of
# megabytes is a zip bomb, refused before openpyxl opens it.
MAX_UNPACKED_BYTES: Final = 50 * 1024 * 1024
# Binary files are told apart from text by the control characters in their
# first bytes (text has tabs and line ends, nothing else below 0x20).
_SNIFF_BYTES: Final = 64 * 1024
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SIGNATURES: Final = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file"),
    (b"\x1f\x8b", "a gzip archive"),
)
# Cells that a spreadsheet program would run as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetProblem(Exception):
    """The file as a whole cannot be read; `str()` is shown to the provider."""


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    allowed: str
    example: str
    required: bool = False


DAYS_HELP: Final = "Days it runs, comma-separated: mon, tue, wed, thu, fri, sat, sun"
COLUMNS: Final = (
    Column(
        "id",
        "Leave empty for a new listing. To change one of your live listings, "
        "give its number (shown on your listings page); the row then replaces it.",
        "empty, or a whole number",
        "",
    ),
    Column(
        "title", "The activity's name", "up to 200 characters", "Junior boxing", True
    ),
    Column(
        "description",
        "What happens, who it is for. Plain text: any HTML is removed.",
        "up to 5000 characters",
        "Technique and fitness for beginners. Gloves provided.",
        True,
    ),
    Column(
        "activity_type",
        "The type of activity, as its short name (slug)",
        "a slug from the activity types list, e.g. football, boxing, drama",
        "boxing",
        True,
    ),
    Column("online", "Does it run online?", "yes or no (empty: no)", "no"),
    Column("venue_name", "Where it happens (unless online)", "text", "Marsh Hall"),
    Column("venue_address", "The venue's street address", "text", "1 Marsh Lane"),
    Column(
        "postcode",
        "The venue's postcode (unless online)",
        "a London postcode, e.g. E8 3AA",
        "E8 3AA",
    ),
    Column("age_min", "Youngest age welcome", "a whole number 0-120", "11", True),
    Column("age_max", "Oldest age welcome", "a whole number 0-120", "16", True),
    Column("free", "Is it free?", "yes or no (empty: no)", "yes"),
    Column(
        "price",
        "Price per session in pounds, if not free",
        "a number like 3.50; empty when free",
        "",
    ),
    Column(
        "accessibility",
        "Accessibility, comma-separated",
        ", ".join(value for value, _ in AccessibilityFeature.choices),
        "step-free,accessible-toilet",
    ),
    Column("days", DAYS_HELP, "e.g. mon,wed", "tue,thu", True),
    Column("start_time", "When a session starts", "HH:MM, 24-hour", "18:00", True),
    Column("end_time", "When a session ends", "HH:MM, 24-hour", "19:30", True),
    Column("start_date", "The first date", "YYYY-MM-DD", "2027-01-05", True),
    Column("end_date", "The last date (empty: ongoing)", "YYYY-MM-DD or empty", ""),
    Column("contact_email", "Email for questions and booking", "an email address", ""),
    Column("contact_phone", "Phone for questions and booking", "text", ""),
)
COLUMN_NAMES: Final = tuple(c.name for c in COLUMNS)
# Other spellings people use for our columns (after normalising).
_ALIASES: Final = {
    "activity_id": "id",
    "listing_id": "id",
    "name": "title",
    "type": "activity_type",
    "is_online": "online",
    "venue": "venue_name",
    "address": "venue_address",
    "post_code": "postcode",
    "min_age": "age_min",
    "max_age": "age_max",
    "is_free": "free",
    "weekdays": "days",
    "day": "days",
    "email": "contact_email",
    "booking_email": "contact_email",
    "phone": "contact_phone",
    "booking_phone": "contact_phone",
}
_DAY_NAMES: Final = {
    "monday": Weekday.MO,
    "tuesday": Weekday.TU,
    "wednesday": Weekday.WE,
    "thursday": Weekday.TH,
    "friday": Weekday.FR,
    "saturday": Weekday.SA,
    "sunday": Weekday.SU,
}
_YES: Final = frozenset({"yes", "y", "true", "1", "x"})
_NO: Final = frozenset({"", "no", "n", "false", "0"})


@dataclass
class Sheet:
    """The rows of an upload: (spreadsheet row number, {column: text})."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)


def normalise_header(text: str) -> str:
    """ "Start Time ", "start-time" and "START_TIME" are all `start_time`."""
    name = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    return _ALIASES.get(name, name)


def kind_of(content: bytes) -> str:
    """ "xlsx" or "csv", judged by content; `SpreadsheetProblem` otherwise."""
    if not content.strip():
        raise SpreadsheetProblem("The file is empty.")
    if content.startswith(b"PK\x03\x04"):
        _check_xlsx_archive(content)
        return "xlsx"
    for signature, what in _SIGNATURES:
        if content.startswith(signature):
            raise SpreadsheetProblem(
                f"This is not a spreadsheet (it is {what}). Upload a CSV or an "
                "Excel .xlsx file: download the template to start from."
            )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetProblem(
            "This file is UTF-16 text. Save it as “CSV UTF-8 (comma delimited)” "
            "and upload that."
        )
    if _CONTROL.search(content[:_SNIFF_BYTES]):
        raise SpreadsheetProblem(
            "This is not a spreadsheet: it is not text, nor an Excel .xlsx file. "
            "Upload a CSV or an .xlsx file: download the template to start from."
        )
    return "csv"


def _check_xlsx_archive(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetProblem(
            "This is not a spreadsheet: it looks like a damaged zip or .xlsx file."
        ) from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetProblem(
            "This is not a spreadsheet: it is a zip archive (or a Word or "
            "PowerPoint file), not an Excel .xlsx workbook."
        )
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise SpreadsheetProblem(
            "This workbook is too large once unpacked. Split it into smaller files."
        )


def read_sheet(content: bytes, *, max_rows: int) -> Sheet:
    """The header and non-empty rows of an upload, whichever format it is."""
    lines = _xlsx_lines(content) if kind_of(content) == "xlsx" else _csv_lines(content)
    return _sheet(lines, max_rows=max_rows)


def _sheet(lines: Iterator[list[str]], *, max_rows: int) -> Sheet:
    header = next(lines, None)
    columns = [normalise_header(c) for c in header or []]
    if "title" not in columns:
        raise SpreadsheetProblem(
            "The first row must be the header row (id, title, description, …) "
            "with a “title” column. Download the template to start from."
        )
    unknown = [c for c in dict.fromkeys(columns) if c and c not in COLUMN_NAMES]
    sheet = Sheet(columns=columns, unknown_columns=unknown)
    for number, line in enumerate(lines, start=2):
        cells = {
            column: value.strip()
            for column, value in zip(columns, line, strict=False)
            if column in COLUMN_NAMES
        }
        if not any(cells.values()):
            continue  # an empty row (or one with only unknown columns filled)
        if line and line[0].strip().startswith("#"):
            continue  # a notes row, like the template's second row
        if len(sheet.rows) >= max_rows:
            raise SpreadsheetProblem(
                f"Too many rows: at most {max_rows:,} listings in one file. "
                "Split it into several files."
            )
        sheet.rows.append((number, cells))
    return sheet


def _csv_lines(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetProblem(
            "This CSV is not in UTF-8 (it may have been saved as Windows or "
            "“CSV (comma delimited)”). In Excel choose “CSV UTF-8 (comma "
            "delimited)” when saving; in LibreOffice or Numbers choose the "
            "UTF-8 character set. Or upload the .xlsx file itself."
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as exc:
        raise SpreadsheetProblem(
            f"This CSV cannot be read near line {reader.line_num}: {exc}."
        ) from exc


def cell_text(value: object) -> str:
    """A cell as the text the form expects (Excel gives times, dates, numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_lines(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetProblem(
            "This .xlsx file cannot be opened; it may be damaged. Save it again "
            "from your spreadsheet program, or upload a CSV."
        ) from exc
    try:
        # The first sheet holds the listings (the template's notes come after).
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        workbook.close()


# Parsing the cells that the editor shows as checkboxes ------------------------


def yes_no(text: str) -> bool:
    """ "yes"/"no" and the usual spellings; ValueError for anything else."""
    lowered = text.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(f"“{text}” is not yes or no.")


def weekdays(text: str) -> list[str]:
    """ "mon,wed" (or "Monday; Wednesday", "MO WE") as BYDAY codes."""
    codes: list[str] = []
    for token in re.split(r"[\s,;/]+", text.strip().lower()):
        if not token:
            continue
        code = next(
            (
                str(day)
                for name, day in _DAY_NAMES.items()
                if len(token) >= 2 and name.startswith(token)
            ),
            None,
        )
        if code is None and token in {"tues", "thur", "thurs"}:
            code = str(Weekday.TU if token == "tues" else Weekday.TH)
        if code is None:
            raise ValueError(
                f"“{token}” is not a day: use mon, tue, wed, thu, fri, sat, sun, "
                "separated by commas."
            )
        if code not in codes:
            codes.append(code)
    return codes


def comma_list(text: str) -> list[str]:
    return [part.strip().lower() for part in text.split(",") if part.strip()]


# Writing cells out -------------------------------------------------------------


def safe_cell(value: str) -> str:
    """A cell no spreadsheet program will run as a formula (CSV injection):
    text starting with = + - @ (or a tab or carriage return) gets a leading
    apostrophe, which Excel and LibreOffice show as plain text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def template_rows() -> list[list[str]]:
    """The template's header, a row of notes under each column (its first cell
    starts with "#", so an upload skips it) and one example row."""
    notes = [f"{c.allowed}{' (required)' if c.required else ''}" for c in COLUMNS]
    notes[0] = "# " + notes[0]
    return [list(COLUMN_NAMES), notes, [c.example for c in COLUMNS]]


def notes_rows() -> list[list[str]]:
    """What each column means, for the template's notes (sheet or file)."""
    header = ["column", "required", "what it means", "allowed values"]
    return [header] + [
        [c.name, "yes" if c.required else "no", c.meaning, c.allowed] for c in COLUMNS
    ]


def render_csv(rows: Iterable[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens it with the right letters."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def render_xlsx(sheets: dict[str, list[list[str]]]) -> bytes:
    """Each value is written as a string cell, escaped as in `safe_cell`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The template as CSV: header, a notes row ("#…", skipped on upload), and
    one example row."""
    return render_csv(template_rows())


def template_xlsx() -> bytes:
    return render_xlsx({"listings": template_rows(), "notes": notes_rows()})
