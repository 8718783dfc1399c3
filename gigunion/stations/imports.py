"""Taking in station lists (服务站点, FORMATS.md) and demand hotspots (需求热点), and giving station lists out.

Each row is checked cell by cell with the checks every form uses (stations.checks), and every bad cell
is reported by row and column; the row is then left out and the good rows are written. A station (or
hotspot) is known by its region and name: a new pair is imported, a known one updated when the row
says something else and unchanged otherwise, so importing the same file again changes nothing.
Columns a file lacks leave stored values alone (a list without 星级 keeps the ratings); coordinates
in GCJ-02 or BD-09 are stored as WGS-84.

The whole file is read and checked before anything is written, so a file that cannot be read changes
nothing. Rows are then written in chunks, one transaction each: the progress bar moves, and an import
stopped part-way keeps the chunks it finished (running it again completes it). The spatial index of
open stations follows by itself (database triggers and index, ADR 0009).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.db import ANALYZE_AFTER_ROWS, analyze
from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.core.tabular import Column, RowError, read_table
from gigunion.orgs.access import Jurisdiction
from gigunion.orgs.models import StaffRole, UnionOrganization
from gigunion.regions.models import Region
from gigunion.stations.checks import Checked, check_coordinates, check_station
from gigunion.stations.geo import Crs
from gigunion.stations.models import (
    SERVICE_CHINESE,
    STATION_KIND_NAMES,
    Hotspot,
    Station,
    StationKind,
    StationStatus,
    services_of,
)
from gigunion.stations.services import station_values

STATION_COLUMNS = [
    Column("name", "站点名称", required=True, help="同一区划内不重名；按“区划代码 + 站点名称”更新已有站点"),
    Column("kind", "类型", required=True, help="、".join(STATION_KIND_NAMES)),
    Column("region", "区划代码", required=True, help="站点所在的 6、9 或 12 位区划代码"),
    Column("address", "地址"),
    Column("lng", "经度", required=True, help="如 106.7135"),
    Column("lat", "纬度", required=True, help="如 26.5783"),
    Column("crs", "坐标系", help="WGS84（默认，GPS）、GCJ02（高德、腾讯地图）或 BD09（百度地图）"),
    Column("hours", "开放时间", help="如 08:00-20:00；分段用、隔开，如 08:00-12:00、14:00-18:00；全天写 24小时"),
    Column("services", "服务项目", help="用、，或；分隔，如 休息、充电、饮水、医药箱、学习交流、热饭、如厕"),
    Column("contact_name", "联系人"),
    Column("contact_phone", "联系电话"),
    Column("stars", "星级", help="1–5"),
    Column("host", "依托单位", help="如 银行网点、商场、社区服务中心"),
    Column("status", "状态", help="开放、暂停开放或已关闭；留空时新站点为开放，已有站点不变"),
]
STATION_EXPORT_HEADERS = [column.header for column in STATION_COLUMNS]

HOTSPOT_COLUMNS = [
    Column("name", "名称", required=True, help="如 某商圈、某物流园；同一区划内不重名，按“区划代码 + 名称”更新"),
    Column("region", "区划代码", required=True, help="6、9 或 12 位区划代码"),
    Column("lng", "经度", required=True, help="如 106.7135"),
    Column("lat", "纬度", required=True, help="如 26.5783"),
    Column("crs", "坐标系", help="WGS84（默认，GPS）、GCJ02（高德、腾讯地图）或 BD09（百度地图）"),
    Column("weight", "劳动者数", required=True, help="在此聚集或等单的劳动者人数，1 以上的整数，用作覆盖率的权重"),
    Column("source", "来源", help="如 平台数据、实地摸底"),
]

# The Chinese status names the export writes, and what else a spreadsheet may say.
STATION_STATUS_NAMES = {
    "开放": StationStatus.OPEN,
    "暂停开放": StationStatus.PAUSED,
    "已关闭": StationStatus.CLOSED,
}
_STATUS_LOOKUP: dict[str, StationStatus] = {
    **STATION_STATUS_NAMES,
    "正常": StationStatus.OPEN,
    "运行": StationStatus.OPEN,
    "暂停": StationStatus.PAUSED,
    "临时关闭": StationStatus.PAUSED,
    "关闭": StationStatus.CLOSED,
    "停用": StationStatus.CLOSED,
    **{status.value: status for status in StationStatus},
}
_STATUS_CHINESE = {status: name for name, status in STATION_STATUS_NAMES.items()}
_KIND_CHINESE = {kind: name for name, kind in STATION_KIND_NAMES.items()}

# Rows written per transaction: a few hundred keeps each `IN (...)` below SQLite's 999 parameters.
CHUNK = 400
MAX_WORKERS = 10_000_000
# The export guards text that Excel would run as a formula with a leading apostrophe; read it back off.
_FORMULA_STARTS = ("=", "+", "-", "@")
_TEXT_KEYS = ("name", "address", "host", "contact_name", "contact_phone", "source")

# Which stored fields each optional column states (name, region and coordinates are always stated).
_STATION_FIELDS_OF = {
    "kind": ("kind",),
    "address": ("address",),
    "hours": ("hours_text", "all_day", "hours_ranges"),
    "services": ("services",),
    "contact_name": ("contact_name",),
    "contact_phone": ("contact_phone",),
    "stars": ("stars",),
    "host": ("host",),
    "status": ("status",),
}
_ALWAYS_STATED = ("lat", "lng")


def organization_jurisdiction(organization: UnionOrganization, role: StaffRole = StaffRole.OPERATOR) -> Jurisdiction:
    """The jurisdiction a union's staff (or a command acting as that union) imports in."""
    return Jurisdiction(
        organization_id=organization.pk,
        organization_path=organization.path,
        region_prefix=organization.region_prefix,
        role=role,
    )


