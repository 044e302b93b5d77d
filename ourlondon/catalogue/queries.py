"""Chainable reads over the catalogue.

Moderated models have no `objects`: `Activity.public` (what anyone may see) and
`Activity.all_objects` (staff, imports) make the choice explicit at each call.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models

from ourlondon.core import clock

if TYPE_CHECKING:
    # Used only as string type arguments of the base classes below.
    from ourlondon.catalogue.models import Activity, Occurrence  # noqa: F401

# An organisation in these states has its listings hidden at once.
HIDDEN_ORGANISATION_STATES = ("suspended", "rejected")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def published(self) -> ActivityQuerySet:
        return self.filter(status="published").exclude(
            organisation__verification__in=HIDDEN_ORGANISATION_STATES
        )

    def with_upcoming(self, *, after: datetime | None = None) -> ActivityQuerySet:
        """Activities that have at least one session starting after `after`."""
        return self.filter(occurrences__start__gte=after or clock.now()).distinct()

    def in_borough(self, gss_code: str) -> ActivityQuerySet:
        return self.filter(venue__borough_id=gss_code)

    def for_display(self) -> ActivityQuerySet:
        """With everything a card or a page shows, joined or prefetched; the
        borough's outline (a large GeoJSON document nobody shows) left out."""
        return (
            self.select_related("organisation", "venue", "venue__borough")
            .defer("venue__borough__outline")
            .prefetch_related("types")
        )


class OccurrenceQuerySet(models.QuerySet["Occurrence"]):
    def upcoming(self, *, after: datetime | None = None) -> OccurrenceQuerySet:
        return self.filter(start__gte=after or clock.now())

    def public(self) -> OccurrenceQuerySet:
        return self.filter(activity__status="published").exclude(
            activity__organisation__verification__in=HIDDEN_ORGANISATION_STATES
        )


_ActivityManager = models.Manager.from_queryset(ActivityQuerySet)


class PublicActivityManager(_ActivityManager):
    def get_queryset(self) -> ActivityQuerySet:  # type: ignore[override] # the stubs leave the dynamic base's model type unbound
        return ActivityQuerySet(self.model, using=self._db).published()
