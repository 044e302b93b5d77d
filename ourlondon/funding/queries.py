"""Chainable reads over grants: the filters of the public list and the sums
of the overview and borough pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Sum

if TYPE_CHECKING:
    from ourlondon.funding.models import Grant  # noqa: F401 (a string type argument)


@dataclass(frozen=True)
class Totals:
    amount: Decimal
    grants: int
    boroughs: int
    recipients: int


class GrantQuerySet(models.QuerySet["Grant"]):
    def in_fund(self, slug: str) -> GrantQuerySet:
        return self.filter(fund__slug=slug)

    def in_borough(self, gss_code: str) -> GrantQuerySet:
        return self.filter(borough_id=gss_code)

    def awarded_in(self, year: int) -> GrantQuerySet:
        return self.filter(award_date__year=year)

    def amount_between(
        self, low: Decimal | None = None, high: Decimal | None = None
    ) -> GrantQuerySet:
        found = self
        if low is not None:
            found = found.filter(amount_awarded__gte=low)
        if high is not None:
            found = found.filter(amount_awarded__lte=high)
        return found

    def totals(self) -> Totals:
        """What the pages print: every figure is computed here, never typed."""
        row = self.aggregate(
            amount=Sum("amount_awarded"),
            grants=Count("pk"),
            boroughs=Count("borough", distinct=True),
            recipients=Count("recipient_org_id", distinct=True),
        )
        return Totals(
            amount=row["amount"] or Decimal(0),
            grants=row["grants"],
            boroughs=row["boroughs"],
            recipients=row["recipients"],
        )

    def by_borough(self) -> dict[str, tuple[Decimal, int]]:
        """Amount and number of grants per borough code (grants with a borough)."""
        rows = (
            self.filter(borough__isnull=False)
            .order_by()
            .values("borough")
            .annotate(amount=Sum("amount_awarded"), grants=Count("pk"))
        )
        return {r["borough"]: (r["amount"] or Decimal(0), r["grants"]) for r in rows}

    def years(self) -> list[int]:
        return sorted(
            {d.year for d in self.order_by().values_list("award_date", flat=True)},
            reverse=True,
        )