def _unguarded(cells: dict[str, str]) -> dict[str, str]:
    """The cells without the apostrophe an export put before text Excel would take for a formula."""
    for key in _TEXT_KEYS:
        text = cells.get(key, "")
        if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_STARTS:
            cells[key] = text[1:]
    return cells


def _regions(codes: Iterable[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    wanted = sorted({code.strip() for code in codes if code.strip().isdigit() and len(code.strip()) in (6, 9, 12)})
    for start in range(0, len(wanted), 900):
        found.update((region.code, region) for region in Region.objects.filter(code__in=wanted[start : start + 900]))
    return found


def _region_message(code: str, regions: Mapping[str, Region], jurisdiction: Jurisdiction) -> str:
    """What is wrong with the row's region, in the form's words; "" when it exists within the jurisdiction."""
    region = regions.get(code)
    if region is None:
        return _("Unknown division code %(code)s.") % {"code": code[:12]}
    if not jurisdiction.covers_region(region.code):
        return _("%(name)s (%(code)s) is outside your jurisdiction.") % {"name": region.name, "code": region.code}
    return ""


def _require_change(jurisdiction: Jurisdiction) -> None:
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))


@dataclass(slots=True)
class _Row:
    """A valid row: its key (region code, name) and the stored fields it states."""

    number: int
    region: str
    name: str
    fields: dict[str, Any]


class _Duplicates:
    """Remembers the first row of each (region, name) in a file: a later row with the same key is refused."""

    def __init__(self, header: str) -> None:
        self.header = header
        self.first: dict[tuple[str, str], int] = {}

    def check(self, number: int, key: tuple[str, str] | None) -> list[RowError]:
        if key is None:
            return []
        first = self.first.setdefault(key, number)
        if first == number:
            return []
        message = _("The same name in the same region is already on row %(row)d.") % {"row": first}
        return [RowError(number, self.header, message)]


def _errors(number: int, errors: Mapping[str, str], columns: Sequence[Column]) -> list[RowError]:
    """One RowError per bad cell, in the order of the format's columns."""
    return [RowError(number, column.header, errors[column.key]) for column in columns if column.key in errors]


# ---------------------------------------------------------------------------------------------
# Stations
# ---------------------------------------------------------------------------------------------


