"""Browser-test fixtures shared by every app (registered in the root
`conftest.py`): the site, bootstrapped with demo data into its own SQLite
database and served by granian on a free port; one Chromium for the session;
and a page at phone or desktop size that records what it asks for.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
EXIT_URL = "https://www.bbc.co.uk/weather"
SIZES = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}
SCREENSHOTS = BASE_DIR / "var" / "screenshots"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(env: dict[str, str], port: int) -> Iterator[str]:
    """The project served by granian on 127.0.0.1:`port` (as `make run` serves
    it, one worker), once it answers; stopped on exit."""
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi"]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
        + ["--blocking-threads", "4", "--log-level", "warning"]
        + ["ourlondon.wsgi:application"],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the site did not start") from None
                time.sleep(0.3)  # polling for start-up, bounded by the deadline
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[str]:
    """The site, bootstrapped with demo data and served on a free port."""
    var = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ourlondon.settings",
        "OURLONDON_VAR_DIR": str(var),
        "SECRET_KEY": "browser-tests-only",
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "MAP_TILE_URL": "",  # no tiles: the tests make no request off this machine
        "QUICK_EXIT_URL": EXIT_URL,
        "REPORT_RATE": "1000/h",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "bootstrap"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    with served(env, free_port()) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return str(request.param)


@pytest.fixture
def page(browser, site, size):
    """A page at phone or desktop size that records every request and cookie,
    with the neutral exit site answered locally (never fetched)."""
    context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
    page = context.new_page()
    # Every URL the page asks for, for the privacy test.
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.route(
        re.compile(r"^https://www\.bbc\.co\.uk/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title>"
        ),
    )
    yield page
    context.close()
