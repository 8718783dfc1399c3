"""The nearest-station benchmark's data, its brute-force baseline and the index agree (bench/stations.py).

`make bench` aborts when spatial.nearest differs from the brute force on any of its 1,000 points; these
tests hold the same check on a small slice of its data on both databases, plus the edge the R*Tree's
32-bit coordinates once hid: a station just inside the search circle where the circle touches its box.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench import stations as bench
from gigunion.stations.geo import bounding_box, distance_m
from gigunion.stations.models import Station, StationKind
from gigunion.stations.spatial import FIRST_RADIUS_M, nearest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_station_rows_are_seeded_and_spread_like_the_real_ones() -> None:
    rows = bench.station_rows(3000)
    assert rows == bench.station_rows(3000)
    statuses = Counter(row.status for row in rows)
    assert statuses == {"open": 2725, "paused": 173, "closed": 102}
    # Most stations are in the 60 cities (their prefecture's code), the rest in a province at large.
    in_cities = sum(row.region in {city[3] for city in bench.CITIES} for row in rows)
    assert in_cities == 2720
    assert all(3.8 <= row.lat <= 53.6 and 73.4 <= row.lng <= 135.1 for row in rows)
    same_place = Counter((row.lat, row.lng) for row in rows)
    assert sum(count for count in same_place.values() if count > 1) == 70


def test_index_and_brute_force_agree_on_the_bench_data(cast: Cast) -> None:
    rows = bench.station_rows(3000)
    bench.load_stations(rows)
    assert Station.objects.filter(code__startswith=bench.CODE_PREFIX).count() == 3000
    brute = bench.BruteForce()
    assert len(brute) == 2725
    # The query points, and the places where two stations share coordinates (ties, broken by id).
    shared = [place for place, count in Counter((row.lat, row.lng) for row in rows).items() if count > 1]
    points = bench.query_points(150) + shared[:20]
    expected = [brute.nearest(lat, lng) for lat, lng in points]
    bench.verify_nearest(brute, points, expected)  # raises SystemExit on any difference
    ties = [len({d for d, _pk in answer}) < len(answer) for answer in expected]
    assert (sum(ties[:150]), sum(ties[150:])) == (17, 18)  # two shared places have one station closed
    # The brute force itself against a plain scan of every open station.
    for (lat, lng), answer in zip(points[:20], expected[:20], strict=True):
        scan = sorted(
            (distance_m(lat, lng, s.lat, s.lng), s.pk) for s in Station.objects.filter(status="open").only("lat", "lng")
        )
        assert answer == scan[:10]


def test_loading_again_replaces_the_bench_stations(cast: Cast) -> None:
    bench.load_stations(bench.station_rows(200))
    bench.load_stations(bench.station_rows(300))
    assert Station.objects.filter(code__startswith=bench.CODE_PREFIX).count() == 300
    assert len(bench.BruteForce()) == 276


def test_a_station_where_the_circle_touches_its_box_is_found(cast: Cast) -> None:
    """The R*Tree keeps 32-bit floats rounded outward, so a point a hair inside the first search circle, due south,
    is stored just outside the circle's box; the search must pad its box, or it answers a farther station."""
    lat, lng = 26.647123, 106.630456
    box = bounding_box(lat, lng, FIRST_RADIUS_M)
    south = box.min_lat + 1e-9  # 0.1 mm inside the circle
    assert distance_m(lat, lng, south, lng) < FIRST_RADIUS_M
    # North-east, where the circle is far from its box: 1,499.99995 m, between the south station and the radius.
    target = (distance_m(lat, lng, south, lng) + FIRST_RADIUS_M) / 2
    low, high = 0.0, 0.02
    for _step in range(80):
        step = (low + high) / 2
        low, high = (step, high) if distance_m(lat, lng, lat + step, lng + step) < target else (low, step)
    places = {
        "近": (lat + 0.0005, lng),  # 56 m
        "南": (south, lng),  # 1,499.9999 m, on the box's edge
        "东北": (lat + low, lng + low),
    }
    made = {
        name: Station.objects.create(
            code=f"edge{index}",
            name=f"{name}驿站",
            kind=StationKind.OUTDOOR_STATION,
            region_id="520102",
            organization=cast.district,
            lat=place[0],
            lng=place[1],
        )
        for index, (name, place) in enumerate(places.items())
    }
    south_m = distance_m(lat, lng, *places["南"])
    north_east_m = distance_m(lat, lng, *places["东北"])
    assert south_m < north_east_m < FIRST_RADIUS_M
    found = nearest("station", lat=lat, lng=lng, limit=2)
    assert [near.id for near in found] == [made["近"].pk, made["南"].pk]


def test_compare_reports_sqlite_against_postgis_once_both_are_measured() -> None:
    def figure(name: str, value: float, unit: str, baseline: str, baseline_value: float) -> bench.Result:
        return {"name": name, "value": value, "baseline_value": baseline_value, "ratio": value / baseline_value}

    sqlite = {"name": "nearest10_200k_sqlite", "value": 0.0003}
    postgis = {"name": "nearest10_200k_postgis", "value": 0.0006}
    assert bench.compare([sqlite], figure) == []
    assert bench.compare([postgis], figure) == []
    [combined] = bench.compare([sqlite, postgis], figure)
    assert (combined["name"], combined["value"], combined["baseline_value"], combined["ratio"]) == (
        "nearest10_sqlite_vs_postgis",
        0.0003,
        0.0006,
        0.5,
    )
    assert bench.targets() == {
        "nearest10_200k_sqlite": ("value", 0.001),
        "nearest10_sqlite_vs_postgis": ("ratio", 1.5),
        "stations_nearby_http": ("value", 0.010),
    }
