"""In Chromium against a served site with a real SMTP server, the issue's walk
through: a provider signs up, confirms the emailed link, adds an organisation
and a weekly activity and submits it; a moderator signs in with a password and
a TOTP code, verifies the organisation and approves the listing; it appears in
public search saying "organisation checked on"; the provider changes the age
range and the public page keeps the old range until the moderator approves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ourlondon.core import clock
from ourlondon.subscriptions.tests.conftest import Inbox
from ourlondon.web.tests.browser_site import BASE_DIR, free_port, served

pytestmark = pytest.mark.browser

MODERATOR = "mod@ourlondon.example"
PASSWORD = "correct horse battery staple 42"
# A fixed TOTP secret for the moderator's authenticator app (base32).
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

MAKE_MODERATOR = f"""
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group, User
user = User.objects.create_user("mod", "{MODERATOR}", "{PASSWORD}", is_staff=True)
user.groups.add(Group.objects.get(name="Moderators"))
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
TOTP.activate(user, "{SECRET}")
"""


def _env(var: Path, smtp_port: int, base: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ourlondon.settings",
        "OURLONDON_VAR_DIR": str(var),
        "SECRET_KEY": "browser-tests-only",
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "MAP_TILE_URL": "",
        "LOG_LEVEL": "WARNING",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "SITE_URL": base,
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout


@pytest.fixture(scope="module")
def mail_site(tmp_path_factory) -> Iterator[tuple[str, Inbox, dict[str, str]]]:
    """The site with its own database, sending email to a real SMTP server."""
    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _env(tmp_path_factory.mktemp("mail-site"), smtp_port, base)
    _manage(env, "migrate", "--no-input")
    _manage(env, "load_geography")
    _manage(env, "load_vocabularies")
    _manage(env, "collectstatic", "--no-input")
    _manage(env, "shell", "-c", MAKE_MODERATOR)
    try:
        with served(env, port) as served_base:
            yield served_base, inbox, env
    finally:
        controller.stop()


def _wait_for_mail(inbox: Inbox, to: str, subject: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        messages: list[Any] = list(inbox.messages)
        for message in messages:
            if message["To"] == to and subject in message["Subject"]:
                part: Any = (
                    message.get_payload()[0] if message.is_multipart() else message
                )
                return str(part.get_payload(decode=True).decode())
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} about {subject!r}")


def _totp() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return str(format_hotp_value(hotp_value(SECRET, int(clock.timestamp()) // 30)))


def test_provider_lists_an_activity_and_a_moderator_checks_and_approves_it(
    browser, mail_site
):
    base, inbox, _env = mail_site
    provider = browser.new_context()
    page = provider.new_page()

    page.goto(base + "/account/signup/")
    page.fill("input[name=email]", "owner@peckhamboxing.example")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/account/confirm-email/$"))

    body = _wait_for_mail(inbox, "owner@peckhamboxing.example", "Confirm")
    link = re.search(r"(http://\S+/account/confirm-email/\S+/)", body)
    assert link
    page.goto(link.group(1))
    page.click("button[type=submit]")
    page.goto(base + "/account/login/")
    page.fill("input[name=login]", "owner@peckhamboxing.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/provider/$"))

    page.click("text=Add your organisation")
    page.fill("input[name=name]", "Peckham Boxing Club")
    page.select_option("select[name=kind]", "charity")
    page.fill("input[name=charity_number]", "1123456")
    page.fill("input[name=lead_name]", "Ada Okafor")
    page.fill("input[name=lead_role]", "Welfare officer")
    page.fill("input[name=lead_contact]", "ada@peckhamboxing.example")
    page.fill("input[name=policy_url]", "https://peckhamboxing.example/safeguarding")
    page.check("input[name=dbs_declared]")
    page.click("button:has-text('Send for checking')")
    page.wait_for_url(re.compile(r"/provider/organisations/\d+/$"))
    assert "Check in progress" in page.content()

    page.click("text=Listings")
    page.click("text=Add a listing")
    _fill_listing(page)
    # The pin goes to the postcode (our API); dragging it fills the fields.
    page.wait_for_selector("#pin-status:has-text('Pin placed at E8 3AA')")
    placed = float(page.input_value("input[name=venue_lat]"))
    pin = page.locator(".leaflet-marker-icon")
    pin.scroll_into_view_if_needed()
    marker = pin.bounding_box()
    assert marker is not None
    x, y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] - 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y - 30, steps=5)
    page.mouse.up()
    page.wait_for_selector("#pin-status:has-text('Pin moved')")
    dragged = float(page.input_value("input[name=venue_lat]"))
    assert dragged > placed
    # The preview is the public page, not yet public; its button sends it.
    page.click("button:has-text('Preview')")
    assert "Preview — not yet public" in page.content()
    assert f'data-lat="{dragged}"' in page.content()
    page.click(".preview-banner button:has-text('Send for review')")
    page.wait_for_url(re.compile(r"/listings/$"))
    assert "Waiting for review" in page.content()

    moderator = browser.new_context()
    mod = moderator.new_page()
    mod.goto(base + "/staff/")
    mod.wait_for_url(re.compile(r"/account/login/"))
    mod.fill("input[name=login]", MODERATOR)
    mod.fill("input[name=password]", PASSWORD)
    mod.click("button[type=submit]")
    mod.wait_for_url(re.compile(r"/account/2fa/authenticate/"))
    mod.fill("input[name=code]", _totp())
    mod.click("button[type=submit]")
    mod.wait_for_url(re.compile(r"/staff/"))
    assert "ourlondon staff" in mod.content()

    mod.goto(base + "/moderation/")
    mod.click("text=Peckham Boxing Club")
    assert "Ada Okafor" in mod.content()
    mod.click("button:has-text('Verify')")
    assert "Peckham Boxing Club is checked." in mod.content()
    assert "Its listings now show" in _wait_for_mail(
        inbox, "owner@peckhamboxing.example", "has been checked"
    )
    _approve(mod, base)

    public = browser.new_context()
    visitor = public.new_page()
    visitor.goto(base + "/search/?q=boxing&where=E8+3AA")
    visitor.click("text=Junior boxing")
    public_url = visitor.url
    assert "organisation checked on" in visitor.content()
    assert "Ages 11 to 16" in visitor.content()

    # A change to the live listing waits for review; the public page does not move.
    page.goto(base + "/provider/")
    page.click("text=Peckham Boxing Club")
    page.click("text=Listings")
    page.click("a:has-text('edit')")
    page.fill("input[name=age_min]", "13")
    page.fill("input[name=age_max]", "18")
    page.click("button:has-text('Send for review')")
    page.wait_for_url(re.compile(r"/listings/$"))
    assert "Ages 11 to 16" in _fresh_visit(browser, public_url)

    mod.goto(base + "/moderation/listings/")
    mod.click("text=Junior boxing")
    assert "Youngest age" in mod.content()  # the diff shows what changes
    mod.click("button:has-text('Approve')")
    mod.wait_for_url(re.compile(r"/moderation/listings/$"))
    assert "Ages 13 to 18" in _fresh_visit(browser, public_url)
    assert public.cookies() == []
    for context in (provider, moderator, public):
        context.close()


def _fresh_visit(browser, url: str) -> str:
    """A new visitor (no browser cache: public pages may be cached 60 s)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    html = str(page.content())
    assert context.cookies() == []
    context.close()
    return html


