"""Benchmark `manage.py load_demo --scale N`: wall time and peak memory.

Sets up a fresh SQLite database in a temporary folder (migrate, load_geography,
load_vocabularies), then runs `load_demo --scale N` as a child process and measures
its wall time and peak resident memory (from the kernel's rusage for that one
child, so the setup steps do not count). Prints a small table and a verdict against
the targets: 1,000,000 sessions in under 5 minutes and 1.5 GB.

    .venv/bin/python bench/load_demo_scale.py                  # N = 1,000,000
    .venv/bin/python bench/load_demo_scale.py --scale 100000
    .venv/bin/python bench/load_demo_scale.py --database-url postgres://...

With --database-url the database is used as it is: it must be a throwaway one. It
is migrated, reference data is loaded if missing, and the demo is replaced.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _common import MANAGE, bench_env, run_measured, run_setup

TARGET_SECONDS = 300.0
TARGET_RSS_MB = 1536.0
TODAY = "2026-03-09"  # fixed, so every run writes the same rows
DESCRIPTION = "Benchmark `manage.py load_demo --scale N`: wall time and peak memory."


@dataclass(frozen=True)
class Result:
    scale: int
    occurrences: int
    seconds: float
    peak_rss_mb: float
    exit_code: int


def run_load_demo(env: dict[str, str], *, scale: int, quiet: bool) -> Result:
    """Run load_demo in a child process; time it and read its own rusage."""
    args = [
        sys.executable,
        str(MANAGE),
        "load_demo",
        "--replace",
        f"--scale={scale}",
        f"--today={TODAY}",
        f"--verbosity={0 if quiet else 1}",
    ]
    # Measures this child alone (see _common.run_measured), not the setup.
    run = run_measured(args, env)
    return Result(
        scale=scale,
        occurrences=count_occurrences(env),
        seconds=run.seconds,
        peak_rss_mb=run.peak_rss_mb,
        exit_code=run.exit_code,
    )


def count_occurrences(env: dict[str, str]) -> int:
    code = (
        "from ourlondon.catalogue.models import Occurrence; "
        "print(Occurrence.objects.count())"
    )
    output = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "--no-imports", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(output.strip().splitlines()[-1])


def report(result: Result) -> str:
    rate = result.occurrences / result.seconds if result.seconds else 0.0
    time_ok = result.seconds <= TARGET_SECONDS
    rss_ok = result.peak_rss_mb <= TARGET_RSS_MB
    reached = result.occurrences >= result.scale and result.exit_code == 0
    rows = [
        ("N (target sessions)", f"{result.scale:,}", ""),
        ("sessions written", f"{result.occurrences:,}", "ok" if reached else "SHORT"),
        (
            "wall time",
            f"{result.seconds:,.1f} s",
            f"{'ok' if time_ok else 'OVER'} (target {TARGET_SECONDS:.0f} s)",
        ),
        ("sessions per second", f"{rate:,.0f}", ""),
        (
            "peak RSS",
            f"{result.peak_rss_mb:,.0f} MB",
            f"{'ok' if rss_ok else 'OVER'} (target {TARGET_RSS_MB:,.0f} MB)",
        ),
    ]
    lines = [f"{name:<22} {value:>14}  {note}".rstrip() for name, value, note in rows]
    verdict = "PASS" if reached and time_ok and rss_ok else "FAIL"
    return "\n".join([*lines, f"{'verdict':<22} {verdict:>14}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "--scale",
        type=int,
        default=1_000_000,
        help="Sessions to generate (default 1,000,000).",
    )
    parser.add_argument(
        "--database-url",
        help="Use this (throwaway) database instead of a fresh temporary SQLite one.",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="Hide load_demo's progress bars."
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ourlondon-bench-") as tmp:
        env = bench_env(
            options.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", tmp
        )
        where = "given database" if options.database_url else "fresh SQLite database"
        print(f"Setting up a {where} ...", flush=True)
        run_setup(env)
        print(f"Running load_demo --scale {options.scale:,} ...", flush=True)
        result = run_load_demo(env, scale=options.scale, quiet=options.quiet)
    print()
    print(report(result))
    return 0 if "PASS" in report(result).splitlines()[-1] else 1


if __name__ == "__main__":
    sys.exit(main())
