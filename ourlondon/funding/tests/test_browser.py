"""The funding pages in a real browser (the shared served site with its demo
data): the borough map is drawn from the table, the table is there without
JavaScript, and axe-core finds no WCAG 2.x A or AA violation."""

from __future__ import annotations

import re

import pytest

from ourlondon.web.tests.browser_site import SCREENSHOTS, SIZES, WCAG

pytestmark = pytest.mark.browser


def test_the_borough_map_is_drawn_from_the_table_and_can_show_per_person(
    page, site, size
):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site + "/funding/boroughs/?fund=community-seed-fund")
    assert "£1.4m to 43 projects in 19 boroughs" in page.inner_text("main")
    page.wait_for_selector("#borough-map[data-ready]")
    assert page.locator("#borough-map path.leaflet-interactive").count() == 33
    assert page.locator("#borough-table tbody tr").count() == 33
    legend = page.inner_text("#map-legend")
    assert "None" in legend and "£" in legend
    page.click("button[data-measure=per-person]")
    assert (
        page.get_attribute("button[data-measure=per-person]", "aria-pressed") == "true"
    )
    assert re.search(r"£\d+\.\d\d", page.inner_text("#map-legend"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"funding-boroughs-{size}.png", full_page=True)
    assert errors == []


def test_without_javascript_the_table_carries_every_figure(browser, site):
    context = browser.new_context(viewport=SIZES["phone"], java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/funding/boroughs/")
    assert page.locator("#borough-table tbody tr").count() == 33
    assert "The map needs JavaScript" in page.inner_text("#borough-map")
    assert page.locator("[data-measure-choice]").is_hidden()
    context.close()


def test_funding_pages_have_no_accessibility_violations(page, site, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.goto(site + "/funding/grants/?fund=community-seed-fund")
    grant = str(page.get_attribute("table.data tbody a", "href"))
    pages = {
        "index": "/funding/",
        "fund": "/funding/community-seed-fund/",
        "boroughs": "/funding/boroughs/",
        "grants": "/funding/grants/",
        "grants-bad-input": "/funding/grants/?year=soon&min_amount=lots",
        "grant": grant,
        "next-round": "/funding/young-londoners-fund/next-round/",
    }
    found = {}
    for name, path in pages.items():
        page.goto(site + path)
        if name == "boroughs":
            page.wait_for_selector("#borough-map[data-ready]")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        if results.violations_count:
            found[name] = results.generate_report()
    assert not found, "\n\n".join(f"== {k}\n{v}" for k, v in found.items())