def _fill_listing(page) -> None:
    page.fill("input[name=title]", "Junior boxing")
    page.fill("textarea[name=description]", "Technique and fitness for beginners.")
    page.select_option("select[name=activity_type]", "boxing")
    page.fill("input[name=venue_name]", "Marsh Hall")
    page.fill("textarea[name=venue_address]", "1 Marsh Lane")
    page.fill("input[name=postcode]", "E8 3AA")
    page.fill("input[name=age_min]", "11")
    page.fill("input[name=age_max]", "16")
    page.check("input[name=is_free]")
    page.check("input[name=schedules-0-weekdays][value=TU]")
    page.fill("input[name=schedules-0-start_time]", "18:00")
    page.fill("input[name=schedules-0-end_time]", "19:30")
    page.fill("input[name=schedules-0-start_date]", clock.today().isoformat())


def _approve(mod, base: str) -> None:
    mod.goto(base + "/moderation/listings/")
    mod.click("text=Junior boxing")
    mod.click("button:has-text('Approve')")
    mod.wait_for_url(re.compile(r"/moderation/listings/$"))
    assert "is live" in mod.content()


MAKE_CLUB = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from ourlondon.catalogue.models import ListingReport
from ourlondon.catalogue.tests.factories import ActivityFactory, ScheduleFactory
from ourlondon.providers.forms import ListingForm
from ourlondon.providers.listings import submit_listing
from ourlondon.providers.models import ProviderFeed
from ourlondon.providers.tests.factories import make_organisation
from ourlondon.providers.tests.test_listings import listing_post
from ourlondon.providers.verification import verify_organisation
owner = User.objects.create_user("axe", "axe@club.example", "{PASSWORD}")
EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
org = make_organisation(owner, name="Axe Youth Club")
verify_organisation(organisation=org, by=User.objects.get(username="mod"))
live = ActivityFactory.create(organisation=org, title="Street dance")
ScheduleFactory.create(activity=live)
form = ListingForm(data=listing_post(title="Junior chess"))
assert form.is_valid(), form.errors
draft = submit_listing(by=owner, organisation=org, data=form.listing())
report = ListingReport.objects.create(activity=live, reason="wrong", details="Day")
ProviderFeed.objects.create(
    organisation=org, kind="ical", url="https://calendar.example/c.ics", added_by=owner
)
print(org.pk, live.pk, draft.pk, report.pk)
"""


def _sign_in_moderator(page, base: str) -> None:
    page.goto(base + "/account/login/?next=/moderation/")
    page.fill("input[name=login]", MODERATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/account/2fa/authenticate/"))
    # A code is accepted once: another test may just have used this window's.
    for _ in range(2):
        page.fill("input[name=code]", _totp())
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if "/2fa/authenticate/" not in page.url:
            return
        time.sleep(31 - clock.timestamp() % 30)
    raise AssertionError("the moderator could not sign in with a TOTP code")


def test_portal_and_moderation_pages_have_no_accessibility_violations(
    browser, mail_site
):
    from axe_playwright_python.sync_playwright import Axe

    from ourlondon.web.tests.browser_site import WCAG

    base, _inbox, env = mail_site
    org, live, draft, report = _manage(env, "shell", "-c", MAKE_CLUB).split()[-4:]
    axe = Axe()
    found: dict[str, str] = {}

    def check(page, name: str) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        if results.violations_count:
            found[name] = results.generate_report()

    provider = browser.new_context()
    page = provider.new_page()
    page.goto(base + "/account/login/")
    page.fill("input[name=login]", "axe@club.example")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/provider/$"))
    club = f"/provider/organisations/{org}"
    for name, path in {
        "portal": "/provider/",
        "organisation": f"{club}/",
        "listings": f"{club}/listings/",
        "editor": f"{club}/listings/new/",
        "edit": f"{club}/listings/{live}/edit/",
        "withdraw": f"{club}/listings/{live}/withdraw/",
        "upload": f"{club}/listings/upload/",
        "feeds": f"{club}/feeds/",
    }.items():
        page.goto(base + path)
        check(page, name)
    # Pages that answer bad input: the editor's errors, an upload's row report,
    # a refused feed address.
    page.goto(base + f"{club}/listings/new/")
    page.click("button:has-text('Send for review')")
    check(page, "editor-errors")
    page.goto(base + f"{club}/listings/upload/")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "listings.csv",
                "mimeType": "text/csv",
                "buffer": b"title,activity_type,postcode,days\r\n"
                b"Chess,chess,ZZ9 9ZZ,funday\r\n",
            }
        ],
    )
    page.click("button[type=submit]:has-text('Upload')")
    assert "Row" in page.content()
    check(page, "upload-report")
    page.goto(base + f"{club}/feeds/")
    page.fill("input[name=url]", "http://169.254.169.254/latest/")
    page.click("button[type=submit]:has-text('Send for checking')")
    assert "cloud metadata" in page.content()
    check(page, "feed-refused")

    moderator = browser.new_context()
    mod = moderator.new_page()
    _sign_in_moderator(mod, base)
    for name, path in {
        "queue": "/moderation/",
        "listing-queue": "/moderation/listings/",
        "listing-filtered": "/moderation/listings/?kind=new&borough=nowhere",
        "listing": f"/moderation/listings/{draft}/",
        "organisation": f"/moderation/organisations/{org}/",
        "reports": "/moderation/reports/",
        "report": f"/moderation/reports/{report}/",
        "activity": f"/moderation/activities/{live}/",
        "feeds": "/moderation/feeds/",
        "freshness": "/moderation/freshness/",
        "audit": "/moderation/audit/",
    }.items():
        mod.goto(base + path)
        check(mod, f"moderation-{name}")
    for context in (provider, moderator):
        context.close()
    assert not found, "\n\n".join(f"== {k}\n{v}" for k, v in found.items())
