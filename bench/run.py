"""Benchmarks: each figure next to a baseline measured in the same run, as a ratio.

Runs against a fresh SQLite database in a temporary directory (or DATABASE_URL if set), prints
one line per figure and writes bench/results.json as a list of
{"name", "value", "unit", "baseline", "baseline_value", "ratio"} (ratio = value / baseline_value).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="gigunion-bench-")
os.environ.setdefault("GIGUNION_VAR_DIR", _tmp)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigunion.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from gigunion.core import crypto  # noqa: E402
from gigunion.orgs.models import OrganizationType, StaffAccount, StaffRole, UnionOrganization  # noqa: E402
from gigunion.orgs.services import organization_create, phone_blind_index  # noqa: E402
from gigunion.regions.models import Region  # noqa: E402
from gigunion.regions.services import regions_load  # noqa: E402

Result = dict[str, Any]


def best_of(repeat: int, function: Callable[[], object]) -> float:
    """Median seconds of `repeat` runs (the median resists a noisy neighbour better than the mean)."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def figure(name: str, value: float, unit: str, baseline: str, baseline_value: float) -> Result:
    return {
        "name": name,
        "value": round(value, 6),
        "unit": unit,
        "baseline": baseline,
        "baseline_value": round(baseline_value, 6),
        "ratio": round(value / baseline_value, 4) if baseline_value else None,
    }


def bench_region_load() -> Result:
    """Loading the full region table (≈42k rows) against a raw executemany of the same rows."""
    start = time.perf_counter()
    regions_load()
    ours = time.perf_counter() - start
    rows = list(Region.objects.values_list("code", "name", "level", "kind", "parent_id", "is_current", "source"))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_region AS SELECT * FROM regions_region WHERE 0")
        start = time.perf_counter()
        with transaction.atomic():
            cursor.executemany(
                "INSERT INTO bench_region (code, name, level, kind, parent_id, is_current, source) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        raw = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_region")
    return figure("load_regions_full", ours, "s", "raw executemany insert of the same rows", raw)


def bench_region_reload() -> Result:
    """A second, idempotent load (what `make run` does each start) against reading the table once."""
    ours = best_of(3, regions_load)
    read = best_of(3, lambda: list(Region.objects.values_list("code", "name", "level", "kind", "parent_id")))
    return figure("load_regions_unchanged", ours, "s", "reading the region table once", read)


def bench_phone_lookup(count: int = 3000) -> Result:
    """Finding one encrypted phone among `count` staff accounts: blind index vs decrypt-and-scan."""
    organization = UnionOrganization.objects.get(name="贵阳市总工会")
    users = User.objects.bulk_create([User(username=f"bench{i}", password="!") for i in range(count)])
    phones = [f"139{i:08d}" for i in range(count)]
    StaffAccount.objects.bulk_create(
        [
            StaffAccount(
                user=user,
                organization=organization,
                role=StaffRole.VIEWER,
                display_name=f"测试{i}",
                phone=phone,
                phone_index=phone_blind_index(phone),
            )
            for i, (user, phone) in enumerate(zip(users, phones, strict=True))
        ]
    )
    target = phones[count * 2 // 3]

    def by_index() -> None:
        assert StaffAccount.objects.filter(phone_index=phone_blind_index(target)).count() == 1

    def by_scan() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM orgs_staffaccount")
            found = [token for (token,) in cursor.fetchall() if token and crypto.decrypt(token) == target]
        assert len(found) == 1

    return figure(
        f"phone_lookup_{count}", best_of(20, by_index), "s", "decrypt every row and compare", best_of(3, by_scan)
    )


def bench_subtree(width: int = 12) -> Result:
    """Everything under a city federation: one materialized-path query vs walking parent links level by level."""
    city = UnionOrganization.objects.get(name="贵阳市总工会")
    county_region = Region.objects.get(code="520102")
    for i in range(width):
        county = organization_create(
            name=f"基准区{i}", organization_type=OrganizationType.FEDERATION, region=county_region, parent=city
        )
        for j in range(width):
            street = organization_create(
                name=f"基准街道{i}-{j}",
                organization_type=OrganizationType.TOWNSHIP,
                region=county_region,
                parent=county,
            )
            for k in range(4):
                organization_create(
                    name=f"基准工会{i}-{j}-{k}",
                    organization_type=OrganizationType.JOINT,
                    region=county_region,
                    parent=street,
                )
    expected = UnionOrganization.objects.filter(path__startswith=city.path).count()

    def by_path() -> None:
        assert (
            len(list(UnionOrganization.objects.filter(path__startswith=city.path).values_list("pk", flat=True)))
            == expected
        )

    def by_walk() -> None:
        found, frontier = [city.pk], [city.pk]
        while frontier:
            frontier = list(UnionOrganization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            found.extend(frontier)
        assert len(found) == expected

    return figure(
        f"subtree_{expected}_organizations",
        best_of(20, by_path),
        "s",
        "parent-link walk, one query per level",
        best_of(20, by_walk),
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    results = [bench_region_load(), bench_region_reload()]
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    results += [bench_phone_lookup(), bench_subtree()]
    for result in results:
        print(
            f"{result['name']:<32} {result['value']:>10.4f} {result['unit']}   baseline {result['baseline_value']:>10.4f} "
            f"{result['unit']} ({result['baseline']})   ratio {result['ratio']}"
        )
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
