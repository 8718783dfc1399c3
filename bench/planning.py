"""The planning benchmark (issue 7): the 15-minute circle over a province — 1,000,000 weighted demand points
against 20,000 stations — and the greedy site suggestions on the same data.

Two figures, measured in one run on the same synthetic data (seeded, so every run sees the same points):

* ``coverage_1m_points_20k_stations``: ``stations.planning.coverage`` of all 1,000,000 points within 1 km
  (walking 15 minutes), against a brute-force numpy haversine scan of a 20,000-point sample against every
  station, scaled to 1,000,000 points. The scan also checks the answer: on the sample, the points it finds
  within 1 km are exactly the points coverage() marks covered. Target: under 10 s.
* ``suggest_10_sites_1m_points``: ``suggest_sites(k=10)`` on the same data, against a plain (non-lazy)
  greedy on a 5,000-point sample of the uncovered points with a brute-force haversine distance matrix,
  scaled by the square of the sizes (the matrix is n × n). On that sample both give the same sites.

Data (``synthetic``): a province about the size of 贵州 (24.6–29.2°N, 103.6–109.6°E); 12 cities and 80
county towns as clusters of different sizes; 85% of the demand and 80% of the stations in the clusters,
the rest scattered; weights 1–50 workers, long-tailed. Sizes: ``BENCH_PLANNING_POINTS`` (default
1,000,000) and ``BENCH_PLANNING_STATIONS`` (default 20,000). It needs no database:
``python -m bench.planning`` prints the figures alone.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Result = dict[str, Any]
Figure = Callable[[str, float, str, str, float], Result]

POINTS = int(os.environ.get("BENCH_PLANNING_POINTS", "1000000"))
STATIONS = int(os.environ.get("BENCH_PLANNING_STATIONS", "20000"))
SAMPLE = 20_000
GREEDY_SAMPLE = 5_000
RADIUS_M = 1000.0
SUGGESTIONS = 10
EARTH_RADIUS_M = 6_371_008.8
LAT_RANGE = (24.6, 29.2)
LNG_RANGE = (103.6, 109.6)


def _say(message: str) -> None:
    print(f"  planning: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Synthetic:
    lat: np.ndarray
    lng: np.ndarray
    weight: np.ndarray
    station_lat: np.ndarray
    station_lng: np.ndarray


def _clustered(rng: np.random.Generator, count: int, clustered_share: float, spread: float) -> np.ndarray:
    """`count` (lat, lng) rows: a share around the cluster centres (Gaussian, sd in km × `spread`), the rest
    uniform over the province."""
    cities = np.column_stack((rng.uniform(*LAT_RANGE, 12), rng.uniform(*LNG_RANGE, 12)))
    towns = np.column_stack((rng.uniform(*LAT_RANGE, 80), rng.uniform(*LNG_RANGE, 80)))
    centres = np.vstack((cities, towns))
    sd_km = np.concatenate((rng.uniform(5.0, 10.0, 12), rng.uniform(1.0, 3.0, 80))) * spread
    pull = np.concatenate((rng.uniform(3.0, 8.0, 12), np.ones(80)))  # cities draw more than towns
    in_clusters = int(count * clustered_share)
    which = rng.choice(len(centres), size=in_clusters, p=pull / pull.sum())
    sd_deg = sd_km[which] / 111.2
    lat = centres[which, 0] + rng.normal(0.0, 1.0, in_clusters) * sd_deg
    lng = centres[which, 1] + rng.normal(0.0, 1.0, in_clusters) * sd_deg / np.cos(np.radians(centres[which, 0]))
    rest = count - in_clusters
    lat = np.concatenate((lat, rng.uniform(*LAT_RANGE, rest)))
    lng = np.concatenate((lng, rng.uniform(*LNG_RANGE, rest)))
    order = rng.permutation(count)
    return np.column_stack((lat[order], lng[order]))


def synthetic(points: int = POINTS, stations: int = STATIONS, seed: int = 20240715) -> Synthetic:
    """The benchmark's province: demand points with weights and stations, the same for a seed."""
    rng = np.random.default_rng(seed)
    demand = _clustered(np.random.default_rng(seed), points, 0.85, 1.0)
    placed = _clustered(np.random.default_rng(seed), stations, 0.80, 0.8)  # same centres, tighter
    weight = np.minimum(50, np.floor(rng.pareto(1.5, points)) + 1).astype(np.float64)
    return Synthetic(demand[:, 0], demand[:, 1], weight, placed[:, 0], placed[:, 1])


def haversine_m(lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray) -> np.ndarray:
    """Great-circle metres between broadcast arrays (the formula of stations.geo.distance_m)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lng2 - lng1) / 2) ** 2
    result: np.ndarray = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return result


def brute_force_covered(
    lat: np.ndarray, lng: np.ndarray, station_lat: np.ndarray, station_lng: np.ndarray, radius_m: float
) -> np.ndarray:
    """Whether each point lies within radius_m of some station: every pair's haversine, in chunks."""
    covered = np.zeros(len(lat), dtype=bool)
    for start in range(0, len(lat), 500):
        chunk = slice(start, start + 500)
        distances = haversine_m(lat[chunk, None], lng[chunk, None], station_lat[None, :], station_lng[None, :])
        covered[chunk] = (distances <= radius_m).any(axis=1)
    return covered


