"""Import a 360Giving file (JSON, CSV or XLSX) into a fund, with a row report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourlondon.funding.importing import FileProblem, import_file
from ourlondon.funding.models import Fund


class Command(BaseCommand):
    help = (
        "Import grants from a 360Giving file (JSON package, or the flat CSV/XLSX "
        "spreadsheet) into a fund. Rows with problems are reported and left out; "
        "the rest are written. Re-running updates the same grants."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The file to import.")
        parser.add_argument(
            "--fund", required=True, help="The fund's slug, e.g. young-londoners-fund."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report, but write nothing.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with an error when any row was rejected.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fund = Fund.objects.filter(slug=options["fund"]).first()
        if fund is None:
            known = ", ".join(Fund.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No fund {options['fund']!r} (funds: {known}).")
        path: Path = options["path"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        try:
            report = import_file(
                fund=fund,
                content=content,
                filename=path.name,
                dry_run=options["dry_run"],
            )
        except FileProblem as exc:
            raise CommandError(f"{path.name}: {exc} Nothing was imported.") from exc
        self.stdout.write(report.as_text())
        if options["strict"] and report.problems:
            raise CommandError(f"{len(report.problems)} rows were rejected.")
