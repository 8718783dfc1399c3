# ruff: noqa: S608  (constant SQL built from literals and region codes of the region table; no user input)
"""The dashboard benchmark (issue 6): the figures of an area at province scale.

A province the size of 贵州 (52): ``BENCH_DASHBOARD_WORKERS`` ledger workers (default 10,000,000),
``BENCH_DASHBOARD_MEMBERS`` members (5,000,000 people, each with a membership in MEMBER status) and
``BENCH_DASHBOARD_EMPLOYERS`` employers (200,000, each with a breakdown by occupation; about half
covered by one of their county's unions: Coverage and UnionOrganization rows), spread over the
province's townships (90%) and counties (10%, records placed at county level), all generated into the
real tables with raw ``executemany`` in large transactions, so the tally triggers of
``surveys/migrations/0002`` fire as they would for any import. ``--quick`` (``bench/run.py --only
dashboard --quick``) uses 200,000 workers, 100,000 members and 20,000 employers.

Figures (medians of several runs, server time; target for the reads: under 100 ms):

* ``dashboard_area_figures_province`` / ``_county``: ``surveys.selectors.area_figures`` of the province
  and of one county, against the naive GROUP BY over the raw tables answering the same question
  (workers and members by county × occupation, employers and covered employers by county × occupation
  and in all, from the ledger, the memberships joined to the people, the employers and the coverage);
* ``dashboard_area_trend_province``: ``area_trend`` (the rounds and today), against the same baseline;
* ``dashboard_page_province`` / ``_county``: the back-office page /office/dashboard/ through the test
  client, as the province federation's administrator, and with ?region=<county> (when the page exists);
* ``dashboard_freshness``: after one member and one worker are added, the next ``area_figures`` shows
  both: 1 = current (0 would be behind);
* ``dashboard_worker_insert_triggers``: inserting 100,000 workers into the full ledger, per row, with
  the tally triggers against the same insert with the insert trigger dropped (both rolled back).
"""

from __future__ import annotations

import contextlib
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from django.contrib.auth.models import User
from django.db import connection, transaction

Result = dict[str, Any]
Figure = Callable[[str, float, str, str, float], Result]

WORKERS = int(os.environ.get("BENCH_DASHBOARD_WORKERS", "10000000"))
MEMBERS = int(os.environ.get("BENCH_DASHBOARD_MEMBERS", "5000000"))
EMPLOYERS = int(os.environ.get("BENCH_DASHBOARD_EMPLOYERS", "200000"))
QUICK = (200_000, 100_000, 20_000)
PROVINCE = "520000"
COUNTY = "520102"  # 南明区
TRIGGER_SAMPLE = 100_000
CHUNK = 500_000
READ_TARGET = 0.1
# Worker ids: distinct positive 60-bit integers from 2**59 on, apart from any worker already there (the
# ledger's ids are hashes: one of them falling among ours is a chance of about 1e-5 per million).
ID_BASE = 1 << 59
_OCCUPATIONS = [
    "delivery_rider",
    "courier",
    "truck_driver",
    "ride_hailing_driver",
    "designated_driver",
    "domestic_worker",
    "security_guard",
    "caregiver",
    "mall_promoter",
    "real_estate_agent",
    "other",
]
_OCCUPATION_WEIGHTS = np.array([22, 18, 16, 14, 4, 8, 7, 4, 2, 2, 3], dtype=float)
_DUMMY_TOKEN = "bench-dummy-ciphertext"  # noqa: S105 — the dashboard never decrypts; encryption is not what is measured
NOW = "2024-06-30 12:00:00"


def _say(message: str) -> None:
    print(f"  dashboard: {message}", file=sys.stderr, flush=True)


