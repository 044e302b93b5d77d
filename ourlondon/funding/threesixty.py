"""The 360Giving Data Standard: reading and writing its files. Pure: bytes in,
grant dictionaries (360Giving JSON) out, and back; no database.

Three shapes of the same data:

- JSON: a package `{"grants": [...]}` (or a bare list of grants).
- The flat spreadsheet (CSV or XLSX): one row per grant, columns named by the
  schema's titles joined with ":" ("Recipient Org:Identifier"), as in
  360Giving's templates and flattentool. The first item of a list needs no
  number ("Beneficiary Location:Name"); later ones do ("Beneficiary
  Location:1:Name"). Columns may also be JSON paths (`recipientOrganization/0/id`).
  Fields the schema does not name keep their own name and come back as text.
- Validation against the official JSON schema (`data/`, version 1.4.3),
  offline. jsonschema treats "date-time" as a mere annotation unless told how to
  check it, and the schema's dates are "date-time or YYYY-MM-DD" (`oneOf`), so a
  plain date would match both branches and fail: `FORMAT_CHECKER` checks RFC 3339
  date-times as check-jsonschema does.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

DATA = Path(__file__).resolve().parent / "data"
GRANT_SCHEMA = DATA / "360-giving-schema.json"
PACKAGE_SCHEMA = DATA / "360-giving-package-schema.json"
# The package schema (1.4.3) still refers to the grant schema by its 1.4.2 address.
GRANT_SCHEMA_ALIASES = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
)
RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:"
    r"([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
MAX_ROWS = 100_000
Json = dict[str, Any]


class FileProblem(ValueError):
    """The file as a whole cannot be read: nothing in it is imported."""


FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


@cache
def grant_schema() -> Json:
    schema: Json = json.loads(GRANT_SCHEMA.read_text())
    return schema


@cache
def _package_validator() -> Draft202012Validator:
    grant = DRAFT202012.create_resource(grant_schema())
    registry: Registry[Any] = Registry().with_resources(
        [(grant_schema()["$id"], grant)]
        + [(alias, grant) for alias in GRANT_SCHEMA_ALIASES]
    )
    package = json.loads(PACKAGE_SCHEMA.read_text())
    return Draft202012Validator(
        package, registry=registry, format_checker=FORMAT_CHECKER
    )


def schema_errors(package: Json) -> list[str]:
    """Every way `package` breaks the 360Giving package schema, as
    "path: message" lines (empty when valid)."""
    errors = sorted(
        _package_validator().iter_errors(package), key=lambda e: list(e.absolute_path)
    )
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(package)'}: {e.message}"
        for e in errors
    ]


def currencies() -> frozenset[str]:
    """ISO 4217 codes, as the schema lists them."""
    return frozenset(grant_schema()["$defs"]["currency"]["enum"])


def as_date(value: Any) -> date | None:
    """A 360Giving date ("2020-03-17" or a full date-time) as a date, or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def as_amount(value: Any) -> Decimal | None:
    """A JSON number as pounds and pence, or None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


# Reading JSON -------------------------------------------------------------------


def parse_json(content: bytes) -> list[Json]:
    """The grants of a 360Giving JSON file, in order. Raises FileProblem when the
    file is not JSON or holds no list of grants."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileProblem(f"This is not a JSON file: {exc}.") from exc
    grants = document.get("grants") if isinstance(document, dict) else document
    if not isinstance(grants, list):
        raise FileProblem(
            'A 360Giving JSON file is an object with a "grants" list; this one '
            "has none."
        )
    if len(grants) > MAX_ROWS:
        raise FileProblem(f"Too many grants in one file (at most {MAX_ROWS:,}).")
    return [g if isinstance(g, dict) else {"_not_an_object": g} for g in grants]


# The flat spreadsheet -------------------------------------------------------------


