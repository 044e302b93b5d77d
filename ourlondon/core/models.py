"""London's 33 local authority areas and the postcode table used to place things."""

from __future__ import annotations

from django.db import models


class Borough(models.Model):
    """A London local authority area: the 32 boroughs and the City of London."""

    gss_code = models.CharField("GSS code", max_length=9, primary_key=True)
    name = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    inner_london = models.BooleanField(default=False)
    sub_region = models.CharField(max_length=16, blank=True)
    hectares = models.FloatField(null=True, blank=True)
    # A point guaranteed inside the outline, for labels and "centre of borough".
    label_lat = models.FloatField()
    label_lng = models.FloatField()
    # GeoJSON geometry (WGS84). Stored as JSON so the same schema runs on SQLite and
    # PostgreSQL; containment is computed with shapely (see core/geography.py).
    outline = models.JSONField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PostcodeDistrict(models.Model):
    """An outcode (e.g. SE15) that holds at least one London postcode.

    Lets a lookup tell "not a London postcode" (outcode unknown here) from "no such
    postcode" (a London outcode, but the full postcode is not in the table).
    """

    outcode = models.CharField(max_length=4, primary_key=True)
    lat = models.FloatField()
    lng = models.FloatField()
    # The borough holding most of its postcodes; a plain code, not a foreign key,
    # because border districts can be mostly outside London.
    la_code = models.CharField(max_length=9)

    def __str__(self) -> str:
        return self.outcode


class Postcode(models.Model):
    """A live London postcode with its point (OS Code-Point Open)."""

    postcode = models.CharField(max_length=8, primary_key=True)
    lat = models.FloatField()
    lng = models.FloatField()
    borough = models.ForeignKey(Borough, on_delete=models.CASCADE, related_name="+")
    ward_code = models.CharField(max_length=9, blank=True)
    # Code-Point positional quality: 10 = within a building of the postcode's
    # addresses; 20-60 progressively coarser.
    quality = models.PositiveSmallIntegerField(default=10)

    class Meta:
        # `nearest_postcode` reads a narrow band of latitude.
        indexes = [models.Index(fields=["lat", "lng"], name="core_postcode_lat_lng")]

    def __str__(self) -> str:
        return self.postcode
