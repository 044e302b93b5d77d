"""Export grants as 360Giving JSON (checked against the schema) or CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourlondon.funding.exporting import export_csv, export_json
from ourlondon.funding.models import Fund


class Command(BaseCommand):
    help = (
        "Write a fund's grants (or every fund's, without --fund) as a 360Giving "
        "JSON package, validated against the 360Giving schema, or as the flat CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Where to write; - for stdout.")
        parser.add_argument("--fund", help="The fund's slug (default: every fund).")
        parser.add_argument(
            "--format",
            choices=["json", "csv"],
            help="Default: from the file name's ending, else json.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fund = None
        if options["fund"]:
            fund = Fund.objects.filter(slug=options["fund"]).first()
            if fund is None:
                raise CommandError(f"No fund {options['fund']!r}.")
        path: Path = options["path"]
        kind = options["format"] or ("csv" if path.suffix.lower() == ".csv" else "json")
        if kind == "csv":
            text = export_csv(fund=fund)
        else:
            text = json.dumps(export_json(fund=fund), indent=2, ensure_ascii=False)
        if str(path) == "-":
            self.stdout.write(text)
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path} ({kind}).")
