from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.imports import ImportReport, ProgressCallback
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
]
_HEADER = {column.key: column.header for column in ENTERPRISE_COLUMNS}
_FIELDS = ["name", "industry", "region_id", "address", "employees", "gig_workers", "kind"]
_PROGRESS_EVERY = 200


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    parent_code: str


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
        "kind": kind,
    }
    return _Row(number, values, parent_code), []


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

    wanted_parents = {row.parent_code for row in rows.values() if row.parent_code} - set(rows)
    known_parents = set(Enterprise.objects.filter(credit_code__in=wanted_parents).values_list("credit_code", flat=True))
    for code, row in list(rows.items()):
        if row.parent_code and row.parent_code not in rows and row.parent_code not in known_parents:
            report.errors.append(
                RowError(
                    row.number, _HEADER["parent_credit_code"], _("No enterprise with this credit code is registered.")
                )
            )
            del rows[code]

    now = timezone.now()
    with transaction.atomic():
        existing = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=list(rows)).select_for_update()}
        to_create: list[Enterprise] = []
        to_update: list[Enterprise] = []
        for done, (code, row) in enumerate(rows.items(), start=1):
            current = existing.get(code)
            if current is None:
                to_create.append(Enterprise(**row.values))
            elif any(getattr(current, name) != row.values[name] for name in _FIELDS):
                for name in _FIELDS:
                    setattr(current, name, row.values[name])
                current.updated_at = now
                to_update.append(current)
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, len(rows))
        Enterprise.objects.bulk_create(to_create, batch_size=1000)
        Enterprise.objects.bulk_update(to_update, [*_FIELDS, "updated_at"], batch_size=1000)
        ids = dict(
            Enterprise.objects.filter(credit_code__in=list(rows) + list(known_parents)).values_list("credit_code", "id")
        )
        parent_changes: list[Enterprise] = []
        reparented = set()
        for enterprise in Enterprise.objects.filter(credit_code__in=list(rows)).only("id", "credit_code", "parent_id"):
            parent_id = (
                ids.get(rows[enterprise.credit_code].parent_code) if rows[enterprise.credit_code].parent_code else None
            )
            if enterprise.parent_id != parent_id:
                enterprise.parent_id = parent_id
                parent_changes.append(enterprise)
                reparented.add(enterprise.credit_code)
        Enterprise.objects.bulk_update(parent_changes, ["parent"], batch_size=1000)
    created = {enterprise.credit_code for enterprise in to_create}
    updated = {enterprise.credit_code for enterprise in to_update} | (reparented - created)
    report.imported = len(created)
    report.updated = len(updated)
    report.unchanged = len(rows) - len(created) - len(updated)
    if progress:
        progress(len(rows), len(rows))
    return report
