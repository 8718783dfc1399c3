"""Survey sheets (摸底表) of a round: what submitting would lock, the sheet of an area's cells, and its import.

A cell is one region (at the level the records give it) × occupation (or ALL). The sheet lists the
area's cells with their current figures (a survey entry's figures where one is set) and takes a filled
sheet back: each row becomes the round's survey entry of its cell. A figure left blank, or equal to
the computed one, stays computed. Nothing is saved when any row is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.core.occupations import KEY_GROUPS, occupation_from_text
from gigunion.core.tabular import Column, RowError, export_xlsx, missing_required, read_table
from gigunion.orgs.access import require_jurisdiction
from gigunion.regions.models import Region
from gigunion.regions.selectors import ChildPlacer, region_children
from gigunion.surveys.models import ALL, FIGURE_NAMES, RoundFigure, SubmissionKind, SurveyRound
from gigunion.surveys.selectors import OCCUPATION_ORDER, AreaFigures, Counts, round_submissions
from gigunion.surveys.services import _snapshot, survey_entry_save

SHEET_COLUMNS = [
    Column("region_code", "区划代码", required=True, help="行政区划代码（6位县级或9位乡镇级）"),
    Column("region_name", "地区", help="仅供核对，导入时不读取"),
    Column("occupation", "职业", required=True, help="职业名称，或“全部”表示全部职业合计"),
    Column("employers", "用工单位数", help="留空：按登记数据计算"),
    Column("unions", "工会数", help="留空：按登记数据计算"),
    Column("covered_employers", "覆盖单位数", help="留空：按登记数据计算"),
    Column("workers", "从业人员数", help="留空：按台账计算"),
    Column("members", "会员数", help="留空：按会员数据计算"),
    Column("note", "说明", help="数据来源或说明，如“某街道摸底表”"),
]
_ALL_NAMES = {"全部", "合计", "全部职业", ALL}
_CHINESE_OCCUPATION = {
    "truck_driver": "货车司机",
    "courier": "快递员",
    "caregiver": "护工护理员",
    "domestic_worker": "家政服务员",
    "mall_promoter": "商场信息员",
    "delivery_rider": "网约送餐员",
    "real_estate_agent": "房产中介员",
    "security_guard": "保安员",
    "ride_hailing_driver": "网约车司机",
    "designated_driver": "代驾",
    "other": "其他",
    ALL: "全部",
}
_HEADER = {column.key: column.header for column in SHEET_COLUMNS}


def _prefix(region: Region | None) -> str:
    return region.prefix if region is not None else ""


def _locked_prefixes(round: SurveyRound, prefix: str) -> list[str]:
    return [
        submission.region_prefix
        for submission in round_submissions(round, prefix)
        if submission.kind == SubmissionKind.SUBMISSION and submission.region_prefix.startswith(prefix)
    ]


def round_preview(region: Region | None, round: SurveyRound) -> AreaFigures:
    """The figures submitting the area now would give: parts lower levels locked as they locked them,
    the rest from the tallies with the round's survey entries in place of the computed figures."""
    prefix = _prefix(region)
    children = list(region_children(region=region))
    placer = ChildPlacer(children)
    locked = _locked_prefixes(round, prefix)
    cells: dict[tuple[str | None, str], Counts] = {}
    entered: dict[tuple[str | None, str], set[str]] = {}

    def add(code: str, occupation: str, values: Mapping[str, int], names: set[str] | list[str]) -> None:
        where = (placer.place(code), occupation)
        target = cells.setdefault(where, Counts())
        for name in FIGURE_NAMES:
            setattr(target, name, getattr(target, name) + values[name])
        if names:
            entered.setdefault(where, set()).update(names)

    snapshot, snapshot_entered = _snapshot(prefix, round)
    for (code, occupation), values in snapshot.items():
        if not any(code.startswith(done) for done in locked):
            add(code, occupation, values, snapshot_entered.get((code, occupation), set()))
    corrected: set[tuple[str | None, str]] = set()
    rows = RoundFigure.objects.filter(round=round, current=True, region_code__startswith=prefix)
    for row in rows.select_related("submission"):
        if any(row.region_code.startswith(done) for done in locked):
            add(row.region_code, row.occupation, {name: getattr(row, name) for name in FIGURE_NAMES}, row.entered)
            if row.submission.kind == SubmissionKind.CORRECTION:
                corrected.add((placer.place(row.region_code), row.occupation))
    return AreaFigures(
        region=region,
        round=round,
        as_of=round.ends_on,
        children=children,
        cells=cells,
        entered=entered,
        corrected=corrected,
    )


@dataclass(frozen=True)
class SheetRow:
    region_code: str
    region_name: str
    occupation: str
    values: dict[str, int]
    note: str


