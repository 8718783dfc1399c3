"""Planning the 15-minute circle: travel radius, exact coverage on the sphere, greedy site suggestions, and
the demand of an area from hotspots, members and the worker ledger (placed at region points)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.members.models import JoinSource, Membership, MembershipStatus
from gigunion.members.services import member_join
from gigunion.orgs.access import jurisdiction_of
from gigunion.regions.models import Region
from gigunion.stations import planning
from gigunion.stations.geo import EARTH_RADIUS_M, distance_m, gcj02_to_wgs84
from gigunion.stations.models import Hotspot, RegionPoint, Station, StationKind, StationStatus
from gigunion.stations.planning import (
    ChildRow,
    Demand,
    DemandPoint,
    Site,
    Unplaced,
    circle_analysis,
    coverage,
    demand_for_region,
    region_point_set,
    suggest_sites,
    travel_radius_m,
)
from tests.conftest import Cast
from tests.ledger.test_reconciliation import build_ledger
from tests.people import Members, id_with_check, worker

STATION = (26.5800, 106.7100)  # 南明区, 贵阳
WULICHONG = "520102001"  # 五里冲街道, the first street of 南明区
XIAOCHEHE = "520102002"  # 小车河街道


def north(lat: float, lng: float, metres: float) -> tuple[float, float]:
    """The point `metres` due north along the meridian (the haversine inverse)."""
    return lat + math.degrees(metres / EARTH_RADIUS_M), lng


def east(lat: float, lng: float, metres: float) -> tuple[float, float]:
    """The point `metres` away at the same latitude, to the east: sin²(d/2R) = cos²φ · sin²(Δλ/2)."""
    half = math.asin(math.sin(metres / (2 * EARTH_RADIUS_M)) / math.cos(math.radians(lat)))
    return lat, lng + math.degrees(2 * half)


def demand(points: list[tuple[float, float]], weights: list[float]) -> Demand:
    return Demand(
        lat=np.array([p[0] for p in points]), lng=np.array([p[1] for p in points]), weight=np.array(weights, float)
    )


def stations(*points: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([p[0] for p in points], dtype=float), np.array([p[1] for p in points], dtype=float)


# Travel radius ------------------------------------------------------------------------------------


def test_walking_15_minutes_with_the_usual_detour_reaches_1000_metres() -> None:
    assert travel_radius_m() == 1000.0
    assert travel_radius_m(minutes=15, mode="walk", detour=1.2) == 1000.0
    assert travel_radius_m(minutes=15, mode="ebike", detour=1.2) == 3125.0
    assert travel_radius_m(minutes=10, mode="walk", detour=1.0) == 800.0
    assert travel_radius_m(minutes=30, mode="ebike", detour=1.5) == 5000.0


@pytest.mark.parametrize(
    ("minutes", "mode", "detour", "message"),
    [
        (15, "bus", 1.2, "unknown travel mode 'bus'"),
        (15, "walk", 0.9, "the detour factor >= 1"),
        (-1, "walk", 1.2, "minutes must be >= 0"),
    ],
)
def test_an_unknown_mode_a_detour_below_1_or_negative_minutes_are_refused(
    minutes: float, mode: str, detour: float, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        travel_radius_m(minutes=minutes, mode=mode, detour=detour)


# Coverage -----------------------------------------------------------------------------------------


def test_the_offsets_of_the_tests_are_at_the_distances_they_claim() -> None:
    assert distance_m(*STATION, *north(*STATION, 999.0)) == pytest.approx(999.0, abs=1e-6)
    assert distance_m(*STATION, *north(*STATION, 1001.0)) == pytest.approx(1001.0, abs=1e-6)
    assert distance_m(*STATION, *east(*STATION, 999.9)) == pytest.approx(999.9, abs=1e-6)
    assert distance_m(*STATION, *east(*STATION, 1000.1)) == pytest.approx(1000.1, abs=1e-6)


def test_points_just_inside_1000_metres_are_covered_and_points_just_outside_are_not() -> None:
    points = [
        north(*STATION, 999.0),
        north(*STATION, 1001.0),
        east(*STATION, 999.9),
        east(*STATION, 1000.1),
        north(*STATION, -999.9),
        STATION,
    ]
    result = coverage(demand(points, [3, 5, 2, 7, 4, 1]), *stations(STATION), 1000.0)

    assert result.covered.tolist() == [True, False, True, False, True, True]
    assert result.total_weight == 22.0
    assert result.covered_weight == 10.0
    assert result.share == 10 / 22


def test_a_point_counts_once_whichever_of_several_stations_reaches_it() -> None:
    second = north(*STATION, 1500.0)
    points = [north(*STATION, 700.0), north(*STATION, 2400.0), north(*STATION, 2600.0)]
    result = coverage(demand(points, [10, 20, 30]), *stations(STATION, second), 1000.0)

    assert result.covered.tolist() == [True, True, False]
    assert (result.covered_weight, result.total_weight, result.share) == (30.0, 60.0, 0.5)


def test_no_stations_cover_nothing_and_no_demand_is_a_share_of_0_of_0() -> None:
    none = coverage(demand([STATION], [4]), *stations(), 1000.0)
    assert (none.total_weight, none.covered_weight, none.share, none.covered.tolist()) == (4.0, 0.0, 0.0, [False])

    empty = coverage(demand([], []), *stations(STATION), 1000.0)
    assert (empty.total_weight, empty.covered_weight, empty.share, empty.covered.tolist()) == (0.0, 0.0, 0.0, [])


def test_coverage_is_the_brute_force_haversine_answer_on_scattered_points() -> None:
    rng = np.random.default_rng(20260101)
    lat = 26.58 + rng.uniform(-0.1, 0.1, 2000)
    lng = 106.71 + rng.uniform(-0.1, 0.1, 2000)
    station_lat = 26.58 + rng.uniform(-0.1, 0.1, 60)
    station_lng = 106.71 + rng.uniform(-0.1, 0.1, 60)
    result = coverage(Demand(lat=lat, lng=lng, weight=np.ones(2000)), station_lat, station_lng, 1000.0)

    expected = [
        any(distance_m(a, b, c, d) <= 1000.0 for c, d in zip(station_lat, station_lng, strict=True))
        for a, b in zip(lat, lng, strict=True)
    ]
    assert result.covered.tolist() == expected
    assert 0 < sum(expected) < 2000


# Suggestions ----------------------------------------------------------------------------------------


def clusters() -> tuple[Demand, tuple[np.ndarray, np.ndarray]]:
    """Three uncovered clusters 20 km apart (30, 16 and 5 workers) and 49 workers at a station: 100 in all."""
    a = (26.50, 106.60)
    b = (26.68, 106.60)
    c = (26.50, 106.80)
    points = [a, north(*a, 80.0), east(*a, 90.0), b, north(*b, 300.0), c, STATION]
    return demand(points, [10, 10, 10, 8, 8, 5, 49]), stations(STATION)


def test_the_greedy_takes_the_heaviest_cluster_first_and_stops_when_nothing_is_left() -> None:
    points, (station_lat, station_lng) = clusters()

    sites = suggest_sites(points, station_lat, station_lng, 1000.0, 5)

    assert sites == [
        Site(lat=26.50, lng=106.60, gain=30.0, cumulative_share=0.79),
        Site(lat=26.68, lng=106.60, gain=16.0, cumulative_share=0.95),
        Site(lat=26.50, lng=106.80, gain=5.0, cumulative_share=1.0),
    ]


def test_k_limits_the_suggestions_and_k_0_suggests_nothing() -> None:
    points, (station_lat, station_lng) = clusters()

    assert [site.gain for site in suggest_sites(points, station_lat, station_lng, 1000.0, 2)] == [30.0, 16.0]
    assert suggest_sites(points, station_lat, station_lng, 1000.0, 0) == []


def test_the_site_in_the_middle_reaches_both_ends() -> None:
    line = [STATION, north(*STATION, 900.0), north(*STATION, 1800.0)]

    sites = suggest_sites(demand(line, [1, 1, 1]), *stations(), 1000.0, 3)

    assert sites == [Site(lat=line[1][0], lng=line[1][1], gain=3.0, cumulative_share=1.0)]


def test_no_demand_or_everything_covered_suggests_nothing() -> None:
    assert suggest_sites(demand([], []), *stations(), 1000.0, 3) == []
    assert suggest_sites(demand([north(*STATION, 10.0)], [6]), *stations(STATION), 1000.0, 3) == []


def plain_greedy(points: Demand, radius_m: float, k: int) -> list[tuple[int, float]]:
    """The textbook greedy by brute force: every gain recomputed at every step, ties to the lower index."""
    n = len(points.weight)
    within = [
        [distance_m(points.lat[i], points.lng[i], points.lat[j], points.lng[j]) <= radius_m for j in range(n)]
        for i in range(n)
    ]
    left = list(points.weight)
    picks: list[tuple[int, float]] = []
    for _step in range(k):
        gains = [sum(left[j] for j in range(n) if within[i][j]) for i in range(n)]
        best = max(range(n), key=lambda i: (gains[i], -i))
        if gains[best] <= 0:
            break
        picks.append((best, gains[best]))
        left = [0.0 if within[best][j] else left[j] for j in range(n)]
    return picks


def test_the_lazy_greedy_makes_the_plain_greedys_choices() -> None:
    rng = np.random.default_rng(7)
    points = Demand(
        lat=26.58 + rng.uniform(-0.03, 0.03, 300),
        lng=106.71 + rng.uniform(-0.03, 0.03, 300),
        weight=rng.integers(1, 4, 300).astype(float),
    )

    sites = suggest_sites(points, *stations(), 1000.0, 8)

    expected = plain_greedy(points, 1000.0, 8)
    assert [(site.lat, site.lng, site.gain) for site in sites] == [
        (points.lat[i], points.lng[i], gain) for i, gain in expected
    ]
    total = float(points.weight.sum())
    assert [site.cumulative_share for site in sites] == [
        sum(gain for _i, gain in expected[: n + 1]) / total for n in range(len(expected))
    ]


def test_with_many_points_the_cells_choose_and_the_real_points_are_recounted(monkeypatch: Any) -> None:
    monkeypatch.setattr(planning, "EXACT_CANDIDATES", 0)  # as if there were too many points to be exact
    points, (station_lat, station_lng) = clusters()

    sites = suggest_sites(points, station_lat, station_lng, 1000.0, 5)

    assert [(site.gain, site.cumulative_share) for site in sites] == [(30.0, 0.79), (16.0, 0.95), (5.0, 1.0)]
    assert distance_m(sites[0].lat, sites[0].lng, 26.50, 106.60) < 100
    assert distance_m(sites[1].lat, sites[1].lng, 26.68, 106.60) < 300


# Demand of an area ------------------------------------------------------------------------------------


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def set_point(code: str, lat: float, lng: float) -> None:
    RegionPoint.objects.update_or_create(region_id=code, defaults={"lat": lat, "lng": lng})


@pytest.mark.django_db
def test_hotspots_are_demand_weighted_by_their_workers(cast: Cast) -> None:
    Hotspot.objects.create(
        organization=cast.district, region_id=WULICHONG, name="花果园", lat=26.56, lng=106.68, weight=120
    )
    Hotspot.objects.create(organization=cast.district, region_id="520102", name="南明物流园", lat=26.5, lng=106.7)
    Hotspot.objects.create(organization=cast.other_district, region_id="520103", name="云岩商圈", lat=26.6, lng=106.7)

    placed = demand_for_region(region("520102"), "hotspots")

    assert placed.points == [
        DemandPoint(label="南明物流园", region_code="520102", lat=26.5, lng=106.7, weight=1),
        DemandPoint(label="花果园", region_code=WULICHONG, lat=26.56, lng=106.68, weight=120),
    ]
    assert placed.unplaced == []
    assert placed.demand.weight.tolist() == [1.0, 120.0]
    assert placed.demand.labels == ["南明物流园", "花果园"]


@pytest.mark.django_db
def test_members_are_counted_by_work_region_and_reported_when_no_point_places_them(members: Members) -> None:
    placed = demand_for_region(region("520102"), "members")

    assert placed.points == []
    assert placed.unplaced == [Unplaced(region_code="520102", name="南明区", count=1)]
    assert placed.unplaced_count == 1


@pytest.mark.django_db
def test_people_go_to_their_regions_point_or_the_nearest_ancestors_never_above_the_area(members: Members) -> None:
    for number, street in enumerate((WULICHONG, WULICHONG, XIAOCHEHE), start=1):
        member_join(
            data=worker(
                id_number=id_with_check(f"52010220000101{number}01"), phone=f"1370000010{number}", work_region=street
            ),
            source=JoinSource.QR,
            phone_verified=True,
        )
    set_point(WULICHONG, 26.55, 106.69)
    set_point("520100", 26.65, 106.63)  # the city's point: above 南明区, so not used for it

    district = demand_for_region(region("520102"), "members")
    assert district.points == [
        DemandPoint(label="五里冲街道", region_code=WULICHONG, lat=26.55, lng=106.69, weight=2, placed_at=WULICHONG)
    ]
    assert district.unplaced == [
        Unplaced(region_code="520102", name="南明区", count=1),
        Unplaced(region_code=XIAOCHEHE, name="小车河街道", count=1),
    ]

    set_point("520102", 26.57, 106.72)
    district = demand_for_region(region("520102"), "members")
    assert [(p.region_code, p.placed_at, p.weight) for p in district.points] == [
        ("520102", "520102", 1),
        (WULICHONG, WULICHONG, 2),
        (XIAOCHEHE, "520102", 1),
    ]
    assert district.unplaced == []

    city = demand_for_region(region("520100"), "members")  # 马建国 in 云岩区 falls back to the city's point
    assert [(p.region_code, p.placed_at, p.weight) for p in city.points] == [
        ("520102", "520102", 1),
        (WULICHONG, WULICHONG, 2),
        (XIAOCHEHE, "520102", 1),
        ("520103", "520100", 1),
    ]


@pytest.mark.django_db
def test_only_current_members_count(members: Members) -> None:
    set_point("520102", 26.57, 106.72)
    Membership.objects.filter(pk=members.rider_membership.pk).update(status=MembershipStatus.LAPSED)

    placed = demand_for_region(region("520102"), "members")

    assert placed.points == []
    assert placed.unplaced == []


@pytest.mark.django_db
def test_workers_at_work_in_the_ledger_are_counted_by_work_region(cast: Cast, members: Members) -> None:
    build_ledger(cast, members)  # active in 南明区: 陈小军 and 王小明; 张伟 moved to 云岩区; 赵强 is not at work
    set_point("520100", 26.65, 106.63)

    district = demand_for_region(region("520102"), "workers")
    city = demand_for_region(region("520100"), "workers")

    assert district.points == []
    assert district.unplaced == [Unplaced(region_code="520102", name="南明区", count=2)]
    assert [(p.region_code, p.placed_at, p.weight) for p in city.points] == [
        ("520102", "520100", 2),
        ("520103", "520100", 3),
    ]


# The analysis of an area ------------------------------------------------------------------------------


def station(cast: Cast, name: str, code: str, point: tuple[float, float], status: str = StationStatus.OPEN) -> Station:
    return Station.objects.create(
        code=f"S{Station.objects.count():03d}",
        name=name,
        kind=StationKind.OUTDOOR_STATION,
        region_id=code,
        organization=cast.district,
        lat=point[0],
        lng=point[1],
        status=status,
    )


@pytest.mark.django_db
def test_the_analysis_uses_neighbouring_stations_within_reach_and_adds_up_by_street(cast: Cast) -> None:
    spot = (26.56, 106.68)
    Hotspot.objects.create(
        organization=cast.district, region_id=WULICHONG, name="花果园", lat=spot[0], lng=spot[1], weight=60
    )
    far = north(*spot, 5000.0)
    Hotspot.objects.create(
        organization=cast.district, region_id=XIAOCHEHE, name="小车河湿地", lat=far[0], lng=far[1], weight=30
    )
    Hotspot.objects.create(
        organization=cast.district, region_id="520102", name="南明区政务中心", lat=26.6, lng=106.8, weight=10
    )
    neighbour = station(cast, "云岩驿站", "520103001", north(*spot, 600.0))
    station(cast, "云岩远站", "520103002", north(*spot, 2500.0))
    station(cast, "南明驿站", XIAOCHEHE, (26.3, 106.9))
    open_places = [north(*spot, 600.0), north(*spot, 2500.0), (26.3, 106.9)]
    station(cast, "停用驿站", WULICHONG, spot, status=StationStatus.CLOSED)

    analysis = circle_analysis(region=region("520102"), source="hotspots", k=3)

    assert analysis.radius_m == 1000.0
    assert [(s.name, s.inside) for s in analysis.stations] == [("南明驿站", True), ("云岩驿站", False)]
    assert analysis.stations[1].id == neighbour.pk
    assert (analysis.covered, analysis.total, analysis.result.share) == (60, 100, 0.6)
    rows = {row.region_code: row for row in analysis.rows}
    assert rows[WULICHONG] == ChildRow(region_code=WULICHONG, name="五里冲街道", demand=60, covered=60)
    assert rows[XIAOCHEHE] == ChildRow(region_code=XIAOCHEHE, name="小车河街道", demand=30, covered=0)
    assert rows[""] == ChildRow(region_code="", name="南明区", demand=10, covered=0)
    assert rows["520102003"].share is None
    assert len(analysis.rows) == Region.objects.filter(parent_id="520102", is_current=True).count() + 1
    assert [(u.point.label, round(u.nearest_station_m or 0)) for u in analysis.uncovered] == [
        # The nearest open station anywhere, not only among those the analysis uses: 云岩远站, 2,500 m south.
        ("小车河湿地", 2500),
        ("南明区政务中心", round(min(distance_m(26.6, 106.8, *p) for p in open_places))),
    ]
    assert [(s.gain, s.cumulative_share) for s in analysis.sites] == [(30.0, 0.9), (10.0, 1.0)]


@pytest.mark.django_db
def test_an_area_with_no_demand_has_a_share_of_0_of_0_and_no_suggestions(cast: Cast) -> None:
    analysis = circle_analysis(region=region("520102"), source="hotspots", mode="ebike", minutes=10, detour=1.0)

    assert (analysis.radius_m, analysis.total, analysis.covered, analysis.result.share) == (2500.0, 0, 0, 0.0)
    assert analysis.uncovered == []
    assert analysis.sites == []


# Setting a region's point -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_region_point_is_checked_converted_and_stored(cast: Cast) -> None:
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None

    point, checked = region_point_set(
        jurisdiction=jurisdiction, actor=cast.district_staff.user, region_code=WULICHONG, lat="26.55", lng="106.69"
    )
    assert checked.ok
    assert (point.region_id, point.lat, point.lng, point.updated_by) == (
        WULICHONG,
        26.55,
        106.69,
        cast.district_staff.user,
    )

    _point, swapped = region_point_set(
        jurisdiction=jurisdiction, actor=None, region_code=WULICHONG, lat="106.69", lng="26.55"
    )
    assert swapped.errors == {
        "lat": "Latitude 106.69 and longitude 26.55 look swapped: in China latitude is 4–54 and longitude 73–135."
    }
    assert RegionPoint.objects.get(region_id=WULICHONG).lat == 26.55  # nothing changed

    gcj, checked = region_point_set(
        jurisdiction=jurisdiction, actor=None, region_code=XIAOCHEHE, lat="26.55", lng="106.69", crs="GCJ02"
    )
    assert checked.ok
    wgs = gcj02_to_wgs84(26.55, 106.69)
    assert (gcj.lat, gcj.lng) == (round(wgs[0], 7), round(wgs[1], 7))
    assert 100 < distance_m(gcj.lat, gcj.lng, 26.55, 106.69) < 800  # the GCJ-02 offset in 贵阳


@pytest.mark.django_db
def test_a_viewer_may_not_set_a_point_nor_anyone_outside_their_jurisdiction(cast: Cast) -> None:
    viewer = jurisdiction_of(cast.district_viewer.user)
    other = jurisdiction_of(cast.other_district_staff.user)
    assert viewer is not None
    assert other is not None

    with pytest.raises(NotAllowed):
        region_point_set(jurisdiction=viewer, actor=None, region_code=WULICHONG, lat="26.55", lng="106.69")
    with pytest.raises(DomainError, match="outside your jurisdiction"):
        region_point_set(jurisdiction=other, actor=None, region_code=WULICHONG, lat="26.55", lng="106.69")
    assert not RegionPoint.objects.exists()
