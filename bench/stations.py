"""The nearest-station benchmarks (issue 7): the spatial index among 200,000 stations, and the public endpoint.

Data: ``BENCH_STATIONS`` stations (default 200,000; seeded) spread like the real ones: dense in 60
Chinese cities (each a downtown and sub-centres, a few stations sharing a building's coordinates),
sparse elsewhere inside China; about 10% paused or closed; the 5+X services mixed. Queries:
``BENCH_STATION_QUERIES`` points (default 1,000), mostly in the cities, some rural.

Figures, on the current database:

* ``nearest10_200k_sqlite`` (``..._postgres`` on PostgreSQL): the median seconds of
  ``stations.spatial.nearest("station", limit=10)`` in process, against a brute-force scan (numpy
  haversine over every open station, argpartition, exact re-sort) on the same points. Before any
  timing every answer is checked against the brute force (the same ids in the same order, ties by
  id); a single difference aborts the benchmark. Target on SQLite: under 1 ms.
* ``stations_nearby_http`` (``..._postgres``): the median of ``GET /m/api/stations/nearby?lat=..&lng=..&limit=10``
  over real HTTP (Django's threaded WSGI server in a background thread, DEBUG off, one keep-alive
  connection), against the in-process median above. Target: under 10 ms.
* On PostgreSQL, when the PostGIS extension can be created (``scripts/install-bench-packages.sh``
  installs it for ``make bench``): ``nearest10_200k_postgis``, a geography KNN on a copy of the
  open stations (GiST index, ``ORDER BY geog <-> point LIMIT 10``), measured the same way, and
  ``nearest10_geometry4326_wrong_postgis``: how many of the answers a geometry-4326 KNN (planar
  degrees) gets wrong, out of the queries checked (the ratio is the share).
* ``nearest10_sqlite_vs_postgis`` (``compare``): the SQLite median against the PostGIS median, once
  both runs are in bench/results.json. Target: at most 1.5x.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction

Result = dict[str, Any]
Figure = Callable[[str, float, str, str, float], Result]
Point = tuple[float, float]

STATIONS = int(os.environ.get("BENCH_STATIONS", "200000"))
QUERIES = int(os.environ.get("BENCH_STATION_QUERIES", "1000"))
HTTP_REQUESTS = int(os.environ.get("BENCH_HTTP_REQUESTS", "500"))
LIMIT = 10
SEED = 20240707  # the stations' (and their cities' sub-centres')
TIMING_PASSES = 3  # the best of three medians: a noisy neighbour on a shared machine slows one pass, not all
CODE_PREFIX = "BENCH"
ORGANIZATION_NAME = "基准站点总工会"

# (name, WGS-84 latitude, longitude, division code, weight): 60 cities where most stations are.
# Municipalities carry their province-level code; the others their prefecture's.
CITIES: list[tuple[str, float, float, str, int]] = [
    ("北京", 39.904, 116.407, "110000", 10),
    ("上海", 31.230, 121.474, "310000", 10),
    ("广州", 23.129, 113.264, "440100", 8),
    ("深圳", 22.543, 114.058, "440300", 8),
    ("重庆", 29.563, 106.551, "500000", 7),
    ("成都", 30.573, 104.066, "510100", 7),
    ("杭州", 30.274, 120.155, "330100", 6),
    ("武汉", 30.593, 114.305, "420100", 6),
    ("天津", 39.084, 117.201, "120000", 5),
    ("西安", 34.341, 108.940, "610100", 5),
    ("南京", 32.060, 118.797, "320100", 5),
    ("郑州", 34.747, 113.625, "410100", 5),
    ("苏州", 31.299, 120.585, "320500", 4),
    ("长沙", 28.228, 112.939, "430100", 4),
    ("东莞", 23.021, 113.752, "441900", 4),
    ("沈阳", 41.806, 123.432, "210100", 3),
    ("青岛", 36.067, 120.383, "370200", 3),
    ("合肥", 31.821, 117.227, "340100", 3),
    ("佛山", 23.022, 113.122, "440600", 3),
    ("济南", 36.651, 117.120, "370100", 3),
    ("宁波", 29.868, 121.544, "330200", 3),
    ("昆明", 25.039, 102.718, "530100", 3),
    ("哈尔滨", 45.803, 126.535, "230100", 3),
    ("贵阳", 26.647, 106.630, "520100", 3),
    ("福州", 26.074, 119.296, "350100", 2),
    ("厦门", 24.480, 118.089, "350200", 2),
    ("大连", 38.914, 121.615, "210200", 2),
    ("石家庄", 38.042, 114.514, "130100", 2),
    ("南宁", 22.817, 108.366, "450100", 2),
    ("长春", 43.817, 125.324, "220100", 2),
    ("南昌", 28.682, 115.858, "360100", 2),
    ("太原", 37.871, 112.549, "140100", 2),
    ("无锡", 31.491, 120.312, "320200", 2),
    ("温州", 27.994, 120.699, "330300", 2),
    ("泉州", 24.874, 118.676, "350500", 1),
    ("乌鲁木齐", 43.825, 87.617, "650100", 1),
    ("兰州", 36.061, 103.834, "620100", 1),
    ("呼和浩特", 40.842, 111.749, "150100", 1),
    ("海口", 20.044, 110.199, "460100", 1),
    ("三亚", 18.253, 109.512, "460200", 1),
    ("银川", 38.487, 106.231, "640100", 1),
    ("西宁", 36.617, 101.778, "630100", 1),
    ("拉萨", 29.652, 91.172, "540100", 1),
    ("徐州", 34.205, 117.285, "320300", 1),
    ("常州", 31.811, 119.974, "320400", 1),
    ("南通", 31.980, 120.894, "320600", 1),
    ("烟台", 37.464, 121.448, "370600", 1),
    ("潍坊", 36.707, 119.162, "370700", 1),
    ("临沂", 35.105, 118.356, "371300", 1),
    ("唐山", 39.631, 118.180, "130200", 1),
    ("洛阳", 34.620, 112.454, "410300", 1),
    ("绍兴", 30.000, 120.582, "330600", 1),
    ("嘉兴", 30.746, 120.756, "330400", 1),
    ("金华", 29.079, 119.647, "330700", 1),
    ("惠州", 23.112, 114.416, "441300", 1),
    ("中山", 22.517, 113.393, "442000", 1),
    ("珠海", 22.271, 113.577, "440400", 1),
    ("遵义", 27.725, 106.927, "520300", 1),
    ("柳州", 24.326, 109.416, "450200", 1),
    ("芜湖", 31.353, 118.433, "340200", 1),
]
RURAL_SHARE = 0.12  # stations outside the cities: along roads, in county towns
RURAL_QUERY_SHARE = 0.15
SAME_BUILDING_SHARE = 0.01  # stations at exactly the coordinates of another (two stations in one mall)
_KM_PER_DEGREE = 111.195
_SUB_CENTRES = 10
_HOURS = [
    ("08:00-20:00", [[480, 1200]]),
    ("09:00-21:00", [[540, 1260]]),
    ("07:30-19:30", [[450, 1170]]),
    ("08:00-12:00、14:00-18:00", [[480, 720], [840, 1080]]),
    ("20:00-08:00", [[1200, 480]]),
]
_KINDS = [("outdoor_station", 6), ("driver_home", 1), ("caring_station", 2), ("health_station", 1)]
# The share of stations offering each service beyond the five core ones (each core one: 90%).
_EXTRA_SERVICES = {
    "food_heating": 0.45,
    "toilet": 0.55,
    "ebike_charging": 0.25,
    "wifi": 0.5,
    "repair": 0.2,
    "umbrella": 0.3,
    "shower": 0.05,
    "laundry": 0.05,
    "parking": 0.15,
    "legal_aid": 0.1,
    "health_check": 0.1,
}


@dataclass(frozen=True)
class StationRow:
    lat: float
    lng: float
    region: str
    city: str
    status: str
    services: int
    all_day: bool
    hours: int  # an index into _HOURS (unused when all_day)
    kind: str


def _label(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def _say(message: str) -> None:
    print(f"  stations: {message}", file=sys.stderr, flush=True)


class _Places:
    """Seeded points: around a city's downtown and sub-centres, or anywhere inside China."""

    def __init__(self, rng: random.Random) -> None:
        from gigunion.stations.geo import in_china

        self.rng = rng
        self.in_china = in_china
        self.weights = [city[4] for city in CITIES]
        self.centres: list[list[Point]] = []
        self.spread_km: list[float] = []
        for _name, lat, lng, _code, weight in CITIES:
            spread = 6.0 + 3.0 * math.sqrt(weight)  # 北京's stations reach ~15 km from the centre, a small city's ~9
            centres = [(lat, lng)] * 3  # downtown weighs three sub-centres
            centres += [self._offset(lat, lng, spread) for _ in range(_SUB_CENTRES)]
            self.centres.append(centres)
            self.spread_km.append(spread)

    def _offset(self, lat: float, lng: float, sigma_km: float) -> Point:
        dlat = self.rng.gauss(0.0, sigma_km) / _KM_PER_DEGREE
        dlng = self.rng.gauss(0.0, sigma_km) / (_KM_PER_DEGREE * math.cos(math.radians(lat)))
        return lat + dlat, lng + dlng

    def city(self) -> int:
        return self.rng.choices(range(len(CITIES)), weights=self.weights)[0]

    def in_city(self, city: int) -> Point:
        lat, lng = self.rng.choice(self.centres[city])
        return self._offset(lat, lng, self.spread_km[city] / 4)

    def rural(self, city: int) -> Point:
        _name, lat, lng, _code, _weight = CITIES[city]
        while True:
            point = self._offset(lat, lng, 180.0)
            if self.in_china(*point):
                return point