def sheet_rows(region: Region | None, round: SurveyRound) -> list[SheetRow]:
    """The area's cells for a survey sheet: every child region (and the area itself) in all occupations
    and the four key groups, and every other cell holding a figure; survey entries where set."""
    prefix = _prefix(region)
    snapshot, _entered = _snapshot(prefix, round)
    keys = set(snapshot)
    places = [region] if region is not None else []
    places += list(region_children(region=region))
    for place in places:
        keys.update((place.code, occupation) for occupation in [ALL, *[str(group) for group in KEY_GROUPS]])
    notes = {
        (code, occupation): note
        for code, occupation, note in round.entries.filter(region_code__startswith=prefix).values_list(
            "region_code", "occupation", "note"
        )
    }
    names = dict(Region.objects.filter(code__in={code for code, _occupation in keys}).values_list("code", "name"))
    order = {occupation: index for index, occupation in enumerate([ALL, *OCCUPATION_ORDER])}
    empty = dict.fromkeys(FIGURE_NAMES, 0)
    return [
        SheetRow(
            code,
            names.get(code, ""),
            occupation,
            dict(snapshot.get((code, occupation), empty)),
            notes.get((code, occupation), ""),
        )
        for code, occupation in sorted(keys, key=lambda key: (key[0], order.get(key[1], 99), key[1]))
        if code in names
    ]


def sheet_xlsx(region: Region | None, round: SurveyRound) -> bytes:
    rows = [
        [
            row.region_code,
            row.region_name,
            _CHINESE_OCCUPATION.get(row.occupation, row.occupation),
            *[row.values[name] for name in FIGURE_NAMES],
            row.note,
        ]
        for row in sheet_rows(region, round)
    ]
    return export_xlsx([column.header for column in SHEET_COLUMNS], rows, sheet_title=f"摸底表 {round.name}")


def _occupation(text: str) -> str | None:
    if text.strip().lower() in _ALL_NAMES:
        return ALL
    occupation = occupation_from_text(text.strip())
    return str(occupation) if occupation is not None else None


def survey_sheet_import(*, user: Any, round: SurveyRound, data: bytes, filename: str) -> tuple[int, list[RowError]]:
    """Save a filled survey sheet as the round's entries: (cells saved, errors). Nothing is saved if any row is wrong.

    A figure left blank or equal to the computed figure stays computed; a row with every figure so
    (and no note) removes the cell's entry."""
    jurisdiction = require_jurisdiction(user)
    if not jurisdiction.can_change:
        raise NotAllowed(_("Viewers cannot change survey figures."))
    sheet = read_table(data, filename=filename, columns=SHEET_COLUMNS, max_rows=20_000)
    computed, _none = _snapshot(jurisdiction.region_prefix, None)
    # What the downloaded sheet showed: a figure left as shown keeps what it was (entered or computed).
    shown, entered = _snapshot(jurisdiction.region_prefix, round)
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    saved = 0
    with transaction.atomic():
        for number, values in sheet.rows:
            missing = missing_required(number, values, SHEET_COLUMNS)
            if missing:
                errors += missing
                continue
            code = values["region_code"].strip()
            occupation = _occupation(values["occupation"])
            if occupation is None:
                errors.append(
                    RowError(
                        number,
                        _HEADER["occupation"],
                        _("Unknown occupation %(name)s.") % {"name": values["occupation"]},
                    )
                )
                continue
            if (code, occupation) in seen:
                errors.append(
                    RowError(
                        number, "", _("The same cell is on row %(row)s already.") % {"row": seen[(code, occupation)]}
                    )
                )
                continue
            seen[(code, occupation)] = number
            zero = dict.fromkeys(FIGURE_NAMES, 0)
            base = computed.get((code, occupation), zero)
            was = shown.get((code, occupation), zero)
            figures: dict[str, object] = {}
            for name in FIGURE_NAMES:
                text = values[name].strip().replace(",", "")
                if text.endswith(".0"):
                    text = text[:-2]
                if text == str(was[name]):
                    # Unchanged from the sheet: an entered figure stays entered, a computed one (or a sum) computed.
                    figures[name] = text if name in entered.get((code, occupation), set()) else ""
                else:
                    figures[name] = "" if text == str(base[name]) else text
            try:
                survey_entry_save(
                    user=user, round=round, region_code=code, occupation=occupation, values=figures, note=values["note"]
                )
            except NotVisible:
                errors.append(RowError(number, _HEADER["region_code"], _("This region is outside your jurisdiction.")))
                continue
            except DomainError as error:
                errors.append(RowError(number, _HEADER.get(_column_key(error.code), ""), error.message))
                continue
            saved += 1
        if errors:
            transaction.set_rollback(True)
            return 0, errors
    return saved, errors


def _column_key(code: str) -> str:
    return {"region": "region_code"}.get(code, code)
