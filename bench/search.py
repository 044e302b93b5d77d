"""Benchmark search: latency per query type on both backends, against a naive
baseline, with index size, peak memory and the HTTP API's throughput.

For each scale (sessions) and backend it builds a throwaway database (migrate,
reference data, `load_demo --scale N --today <today>`, `rebuild_search_index`), then:

1. plans a fixed, seeded mix of realistic queries (postcode + radius + age + day;
   text + borough; free this weekend; text only; map clusters over the whole London
   view at zooms 10-13), the same for every child below;
2. runs the mix through `ourlondon.search.engine` in a child process: once to warm
   up, once timed query by query (`time.perf_counter`); the child's peak RSS comes
   from the kernel (`os.wait4`);
3. runs the same questions, answered naively (ORM `icontains` over the catalogue,
   every session in the date range read into Python, haversine distance to every
   venue), in another child: the first `--naive-per-type` of each type, within a
   time budget;
4. measures the size of the search index (SQLite `dbstat`; PostgreSQL
   `pg_total_relation_size`);
5. at `--http-scale` (100,000), serves the project with granian as `make run`
   does, on 127.0.0.1 only, with the API's response cache off, and loads
   `GET /api/v1/activities` with thousands of distinct URLs (wrk, or a Python load
   generator when wrk is missing).

It prints a table per (scale, backend) and a summary against the targets, and can
write everything as JSON. A benchmark, not a test: it exits 0 whatever the numbers
and non-zero only when something fails to run.

    .venv/bin/python bench/search.py                          # everything (~10-15 min)
    .venv/bin/python bench/search.py --scales 100000 --backends sqlite
    .venv/bin/python bench/search.py --data-dir var/bench --keep        # keep data
    .venv/bin/python bench/search.py --data-dir var/bench --keep --reuse

PostgreSQL runs use the database `ourlondon_bench_search` on
postgres://postgres@127.0.0.1:5432 (created and dropped here; one scale at a time).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from _common import ROOT, bench_env, manage, run_measured, run_setup

if TYPE_CHECKING:
    from ourlondon.search.query import SearchQuery

LONDON = ZoneInfo("Europe/London")
DESCRIPTION = (
    "Benchmark search latency per query type on SQLite and PostgreSQL against a "
    "naive baseline, with index size, peak RSS and HTTP requests per second."
)

# Query types, in report order, with their share of the mix.
KINDS = ("near", "text_borough", "free_weekend", "text", "clusters")
SEARCH_KINDS = ("near", "text_borough", "free_weekend", "text")
LABEL = {
    "near": "postcode+radius+age+day",
    "text_borough": "text + borough",
    "free_weekend": "free this weekend",
    "text": "text only",
    "clusters": "clusters z10-13 London",
    "search": "all searches",
}
SHARE = {
    "near": 0.35,
    "text_borough": 0.25,
    "free_weekend": 0.10,
    "text": 0.10,
    "clusters": 0.20,
}
# What young people type (the demo's activity types, and the words they use).
WORDS = (
    "football",
    "dance",
    "boxing",
    "coding",
    "drama",
    "swimming",
    "music",
    "youth club",
    "art",
    "basketball",
    "netball",
    "cricket",
    "gymnastics",
    "climbing",
    "cooking",
    "photography",
    "theatre",
    "singing",
    "skateboarding",
    "mentoring",
    "street dance",
    "film",
    "yoga",
    "athletics",
    "badminton",
)
LONDON_VIEW = (-0.51, 51.28, 0.34, 51.70)  # min_lng, min_lat, max_lng, max_lat
ZOOMS = (10, 11, 12, 13)

# Targets (issue requirement), for 1,000,000 sessions on SQLite; PostgreSQL may
# take twice as long.
TARGET_SCALE = 1_000_000
SEARCH_P50_MS = 5.0
SEARCH_P95_MS = 20.0
CLUSTERS_P95_MS = 40.0
POSTGRES_FACTOR = 2.0
TARGET_RATIO = 25.0
TARGET_RPS = 300.0

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "ourlondon_bench_search"


# Statistics ------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else math.nan,
    }


# The query mix (planned in a child, with the database's postcodes) ------------


def weekend(today: date) -> tuple[date, date]:
    """This weekend's Saturday (or today, on a Sunday) and Sunday."""
    if today.weekday() == 6:
        return today, today
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    return saturday, saturday + timedelta(days=1)


