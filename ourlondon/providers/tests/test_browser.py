"""In Chromium against a served site with a real SMTP server: a provider signs
up, confirms the emailed link, adds an organisation; a moderator signs in with
a password and a TOTP code and verifies it; its activity page then says
"organisation checked on" and still sets no cookie."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from ourlondon.subscriptions.tests.conftest import Inbox
from ourlondon.web.tests.browser_site import BASE_DIR, free_port

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

LIST_AN_ACTIVITY = """
from django.utils import timezone
from ourlondon.catalogue.models import (
    Activity, ActivityType, Organisation, Schedule, Venue)
from ourlondon.catalogue.recurrence import materialise_activity
from ourlondon.search.indexing import refresh_activities
org = Organisation.objects.get(name="Peckham Boxing Club")
venue = Venue(name="Marsh Hall", postcode="E8 3AA", organisation=org)
venue.clean()
venue.save()
activity = Activity.all_objects.create(
    title="Junior boxing", description="Boxing for 11 to 16s.", organisation=org,
    venue=venue, age_min=11, age_max=16, is_free=True, status="published")
activity.types.set([ActivityType.objects.get(slug="football")])
Schedule.objects.create(activity=activity, kind="weekly", weekdays="TU",
    start_time="18:00", end_time="19:30", start_date=timezone.localdate())
materialise_activity(activity.pk)
refresh_activities([activity.pk])
print(activity.pk)
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
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "ourlondon.wsgi:application",
        ],
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
                time.sleep(0.3)
        yield base, inbox, env
    finally:
        server.terminate()
        server.wait(timeout=20)
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

    return str(format_hotp_value(hotp_value(SECRET, int(time.time()) // 30)))


def test_provider_signs_up_adds_an_organisation_and_a_moderator_checks_it(
    browser, mail_site
):
    base, inbox, env = mail_site
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

    # The shell prints its auto-imports first; the id is the last line.
    activity_id = _manage(env, "shell", "-c", LIST_AN_ACTIVITY).split()[-1]

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

    public = browser.new_context()
    visitor = public.new_page()
    visitor.goto(f"{base}/activities/{activity_id}/")
    assert "organisation checked on" in visitor.content()
    assert public.cookies() == []
    for context in (provider, moderator, public):
        context.close()
