"""End to end through a real browser: Playwright driving Debian's Chromium
(`/usr/bin/chromium`, installed by `.ci/run`) against the site served as `make
run` serves it (granian, whitenoise, the demo data), on 127.0.0.1.

The server gets its own SQLite database in a temporary folder, built by
`manage.py bootstrap` once for the session, so these tests do not depend on the
test database of the unit tests. They run once, in the SQLite pass of `make test`
(the PostgreSQL pass deselects the `browser` marker: the browser sees the same
pages whichever database the site runs on, and the search tests cover both).
"""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from ourlondon.web.tests.browsing import EXIT_URL, SCREENSHOTS, SIZES, WCAG

pytestmark = pytest.mark.browser

POSTCODE = "E8 3AA"


def search_by_postcode(page, site: str, age: str = "14") -> None:
    page.goto(site + "/")
    page.fill("#id_where", POSTCODE)
    page.fill("#id_age", age)
    page.click("form#finder button[type=submit]")
    page.wait_for_url(re.compile(r"/search/\?"))


def result_titles(page) -> list[str]:
    return [t.strip() for t in page.locator(".results .result h3 a").all_inner_texts()]


def total_from_heading(text: str) -> int:
    found = re.match(r"(\d+) activit", text.strip())
    assert found, text
    return int(found.group(1))


def test_postcode_and_age_to_an_activity_and_its_calendar_file(page, site, size):
    search_by_postcode(page, site)
    assert "within 3 km of E8 3AA" in page.inner_text("h1")
    assert len(result_titles(page)) > 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"results-{size}.png")
    first = page.locator(".results .result h3 a").first
    title = first.inner_text().strip()
    first.click()
    assert page.inner_text("h1").strip() == title
    page.screenshot(path=SCREENSHOTS / f"activity-{size}.png")
    with page.expect_download() as download:
        page.click("#series-ics")
    content = Path(download.value.path()).read_bytes()
    events = Calendar.from_ical(content).walk("VEVENT")
    assert events
    assert {str(e["SUMMARY"]) for e in events} == {title}


def test_without_javascript_the_same_search_gives_the_same_first_page(
    browser, site, size
):
    pages = []
    for scripts in (True, False):
        context = browser.new_context(viewport=SIZES[size], java_script_enabled=scripts)
        page = context.new_page()
        search_by_postcode(page, site)
        pages.append((page.inner_text("h1"), result_titles(page), page.url))
        context.close()
    assert pages[0] == pages[1]
    assert len(pages[0][1]) == 20


def test_list_and_map_agree_on_the_count(page, site, size):
    search_by_postcode(page, site)
    total = total_from_heading(page.inner_text("h1"))
    page.click(".view-toggle a[data-view=map]")
    page.wait_for_selector("[data-map-count][data-total]")
    assert int(page.get_attribute("[data-map-count]", "data-total")) == total
    assert page.locator(".leaflet-marker-icon").count() > 0
    page.screenshot(path=SCREENSHOTS / f"map-{size}.png")
    # The list is still there under (or beside) the map, and says the same.
    assert total_from_heading(page.inner_text("h1")) == total


@pytest.mark.parametrize("how", ["button", "shift"])
def test_quick_exit_leaves_and_back_does_not_return(page, site, how):
    page.goto(site + "/search/?where=E8+3AA")
    if how == "button":
        page.click("#quick-exit")
    else:
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL)
    page.go_back()
    assert not page.url.startswith(site)


def test_two_shift_presses_do_not_exit(page, site):
    page.goto(site + "/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url.startswith(site)


def test_keyboard_only_from_the_search_box_to_a_booking_link(page, site):
    page.goto(site + "/")

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(
                "s => document.activeElement && document.activeElement.matches(s)",
                selector,
            ):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#id_where")
    page.keyboard.type(POSTCODE)
    page.keyboard.press("Tab")  # "use my location"
    page.keyboard.press("Tab")
    page.keyboard.type("15")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search/?" in page.url
    # The first listing with a booking link (the demo gives one to most).
    for attempt in range(10):
        for _ in range(attempt + 1):
            tab_to(".results .result h3 a")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if page.locator("#booking-link").count():
            break
        page.go_back()
    else:
        raise AssertionError("no listing among the first ten has a booking link")
    tab_to("#booking-link")
    assert page.evaluate("document.activeElement.id") == "booking-link"


def activity_path(page, site: str) -> str:
    page.goto(site + "/search/?where=E8+3AA")
    return str(page.get_attribute(".results .result h3 a", "href"))


def test_no_accessibility_violations(page, site, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    activity = activity_path(page, site)
    pages = {
        "home": "/",
        "results": "/search/?where=E8+3AA&age=14",
        "results-map": "/search/?where=E8+3AA&age=14&view=map",
        "empty": "/search/?q=zzzzqqqq&where=E8+3AA&free=on",
        "bad-input": "/search/?where=nonsense&age=200",
        "activity": activity,
        "report": activity + "report/",
        "help": "/help/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(site + path)
        if name == "results-map":
            page.wait_for_selector("[data-map-count][data-total]")
        if name == "home":
            page.screenshot(path=SCREENSHOTS / f"home-{size}.png")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        if results.violations_count:
            found[name] = results.generate_report()
    assert not found, "\n\n".join(f"== {k}\n{v}" for k, v in found.items())


def test_pages_set_no_cookies_and_ask_nothing_of_other_hosts(page, site):
    search_by_postcode(page, site)
    page.click(".view-toggle a[data-view=map]")
    page.wait_for_selector("[data-map-count][data-total]")
    page.locator(".results .result h3 a").first.click()
    page.click("text=Report a problem with this listing")
    page.goto(site + "/help/")
    assert page.context.cookies() == []
    hosts = {urlsplit(url).netloc for url in page.requests}
    assert hosts == {urlsplit(site).netloc}


def test_a_report_from_the_activity_page_is_thanked(page, site):
    page.goto(site + activity_path(page, site))
    page.click("text=Report a problem with this listing")
    page.click("button[type=submit]")
    assert "Choose what the problem is." in page.inner_text("main")
    page.check("input[value=wrong]")
    page.fill("#id_details", "The time changed to 6pm")
    page.click("button[type=submit]")
    assert "your report has been sent" in page.inner_text("h1")


def test_static_files_are_fingerprinted_and_cached_for_a_year(site):
    with urllib.request.urlopen(site + "/") as response:
        html = response.read().decode()
    paths = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert paths
    for path in paths:
        # Named by content (web/site.3f2a9c1b7e4d.css), so they can never go stale.
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", path), path
        with urllib.request.urlopen(site + path) as response:
            cache = response.headers["Cache-Control"]
        assert "immutable" in cache
        age = re.search(r"max-age=(\d+)", cache)
        assert age is not None and int(age.group(1)) >= 365 * 24 * 3600


def test_signing_up_for_updates_in_a_real_browser(page, site):
    """The form's CSRF check passes in a browser (it failed once: a
    no-referrer policy made Chromium send `Origin: null`)."""
    page.goto(site + "/updates/")
    page.fill("#id_email", "browser-test@example.org")
    page.check("input[value=vru-news]")
    page.click("form button[type=submit]")
    assert page.inner_text("h1") == "Check your email"
