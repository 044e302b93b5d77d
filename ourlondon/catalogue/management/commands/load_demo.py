"""Load the demo data: invented London youth provision, marked as demo."""

from __future__ import annotations

import time
from argparse import ArgumentTypeError
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from ourlondon.catalogue.demo import (
    DEFAULT_SEED,
    MAX_SCALE,
    DemoError,
    delete_demo,
    demo_exists,
    generate_demo,
    scale_occurrences,
    summarise_demo,
)
from ourlondon.catalogue.models import Activity


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentTypeError(
            f"expected a date like 2026-03-09, not {value!r}"
        ) from exc


def progress_to(bar: tqdm[Any]) -> Callable[[int], None]:
    """A progress callback, given a running total, that moves `bar` to it."""

    def update(total: int) -> None:
        bar.update(min(total, bar.total or total) - bar.n)

    return update


class Command(BaseCommand):
    help = (
        "Create realistic, deterministic demo data: about 2,000 activities by "
        "invented organisations at real postcodes in all 33 London areas, with their "
        "sessions. Everything is marked as demo. Use --scale to add weekly clubs "
        "until there are N sessions, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed; the same seed and date give the same data "
            f"(default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--today",
            type=iso_date,
            default=None,
            help="Pretend today is this date (YYYY-MM-DD); sessions are dated from "
            "it. Default: today in London.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any activity exists (used by `make run`).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the existing demo data first (other data is untouched).",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=None,
            metavar="N",
            help=f"Add weekly demo clubs until there are at least N sessions in "
            f"total (1 to {MAX_SCALE:,}); for benchmarks. Builds the demo first "
            "unless it is loaded already (then tops it up; --replace rebuilds it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if scale is not None and not 1 <= scale <= MAX_SCALE:
            raise CommandError(f"--scale must be between 1 and {MAX_SCALE:,}.")
        if options["if_empty"] and Activity.all_objects.exists():
            if options["verbosity"] >= 2:
                self.stdout.write("Activities exist already; demo data not loaded.")
            return
        quiet = options["verbosity"] < 1
        started = time.monotonic()
        exists = demo_exists()
        # With --scale alone, an existing demo is kept and topped up.
        top_up = exists and scale is not None and not options["replace"]
        if exists and not (options["replace"] or options["if_empty"] or top_up):
            raise CommandError(
                "Demo data is already loaded. Use --replace to rebuild it, or "
                "--scale N to add sessions to it."
            )
        try:
            if not top_up:
                # Replacing is one transaction: a failure keeps the previous demo.
                with (
                    transaction.atomic(),
                    tqdm(
                        total=33, desc="Demo areas", unit=" areas", disable=quiet
                    ) as bar,
                ):
                    deleted = delete_demo() if exists else 0
                    report = generate_demo(
                        seed=options["seed"],
                        today=options["today"],
                        progress=progress_to(bar),
                    )
                if exists and not quiet:
                    self.stdout.write(
                        f"Deleted the previous demo ({deleted:,} activities)."
                    )
            if scale is not None:
                with tqdm(
                    total=scale, desc="Sessions", unit=" rows", disable=quiet
                ) as bar:
                    scale_occurrences(
                        target=scale,
                        seed=options["seed"],
                        today=options["today"],
                        progress=progress_to(bar),
                    )
                report = summarise_demo()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {seconds:.1f} s: "
                f"{report.organisations:,} organisations, {report.venues:,} venues, "
                f"{report.activities:,} activities, {report.schedules:,} schedules, "
                f"{report.occurrences:,} sessions; {report.boroughs} of 33 London "
                f"areas, {report.activity_types} activity types."
            )
        )
