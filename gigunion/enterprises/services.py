from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.db import ANALYZE_AFTER_ROWS, analyze
from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.occupations import OCCUPATION_NAMES, Occupation, occupation_from_text
from gigunion.core.tabular import Column, RowError, missing_required, read_table
from gigunion.core.validators import CreditCodeError, parse_credit_code
from gigunion.enterprises.models import ENTERPRISE_KIND_NAMES, Enterprise, EnterpriseKind
from gigunion.regions.models import Region

ENTERPRISE_COLUMNS = [
    Column("name", "单位名称", required=True),
    Column("credit_code", "统一社会信用代码", required=True, help="18 位，GB 32100"),
    Column("industry", "所属行业"),
    Column("region", "区划代码", required=True, help="6、9 或 12 位区划代码"),
    Column("address", "地址"),
    Column("employees", "职工人数"),
    Column("gig_workers", "新就业形态劳动者人数"),
    Column("kind", "企业类型", help="平台总部、分支机构、加盟、代理、挂靠、劳务派遣、外包、其他"),
    Column("parent_credit_code", "上级企业统一社会信用代码"),
    Column(
        "workers_by_occupation",
        "新就业形态劳动者构成",
        help="按职业分列的人数，如“快递员:30、外卖配送员:12”",
    ),
]
_HEADER = {column.key: column.header for column in ENTERPRISE_COLUMNS}
_FIELDS = ["name", "industry", "region_id", "address", "employees", "gig_workers", "kind", "workers_by_occupation"]
_JSON_FIELD = _FIELDS.index("workers_by_occupation")
_PART = re.compile(r"^(.+?)\s*[:：]\s*(\d+)$")
_PARTS = re.compile(r"[、,，;；]+")
_PROGRESS_EVERY = 200


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    parent_code: str

    @property
    def fields(self) -> tuple[Any, ...]:
        return tuple(self.values[name] for name in _FIELDS)

    def db_fields(self) -> tuple[Any, ...]:
        """The fields as SQL parameters (the breakdown as JSON for this database)."""
        fields = list(self.fields)
        field = Enterprise._meta.get_field("workers_by_occupation")
        fields[_JSON_FIELD] = field.get_db_prep_save(fields[_JSON_FIELD], connection)
        return tuple(fields)


def _credit_code(text: str, key: str, number: int, errors: list[RowError]) -> str:
    if text == "":
        return ""
    try:
        return parse_credit_code(text)
    except CreditCodeError:
        errors.append(RowError(number, _HEADER[key], _("Not a valid unified social credit code.")))
        return ""


def _count(text: str, key: str, number: int, errors: list[RowError]) -> int | None:
    if text == "":
        return None
    if not text.isdigit():
        errors.append(RowError(number, _HEADER[key], _("Enter a whole number of 0 or more.")))
        return None
    return int(text)


def breakdown_text(breakdown: dict[str, int]) -> str:
    """The spreadsheet form of a breakdown, as the import reads it: '快递员:30、外卖配送员:12'."""
    names = {occupation: name for name, occupation in reversed(OCCUPATION_NAMES.items())}
    return "、".join(f"{names.get(Occupation(code), code)}:{count}" for code, count in breakdown.items())


def _breakdown(text: str, number: int, errors: list[RowError]) -> dict[str, int]:
    """'快递员:30、外卖配送员:12' → {'courier': 30, 'delivery_rider': 12}; one error per bad part."""
    breakdown: dict[str, int] = {}
    for part in _PARTS.split(text):
        part = part.strip()
        if not part:
            continue
        match = _PART.match(part)
        occupation = occupation_from_text(match[1].strip()) if match else None
        if match is None or occupation is None:
            errors.append(
                RowError(
                    number,
                    _HEADER["workers_by_occupation"],
                    _("“%(part)s”: write an occupation and a number, such as 快递员:30.") % {"part": part},
                )
            )
            continue
        breakdown[occupation.value] = breakdown.get(occupation.value, 0) + int(match[2])
    return breakdown