def _median(repeat: int, function: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


class Province:
    """Where the rows go: the province's townships (with weights) and counties, drawn with numpy."""

    def __init__(self, seed: int = 20240630) -> None:
        from gigunion.regions.models import Region

        self.rng = np.random.default_rng(seed)
        current = Region.objects.filter(code__startswith=PROVINCE[:2], is_current=True)
        self.townships = list(current.filter(level="township").order_by("code").values_list("code", flat=True))
        self.counties = list(current.filter(level="county").order_by("code").values_list("code", flat=True))
        assert self.townships, "run regions_load first"
        assert COUNTY in self.counties, "run regions_load first"
        self.codes = np.array(self.townships + self.counties)
        # Long-tailed sizes (city districts crowd), 90% of the weight on townships, 10% at county level.
        weights_t = self.rng.pareto(1.5, len(self.townships)) + 0.2
        weights_c = self.rng.pareto(1.5, len(self.counties)) + 0.2
        weights = np.concatenate(
            (weights_t / weights_t.sum() * 0.9, weights_c / weights_c.sum() * 0.1),
        )
        self.weights = weights / weights.sum()
        # Each region's members' share differs (0.5x to 1.5x the worker weight), so rates differ.
        member_weights = self.weights * self.rng.uniform(0.5, 1.5, len(self.weights))
        self.member_weights = member_weights / member_weights.sum()

    def regions(self, count: int, members: bool = False) -> np.ndarray:
        return self.rng.choice(len(self.codes), size=count, p=self.member_weights if members else self.weights)

    def occupations(self, count: int) -> np.ndarray:
        return self.rng.choice(len(_OCCUPATIONS), size=count, p=_OCCUPATION_WEIGHTS / _OCCUPATION_WEIGHTS.sum())


_WORKER_COLUMNS = (
    "id, id_number_index, name, id_number, phone, birth_year, sex, origin_region_code, occupation, "
    "employer_name, active, first_seen, last_seen, phone_digest, updated_at, employer_id, work_region_id"
)
_WORKER_INSERT = f"INSERT INTO ledger_worker ({_WORKER_COLUMNS}) VALUES ({', '.join(['?'] * 17)})"


def _worker_rows(province: Province, start: int, count: int) -> Iterator[tuple[Any, ...]]:
    regions = province.codes[province.regions(count)].tolist()
    occupations = province.occupations(count).tolist()
    active = (province.rng.random(count) < 0.95).tolist()  # 5% not at work: in the ledger, not counted
    for offset in range(count):
        serial = start + offset
        region = regions[offset]
        yield (
            ID_BASE + serial,
            f"bw{serial:010d}",
            "测试",
            _DUMMY_TOKEN,
            _DUMMY_TOKEN,
            1985,
            "男",
            region[:6],
            _OCCUPATIONS[occupations[offset]],
            "",
            active[offset],
            "2024-01-01",
            "2024-06-01",
            "",
            NOW,
            None,
            region,
        )


def _raw() -> Any:
    """The sqlite3 connection under Django's (executemany with generators, no per-row wrapper)."""
    connection.ensure_connection()
    return connection.connection


def insert_workers(province: Province, start: int, count: int) -> float:
    """Insert `count` workers (ids from `start`) in transactions of CHUNK rows; seconds."""
    raw = _raw()
    began = time.perf_counter()
    for chunk in range(start, start + count, CHUNK):
        size = min(CHUNK, start + count - chunk)
        with transaction.atomic():
            raw.executemany(_WORKER_INSERT, _worker_rows(province, chunk, size))
    return time.perf_counter() - began


def _person_rows(province: Province, start: int, count: int) -> Iterator[tuple[Any, ...]]:
    regions = province.codes[province.regions(count, members=True)].tolist()
    occupations = province.occupations(count).tolist()
    for offset in range(count):
        serial = start + offset
        region = regions[offset]
        yield (
            serial,
            "测试",
            _DUMMY_TOKEN,
            f"bp{serial:010d}",
            f"{serial % 10000:04d}",
            _DUMMY_TOKEN,
            f"bph{serial % 1000003}",
            1985,
            "女",
            region[:6],
            _OCCUPATIONS[occupations[offset]],
            "",
            "",
            "",
            None,
            "",
            None,
            NOW,
            NOW,
            None,
            region,
        )


_PERSON_INSERT = (
    "INSERT INTO members_person (id, name, id_number, id_number_index, id_last4, phone, phone_index, birth_year, "
    "sex, origin_region_code, occupation, platform, external_id, employer_name, card_number, verified_by, "
    "verified_at, created_at, updated_at, employer_id, work_region_id) VALUES (" + ", ".join(["?"] * 21) + ")"
)
_MEMBERSHIP_INSERT = (
    "INSERT INTO members_membership (id, status, source, join_place, routed_by, joined_on, ended_on, last_dues_on, "
    "last_activity_on, created_at, updated_at, channel_id, union_id, person_id) "
    "VALUES (?, ?, 'import', 'workplace', '', '2023-03-01', NULL, NULL, NULL, ?, ?, NULL, ?, ?)"
)


_MEMBERS_TALLIED = (
    "INSERT INTO surveys_peopletally (region_code, occupation, workers, members) "
    "SELECT p.work_region_id, p.occupation, 0, count(*) FROM members_membership m "
    "JOIN members_person p ON p.id = m.person_id "
    "WHERE m.person_id BETWEEN ? AND ? AND m.status IN ('active', 'retained') GROUP BY 1, 2 "
    "ON CONFLICT (region_code, occupation) DO UPDATE SET members = surveys_peopletally.members + excluded.members"
)


def insert_members(province: Province, start: int, count: int, unions: list[int], *, triggers: bool = False) -> float:
    """People and their memberships (active, a few retained), in transactions of CHUNK people; seconds.

    Without `triggers`, each transaction drops the membership insert trigger, inserts, adds the chunk's
    members to the tally with one GROUP BY (the migration's fill statement) and puts the trigger back:
    the same tally, about three times faster than a trigger per membership."""
    raw = _raw()
    (trigger_sql,) = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'surveys_membership_insert'").fetchone()
    began = time.perf_counter()
    for chunk in range(start, start + count, CHUNK):
        size = min(CHUNK, start + count - chunk)
        with transaction.atomic():
            if not triggers:
                raw.execute("DROP TRIGGER surveys_membership_insert")
            raw.executemany(_PERSON_INSERT, _person_rows(province, chunk, size))
            raw.executemany(
                _MEMBERSHIP_INSERT,
                (
                    (
                        None,  # the membership's own id: the next free one
                        "retained" if serial % 20 == 0 else "active",
                        NOW,
                        NOW,
                        unions[serial % len(unions)],
                        serial,
                    )
                    for serial in range(chunk, chunk + size)
                ),
            )
            if not triggers:
                raw.execute(_MEMBERS_TALLIED, (chunk, chunk + size - 1))
                raw.execute(trigger_sql)
    return time.perf_counter() - began


def insert_employers(province: Province, count: int, federation: Any) -> tuple[float, list[int]]:
    """Employers with breakdowns, one union for every ~3 covered employers, coverage of about half; seconds, unions."""
    raw = _raw()
    rng = province.rng
    first_employer = (raw.execute("SELECT max(id) FROM enterprises_enterprise").fetchone()[0] or 0) + 1
    first_union = (raw.execute("SELECT max(id) FROM orgs_unionorganization").fetchone()[0] or 0) + 1
    regions = province.codes[province.regions(count)].tolist()
    kinds = rng.integers(1, 4, count).tolist()  # 1 to 3 occupations each
    occupations = province.occupations(count * 3).tolist()
    sizes = (rng.pareto(1.1, count * 3) * 4 + 1).astype(int).tolist()
    covered = (rng.random(count) < 0.5).tolist()
    employer_rows: list[tuple[Any, ...]] = []
    union_rows: list[tuple[Any, ...]] = []
    coverage_rows: list[tuple[Any, ...]] = []
    union_of_county: dict[str, int] = {}
    union_load: dict[str, int] = {}
    for index in range(count):
        pk = first_employer + index
        region = regions[index]
        breakdown: dict[str, int] = {}
        for slot in range(kinds[index]):
            occupation = _OCCUPATIONS[occupations[index * 3 + slot]]
            breakdown[occupation] = breakdown.get(occupation, 0) + sizes[index * 3 + slot]
        breakdown_text = "{" + ", ".join(f'"{key}": {value}' for key, value in breakdown.items()) + "}"
        employer_rows.append(
            (
                pk,
                f"基准用工单位{pk}",
                f"91BD{pk:014d}",
                "快递物流",
                "",
                sum(breakdown.values()),
                sum(breakdown.values()),
                "其他",
                NOW,
                NOW,
                region,
                breakdown_text,
                None,
            )
        )
        if covered[index]:
            # A joint union of the township (or county) covers up to three employers there.
            key = region
            if key not in union_of_county or union_load[key] >= 3:
                union_pk = first_union + len(union_rows)
                union_rows.append(
                    (
                        union_pk,
                        f"基准联合工会{union_pk}",
                        "joint",
                        f"{federation.path}{union_pk}/",
                        federation.depth + 1,
                        True,
                        NOW,
                        NOW,
                        region,
                        "",
                        "2022-05-01",
                        "regional",
                        "",
                        False,
                        federation.pk,
                    )
                )
                union_of_county[key], union_load[key] = union_pk, 0
            union_load[key] += 1
            coverage_rows.append(("2023-01-01", None, NOW, pk, union_of_county[key]))
    began = time.perf_counter()
    with transaction.atomic():
        raw.executemany(
            "INSERT INTO enterprises_enterprise (id, name, credit_code, industry, address, employees, gig_workers, "
            "kind, created_at, updated_at, region_id, workers_by_occupation, parent_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            employer_rows,
        )
        raw.executemany(
            "INSERT INTO orgs_unionorganization (id, name, organization_type, path, depth, is_active, created_at, "
            "updated_at, region_id, chair_name, founded_on, founding_mode, industry, join_requires_approval, "
            "parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            union_rows,
        )
        raw.executemany(
            "INSERT INTO founding_coverage (started_on, ended_on, created_at, enterprise_id, organization_id) "
            "VALUES (?, ?, ?, ?, ?)",
            coverage_rows,
        )
    return time.perf_counter() - began, [row[0] for row in union_rows]


def province_federation() -> tuple[Any, User]:
    """The province federation (the demo's, or one made here) and an administrator of it."""
    from gigunion.orgs.models import OrganizationType, StaffAccount, StaffRole, UnionOrganization
    from gigunion.orgs.services import organization_create
    from gigunion.regions.models import Region

    federation = UnionOrganization.objects.filter(
        region_id=PROVINCE, organization_type=OrganizationType.FEDERATION
    ).first() or organization_create(
        name="贵州省总工会", organization_type=OrganizationType.FEDERATION, region=Region.objects.get(code=PROVINCE)
    )
    user, _created = User.objects.get_or_create(username="bench_province_admin")
    StaffAccount.objects.get_or_create(
        user=user, defaults={"organization": federation, "role": StaffRole.ADMIN, "display_name": "基准管理员"}
    )
    return federation, user


def _prefix_range(prefix: str) -> tuple[str, str]:
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def naive_figures(prefix: str) -> dict[tuple[str, str], list[int]]:
    """The same question from the raw tables: by county (6 digits) × occupation (and 'all' for employers)."""
    low, high = _prefix_range(prefix)
    cells: dict[tuple[str, str], list[int]] = {}

    def add(rows: list[tuple[Any, ...]], slot: int) -> None:
        for county, occupation, value in rows:
            cells.setdefault((county, occupation), [0, 0, 0, 0])[slot] += value

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(work_region_id, 1, 6), occupation, count(*) FROM ledger_worker "
            "WHERE work_region_id >= %s AND work_region_id < %s AND active GROUP BY 1, 2",
            [low, high],
        )
        add(cursor.fetchall(), 0)
        cursor.execute(
            "SELECT substr(p.work_region_id, 1, 6), p.occupation, count(*) FROM members_membership m "
            "JOIN members_person p ON p.id = m.person_id "
            "WHERE p.work_region_id >= %s AND p.work_region_id < %s AND m.status IN ('active', 'retained') "
            "GROUP BY 1, 2",
            [low, high],
        )
        add(cursor.fetchall(), 1)
        in_force = (
            "LEFT JOIN (SELECT DISTINCT c.enterprise_id FROM founding_coverage c "
            "JOIN orgs_unionorganization o ON o.id = c.organization_id WHERE o.is_active "
            "AND c.started_on <= date('now') AND (c.ended_on IS NULL OR c.ended_on >= date('now'))) v "
            "ON v.enterprise_id = e.id"
        )
        cursor.execute(
            f"SELECT substr(e.region_id, 1, 6), 'all', count(*), count(v.enterprise_id) FROM enterprises_enterprise e "
            f"{in_force} WHERE e.region_id >= %s AND e.region_id < %s GROUP BY 1",
            [low, high],
        )
        rows = cursor.fetchall()
        add([(county, occupation, employers) for county, occupation, employers, _covered in rows], 2)
        add([(county, occupation, covered) for county, occupation, _employers, covered in rows], 3)
        cursor.execute(
            "SELECT substr(e.region_id, 1, 6), j.key, count(*), count(v.enterprise_id) "
            f"FROM enterprises_enterprise e JOIN json_each(e.workers_by_occupation) j {in_force} "
            "WHERE e.region_id >= %s AND e.region_id < %s AND j.value > 0 GROUP BY 1, 2",
            [low, high],
        )
        rows = cursor.fetchall()
        add([(county, occupation, employers) for county, occupation, employers, _covered in rows], 2)
        add([(county, occupation, covered) for county, occupation, _employers, covered in rows], 3)
    return cells


