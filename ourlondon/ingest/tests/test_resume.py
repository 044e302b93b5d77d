"""`kill -9` of the harvester mid-feed, then a resume: the catalogue ends with
exactly the publisher's items, none twice and none missing.

The harvester runs as a real process (`manage.py harvest`), so it needs a
database both processes can see: this test makes its own SQLite file with the
reference data, whatever database the rest of the suite uses (marker `served`,
run once, in the SQLite pass).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ourlondon.ingest.tests.publisher import Publisher, series_data, serve

pytestmark = pytest.mark.served
BASE_DIR = Path(__file__).resolve().parents[3]
ITEMS = 60


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_killed_harvest_resumes_with_exactly_the_publishers_items(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ourlondon.settings",
        "OURLONDON_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "resume-test-only",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": "",
    }
    manage(env, "migrate", "--no-input")
    manage(env, "load_geography")
    manage(env, "load_vocabularies")

    publisher = Publisher(page_size=5)
    for n in range(ITEMS):
        publisher.upsert(f"s{n:03}", series_data(f"s{n:03}", name=f"Club {n}"))

    def slowly(query):
        time.sleep(0.2)  # time to be killed between pages, or in the middle of one
        return

    publisher.intercept = slowly

    def pages_done() -> int:
        with sqlite3.connect(database) as db:
            row = db.execute("SELECT MAX(pages) FROM ingest_feed").fetchone()
        return int(row[0] or 0)

    with serve({"series": publisher}) as base:
        url = f"{base}/series"
        command = [
            sys.executable,
            "manage.py",
            "harvest",
            "--url",
            url,
            "--once",
            "--allow-private",
        ]
        first = subprocess.Popen(command, cwd=BASE_DIR, env=env)
        deadline = time.monotonic() + 120
        while pages_done() < 4:
            assert first.poll() is None, "the harvest ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        done = pages_done()
        assert 4 <= done < ITEMS // 5, "killed mid-feed"
        manage(env, "harvest", "--url", url, "--once", "--allow-private")

    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT source_id, title, status FROM catalogue_activity "
            "WHERE source = 'openactive'"
        ).fetchall()
        items = db.execute("SELECT COUNT(*) FROM ingest_feeditem").fetchone()[0]
        schedules_per = db.execute(
            "SELECT COUNT(*) FROM catalogue_activity a JOIN catalogue_activity_types t "
            "ON t.activity_id = a.id WHERE a.source = 'openactive'"
        ).fetchone()[0]
    expected = {d["@id"]: d["name"] for d in publisher.live().values()}
    assert len(rows) == ITEMS
    assert {r[0]: r[1] for r in rows} == expected
    assert {r[2] for r in rows} == {"published"}
    assert items == ITEMS
    assert schedules_per == ITEMS  # one type each, none doubled
