"""Writes to the support services directory: importing Open Referral UK data.

One import core behind the command (`import_openreferral`) and any later upload:

1. read everything first — a file, or every page of an API through the safe
   fetcher — and check the document as a whole (`openreferral.parse_document`).
   A document error (not JSON, wrong schema version, too large, the API down)
   stops the import before anything is written;
2. then each service in its own transaction: parsed, validated, and written with
   its organisation, locations, contacts, schedules and needs, or not at all.
   A rejected service goes into the report with its id, name and reason.

Every run is recorded as a `DirectoryImport`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from ourlondon.ingest.fetching import FetchError, fetch
from ourlondon.support import openreferral
from ourlondon.support.models import (
    Contact,
    DirectoryImport,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceSchedule,
    TaxonomyTerm,
)
from ourlondon.support.openreferral import DocumentError, ParsedService, RecordError

PAGE_SIZE: Final = 100
MAX_PAGES: Final = 500


@dataclass
class Rejection:
    id: str
    name: str
    reason: str


@dataclass
class ImportReport:
    source: str
    imported: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    run: DirectoryImport | None = None

    def lines(self) -> list[str]:
        out = [
            f"{self.source}: {len(self.imported)} imported, "
            f"{len(self.rejected)} rejected."
        ]
        out += [
            f"  rejected {r.id or '(no id)'} {r.name or '(no name)'}: {r.reason}"
            for r in self.rejected
        ]
        return out


def _record_failure(source: str, error: Exception) -> None:
    DirectoryImport.objects.create(
        source=source[:500],
        outcome=DirectoryImport.Outcome.FAILED,
        report={"error": str(error)},
    )


def import_file(path: Path | str) -> ImportReport:
    """Import a JSON file of services. Raises `DocumentError` (nothing written)."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > openreferral.MAX_BYTES:
            # Refused before reading: a 50 MB file never reaches memory.
            raise DocumentError(
                f"{path.name} is {size / 1024 / 1024:.1f} MB; the limit is "
                f"{openreferral.MAX_BYTES // 1024 // 1024} MB. Import from the "
                "publisher's API instead, a page at a time."
            )
        data = path.read_bytes()
    except OSError as exc:
        error = DocumentError(f"Could not read {path}: {exc.strerror or exc}.")
        _record_failure(source, error)
        raise error from exc
    try:
        document = openreferral.parse_document(data, what=path.name)
    except DocumentError as exc:
        _record_failure(source, exc)
        raise
    return import_services(document.services, source=source)


def _get_json(url: str, *, allow_private: bool) -> Any:
    try:
        response = fetch(
            url,
            headers={"Accept": "application/json"},
            max_bytes=openreferral.MAX_BYTES,
            allow_private=allow_private,
        )
    except FetchError as exc:
        raise DocumentError(str(exc)) from exc
    if not response.ok:
        raise DocumentError(f"{url} answered HTTP {response.status}.")
    return response.body


def fetch_services(url: str, *, allow_private: bool = False) -> list[dict[str, Any]]:
    """Every service an Open Referral UK API publishes, in full.

    `url` is the API's base (or its `/services`). The base's `/` must say
    version 3.x when it answers at all; `/services` is read page by page, and a
    service listed without its locations is fetched from `/services/{id}`.
    """
    root = url.rstrip("/")
    if root.endswith("/services"):
        root = root[: -len("/services")]
    if not urlsplit(root).scheme:
        raise DocumentError(f"“{url}” is not a web address (http or https).")
    try:
        details = json.loads(_get_json(root + "/", allow_private=allow_private))
    except (DocumentError, ValueError):
        details = None  # some publishers do not serve `/`: the records decide
    if isinstance(details, dict) and "version" in details:
        openreferral.check_version(details["version"])
    services: list[dict[str, Any]] = []
    page = 1
    while True:
        page_url = f"{root}/services?page={page}&per_page={PAGE_SIZE}"
        body = _get_json(page_url, allow_private=allow_private)
        document = openreferral.parse_document(body, what=page_url)
        for raw in document.services:
            if (
                isinstance(raw, dict)
                and "service_at_locations" not in raw
                and isinstance(raw.get("id"), str)
            ):
                item_url = f"{root}/services/{quote(raw['id'], safe='')}"
                full = openreferral.parse_document(
                    _get_json(item_url, allow_private=allow_private), what=item_url
                )
                services.extend(full.services)
            else:
                services.append(raw)
        last = document.total_pages is None or page >= document.total_pages
        if last or not document.services:
            return services
        page += 1
        if page > MAX_PAGES:
            raise DocumentError(
                f"{root} has more than {MAX_PAGES} pages of services; stopped."
            )


