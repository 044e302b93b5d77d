"""The clock seam: every reading of the time goes through `ourlondon.core.clock`,
tests set it, and `OURLONDON_NOW` moves a whole process (and the ones it starts)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from ourlondon.core import clock as seam

ROOT = Path(__file__).resolve().parents[3]
SEAM = ROOT / "ourlondon" / "core" / "clock.py"

# (object, attribute) pairs whose call reads the real clock whatever its arguments.
READS = {
    ("timezone", "now"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}
# These read the clock only when given no value to convert.
READS_WITHOUT_ARGUMENTS = {
    ("timezone", "localdate"),
    ("timezone", "localtime"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("time", "ctime"),
}
# SQL that asks the database for its own clock (Django's Now(), raw SQL).
SQL_CLOCK = re.compile(
    r"(?<![.\w])now\(\)|\bcurrent_(?:timestamp|date|time)\b|\blocaltimestamp\b"
    r"|\b(?:date|datetime|julianday|strftime)\(\s*'now'",
    re.IGNORECASE,
)
SQL_WORDS = re.compile(r"\b(select|update|insert|delete|where|set)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Bypass:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _pair(node: ast.expr) -> tuple[str, str] | None:
    """`timezone.now` → ("timezone", "now"); `dt.datetime.now` → ("datetime", "now")."""
    if not isinstance(node, ast.Attribute):
        return None
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id, node.attr
    if isinstance(owner, ast.Attribute):
        return owner.attr, node.attr
    return None


def clock_bypasses(source: str, path: str = "<source>") -> list[Bypass]:
    """Where `source` reads the time other than through `ourlondon.core.clock`."""
    found: list[Bypass] = []
    tree = ast.parse(source)
    called: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            pair = _pair(node.func)
            called.add(id(node.func))
            bare = not node.args and not node.keywords
            if pair in READS or (pair in READS_WITHOUT_ARGUMENTS and bare):
                found.append(Bypass(path, node.lineno, f"{'.'.join(pair)}()"))
            name = node.func
            if (isinstance(name, ast.Name) and name.id == "Now") or (
                isinstance(name, ast.Attribute) and name.attr == "Now"
            ):
                found.append(Bypass(path, node.lineno, "Now() (the database's clock)"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_WORDS.search(node.value)
            and SQL_CLOCK.search(node.value)
        ):
            found.append(Bypass(path, node.lineno, "SQL reading the clock"))
    for node in ast.walk(tree):
        # `default=timezone.now`, `LazyFunction(datetime.now)`: a reading put off.
        if not isinstance(node, ast.Attribute):
            continue
        pair = _pair(node)
        if pair in READS and id(node) not in called:
            found.append(Bypass(path, node.lineno, f"{'.'.join(pair)} (uncalled)"))
    return found


def _modules() -> list[Path]:
    paths = [ROOT / "conftest.py"]
    for folder in (ROOT / "ourlondon", ROOT / "tests"):
        paths += folder.rglob("*.py")
    # Migrations are history (never edited); the seam itself reads the clock.
    return [
        p
        for p in sorted(paths)
        if "migrations" not in p.parts and p not in (SEAM, Path(__file__).resolve())
    ]


def test_nothing_reads_the_time_except_through_the_clock_seam():
    bypasses = [
        str(b)
        for path in _modules()
        for b in clock_bypasses(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert bypasses == [], "read the time with ourlondon.core.clock:\n" + "\n".join(
        bypasses
    )


def test_the_guard_catches_a_date_path_that_reads_the_real_clock():
    # The mutation the guard exists for: the finder's default date from the real
    # clock instead of the seam.
    query = (ROOT / "ourlondon" / "search" / "query.py").read_text()
    assert "default_factory=clock.today" in query
    assert clock_bypasses(query) == []
    mutated = query.replace(
        "default_factory=clock.today", "default_factory=lambda: timezone.localdate()"
    )
    assert [b.what for b in clock_bypasses(mutated)] == ["timezone.localdate()"]
    assert clock_bypasses("import datetime\nx = datetime.date.today()\n")
    assert clock_bypasses("from time import time\nimport time\nt = time.time()\n")
    assert clock_bypasses("f = models.DateTimeField(default=timezone.now)\n")
    assert clock_bypasses("q = Q(start__gte=Now())\n")
    assert clock_bypasses('sql = "UPDATE t SET at = now() WHERE id = %s"\n')
    assert clock_bypasses("sql = \"SELECT 1 WHERE d < date('now')\"\n")
    # Conversions of a given moment are not readings of the clock.
    assert clock_bypasses("d = timezone.localdate(moment)\nn = clock.now()\n") == []


def test_a_naive_moment_is_london_wall_clock_time():
    assert seam.parse_moment("2026-07-01 08:00") == datetime(2026, 7, 1, 7, tzinfo=UTC)
    assert seam.parse_moment("2026-12-21") == datetime(2026, 12, 21, tzinfo=UTC)
    assert seam.parse_moment(date(2028, 2, 29)) == datetime(2028, 2, 29, tzinfo=UTC)
    # 01:30 on 31 October 2027 happens twice; the first is still BST.
    assert seam.parse_moment("2027-10-31T01:30") == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )
    assert seam.parse_moment("2027-01-05T09:00+00:00").hour == 9


@pytest.mark.parametrize("junk", ["", "next tuesday", "2027-02-30", "31/12/2026"])
def test_a_moment_that_is_not_iso_8601_is_refused_with_an_example(junk):
    with pytest.raises(ValueError, match="ISO 8601"):
        seam.parse_moment(junk)


def test_today_is_londons_date_not_utcs(clock):
    clock.set(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 BST on 1 July
    assert seam.today() == date(2026, 7, 1)
    assert seam.local_now().hour == 0
    clock.set(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # GMT: still 31 December
    assert seam.today() == date(2026, 12, 31)


def test_the_clock_fixture_moves_every_clock_and_stands_still(clock):
    moment = clock.set("2031-05-06 08:00")
    assert seam.now() == timezone.now() == moment
    assert time.time() == moment.timestamp()
    assert date.today() == date(2031, 5, 6)
    clock.advance(hours=16, minutes=30)
    assert seam.local_now().strftime("%Y-%m-%d %H:%M") == "2031-05-07 00:30"
    assert seam.today() == date(2031, 5, 7)


@pytest.mark.django_db
def test_rows_saved_while_the_clock_is_set_are_stamped_with_its_time(clock):
    from ourlondon.audit.models import AuditEvent

    moment = clock.set("2029-01-15 10:00")
    event = AuditEvent.objects.create(action="update", object_id="1")
    assert event.at == moment


def test_the_suite_runs_at_ourlondon_now_when_it_is_set():
    # `make test-dates` sets it: this fails if the setting stopped moving the clock.
    value = os.environ.get(seam.ENV_VAR, "")
    if not value:
        assert not seam.travelling()
        return
    assert seam.travelling()
    elapsed = seam.now() - seam.parse_moment(value)
    assert timedelta(0) <= elapsed < timedelta(hours=2)


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ourlondon.test_settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRINT_TODAY = (
    "import django; django.setup()\n"
    "from ourlondon.core import clock; import datetime\n"
    "print(clock.today(), datetime.date.today(), clock.travelling())\n"
)


def test_ourlondon_now_moves_a_whole_process_and_a_bad_value_is_named():
    moved = _run(PRINT_TODAY, OURLONDON_NOW="2028-02-29T12:00", OURLONDON_NOW_SET_AT="")
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.split() == ["2028-02-29", "2028-02-29", "True"]
    bad = _run(PRINT_TODAY, OURLONDON_NOW="29/02/2028", OURLONDON_NOW_SET_AT="")
    assert bad.returncode != 0
    assert "OURLONDON_NOW: '29/02/2028' is not an ISO 8601 date" in bad.stderr


def test_a_process_started_later_reads_the_same_time_as_the_one_that_started_it():
    # As if the first process had set its clock to 08:00 an hour (really) ago.
    # Really an hour ago: the suite's own clock may have been moved.
    hatch = time_machine.escape_hatch
    real = hatch.time.time() if hatch.is_travelling() else time.time()
    an_hour_ago = repr(real - 3600)
    child = _run(
        PRINT_TODAY.replace("clock.today()", "clock.local_now().strftime('%H')"),
        OURLONDON_NOW="2027-01-11T08:00",
        OURLONDON_NOW_SET_AT=an_hour_ago,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.split()[0] == "09"
