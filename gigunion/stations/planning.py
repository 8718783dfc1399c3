"""Planning the 15-minute service circle (15分钟服务圈): what share of demand lies within a travel time of an
open station, which demand is left out, and where K new stations would add the most (ADR 0009).

A travel time becomes a straight-line radius: speed × minutes ÷ a detour factor (streets are not straight;
walking 15 minutes at 80 m/min with a detour of 1.2 reaches 1 km). Distances are great-circle metres on
the same sphere as `stations.geo` (R = 6,371,008.8 m), computed exactly: points become 3-D unit vectors,
and "within r metres along the sphere" is "within the chord 2·sin(r / 2R)" in a cKDTree — no degree
boxes, no flat-earth shortcuts, so the answer is the brute-force haversine scan's.

Demand comes from hotspots (places with coordinates, weighted by workers), current members or the
reconciled worker ledger. People have no coordinates: they are counted by work region (GROUP BY) and put
at the region's point (`RegionPoint`), or else at its nearest ancestor's within the area analysed;
counts that cannot be placed are reported, never guessed.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.db.models.enums import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy.spatial import cKDTree  # type: ignore[import-untyped]

from gigunion.core.exceptions import NotAllowed
from gigunion.ledger.models import Worker
from gigunion.members.models import MEMBER_STATUSES, Membership
from gigunion.orgs.access import Jurisdiction
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_children, region_codes_upwards
from gigunion.stations.checks import Checked, check_coordinates
from gigunion.stations.geo import EARTH_RADIUS_M
from gigunion.stations.models import Hotspot, RegionPoint, Station, StationStatus
from gigunion.stations.services import region_in_jurisdiction
from gigunion.stations.spatial import nearest

NEAREST_FOR_UNCOVERED = 2_000  # uncovered points given the distance to the nearest open station
WALK_M_PER_MIN = 80
EBIKE_M_PER_MIN = 250
DEFAULT_DETOUR = 1.2
DEFAULT_MINUTES = 15


class TravelMode(TextChoices):
    WALK = "walk", gettext_lazy("Walking")
    EBIKE = "ebike", gettext_lazy("E-bike")


SPEED_M_PER_MIN = {TravelMode.WALK: WALK_M_PER_MIN, TravelMode.EBIKE: EBIKE_M_PER_MIN}


def travel_radius_m(*, minutes: float = DEFAULT_MINUTES, mode: str = "walk", detour: float = DEFAULT_DETOUR) -> float:
    """The straight-line radius reachable in `minutes`: speed × minutes ÷ detour (walking 15 min → 1000.0 m)."""
    if mode not in SPEED_M_PER_MIN:
        raise ValueError(f"unknown travel mode {mode!r}")
    if minutes < 0 or detour < 1:
        raise ValueError("minutes must be >= 0 and the detour factor >= 1")
    return SPEED_M_PER_MIN[TravelMode(mode)] * minutes / detour


# ---------------------------------------------------------------------------------------------
# Geometry on the sphere
# ---------------------------------------------------------------------------------------------


def unit_vectors(lat: Any, lng: Any) -> np.ndarray:
    """(n, 3) unit vectors of WGS-84 latitudes and longitudes in degrees."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lng, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_of(radius_m: float) -> float:
    """The straight 3-D distance between two unit vectors `radius_m` apart along the sphere."""
    return 2.0 * math.sin(min(max(radius_m, 0.0) / EARTH_RADIUS_M, math.pi) / 2.0)


def metres_of(chord: Any) -> Any:
    """Great-circle metres of chord lengths (the inverse of chord_of)."""
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.asarray(chord, dtype=np.float64) / 2.0))