def _parse_row(
    number: int, cells: dict[str, str], regions: set[str], region_prefix: str
) -> tuple[_Row | None, list[RowError]]:
    errors = missing_required(number, cells, ENTERPRISE_COLUMNS)
    credit_code = _credit_code(cells["credit_code"], "credit_code", number, errors)
    region = cells["region"]
    if region and region not in regions:
        errors.append(RowError(number, _HEADER["region"], _("Unknown division code.")))
    elif region and not region.startswith(region_prefix):
        errors.append(RowError(number, _HEADER["region"], _("This region is outside your jurisdiction.")))
    kind = EnterpriseKind.OTHER
    if cells["kind"]:
        found = ENTERPRISE_KIND_NAMES.get(cells["kind"]) or (
            EnterpriseKind(cells["kind"]) if cells["kind"] in EnterpriseKind.values else None
        )
        if found is None:
            errors.append(RowError(number, _HEADER["kind"], _("Unknown enterprise kind.")))
        else:
            kind = found
    parent_code = _credit_code(cells["parent_credit_code"], "parent_credit_code", number, errors)
    if parent_code and parent_code == credit_code:
        errors.append(
            RowError(number, _HEADER["parent_credit_code"], _("An enterprise cannot be its own head enterprise."))
        )
    employees = _count(cells["employees"], "employees", number, errors)
    gig_workers = _count(cells["gig_workers"], "gig_workers", number, errors)
    breakdown = _breakdown(cells["workers_by_occupation"], number, errors)
    if breakdown and gig_workers is None:
        gig_workers = sum(breakdown.values())
    elif breakdown and gig_workers is not None and sum(breakdown.values()) > gig_workers:
        errors.append(
            RowError(
                number,
                _HEADER["workers_by_occupation"],
                _("The occupations add up to %(sum)d, more than the %(total)d gig workers given.")
                % {"sum": sum(breakdown.values()), "total": gig_workers},
            )
        )
    if errors:
        return None, errors
    values = {
        "credit_code": credit_code,
        "name": cells["name"],
        "industry": cells["industry"],
        "region_id": region,
        "address": cells["address"],
        "employees": employees,
        "gig_workers": gig_workers,
        "kind": str(kind.value),
        "workers_by_occupation": breakdown,
    }
    return _Row(number, values, parent_code), []


# Credit codes per `IN (...)` query: below the smallest limit on bound parameters (SQLite's 999).
_CHUNK = 900


def _chunks(codes: Iterable[str]) -> Iterator[list[str]]:
    codes = list(codes)
    for start in range(0, len(codes), _CHUNK):
        yield codes[start : start + _CHUNK]


