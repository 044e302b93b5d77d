"""Load the demo funds, rounds and grants (marked as demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ourlondon.core import clock
from ourlondon.funding.demo import DEFAULT_SEED, delete_demo, demo_exists, generate_demo
from ourlondon.funding.models import Fund


class Command(BaseCommand):
    help = (
        "Create the demo funding data: the Young Londoners Fund (£45m) and the "
        "Knife Crime Community Seed Fund (£1.4m, 43 projects, 19 boroughs) with "
        "invented grants and rounds, all marked as demo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any fund exists (used by `manage.py bootstrap`).",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete the demo funding first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Fund.objects.exists():
            return
        if options["replace"] or demo_exists():
            delete_demo()
        summary = generate_demo(seed=options["seed"], today=clock.today())
        self.stdout.write(
            f"Demo funding: {summary.funds} funds, {summary.rounds} rounds, "
            f"{summary.grants} grants."
        )
