"""The figures the public pages print, computed from the grants: never typed.

Sums are over grants in pounds (GBP); a grant in another currency is listed but
not added to a pound total (the pages say how many there are).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ourlondon.core.models import Borough
from ourlondon.funding.population import young_people
from ourlondon.funding.queries import GrantQuerySet, Totals


def money(amount: Decimal) -> str:
    """£1,400,000; pence only when there are any."""
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def short_money(amount: Decimal) -> str:
    """£45m, £1.4m, £350k, £900: for headlines (the exact sum is beside it)."""
    if amount >= 1_000_000:
        millions = (amount / 1_000_000).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"£{millions.normalize():f}m"
    if amount >= 10_000:
        thousands = (amount / 1000).quantize(Decimal("1"), ROUND_HALF_UP)
        return f"£{thousands:f}k"
    return money(amount.quantize(Decimal("1"), ROUND_HALF_UP))


def headline(totals: Totals) -> str:
    """ "£1.4m to 43 projects in 19 boroughs"."""
    projects = "project" if totals.grants == 1 else "projects"
    text = f"{short_money(totals.amount)} to {totals.grants:,} {projects}"
    if totals.boroughs:
        boroughs = "borough" if totals.boroughs == 1 else "boroughs"
        text += f" in {totals.boroughs} {boroughs}"
    return text


@dataclass(frozen=True)
class BoroughFigure:
    code: str
    name: str
    amount: Decimal
    grants: int
    young_people: int | None
    per_young_person: Decimal | None


def borough_figures(grants: GrantQuerySet) -> list[BoroughFigure]:
    """Every London borough, with or without grants, by name."""
    sums = grants.filter(currency="GBP").by_borough()
    population = young_people()
    figures = []
    for code, name in Borough.objects.order_by("name").values_list("gss_code", "name"):
        amount, count = sums.get(code, (Decimal(0), 0))
        people = population.get(code)
        per = (
            (amount / people).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if people
            else None
        )
        figures.append(BoroughFigure(code, name, amount, count, people, per))
    return figures
