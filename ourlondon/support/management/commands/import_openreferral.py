"""Import support services from an Open Referral UK (HSDS-UK 3.0) API or file."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourlondon.support.directory import import_file, import_url
from ourlondon.support.openreferral import DocumentError


class Command(BaseCommand):
    help = (
        "Import support services from an Open Referral UK 3.0 API (--url, read "
        "page by page through the safe fetcher) or a JSON file (--file). Each "
        "service is imported whole or not at all; rejected services are listed "
        "with their reasons. Safe to re-run: services are updated by their id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--url", help="The API's base URL (or its /services).")
        source.add_argument("--file", help="A JSON file: a page, a list or a service.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["url"]:
                report = import_url(
                    options["url"], allow_private=settings.SAFE_FETCH_ALLOW_PRIVATE
                )
            else:
                report = import_file(options["file"])
        except DocumentError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)
