"""Loading reference vocabularies: activity types and school holidays.

Activity types are the OpenActive Activity List (so feeds match by concept URI) plus
ourlondon's own concepts for what it lacks (theatre, coding, youth club ...), each
placed in one youth category. Loading is an idempotent upsert keyed on the URI.
"""

from __future__ import annotations

import csv
import itertools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from ourlondon.catalogue.models import ActivityType, HolidayPeriod
from ourlondon.catalogue.vocabulary import Category
from ourlondon.core import clock

DATA_DIR = Path(__file__).resolve().parent / "data"
OPENACTIVE_LIST = DATA_DIR / "openactive-activity-list.json"
YOUTH_TYPES = DATA_DIR / "youth_activity_types.json"
CATEGORY_MAP = DATA_DIR / "categories.json"
SCHOOL_HOLIDAYS = DATA_DIR / "school_holidays.csv"


FIELDS = ["label", "slug", "category", "definition", "alt_labels", "source"]


class VocabularyError(ValueError):
    """A vocabulary file that cannot be loaded; the message names the problem."""


def openactive_categories(
    concepts: list[dict[str, Any]], mapping: dict[str, Any]
) -> dict[str, str]:
    """Youth category for each OpenActive concept URI (pure: no database)."""
    by_id = {c["id"]: c for c in concepts}
    valid = set(Category.values)
    for value in [*mapping["concepts"].values(), *mapping["top_concepts"].values()]:
        if value not in valid:
            raise VocabularyError(f"Unknown category {value!r} in category map")

    def top_of(concept: dict[str, Any]) -> dict[str, Any]:
        seen = set()
        while concept.get("broader") and concept["id"] not in seen:
            seen.add(concept["id"])
            parent = by_id.get(concept["broader"][0])
            if parent is None:
                break
            concept = parent
        return concept

    result = {}
    for concept in concepts:
        label = concept["prefLabel"]
        category = mapping["concepts"].get(label) or mapping["top_concepts"].get(
            top_of(concept)["prefLabel"], mapping["default"]
        )
        result[concept["id"]] = category
    return result


@transaction.atomic
def load_activity_types(
    *,
    openactive_path: Path = OPENACTIVE_LIST,
    youth_path: Path = YOUTH_TYPES,
    category_path: Path = CATEGORY_MAP,
) -> int:
    """Create or update every activity type. Returns how many there are."""
    openactive = json.loads(openactive_path.read_text(encoding="utf-8"))["concept"]
    mapping = json.loads(category_path.read_text(encoding="utf-8"))
    categories = openactive_categories(openactive, mapping)
    slugs: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for concept in openactive:
        slug = slugify(concept["prefLabel"])
        if slug in slugs:  # two concepts with one label: keep both, distinctly
            slug = f"{slug}-{concept['id'].rsplit('#', 1)[-1][:8]}"
        slugs[slug] = concept["id"]
        rows.append(
            {
                "uri": concept["id"],
                "label": concept["prefLabel"],
                "slug": slug,
                "category": categories[concept["id"]],
                "definition": concept.get("definition", ""),
                "alt_labels": concept.get("altLabel", []),
                "source": ActivityType.Source.OPENACTIVE,
                "broader_uri": (concept.get("broader") or [None])[0],
            }
        )
    youth = json.loads(youth_path.read_text(encoding="utf-8"))
    for concept in youth["concept"]:
        if concept["slug"] in slugs:
            raise VocabularyError(
                f"ourlondon type {concept['slug']!r} clashes with an OpenActive one"
            )
        if concept["category"] not in Category.values:
            raise VocabularyError(f"Unknown category for {concept['slug']!r}")
        uri = youth["uri_prefix"] + concept["slug"]
        slugs[concept["slug"]] = uri
        rows.append(
            {
                "uri": uri,
                "label": concept["label"],
                "slug": concept["slug"],
                "category": concept["category"],
                "definition": concept.get("definition", ""),
                "alt_labels": concept.get("alt_labels", []),
                "source": ActivityType.Source.OURLONDON,
                "broader_uri": concept.get("broader"),
            }
        )
    existing = {t.uri: t for t in ActivityType.objects.all()}
    for row in rows:
        obj = row["obj"] = existing.get(row["uri"]) or ActivityType(uri=row["uri"])
        for field in (
            "label",
            "slug",
            "category",
            "definition",
            "alt_labels",
            "source",
        ):
            setattr(obj, field, row[field])
    new = [row["obj"] for row in rows if row["obj"].pk is None]
    old = [row["obj"] for row in rows if row["obj"].pk is not None]
    ActivityType.objects.bulk_create(new)
    ActivityType.objects.bulk_update(old, FIELDS)
    ids = dict(ActivityType.objects.values_list("uri", "pk"))
    for row in rows:
        row["obj"].broader_id = (
            ids.get(row["broader_uri"]) if row["broader_uri"] else None
        )
    ActivityType.objects.bulk_update([row["obj"] for row in rows], ["broader"])
    return len(rows)


