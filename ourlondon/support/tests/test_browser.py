"""The support pages in a real browser (fixtures: `web/tests/browser_site.py`):
the help page offline after one visit, no cookies or other hosts, axe-core,
and keyboard-only use."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ourlondon.web.tests.browser_site import WCAG

pytestmark = pytest.mark.browser

PAGES = {
    "help": "/help/",
    "services": "/support-services/?need=counselling&where=E8+3AA&age=15",
    "services-bad-input": "/support-services/?where=nonsense&age=300",
    "havens": "/safe-havens/",
    "havens-open-now": "/safe-havens/?where=E8+3AA&open_now=on",
    "apply": "/safe-havens/apply/",
    "toolkits": "/toolkits/",
    "toolkit": "/toolkits/education/?audience=parents",
    "toolkit-page": "/toolkits/business/overview/",
    "campaign": "/london-needs-you-alive/",
    "campaign-message": "/london-needs-you-alive/jordan/",
}


def test_help_page_opens_offline_after_one_visit(page, site):
    page.goto(site + "/help/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Once the worker controls the page, everything it kept is in its cache.
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    assert page.inner_text("h1") == "Get help now"
    assert page.locator('a[href="tel:08001111"]').count() >= 1
    # Its styles came from the cache too.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.exit')).display")
        != "inline"
    )
    # Any other page that cannot load offline shows the help page.
    page.goto(site + "/search/?where=E8+3AA")
    assert page.inner_text("h1") == "Get help now"
    page.context.set_offline(False)


def test_help_page_sets_no_cookies_and_asks_no_other_host(page, site):
    page.goto(site + "/help/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    assert page.context.cookies() == []
    assert {urlsplit(url).netloc for url in page.requests} == {urlsplit(site).netloc}


def test_support_pages_have_no_accessibility_violations(page, site, size):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = {}
    for name, path in PAGES.items():
        page.goto(site + path)
        if name.startswith("havens"):
            page.wait_for_selector("[data-map-count][data-total]")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        if results.violations_count:
            found[name] = results.generate_report()
    assert not found, "\n\n".join(f"== {k}\n{v}" for k, v in found.items())


def markers_on_the_map(page) -> list[dict]:
    """Each marker's centre on screen and how many havens it stands for."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#havens-map .leaflet-marker-icon')]
        .map(m => {
            const r = m.getBoundingClientRect();
            return {x: r.x + r.width / 2, y: r.y + r.height / 2,
                    count: m.classList.contains('cluster') ? +m.innerText : 1};
        })"""
    )


def zoomed_to(page, control: str) -> None:
    """Click `control` and wait until the map has drawn its markers again."""
    before = page.get_attribute("#havens-map", "data-drawn-at-zoom")
    page.click(control)
    page.wait_for_function(
        f"document.getElementById('havens-map').dataset.drawnAtZoom !== '{before}'"
    )


def test_the_havens_map_shows_the_same_places_as_the_list(page, site):
    page.goto(site + "/safe-havens/")
    page.wait_for_selector("[data-map-count][data-total]")
    listed = page.locator("ul.results li.result").count()
    assert int(page.get_attribute("[data-map-count]", "data-total")) == listed
    assert sum(m["count"] for m in markers_on_the_map(page)) == listed


def test_havens_too_close_to_tell_apart_share_one_marker_clear_of_the_rest(page, site):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site + "/safe-havens/")
    page.wait_for_selector("[data-map-count][data-total]")
    listed = page.locator("ul.results li.result").count()
    # Zoomed out to all of London and beyond, the demo havens (Hackney,
    # Shoreditch, Brixton, Peckham) are a few pixels apart.
    for _ in range(5):
        zoomed_to(page, ".leaflet-control-zoom-out")
    markers = markers_on_the_map(page)
    assert len(markers) < listed
    assert sum(m["count"] for m in markers) == listed
    for i, a in enumerate(markers):
        for b in markers[i + 1 :]:
            assert ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 >= 24
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag22aa"]}}
    )
    assert results.violations_count == 0, results.generate_report()
    # The numbered marker zooms in until its havens are apart again.
    zoomed_to(page, "#havens-map .cluster")
    assert len(markers_on_the_map(page)) > len(markers)


def tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_from_the_header_to_a_service_phone_number(page, site):
    page.goto(site + "/")
    tab_to(page, "header a.help")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/help/")
    tab_to(page, 'a[href^="/support-services/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#id_need")
    page.keyboard.type("counselling")
    tab_to(page, "#id_where")
    page.keyboard.type("E8 3AA")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, ".results .result h3 a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("h1") == "Youth Counselling Drop-in"
    tab_to(page, 'a[href^="tel:"]')


def test_keyboard_only_application_for_a_safe_haven(page, site):
    page.goto(site + "/safe-havens/apply/")
    tab_to(page, "#id_name")
    page.keyboard.type("Keyboard Cafe")
    tab_to(page, "#id_kind")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_address")
    page.keyboard.type("2 Mare Street")
    tab_to(page, "#id_postcode")
    page.keyboard.type("E8 3AA")
    tab_to(page, "#id_open_24_hours")
    page.keyboard.press("Space")
    tab_to(page, "#id_contact_name")
    page.keyboard.type("Sam")
    tab_to(page, "#id_contact_email")
    page.keyboard.type("sam@example.org")
    tab_to(page, "form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "application has been sent" in page.inner_text("h1")
