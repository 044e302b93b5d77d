"""Harvest throughput: a local publisher of N OpenActive items in RPDE pages of
500, harvested by `manage.py harvest` into a fresh database.

    .venv/bin/python bench/harvest.py                       # N = 1,000,000, SQLite
    .venv/bin/python bench/harvest.py --items 20000 --shape sessions
    .venv/bin/python bench/harvest.py --items 20000 --database-url \\
        postgres://postgres@127.0.0.1:5432/ourlondon_bench_harvest

Shapes: `series` (default), N SessionSeries with a weekly schedule each (12
dated sessions each in the catalogue and the index); `sessions`, the split
feeds most booking systems publish: N/25 series first from their own feed,
then N ScheduledSession items referring to them by @id, scattered across them;
`combined`, one feed of N ScheduledSession items each carrying its series whole
(`superEvent` embedded, kind ScheduledSession.SessionSeries, as Legend's
London centres publish), N/25 series scattered across them; `events`, N
standalone Events (one dated session each, as British Cycling's rides).

First reads the whole feed with the harvester's own fetching and parsing,
writing nothing: the baseline, in items/s and p50/p95 per page. Then prints
the harvest's items per second (wall time of the harvest process), as a
share of that baseline, its p50/p95 time to write a page (as the harvester
reports it) and its peak RSS;
then the rate when every item is re-published changed (the update path); then
the time a restarted harvester takes to commit its first page after a `kill -9`
part-way through a re-read (and to finish). Targets (issue #6): >= 10,000
items/s into SQLite, >= 5,000/s into PostgreSQL, under 500 MB. Everything runs
on 127.0.0.1 and stops by itself; the database is thrown away afterwards
(PostgreSQL: only a database named ourlondon_bench_*, dropped and created here).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PAGE = 500
FOOTBALL = "https://openactive.io/activity-list#0a5f732d-e806-4e51-ad40-0a7de0239c8c"
POSTCODES = ["E8 3AA", "SW2 1AA", "N1 9GU", "SE15 5DQ", "W12 7AA", "E14 5AB"]
SESSIONS_PER_SERIES = 25
START = date.today() + timedelta(days=1)
# Raised to re-publish every item changed (a publisher regenerating its feed).
REVISION = {"n": 0}


def item(n: int) -> dict[str, Any]:
    return {
        "state": "updated",
        "kind": "SessionSeries",
        "id": f"s{n:08}",
        "modified": n + 1 + REVISION["n"] * 10**9,
        "data": {
            "@context": "https://openactive.io/",
            "@type": "SessionSeries",
            "@id": f"https://bench.example/series/{n}",
            "name": f"Youth football club {n}" + " (new)" * REVISION["n"],
            "description": "Friendly football for all abilities.",
            "organizer": {"@type": "Organization", "name": f"Club {n % 500}"},
            "activity": [
                {"@type": "Concept", "@id": FOOTBALL, "prefLabel": "Football"}
            ],
            "ageRange": {"@type": "QuantitativeValue", "minValue": 11, "maxValue": 18},
            "offers": [{"@type": "Offer", "price": 0 if n % 2 else 3.5}],
            "location": {
                "@type": "Place",
                "name": f"Pitch {n % 300}",
                "address": {"postalCode": POSTCODES[n % len(POSTCODES)]},
            },
            "eventSchedule": [
                {
                    "@type": "PartialSchedule",
                    "repeatFrequency": "P1W",
                    "byDay": ["https://schema.org/Saturday"],
                    "startTime": "10:00",
                    "endTime": "11:30",
                }
            ],
        },
    }


def series_item(n: int) -> dict[str, Any]:
    """A series as split feeds publish it: no schedule of its own, its sessions
    are items of the ScheduledSession feed."""
    one = item(n)
    del one["data"]["eventSchedule"]
    return one


def session_item(n: int, series: int) -> dict[str, Any]:
    """The n-th ScheduledSession: one hour at 10:00 on one of the next 84 days,
    of series n % series, by reference (as the split feeds of real publishers
    do)."""
    day = START + timedelta(days=(n + REVISION["n"]) % 84)
    return {
        "state": "updated",
        "kind": "ScheduledSession",
        "id": f"d{n:08}",
        "modified": n + 1 + REVISION["n"] * 10**9,
        "data": {
            "@context": "https://openactive.io/",
            "@type": "ScheduledSession",
            "@id": f"https://bench.example/sessions/{n}",
            "superEvent": f"https://bench.example/series/{n % series}",
            "startDate": f"{day.isoformat()}T10:00:00Z",
            "endDate": f"{day.isoformat()}T11:00:00Z",
        },
    }


def event_item(n: int) -> dict[str, Any]:
    """An event of its own (no series; British Cycling's rides): one dated
    session on one of the next 84 days."""
    one = series_item(n)
    one["kind"] = "Event"
    day = START + timedelta(days=(n + REVISION["n"]) % 84)
    one["data"].update(
        {
            "@type": "Event",
            "@id": f"https://bench.example/events/{n}",
            "startDate": f"{day.isoformat()}T10:00:00Z",
            "endDate": f"{day.isoformat()}T12:00:00Z",
        }
    )
    return one


def carried_item(n: int, series: int) -> dict[str, Any]:
    """The n-th session of a combined feed: as `session_item`, carrying its
    series whole."""
    one = session_item(n, series)
    one["kind"] = "ScheduledSession.SessionSeries"
    whole = series_item(n % series)["data"]
    del whole["@context"]
    one["data"]["superEvent"] = whole
    return one


def serve(total: int, latency: float = 0.0) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            if latency:
                # A real publisher's answer time (network and its database).
                time.sleep(latency)
            query = parse_qs(urlsplit(self.path).query)
            after = int(query.get("afterTimestamp", ["0"])[0])
            path = urlsplit(self.path).path
            count = max(1, total // SESSIONS_PER_SERIES)
            if path == "/series":
                make: Any = series_item
                end = count
            elif path == "/sessions":
                make, end = (lambda n: session_item(n, count)), total
            elif path == "/events":
                make, end = event_item, total
            elif path == "/combined":
                make, end = (lambda n: carried_item(n, count)), total
            else:
                make, end = item, total
            items = [make(n) for n in range(after, min(after + PAGE, end))]
            host = f"http://{self.headers['Host']}"
            here = host + self.path
            following = f"{host}{path}?afterTimestamp={after + len(items)}"
            body = json.dumps({"next": following if items else here, "items": items})
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # The harvester may be killed mid-page (step 3): expected.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )


def pages_done(env: dict[str, str]) -> int:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            row = db.execute("SELECT MAX(pages) FROM ingest_feed").fetchone()
        return int(row[0] or 0)
    import psycopg

    with psycopg.connect(url) as db:
        row = db.execute("SELECT MAX(pages) FROM ingest_feed").fetchone()
    return int(row[0] or 0) if row else 0


# The baseline: the same pages fetched and parsed by the harvester's own code,
# nothing written. The harvest's rate is also given as a share of this, which
# moves less with the machine than items/s do.
READER = """
import json, sys, time
import django
django.setup()
from ourlondon.ingest.fetching import fetch
from ourlondon.ingest.harvesting import PAGE_MAX_BYTES
from ourlondon.ingest.rpde import parse_page
url, items, times = sys.argv[1], 0, []
started = time.perf_counter()
while True:
    begun = time.perf_counter()
    got = fetch(url, headers={"Accept": "application/json"},
                max_bytes=PAGE_MAX_BYTES, allow_private=True)
    page = parse_page(got.body, url=got.url)
    times.append(time.perf_counter() - begun)
    items += len(page.items)
    if page.is_last:
        break
    url = page.next_url
print(json.dumps({"items": items, "seconds": time.perf_counter() - started,
                  "pages": times}))
"""


def percentiles(values: list[float]) -> str:
    """p50 and p95 as the harvester's own report computes them."""
    if len(values) < 2:
        values = values * 2
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return f"p50 {cuts[9] * 1000:.0f} ms, p95 {cuts[18] * 1000:.0f} ms"


def read_feed(env: dict[str, str], url: str) -> tuple[float, str]:
    """Items per second reading the feed alone, and its per-page times."""
    done = subprocess.run(
        [sys.executable, "-c", READER, url],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["items"] / result["seconds"], percentiles(result["pages"])


def page_times(log: Path) -> str:
    """What the harvester said of its page times (its summary line)."""
    found = re.search(r"each page written in (p50 \d+ ms, p95 \d+ ms)", log.read_text())
    return found.group(1) if found else "not reported"


def run(
    env: dict[str, str],
    url: str,
    kind: str = "SessionSeries",
    profile: str = "",
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    return subprocess.Popen(
        [
            sys.executable,
            *profiler,
            "manage.py",
            "harvest",
            "--url",
            url,
            "--once",
            "--allow-private",
            "--max-pages",
            "100000",
            "--kind",
            kind,
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w") if log else subprocess.DEVNULL,
    )


def wait_measured(child: subprocess.Popen[bytes]) -> tuple[int, Any, float]:
    """Wait for the harvester: its exit status, rusage, and the peak of its own
    memory (RssAnon, sampled), which leaves out the pages of the database file
    SQLite maps (shared, reclaimable, but counted in the kernel's peak RSS)."""
    peak = [0.0]

    def sample() -> None:
        status = Path(f"/proc/{child.pid}/status")
        while child.returncode is None:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("RssAnon:"):
                        peak[0] = max(peak[0], int(line.split()[1]) / 1024)
            except OSError:
                return
            time.sleep(0.2)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    watcher.join()
    return child.returncode, usage, peak[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--shape",
        choices=["series", "sessions", "combined", "events"],
        default="series",
        help="series: N SessionSeries with a weekly schedule each (12 dated "
        "sessions); sessions: N ScheduledSession items referring to N/25 "
        "series harvested first from their own feed (split feeds); combined: "
        "N ScheduledSession items each carrying one of N/25 series whole; "
        "events: N standalone Events (one session each)",
    )
    parser.add_argument(
        "--profile",
        default="",
        metavar="FILE",
        help="run the first harvest under cProfile, its stats written to FILE "
        "(slower: for finding where the time goes, not for the rate)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="the publisher waits MS milliseconds before each page, as a real "
        "one across the internet does (default 0: the harvester's own speed)",
    )
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ourlondon-bench-harvest-"))
    # Thrown away however the run ends (a million sessions take a few GB).
    atexit.register(shutil.rmtree, folder, True)
    database_url = options.database_url or f"sqlite:///{folder / 'db.sqlite3'}"
    if database_url.startswith("postgres"):
        name = database_url.rsplit("/", 1)[-1]
        if not name.startswith("ourlondon_bench_"):
            parser.error("PostgreSQL: the database must be named ourlondon_bench_*")
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        import psycopg

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        drop()
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        atexit.register(drop)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ourlondon.settings",
        "OURLONDON_VAR_DIR": str(folder),
        "SECRET_KEY": "bench-only",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "LOG_LEVEL": "ERROR",
    }
    print(f"preparing {database_url.split('://')[0]} ...", flush=True)
    for step in (
        ("migrate", "--no-input"),
        ("load_geography",),
        ("load_vocabularies",),
    ):
        manage(env, *step)
    server, base = serve(options.items, options.latency / 1000)
    url, kind = base + "/feed", "SessionSeries"
    if options.shape == "sessions":
        started = time.perf_counter()
        run(env, base + "/series").wait()
        print(
            f"{max(1, options.items // SESSIONS_PER_SERIES):,} series harvested "
            f"first in {time.perf_counter() - started:.1f} s"
        )
        url, kind = base + "/sessions", "ScheduledSession"
    elif options.shape == "combined":
        url, kind = base + "/combined", "ScheduledSession"
    elif options.shape == "events":
        url, kind = base + "/events", "Event"

    # 0. The baseline: reading the feed alone.
    read_rate, read_pages = read_feed(env, url)
    print(
        f"reading the feed alone (fetch and parse, nothing written): "
        f"{read_rate:,.0f} items/s; each page {read_pages}"
    )

    # 1. A clean harvest of every item.
    log = folder / "harvest.log"
    started = time.perf_counter()
    child = run(
        env,
        url,
        kind,
        os.path.abspath(options.profile) if options.profile else "",
        log,
    )
    status, usage, own = wait_measured(child)
    elapsed = time.perf_counter() - started
    rate = options.items / elapsed
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"{options.items:,} items in {elapsed:.1f} s: {rate:,.0f} items/s, peak RSS "
        f"{usage.ru_maxrss / 1024:.0f} MB, of it its own {own:.0f} MB (exit {status})"
    )
    print(
        f"  {rate / read_rate:.2f}x the reading rate; each page written in "
        f"{page_times(log)}"
    )
    # On a shared machine the wall clock counts other people's work too; the
    # harvester's own CPU time does not.
    print(
        f"harvester CPU time {cpu:.1f} s: {options.items / cpu:,.0f} items per "
        "CPU-second (database writes in the same process included)"
    )

    # 2. Every item changed: the update path (a publisher regenerating its feed).
    REVISION["n"] = 1
    reset = (
        "from ourlondon.ingest.models import Feed; "
        "Feed.objects.update(next_url='', pages=0)"
    )
    manage(env, "shell", "-c", reset)
    started = time.perf_counter()
    child = run(env, url, kind, log=log)
    status, usage, own = wait_measured(child)
    elapsed = time.perf_counter() - started
    print(
        f"every item changed and harvested again: {options.items / elapsed:,.0f} "
        f"items/s, peak RSS {usage.ru_maxrss / 1024:.0f} MB, of it its own "
        f"{own:.0f} MB (exit {status})"
    )
    print(
        f"  {options.items / elapsed / read_rate:.2f}x the reading rate; each page "
        f"written in {page_times(log)}"
    )

    # 3. Harvest again from the start, kill -9 part-way, then resume.
    manage(env, "shell", "-c", reset)
    child = run(env, url, kind)
    target = max(2, options.items // PAGE // 3)
    while pages_done(env) < target and child.poll() is None:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    killed_at = pages_done(env)
    started = time.perf_counter()
    child = run(env, url, kind)
    first_page = None
    while child.poll() is None:
        if first_page is None and pages_done(env) > killed_at:
            first_page = time.perf_counter() - started
        time.sleep(0.02)
    total = time.perf_counter() - started
    print(
        f"killed after {killed_at} pages; restart committed its first page in "
        f"{(first_page or total):.2f} s and finished in {total:.1f} s"
    )
    server.shutdown()
    target_rate = 5000 if database_url.startswith("postgres") else 10000
    print(f"target: >= {target_rate:,} items/s, < 500 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
