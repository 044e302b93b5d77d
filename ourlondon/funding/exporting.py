"""Grants out: 360Giving JSON and the flat CSV, for one fund or all of them.

Each grant is exported as it was published (`Grant.data`) with our columns laid
over it where they say something different (staff corrected it in the admin, or
it was made here): a value that still means the same (the date "2020-03-17" and
the column 2020-03-17; 10000 and 10000.00) is left exactly as it was, so an
import followed by an export gives back every field unchanged. Every JSON export
is checked against the 360Giving schema before it is served.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from ourlondon.funding import threesixty
from ourlondon.funding.importing import LOCAL_AUTHORITY
from ourlondon.funding.models import Fund, Grant
from ourlondon.funding.threesixty import Json, as_amount, as_date


class ExportInvalid(RuntimeError):
    """An export that would not be valid 360Giving: a bug, never served."""


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _put(target: Json, key: str, value: Any, *, same: bool) -> None:
    """Set `key` unless the value there already means `value`; remove it when
    `value` is empty."""
    if value in (None, ""):
        target.pop(key, None)
    elif key not in target or not same:
        target[key] = value


def _first(grant: Json, key: str) -> Json:
    items = grant.get(key)
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        items = [{}]
        grant[key] = items
    first: Json = items[0]
    return first


def _same_text(stated: Any, value: str) -> bool:
    """Published text with stray spaces still says the same: keep it as it was."""
    return isinstance(stated, str) and stated.strip() == value


def _same_date(text: Any, value: date | None) -> bool:
    return value is not None and as_date(text) == value


def grant_json(grant: Grant) -> Json:
    out: Json = copy.deepcopy(grant.data) if isinstance(grant.data, dict) else {}
    _put(out, "id", grant.identifier, same=_same_text(out.get("id"), grant.identifier))
    _put(out, "title", grant.title, same=_same_text(out.get("title"), grant.title))
    _put(
        out,
        "description",
        grant.description,
        same=_same_text(out.get("description"), grant.description),
    )
    _put(out, "currency", grant.currency, same=out.get("currency") == grant.currency)
    _put(
        out,
        "amountAwarded",
        _number(grant.amount_awarded),
        same=as_amount(out.get("amountAwarded")) == grant.amount_awarded,
    )
    _put(
        out,
        "awardDate",
        grant.award_date.isoformat(),
        same=_same_date(out.get("awardDate"), grant.award_date),
    )
    if grant.planned_start or grant.planned_end or out.get("plannedDates"):
        planned = _first(out, "plannedDates")
        for key, day in (
            ("startDate", grant.planned_start),
            ("endDate", grant.planned_end),
        ):
            _put(
                planned,
                key,
                day.isoformat() if day else None,
                same=_same_date(planned.get(key), day),
            )
        if not planned:
            out.pop("plannedDates")

    recipient = _first(out, "recipientOrganization")
    for key, value in (
        ("id", grant.recipient_org_id),
        ("name", grant.recipient_name),
        ("postalCode", grant.recipient_postcode),
    ):
        _put(recipient, key, value, same=_same_text(recipient.get(key), value))
    for key, value, prefix in (
        ("charityNumber", grant.recipient_charity_number, "GB-CHC-"),
        ("companyNumber", grant.recipient_company_number, "GB-COH-"),
    ):
        stated = str(recipient.get(key, "")).strip().upper()
        if stated != value and (stated or grant.recipient_org_id != prefix + value):
            # A number read from the org-id is not written back as a field.
            _put(recipient, key, value, same=False)

    funder = _first(out, "fundingOrganization")
    _put(
        funder,
        "id",
        grant.funder_id,
        same=_same_text(funder.get("id"), grant.funder_id),
    )
    _put(
        funder,
        "name",
        grant.funder_name,
        same=_same_text(funder.get("name"), grant.funder_name),
    )

    if grant.programme or out.get("grantProgramme"):
        programme = _first(out, "grantProgramme")
        _put(
            programme,
            "title",
            grant.programme,
            same=_same_text(programme.get("title"), grant.programme),
        )
        if not programme:
            out.pop("grantProgramme")

    if grant.borough_id and not grant.borough_from_postcode:
        places = out.setdefault("beneficiaryLocation", [])
        codes = [
            str(p.get("geoCode", "")).upper() for p in places if isinstance(p, dict)
        ]
        if grant.borough_id not in codes:
            place = {
                "name": grant.borough.name if grant.borough else grant.borough_id,
                "geoCode": grant.borough_id,
                "geoCodeType": "LONB",
                "countryCode": "GB",
            }
            london = [i for i, c in enumerate(codes) if LOCAL_AUTHORITY.match(c)]
            if london:
                places[london[0]] = place
            else:
                places.append(place)
    return threesixty.canonical(out)


def grants_for(fund: Fund | None = None) -> QuerySet[Grant]:
    grants = Grant.objects.select_related("borough").defer("borough__outline")
    if fund is not None:
        grants = grants.filter(fund=fund)
    return grants.order_by("award_date", "identifier")


def package(grants: Iterable[Grant]) -> Json:
    """A 360Giving package of these grants, checked against the schema."""
    document: Json = {"grants": [grant_json(g) for g in grants], "version": "1.4"}
    if not document["grants"]:
        # The schema wants at least one grant; an empty fund has none to give.
        return document
    errors = threesixty.schema_errors(document)
    if errors:
        raise ExportInvalid("; ".join(errors[:5]))
    return document


def export_json(*, fund: Fund | None = None) -> Json:
    return package(grants_for(fund).iterator(chunk_size=500))


def export_csv(*, fund: Fund | None = None) -> str:
    return threesixty.render_csv(
        [grant_json(g) for g in grants_for(fund).iterator(chunk_size=500)]
    )
