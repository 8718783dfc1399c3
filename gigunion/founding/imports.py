"""Importing existing union organizations with the enterprises they cover (FORMATS.md, 工会组织名册)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.exceptions import DomainError
from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.tabular import Column, RowError, missing_required, read_table
from gigunion.core.validators import CreditCodeError, DateError, parse_credit_code, parse_date
from gigunion.enterprises.models import Enterprise
from gigunion.founding.services import coverage_start
from gigunion.orgs.models import (
    FOUNDING_MODE_NAMES,
    ORGANIZATION_TYPE_NAMES,
    FoundingMode,
    OrganizationType,
    UnionOrganization,
)
from gigunion.orgs.services import organization_create
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_codes_upwards

UNION_COLUMNS = [
    Column("name", "工会名称", required=True, help="同一上级工会下不重名"),
    Column("code", "工会代码"),
    Column("type", "工会类型", required=True, help="、".join(ORGANIZATION_TYPE_NAMES)),
    Column("founding_mode", "建会方式", help="单独建、联合建、依托建、牵头建、推动建、社区建"),
    Column("parent", "上级工会", help="上级工会的代码或全称；空着则挂到所在地区的工会"),
    Column("region", "区划代码", required=True),
    Column("founded_on", "成立日期", help="YYYY-MM-DD"),
    Column("covered", "涵盖单位", help="所涵盖单位的统一社会信用代码，用、或 , 或 ; 分隔"),
    Column("chair", "工会主席"),
    Column("industry", "所属行业", help="行业工会联合会所在行业"),
]
_HEADER = {column.key: column.header for column in UNION_COLUMNS}
_SEPARATORS = re.compile(r"[、,，;；\s]+")
_PLACEMENT_TYPES = [OrganizationType.FEDERATION, OrganizationType.TOWNSHIP, OrganizationType.NATIONAL_FEDERATION]
_FIELDS = ["organization_type", "founding_mode", "region_id", "founded_on", "chair_name", "industry"]


@dataclass
class _Row:
    number: int
    name: str
    code: str
    values: dict[str, Any]
    parent_text: str
    covered: list[str]


def _choice(text: str, names: dict[str, Any], values: list[str]) -> Any:
    if text in names:
        return names[text]
    return text if text in values else None


def _parse(number: int, cells: dict[str, str], regions: dict[str, Region]) -> tuple[_Row | None, list[RowError]]:
    errors = missing_required(number, cells, UNION_COLUMNS)
    organization_type = None
    if cells["type"]:
        organization_type = _choice(cells["type"], ORGANIZATION_TYPE_NAMES, OrganizationType.values)
        if organization_type is None or organization_type == OrganizationType.NATIONAL_FEDERATION:
            errors.append(RowError(number, _HEADER["type"], _("Unknown union type.")))
    founding_mode = ""
    if cells["founding_mode"]:
        founding_mode = _choice(cells["founding_mode"], FOUNDING_MODE_NAMES, FoundingMode.values) or ""
        if not founding_mode:
            errors.append(RowError(number, _HEADER["founding_mode"], _("Unknown founding mode.")))
    if cells["region"] and cells["region"] not in regions:
        errors.append(RowError(number, _HEADER["region"], _("Unknown division code.")))
    founded_on: date | None = None
    if cells["founded_on"]:
        try:
            founded_on = parse_date(cells["founded_on"])
        except DateError as error:
            message = _("This date does not exist.") if error.code == "range" else _("Write the date as YYYY-MM-DD.")
            errors.append(RowError(number, _HEADER["founded_on"], message))
    covered: list[str] = []
    for text in _SEPARATORS.split(cells["covered"]):
        if not text:
            continue
        try:
            covered.append(parse_credit_code(text))
        except CreditCodeError:
            errors.append(
                RowError(
                    number,
                    _HEADER["covered"],
                    _("%(code)s is not a valid unified social credit code.") % {"code": text},
                )
            )
    if errors:
        return None, errors
    values = {
        "organization_type": organization_type,
        "founding_mode": founding_mode,
        "region_id": cells["region"],
        "founded_on": founded_on,
        "chair_name": cells["chair"],
        "industry": cells["industry"],
    }
    return _Row(number, cells["name"], cells["code"], values, cells["parent"], list(dict.fromkeys(covered))), []


class _Resolver:
    """Finds a row's parent: by code or exact name in the scope, or a row earlier in the file."""

    def __init__(self, scope: UnionOrganization | None) -> None:
        self.scope_path = scope.path if scope else "/"
        self.in_file: dict[str, UnionOrganization] = {}

    def visible(self) -> QuerySet[UnionOrganization]:
        return UnionOrganization.objects.filter(path__startswith=self.scope_path, is_active=True)

    def parent(self, text: str) -> UnionOrganization:
        if text in self.in_file:
            return self.in_file[text]
        matches = list(self.visible().filter(code=text).select_related("region")[:1]) or list(
            self.visible().filter(name=text).select_related("region")[:2]
        )
        if not matches:
            raise DomainError(_("No union with this code or name in your jurisdiction."), code="parent")
        if len(matches) > 1:
            raise DomainError(_("Several unions have this name: use the union's code."), code="parent")
        return matches[0]

    def placement(self, region_id: str) -> UnionOrganization:
        """The union of the row's area: the deepest federation or township union whose region holds it."""
        codes = region_codes_upwards(region_id)
        candidates = {
            organization.region_id: organization
            for organization in self.visible()
            .filter(region_id__in=codes, organization_type__in=_PLACEMENT_TYPES)
            .select_related("region")
            .order_by("-pk")
        }
        for code in codes:
            if code in candidates:
                return candidates[code]
        raise DomainError(_("No federation of this region in your jurisdiction: give the higher union."), code="parent")

    def remember(self, row: _Row, organization: UnionOrganization) -> None:
        self.in_file[row.name] = organization
        if row.code:
            self.in_file[row.code] = organization


