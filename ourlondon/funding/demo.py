"""Demo funding data, consistent with the published figures and marked as demo.

Two funds as City Hall describes them: the Young Londoners Fund (£45m) and the
Knife Crime Community Seed Fund (£1.4m to 43 projects in 19 boroughs, including
the ten boroughs most affected by knife crime). The grants themselves are
invented: titles, amounts, dates and recipients (which are the catalogue's demo
organisations when the catalogue demo is loaded, so grant pages can link to
their activities). Which ten boroughs were "most affected" is not in the
published figures: the list below is this demo's assumption, not an official
one.

The grants are written by the importer from 360Giving JSON, the same path a
real file takes, so the demo is valid 360Giving too. Deterministic: it depends
only on the seed, `today` (for the rounds' dates) and the reference data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from ourlondon.catalogue.models import Organisation
from ourlondon.core.models import Borough, Postcode
from ourlondon.funding.importing import ImportReport, import_grants
from ourlondon.funding.models import Fund, Grant, Round
from ourlondon.funding.threesixty import Json
from ourlondon.subscriptions.models import Topic

DEFAULT_SEED = 2026
DEMO_PREFIX = "360G-ourlondon-demo-"
FUNDER_ID = "XI-OURLONDON-DEMO-GLA"  # not a real org-id: this is demo data
FUNDER_NAME = "Mayor of London (demo data)"
# This demo's assumption (see the module docstring), by GSS code.
KNIFE_CRIME_TEN = [
    "E09000028",  # Southwark
    "E09000022",  # Lambeth
    "E09000012",  # Hackney
    "E09000025",  # Newham
    "E09000030",  # Tower Hamlets
    "E09000014",  # Haringey
    "E09000008",  # Croydon
    "E09000005",  # Brent
    "E09000010",  # Enfield
    "E09000031",  # Waltham Forest
]
SEED_FUND_TOTAL = Decimal("1400000")
SEED_FUND_PROJECTS = 43
SEED_FUND_BOROUGHS = 19
YLF_BUDGET = Decimal("45000000")
YLF_PROJECTS = 150
THEMES = [
    ("Mentoring", "one-to-one mentoring for young people at risk of exclusion"),
    ("Sport", "free weekly sport sessions with trained youth workers"),
    ("Music", "a music studio and production course"),
    ("Arts", "an after-school arts programme"),
    ("Detached youth work", "youth workers meeting young people where they are"),
    ("Employment", "training and work placements for 16 to 24 year olds"),
    ("Wellbeing", "group and one-to-one support for emotional wellbeing"),
    ("Youth club", "an evening youth club open four nights a week"),
    ("Holiday programme", "activities and a hot meal in the school holidays"),
    ("Parents", "sessions helping parents talk with teenagers about safety"),
]


@dataclass(frozen=True)
class DemoSummary:
    funds: int
    rounds: int
    grants: int
    reports: tuple[ImportReport, ...]


def _split(rng: random.Random, total: Decimal, parts: int, step: int) -> list[Decimal]:
    """`parts` amounts, multiples of `step`, that add up to `total` exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = float(total) / sum(weights)
    amounts = [Decimal(round(w * scale / step) * step) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def _postcodes(boroughs: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for code in boroughs:
        found[code] = list(
            Postcode.objects.filter(borough_id=code, quality=10)
            .order_by("postcode")
            .values_list("postcode", flat=True)[:400:20]
        )
    return found


def _demo_organisations() -> dict[str, list[tuple[str, str]]]:
    """Catalogue demo organisations with a charity number, by borough of their
    first venue: (name, charity number)."""
    found: dict[str, list[tuple[str, str]]] = {}
    rows = (
        Organisation.objects.filter(is_demo=True)
        .exclude(charity_number="")
        .filter(venues__isnull=False)
        .values_list("name", "charity_number", "venues__borough_id")
        .order_by("pk", "venues__pk")
    )
    seen = set()
    for name, number, borough in rows:
        if number in seen:
            continue
        seen.add(number)
        found.setdefault(borough, []).append((name, number))
    return found


def _grant(
    *,
    rng: random.Random,
    key: str,
    number: int,
    amount: Decimal,
    borough: tuple[str, str],
    award: date,
    programme: str,
    postcodes: dict[str, list[str]],
    organisations: dict[str, list[tuple[str, str]]],
) -> Json:
    code, borough_name = borough
    theme, what = THEMES[rng.randrange(len(THEMES))]
    choices = organisations.get(code, [])
    if choices and rng.random() < 0.7:
        name, charity = choices[rng.randrange(len(choices))]
    else:
        name = f"{borough_name} {theme} Project (demo)"
        charity = f"19{rng.randrange(100000, 999999)}"
    recipient: Json = {
        "id": f"GB-CHC-{charity}",
        "name": name,
        "charityNumber": charity,
    }
    places = postcodes.get(code) or []
    if places:
        recipient["postalCode"] = places[rng.randrange(len(places))]
    start = award + timedelta(days=rng.randrange(14, 60))
    return {
        "id": f"{DEMO_PREFIX}{key}-{number:04d}",
        "title": f"{theme} in {borough_name}",
        "description": f"Demo grant (invented): {what} in {borough_name}.",
        "currency": "GBP",
        "amountAwarded": int(amount),
        "awardDate": award.isoformat(),
        "plannedDates": [
            {
                "startDate": start.isoformat(),
                "endDate": (start + timedelta(days=365)).isoformat(),
            }
        ],
        "recipientOrganization": [recipient],
        "beneficiaryLocation": [
            {
                "name": borough_name,
                "geoCode": code,
                "geoCodeType": "LONB",
                "countryCode": "GB",
            }
        ],
        "fundingOrganization": [{"id": FUNDER_ID, "name": FUNDER_NAME}],
        "grantProgramme": [{"title": programme}],
    }


def demo_exists() -> bool:
    return Fund.objects.filter(is_demo=True).exists()


def delete_demo() -> int:
    deleted = Grant.objects.filter(is_demo=True).delete()[0]
    Round.objects.filter(is_demo=True).delete()
    Fund.objects.filter(is_demo=True, grants__isnull=True).delete()
    return deleted


@transaction.atomic
def generate_demo(*, seed: int = DEFAULT_SEED, today: date) -> DemoSummary:
    rng = random.Random(f"funding-demo-{seed}")
    boroughs = list(
        Borough.objects.order_by("gss_code").values_list("gss_code", "name")
    )
    if len(boroughs) != 33:
        raise RuntimeError("Load the 33 London areas first (load_geography).")
    names = dict(boroughs)
    topics = {
        t.slug: t
        for t in Topic.objects.filter(
            slug__in=["young-londoners-fund", "community-seed-fund"]
        )
    }
    ylf, _ = Fund.objects.update_or_create(
        slug="young-londoners-fund",
        defaults={
            "name": "Young Londoners Fund",
            "description": (
                "The Mayor's fund for projects that give young Londoners positive "
                "things to do: sport, arts, mentoring, training, youth clubs, "
                "and support for those at risk of getting caught up in crime."
            ),
            "total_budget": YLF_BUDGET,
            "administering_body": "Mayor of London (Greater London Authority)",
            "funder_id": FUNDER_ID,
            "funder_name": FUNDER_NAME,
            "topic": topics.get("young-londoners-fund"),
            "is_demo": True,
            "order": 1,
        },
    )
    seed_fund, _ = Fund.objects.update_or_create(
        slug="community-seed-fund",
        defaults={
            "name": "Knife Crime Community Seed Fund",
            "description": (
                "Small grants for community groups working to keep young people "
                "safe from knife crime, in the boroughs most affected."
            ),
            "total_budget": SEED_FUND_TOTAL,
            "administering_body": "Mayor's Office for Policing and Crime (MOPAC)",
            "funder_id": FUNDER_ID,
            "funder_name": FUNDER_NAME,
            "topic": topics.get("community-seed-fund"),
            "is_demo": True,
            "order": 2,
        },
    )
    Round.objects.filter(is_demo=True).delete()
    rounds = [
        Round(
            fund=ylf,
            name="Round 1",
            opens=date(2018, 3, 1),
            closes=date(2018, 4, 30),
            budget=Decimal("15000000"),
        ),
        Round(
            fund=ylf,
            name="Round 2",
            opens=date(2019, 1, 14),
            closes=date(2019, 3, 4),
            budget=Decimal("15000000"),
        ),
        Round(
            fund=ylf,
            name="Round 3",
            opens=date(2019, 11, 4),
            closes=date(2019, 12, 16),
            budget=Decimal("15000000"),
        ),
        Round(
            fund=seed_fund,
            name="2018 round",
            opens=date(2018, 6, 1),
            closes=date(2018, 7, 13),
            budget=SEED_FUND_TOTAL,
        ),
        Round(
            fund=seed_fund,
            name="Next round (demo)",
            opens=today + timedelta(days=21),
            closes=today + timedelta(days=63),
            budget=Decimal("500000"),
            how_to_apply=(
                "Apply online with a short description of your project and a "
                "safeguarding policy. Groups with an income under £250,000 may "
                "apply."
            ),
        ),
        Round(
            fund=ylf,
            name="Next round (demo)",
            opens=today + timedelta(days=45),
            closes=today + timedelta(days=90),
            budget=Decimal("2000000"),
            how_to_apply="Apply online. Partnerships of smaller groups are welcome.",
        ),
    ]
    for r in rounds:
        r.is_demo = True
    Round.objects.bulk_create(rounds)

    organisations = _demo_organisations()
    codes = [code for code, _ in boroughs]
    postcodes = _postcodes(codes)
    # Seed fund: 43 projects in 19 boroughs: the ten, nine more, each borough at
    # least once.
    others = sorted(set(codes) - set(KNIFE_CRIME_TEN))
    seed_boroughs = KNIFE_CRIME_TEN + rng.sample(others, SEED_FUND_BOROUGHS - 10)
    places = seed_boroughs + [
        seed_boroughs[rng.randrange(len(seed_boroughs))]
        for _ in range(SEED_FUND_PROJECTS - len(seed_boroughs))
    ]
    amounts = _split(rng, SEED_FUND_TOTAL, SEED_FUND_PROJECTS, 500)
    seed_grants = [
        (
            n,
            _grant(
                rng=rng,
                key="csf",
                number=n,
                amount=amounts[n - 1],
                borough=(code, names[code]),
                award=date(2018, 9, 1) + timedelta(days=rng.randrange(0, 60)),
                programme="Knife Crime Community Seed Fund 2018",
                postcodes=postcodes,
                organisations=organisations,
            ),
        )
        for n, code in enumerate(places, start=1)
    ]
    ylf_amounts = _split(rng, YLF_BUDGET, YLF_PROJECTS, 1000)
    awards = [date(2018, 7, 1), date(2019, 5, 1), date(2020, 2, 1)]
    ylf_grants = []
    for n in range(1, YLF_PROJECTS + 1):
        code = codes[(n - 1) % len(codes)] if n <= len(codes) else rng.choice(codes)
        round_no = rng.randrange(3)
        ylf_grants.append(
            (
                n,
                _grant(
                    rng=rng,
                    key="ylf",
                    number=n,
                    amount=ylf_amounts[n - 1],
                    borough=(code, names[code]),
                    award=awards[round_no] + timedelta(days=rng.randrange(0, 45)),
                    programme=f"Young Londoners Fund round {round_no + 1}",
                    postcodes=postcodes,
                    organisations=organisations,
                ),
            )
        )
    reports = (
        import_grants(fund=seed_fund, grants=seed_grants, source="demo", is_demo=True),
        import_grants(fund=ylf, grants=ylf_grants, source="demo", is_demo=True),
    )
    for report in reports:
        if report.problems:
            raise RuntimeError("The demo grants did not import:\n" + report.as_text())
    return DemoSummary(
        funds=2,
        rounds=len(rounds),
        grants=sum(r.accepted for r in reports),
        reports=reports,
    )