def _lat_lng_of(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y, z = vectors[:, 0], vectors[:, 1], vectors[:, 2]
    return np.degrees(np.arctan2(z, np.hypot(x, y))), np.degrees(np.arctan2(y, x))


def _nearest_chord(tree: Any, points: np.ndarray, chord: float) -> np.ndarray:
    """The chord to each point's nearest tree point when it is within `chord`, else inf.

    cKDTree's upper bound is strict, so it is moved up by one ulp: the test itself is `<= chord`."""
    distance, _index = tree.query(points, k=1, distance_upper_bound=float(np.nextafter(chord, np.inf)))
    result: np.ndarray = np.where(distance <= chord, distance, np.inf)
    return result


# ---------------------------------------------------------------------------------------------
# Coverage and the greedy maximal covering
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """Demand points (WGS-84 degrees) with their weights (workers or members), optionally labelled."""

    lat: np.ndarray
    lng: np.ndarray
    weight: np.ndarray
    labels: list[str] | None = None

    def __len__(self) -> int:
        return len(self.weight)


@dataclass(frozen=True)
class CoverageResult:
    total_weight: float
    covered_weight: float
    share: float  # covered ÷ total; 0.0 when there is no demand at all (total_weight == 0: say so)
    covered: np.ndarray  # bool per demand point


def coverage(demand: Demand, station_lat: Any, station_lng: Any, radius_m: float) -> CoverageResult:
    """Which demand points lie within `radius_m` (great-circle, inclusive) of some station, and the weighted share."""
    weight = np.asarray(demand.weight, dtype=np.float64)
    total = float(weight.sum())
    station_count = len(np.asarray(station_lat))
    if len(weight) == 0 or station_count == 0:
        covered = np.zeros(len(weight), dtype=bool)
    else:
        tree = cKDTree(unit_vectors(station_lat, station_lng))
        covered = np.isfinite(_nearest_chord(tree, unit_vectors(demand.lat, demand.lng), chord_of(radius_m)))
    covered_weight = float(weight[covered].sum())
    return CoverageResult(
        total_weight=total,
        covered_weight=covered_weight,
        share=covered_weight / total if total > 0 else 0.0,
        covered=covered,
    )


@dataclass(frozen=True)
class Site:
    lat: float
    lng: float
    gain: float  # the demand weight this site adds to what is covered before it
    cumulative_share: float  # the share covered with the existing stations and every site up to this one


# The greedy is exact (candidates are the distinct uncovered points themselves) up to these sizes;
# beyond them the uncovered demand is summed into cells first (see suggest_sites).
EXACT_CANDIDATES = 20_000
MAX_PAIRS = 3_000_000
MAX_CELLS = 60_000
CELL_FRACTIONS = (8, 4, 2, 1)  # cell edge = radius ÷ these, tried in turn


@dataclass(frozen=True)
class _Nodes:
    vectors: np.ndarray  # (n, 3) unit vectors
    weight: np.ndarray
    first: np.ndarray | None  # the distinct demand points themselves: each node's first point; None for cells


def _distinct(vectors: np.ndarray, weight: np.ndarray) -> _Nodes:
    """Points at exactly the same place (e.g. members placed at one region point) become one, weights summed,
    in the order of their first appearance (so ties go to the earlier point, as in the plain greedy)."""
    _unique, first, inverse = np.unique(vectors, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    summed = np.bincount(rank[inverse.ravel()], weights=weight, minlength=len(order))
    return _Nodes(vectors[first[order]], summed, first=first[order])


def _cells(vectors: np.ndarray, weight: np.ndarray, edge_m: float) -> _Nodes:
    """The demand summed into cubes of `edge_m` of 3-D space (on the sphere: patches of about that size),
    each at its weighted centre pushed back onto the sphere. No projection, so no distortion anywhere."""
    edge = edge_m / EARTH_RADIUS_M
    keys = np.floor(vectors / edge).astype(np.int64)
    span = int(np.abs(keys).max()) + 1
    if span < 1 << 20:  # one int64 key per cube: much faster to sort than rows
        packed = ((keys[:, 0] + span) << 42) | ((keys[:, 1] + span) << 21) | (keys[:, 2] + span)
        _unique, inverse = np.unique(packed, return_inverse=True)
    else:
        _rows, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    count = int(inverse.max()) + 1
    cell_weight = np.bincount(inverse, weights=weight, minlength=count)
    summed = np.column_stack(
        [np.bincount(inverse, weights=weight * vectors[:, axis], minlength=count) for axis in range(3)]
    ).astype(np.float64)
    centre: np.ndarray = summed / np.linalg.norm(summed, axis=1)[:, None]
    return _Nodes(centre, cell_weight, first=None)


def _candidates(vectors: np.ndarray, weight: np.ndarray, radius_m: float, chord: float) -> tuple[_Nodes, Any]:
    """The nodes the greedy runs on, and their cKDTree (see suggest_sites)."""
    nodes = _distinct(vectors, weight)
    if len(nodes.weight) <= EXACT_CANDIDATES:
        tree = cKDTree(nodes.vectors)
        if int(tree.count_neighbors(tree, chord)) <= MAX_PAIRS:
            return nodes, tree
    for fraction in CELL_FRACTIONS:
        nodes = _cells(vectors, weight, radius_m / fraction)
        if len(nodes.weight) > MAX_CELLS and fraction != CELL_FRACTIONS[-1]:
            continue
        tree = cKDTree(nodes.vectors)
        if fraction == CELL_FRACTIONS[-1] or int(tree.count_neighbors(tree, chord)) <= MAX_PAIRS:
            break
    return nodes, tree


def _neighbours(tree: Any, count: int, chord: float) -> tuple[np.ndarray, np.ndarray]:
    """Compressed rows (indptr, indices): for each node, every node within `chord`, itself included."""
    pairs = tree.query_pairs(chord, output_type="ndarray")
    own = np.arange(count, dtype=np.int64)
    rows = np.concatenate((pairs[:, 0], pairs[:, 1], own))
    cols = np.concatenate((pairs[:, 1], pairs[:, 0], own))
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=count), out=indptr[1:])
    return indptr, cols[order]


