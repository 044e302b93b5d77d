"""Loading London's boroughs and postcodes, and placing a point in a borough.

The loaders are idempotent (safe to re-run) and each runs in one transaction, so a
failed load leaves the previous data in place.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.text import slugify
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.prepared import prep

from ourlondon.core.models import Borough, Postcode, PostcodeDistrict
from ourlondon.core.postcodes import PostcodeError, normalise_postcode

DATA_DIR = Path(__file__).resolve().parent / "data"
BOROUGHS_GEOJSON = DATA_DIR / "london_boroughs.geojson"
BOROUGHS_CSV = DATA_DIR / "london_boroughs.csv"
POSTCODES_CSV = DATA_DIR / "london_postcodes.csv.gz"
DISTRICTS_CSV = DATA_DIR / "london_postcode_districts.csv"

EARTH_RADIUS_KM = 6371.0088
BATCH_SIZE = 5000


class GeographyDataError(ValueError):
    """A reference data file that cannot be loaded; the message names the problem."""


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


@transaction.atomic
def load_boroughs(
    *, geojson_path: Path = BOROUGHS_GEOJSON, csv_path: Path = BOROUGHS_CSV
) -> int:
    """Create or update the 33 London local authority areas. Returns the count."""
    with csv_path.open(encoding="utf-8", newline="") as f:
        labels = {row["gss_code"]: row for row in csv.DictReader(f)}
    features = json.loads(geojson_path.read_text(encoding="utf-8"))["features"]
    codes = set()
    for feature in features:
        props = feature["properties"]
        code = props["gss_code"]
        if not code.startswith("E09") or code not in labels:
            raise GeographyDataError(f"Unexpected borough code {code!r} in outlines")
        label = labels[code]
        Borough.objects.update_or_create(
            gss_code=code,
            defaults={
                "name": props["name"],
                "slug": slugify(props["name"]),
                "inner_london": str(props.get("inner_london")).lower() == "true",
                "sub_region": props.get("sub_region") or "",
                "hectares": props.get("hectares"),
                "label_lat": float(label["label_lat"]),
                "label_lng": float(label["label_lng"]),
                "outline": feature["geometry"],
            },
        )
        codes.add(code)
    if len(codes) != 33:
        raise GeographyDataError(f"Expected 33 London areas, found {len(codes)}")
    borough_index.cache_clear()
    return len(codes)


def _postcode_rows(
    reader: Iterable[dict[str, str]],
    *,
    boroughs: set[str],
    outcodes: set[str] | None,
) -> Iterator[Postcode]:
    for line, row in enumerate(reader, start=2):
        try:
            postcode = normalise_postcode(row["postcode"])
            lat, lng = float(row["lat"]), float(row["lng"])
        except (KeyError, TypeError, ValueError, PostcodeError) as exc:
            raise GeographyDataError(f"Postcode file line {line}: {exc}") from exc
        if outcodes is not None and postcode.split(" ")[0] not in outcodes:
            continue
        if row["la_code"] not in boroughs:
            continue  # only London is kept; the file may be a national one
        yield Postcode(
            postcode=postcode,
            lat=lat,
            lng=lng,
            borough_id=row["la_code"],
            ward_code=row.get("ward_code") or "",
            quality=int(row.get("quality") or 10),
        )


@transaction.atomic
def load_postcodes(
    *,
    path: Path = POSTCODES_CSV,
    districts_path: Path = DISTRICTS_CSV,
    outcodes: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace the postcode table from a CSV (optionally gzipped).

    `outcodes` limits the load to some districts (tests, small demos). `progress`
    is called with the number of rows written after each batch.
    """
    boroughs = set(Borough.objects.values_list("gss_code", flat=True))
    if not boroughs:
        raise GeographyDataError("Load the boroughs before the postcodes")
    wanted = {o.upper() for o in outcodes} if outcodes is not None else None
    Postcode.objects.all().delete()
    PostcodeDistrict.objects.all().delete()
    with districts_path.open(encoding="utf-8", newline="") as f:
        PostcodeDistrict.objects.bulk_create(
            PostcodeDistrict(
                outcode=row["outcode"],
                lat=float(row["lat"]),
                lng=float(row["lng"]),
                la_code=row["la_code"],
            )
            for row in csv.DictReader(f)
        )
    written = 0
    batch: list[Postcode] = []
    with _open_text(path) as f:
        for postcode in _postcode_rows(
            csv.DictReader(f), boroughs=boroughs, outcodes=wanted
        ):
            batch.append(postcode)
            if len(batch) >= BATCH_SIZE:
                Postcode.objects.bulk_create(batch)
                written += len(batch)
                batch.clear()
                if progress:
                    progress(written)
        if batch:
            Postcode.objects.bulk_create(batch)
            written += len(batch)
            if progress:
                progress(written)
    return written


class BoroughIndex:
    """Prepared borough outlines in an R-tree, for fast point-in-borough tests."""

    def __init__(self, outlines: list[tuple[str, dict[str, Any]]]) -> None:
        self.codes = [code for code, _ in outlines]
        geometries = [shape(geometry) for _, geometry in outlines]
        self.prepared = [prep(geometry) for geometry in geometries]
        self.tree = STRtree(geometries)

    def code_at(self, lat: float, lng: float) -> str | None:
        point = Point(lng, lat)  # GeoJSON order is (x=lng, y=lat)
        for index in self.tree.query(point):
            if self.prepared[int(index)].covers(point):
                return self.codes[int(index)]
        return None


@lru_cache(maxsize=1)
def borough_index() -> BoroughIndex:
    return BoroughIndex(list(Borough.objects.values_list("gss_code", "outline")))


def borough_code_at(lat: float, lng: float) -> str | None:
    """The GSS code of the London area containing the point, or None outside."""
    return borough_index().code_at(lat, lng)
