"""Demo content for the support pages, so a fresh `make run` shows every page
working: four made-up support services (Open Referral UK shape, imported by the
real importer), a few safe havens (approved, with hours across midnight and
around the clock), toolkit pages and resources, and role-model messages.
Everything is labelled as a demo; nothing here is a real service."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from django.db import transaction

from ourlondon.core.postcodes import lookup_postcode
from ourlondon.support.directory import import_file
from ourlondon.support.models import (
    OpeningHours,
    Resource,
    RoleModelMessage,
    SafeHaven,
    Service,
    Toolkit,
    ToolkitPage,
)

DEMO_SERVICES = Path(__file__).resolve().parent / "data" / "demo_services.json"

HAVENS = [
    # name, kind, address, postcode, 24 hours, [(weekday, opens, closes)]
    (
        "Mare Street Library (demo)",
        "library",
        "10 Mare Street",
        "E8 1DY",
        False,
        [(d, time(9), time(20)) for d in range(6)],
    ),
    (
        "Night Owl Late Shop (demo)",
        "shop",
        "12 Commercial Street",
        "E1 6AN",
        False,
        [(d, time(18), time(2)) for d in range(7)],
    ),
    (
        "Brixton Hill Pharmacy (demo)",
        "business",
        "30 Brixton Hill",
        "SW2 1AA",
        True,
        [],
    ),
    (
        "Rye Lane Community Centre (demo)",
        "community-centre",
        "5 Rye Lane",
        "SE15 5AA",
        False,
        [(d, time(10), time(22)) for d in range(5)],
    ),
]

PAGES = [
    (
        Toolkit.EDUCATION,
        "About the toolkit",
        "about",
        "What the London Needs You Alive toolkit is and who it is for.",
        "The **London Needs You Alive** toolkit helps schools, faith groups, "
        "community groups, youth workers and parents talk with young people about "
        "knife crime.\n\n## How to use it\n\n1. Read the guide for your group.\n"
        "2. Pick a session plan.\n3. Share the [help page](/help/) with young "
        "people.\n\n*Demo page: the real toolkit text is added by staff.*",
    ),
    (
        Toolkit.BUSINESS,
        "Prepare, respond, recover",
        "overview",
        "The business toolkit in three stages.",
        "## Prepare\n\nAgree with your staff what to do if a young person asks "
        "for help.\n\n## Respond\n\nKeep them safe, call 999 if anyone is in "
        "danger.\n\n## Recover\n\nLook after your staff afterwards.\n\n*Demo page.*",
    ),
]

RESOURCES = [
    (
        "Talking about knife crime: a session plan",
        Toolkit.EDUCATION,
        "schools",
        "",
        "lesson-plan",
        "A 50-minute lesson for Years 8 to 10, with discussion cards.",
    ),
    (
        "Guide for faith leaders",
        Toolkit.EDUCATION,
        "faith-groups",
        "",
        "guide",
        "How to open a conversation about safety with young people in your community.",
    ),
    (
        "What parents can do",
        Toolkit.EDUCATION,
        "parents",
        "",
        "guide",
        "Signs to look out for and how to talk with your child.",
    ),
    (
        "Youth work conversation cards",
        Toolkit.EDUCATION,
        "youth-workers",
        "",
        "checklist",
        "Prompts for one-to-one and group work.",
    ),
    (
        "Staff briefing before opening",
        Toolkit.BUSINESS,
        "",
        "prepare",
        "checklist",
        "Ten things every member of staff should know.",
    ),
    (
        "If a young person comes in for help",
        Toolkit.BUSINESS,
        "",
        "respond",
        "poster",
        "A poster for the staff room: the steps to take.",
    ),
    (
        "After an incident",
        Toolkit.BUSINESS,
        "",
        "recover",
        "guide",
        "Support for your staff and your business after violence nearby.",
    ),
]

MESSAGES = [
    (
        "Jordan",
        "youth worker, Croydon",
        "jordan",
        "I lost friends to knives. Carrying one never made anyone safer. Talk to "
        "someone: you are worth more than this. (Demo message.)",
    ),
    (
        "Amira",
        "A&E nurse, Whitechapel",
        "amira",
        "I see what a knife does. Every young person we save had someone who "
        "loved them waiting outside. London needs you alive. (Demo message.)",
    ),
]


@transaction.atomic
def load_support_demo() -> None:
    if not Service.objects.exists():
        import_file(DEMO_SERVICES)
    for name, kind, address, postcode, always, openings in HAVENS:
        place = lookup_postcode(postcode)
        haven, created = SafeHaven.all_objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "address": address,
                "postcode": place.postcode,
                "lat": place.lat,
                "lng": place.lng,
                "borough_id": place.borough_code,
                "open_24_hours": always,
                "status": SafeHaven.Status.APPROVED,
                "description": "Demo listing: ask any member of staff.",
            },
        )
        if created:
            OpeningHours.objects.bulk_create(
                OpeningHours(haven=haven, weekday=d, opens=o, closes=c)
                for d, o, c in openings
            )
    for kit, title, slug, summary, body in PAGES:
        if not ToolkitPage.objects.filter(toolkit=kit, slug=slug).exists():
            ToolkitPage(
                toolkit=kit, title=title, slug=slug, summary=summary, body=body
            ).save()
    for title, kit, audience, stage, fmt, summary in RESOURCES:
        Resource.objects.get_or_create(
            title=title,
            defaults={
                "toolkit": kit,
                "audience": audience,
                "stage": stage,
                "format": fmt,
                "summary": summary + " (Demo resource.)",
                "link": "https://example.org/toolkit/"
                + title.lower()[:20].replace(" ", "-"),
            },
        )
    for name, role, slug, message in MESSAGES:
        RoleModelMessage.objects.get_or_create(
            slug=slug, defaults={"name": name, "role": role, "message": message}
        )