def naive_greedy(
    lat: np.ndarray, lng: np.ndarray, weight: np.ndarray, radius_m: float, k: int
) -> list[tuple[int, float]]:
    """The plain greedy: the full n × n haversine matrix, every candidate's gain recomputed at every step;
    ties to the lower index. Returns (point, gain) per pick."""
    within = haversine_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :]) <= radius_m
    left = weight.copy()
    picks: list[tuple[int, float]] = []
    for _step in range(k):
        gains = within @ left
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        picks.append((best, float(gains[best])))
        left[within[best]] = 0.0
    return picks


def targets() -> dict[str, tuple[str, float]]:
    """Issue 7's target: the coverage of 1,000,000 points against 20,000 stations in under 10 s."""
    return {"coverage_1m_points_20k_stations": ("value", 10.0)}


def _label(count: int) -> str:
    return f"{count // 1_000_000}m" if count % 1_000_000 == 0 else f"{count // 1000}k"


def bench_planning(figure: Figure, suffix: str = "") -> list[Result]:
    """The two planning figures (in-process numpy/scipy: the database plays no part, so they run once)."""
    from gigunion.stations.planning import Demand, coverage, suggest_sites

    start = time.perf_counter()
    data = synthetic()
    _say(f"{POINTS:,} points and {STATIONS:,} stations generated in {time.perf_counter() - start:.1f} s")
    demand = Demand(lat=data.lat, lng=data.lng, weight=data.weight)

    timings = []
    for _run in range(3):
        start = time.perf_counter()
        result = coverage(demand, data.station_lat, data.station_lng, RADIUS_M)
        timings.append(time.perf_counter() - start)
    ours = float(np.median(timings))
    _say(f"coverage: {ours:.2f} s (median of 3), {result.share:.1%} of the weight covered")

    sample = np.random.default_rng(7).choice(POINTS, size=min(SAMPLE, POINTS), replace=False)
    start = time.perf_counter()
    expected = brute_force_covered(data.lat[sample], data.lng[sample], data.station_lat, data.station_lng, RADIUS_M)
    scan = (time.perf_counter() - start) * POINTS / len(sample)
    assert np.array_equal(expected, result.covered[sample]), "coverage differs from the brute-force scan"
    _say(f"brute-force scan of {len(sample):,} points: scaled to {POINTS:,}, {scan:.0f} s; same answer")

    start = time.perf_counter()
    sites = suggest_sites(demand, data.station_lat, data.station_lng, RADIUS_M, SUGGESTIONS)
    suggesting = time.perf_counter() - start
    assert len(sites) == SUGGESTIONS, len(sites)
    _say(
        f"suggest_sites(k={SUGGESTIONS}): {suggesting:.2f} s; {sites[0].gain:,.0f} first, "
        f"{sites[-1].cumulative_share:.1%} after all"
    )

    uncovered = np.flatnonzero(~result.covered)
    picked = np.random.default_rng(11).choice(uncovered, size=min(GREEDY_SAMPLE, len(uncovered)), replace=False)
    picked.sort()
    start = time.perf_counter()
    plain = naive_greedy(data.lat[picked], data.lng[picked], data.weight[picked], RADIUS_M, SUGGESTIONS)
    naive = (time.perf_counter() - start) * (len(uncovered) / len(picked)) ** 2
    small = Demand(lat=data.lat[picked], lng=data.lng[picked], weight=data.weight[picked])
    lazy = suggest_sites(small, np.zeros(0), np.zeros(0), RADIUS_M, SUGGESTIONS)
    assert [site.gain for site in lazy] == [gain for _point, gain in plain], "the lazy greedy differs"
    assert [(site.lat, site.lng) for site in lazy] == [
        (float(data.lat[picked][point]), float(data.lng[picked][point])) for point, _gain in plain
    ], "the lazy greedy picks other sites"
    _say(f"plain greedy on {len(picked):,} of {len(uncovered):,} uncovered points: scaled, {naive:.0f} s; same sites")

    points, stations = _label(POINTS), _label(STATIONS)
    return [
        figure(
            f"coverage_{points}_points_{stations}_stations{suffix}",
            ours,
            "s",
            f"brute-force numpy haversine scan of a {len(sample):,}-point sample against all {STATIONS:,} stations "
            f"(chunks of 500 points), scaled to {POINTS:,} points; same answer on the sample",
            scan,
        ),
        figure(
            f"suggest_{SUGGESTIONS}_sites_{points}_points{suffix}",
            suggesting,
            "s",
            f"plain (non-lazy) greedy with a brute-force haversine matrix on {len(picked):,} of the "
            f"{len(uncovered):,} uncovered points, scaled by the square of the sizes; same sites on the sample",
            naive,
        ),
    ]


def _main() -> None:  # python -m bench.planning: the figures alone (Django set up for the imports only)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigunion.settings")
    import django

    django.setup()

    def figure(name: str, value: float, unit: str, baseline: str, baseline_value: float) -> Result:
        return {"name": name, "value": value, "unit": unit, "baseline": baseline, "baseline_value": baseline_value}

    for result in bench_planning(figure):
        ratio = result["value"] / result["baseline_value"]
        print(
            f"{result['name']:<36} {result['value']:>8.3f} s   baseline {result['baseline_value']:>10.3f} s   "
            f"ratio {ratio:.5f}"
        )


if __name__ == "__main__":
    _main()