def parse_status(text: str) -> StationStatus | None:
    """A status cell as a status; None for a blank cell (which states nothing)."""
    value = text.strip()
    if not value:
        return None
    status = _STATUS_LOOKUP.get(value) or _STATUS_LOOKUP.get(value.casefold())
    if status is None:
        raise ValueError(
            _("Unknown status “%(value)s”: use one of %(names)s.")
            % {"value": value[:20], "names": "、".join(STATION_STATUS_NAMES)}
        )
    return status


def _check_station_row(
    number: int, cells: dict[str, str], stated: set[str], regions: Mapping[str, Region], jurisdiction: Jurisdiction
) -> tuple[_Row | None, dict[str, str]]:
    checked = check_station(cells)
    errors = dict(checked.errors)
    status: StationStatus | None = None
    try:
        status = parse_status(cells.get("status", ""))
    except ValueError as error:
        errors["status"] = str(error)
    if "region" not in errors:
        message = _region_message(str(checked.values["region"]), regions, jurisdiction)
        if message:
            errors["region"] = message
    if errors:
        return None, errors
    values = station_values(checked.values)
    fields = {field: values[field] for field in _ALWAYS_STATED}
    for key, names in _STATION_FIELDS_OF.items():
        if key in stated and key != "status":
            fields.update((name, values[name]) for name in names)
    if status is not None:
        fields["status"] = status.value
    return _Row(number, str(checked.values["region"]), str(checked.values["name"]), fields), {}


def _key_of(cells: Mapping[str, str], regions: Mapping[str, Region]) -> tuple[str, str] | None:
    """(region, name) of a row whose region is known and name given, valid or not."""
    region, name = cells.get("region", "").strip(), cells.get("name", "").strip()
    return (region, name) if name and region in regions else None


@dataclass
class _Counts:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0


def _write_stations(rows: list[_Row], *, organization_id: int, actor: User | None, counts: _Counts) -> None:
    """Insert the new stations and update the changed ones of one chunk, in one transaction."""
    stamp = timezone.now()
    with transaction.atomic():
        existing: dict[tuple[str, str], Station] = {}
        candidates = Station.objects.select_for_update().filter(
            region_id__in={row.region for row in rows}, name__in={row.name for row in rows}
        )
        for found in candidates:
            existing[(found.region_id, found.name)] = found
        new: list[Station] = []
        changed: list[Station] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for row in rows:
            station = existing.get((row.region, row.name))
            if station is None:
                new.append(
                    Station(
                        code=secrets.token_urlsafe(9),
                        organization_id=organization_id,
                        region_id=row.region,
                        name=row.name,
                        created_by=actor,
                        **row.fields,
                    )
                )
                continue
            differences = [field for field, value in row.fields.items() if getattr(station, field) != value]
            if not differences:
                unchanged += 1
                continue
            for field in differences:
                setattr(station, field, row.fields[field])
            station.updated_at = stamp
            changed.append(station)
            changed_fields.update(differences)
        if new:
            Station.objects.bulk_create(new)
        if changed:
            Station.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}))
    counts.imported += len(new)
    counts.updated += len(changed)
    counts.unchanged += unchanged


def _write_in_chunks(
    rows: list[_Row], write: Callable[[list[_Row], _Counts], None], total: int, progress: ProgressCallback | None
) -> _Counts:
    counts = _Counts()
    done = total - len(rows)  # the rejected rows count as done
    if progress is not None:
        progress(done, total)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        for attempt in (1, 2):
            try:
                write(chunk, counts)
                break
            except IntegrityError:
                # Someone added a station of the same name meanwhile: read again and update it instead.
                if attempt == 2:
                    raise DomainError(
                        _("Another import changed the same records at the same time; run this import again."),
                        code="conflict",
                    ) from None
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return counts


