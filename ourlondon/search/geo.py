"""Small, exact geometry helpers shared by both backends and the reference."""

from __future__ import annotations

import math

from ourlondon.core.geography import haversine_km

CELL_ZOOM = 18
# Degrees of latitude per km; longitude is scaled by cos(latitude).
_KM_PER_DEG_LAT = 111.32
# Pad boxes so a 32-bit float R*Tree or rounding can never drop a true match; the
# exact haversine test after the box decides.
_BOX_PAD_DEG = 1e-4

__all__ = ["haversine_km", "bounding_box", "tile_xy", "tile_centre", "morton"]


def morton(x: int, y: int, bits: int = CELL_ZOOM) -> int:
    """Interleave the bits of x and y (x in the odd positions)."""
    code = 0
    for i in range(bits):
        code |= ((x >> i) & 1) << (2 * i + 1) | ((y >> i) & 1) << (2 * i)
    return code


def bounding_box(
    lat: float, lng: float, radius_km: float
) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle, slightly padded."""
    dlat = radius_km / _KM_PER_DEG_LAT
    coslat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    dlng = radius_km / (_KM_PER_DEG_LAT * coslat)
    pad = _BOX_PAD_DEG
    return (lat - dlat - pad, lat + dlat + pad, lng - dlng - pad, lng + dlng + pad)


def tile_xy(lat: float, lng: float, zoom: int = CELL_ZOOM) -> tuple[int, int]:
    """Web-mercator (slippy map) tile containing the point at `zoom`."""
    n = 1 << zoom
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = int((lng + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_centre(x: float, y: float, zoom: int) -> tuple[float, float]:
    """(lat, lng) of a fractional tile coordinate at `zoom`."""
    n = 1 << zoom
    lng = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lat, lng