def station_rows(count: int = STATIONS, seed: int = SEED) -> list[StationRow]:
    """`count` stations, deterministic for a seed (coordinates rounded to 6 decimals, as an import stores them)."""
    from gigunion.stations.models import CORE_SERVICES, SERVICE_BITS, Service

    rng = random.Random(seed)
    places = _Places(rng)
    kinds, kind_weights = zip(*_KINDS, strict=True)
    rows: list[StationRow] = []
    for _index in range(count):
        city = places.city()
        name, _lat, _lng, code, _weight = CITIES[city]
        pick = rng.random()
        if pick < RURAL_SHARE:
            lat, lng = places.rural(city)
            region = code[:2] + "0000"  # the province's
        elif pick < RURAL_SHARE + SAME_BUILDING_SHARE and rows:
            other = rows[rng.randrange(len(rows))]
            lat, lng, region, name = other.lat, other.lng, other.region, other.city
        else:
            lat, lng = places.in_city(city)
            region = code
        services = 0
        for service in CORE_SERVICES:
            if rng.random() < 0.9:
                services |= SERVICE_BITS[service]
        for key, share in _EXTRA_SERVICES.items():
            if rng.random() < share:
                services |= SERVICE_BITS[Service(key)]
        state = rng.random()
        status = "paused" if state < 0.06 else "closed" if state < 0.10 else "open"
        rows.append(
            StationRow(
                lat=round(lat, 6),
                lng=round(lng, 6),
                region=region,
                city=name,
                status=status,
                services=services,
                all_day=rng.random() < 0.15,
                hours=rng.randrange(len(_HOURS)),
                kind=rng.choices(kinds, weights=kind_weights)[0],
            )
        )
    return rows


