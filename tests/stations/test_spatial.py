"""The nearest-station index answers exactly what a brute-force scan does, on both databases."""

from __future__ import annotations

import random

import pytest

from gigunion.stations.geo import distance_m
from gigunion.stations.models import SERVICE_BITS, Merchant, Service, Station, StationKind, StationStatus
from gigunion.stations.spatial import nearest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _stations(cast: Cast, count: int, seed: int) -> list[Station]:
    rng = random.Random(seed)
    stations = []
    for index in range(count):
        # Around 贵阳 (26.6, 106.7), a few far away in 乌鲁木齐 and 三亚.
        if index % 50 == 0:
            lat, lng = rng.choice([(43.8, 87.6), (18.25, 109.5)])
        else:
            lat, lng = 26.6 + rng.uniform(-0.3, 0.3), 106.7 + rng.uniform(-0.3, 0.3)
        stations.append(
            Station(
                code=f"s{index}",
                name=f"站点{index}",
                kind=StationKind.OUTDOOR_STATION,
                region_id="520102",
                organization=cast.district,
                lat=round(lat, 6),
                lng=round(lng, 6),
                services=rng.choice([0, SERVICE_BITS[Service.CHARGING], SERVICE_BITS[Service.TOILET] | 1]),
                all_day=rng.random() < 0.2,
                status=rng.choice([StationStatus.OPEN] * 4 + [StationStatus.PAUSED, StationStatus.CLOSED]),
            )
        )
    Station.objects.bulk_create(stations)
    return list(Station.objects.all())


def _brute(
    stations: list[Station], lat: float, lng: float, limit: int, services: int = 0, all_day: bool = False
) -> list[int]:
    candidates = [
        (distance_m(lat, lng, s.lat, s.lng), s.pk)
        for s in stations
        if s.status == StationStatus.OPEN and (s.services & services) == services and (s.all_day or not all_day)
    ]
    return [pk for _d, pk in sorted(candidates)[:limit]]


def test_nearest_matches_brute_force(cast: Cast) -> None:
    stations = _stations(cast, 600, seed=7)
    rng = random.Random(11)
    for _query in range(40):
        lat, lng = 26.6 + rng.uniform(-0.5, 0.5), 106.7 + rng.uniform(-0.5, 0.5)
        for services, all_day in ((0, False), (SERVICE_BITS[Service.CHARGING], False), (0, True)):
            found = nearest("station", lat=lat, lng=lng, limit=10, services=services, all_day=all_day)
            assert [near.id for near in found] == _brute(stations, lat, lng, 10, services, all_day)
            assert found[0].distance_m == pytest.approx(
                distance_m(lat, lng, *Station.objects.values_list("lat", "lng").get(pk=found[0].id))
            )


def test_far_away_points_reach_the_whole_country(cast: Cast) -> None:
    stations = _stations(cast, 200, seed=3)
    # From Harbin the nearest open stations are hundreds of kilometres away: the search keeps widening.
    found = nearest("station", lat=45.75, lng=126.65, limit=5)
    assert [near.id for near in found] == _brute(stations, 45.75, 126.65, 5)
    assert found[0].distance_m > 1_000_000


def test_status_changes_move_stations_in_and_out_of_the_index(cast: Cast) -> None:
    station = Station.objects.create(
        code="x1",
        name="河滨驿站",
        kind=StationKind.OUTDOOR_STATION,
        region_id="520102",
        organization=cast.district,
        lat=26.57,
        lng=106.71,
    )
    assert [near.id for near in nearest("station", lat=26.57, lng=106.71, limit=3)] == [station.pk]
    station.status = StationStatus.PAUSED
    station.save()
    assert nearest("station", lat=26.57, lng=106.71, limit=3) == []
    station.status = StationStatus.OPEN
    station.lat = 26.58
    station.save()
    found = nearest("station", lat=26.57, lng=106.71, limit=3)
    assert [near.id for near in found] == [station.pk]
    assert round(found[0].distance_m) == round(distance_m(26.57, 106.71, 26.58, 106.71)) == 1112
    station.delete()
    assert nearest("station", lat=26.57, lng=106.71, limit=3) == []


def test_within_limits_the_distance(cast: Cast) -> None:
    stations = _stations(cast, 300, seed=5)
    found = nearest("station", lat=26.6, lng=106.7, limit=50, within_m=8_000)
    expected = [
        pk for pk in _brute(stations, 26.6, 106.7, 300) if distance_m(26.6, 106.7, *_position(stations, pk)) <= 8_000
    ]
    assert len(expected) == 11
    assert [near.id for near in found] == expected


def _position(stations: list[Station], pk: int) -> tuple[float, float]:
    station = next(s for s in stations if s.pk == pk)
    return station.lat, station.lng


def test_merchants_are_indexed_while_active(cast: Cast) -> None:
    merchant = Merchant.objects.create(
        code="m1",
        name="老王面馆",
        region_id="520102",
        organization=cast.district,
        lat=26.58,
        lng=106.72,
        desk_secret="d1",
    )
    assert [near.id for near in nearest("merchant", lat=26.58, lng=106.72, limit=5)] == [merchant.pk]
    merchant.is_active = False
    merchant.save()
    assert nearest("merchant", lat=26.58, lng=106.72, limit=5) == []


def test_stations_sharing_a_spot_are_taken_in_id_order(cast: Cast) -> None:
    # Eight stations in one building, imported with the same coordinates: the first three by id, on
    # both databases (PostgreSQL fetches past the tie).
    Station.objects.bulk_create(
        Station(
            code=f"t{index}",
            name=f"同楼站点{index}",
            kind=StationKind.OUTDOOR_STATION,
            region_id="520102",
            organization=cast.district,
            lat=26.5783,
            lng=106.7135,
        )
        for index in range(8)
    )
    ids = sorted(Station.objects.values_list("pk", flat=True))
    found = nearest("station", lat=26.58, lng=106.72, limit=3)
    assert [near.id for near in found] == ids[:3]