def kind_counts(total: int) -> dict[str, int]:
    counts = {kind: round(total * SHARE[kind]) for kind in KINDS}
    counts["clusters"] = max(len(ZOOMS), counts["clusters"] // len(ZOOMS) * len(ZOOMS))
    counts["near"] += max(0, total - sum(counts.values()))
    return counts


def plan_mix(
    *, total: int, seed: int, today: date, not_before: datetime
) -> list[dict[str, Any]]:
    """The query mix: the same for a seed, date and reference data.

    Each item is {"kind", "args" (for `SearchQuery.build`, JSON-safe), "bbox",
    "zoom", "postcode"}. Dates are as the API gives them: from today, and no
    session that has already started (`not_before`, to the minute).
    """
    from ourlondon.catalogue.vocabulary import Category
    from ourlondon.core.models import Borough, Postcode

    rng = random.Random(f"ourlondon-bench-search:{seed}")
    postcodes = list(
        Postcode.objects.order_by("postcode").values_list("postcode", "lat", "lng")
    )
    boroughs = list(
        Borough.objects.order_by("gss_code").values_list("gss_code", flat=True)
    )
    saturday, sunday = weekend(today)
    base = {"date_from": today.isoformat(), "not_before": not_before.isoformat()}
    mix: list[dict[str, Any]] = []

    def add(kind: str, args: dict[str, Any], **extra: Any) -> None:
        mix.append({"kind": kind, "args": args, "bbox": None, "zoom": None, **extra})

    counts = kind_counts(total)
    for _ in range(counts["near"]):
        postcode, lat, lng = rng.choice(postcodes)
        add(
            "near",
            {
                **base,
                "lat": lat,
                "lng": lng,
                "radius_km": rng.choice((1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0)),
                "age": rng.randint(10, 20),
                "weekdays": [rng.randrange(7)],
                "page": 2 if rng.random() < 0.1 else 1,
            },
            postcode=postcode,
        )
    for _ in range(counts["text_borough"]):
        add(
            "text_borough",
            {**base, "text": rng.choice(WORDS), "borough": rng.choice(boroughs)},
        )
    for _ in range(counts["free_weekend"]):
        args: dict[str, Any] = {
            "date_from": saturday.isoformat(),
            "date_to": sunday.isoformat(),
            "not_before": not_before.isoformat(),
            "free": True,
        }
        if rng.random() < 0.5:
            args["age"] = rng.randint(11, 18)
        if rng.random() < 0.3:
            args["borough"] = rng.choice(boroughs)
        add("free_weekend", args)
    for _ in range(counts["text"]):
        args = {**base, "text": rng.choice(WORDS)}
        if rng.random() < 0.3:
            args["age"] = rng.randint(11, 18)
        add("text", args)
    for i in range(counts["clusters"]):
        args = dict(base)
        extra = rng.choice(("none", "none", "age", "category", "free"))
        if extra == "age":
            args["age"] = rng.randint(11, 18)
        elif extra == "category":
            args["categories"] = [rng.choice(Category.values)]
        elif extra == "free":
            args["free"] = True
        add("clusters", args, bbox=list(LONDON_VIEW), zoom=ZOOMS[i % len(ZOOMS)])
    # Interleaved, so noise on the machine spreads over every type.
    rng.shuffle(mix)
    return mix


def plan_urls(*, count: int, seed: int, today: date) -> list[str]:
    """Distinct, realistic `/api/v1/activities` URLs (so no cache could help)."""
    from ourlondon.core.models import Borough, Postcode

    rng = random.Random(f"ourlondon-bench-search-http:{seed}")
    postcodes = list(
        Postcode.objects.order_by("postcode").values_list("postcode", flat=True)
    )
    boroughs = list(
        Borough.objects.order_by("gss_code").values_list("gss_code", flat=True)
    )
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    saturday, sunday = weekend(today)
    seen: set[str] = set()
    urls: list[str] = []
    attempts = 0
    while len(urls) < count and attempts < count * 20:
        attempts += 1
        roll = rng.random()
        params: list[tuple[str, str]]
        if roll < 0.6:
            params = [
                ("postcode", rng.choice(postcodes)),
                ("radius_km", f"{rng.uniform(1, 5):.1f}"),
                ("age", str(rng.randint(10, 20))),
                ("day", rng.choice(days)),
            ]
        elif roll < 0.85:
            params = [("q", rng.choice(WORDS)), ("borough", rng.choice(boroughs))]
            if rng.random() < 0.5:
                params.append(("age", str(rng.randint(10, 20))))
        else:
            params = [
                ("date_from", saturday.isoformat()),
                ("date_to", sunday.isoformat()),
                ("free", "true"),
                ("borough", rng.choice(boroughs)),
            ]
            if rng.random() < 0.7:
                params.append(("age", str(rng.randint(10, 20))))
        if rng.random() < 0.1:
            params.append(("page", "2"))
        url = "/api/v1/activities?" + urlencode(params)
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls


def build_query(spec: dict[str, Any]) -> SearchQuery:
    from ourlondon.search.query import SearchQuery

    args = dict(spec["args"])
    for name in ("date_from", "date_to"):
        if name in args:
            args[name] = date.fromisoformat(args[name])
    if "not_before" in args:
        args["not_before"] = datetime.fromisoformat(args["not_before"])
    return SearchQuery.build(**args)


def bbox_of(spec: dict[str, Any]) -> tuple[float, float, float, float]:
    a, b, c, d = spec["bbox"]
    return float(a), float(b), float(c), float(d)


# Child: the engine --------------------------------------------------------------


def run_engine(
    mix: list[dict[str, Any]], *, whole_days: bool = False
) -> list[dict[str, Any]]:
    """Warm up with the whole mix, then time each query once.

    `whole_days` drops `not_before`, so the dates start at midnight (what
    `SearchQuery.build` does by default) instead of now (what the API asks).
    """
    from ourlondon.search import engine

    if whole_days:
        mix = [
            {
                **spec,
                "args": {k: v for k, v in spec["args"].items() if k != "not_before"},
            }
            for spec in mix
        ]
    queries = [build_query(spec) for spec in mix]

    def one(spec: dict[str, Any], query: SearchQuery) -> int:
        if spec["kind"] == "clusters":
            cells = engine.clusters(query, bbox=bbox_of(spec), zoom=int(spec["zoom"]))
            return sum(cell.count for cell in cells)
        return engine.search(query).total

    for spec, query in zip(mix, queries, strict=True):
        one(spec, query)
    timings = []
    for spec, query in zip(mix, queries, strict=True):
        started = time.perf_counter()
        total = one(spec, query)
        elapsed = time.perf_counter() - started
        timings.append({"kind": spec["kind"], "ms": elapsed * 1000, "total": total})
    return timings


# Child: the naive baseline ------------------------------------------------------


@dataclass
class NaiveMatch:
    lat: float | None
    lng: float | None
    age_stated: bool
    starts: list[datetime] = field(default_factory=list)


def naive_matches(query: SearchQuery) -> dict[int, NaiveMatch]:
    """Activities with a matching session, found the obvious way: ORM filters on
    the catalogue (`icontains` for words), then every session in the date range
    read into Python and tested there."""
    from django.db.models import Q

    from ourlondon.catalogue.models import Activity, Occurrence

    activities = Activity.public.all()
    for word in query.text.lower().split():
        activities = activities.filter(
            Q(title__icontains=word) | Q(description__icontains=word)
        )
    if query.categories:
        activities = activities.filter(types__category__in=sorted(query.categories))
    if query.borough:
        activities = activities.filter(venue__borough_id=query.borough)
    if query.point is not None:
        activities = activities.filter(venue__isnull=False)
    if query.age is not None:
        activities = activities.filter(
            Q(age_min__isnull=True) | Q(age_min__lte=query.age),
            Q(age_max__isnull=True) | Q(age_max__gte=query.age),
        )
    if query.free:
        activities = activities.filter(is_free=True)
    found = {
        pk: NaiveMatch(lat, lng, age_min is not None or age_max is not None)
        for pk, lat, lng, age_min, age_max in activities.values_list(
            "pk", "venue__lat", "venue__lng", "age_min", "age_max"
        )
    }
    sessions = Occurrence.objects.filter(
        start__gte=query.start_utc,
        start__lt=query.end_utc,
        activity__in=activities.values("pk"),
    ).values_list("activity_id", "start")
    for activity_id, start in sessions:
        local = start.astimezone(LONDON)
        if query.weekdays and local.weekday() not in query.weekdays:
            continue
        minute = local.time().replace(second=0, microsecond=0)
        if query.time_from and minute < query.time_from:
            continue
        if query.time_to and minute > query.time_to:
            continue
        match = found.get(activity_id)
        if match is not None:
            match.starts.append(start)
    return {pk: match for pk, match in found.items() if match.starts}


def naive_search(query: SearchQuery) -> int:
    """Count and page like the engine: distance to every venue, sort, slice."""
    from ourlondon.search.geo import haversine_km
    from ourlondon.search.query import Sort

    rows = []
    for pk, match in naive_matches(query).items():
        distance = None
        if query.point is not None and query.radius_km is not None:
            if match.lat is None or match.lng is None:
                continue
            distance = haversine_km(
                query.point.lat, query.point.lng, match.lat, match.lng
            )
            if distance > query.radius_km:
                continue
        match.starts.sort()
        unstated = 1 if query.age is not None and not match.age_stated else 0
        key: tuple[Any, ...] = (unstated, match.starts[0], pk)
        if query.sort == Sort.DISTANCE:
            key = (unstated, distance, match.starts[0], pk)
        rows.append((key, pk, distance, match.starts[:3]))
    rows.sort(key=lambda row: row[0])
    first = (query.page - 1) * query.page_size
    page = rows[first : first + query.page_size]
    assert len(page) <= query.page_size
    return len(rows)


def naive_clusters(
    query: SearchQuery, bbox: tuple[float, float, float, float], zoom: int
) -> int:
    """Bin every matching venue in the box into web-mercator tiles in Python."""
    min_lng, min_lat, max_lng, max_lat = bbox
    scale = 2 ** min(zoom + 2, 18)
    cells: Counter[tuple[int, int]] = Counter()
    for match in naive_matches(query).values():
        if match.lat is None or match.lng is None:
            continue
        if not (min_lat <= match.lat <= max_lat and min_lng <= match.lng <= max_lng):
            continue
        x = int((match.lng + 180) / 360 * scale)
        y = int(
            (1 - math.asinh(math.tan(math.radians(match.lat))) / math.pi) / 2 * scale
        )
        cells[(x, y)] += 1
    return sum(cells.values())


def run_naive(
    mix: list[dict[str, Any]], *, per_type: int, budget_seconds: float
) -> list[dict[str, Any]]:
    """The first `per_type` queries of each type, each type within the budget."""

    def one(spec: dict[str, Any], query: SearchQuery) -> int:
        if spec["kind"] == "clusters":
            return naive_clusters(query, bbox_of(spec), int(spec["zoom"]))
        return naive_search(query)

    chosen: dict[str, list[tuple[int, dict[str, Any]]]] = {k: [] for k in KINDS}
    for index, spec in enumerate(mix):
        if len(chosen[spec["kind"]]) < per_type:
            chosen[spec["kind"]].append((index, spec))
    timings: list[dict[str, Any]] = []
    for kind in KINDS:
        if not chosen[kind]:
            continue
        one(chosen[kind][0][1], build_query(chosen[kind][0][1]))  # warm up
        spent = 0.0
        for index, spec in chosen[kind]:
            query = build_query(spec)
            started = time.perf_counter()
            total = one(spec, query)
            elapsed = time.perf_counter() - started
            spent += elapsed
            timings.append(
                {"kind": kind, "index": index, "ms": elapsed * 1000, "total": total}
            )
            if spent > budget_seconds:
                break
    return timings


# Child: facts about the database ------------------------------------------------


def index_size() -> dict[str, Any]:
    """Bytes used by the search tables, their indexes and the backend's own
    structures (FTS5 and R*Tree shadow tables; GIN and GiST indexes)."""
    from django.db import connection

    parts: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s "
                "JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
            )
            by_table = {str(name): int(size) for name, size in cursor.fetchall()}
            for name, size in by_table.items():
                if name.startswith("search_fts"):
                    parts["search_fts (FTS5)"] = (
                        parts.get("search_fts (FTS5)", 0) + size
                    )
                elif name.startswith("search_rtree"):
                    parts["search_rtree (R*Tree)"] = (
                        parts.get("search_rtree (R*Tree)", 0) + size
                    )
                elif name.startswith("search_"):
                    parts[name] = size
            cursor.execute("PRAGMA page_count")
            pages = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA page_size")
            database = pages * int(cursor.fetchone()[0])
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute(
                "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
                "AND c.relname LIKE 'search\\_%%'"
            )
            for name, table, indexes in cursor.fetchall():
                parts[f"{name} (table)"] = int(table)
                parts[f"{name} (indexes)"] = int(indexes)
            cursor.execute("SELECT pg_database_size(current_database())")
            database = int(cursor.fetchone()[0])
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {str(cursor.fetchone()[0]).split()[0]}"
    return {
        "total_bytes": sum(parts.values()),
        "parts": dict(sorted(parts.items(), key=lambda item: -item[1])),
        "database_bytes": database,
        "version": version,
    }