def _deref(node: Json) -> Json:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Json = grant_schema()["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    if "items" in node and isinstance(node["items"], dict):
        return node
    return node


def _properties(node: Json | None) -> dict[str, Json]:
    if not node:
        return {}
    node = _deref(node)
    props: dict[str, Json] = node.get("properties", {})
    return props


def _items(node: Json | None) -> Json | None:
    if not node:
        return None
    items = _deref(node).get("items")
    return _deref(items) if isinstance(items, dict) else None


def _types(node: Json | None) -> set[str]:
    if not node:
        return set()
    kind = _deref(node).get("type")
    if isinstance(kind, list):
        return set(kind)
    return {kind} if isinstance(kind, str) else set()


UNTITLED = {"currency": "Currency"}


def _title(key: str, node: Json | None) -> str:
    title = (node or {}).get("title") or UNTITLED.get(key)
    # Three transaction lists share no title in the schema: use their names.
    return title if isinstance(title, str) and ":" not in title else key


def _flatten(value: Any, node: Json | None, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        props = _properties(node)
        for key, item in value.items():
            child = props.get(key)
            name = _title(key, child) if child is not None else key
            _flatten(item, child, f"{prefix}:{name}" if prefix else name, out)
    elif isinstance(value, list):
        items = _items(node)
        objects = all(isinstance(v, dict) for v in value)
        for index, item in enumerate(value):
            # The first object in a list is named without a number, as in
            # 360Giving's templates; lists of plain values number every item.
            name = prefix if objects and index == 0 else f"{prefix}:{index}"
            _flatten(item, items, name, out)
    elif value is None:
        out[prefix] = ""
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        out[prefix] = str(int(value))
    else:
        out[prefix] = str(value)


def _ordered(value: Any, node: Json | None) -> Any:
    if isinstance(value, dict):
        props = _properties(node)
        order = {key: i for i, key in enumerate(props)}
        keys = sorted(value, key=lambda k: (order.get(k, len(order)), k))
        return {k: _ordered(value[k], props.get(k)) for k in keys}
    if isinstance(value, list):
        items = _items(node)
        return [_ordered(v, items) for v in value]
    return value


def canonical(grant: Json) -> Json:
    """The grant with its fields in the schema's order (then any others, by
    name): the same columns in the same order whatever stored it. PostgreSQL's
    jsonb, for one, keeps keys in an order of its own."""
    ordered: Json = _ordered(grant, grant_schema())
    return ordered


def flatten(grant: Json) -> dict[str, str]:
    """One grant as one spreadsheet row: {column title: text}."""
    row: dict[str, str] = {}
    _flatten(grant, grant_schema(), "", row)
    return row


def _by_title(node: Json | None) -> dict[str, str]:
    found = {}
    for key, child in _properties(node).items():
        found[_title(key, child).casefold()] = key
        found[key.casefold()] = key
    return found


def _number(text: str) -> int | float:
    cleaned = text.replace(",", "").replace("£", "").strip()
    if re.fullmatch(r"[+-]?\d+", cleaned):
        return int(cleaned)
    return float(cleaned)  # ValueError for anything else: reported per row


def _typed(text: str, node: Json | None) -> Any:
    kinds = _types(node)
    if "number" in kinds:
        try:
            return _number(text)
        except ValueError:
            return text  # left as text: the row's check names the problem
    if "boolean" in kinds:
        return text.strip().lower() in {"true", "yes", "1"}
    return text


def _set(target: Json, segments: Sequence[str], text: str, node: Json | None) -> None:
    """Put one cell's text at its place in the grant, creating lists and objects
    on the way, typed as the schema says."""
    names = _by_title(node)
    key = names.get(segments[0].strip().casefold(), segments[0].strip())
    child = _properties(node).get(key)
    rest = list(segments[1:])
    if not rest:
        target[key] = _typed(text, child)
        return
    if "array" in _types(child) or (child is None and rest[0].strip().isdigit()):
        index = 0
        if rest[0].strip().isdigit():
            index = int(rest.pop(0).strip())
        items = _items(child)
        values = target.setdefault(key, [])
        if not isinstance(values, list):
            return
        if not rest:  # a list of plain values
            while len(values) <= index:
                values.append(None)
            values[index] = _typed(text, items)
            return
        while len(values) <= index:
            values.append({})
        if isinstance(values[index], dict):
            _set(values[index], rest, text, items)
        return
    inner = target.setdefault(key, {})
    if isinstance(inner, dict):
        _set(inner, rest, text, child)


def unflatten(row: dict[str, str]) -> Json:
    """One spreadsheet row back to a 360Giving grant. Empty cells are left out."""
    grant: Json = {}
    for column, text in row.items():
        if column is None or text is None or str(text).strip() == "":
            continue
        path = column.strip()
        segments = (
            path.split("/") if "/" in path and ":" not in path else path.split(":")
        )
        _set(grant, segments, str(text), grant_schema())
    # Lists written from a sparse sheet ("Beneficiary Location:1:Name" without
    # item 0) would keep empty placeholders: drop them.
    for key, value in list(grant.items()):
        if isinstance(value, list):
            grant[key] = [v for v in value if v not in ({}, None)]
    return grant


@dataclass(frozen=True)
class Sheet:
    """Rows of a spreadsheet, each with its row number as people see it."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _check_columns(columns: Sequence[str]) -> None:
    cleaned = [c.strip() for c in columns if c and c.strip()]
    if not cleaned:
        raise FileProblem("The first row must name the columns; it is empty.")
    if len(set(cleaned)) != len(cleaned):
        twice = sorted({c for c in cleaned if cleaned.count(c) > 1})
        raise FileProblem(f"These columns appear twice: {', '.join(twice)}.")
    known = {c.split(":")[0].split("/")[0].strip().casefold() for c in cleaned}
    if not known & {"identifier", "id"}:
        raise FileProblem(
            'No "Identifier" column: is this a 360Giving spreadsheet? The first '
            "row must hold the column titles."
        )


def parse_csv(content: bytes) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            "The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
        ) from exc
    if "\x00" in text:
        raise FileProblem("This is not a CSV file (it holds binary data).")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        columns = list(reader.fieldnames or [])
        _check_columns(columns)
        rows: list[tuple[int, dict[str, str]]] = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise FileProblem(f"Too many rows in one file (at most {MAX_ROWS:,}).")
            if None in row:
                raise FileProblem(
                    f"Row {reader.line_num} has more cells than there are columns."
                )
            if any((v or "").strip() for v in row.values()):
                rows.append((reader.line_num, {k: v or "" for k, v in row.items()}))
    except csv.Error as exc:
        raise FileProblem(f"The CSV file cannot be read: {exc}.") from exc
    return Sheet(columns=columns, rows=rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_xlsx(content: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FileProblem(f"This is not an Excel (.xlsx) file: {exc}.") from exc
    try:
        names = workbook.sheetnames
        sheet = workbook["grants"] if "grants" in names else workbook[names[0]]
        lines: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        columns = [_cell_text(c).strip() for c in header or ()]
        _check_columns(columns)
        rows: list[tuple[int, dict[str, str]]] = []
        for number, line in enumerate(lines, start=2):
            if len(rows) >= MAX_ROWS:
                raise FileProblem(f"Too many rows in one file (at most {MAX_ROWS:,}).")
            cells = {
                column: _cell_text(value)
                for column, value in zip(columns, line, strict=False)
                if column
            }
            if any(v.strip() for v in cells.values()):
                rows.append((number, cells))
    finally:
        workbook.close()
    return Sheet(columns=columns, rows=rows)


def columns_for(rows: Sequence[dict[str, str]]) -> list[str]:
    """Every column any row uses, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for column in row:
            seen.setdefault(column, None)
    return list(seen)


def render_csv(grants: Sequence[Json]) -> str:
    rows = [flatten(g) for g in grants]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns_for(rows), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def render_xlsx(grants: Sequence[Json]) -> bytes:
    from openpyxl import Workbook

    rows = [flatten(g) for g in grants]
    columns = columns_for(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("grants")
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