def stations_import(
    data: bytes,
    filename: str,
    jurisdiction: Jurisdiction,
    actor: User | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a station list (FORMATS.md, 服务站点) into the jurisdiction: good rows taken, bad cells reported.

    New stations are the responsibility of the jurisdiction's union. Raises TabularError, writing
    nothing, when the file cannot be read at all; NotAllowed for a role that may not change.
    """
    _require_change(jurisdiction)
    sheet = read_table(data, filename=filename, columns=STATION_COLUMNS)
    report = ImportReport(warnings=list(sheet.warnings))
    stated = set(sheet.headers)
    regions = _regions(cells["region"] for _number, cells in sheet.rows)
    duplicates = _Duplicates(_header(STATION_COLUMNS, "name"))
    rows: list[_Row] = []
    for number, raw in sheet.rows:
        cells = _unguarded(raw)
        row, errors = _check_station_row(number, cells, stated, regions, jurisdiction)
        row_errors = _errors(number, errors, STATION_COLUMNS) + duplicates.check(number, _key_of(cells, regions))
        if row_errors:
            report.errors.extend(row_errors)
        elif row is not None:
            rows.append(row)

    def write(chunk: list[_Row], counts: _Counts) -> None:
        _write_stations(chunk, organization_id=jurisdiction.organization_id, actor=actor, counts=counts)

    counts = _write_in_chunks(rows, write, len(sheet.rows), progress)
    report.imported, report.updated, report.unchanged = counts.imported, counts.updated, counts.unchanged
    if counts.imported + counts.updated >= ANALYZE_AFTER_ROWS:
        analyze(Station)
    _audit_import(AuditAction.STATIONS_IMPORTED, "station_list", actor, jurisdiction, filename, report)
    return report


def station_export_rows(stations: Iterable[Station]) -> Iterator[list[object]]:
    """Stations as rows of STATION_EXPORT_HEADERS (the import's columns): the list imports back unchanged."""
    for station in stations:
        yield [
            station.name,
            _KIND_CHINESE.get(StationKind(station.kind), station.kind),
            station.region_id,
            station.address,
            station.lng,
            station.lat,
            Crs.WGS84.value,
            station.hours_text,
            "、".join(SERVICE_CHINESE[service] for service in services_of(station.services)),
            station.contact_name,
            station.contact_phone,
            station.stars,
            station.host,
            _STATUS_CHINESE.get(StationStatus(station.status), station.status),
        ]


# ---------------------------------------------------------------------------------------------
# Demand hotspots
# ---------------------------------------------------------------------------------------------


def _parse_weight(text: str) -> int:
    value = text.strip().replace(",", "").replace("，", "")
    if not value:
        raise ValueError(_("This is required."))
    if not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        raise ValueError(_("Write the number of workers as a whole number from 1 to 10,000,000."))
    return int(value)


def _check_hotspot_row(
    number: int, cells: dict[str, str], stated: set[str], regions: Mapping[str, Region], jurisdiction: Jurisdiction
) -> tuple[_Row | None, dict[str, str]]:
    checked = Checked()
    name = cells.get("name", "").strip()
    if not name:
        checked.errors["name"] = _("This is required.")
    elif len(name) > 128:
        checked.errors["name"] = _("At most %(count)d characters.") % {"count": 128}
    region = cells.get("region", "").strip()
    if not region:
        checked.errors["region"] = _("This is required.")
    else:
        message = _region_message(region, regions, jurisdiction)
        if message:
            checked.errors["region"] = message
    check_coordinates(cells.get("lat", ""), cells.get("lng", ""), cells.get("crs", ""), checked)
    weight = 0
    try:
        weight = _parse_weight(cells.get("weight", ""))
    except ValueError as error:
        checked.errors["weight"] = str(error)
    source = cells.get("source", "").strip()
    if len(source) > 64:
        checked.errors["source"] = _("At most %(count)d characters.") % {"count": 64}
    if checked.errors:
        return None, checked.errors
    fields: dict[str, Any] = {"lat": checked.values["lat"], "lng": checked.values["lng"], "weight": weight}
    if "source" in stated:
        fields["source"] = source
    return _Row(number, region, name, fields), {}


def _write_hotspots(rows: list[_Row], *, organization_id: int, counts: _Counts) -> None:
    with transaction.atomic():
        existing: dict[tuple[str, str], Hotspot] = {}
        candidates = Hotspot.objects.select_for_update().filter(
            region_id__in={row.region for row in rows}, name__in={row.name for row in rows}
        )
        for found_hotspot in candidates:
            existing[(found_hotspot.region_id, found_hotspot.name)] = found_hotspot
        new: list[Hotspot] = []
        changed: list[Hotspot] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for row in rows:
            hotspot = existing.get((row.region, row.name))
            if hotspot is None:
                new.append(Hotspot(organization_id=organization_id, region_id=row.region, name=row.name, **row.fields))
                continue
            differences = [field for field, value in row.fields.items() if getattr(hotspot, field) != value]
            if not differences:
                unchanged += 1
                continue
            for field in differences:
                setattr(hotspot, field, row.fields[field])
            changed.append(hotspot)
            changed_fields.update(differences)
        if new:
            Hotspot.objects.bulk_create(new)
        if changed:
            Hotspot.objects.bulk_update(changed, sorted(changed_fields))
    counts.imported += len(new)
    counts.updated += len(changed)
    counts.unchanged += unchanged


def hotspots_import(
    data: bytes,
    filename: str,
    jurisdiction: Jurisdiction,
    actor: User | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import demand hotspots (需求热点: 名称, 区划代码, 经度, 纬度, 坐标系, 劳动者数, 来源) for planning the
    15-minute circle; the same rules as a station list. Raises TabularError, writing nothing, for a file
    that cannot be read at all."""
    _require_change(jurisdiction)
    sheet = read_table(data, filename=filename, columns=HOTSPOT_COLUMNS)
    report = ImportReport(warnings=list(sheet.warnings))
    stated = set(sheet.headers)
    regions = _regions(cells["region"] for _number, cells in sheet.rows)
    duplicates = _Duplicates(_header(HOTSPOT_COLUMNS, "name"))
    rows: list[_Row] = []
    for number, raw in sheet.rows:
        cells = _unguarded(raw)
        row, errors = _check_hotspot_row(number, cells, stated, regions, jurisdiction)
        row_errors = _errors(number, errors, HOTSPOT_COLUMNS) + duplicates.check(number, _key_of(cells, regions))
        if row_errors:
            report.errors.extend(row_errors)
        elif row is not None:
            rows.append(row)

    def write(chunk: list[_Row], counts: _Counts) -> None:
        _write_hotspots(chunk, organization_id=jurisdiction.organization_id, counts=counts)

    counts = _write_in_chunks(rows, write, len(sheet.rows), progress)
    report.imported, report.updated, report.unchanged = counts.imported, counts.updated, counts.unchanged
    if counts.imported + counts.updated >= ANALYZE_AFTER_ROWS:
        analyze(Hotspot)
    _audit_import(AuditAction.HOTSPOTS_IMPORTED, "hotspot_list", actor, jurisdiction, filename, report)
    return report


def _header(columns: Sequence[Column], key: str) -> str:
    return next(column.header for column in columns if column.key == key)


def acting_union(text: str = "") -> UnionOrganization:
    """The union an import command acts as: the active one with this code or exact name, or, when none is
    named, the top of the tree (the national scope, as the other import commands act)."""
    unions = UnionOrganization.objects.select_related("region").filter(is_active=True)
    text = text.strip()
    if text:
        found = list(unions.filter(code=text)) or list(unions.filter(name=text)[:5])
        if not found:
            raise DomainError(_("No active union organization has the code or name %(name)s.") % {"name": text[:64]})
        if len(found) > 1:
            raise DomainError(
                _("Several union organizations are named %(name)s: give the union's code instead.") % {"name": text}
            )
        return found[0]
    roots = list(unions.filter(parent__isnull=True)[:2])
    if not roots:
        raise DomainError(_("There is no union organization yet: create the federation first."))
    if len(roots) > 1:
        raise DomainError(_("There are several top-level union organizations: name one with --union."))
    return roots[0]


def _audit_import(
    action: AuditAction,
    object_type: str,
    actor: User | None,
    jurisdiction: Jurisdiction,
    filename: str,
    report: ImportReport,
) -> None:
    """One audit event per import, with its counts."""
    audit_record(
        action=action,
        actor=actor,
        object_type=object_type,
        region_code=jurisdiction.region_prefix,
        details={
            "filename": filename[:200],
            "imported": report.imported,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        },
    )