def _dashboard_url() -> str | None:
    from django.urls import Resolver404, resolve

    try:
        resolve("/office/dashboard/")
    except Resolver404:
        return None
    return "/office/dashboard/"


def bench_dashboard(figure: Figure, *, quick: bool = False, suffix: str = "") -> list[Result]:
    """The dashboard figures on the current database (after migrate and regions_load)."""
    from gigunion.regions.models import Region
    from gigunion.surveys.models import ALL
    from gigunion.surveys.selectors import area_figures, area_trend

    if connection.vendor != "sqlite":
        _say("the dashboard benchmark generates its data with SQLite's executemany; skipped on " + connection.vendor)
        return []
    workers, members, employers = QUICK if quick else (WORKERS, MEMBERS, EMPLOYERS)
    label = f"{workers // 1_000_000}m" if workers >= 1_000_000 else f"{workers // 1000}k"
    gc.collect()
    gc.freeze()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB of page cache for the generation and the baseline
    province = Province()
    federation, user = province_federation()
    province_region = Region.objects.get(code=PROVINCE)
    county_region = Region.objects.get(code=COUNTY)
    before = area_figures(province_region).total(ALL)

    seconds, unions = insert_employers(province, employers, federation)
    _say(f"{employers:,} employers, {len(unions):,} unions, their coverage: {seconds:.1f} s")
    first_person = (_raw().execute("SELECT max(id) FROM members_person").fetchone()[0] or 0) + 1
    seconds = insert_members(province, first_person, members, unions)
    _say(
        f"{members:,} people + memberships (the tally added per 500,000 by one GROUP BY, the membership trigger "
        f"dropped meanwhile): {seconds:.1f} s, {members / seconds:,.0f} members/s"
    )
    seconds = insert_workers(province, 1, workers)
    _say(f"{workers:,} ledger workers (triggers firing): {seconds:.1f} s, {workers / seconds:,.0f} rows/s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    start = time.perf_counter()
    figures = area_figures(province_region)  # the first read recomputes the employer figures of every marked region
    _say(
        f"first read (recomputes the employer figures of {employers:,} new employers): {time.perf_counter() - start:.2f} s"
    )
    total = figures.total(ALL)
    assert total.workers - before.workers > workers * 0.9, (total.workers, before.workers)
    assert total.members - before.members == members, (total.members, before.members)

    # The tallies answer what the raw tables answer, cell by cell (the county × occupation, and in all).
    start = time.perf_counter()
    naive = naive_figures(province_region.prefix)
    naive_province = time.perf_counter() - start  # one run: it reads every row of the province (minutes at 10M)
    county = area_figures(county_region)
    zero = [0, 0, 0, 0]
    for occupation in [ALL, *_OCCUPATIONS]:
        if occupation == ALL:
            people = [sum(naive.get((COUNTY, name), zero)[slot] for name in _OCCUPATIONS) for slot in (0, 1)]
            expected = people + naive.get((COUNTY, ALL), zero)[2:]
        else:
            expected = naive.get((COUNTY, occupation), zero)
        got = county.total(occupation)
        assert [got.workers, got.members, got.employers, got.covered_employers] == expected, (occupation, got, expected)
    _say(f"the county's tallies equal the raw tables' GROUP BY ({total.workers:,} workers in the province)")

    runs = 11
    ours_province = _median(runs, lambda: area_figures(province_region))
    ours_county = _median(runs, lambda: area_figures(county_region))
    trend = _median(runs, lambda: area_trend(province_region))
    naive_county = _median(3, lambda: naive_figures(county_region.prefix))
    _say(
        f"area_figures province {ours_province * 1000:.1f} ms (naive {naive_province:.2f} s), "
        f"county {ours_county * 1000:.1f} ms (naive {naive_county * 1000:.0f} ms), trend {trend * 1000:.1f} ms"
    )
    naive_text = (
        "naive GROUP BY over the raw tables (workers and members by county × occupation from ledger_worker and "
        "members_membership JOIN members_person; employers and covered employers by county, in all and per "
        "occupation via json_each, from enterprises_enterprise + founding_coverage), prefix range filter; "
        "the province's: one run, the county's: median of 3"
    )
    results = [
        figure(f"dashboard_area_figures_province_{label}{suffix}", ours_province, "s", naive_text, naive_province),
        figure(f"dashboard_area_figures_county_{label}{suffix}", ours_county, "s", naive_text, naive_county),
        figure(f"dashboard_area_trend_province_{label}{suffix}", trend, "s", naive_text, naive_province),
    ]

    url = _dashboard_url()
    if url is None:
        _say("/office/dashboard/ does not exist yet: the page is not measured")
    else:
        from django.conf import settings
        from django.test import Client
        from django.test.utils import setup_test_environment

        with contextlib.suppress(RuntimeError):  # set up already by an earlier part
            setup_test_environment()
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for name, path, baseline in (
            ("province", url, naive_province),
            ("county", f"{url}?region={COUNTY}", naive_county),
        ):

            def page(path: str = path) -> None:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)

            page()  # warm caches (templates, translations) once, as a running server has them
            seconds = _median(runs, page)
            _say(f"{path}: {seconds * 1000:.1f} ms")
            results.append(figure(f"dashboard_page_{name}_{label}{suffix}", seconds, "s", naive_text, baseline))

    # At most one import or join behind: one more member and one more worker show at the next read.
    raw = _raw()
    next_person = raw.execute("SELECT max(id) FROM members_person").fetchone()[0] + 1
    before = area_figures(county_region).cell(None, ALL)
    before_total = area_figures(county_region).total(ALL)
    with transaction.atomic():
        raw.executemany(_PERSON_INSERT, [(*row[:20], COUNTY) for row in _person_rows(province, next_person, 1)])
        raw.execute(_MEMBERSHIP_INSERT, (None, "active", NOW, NOW, unions[0], next_person))
        raw.executemany(
            _WORKER_INSERT, [(*row[:10], True, *row[11:16], COUNTY) for row in _worker_rows(province, workers + 1, 1)]
        )
    after = area_figures(county_region)
    seen_workers = after.total(ALL).workers - before_total.workers
    seen_members = after.total(ALL).members - before_total.members
    assert seen_workers == 1, seen_workers
    assert seen_members == 1, seen_members
    assert after.cell(None, ALL).workers - before.workers == 1
    assert after.cell(None, ALL).members - before.members == 1
    _say("one member and one worker added: the next area_figures shows +1 of each (current)")
    results.append(
        figure(
            f"dashboard_freshness{suffix}",
            1.0,
            "1 = current",
            "the next area_figures after one member and one worker are inserted shows +1 of each (0: behind)",
            1.0,
        )
    )

    # The cost of the tally triggers on worker inserts: 100,000 more into the full ledger, rolled back.
    def timed_insert(drop: bool) -> float:
        with transaction.atomic():
            if drop:
                raw.execute("DROP TRIGGER surveys_worker_insert")
            start = time.perf_counter()
            raw.executemany(_WORKER_INSERT, list_rows)
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        return elapsed

    list_rows = list(_worker_rows(province, workers + 10, TRIGGER_SAMPLE))
    with_triggers, without = [], []
    for _round in range(3):
        with_triggers.append(timed_insert(False))
        without.append(timed_insert(True))
    assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'surveys_worker_insert'").fetchone()[0] == 1
    per_row_with = statistics.median(with_triggers) / TRIGGER_SAMPLE * 1e6
    per_row_without = statistics.median(without) / TRIGGER_SAMPLE * 1e6
    _say(f"worker insert: {per_row_with:.2f} µs/row with the tally trigger, {per_row_without:.2f} without")
    results.append(
        figure(
            f"dashboard_worker_insert_triggers{suffix}",
            per_row_with,
            "µs/row",
            f"the same {TRIGGER_SAMPLE:,} workers inserted into the same full ledger with the tally trigger dropped "
            "(one executemany, rolled back; median of 3)",
            per_row_without,
        )
    )
    gc.unfreeze()
    return results


def targets() -> dict[str, tuple[str, float]]:
    """The reads under 100 ms, whatever the baseline (names of both scales)."""
    names = ("area_figures_province", "area_figures_county", "area_trend_province", "page_province", "page_county")
    return {f"dashboard_{name}_{label}": ("value", READ_TARGET) for name in names for label in ("10m", "200k")}
