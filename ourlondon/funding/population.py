"""Young people aged 10 to 24 per London borough: ONS mid-2023 estimates,
shipped in `data/young_people_10_24.csv` (derived from the ONS mid-year
estimates by single year of age; Open Government Licence v3.0)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

YOUNG_PEOPLE_CSV = Path(__file__).resolve().parent / "data" / "young_people_10_24.csv"
YEAR = "mid-2023"


@cache
def young_people() -> dict[str, int]:
    """GSS code → residents aged 10 to 24 (mid-2023)."""
    with YOUNG_PEOPLE_CSV.open(newline="") as f:
        return {row["la_code"]: int(row["age_10_24_2023"]) for row in csv.DictReader(f)}
