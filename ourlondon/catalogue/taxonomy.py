"""Loading reference vocabularies: activity types and school holidays.

Activity types are the OpenActive Activity List (so feeds match by concept URI) plus
ourlondon's own concepts for what it lacks (theatre, coding, youth club ...), each
placed in one youth category. Loading is an idempotent upsert keyed on the URI.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from ourlondon.catalogue.models import ActivityType, HolidayPeriod
from ourlondon.catalogue.vocabulary import Category

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
def load_school_holidays(*, path: Path = SCHOOL_HOLIDAYS) -> int:
    """Create the school holidays in the file that are not there yet (by name)."""
    created = 0
    with path.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                start = date.fromisoformat(row["start_date"])
                end = date.fromisoformat(row["end_date"])
            except (KeyError, ValueError) as exc:
                raise VocabularyError(f"{path.name} line {line}: {exc}") from exc
            if end < start:
                raise VocabularyError(f"{path.name} line {line}: ends before it starts")
            _, was_created = HolidayPeriod.objects.get_or_create(
                name=row["name"], defaults={"start_date": start, "end_date": end}
            )
            created += was_created
    return created
