"""Load London's boroughs and postcodes from the shipped files (or newer ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ourlondon.core.geography import (
    BOROUGHS_CSV,
    BOROUGHS_GEOJSON,
    DISTRICTS_CSV,
    POSTCODES_CSV,
    GeographyDataError,
    load_boroughs,
    load_postcodes,
)
from ourlondon.core.models import Borough, Postcode


class Command(BaseCommand):
    help = (
        "Load the 33 London areas and the London postcode table. Defaults to the "
        "files shipped in ourlondon/core/data; pass --postcodes to load a newer "
        "ONS/OS file (columns postcode,lat,lng,la_code,ward_code,quality)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when boroughs and postcodes are already loaded.",
        )
        parser.add_argument("--boroughs", type=Path, default=BOROUGHS_GEOJSON)
        parser.add_argument("--borough-labels", type=Path, default=BOROUGHS_CSV)
        parser.add_argument("--postcodes", type=Path, default=POSTCODES_CSV)
        parser.add_argument("--districts", type=Path, default=DISTRICTS_CSV)
        parser.add_argument(
            "--outcode",
            action="append",
            dest="outcodes",
            help="Load only this postcode district (repeatable); for small setups.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            options["if_empty"]
            and Postcode.objects.exists()
            and Borough.objects.exists()
        ):
            return
        for path in (
            options["boroughs"],
            options["borough_labels"],
            options["postcodes"],
            options["districts"],
        ):
            if not path.exists():
                raise CommandError(f"File not found: {path}")
        try:
            count = load_boroughs(
                geojson_path=options["boroughs"], csv_path=options["borough_labels"]
            )
            self.stdout.write(f"Loaded {count} London areas.")
            with tqdm(
                desc="Postcodes", unit=" rows", disable=options["verbosity"] < 1
            ) as bar:

                def progress(written: int) -> None:
                    bar.update(written - bar.n)

                rows = load_postcodes(
                    path=options["postcodes"],
                    districts_path=options["districts"],
                    outcodes=options["outcodes"],
                    progress=progress,
                )
        except GeographyDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded {rows:,} London postcodes."))