def query_points(count: int = QUERIES, seed: int = 20240708) -> list[Point]:
    """Where riders ask from: mostly in the cities (as the stations are), some on rural roads."""
    rng = random.Random(seed)
    places = _Places(random.Random(SEED))  # the same sub-centres as the stations'
    places.rng = rng
    points = []
    for _index in range(count):
        city = places.city()
        lat, lng = places.rural(city) if rng.random() < RURAL_QUERY_SHARE else places.in_city(city)
        points.append((round(lat, 6), round(lng, 6)))
    return points


def bench_organization() -> Any:
    """The union the benchmark's stations belong to (created once)."""
    from gigunion.orgs.models import OrganizationType, UnionOrganization
    from gigunion.orgs.services import organization_create

    found = UnionOrganization.objects.filter(name=ORGANIZATION_NAME, parent=None).first()
    return found or organization_create(
        name=ORGANIZATION_NAME, organization_type=OrganizationType.NATIONAL_FEDERATION, region=None
    )


def load_stations(rows: Sequence[StationRow], batch: int = 20_000) -> None:
    """Insert the stations with executemany in batches; the database's triggers (SQLite) or index (PostgreSQL)
    keep the spatial index, as for any other write.

    Not bulk_create: on SQLite Django splits it into INSERTs of ~50 rows (999 variables), which takes
    40 s for 200,000 stations; one prepared INSERT run per row takes a fraction of that, and COPY on
    PostgreSQL a fraction of an executemany. A re-run first removes the stations an earlier run left
    (their codes start with CODE_PREFIX).
    """
    from django.utils import timezone

    from gigunion.regions.models import Region
    from gigunion.stations.models import Station

    regions = {row.region for row in rows}
    found = set(Region.objects.filter(code__in=regions).values_list("code", flat=True))
    assert found == regions, f"division codes missing from the region table: {sorted(regions - found)}"
    organization = bench_organization()
    fields = {field.name: field for field in Station._meta.concrete_fields}
    now = fields["created_at"].get_db_prep_save(timezone.now(), connection)
    ranges_field = fields["hours_ranges"]
    all_day_ranges = ranges_field.get_db_prep_save([], connection)
    hours = [(text, ranges_field.get_db_prep_save(ranges, connection)) for text, ranges in _HOURS]
    columns = [
        "code",
        "checkin_secret",
        "name",
        "kind",
        "host",
        "region_id",
        "organization_id",
        "address",
        "lat",
        "lng",
        "contact_name",
        "contact_phone",
        "created_at",
        "updated_at",
        "hours_text",
        "all_day",
        "hours_ranges",
        "services",
        "status",
    ]
    sql = (
        f"INSERT INTO {Station._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - constants only
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with transaction.atomic():
        Station.objects.filter(code__startswith=CODE_PREFIX).delete()
        with connection.cursor() as cursor:
            for start in range(0, len(rows), batch):
                values = []
                for index, row in enumerate(rows[start : start + batch], start=start):
                    hours_text, ranges = ("24小时", all_day_ranges) if row.all_day else hours[row.hours]
                    values.append(
                        (
                            f"{CODE_PREFIX}{index:07d}",
                            f"{CODE_PREFIX}checkin{index:07d}",
                            f"{row.city}基准驿站{index}号",
                            row.kind,
                            "",
                            row.region,
                            organization.pk,
                            "",
                            row.lat,
                            row.lng,
                            "",
                            "",
                            now,
                            now,
                            hours_text,
                            row.all_day,
                            ranges,
                            row.services,
                            row.status,
                        )
                    )
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(  # psycopg 3's COPY, under Django's cursor wrapper
                        f"COPY {Station._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                    ) as copy:
                        for value in values:
                            copy.write_row(value)
                else:
                    cursor.executemany(sql, values)
    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum gathers them a minute after a big import: without
        # them it guesses a handful of open stations and sorts them all instead of walking the index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Station._meta.db_table}")


class BruteForce:
    """The exact answer by scanning every open station: numpy haversine, argpartition, then an exact re-sort.

    The numpy pass narrows 200,000 stations to the few whose distance is within a hair of the tenth
    smallest (so floating-point differences and ties cannot drop one); those are re-measured with
    stations.geo.distance_m and sorted by (distance, id), the order spatial.nearest promises.
    """

    def __init__(self) -> None:
        from gigunion.stations.models import Station, StationStatus

        rows = list(Station.objects.filter(status=StationStatus.OPEN).values_list("id", "lat", "lng"))
        self.ids = np.array([row[0] for row in rows], dtype=np.int64)
        self.lat = np.array([row[1] for row in rows], dtype=np.float64)
        self.lng = np.array([row[2] for row in rows], dtype=np.float64)
        self.phi = np.radians(self.lat)
        self.cos_phi = np.cos(self.phi)
        self.lam = np.radians(self.lng)

    def __len__(self) -> int:
        return len(self.ids)

    def nearest(self, lat: float, lng: float, limit: int = LIMIT) -> list[tuple[float, int]]:
        """(distance in metres, id) of the `limit` nearest open stations, nearest first, ties by id."""
        from gigunion.stations.geo import distance_m

        phi, lam = math.radians(lat), math.radians(lng)
        h = np.sin((self.phi - phi) / 2) ** 2 + math.cos(phi) * self.cos_phi * np.sin((self.lam - lam) / 2) ** 2
        if len(h) > limit:
            kth = h[np.argpartition(h, limit - 1)[limit - 1]]
            candidates = np.flatnonzero(h <= kth * (1 + 1e-9) + 1e-18)
        else:
            candidates = np.arange(len(h))
        found = sorted(
            (distance_m(lat, lng, float(self.lat[i]), float(self.lng[i])), int(self.ids[i])) for i in candidates
        )
        return found[:limit]


def _median_seconds(function: Callable[[float, float], object], points: Sequence[Point], passes: int) -> float:
    """The lowest, over `passes` passes, of the median seconds of one call per point."""
    medians = []
    for _pass in range(passes):
        timings = []
        for lat, lng in points:
            start = time.perf_counter()
            function(lat, lng)
            timings.append(time.perf_counter() - start)
        medians.append(statistics.median(timings))
    return min(medians)


def verify_nearest(brute: BruteForce, points: Sequence[Point], expected: Sequence[list[tuple[float, int]]]) -> None:
    """Abort unless spatial.nearest answers exactly the brute force's ids, in order, for every point."""
    from gigunion.stations.spatial import nearest

    wrong = []
    for (lat, lng), exact in zip(points, expected, strict=True):
        found = nearest("station", lat=lat, lng=lng, limit=LIMIT)
        if [near.id for near in found] != [pk for _d, pk in exact]:
            wrong.append(((lat, lng), [(round(n.distance_m, 3), n.id) for n in found], exact))
    if wrong:
        point, found_ids, exact = wrong[0]
        raise SystemExit(
            f"stations: spatial.nearest is NOT exact on {connection.vendor}: {len(wrong)} of {len(points)} answers "
            f"differ from the brute-force scan over {len(brute):,} open stations; first at {point}:\n"
            f"  index: {found_ids}\n  brute: {[(round(d, 3), pk) for d, pk in exact]}"
        )


def _misses(answer: Sequence[int], exact: Sequence[tuple[float, int]], where: dict[int, Point], point: Point) -> int:
    """How many stations of another engine's answer are not among the exact nearest (farther than the exact
    answer's last one; a station tied with it counts as right, whichever the engine picked)."""
    from gigunion.stations.geo import distance_m

    farthest = exact[-1][0] + 0.001 if exact else 0.0
    return sum(distance_m(*point, *where[pk]) > farthest for pk in answer) + max(0, len(exact) - len(answer))


@contextmanager
def _postgis_copy(open_stations: int) -> Iterator[bool]:
    """Copies of the open stations with a geography and a geometry-4326 column, GiST-indexed (PostGIS only).

    Yields False (and leaves nothing behind) when the extension cannot be created.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except Exception as error:  # any refusal (not installed, no rights) means: skip the comparison
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:160]
        _say(f"PostGIS comparison skipped: the postgis extension cannot be created ({reason})")
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_station_geog, bench_station_geom")
        cursor.execute(
            "CREATE TABLE bench_station_geog AS SELECT id, ST_MakePoint(lng, lat)::geography AS geog "
            "FROM stations_station WHERE status = 'open'"
        )
        cursor.execute(
            "CREATE TABLE bench_station_geom AS SELECT id, ST_SetSRID(ST_MakePoint(lng, lat), 4326) AS geom "
            "FROM stations_station WHERE status = 'open'"
        )
        cursor.execute("CREATE INDEX bench_station_geog_gist ON bench_station_geog USING gist (geog)")
        cursor.execute("CREATE INDEX bench_station_geom_gist ON bench_station_geom USING gist (geom)")
        cursor.execute("ANALYZE bench_station_geog")
        cursor.execute("ANALYZE bench_station_geom")
        cursor.execute("SELECT count(*) FROM bench_station_geog")
        (copied,) = cursor.fetchone()
    assert copied == open_stations, (copied, open_stations)
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_station_geog, bench_station_geom")


def bench_postgis(
    figure: Figure,
    brute: BruteForce,
    points: Sequence[Point],
    expected: Sequence[list[tuple[float, int]]],
    brute_median: float,
) -> list[Result]:
    """The PostGIS geography KNN median on the same data and points, and the geometry-4326 KNN's wrong answers.

    Measured like spatial.nearest: through Django's cursor, one query per point, the best of three medians.
    PostGIS returns the ids only (spatial.nearest also returns each distance), which favours PostGIS.
    """
    where = {int(pk): (float(lat), float(lng)) for pk, lat, lng in zip(brute.ids, brute.lat, brute.lng, strict=True)}
    label = _label(STATIONS)
    results: list[Result] = []
    with _postgis_copy(len(brute)) as available:
        if not available:
            return results
        geography_sql = "SELECT id FROM bench_station_geog ORDER BY geog <-> ST_MakePoint(%s, %s)::geography LIMIT %s"
        geometry_sql = (
            "SELECT id FROM bench_station_geom ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {geography_sql}", [106.63, 26.647, LIMIT])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "bench_station_geog_gist" in plan, plan  # a KNN index scan, not a sort of every row

            def geography(lat: float, lng: float) -> list[int]:
                cursor.execute(geography_sql, [lng, lat, LIMIT])
                return [row[0] for row in cursor.fetchall()]

            def geometry(lat: float, lng: float) -> list[int]:
                cursor.execute(geometry_sql, [lng, lat, LIMIT])
                return [row[0] for row in cursor.fetchall()]

            geography_misses = [
                _misses(geography(*point), exact, where, point) for point, exact in zip(points, expected, strict=True)
            ]
            geometry_misses = [
                _misses(geometry(*point), exact, where, point) for point, exact in zip(points, expected, strict=True)
            ]
            answers = len(points) * LIMIT
            geometry_wrong = sum(geometry_misses)
            _say(
                f"PostGIS geography KNN: {sum(geography_misses)} of {answers:,} stations answered are not among the "
                f"exact nearest {LIMIT}; geometry-4326 KNN: {geometry_wrong} ({geometry_wrong / answers:.1%}), and "
                f"{sum(1 for miss in geometry_misses if miss)} of its {len(points)} answers hold at least one"
            )
            postgis = _median_seconds(geography, points, TIMING_PASSES)
        _say(f"PostGIS geography KNN: median {postgis * 1000:.3f} ms")
        results.append(
            figure(
                f"nearest10_{label}_postgis",
                postgis,
                "s",
                f"brute force: numpy haversine over all {len(brute):,} open stations + argpartition, exact re-sort",
                brute_median,
            )
        )
        results.append(
            figure(
                "nearest10_geometry4326_wrong_postgis",
                geometry_wrong,
                "stations",
                f"stations answered by a geometry-4326 GiST KNN ({LIMIT} for each of the {len(points)} points): the "
                "wrong ones are not among the exact nearest, as planar degrees are not distances (spatial.nearest "
                "and the geography KNN answer none wrong)",
                len(points) * LIMIT,
            )
        )
    return results


def _request_handler() -> type:
    """Django's WSGIRequestHandler, quiet (no log line per request) and with Nagle's algorithm off.

    wsgiref writes a response's headers and its body in two sends; with Nagle on, the body then waits
    for the client's delayed ACK of the headers (40 ms on Linux) on a keep-alive connection. Servers
    in front of the application (nginx's tcp_nodelay is on by default, gunicorn and uWSGI behind it)
    do not pay that wait, so the benchmark does not measure it either.
    """
    from django.core.servers.basehttp import WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return QuietHandler


def bench_http(
    figure: Figure, points: Sequence[Point], expected: Sequence[list[tuple[float, int]]], in_process: float, suffix: str
) -> list[Result]:
    """The public nearby endpoint's median over real HTTP: a threaded WSGI server, one keep-alive connection.

    Baseline: the in-process spatial.nearest median on the same data. The endpoint does that search
    and then reads the stations, works out open-now and writes JSON; the ratio is what the whole
    request (HTTP parsing, the middleware stack, the view, the JSON) costs for each unit of the search.
    The server runs with the settings as configured: with GIGUNION_DB_CONN_MAX_AGE at its default (0)
    every request opens its own database connection (~3 ms on SQLite, more on PostgreSQL).
    """
    from django.conf import settings
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.core.wsgi import get_wsgi_application
    from django.test.utils import override_settings
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("mobile:stations_nearby_api")
    except NoReverseMatch:
        _say("stations_nearby_http skipped: no URL named mobile:stations_nearby_api")
        return []
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
    hosts = ["127.0.0.1", "localhost"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        server = ThreadedWSGIServer(("127.0.0.1", 0), _request_handler(), allow_reuse_address=False)
        server.set_app(get_wsgi_application())
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        client = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
        try:

            def get(lat: float, lng: float) -> list[dict[str, Any]]:
                client.request("GET", f"{path}?lat={lat}&lng={lng}&limit={LIMIT}")
                response = client.getresponse()
                body = response.read()
                assert response.status == 200, (response.status, body[:300])
                assert response.getheader("Connection", "").lower() != "close", "the server closed the connection"
                answer: list[dict[str, Any]] = json.loads(body)["stations"]
                return answer

            # Warm up (templates, translations, the connection) and check the answers against the exact ones.
            for point, exact in list(zip(points, expected, strict=True))[:50]:
                answer = get(*point)
                got = [(station["id"], station["distance_m"]) for station in answer]
                assert got == [(pk, round(d)) for d, pk in exact], (point, got, exact)
            timings = []
            for index in range(HTTP_REQUESTS):
                lat, lng = points[index % len(points)]
                start = time.perf_counter()
                get(lat, lng)
                timings.append(time.perf_counter() - start)
        finally:
            client.close()
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    median = statistics.median(timings)
    _say(f"stations_nearby_http: median {median * 1000:.2f} ms over {HTTP_REQUESTS} requests")
    return [
        figure(
            f"stations_nearby_http{suffix}",
            median,
            "s",
            "in-process spatial.nearest(limit=10) median on the same data and points (the search the endpoint "
            "wraps: the ratio is the cost of the whole HTTP request per unit of search)",
            in_process,
        )
    ]


def bench_stations(figure: Figure, suffix: str = "") -> list[Result]:
    """The stations figures on the current database (run after migrate and regions_load)."""
    from gigunion.stations.spatial import nearest

    label = _label(STATIONS)
    database = "sqlite" if connection.vendor == "sqlite" else "postgres"
    start = time.perf_counter()
    rows = station_rows()
    load_stations(rows)
    brute = BruteForce()
    _say(
        f"{len(rows):,} stations ({len(brute):,} open) inserted in {time.perf_counter() - start:.1f} s on "
        f"{connection.vendor}"
    )
    points = query_points()
    timings = []
    expected = []
    for lat, lng in points:
        began = time.perf_counter()
        expected.append(brute.nearest(lat, lng))
        timings.append(time.perf_counter() - began)
    brute_median = statistics.median(timings)
    verify_nearest(brute, points, expected)
    _say(f"spatial.nearest: all {len(points)} answers equal the brute force's")

    def ours(lat: float, lng: float) -> None:
        nearest("station", lat=lat, lng=lng, limit=LIMIT)

    in_process = _median_seconds(ours, points, TIMING_PASSES)
    _say(f"spatial.nearest: median {in_process * 1000:.3f} ms; brute force {brute_median * 1000:.2f} ms")
    results = [
        figure(
            f"nearest10_{label}_{database}",
            in_process,
            "s",
            f"brute force: numpy haversine over all {len(brute):,} open stations + argpartition, exact re-sort "
            "(the same answers, checked for every point)",
            brute_median,
        )
    ]
    if connection.vendor == "postgresql":
        results += bench_postgis(figure, brute, points, expected, brute_median)
    results += bench_http(figure, points, expected, in_process, suffix)
    return results


def compare(results: Sequence[Result], figure: Figure) -> list[Result]:
    """The SQLite median against the PostGIS one (measured in the PostgreSQL run), when both are present."""
    label = _label(STATIONS)
    by_name = {result["name"]: result for result in results}
    sqlite, postgis = by_name.get(f"nearest10_{label}_sqlite"), by_name.get(f"nearest10_{label}_postgis")
    if sqlite is None or postgis is None:
        return []
    return [
        figure(
            "nearest10_sqlite_vs_postgis",
            sqlite["value"],
            "s",
            f"PostGIS geography KNN (GiST, ORDER BY geog <-> point LIMIT 10) on the same {label} stations and query "
            "points, through Django's cursor (make bench's PostgreSQL run)",
            postgis["value"],
        )
    ]


def targets() -> dict[str, tuple[str, float]]:
    """Issue 7's targets: nearest 10 under 1 ms on SQLite and within 1.5x PostGIS; the endpoint under 10 ms."""
    label = _label(STATIONS)
    return {
        f"nearest10_{label}_sqlite": ("value", 0.001),
        "nearest10_sqlite_vs_postgis": ("ratio", 1.5),
        "stations_nearby_http": ("value", 0.010),
    }