def counts() -> dict[str, Any]:
    from ourlondon.catalogue.models import Activity, Occurrence
    from ourlondon.search.models import SearchDocument, SearchIndexState, SearchSession

    state = SearchIndexState.objects.first()
    return {
        "activities": Activity.public.count(),
        "occurrences": Occurrence.objects.count(),
        "documents": SearchDocument.objects.count(),
        "index_sessions": SearchSession.objects.count(),
        "index_day0": state.day0.isoformat() if state else None,
    }


def child_main(argv: list[str]) -> int:
    """`search.py child MODE SPEC OUT`: one measured step in its own process."""
    mode, spec_path, out_path = argv
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourlondon.settings")
    import django

    django.setup()
    spec = json.loads(Path(spec_path).read_text())
    result: Any
    if mode == "probe":
        try:
            result = counts()
        except Exception as exc:  # tables missing: not a usable dataset
            result = {"error": str(exc)}
    elif mode == "info":
        today = date.fromisoformat(spec["today"])
        not_before = datetime.fromisoformat(spec["not_before"])
        mix = plan_mix(
            total=spec["queries"], seed=spec["seed"], today=today, not_before=not_before
        )
        Path(spec["mix_path"]).write_text(json.dumps(mix))
        if spec["urls"]:
            urls = plan_urls(count=spec["urls"], seed=spec["seed"], today=today)
            Path(spec["urls_path"]).write_text("\n".join(urls) + "\n")
        result = {"counts": counts(), "index": index_size()}
    elif mode in ("engine", "engine_days"):
        result = run_engine(
            json.loads(Path(spec["mix_path"]).read_text()),
            whole_days=mode == "engine_days",
        )
    elif mode == "naive":
        result = run_naive(
            json.loads(Path(spec["mix_path"]).read_text()),
            per_type=spec["naive_per_type"],
            budget_seconds=spec["naive_seconds"],
        )
    else:
        raise SystemExit(f"unknown child mode {mode!r}")
    Path(out_path).write_text(json.dumps(result))
    return 0