def import_url(url: str, *, allow_private: bool = False) -> ImportReport:
    """Import every service from an API. Raises `DocumentError` (nothing written)."""
    try:
        services = fetch_services(url, allow_private=allow_private)
    except DocumentError as exc:
        _record_failure(url, exc)
        raise
    return import_services(services, source=url)


def import_services(raws: list[Any], *, source: str) -> ImportReport:
    """Write each service on its own, all or nothing; report those refused."""
    report = ImportReport(source=source)
    for raw in raws:
        ident, name = openreferral.record_label(raw)
        try:
            parsed = openreferral.parse_service(raw)
            with transaction.atomic():
                _write_service(parsed, source=source)
        except RecordError as exc:
            report.rejected.append(Rejection(ident, name, str(exc)))
        except ValidationError as exc:
            reason = "; ".join(
                f"{key}: {' '.join(messages)}"
                for key, messages in exc.message_dict.items()
            )
            report.rejected.append(Rejection(ident, name, reason))
        except DatabaseError as exc:
            report.rejected.append(Rejection(ident, name, f"not stored: {exc}"))
        else:
            report.imported.append(parsed.id)
    report.run = DirectoryImport.objects.create(
        source=source[:500],
        outcome=DirectoryImport.Outcome.DONE,
        imported=len(report.imported),
        rejected=len(report.rejected),
        report={
            "rejected": [
                {"id": r.id, "name": r.name, "reason": r.reason}
                for r in report.rejected
            ]
        },
    )
    return report


def _write_service(parsed: ParsedService, *, source: str) -> Service:
    org = parsed.organization
    organization, _ = Organization.objects.update_or_create(
        external_id=org.id,
        defaults={
            "name": org.name,
            "description": org.description,
            "website": org.website,
            "email": org.email,
        },
    )
    service = Service.objects.filter(external_id=parsed.id).first() or Service(
        external_id=parsed.id
    )
    service.organization = organization
    service.name = parsed.name
    service.description = parsed.description
    service.url = parsed.url
    service.email = parsed.email
    service.status = parsed.status
    service.fees = parsed.fees
    service.minimum_age = parsed.minimum_age
    service.maximum_age = parsed.maximum_age
    service.eligibility_description = parsed.eligibility_description
    service.last_modified = parsed.last_modified
    service.source = source[:500]
    service.full_clean(validate_unique=False, validate_constraints=False)
    service.save()
    terms = []
    for term in parsed.terms:
        row, _ = TaxonomyTerm.objects.update_or_create(
            external_id=term.id,
            defaults={
                "name": term.name,
                "code": term.code,
                "vocabulary": term.vocabulary,
            },
        )
        terms.append(row)
    service.taxonomy_terms.set(terms)
    service.contacts.all().delete()
    Contact.objects.bulk_create(
        Contact(
            service=service,
            name=c.name,
            title=c.title,
            phone=c.phone,
            email=c.email,
        )
        for c in parsed.contacts
    )
    service.schedules.all().delete()
    ServiceSchedule.objects.bulk_create(
        ServiceSchedule(
            service=service,
            byday=s.byday,
            opens_at=s.opens_at,
            closes_at=s.closes_at,
            description=s.description,
        )
        for s in parsed.schedules
    )
    kept = []
    for link in parsed.service_at_locations:
        place = link.location
        location, _ = Location.objects.update_or_create(
            external_id=place.id,
            defaults={
                "name": place.name,
                "address": place.address,
                "postcode": place.postcode,
                "lat": place.lat,
                "lng": place.lng,
            },
        )
        ServiceAtLocation.objects.update_or_create(
            external_id=link.id,
            defaults={"service": service, "location": location},
        )
        kept.append(link.id)
    service.service_at_locations.exclude(external_id__in=kept).delete()
    return service