def _lazy_greedy(weight: np.ndarray, indptr: np.ndarray, indices: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Greedy maximal covering, lazily: a candidate's gain only falls as others are chosen (submodular), so
    its last known gain bounds it; re-evaluate the top until it stays on top. Ties go to the lower index,
    exactly as the plain greedy. Returns (node, gain) per pick; stops when nothing is left to gain."""
    starts = indptr[:-1]
    initial = np.add.reduceat(weight[indices], starts) if len(indices) else np.zeros(0)
    heap = [(-float(gain), int(node)) for node, gain in enumerate(initial) if gain > 0]
    heapq.heapify(heap)
    covered = np.zeros(len(weight), dtype=bool)
    picks: list[tuple[int, float]] = []
    while heap and len(picks) < k:
        _bound, node = heapq.heappop(heap)
        around = indices[indptr[node] : indptr[node + 1]]
        fresh = around[~covered[around]]
        gain = float(weight[fresh].sum())
        if gain <= 0:
            continue
        if heap and (-gain, node) > heap[0]:
            heapq.heappush(heap, (-gain, node))
            continue
        covered[fresh] = True
        picks.append((node, gain))
    return picks


def suggest_sites(demand: Demand, station_lat: Any, station_lng: Any, radius_m: float, k: int) -> list[Site]:
    """Where `k` new stations would cover the most demand not yet within `radius_m` of a station, one after
    the other (greedy maximal covering), each with the weight it adds and the share covered after it.

    Candidate sites are the uncovered demand points themselves: points at the same place are merged, and
    when there are at most 20,000 distinct ones with at most 3,000,000 pairs within the radius, the greedy
    runs on them exactly. With more (a province of scattered points), the uncovered demand is first summed
    into cubes of radius ÷ 8 (coarsened to ÷ 4, ÷ 2, ÷ 1 until there are at most 60,000 of them), each at
    its weighted centre, and the greedy runs on those; every chosen site's gain and cumulative share are
    then recounted exactly against the real points (a site adding nothing after all is dropped).
    Stops early when no site would add anything; no demand gives no sites.
    """
    if k <= 0:
        return []
    weight = np.asarray(demand.weight, dtype=np.float64)
    base = coverage(demand, station_lat, station_lng, radius_m)
    if base.total_weight <= 0:
        return []
    open_mask = ~base.covered & (weight > 0)
    if not open_mask.any():
        return []
    vectors = unit_vectors(np.asarray(demand.lat)[open_mask], np.asarray(demand.lng)[open_mask])
    open_weight = weight[open_mask]
    chord = chord_of(radius_m)
    nodes, tree = _candidates(vectors, open_weight, radius_m, chord)
    indptr, indices = _neighbours(tree, len(nodes.weight), chord)
    picks = _lazy_greedy(nodes.weight, indptr, indices, k)

    covered_weight = base.covered_weight
    sites: list[Site] = []
    if nodes.first is not None:
        open_lat, open_lng = np.asarray(demand.lat)[open_mask], np.asarray(demand.lng)[open_mask]
        for node, gain in picks:
            covered_weight += gain
            point = nodes.first[node]
            sites.append(Site(float(open_lat[point]), float(open_lng[point]), gain, covered_weight / base.total_weight))
        return sites
    # Recount each pick against the real uncovered points, in the greedy's order.
    point_tree = cKDTree(vectors)
    taken = np.zeros(len(open_weight), dtype=bool)
    for node, _gain in picks:
        around = np.asarray(point_tree.query_ball_point(nodes.vectors[node], chord), dtype=np.int64)
        fresh = around[~taken[around]]
        gain = float(open_weight[fresh].sum())
        if gain <= 0:
            continue
        taken[fresh] = True
        covered_weight += gain
        lat, lng = _lat_lng_of(nodes.vectors[node : node + 1])
        sites.append(Site(float(lat[0]), float(lng[0]), gain, covered_weight / base.total_weight))
    return sites


# ---------------------------------------------------------------------------------------------
# Demand of an area: hotspots, members or workers
# ---------------------------------------------------------------------------------------------


class DemandSource(TextChoices):
    HOTSPOTS = "hotspots", gettext_lazy("Demand hotspots (weighted by workers)")
    MEMBERS = "members", gettext_lazy("Members, by work region")
    WORKERS = "workers", gettext_lazy("Workers in the reconciled ledger, by work region")


@dataclass(frozen=True)
class DemandPoint:
    label: str
    region_code: str  # where the demand belongs: the hotspot's region, or the people's work region
    lat: float
    lng: float
    weight: int
    placed_at: str = ""  # members and workers: the region whose point they were put at


@dataclass(frozen=True)
class Unplaced:
    region_code: str
    name: str
    count: int


@dataclass(frozen=True)
class PlacedDemand:
    points: list[DemandPoint]
    unplaced: list[Unplaced]  # heaviest first

    @property
    def demand(self) -> Demand:
        return Demand(
            lat=np.array([point.lat for point in self.points], dtype=np.float64),
            lng=np.array([point.lng for point in self.points], dtype=np.float64),
            weight=np.array([point.weight for point in self.points], dtype=np.float64),
            labels=[point.label for point in self.points],
        )

    @property
    def unplaced_count(self) -> int:
        return sum(item.count for item in self.unplaced)


def _counts_by_work_region(region: Region, source: DemandSource) -> dict[str, int]:
    if source == DemandSource.MEMBERS:
        # At most one membership per person is active or retained (a database constraint): no double count.
        members = (
            Membership.objects.filter(status__in=MEMBER_STATUSES, person__work_region__code__startswith=region.prefix)
            .values("person__work_region_id")
            .annotate(count=Count("person_id"))
            .order_by()
        )
        return {row["person__work_region_id"]: int(row["count"]) for row in members}
    workers = (
        Worker.objects.filter(active=True, work_region__code__startswith=region.prefix)
        .values("work_region_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["work_region_id"]: int(row["count"]) for row in workers}


def demand_for_region(region: Region, source: str) -> PlacedDemand:
    """The demand of `region` (and everything below it) from `source`, placed on the map."""
    if source == DemandSource.HOTSPOTS:
        hotspots = Hotspot.objects.filter(region__code__startswith=region.prefix).order_by("region_id", "name")
        return PlacedDemand(
            points=[
                DemandPoint(label=name, region_code=code, lat=lat, lng=lng, weight=weight)
                for name, code, lat, lng, weight in hotspots.values_list("name", "region_id", "lat", "lng", "weight")
            ],
            unplaced=[],
        )
    counts = _counts_by_work_region(region, DemandSource(source))
    # Each work region goes to its own point, else to its nearest ancestor's, never above the area analysed.
    chains = {
        code: [candidate for candidate in region_codes_upwards(code) if candidate.startswith(region.prefix)]
        for code in counts
    }
    wanted = {candidate for chain in chains.values() for candidate in chain}
    points = {
        code: (lat, lng)
        for code, lat, lng in RegionPoint.objects.filter(region_id__in=wanted).values_list("region_id", "lat", "lng")
    }
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    placed: list[DemandPoint] = []
    unplaced: list[Unplaced] = []
    for code in sorted(counts):
        at = next((candidate for candidate in chains[code] if candidate in points), None)
        name = names.get(code, code)
        if at is None:
            unplaced.append(Unplaced(region_code=code, name=name, count=counts[code]))
            continue
        lat, lng = points[at]
        placed.append(DemandPoint(label=name, region_code=code, lat=lat, lng=lng, weight=counts[code], placed_at=at))
    unplaced.sort(key=lambda item: (-item.count, item.region_code))
    return PlacedDemand(points=placed, unplaced=unplaced)


# ---------------------------------------------------------------------------------------------
# The analysis of an area
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanningStation:
    id: int
    name: str
    region_code: str
    lat: float
    lng: float
    inside: bool  # False: a neighbour's station within reach of this area's demand


@dataclass(frozen=True)
class ChildRow:
    region_code: str  # "" for demand registered at the area itself (in no child region)
    name: str
    demand: int
    covered: int

    @property
    def share(self) -> float | None:
        return self.covered / self.demand if self.demand else None


@dataclass(frozen=True)
class Uncovered:
    point: DemandPoint
    nearest_station_m: float | None  # the distance to the nearest open station used, if any


@dataclass(frozen=True)
class CircleAnalysis:
    region: Region
    source: str
    mode: str
    minutes: float
    detour: float
    radius_m: float
    placed: PlacedDemand
    result: CoverageResult
    stations: list[PlanningStation]
    rows: list[ChildRow]
    uncovered: list[Uncovered]  # heaviest first
    k: int = 0
    sites: list[Site] = field(default_factory=list)

    @property
    def total(self) -> int:
        return round(self.result.total_weight)

    @property
    def covered(self) -> int:
        return round(self.result.covered_weight)

    @property
    def stations_inside(self) -> int:
        return sum(1 for station in self.stations if station.inside)

    @property
    def stations_outside(self) -> int:
        return len(self.stations) - self.stations_inside


def _reach_box(points: Sequence[DemandPoint], radius_m: float) -> Q:
    """A latitude/longitude box holding every place within radius_m of some demand point (for the query)."""
    lats = [point.lat for point in points]
    lngs = [point.lng for point in points]
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    widest = min(89.0, max(abs(min(lats)), abs(max(lats))) + dlat)
    dlng = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(widest)))))
    return Q(lat__gte=min(lats) - dlat, lat__lte=max(lats) + dlat, lng__gte=min(lngs) - dlng, lng__lte=max(lngs) + dlng)


def stations_for_planning(region: Region, points: Sequence[DemandPoint], radius_m: float) -> list[PlanningStation]:
    """The open stations of the area, and those just outside it within `radius_m` of some of its demand:
    a worker at the border may well use the neighbour's station."""
    columns = ("pk", "name", "region_id", "lat", "lng")
    open_stations = Station.objects.filter(status=StationStatus.OPEN)
    stations = [
        PlanningStation(id=pk, name=name, region_code=code, lat=lat, lng=lng, inside=True)
        for pk, name, code, lat, lng in open_stations.filter(region__code__startswith=region.prefix)
        .order_by("pk")
        .values_list(*columns)
    ]
    if not points:
        return stations
    nearby = list(
        open_stations.filter(_reach_box(points, radius_m))
        .exclude(region__code__startswith=region.prefix)
        .order_by("pk")
        .values_list(*columns)
    )
    if nearby:
        tree = cKDTree(unit_vectors([point.lat for point in points], [point.lng for point in points]))
        near = unit_vectors([row[3] for row in nearby], [row[4] for row in nearby])
        within = np.isfinite(_nearest_chord(tree, near, chord_of(radius_m)))
        stations += [
            PlanningStation(id=pk, name=name, region_code=code, lat=lat, lng=lng, inside=False)
            for (pk, name, code, lat, lng), ok in zip(nearby, within, strict=True)
            if ok
        ]
    return stations


def _child_rows(region: Region, points: Sequence[DemandPoint], covered: np.ndarray) -> list[ChildRow]:
    children = list(region_children(region=region))
    by_prefix = {child.prefix: child for child in children}
    lengths = sorted({len(prefix) for prefix in by_prefix}, reverse=True)
    demand: dict[str, int] = {}
    reached: dict[str, int] = {}
    for point, ok in zip(points, covered, strict=True):
        child = next(
            (by_prefix[point.region_code[:n]] for n in lengths if point.region_code[:n] in by_prefix),
            None,
        )
        key = child.code if child is not None else ""
        demand[key] = demand.get(key, 0) + point.weight
        reached[key] = reached.get(key, 0) + (point.weight if ok else 0)
    rows = [
        ChildRow(
            region_code=child.code,
            name=child.name,
            demand=demand.get(child.code, 0),
            covered=reached.get(child.code, 0),
        )
        for child in children
    ]
    if "" in demand:
        rows.append(ChildRow(region_code="", name=region.name, demand=demand[""], covered=reached[""]))
    return rows


def circle_analysis(
    *,
    region: Region,
    source: str = DemandSource.HOTSPOTS,
    mode: str = TravelMode.WALK,
    minutes: float = DEFAULT_MINUTES,
    detour: float = DEFAULT_DETOUR,
    k: int = 5,
) -> CircleAnalysis:
    """The 15-minute circle of an area: coverage of its demand by the open stations it can use, by child
    region, the uncovered demand (heaviest first) and `k` suggested new sites."""
    radius_m = travel_radius_m(minutes=minutes, mode=mode, detour=detour)
    placed = demand_for_region(region, source)
    demand = placed.demand
    stations = stations_for_planning(region, placed.points, radius_m)
    station_lat = np.array([station.lat for station in stations], dtype=np.float64)
    station_lng = np.array([station.lng for station in stations], dtype=np.float64)
    result = coverage(demand, station_lat, station_lng, radius_m)
    left = [index for index, ok in enumerate(result.covered) if not ok and placed.points[index].weight > 0]
    left.sort(key=lambda index: (-placed.points[index].weight, placed.points[index].label, index))
    # The nearest open station anywhere (the analysis only loads those within reach of the area), through
    # the exact index, for the heaviest uncovered points; beyond that the distance is left blank.
    distances: list[float | None] = [None] * len(left)
    for position, index in enumerate(left[:NEAREST_FOR_UNCOVERED]):
        found = nearest("station", lat=float(demand.lat[index]), lng=float(demand.lng[index]), limit=1)
        distances[position] = found[0].distance_m if found else None
    return CircleAnalysis(
        region=region,
        source=source,
        mode=mode,
        minutes=minutes,
        detour=detour,
        radius_m=radius_m,
        placed=placed,
        result=result,
        stations=stations,
        rows=_child_rows(region, placed.points, result.covered),
        uncovered=[
            Uncovered(point=placed.points[index], nearest_station_m=distance)
            for index, distance in zip(left, distances, strict=True)
        ],
        k=k,
        sites=suggest_sites(demand, station_lat, station_lng, radius_m, k),
    )


# ---------------------------------------------------------------------------------------------
# Setting a region's point (a write: staff, or the demo)
# ---------------------------------------------------------------------------------------------


def region_point_set(
    *, jurisdiction: Jurisdiction, actor: User | None, region_code: str, lat: str, lng: str, crs: str = ""
) -> tuple[RegionPoint, Checked]:
    """Set where a region's demand is drawn; coordinates are checked (inside China, not swapped) and stored
    as WGS-84. Returns the point and the check; with errors in the check nothing is saved."""
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    region = region_in_jurisdiction(jurisdiction, region_code)
    checked = Checked()
    check_coordinates(lat, lng, crs, checked)
    point = RegionPoint.objects.filter(region=region).first() or RegionPoint(region=region)
    if not checked.ok:
        return point, checked
    point.lat, point.lng = cast(float, checked.values["lat"]), cast(float, checked.values["lng"])
    point.updated_by = actor
    point.save()
    return point, checked


def region_points_total(region: Region) -> int:
    """How many regions of the area have a point (shown on the page)."""
    return int(
        RegionPoint.objects.filter(region__code__startswith=region.prefix).aggregate(count=Count("pk"))["count"] or 0
    )
