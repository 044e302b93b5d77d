"""Helpers shared by the benchmark scripts: paths, a throwaway environment, the
reference-data setup, and running a child process for its time and peak memory.

Kept free of Django imports: the scripts drive `manage.py` in child processes so
each measurement is of one process alone.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"


def bench_env(database_url: str, var_dir: Path | str) -> dict[str, str]:
    """The environment for children working on a throwaway database."""
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(32))  # throwaway
    env["OURLONDON_VAR_DIR"] = str(var_dir)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """Run one `manage.py` command; raise CalledProcessError if it fails."""
    subprocess.run([sys.executable, str(MANAGE), *args], env=env, check=True)


def run_setup(env: dict[str, str]) -> None:
    """Migrate and load the reference data the demo needs."""
    for command in (
        ["migrate", "--verbosity", "0"],
        ["load_geography", "--if-empty", "--verbosity", "0"],
        ["load_vocabularies", "--if-empty", "--verbosity", "0"],
    ):
        manage(env, *command)


@dataclass(frozen=True)
class ChildRun:
    exit_code: int
    seconds: float
    peak_rss_mb: float


def run_measured(
    args: Sequence[str], env: dict[str, str], *, cwd: Path | None = None
) -> ChildRun:
    """Run a child process; time it and read its own peak resident memory."""
    started = time.perf_counter()
    child = subprocess.Popen(list(args), env=env, cwd=cwd)
    # wait4 returns the rusage of exactly this child (RUSAGE_CHILDREN would also
    # include every earlier child, such as the setup processes).
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        exit_code=child.returncode,
        seconds=seconds,
        peak_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
    )