@transaction.atomic
@dataclass(frozen=True)
class Holiday:
    """One row of a school holidays file."""

    name: str
    start_date: date
    end_date: date


@dataclass
class HolidaysLoaded:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


HOLIDAY_COLUMNS = ("name", "start_date", "end_date")


def read_school_holidays(path: Path) -> list[Holiday]:
    """The holidays in a CSV file (`name,start_date,end_date`, ISO dates), checked
    whole: every problem is named, by line, in one VocabularyError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(f"{path}: cannot be read ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in HOLIDAY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise VocabularyError(
            f"{path.name}: the first line must name the columns "
            f"{', '.join(HOLIDAY_COLUMNS)} (missing: {', '.join(missing)})"
        )
    holidays: list[Holiday] = []
    problems: list[str] = []
    lines: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        name = (row.get("name") or "").strip()
        try:
            start = date.fromisoformat((row.get("start_date") or "").strip())
            end = date.fromisoformat((row.get("end_date") or "").strip())
        except ValueError:
            problems.append(f"line {line}: dates must be YYYY-MM-DD")
            continue
        if not name:
            problems.append(f"line {line}: the holiday has no name")
        elif name in lines:
            problems.append(f"line {line}: {name!r} is already on line {lines[name]}")
        elif end < start:
            problems.append(f"line {line}: {name!r} ends before it starts")
        else:
            lines[name] = line
            holidays.append(Holiday(name, start, end))
    ordered = sorted(holidays, key=lambda h: h.start_date)
    for before, after in itertools.pairwise(ordered):
        if after.start_date <= before.end_date:
            problems.append(f"{after.name!r} overlaps {before.name!r}")
    if problems:
        raise VocabularyError(f"{path.name}: " + "; ".join(problems))
    if not holidays:
        raise VocabularyError(f"{path.name}: no holidays in the file")
    return holidays


@transaction.atomic
def load_school_holidays(
    *, path: Path = SCHOOL_HOLIDAYS, update: bool = False
) -> HolidaysLoaded:
    """Add the file's school holidays that are not held yet (by name); with
    `update`, also correct the dates of those that are. All or nothing.

    The shipped file is loaded without `update`, so re-running setup never undoes
    a date that staff corrected in the admin; a newer file given on purpose
    (`load_vocabularies --holidays FILE`) is taken as the truth.
    """
    loaded = HolidaysLoaded()
    held = {h.name: h for h in HolidayPeriod.objects.select_for_update()}
    for holiday in read_school_holidays(path):
        existing = held.get(holiday.name)
        if existing is None:
            HolidayPeriod.objects.create(
                name=holiday.name,
                start_date=holiday.start_date,
                end_date=holiday.end_date,
            )
            loaded.added += 1
        elif update and (existing.start_date, existing.end_date) != (
            holiday.start_date,
            holiday.end_date,
        ):
            existing.start_date = holiday.start_date
            existing.end_date = holiday.end_date
            existing.save(update_fields=["start_date", "end_date"])
            loaded.updated += 1
        else:
            loaded.unchanged += 1
    return loaded


# Term-time and holiday schedules, and the "school holidays" search, need the
# dates at least this far ahead: warned of in `manage.py check`, the staff admin
# and the daily job's log.
HOLIDAYS_WARN_MONTHS = 6


def holidays_known_until() -> date | None:
    """The last day of the last school holiday held (None before any is loaded)."""
    last: date | None = HolidayPeriod.objects.aggregate(last=Max("end_date"))["last"]
    return last


def holidays_running_out(*, today: date | None = None) -> str | None:
    """A warning when the school holidays held end less than six months ahead:
    after the last one every day counts as term time."""
    day = today or clock.today()
    last = holidays_known_until()
    how = (
        "Add the next school year's dates: `manage.py load_vocabularies "
        "--holidays FILE` (name,start_date,end_date), or in the staff admin."
    )
    if last is None:
        return f"No school holidays are loaded, so every day counts as term time. {how}"
    if last >= day + relativedelta(months=HOLIDAYS_WARN_MONTHS):
        return None
    when = "ended" if last < day else "end"
    return (
        f"The school holidays we hold {when} on {last:%d %B %Y} (less than "
        f"{HOLIDAYS_WARN_MONTHS} months ahead): after that, term-time and holiday "
        f'schedules and the "school holidays" search treat every day as term '
        f"time. {how}"
    )