def _ids_by_code(queryset: QuerySet[Enterprise], codes: Iterable[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in _chunks(codes):
        ids.update(queryset.filter(credit_code__in=chunk).values_list("credit_code", "id"))
    return ids


def _write(rows: dict[str, _Row], known_parents: dict[str, int], progress: ProgressCallback | None) -> tuple[int, int]:
    """Insert the new enterprises, update the changed ones, then point each at its head enterprise.

    Returns (created, updated). Rows go to the database with plain executemany statements: for a
    100,000-row list, bulk_create and bulk_update spent most of their time building model instances
    and SQL, many times what the database itself needs (bench/run.py, enterprises_import_100k).
    """
    existing: dict[str, tuple[Any, ...]] = {}  # code -> (code, id, parent_id, *_FIELDS)
    locked = Enterprise.objects.select_for_update()
    for chunk in _chunks(rows):
        for values in locked.filter(credit_code__in=chunk).values_list("credit_code", "id", "parent_id", *_FIELDS):
            existing[values[0]] = values
    stamp = Enterprise._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    updated: set[str] = set()
    for done, (code, row) in enumerate(rows.items(), start=1):
        current = existing.get(code)
        if current is None:
            inserts.append((code, *row.db_fields(), stamp, stamp))
        elif current[3:] != row.fields:
            updates.append((*row.db_fields(), stamp, current[1]))
            updated.add(code)
        if progress and done % _PROGRESS_EVERY == 0:
            progress(done, len(rows))

    meta = Enterprise._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column = {field.attname: quote(field.column) for field in meta.concrete_fields}
    with connection.cursor() as cursor:
        if inserts:
            names = [column[name] for name in ["credit_code", *_FIELDS, "created_at", "updated_at"]]
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",  # noqa: S608
                inserts,
            )
        if updates:
            assignments = ", ".join(f"{column[name]} = %s" for name in [*_FIELDS, "updated_at"])
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {column['id']} = %s", updates)  # noqa: S608

        # The ids of new rows that have a head enterprise or are one; then point every row at its head.
        ids = {code: values[1] for code, values in existing.items()}
        heads_in_file = {row.parent_code for row in rows.values() if row.parent_code in rows}
        needed = [code for code, row in rows.items() if code not in ids and (row.parent_code or code in heads_in_file)]
        ids.update(_ids_by_code(Enterprise.objects.all(), needed))
        parent_ids = {**known_parents, **ids}
        parent_changes: list[tuple[int | None, int]] = []
        for code, row in rows.items():
            # .get: a head whose own row was rejected after this row was accepted leaves no parent, as before.
            parent_id = parent_ids.get(row.parent_code) if row.parent_code else None
            current = existing.get(code)
            if parent_id != (current[2] if current else None):
                parent_changes.append((parent_id, ids[code]))
                if current:
                    updated.add(code)
        if parent_changes:
            cursor.executemany(
                f"UPDATE {table} SET {column['parent_id']} = %s WHERE {column['id']} = %s",  # noqa: S608
                parent_changes,
            )
    return len(inserts), len(updated)


def enterprises_import(
    *, data: bytes, filename: str, region_prefix: str = "", progress: ProgressCallback | None = None
) -> ImportReport:
    """Import an enterprise list (FORMATS.md, 企业名单): valid rows are taken, the rest reported by row.

    De-duplicated by credit code; importing the same file again changes nothing. The whole
    file is written in one transaction, so a failure leaves the registry as it was.
    """
    sheet = read_table(data, filename=filename, columns=ENTERPRISE_COLUMNS)
    report = ImportReport(warnings=list(sheet.warnings))
    codes_in_file = {cells["region"] for _number, cells in sheet.rows if cells["region"]}
    regions = set(Region.objects.filter(code__in=codes_in_file).values_list("code", flat=True))
    rows: dict[str, _Row] = {}
    for number, cells in sheet.rows:
        row, errors = _parse_row(number, cells, regions, region_prefix)
        if row is not None and row.values["credit_code"] in rows:
            first = rows[row.values["credit_code"]].number
            errors = [
                RowError(
                    number,
                    _HEADER["credit_code"],
                    _("The same credit code is already on row %(row)d.") % {"row": first},
                )
            ]
            row = None
        report.errors.extend(errors)
        if row is not None:
            rows[row.values["credit_code"]] = row

    if region_prefix:
        # An enterprise registered elsewhere is another jurisdiction's to change, even if this file moves it here.
        foreign = Enterprise.objects.exclude(region__code__startswith=region_prefix)
        for code in _ids_by_code(foreign, list(rows)):
            report.errors.append(
                RowError(
                    rows[code].number,
                    _HEADER["credit_code"],
                    _("This enterprise is registered in a region outside your jurisdiction."),
                )
            )
            del rows[code]

    wanted_parents = {row.parent_code for row in rows.values() if row.parent_code} - set(rows)
    known_parents = _ids_by_code(Enterprise.objects.all(), wanted_parents)
    for code, row in list(rows.items()):
        if row.parent_code and row.parent_code not in rows and row.parent_code not in known_parents:
            report.errors.append(
                RowError(
                    row.number, _HEADER["parent_credit_code"], _("No enterprise with this credit code is registered.")
                )
            )
            del rows[code]

    with transaction.atomic():
        created, updated = _write(rows, known_parents, progress)
        if created + updated >= ANALYZE_AFTER_ROWS:
            analyze(Enterprise)
    report.imported = created
    report.updated = updated
    report.unchanged = len(rows) - created - updated
    if progress:
        progress(len(rows), len(rows))
    report.errors.sort(key=lambda error: error.row)
    return report