# Parent: datasets ---------------------------------------------------------------


class BenchError(Exception):
    """A step failed to run (not a missed target)."""


@dataclass
class Dataset:
    backend: str  # "sqlite" | "postgresql"
    scale: int
    url: str
    env: dict[str, str]
    work: Path  # scratch folder for this run's files
    sqlite_path: Path | None = None
    pg_database: str | None = None

    @property
    def name(self) -> str:
        return (
            f"{'SQLite' if self.backend == 'sqlite' else 'PostgreSQL'} {self.scale:,}"
        )


def say(message: str) -> None:
    print(message, flush=True)


def child(
    dataset: Dataset, mode: str, spec: dict[str, Any]
) -> tuple[Any, float, float]:
    """Run one child step; (its JSON result, wall seconds, peak RSS MB)."""
    spec_path = dataset.work / f"{mode}-spec.json"
    out_path = dataset.work / f"{mode}-out.json"
    spec_path.write_text(json.dumps(spec))
    out_path.unlink(missing_ok=True)
    run = run_measured(
        [sys.executable, str(Path(__file__).resolve()), "child", mode]
        + [str(spec_path), str(out_path)],
        dataset.env,
        cwd=ROOT,
    )
    if run.exit_code != 0 or not out_path.exists():
        raise BenchError(f"{dataset.name}: the {mode} step failed ({run.exit_code})")
    return json.loads(out_path.read_text()), run.seconds, run.peak_rss_mb


def check_pg_name(name: str) -> None:
    # This database is dropped: never let a typo point that at a real one.
    # Worktrees sharing one server each keep to their own prefix
    # (ourlondon_wtX_*), so those names are throwaway too.
    if not re.fullmatch(r"ourlondon_(bench|wt[a-z0-9]*)_[a-z0-9_]+", name):
        raise BenchError(
            f"Refusing to use {name!r}: the name must be ourlondon_bench_* "
            "or ourlondon_wt*_*"
        )


def pg_admin(statement: str, name: str) -> bool:
    """Run one statement about database `name` on the server's maintenance
    database (autocommit); True if it returned a row. `{}` stands for the name."""
    import psycopg
    from psycopg import sql

    check_pg_name(name)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        if statement.startswith("SELECT"):
            cursor = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            )
        else:
            query = sql.SQL(statement).format(sql.Identifier(name))
            cursor = connection.execute(query)
        return bool(cursor.description and cursor.fetchall())


def pg_exists(name: str) -> bool:
    return pg_admin("SELECT", name)


def pg_recreate(name: str) -> None:
    pg_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    pg_admin("CREATE DATABASE {}", name)


def pg_drop(name: str) -> None:
    pg_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def sqlite_remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def usable(found: dict[str, Any], scale: int) -> bool:
    """Whether a kept database holds a finished build at this scale."""
    if "error" in found:
        return False
    occurrences = int(found["occurrences"])
    return scale <= occurrences <= scale * 1.01 + 100 and found["documents"] > 0


