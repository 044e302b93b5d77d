"""Open Referral UK (HSDS-UK 3.0) services: bytes in, dataclasses out. No ORM.

Two kinds of failure, kept apart on purpose:

* `DocumentError`: the input as a whole cannot be read — not JSON, not an Open
  Referral document, the wrong schema version (HSDS-UK 1.0 / HSDS 2 has
  `regular_schedules`, `eligibilitys`…), too large. Nothing is imported.
* `RecordError`: one service is wrong (no name, an age range upside down, a
  location at latitude 100). That service is reported with its reason and
  the others are imported (`directory.import_services`).

A document may be an API page (`{"total_items": …, "contents": [...]}`), a
list of services, or one service. A `version` key, where present (the API's
`/` answers `{"version": "HSDS-UK-3.0", …}`), must be 3.x.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, Final

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_AGE: Final = 120
STATUSES: Final = frozenset({"active", "inactive", "defunct", "temporarily closed"})
PAGE_KEYS: Final = frozenset({"total_items", "total_pages", "page_number", "contents"})
# Tables of HSDS 2 / Open Referral UK 1.0 that 3.0 renamed or removed: their
# presence means a document of the old version, which this importer cannot read.
OLD_VERSION_KEYS: Final = frozenset(
    {
        "eligibilitys",
        "regular_schedules",
        "holiday_schedules",
        "service_taxonomys",
        "physical_addresses",
        "link_taxonomies",
        "reviews",
    }
)
_VERSION_RE: Final = re.compile(r"^(?:HSDS-UK-)?3(?:\.\d+)*$", re.IGNORECASE)
_WEEKDAYS: Final = frozenset({"MO", "TU", "WE", "TH", "FR", "SA", "SU"})


class DocumentError(ValueError):
    """The whole input is unusable; `str()` says why, for a person to read."""


class WrongSchemaVersion(DocumentError):
    pass


class RecordError(ValueError):
    """One service cannot be imported; `str()` is the reason for the report."""


@dataclass(frozen=True)
class ParsedOrganization:
    id: str
    name: str
    description: str = ""
    website: str = ""
    email: str = ""


@dataclass(frozen=True)
class ParsedLocation:
    id: str
    name: str = ""
    address: str = ""
    postcode: str = ""
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True)
class ParsedServiceAtLocation:
    id: str
    location: ParsedLocation


@dataclass(frozen=True)
class ParsedContact:
    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ParsedSchedule:
    byday: str = ""
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""


@dataclass(frozen=True)
class ParsedTerm:
    id: str
    name: str
    code: str = ""
    vocabulary: str = ""


@dataclass(frozen=True)
class ParsedService:
    id: str
    name: str
    status: str
    organization: ParsedOrganization
    description: str = ""
    url: str = ""
    email: str = ""
    fees: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    eligibility_description: str = ""
    last_modified: datetime | None = None
    service_at_locations: tuple[ParsedServiceAtLocation, ...] = ()
    contacts: tuple[ParsedContact, ...] = ()
    schedules: tuple[ParsedSchedule, ...] = ()
    terms: tuple[ParsedTerm, ...] = ()


@dataclass
class Document:
    """What one input held: the raw service objects, and paging if it was a page."""

    services: list[dict[str, Any]]
    total_pages: int | None = None
    page_number: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)


def check_version(value: Any) -> None:
    if not isinstance(value, str) or not _VERSION_RE.match(value.strip()):
        raise WrongSchemaVersion(
            f"The data says it is version {value!r}; this importer reads Open "
            "Referral UK 3.0 (HSDS-UK-3.0) only."
        )


def load_json(data: bytes, *, what: str = "The file") -> Any:
    if len(data) > MAX_BYTES:
        raise DocumentError(
            f"{what} is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB. Import it from the API instead, a "
            "page at a time."
        )
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{what} is not UTF-8 text: {exc}.") from exc
    except json.JSONDecodeError as exc:
        raise DocumentError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}."
        ) from exc
    except RecursionError as exc:
        raise DocumentError(f"{what} is nested too deeply to read.") from exc


def parse_document(data: bytes, *, what: str = "The file") -> Document:
    """Read a page, a list or a single service; refuse anything else."""
    value = load_json(data, what=what)
    if isinstance(value, list):
        document = Document(services=value)
    elif isinstance(value, dict) and PAGE_KEYS & value.keys():
        if "version" in value:
            check_version(value["version"])
        contents = value.get("contents")
        if not isinstance(contents, list):
            raise DocumentError(
                f"{what} looks like an Open Referral page but its “contents” is "
                "not a list."
            )
        document = Document(
            services=contents,
            total_pages=_int_or_none(value.get("total_pages")),
            page_number=_int_or_none(value.get("page_number")),
        )
    elif isinstance(value, dict) and "id" in value and "name" in value:
        if "version" in value:
            check_version(value["version"])
        document = Document(services=[value])
    else:
        raise DocumentError(
            f"{what} is JSON but not Open Referral UK services: expected a page "
            "(total_items, contents …), a list of services or one service."
        )
    for raw in document.services:
        check_not_old_version(raw)
    return document


def check_not_old_version(raw: Any) -> None:
    """Refuse the whole input when a record is in the old (1.0) shape."""
    if not isinstance(raw, dict):
        return
    found = OLD_VERSION_KEYS & raw.keys()
    links = raw.get("service_at_locations")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and isinstance(link.get("location"), dict):
            found |= OLD_VERSION_KEYS & link["location"].keys()
    if found:
        raise WrongSchemaVersion(
            "This is Open Referral UK 1.0 (HSDS 2) data: it has "
            f"{', '.join(sorted(found))}. This importer reads Open Referral UK "
            "3.0 (HSDS-UK-3.0) only; ask the publisher for their 3.0 API."
        )


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(raw: dict[str, Any], key: str, *, where: str, limit: int = 5000) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise RecordError(f"{where}{key} should be text, not {type(value).__name__}.")
    return str(value).strip()[:limit]


def _required(raw: dict[str, Any], key: str, *, where: str, limit: int = 300) -> str:
    value = _text(raw, key, where=where, limit=limit)
    if not value:
        raise RecordError(f"{where}{key} is missing.")
    return value


def _url(value: str) -> str:
    """Only web addresses are kept: a `javascript:` or bare link is dropped."""
    return value if re.match(r"^https?://[^\s]+$", value) and len(value) <= 500 else ""


def _email(value: str) -> str:
    return value if re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value) else ""


def _age(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RecordError(f"{key} should be a whole number of years, not {value!r}.")
    if not 0 <= value <= MAX_AGE:
        raise RecordError(f"{key} {value} is not an age (0 to {MAX_AGE}).")
    return value


def _coordinate(
    raw: dict[str, Any], key: str, bound: int, *, where: str
) -> float | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise RecordError(f"{where}{key} {value!r} is not a number.") from None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise RecordError(f"{where}{key} {value!r} is not a number.")
    if not -bound <= value <= bound:
        raise RecordError(f"{where}{key} {value} is outside -{bound} to {bound}.")
    return float(value)


def _time(raw: dict[str, Any], key: str, *, where: str) -> time | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"{where}{key} {value!r} is not a time.")
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"{where}{key} {value!r} is not a time (HH:MM).") from None
    return parsed.replace(tzinfo=None)


def _list(raw: dict[str, Any], key: str, *, where: str) -> list[dict[str, Any]]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RecordError(f"{where}{key} should be a list of objects.")
    return value


def _phone(raw: dict[str, Any], *, where: str) -> str:
    for phone in _list(raw, "phones", where=where):
        number = _text(phone, "number", where=where, limit=40).strip('"').strip()
        if number:
            return number
    return ""


def parse_location(raw: dict[str, Any], *, where: str) -> ParsedLocation:
    lat = _coordinate(raw, "latitude", 90, where=where)
    lng = _coordinate(raw, "longitude", 180, where=where)
    if (lat is None) != (lng is None):
        raise RecordError(f"{where}has a latitude or a longitude, not both.")
    address, postcode = "", ""
    addresses = _list(raw, "addresses", where=where)
    if addresses:
        first = addresses[0]
        parts = [
            _text(first, key, where=where, limit=200)
            for key in ("address_1", "address_2", "city")
        ]
        address = ", ".join(p for p in parts if p)[:500]
        postcode = _text(first, "postal_code", where=where, limit=10)
    return ParsedLocation(
        id=_required(raw, "id", where=where, limit=200),
        name=_text(raw, "name", where=where, limit=300),
        address=address,
        postcode=postcode,
        lat=lat,
        lng=lng,
    )


def parse_service(raw: Any) -> ParsedService:
    """One HSDS-UK 3.0 service object, or `RecordError` naming the problem."""
    if not isinstance(raw, dict):
        raise RecordError(f"A service should be an object, not {type(raw).__name__}.")
    check_not_old_version(raw)
    status = _required(raw, "status", where="")
    if status not in STATUSES:
        raise RecordError(
            f"status {status!r} is not one of {', '.join(sorted(STATUSES))}."
        )
    organization = raw.get("organization")
    if not isinstance(organization, dict):
        raise RecordError("organization is missing (a service belongs to one).")
    where = "organization."
    parsed_organization = ParsedOrganization(
        id=_required(organization, "id", where=where, limit=200),
        name=_required(organization, "name", where=where),
        description=_text(organization, "description", where=where),
        website=_url(_text(organization, "website", where=where)),
        email=_email(_text(organization, "email", where=where, limit=254)),
    )
    minimum, maximum = _age(raw, "minimum_age"), _age(raw, "maximum_age")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise RecordError(f"minimum_age {minimum} is above maximum_age {maximum}.")
    last_modified = None
    if raw.get("last_modified"):
        text = _text(raw, "last_modified", where="")
        try:
            last_modified = datetime.fromisoformat(text)
        except ValueError:
            raise RecordError(
                f"last_modified {text!r} is not a date and time."
            ) from None
        if last_modified.tzinfo is None:
            raise RecordError(f"last_modified {text!r} has no time zone.")
    links = []
    contacts = [
        ParsedContact(
            name=_text(c, "name", where="contacts.", limit=200),
            title=_text(c, "title", where="contacts.", limit=200),
            phone=_phone(c, where="contacts."),
            email=_email(_text(c, "email", where="contacts.", limit=254)),
        )
        for c in _list(raw, "contacts", where="")
    ]
    if (service_phone := _phone(raw, where="")) and not any(c.phone for c in contacts):
        contacts.insert(0, ParsedContact(phone=service_phone))
    for index, link in enumerate(_list(raw, "service_at_locations", where="")):
        where = f"service_at_locations[{index}]."
        location = link.get("location")
        if not isinstance(location, dict):
            raise RecordError(f"{where}location is missing.")
        links.append(
            ParsedServiceAtLocation(
                id=_required(link, "id", where=where, limit=200),
                location=parse_location(location, where=f"{where}location."),
            )
        )
    schedules = []
    for index, schedule in enumerate(_list(raw, "schedules", where="")):
        where = f"schedules[{index}]."
        byday = _text(schedule, "byday", where=where, limit=40).upper()
        days = [d.strip() for d in byday.split(",") if d.strip()]
        if any(d.lstrip("+-0123456789") not in _WEEKDAYS for d in days):
            raise RecordError(f"{where}byday {byday!r} is not a list of weekdays.")
        schedules.append(
            ParsedSchedule(
                byday=",".join(days),
                opens_at=_time(schedule, "opens_at", where=where),
                closes_at=_time(schedule, "closes_at", where=where),
                description=_text(schedule, "description", where=where),
            )
        )
    terms = []
    for index, attribute in enumerate(_list(raw, "attributes", where="")):
        term = attribute.get("taxonomy_term")
        if term is None:
            continue
        where = f"attributes[{index}].taxonomy_term."
        if not isinstance(term, dict):
            raise RecordError(f"{where[:-1]} should be an object.")
        detail = term.get("taxonomy_detail")
        vocabulary = (
            _text(detail, "name", where=where, limit=200)
            if isinstance(detail, dict)
            else _text(term, "taxonomy", where=where, limit=200)
        )
        terms.append(
            ParsedTerm(
                id=_required(term, "id", where=where, limit=200),
                name=_required(term, "name", where=where, limit=200),
                code=_text(term, "code", where=where, limit=100),
                vocabulary=vocabulary,
            )
        )
    return ParsedService(
        id=_required(raw, "id", where="", limit=200),
        name=_required(raw, "name", where=""),
        status=status,
        organization=parsed_organization,
        description=_text(raw, "description", where=""),
        url=_url(_text(raw, "url", where="")),
        email=_email(_text(raw, "email", where="", limit=254)),
        fees=_text(raw, "fees", where=""),
        minimum_age=minimum,
        maximum_age=maximum,
        eligibility_description=_text(raw, "eligibility_description", where=""),
        last_modified=last_modified,
        service_at_locations=tuple(links),
        contacts=tuple(contacts),
        schedules=tuple(schedules),
        terms=tuple(terms),
    )


def record_label(raw: Any) -> tuple[str, str]:
    """(id, name) of a raw record, as far as it has them, for the report."""
    if not isinstance(raw, dict):
        return "", ""
    return str(raw.get("id") or "")[:200], str(raw.get("name") or "")[:300]
