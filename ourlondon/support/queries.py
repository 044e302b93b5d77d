"""Chainable reads over the support directory and the safe havens, and the
directory search (by need, place and distance, age).

`SafeHaven` is moderated, so it has no `objects`: `SafeHaven.public` (approved)
for public pages, `SafeHaven.all_objects` for staff and the application form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from ourlondon.core.geography import haversine_km

if TYPE_CHECKING:
    # Used only as string type arguments of the base classes below.
    from ourlondon.support.models import (  # noqa: F401
        Location,
        SafeHaven,
        Service,
    )

# The directory shows services whose publisher calls them active; the others are
# kept (a later import may reopen them) but never listed.
LISTED_STATUSES = ("active",)


class ServiceQuerySet(models.QuerySet["Service"]):
    def listed(self) -> ServiceQuerySet:
        return self.filter(status__in=LISTED_STATUSES)

    def for_need(self, text: str) -> ServiceQuerySet:
        """Services whose need (taxonomy term), name or description mentions
        every word of `text`."""
        result = self
        for word in text.split()[:8]:
            result = result.filter(
                Q(taxonomy_terms__name__icontains=word)
                | Q(taxonomy_terms__code__iexact=word)
                | Q(name__icontains=word)
                | Q(description__icontains=word)
            )
        return result.distinct()

    def for_age(self, age: int) -> ServiceQuerySet:
        """Services open to someone of `age`, and those whose age range is not
        stated (shown as such, never as "all ages")."""
        return self.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )

    def for_display(self) -> ServiceQuerySet:
        return self.select_related("organization").prefetch_related(
            "taxonomy_terms",
            "contacts",
            "schedules",
            "service_at_locations__location",
        )


class SafeHavenQuerySet(models.QuerySet["SafeHaven"]):
    def approved(self) -> SafeHavenQuerySet:
        return self.filter(status="approved")

    def in_borough(self, gss_code: str) -> SafeHavenQuerySet:
        return self.filter(borough_id=gss_code)


_SafeHavenManager = models.Manager.from_queryset(SafeHavenQuerySet)


class PublicSafeHavenManager(_SafeHavenManager):
    def get_queryset(self) -> SafeHavenQuerySet:  # type: ignore[override] # the stubs leave the dynamic base's model type unbound
        return SafeHavenQuerySet(self.model, using=self._db).approved()


@dataclass(frozen=True)
class ServiceHit:
    service: Service
    distance_km: float | None  # to its nearest location; None: no place searched
    location: Location | None  # that nearest location


def bounding_box(
    lat: float, lng: float, km: float
) -> tuple[float, float, float, float]:
    """(south, north, west, east) around a point, a little wider than `km`."""
    dlat = km / 110.574
    dlng = km / (111.320 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def find_services(
    *,
    need: str = "",
    point: tuple[float, float] | None = None,
    radius_km: float = 5.0,
    age: int | None = None,
    limit: int | None = None,
) -> list[ServiceHit]:
    """Listed services for a need, near a point and open to an age.

    With a point, services with a location within `radius_km` come first,
    nearest first; services with no location at all (a phone line, a website)
    follow, as they serve anywhere. Without one, by name.
    """
    from ourlondon.support.models import Service

    services = Service.objects.listed()
    if need.strip():
        services = services.for_need(need)
    if age is not None:
        services = services.for_age(age)
    if point is None:
        found = services.for_display().order_by("name")
        if limit is not None:
            found = found[:limit]
        return [ServiceHit(s, None, None) for s in found]
    lat, lng = point
    south, north, west, east = bounding_box(lat, lng, radius_km)
    nearby = services.filter(
        service_at_locations__location__lat__range=(south, north),
        service_at_locations__location__lng__range=(west, east),
    ).distinct()
    hits: list[ServiceHit] = []
    for service in nearby.for_display():
        best: tuple[float, Location] | None = None
        for link in service.service_at_locations.all():
            place = link.location
            if place.lat is None or place.lng is None:
                continue
            km = haversine_km(lat, lng, place.lat, place.lng)
            if km <= radius_km and (best is None or km < best[0]):
                best = (km, place)
        if best is not None:
            hits.append(ServiceHit(service, best[0], best[1]))
    hits.sort(key=lambda h: (h.distance_km, h.service.name))
    if limit is None or len(hits) < limit:
        remote = services.filter(service_at_locations__isnull=True).for_display()
        hits += [ServiceHit(s, None, None) for s in remote.order_by("name")]
    return hits if limit is None else hits[:limit]