def prepare(dataset: Dataset, *, today: date, reuse: bool, verbose: bool) -> str:
    """Build (or reuse) the dataset; says what was done."""
    if dataset.sqlite_path is not None:
        exists = dataset.sqlite_path.exists()
    else:
        assert dataset.pg_database is not None
        exists = pg_exists(dataset.pg_database)
    if reuse and exists:
        found, _, _ = child(dataset, "probe", {})
        if usable(found, dataset.scale):
            if found["index_day0"] == today.isoformat():
                return f"reused ({found['occurrences']:,} sessions)"
            started = time.perf_counter()
            manage(dataset.env, "rebuild_search_index")
            seconds = time.perf_counter() - started
            return f"reused; search index rebuilt for today ({seconds:.0f} s)"
    if dataset.sqlite_path is not None:
        sqlite_remove(dataset.sqlite_path)
    elif dataset.pg_database is not None:
        pg_recreate(dataset.pg_database)
    steps = []
    started = time.perf_counter()
    run_setup(dataset.env)
    steps.append(f"setup {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    manage(
        dataset.env,
        "load_demo",
        "--replace",
        f"--scale={dataset.scale}",
        f"--today={today.isoformat()}",
        f"--verbosity={1 if verbose else 0}",
    )
    steps.append(f"load_demo {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    manage(dataset.env, "rebuild_search_index")
    steps.append(f"index {time.perf_counter() - started:.0f} s")
    return "built: " + ", ".join(steps)


# Parent: HTTP -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Our own child's process group (it was started in a new session).
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def start_server(dataset: Dataset, *, workers: int, threads: int) -> Server:
    """The project's server as `make run` starts it, on 127.0.0.1 only."""
    port = free_port()
    env = dict(dataset.env)
    env["API_CACHE_SECONDS"] = "0"  # measure uncached requests
    env["DEBUG"] = "false"
    env["LOG_LEVEL"] = "WARNING"
    for name in ("REDIS_URL", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    log = dataset.work / "granian.log"
    granian = Path(sys.executable).parent / "granian"
    args = [
        str(granian) if granian.exists() else "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backpressure",
        "32",
        "--log-level",
        "warning",
        "ourlondon.wsgi:application",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process=process, port=port, log=log)


def wait_ready(server: Server, path: str, timeout: float = 90) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"granian exited; see {server.log}")
        try:
            return get(f"http://127.0.0.1:{server.port}{path}")
        except OSError:
            time.sleep(0.5)
    raise BenchError(f"granian did not answer within {timeout:.0f} s")


WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(urls)s") do paths[#paths + 1] = line end
local threads = %(threads)d
local thread_number = 0
function setup(thread)
  thread:set("id", thread_number)
  thread_number = thread_number + 1
end
local i = 0
request = function()
  local path = paths[((i * threads) + id) %% #paths + 1]
  i = i + 1
  return wrk.format("GET", path)
end
"""


def wrk_duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return math.nan
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    port: int, urls_path: Path, *, seconds: int, threads: int, connections: int
) -> dict[str, Any]:
    script = urls_path.with_suffix(".lua")
    script.write_text(WRK_SCRIPT % {"urls": urls_path, "threads": threads})
    output = subprocess.run(
        [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=10s",
            "--latency",
            f"--script={script}",
            f"http://127.0.0.1:{port}",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M))
    requests = re.search(r"(\d+) requests in", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "tool": "wrk",
        "requests": int(requests.group(1)) if requests else 0,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": wrk_duration_ms(latency.get("50", "")),
        "p99_ms": wrk_duration_ms(latency.get("99", "")),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "raw": output,
    }


def run_python_load(
    port: int, urls: list[str], *, seconds: int, connections: int
) -> dict[str, Any]:
    """Keep-alive clients in threads, each walking its share of the URLs."""
    import http.client

    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = number
        mine: list[float] = []
        codes: Counter[int] = Counter()
        failed = 0
        while time.monotonic() < deadline:
            path = urls[i % len(urls)]
            i += connections
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
            codes[response.status] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)
            errors[0] += failed

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {
        "tool": "python",
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "non_2xx": sum(n for code, n in statuses.items() if not 200 <= code < 300),
        "socket_errors": errors[0],
    }


def measure_http(dataset: Dataset, options: argparse.Namespace) -> dict[str, Any]:
    """Requests per second of uncached `GET /api/v1/activities` on 127.0.0.1."""
    urls = dataset.work.joinpath("urls.txt").read_text().split()
    warm = options.http_warmup_urls
    if len(urls) < warm + 1000:
        raise BenchError(f"only {len(urls)} distinct URLs were generated")
    measured = urls[warm:]
    measured_path = dataset.work / "urls-measured.txt"
    measured_path.write_text("\n".join(measured) + "\n")
    warm_path = dataset.work / "urls-warm.txt"
    warm_path.write_text("\n".join(urls[:warm]) + "\n")
    result: dict[str, Any] = {
        "urls": len(measured),
        "seconds": options.http_seconds,
        "connections": options.http_connections,
        "threads": options.http_threads,
        "workers": options.http_workers,
        "blocking_threads": options.http_blocking_threads,
    }
    server = start_server(
        dataset, workers=options.http_workers, threads=options.http_blocking_threads
    )
    try:
        status, body = wait_ready(server, urls[0])
        if status == 404 and b'"postcode"' not in body:
            result["status"] = "not measured: /api/v1/activities is not served yet"
            return result
        if status != 200:
            result["status"] = f"not measured: probe answered {status}: {body[:300]!r}"
            return result
        use_wrk = shutil.which("wrk") is not None and not options.python_load
        if use_wrk:
            run_wrk(
                server.port,
                warm_path,
                seconds=3,
                threads=options.http_threads,
                connections=options.http_connections,
            )
            measured_result = run_wrk(
                server.port,
                measured_path,
                seconds=options.http_seconds,
                threads=options.http_threads,
                connections=options.http_connections,
            )
        else:
            run_python_load(
                server.port,
                urls[:warm],
                seconds=3,
                connections=options.http_connections,
            )
            measured_result = run_python_load(
                server.port,
                measured,
                seconds=options.http_seconds,
                connections=options.http_connections,
            )
        result.update(measured_result)
        result["repeats"] = max(0, result["requests"] - len(measured))
        result["status"] = "measured"
        return result
    finally:
        server.stop()


# Parent: one run and the report --------------------------------------------------


def target_ms(backend: str, kind: str) -> tuple[float | None, float]:
    """(p50 target or None, p95 target) in ms for a type on a backend."""
    factor = POSTGRES_FACTOR if backend == "postgresql" else 1.0
    if kind == "clusters":
        return None, CLUSTERS_P95_MS * factor
    return SEARCH_P50_MS * factor, SEARCH_P95_MS * factor


def assess(run: dict[str, Any]) -> None:
    """Add stats, ratios and verdicts per type to a run."""
    timings = run["engine"]["timings"]
    naive = run.get("naive", {}).get("timings", [])
    rows: dict[str, dict[str, Any]] = {}
    for kind in (*KINDS, "search"):
        kinds = SEARCH_KINDS if kind == "search" else (kind,)
        mine = [t["ms"] for t in timings if t["kind"] in kinds]
        theirs = [t["ms"] for t in naive if t["kind"] in kinds]
        row: dict[str, Any] = {"engine": summarise(mine), "naive": summarise(theirs)}
        if theirs:
            row["ratio_p50"] = row["naive"]["p50"] / row["engine"]["p50"]
            row["ratio_p95"] = row["naive"]["p95"] / row["engine"]["p95"]
        p50_target, p95_target = target_ms(run["backend"], kind)
        misses = []
        if p50_target is not None and row["engine"]["p50"] > p50_target:
            misses.append(f"p50>{p50_target:g}")
        if row["engine"]["p95"] > p95_target:
            misses.append(f"p95>{p95_target:g}")
        if "ratio_p95" in row and row["ratio_p95"] < TARGET_RATIO:
            misses.append(f"ratio<{TARGET_RATIO:g}x")
        row["targets"] = {"p50_ms": p50_target, "p95_ms": p95_target}
        row["misses"] = misses
        rows[kind] = row
    run["types"] = rows
    if "engine_days" in run:
        days = run["engine_days"]["timings"]
        run["types_days"] = {
            kind: summarise(
                [
                    t["ms"]
                    for t in days
                    if t["kind"] in (SEARCH_KINDS if kind == "search" else (kind,))
                ]
            )
            for kind in (*KINDS, "search")
        }
    # Whether the naive answers agree with the engine's totals: they should where
    # the question is the same; text differs by design (the naive `icontains` has
    # no stems, synonyms or activity-type words, so it finds less, often nothing).
    agreement: dict[str, list[int]] = {}
    for t in naive:
        engine_total = timings[t["index"]]["total"]
        counts_ = agreement.setdefault(t["kind"], [0, 0, 0])
        counts_[0] += int(engine_total == t["total"])
        counts_[1] += 1
        counts_[2] += int(t["total"] == 0 and engine_total > 0)
    run["agreement"] = agreement


def mb(size: float) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def ms(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}x"


def report(run: dict[str, Any]) -> str:
    c = run["counts"]
    index = run["index"]
    lines = [
        "",
        f"== {run['name']}: {c['occurrences']:,} sessions, {c['activities']:,} "
        f"public activities ({index['version']}; {run['prepared']})",
        f"   index: {c['documents']:,} documents, {c['index_sessions']:,} sessions; "
        f"queries from {run['today']}, not before {run['not_before'][11:16]} UTC; "
        f"code {run['code']}",
        "",
        f"{'type':<25}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8} |"
        f"{'naive n':>8}{'p50':>9}{'p95':>9} |{'x p50':>7}{'x p95':>7}  verdict",
    ]
    for kind in (*KINDS, "search"):
        row = run["types"][kind]
        e, n = row["engine"], row["naive"]
        if kind == "search":
            lines.append("-" * 108)
        verdict = "ok" if not row["misses"] else "MISS " + ", ".join(row["misses"])
        lines.append(
            f"{LABEL[kind]:<25}{e['n']:>5}{ms(e['p50']):>8}{ms(e['p95']):>8}"
            f"{ms(e['p99']):>8} |{n['n']:>8}{ms(n['p50']):>9}{ms(n['p95']):>9} |"
            f"{ratio(row.get('ratio_p50')):>7}{ratio(row.get('ratio_p95')):>7}  "
            f"{verdict}"
        )
    p50_target, p95_target = target_ms(run["backend"], "search")
    _, clusters_target = target_ms(run["backend"], "clusters")
    lines.append(
        f"(targets: searches p50 <= {p50_target:g} ms and p95 <= {p95_target:g} ms, "
        f"clusters p95 <= {clusters_target:g} ms, naive/engine >= {TARGET_RATIO:g}x "
        f"at p95; stated for {TARGET_SCALE:,} sessions)"
    )
    lines.append(
        "(milliseconds; naive = ORM icontains + Python over every session "
        "in the date range + haversine to every venue"
    )
    naive = run.get("naive")
    if naive:
        lines.append(
            f" on the first {naive['per_type']} queries of each type, at most "
            f"~{naive['budget_seconds']:g} s per type; ratios = naive / engine)"
        )
        same = ", ".join(
            f"{LABEL[k]} {a}/{b}"
            for k, (a, b, _) in run["agreement"].items()
            if k not in ("text", "text_borough")
        )
        text = ", ".join(
            f"{LABEL[k]} {a}/{b} (naive found nothing in {z})"
            for k, (a, b, z) in run["agreement"].items()
            if k in ("text", "text_borough")
        )
        lines.append(f"totals equal to the naive answer: {same}")
        if text:
            lines.append(
                f"  text differs by design (no stems, synonyms or type words, so "
                f"the naive finds less and its times flatter it): {text}"
            )
    else:
        lines[-1] += ": not run)"
    lines.append(
        f"index size: {mb(index['total_bytes'])} of a {mb(index['database_bytes'])} "
        "database ("
        + ", ".join(f"{name} {mb(size)}" for name, size in index["parts"].items())
        + ")"
    )
    engine_rss = run["engine"]["peak_rss_mb"]
    rss = f"peak RSS of the Python process: engine run {engine_rss:,.0f} MB"
    if naive:
        rss += f", naive run {naive['peak_rss_mb']:,.0f} MB"
    lines.append(rss)
    if "types_days" in run:
        lines.append(
            "same mix with dates from midnight (no not_before; as SearchQuery.build "
            "defaults, not as the API asks), p50/p95/p99 ms:"
        )
        lines.append(
            "   "
            + "; ".join(
                f"{LABEL[kind]} {ms(row['p50'])}/{ms(row['p95'])}/{ms(row['p99'])}"
                for kind, row in run["types_days"].items()
            )
        )
    http = run.get("http")
    if http:
        lines.append(http_line(http))
    return "\n".join(lines)


def http_line(http: dict[str, Any]) -> str:
    if http.get("status") != "measured":
        return f"HTTP: {http.get('status')}"
    ok = "ok" if http["rps"] >= TARGET_RPS else "MISS"
    return (
        f"HTTP GET /api/v1/activities (uncached, {http['tool']}, "
        f"{http['seconds']} s, {http['threads']} threads, {http['connections']} "
        f"connections, granian {http['workers']} workers x "
        f"{http['blocking_threads']} threads): {http['rps']:,.0f} req/s "
        f"[{ok}, target >= {TARGET_RPS:g}], p50 {ms(http['p50_ms'])} ms, "
        f"p99 {ms(http['p99_ms'])} ms, {http['requests']:,} requests over "
        f"{http['urls']:,} distinct URLs, non-2xx {http['non_2xx']}, "
        f"socket errors {http['socket_errors']}"
    )


def summary(runs: list[dict[str, Any]]) -> str:
    lines = ["", "== Summary"]
    for run in runs:
        judged = run["scale"] >= TARGET_SCALE
        misses = [
            f"{LABEL[kind]}: {', '.join(run['types'][kind]['misses'])}"
            for kind in (*KINDS, "search")
            if run["types"][kind]["misses"]
        ]
        search, clusters = run["types"]["search"], run["types"]["clusters"]
        head = (
            f"{run['name']:<22} search p50 {ms(search['engine']['p50'])} / p95 "
            f"{ms(search['engine']['p95'])} ms, clusters p95 "
            f"{ms(clusters['engine']['p95'])} ms, "
            f"index {mb(run['index']['total_bytes'])}, "
            f"peak RSS {run['engine']['peak_rss_mb']:,.0f} MB"
        )
        if "ratio_p95" in search:
            head += f", naive/engine at p95 {ratio(search['ratio_p95'])}"
        lines.append(head)
        if "changed" in run["code"].lower():
            lines.append(f"{'':<22} code {run['code']}")
        scope = "targets" if judged else f"targets (stated for {TARGET_SCALE:,})"
        lines.append(
            f"{'':<22} {scope}: " + ("all met" if not misses else "; ".join(misses))
        )
        if run.get("http"):
            lines.append(f"{'':<22} {http_line(run['http'])}")
    return "\n".join(lines)


def code_version() -> str:
    """A short hash of the code under test: other people may be changing it while
    a long run goes on, and numbers from different code must not be mixed up."""
    digest = hashlib.sha256()
    for folder in ("search", "api", "catalogue", "core"):
        for path in sorted((ROOT / "ourlondon" / folder).rglob("*.py")):
            if "tests" not in path.parts and "migrations" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def run_one(
    dataset: Dataset, options: argparse.Namespace, *, today: date
) -> dict[str, Any]:
    say(f"\n-- {dataset.name}: preparing the dataset ...")
    prepared = prepare(
        dataset, today=today, reuse=options.reuse, verbose=options.verbose
    )
    say(f"   {prepared}")
    not_before = datetime.now(UTC).replace(second=0, microsecond=0)
    http = options.http and dataset.scale == options.http_scale
    spec = {
        "today": today.isoformat(),
        "not_before": not_before.isoformat(),
        "queries": options.queries,
        "seed": options.seed,
        "mix_path": str(dataset.work / "mix.json"),
        "urls": options.http_urls + options.http_warmup_urls if http else 0,
        "urls_path": str(dataset.work / "urls.txt"),
        "naive_per_type": options.naive_per_type,
        "naive_seconds": options.naive_seconds,
    }
    code_before = code_version()
    info, _, _ = child(dataset, "info", spec)
    run: dict[str, Any] = {
        "name": dataset.name,
        "backend": dataset.backend,
        "scale": dataset.scale,
        "today": today.isoformat(),
        "not_before": not_before.isoformat(),
        "prepared": prepared,
        **info,
    }
    say(f"   timing the engine ({options.queries} queries, after a warm-up) ...")
    timings, seconds, rss = child(dataset, "engine", spec)
    run["engine"] = {"timings": timings, "seconds": seconds, "peak_rss_mb": rss}
    if options.whole_days:
        say("   timing the engine again, dates from midnight (no not_before) ...")
        timings, seconds, rss = child(dataset, "engine_days", spec)
        run["engine_days"] = {
            "timings": timings,
            "seconds": seconds,
            "peak_rss_mb": rss,
        }
    code_timed = code_version()
    if options.naive_per_type > 0:
        say(
            f"   timing the naive baseline "
            f"(up to {options.naive_per_type} per type) ..."
        )
        timings, seconds, rss = child(dataset, "naive", spec)
        run["naive"] = {
            "timings": timings,
            "seconds": seconds,
            "peak_rss_mb": rss,
            "per_type": options.naive_per_type,
            "budget_seconds": options.naive_seconds,
        }
    if http:
        say("   loading the HTTP API ...")
        run["http"] = measure_http(dataset, options)
    run["code"] = code_before
    if code_timed != code_before:
        run["code"] += f" (CHANGED to {code_timed} while the engine was timed)"
    elif code_version() != code_before:
        run["code"] += " (changed after the engine was timed)"
    assess(run)
    say(report(run))
    return run


def datasets(
    options: argparse.Namespace, data_dir: Path
) -> Iterator[tuple[Dataset, bool]]:
    """Each (scale, backend) dataset, and whether to remove it afterwards."""
    for scale in options.scales:
        for backend in options.backends:
            work = (data_dir / f"{backend}-{scale}").resolve()
            work.mkdir(parents=True, exist_ok=True)
            sqlite_path = pg_database = None
            if backend == "sqlite":
                sqlite_path = (data_dir / f"search-{scale}.sqlite3").resolve()
                url = f"sqlite:///{sqlite_path}"
            else:
                pg_database = options.pg_database
                url = f"{PG_SERVER}/{pg_database}"
            env = bench_env(url, work)
            env["DJANGO_SETTINGS_MODULE"] = "ourlondon.settings"
            dataset = Dataset(backend, scale, url, env, work, sqlite_path, pg_database)
            yield dataset, not options.keep


def remove(dataset: Dataset) -> None:
    if dataset.sqlite_path is not None:
        sqlite_remove(dataset.sqlite_path)
    if dataset.pg_database is not None:
        pg_drop(dataset.pg_database)


def comma_ints(value: str) -> list[int]:
    return [int(v.replace("_", "")) for v in value.split(",") if v]


def comma_backends(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    for name in names:
        if name not in ("sqlite", "postgresql"):
            raise argparse.ArgumentTypeError(f"unknown backend {name!r}")
    return names


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--scales",
        type=comma_ints,
        default=[100_000, 1_000_000],
        help="Sessions per dataset, comma-separated (default 100000,1000000).",
    )
    parser.add_argument(
        "--backends",
        type=comma_backends,
        default=["sqlite", "postgresql"],
        help="Backends, comma-separated (default sqlite,postgresql).",
    )
    parser.add_argument(
        "--queries", type=int, default=200, help="Queries in the mix (default 200)."
    )
    parser.add_argument("--seed", type=int, default=1, help="Mix seed (default 1).")
    parser.add_argument(
        "--naive-per-type",
        type=int,
        default=20,
        help="Naive baseline queries per type; 0 skips it (default 20).",
    )
    parser.add_argument(
        "--naive-seconds",
        type=float,
        default=90.0,
        help="Stop the naive baseline of a type after this long (default 90).",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="Keep databases and scratch files here (default: a temporary folder).",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the databases afterwards (SQLite files, the PostgreSQL database).",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Skip building a dataset the data folder or PostgreSQL database holds "
        "already at that scale (the search index is rebuilt if it is not today's).",
    )
    parser.add_argument(
        "--pg-database",
        default=PG_DATABASE,
        help=f"Throwaway PostgreSQL database (ourlondon_bench_*; default "
        f"{PG_DATABASE}); created and dropped on {PG_SERVER}.",
    )
    parser.add_argument(
        "--no-whole-days",
        dest="whole_days",
        action="store_false",
        help="Skip timing the mix a second time with dates from midnight.",
    )
    parser.add_argument(
        "--no-http", dest="http", action="store_false", help="Skip the HTTP load."
    )
    parser.add_argument(
        "--http-scale",
        type=int,
        default=100_000,
        help="Dataset the HTTP load runs on (default 100000).",
    )
    parser.add_argument("--http-seconds", type=int, default=15)
    parser.add_argument("--http-threads", type=int, default=2)
    parser.add_argument("--http-connections", type=int, default=32)
    parser.add_argument(
        "--http-urls",
        type=int,
        default=6000,
        help="Distinct URLs for the measured load (default 6000).",
    )
    parser.add_argument("--http-warmup-urls", type=int, default=300)
    parser.add_argument("--http-workers", type=int, default=2)
    parser.add_argument("--http-blocking-threads", type=int, default=4)
    parser.add_argument(
        "--python-load",
        action="store_true",
        help="Use the Python load generator even when wrk is installed.",
    )
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    parser.add_argument(
        "--verbose", action="store_true", help="Show load_demo's progress bars."
    )
    options = parser.parse_args(argv)
    if options.queries < len(ZOOMS) * 2:
        parser.error("--queries must be at least 8")
    check_pg_name(options.pg_database)
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    today = datetime.now(LONDON).date()
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    temporary = None
    if options.data_dir is None:
        temporary = tempfile.mkdtemp(prefix="ourlondon-bench-search-")
        data_dir = Path(temporary)
    else:
        data_dir = options.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
    say(
        f"Search benchmark: scales {', '.join(f'{s:,}' for s in options.scales)}; "
        f"backends {', '.join(options.backends)}; {options.queries} queries "
        f"(seed {options.seed}); today {today}; data in {data_dir}"
    )
    runs: list[dict[str, Any]] = []
    failed = False
    try:
        for dataset, cleanup in datasets(options, data_dir):
            try:
                runs.append(run_one(dataset, options, today=today))
            finally:
                if cleanup:
                    remove(dataset)
    except (BenchError, subprocess.CalledProcessError) as exc:
        say(f"\nERROR: {exc}")
        failed = True
    finally:
        if temporary and not options.keep:
            shutil.rmtree(temporary, ignore_errors=True)
        elif options.keep:
            say(
                f"\nKept the data in {data_dir}"
                + (
                    f" and PostgreSQL database {options.pg_database}"
                    if "postgresql" in options.backends
                    else ""
                )
            )
    if runs:
        say(summary(runs))
    say(f"\nTotal time {time.perf_counter() - started:,.0f} s.")
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "started": started_at.isoformat(),
                    "machine": {
                        "cpus": os.cpu_count(),
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                    },
                    "options": {
                        k: (str(v) if isinstance(v, Path) else v)
                        for k, v in vars(options).items()
                    },
                    "runs": runs,
                    "failed": failed,
                },
                indent=2,
                default=str,
            )
        )
        say(f"Results written to {options.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
