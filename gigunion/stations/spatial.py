"""Nearest open stations and active merchants, exactly, through the database's spatial index (ADR 0009).

SQLite searches its R*Tree in a box around the point, keeps what lies within the box's inscribed
circle and widens the circle (×4) until it holds enough: then nothing outside can be nearer.
PostgreSQL walks the earthdistance GiST index in chord-distance order (the great-circle order).
Distances are haversine metres; ties are broken by id, like the brute-force scan in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import connection

from gigunion.stations.geo import bounding_box, distance_m

Layer = Literal["station", "merchant"]
FIRST_RADIUS_M = 1_500.0
WIDEN = 4.0
HALF_EARTH_M = 20_040_000.0
TIE_M = 1e-6  # distances closer than a micrometre are the same place
# The R*Tree stores 32-bit floats rounded outward (up to 1.5e-5 degrees off at longitude 135): the box it is
# asked for is padded by more than that, or a station a hair inside the circle could fall outside the box.
RTREE_PAD_DEGREES = 1e-4


@dataclass(frozen=True)
class Near:
    id: int
    distance_m: float


def nearest(
    layer: Layer,
    *,
    lat: float,
    lng: float,
    limit: int,
    services: int = 0,
    all_day: bool = False,
    within_m: float | None = None,
) -> list[Near]:
    """The `limit` nearest open stations (or active merchants) that offer every service in the mask `services`
    (and are open 24 hours when `all_day`), nearest first; only those within `within_m` when given."""
    if limit <= 0:
        return []
    if connection.vendor == "postgresql":
        found = _nearest_postgres(layer, lat, lng, limit, services, all_day)
    else:
        found = _nearest_sqlite(layer, lat, lng, limit, services, all_day, within_m)
    if within_m is not None:
        found = [near for near in found if near.distance_m <= within_m]
    return found


def _nearest_sqlite(
    layer: Layer, lat: float, lng: float, limit: int, services: int, all_day: bool, within_m: float | None
) -> list[Near]:
    table = f"stations_{layer}_rtree"
    sql = (
        f"SELECT id, lat, lng FROM {table} "  # noqa: S608 - the table name is one of two constants
        "WHERE min_lat >= %s AND max_lat <= %s AND min_lng >= %s AND max_lng <= %s"
    )
    extra: list[int] = []
    if services:
        sql += " AND (services & %s) = %s"
        extra += [services, services]
    if all_day:
        sql += " AND all_day = 1"
    radius = FIRST_RADIUS_M if within_m is None else min(FIRST_RADIUS_M, within_m)
    with connection.cursor() as cursor:
        while True:
            box = bounding_box(lat, lng, radius)
            pad = RTREE_PAD_DEGREES
            cursor.execute(sql, [box.min_lat - pad, box.max_lat + pad, box.min_lng - pad, box.max_lng + pad, *extra])
            candidates = [Near(row[0], distance_m(lat, lng, row[1], row[2])) for row in cursor.fetchall()]
            inside = [near for near in candidates if near.distance_m <= radius]
            done = len(inside) >= limit or radius >= HALF_EARTH_M or (within_m is not None and radius >= within_m)
            if done:
                inside.sort(key=lambda near: (near.distance_m, near.id))
                return inside[:limit]
            radius = min(radius * WIDEN, HALF_EARTH_M)
            if within_m is not None:
                radius = min(radius, within_m)


def _nearest_postgres(layer: Layer, lat: float, lng: float, limit: int, services: int, all_day: bool) -> list[Near]:
    if layer == "station":
        where = "status = 'open'"
        if services:
            where += " AND (services & %(services)s) = %(services)s"
        if all_day:
            where += " AND all_day"
        table = "stations_station"
    else:
        where, table = "is_active", "stations_merchant"
    # The index walks in chord order, which is the great-circle order; ties (stations sharing a spot) are
    # broken by id like the brute-force scan, so keep fetching while a tie may run past the last row.
    sql = (
        f"SELECT id, lat, lng FROM {table} WHERE {where} "  # noqa: S608 - constants only
        "ORDER BY ll_to_earth(lat, lng) <-> ll_to_earth(%(lat)s, %(lng)s) LIMIT %(fetch)s"
    )
    fetch = limit + 4
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, {"lat": lat, "lng": lng, "services": services, "fetch": fetch})
            rows = cursor.fetchall()
            found = [Near(row[0], distance_m(lat, lng, row[1], row[2])) for row in rows]
            found.sort(key=lambda near: (near.distance_m, near.id))
            if len(rows) < fetch or len(found) <= limit or found[-1].distance_m > found[limit - 1].distance_m + TIE_M:
                break
            fetch *= 4
    return found[:limit]