def _write_row(
    row: _Row, resolver: _Resolver, enterprises: dict[str, Enterprise], today: date
) -> tuple[str, UnionOrganization]:
    """Create or update one union and its coverage; returns 'imported', 'updated' or 'unchanged'."""
    parent = resolver.parent(row.parent_text) if row.parent_text else resolver.placement(row.values["region_id"])
    if not row.values["region_id"].startswith(parent.region_prefix):
        raise DomainError(_("The region of an organization must lie within its parent's region."), code="region")
    existing = None
    if row.code:
        existing = UnionOrganization.objects.filter(code=row.code).first()
        if existing is not None and not existing.path.startswith(resolver.scope_path):
            raise DomainError(_("This union code belongs to a union outside your jurisdiction."), code="code")
    if existing is None:
        existing = UnionOrganization.objects.filter(parent=parent, name=row.name).first()
    outcome = "unchanged"
    if existing is None:
        organization = organization_create(
            name=row.name,
            organization_type=row.values["organization_type"],
            region=Region.objects.get(code=row.values["region_id"]),
            parent=parent,
            code=row.code or None,
            founding_mode=row.values["founding_mode"],
            industry=row.values["industry"],
            chair_name=row.values["chair_name"],
            founded_on=row.values["founded_on"],
        )
        outcome = "imported"
    else:
        organization = existing
        if organization.parent_id != parent.pk or organization.name != row.name:
            raise DomainError(
                _("A union with this code already exists under another parent or name (%(name)s).")
                % {"name": organization.name},
                code="code",
            )
        changed = [field for field in _FIELDS if getattr(organization, field) != row.values[field]]
        if changed:
            for field in changed:
                setattr(organization, field, row.values[field])
            organization.save(update_fields=[*changed, "updated_at"])
            outcome = "updated"
    started_on = row.values["founded_on"] or today
    for code in row.covered:
        if coverage_start(organization=organization, enterprise=enterprises[code], started_on=started_on):
            outcome = "updated" if outcome == "unchanged" else outcome
    resolver.remember(row, organization)
    return outcome, organization


def unions_import(
    *, data: bytes, filename: str, scope: UnionOrganization | None = None, progress: ProgressCallback | None = None
) -> ImportReport:
    """Import union organizations and their coverage. Valid rows are taken; the rest reported by row.

    `scope` bounds where unions may be placed (the importer's organization; None for the whole tree).
    A row that fails leaves nothing behind (each row in a savepoint); importing again changes nothing.
    """
    sheet = read_table(data, filename=filename, columns=UNION_COLUMNS)
    report = ImportReport(warnings=list(sheet.warnings))
    region_codes = {cells["region"] for _n, cells in sheet.rows if cells["region"]}
    regions = {region.code: region for region in Region.objects.filter(code__in=region_codes)}
    scope_prefix = scope.region_prefix if scope else ""
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in sheet.rows:
        row, errors = _parse(number, cells, regions)
        if row is not None and not row.values["region_id"].startswith(scope_prefix):
            errors = [RowError(number, _HEADER["region"], _("This region is outside your jurisdiction."))]
            row = None
        if row is not None:
            key = ("", row.code) if row.code else (row.parent_text, row.name)
            if key in seen:
                errors = [
                    RowError(
                        number,
                        _HEADER["name"],
                        _("The same union is already on row %(row)d.") % {"row": seen[key]},
                    )
                ]
                row = None
            else:
                seen[key] = number
        report.errors.extend(errors)
        if row is not None:
            rows.append(row)

    wanted = {code for row in rows for code in row.covered}
    enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=wanted)}
    today = timezone.localdate()
    resolver = _Resolver(scope)
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            unknown = [code for code in row.covered if code not in enterprises]
            if progress:
                progress(done - 1, len(rows))
            outside = [
                code
                for code in row.covered
                if code in enterprises and not enterprises[code].region_id.startswith(scope_prefix)
            ]
            if unknown or outside:
                message = (
                    _("No enterprise with credit code %(code)s is registered: import the enterprise list first.")
                    % {"code": unknown[0]}
                    if unknown
                    else _("The enterprise %(code)s is outside your jurisdiction.") % {"code": outside[0]}
                )
                report.errors.append(RowError(row.number, _HEADER["covered"], message))
                continue
            try:
                with transaction.atomic():
                    outcome, _organization = _write_row(row, resolver, enterprises, today)
            except DomainError as error:
                column = {"parent": "parent", "region": "region", "code": "code", "covered": "covered"}.get(
                    error.code, "name"
                )
                report.errors.append(RowError(row.number, _HEADER[column], error.message))
                continue
            if outcome == "imported":
                report.imported += 1
            elif outcome == "updated":
                report.updated += 1
            else:
                report.unchanged += 1
    if progress:
        progress(len(rows), len(rows))
    report.errors.sort(key=lambda error: error.row)  # stable: a row's own errors keep their order
    return report
