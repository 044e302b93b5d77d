"""Grants in: a 360Giving file (JSON, CSV or XLSX) to `Grant` rows, with a
report row by row.

Every row is checked in full before anything is written (identifier, amount,
currency, dates, recipient, London borough, the official schema); rows with a
problem are reported with the reasons and left out, the others are written
together in one transaction. A row is one grant, so it is written whole or not
at all; a file that cannot be read as a whole (not JSON, no grants list, a
spreadsheet without an Identifier column) raises `FileProblem` and nothing is
written. Importing the same file again updates the same grants (keyed on the
360Giving identifier), so it is safe to repeat.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.db import transaction

from ourlondon.catalogue.models import Organisation
from ourlondon.core.models import Borough, Postcode
from ourlondon.core.postcodes import PostcodeError, normalise_postcode
from ourlondon.funding import threesixty
from ourlondon.funding.models import Fund, Grant
from ourlondon.funding.threesixty import FileProblem, Json, as_amount, as_date

__all__ = ["FileProblem", "ImportReport", "import_file", "import_grants"]

# GSS codes of local authority areas anywhere in the UK (unitary, metropolitan
# and non-metropolitan districts, London boroughs; Wales, Scotland, NI).
LOCAL_AUTHORITY = re.compile(r"^(E0[6789]|W06|S12|N09)\d{6}$")
MAX_AMOUNT = Decimal("999999999999.99")


@dataclass
class RowProblem:
    row: int
    identifier: str
    messages: list[str]


@dataclass
class ImportReport:
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def accepted(self) -> int:
        return self.rows - len(self.problems)

    def as_text(self) -> str:
        verb = "would be" if self.dry_run else "were"
        lines = [
            f"{self.source}: {self.rows} rows; {self.accepted} accepted "
            f"({self.created} new, {self.updated} updated {verb} written), "
            f"{len(self.problems)} rejected."
        ]
        for problem in self.problems:
            name = f" {problem.identifier}" if problem.identifier else ""
            lines.append(f"  row {problem.row}{name}: " + "; ".join(problem.messages))
        return "\n".join(lines)


@dataclass(frozen=True)
class _Context:
    fund: Fund
    boroughs: dict[str, str]  # GSS code → name
    currencies: frozenset[str]
    charities: dict[str, int]  # charity number → organisation pk
    companies: dict[str, int]
    taken: dict[str, str]  # identifier → slug of the fund that has it


def _first(grant: Json, key: str) -> Json:
    items = grant.get(key)
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    return {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number_from_org_id(org_id: str, prefix: str) -> str:
    return org_id[len(prefix) :].strip().upper() if org_id.startswith(prefix) else ""


def _check(grant: Json, ctx: _Context) -> tuple[dict[str, Any], list[str]]:
    """The model fields for one grant, or the reasons it cannot be taken."""
    problems: list[str] = []
    if "_not_an_object" in grant:
        return {}, ["this item is not a grant (a JSON object)"]
    identifier = _text(grant.get("id"))
    if not identifier:
        problems.append("no identifier (id)")
    elif not identifier.startswith("360G-"):
        problems.append(f"the identifier “{identifier}” does not start with 360G-")
    elif len(identifier) > 200:
        problems.append("the identifier is longer than 200 characters")
    elif ctx.taken.get(identifier, ctx.fund.slug) != ctx.fund.slug:
        problems.append(
            f"the identifier is already a grant of another fund "
            f"({ctx.taken[identifier]})"
        )
    title = _text(grant.get("title"))
    if not title:
        problems.append("no title")
    description = _text(grant.get("description"))
    if not description:
        problems.append("no description")
    currency = grant.get("currency")
    if not isinstance(currency, str) or not currency.strip():
        problems.append("no currency")
    elif currency not in ctx.currencies:
        problems.append(
            f"unknown currency “{currency}”: use an ISO 4217 code such as GBP"
        )
    amount = as_amount(grant.get("amountAwarded"))
    if grant.get("amountAwarded") in (None, ""):
        problems.append("no amount awarded")
    elif amount is None:
        problems.append(
            f"the amount awarded “{grant.get('amountAwarded')}” is not a number"
        )
    elif amount < 0:
        problems.append(f"the amount awarded is negative ({amount})")
    elif amount > MAX_AMOUNT:
        problems.append("the amount awarded is too large")
    award_date = as_date(grant.get("awardDate"))
    if award_date is None:
        problems.append("no award date, or not a date (YYYY-MM-DD)")
    planned = _first(grant, "plannedDates")
    start, end = as_date(planned.get("startDate")), as_date(planned.get("endDate"))
    if planned.get("startDate") and start is None:
        problems.append("the planned start date is not a date")
    if planned.get("endDate") and end is None:
        problems.append("the planned end date is not a date")
    if start and end and end < start:
        problems.append("the planned end date is before the start date")

    recipient = _first(grant, "recipientOrganization")
    recipient_id, recipient_name = (
        _text(recipient.get("id")),
        _text(recipient.get("name")),
    )
    if not recipient_id or not recipient_name:
        if grant.get("recipientIndividual"):
            problems.append(
                "grants to individuals are not published here (no recipient "
                "organisation)"
            )
        else:
            problems.append("no recipient organisation (an org-id and a name)")
    funder = _first(grant, "fundingOrganization")
    funder_id = _text(funder.get("id")) or ctx.fund.funder_id
    funder_name = _text(funder.get("name")) or ctx.fund.funder_name
    if not funder_id or not funder_name:
        problems.append("no funding organisation (an org-id and a name)")

    borough = None
    for place in grant.get("beneficiaryLocation") or []:
        if not isinstance(place, dict):
            continue
        code = _text(place.get("geoCode")).upper()
        if not LOCAL_AUTHORITY.match(code) and place.get("geoCodeType") != "LONB":
            continue  # a country, region or ward: not a borough
        if code in ctx.boroughs:
            borough = borough or code
        else:
            name = _text(place.get("name")) or code
            problems.append(
                f"the beneficiary location {name} ({code}) is not a London "
                "borough: grants here are for London"
            )
    postcode = _text(recipient.get("postalCode"))
    from_postcode = False
    if borough is None and postcode:
        try:
            found = Postcode.objects.filter(
                postcode=normalise_postcode(postcode)
            ).values_list("borough_id", flat=True)
            borough = found.first()
            from_postcode = borough is not None
        except PostcodeError:
            pass  # the recipient's address is theirs to write: not our check

    errors = threesixty.schema_errors({"grants": [grant]})
    problems.extend(
        "360Giving schema: " + e.removeprefix("grants/0/").removeprefix("grants/0: ")
        for e in errors[:3]
    )
    if problems:
        return {}, problems

    charity = _text(recipient.get("charityNumber")).upper() or _number_from_org_id(
        recipient_id, "GB-CHC-"
    )
    company = _text(recipient.get("companyNumber")).upper() or _number_from_org_id(
        recipient_id, "GB-COH-"
    )
    organisation = ctx.charities.get(charity) if charity else None
    if organisation is None and company:
        organisation = ctx.companies.get(company)
    programme = _first(grant, "grantProgramme")
    return {
        "identifier": identifier,
        "title": title[:500],
        "description": description,
        "currency": currency,
        "amount_awarded": amount,
        "award_date": award_date,
        "planned_start": start,
        "planned_end": end,
        "recipient_org_id": recipient_id[:100],
        "recipient_name": recipient_name[:300],
        "recipient_postcode": postcode[:10],
        "recipient_charity_number": charity[:20],
        "recipient_company_number": company[:20],
        "borough_id": borough,
        "borough_from_postcode": from_postcode,
        "funder_id": funder_id[:100],
        "funder_name": funder_name[:300],
        "programme": _text(programme.get("title"))[:300],
        "organisation_id": organisation,
        "data": grant,
    }, []


def _context(fund: Fund, identifiers: Sequence[str]) -> _Context:
    charities: dict[str, int] = {}
    companies: dict[str, int] = {}
    for pk, charity, company in Organisation.objects.exclude(
        charity_number="", company_number=""
    ).values_list("pk", "charity_number", "company_number"):
        if charity:
            charities.setdefault(charity.upper(), pk)
        if company:
            companies.setdefault(company.upper(), pk)
    taken = dict(
        Grant.objects.filter(identifier__in=identifiers).values_list(
            "identifier", "fund__slug"
        )
    )
    return _Context(
        fund=fund,
        boroughs=dict(Borough.objects.values_list("gss_code", "name")),
        currencies=threesixty.currencies(),
        charities=charities,
        companies=companies,
        taken=taken,
    )


def import_grants(
    *,
    fund: Fund,
    grants: Sequence[tuple[int, Json]],
    source: str,
    dry_run: bool = False,
    is_demo: bool = False,
) -> ImportReport:
    """Check every (row number, grant) and write the good ones, in one
    transaction. Rows sharing an identifier are all rejected: which of them is
    right cannot be told."""
    report = ImportReport(source=source, rows=len(grants), dry_run=dry_run)
    seen: dict[str, list[int]] = defaultdict(list)
    for number, grant in grants:
        identifier = _text(grant.get("id")) if isinstance(grant, dict) else ""
        if identifier:
            seen[identifier].append(number)
    ctx = _context(fund, list(seen))
    accepted = []
    for number, grant in grants:
        fields, problems = _check(grant, ctx)
        identifier = _text(grant.get("id"))
        rows = seen.get(identifier, [])
        if len(rows) > 1:
            others = ", ".join(str(r) for r in rows if r != number)
            problems.append(f"the identifier is used again on row {others}")
        if problems:
            report.problems.append(RowProblem(number, identifier, problems))
        else:
            accepted.append(fields)
    existing = set(ctx.taken)
    report.created = sum(1 for f in accepted if f["identifier"] not in existing)
    report.updated = len(accepted) - report.created
    if not dry_run:
        with transaction.atomic():
            for fields in accepted:
                Grant.objects.update_or_create(
                    identifier=fields["identifier"],
                    defaults={**fields, "fund": fund, "is_demo": is_demo},
                )
    return report


def read_file(content: bytes, filename: str) -> list[tuple[int, Json]]:
    """(row number, grant) for each grant in a 360Giving file. JSON rows are
    numbered from 1 in the grants list; spreadsheet rows as the sheet shows them
    (the titles are row 1)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".json" or (not suffix and content.lstrip()[:1] in (b"{", b"[")):
        return list(enumerate(threesixty.parse_json(content), start=1))
    if suffix == ".xlsx" or content[:2] == b"PK":
        sheet = threesixty.parse_xlsx(content)
    elif suffix in (".csv", ".txt", ""):
        sheet = threesixty.parse_csv(content)
    else:
        raise FileProblem(
            f"Files ending {suffix} are not read here: use 360Giving JSON, CSV or XLSX."
        )
    return [(number, threesixty.unflatten(row)) for number, row in sheet.rows]


def import_file(
    *,
    fund: Fund,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    is_demo: bool = False,
) -> ImportReport:
    """Read a whole file (FileProblem if it cannot be), then import its rows."""
    grants = read_file(content, filename)
    if not grants:
        raise FileProblem("The file holds no grants.")
    return import_grants(
        fund=fund,
        grants=grants,
        source=PurePath(filename).name,
        dry_run=dry_run,
        is_demo=is_demo,
    )
