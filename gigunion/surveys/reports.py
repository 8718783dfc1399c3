"""The upward report (上报报表) of an area: the figures of its child regions by occupation, as CSV and Excel.

One row per child region × occupation (the occupations with any figure, in the glossary's order), then
the child region's `all` row; records placed at the area itself (no lower region given) come last,
under the area's own code. Rates are fractions with four decimals, blank without a denominator. The
workbook holds the same numbers in the tables a federation sends up, with the scope and the sources
of figures entered from survey sheets or corrected after submission.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from gigunion.core.occupations import OCCUPATION_NAMES
from gigunion.regions.models import Region
from gigunion.surveys.models import ALL, FIGURE_NAMES, SurveyRound
from gigunion.surveys.selectors import OCCUPATION_ORDER, AreaFigures, Counts, area_figures

REPORT_COLUMNS = (
    "region",
    "occupation",
    "employers",
    "unions",
    "covered_employers",
    "workers",
    "members",
    "membership_rate",
    "founding_rate",
)
# The first Chinese name of each occupation, as a federation writes it (core.occupations).
OCCUPATION_CHINESE: dict[str, str] = {str(code): name for name, code in reversed(list(OCCUPATION_NAMES.items()))}
OCCUPATION_CHINESE[ALL] = "全部职业"
_FIGURE_HEADERS = ["企业数", "工会数", "已覆盖企业数", "从业人员数", "会员数", "入会率", "建会率"]
_FIGURE_CHINESE = {
    "employers": "企业数",
    "unions": "工会数",
    "covered_employers": "已覆盖企业数",
    "workers": "从业人员数",
    "members": "会员数",
}


def _values(counts: Counts) -> list[object]:
    return [
        counts.employers,
        counts.unions,
        counts.covered_employers,
        counts.workers,
        counts.members,
        counts.membership_rate.fraction,
        counts.founding_rate.fraction,
    ]


def _row(code: str, occupation: str, counts: Counts) -> dict[str, object]:
    return dict(zip(REPORT_COLUMNS, [code, occupation, *_values(counts)], strict=True))


def figure_rows(figures: AreaFigures) -> list[dict[str, object]]:
    """The report's rows of already read figures (see the module docstring): a child's occupations with
    any figure, then its `all` row (zeros included, so every child region is listed)."""
    area_code = figures.region.code if figures.region is not None else ""
    rows: list[dict[str, object]] = []
    for child, _counts in figures.places():
        key = child.code if child is not None else None
        code = child.code if child is not None else area_code
        for occupation in OCCUPATION_ORDER:
            counts = figures.cell(key, occupation)
            if any(getattr(counts, name) for name in FIGURE_NAMES):
                rows.append(_row(code, occupation, counts))
        rows.append(_row(code, ALL, figures.cell(key, ALL)))
    return rows


def report_rows(region: Region | None, round: SurveyRound | None = None) -> list[dict[str, object]]:
    """One row per child region × occupation plus each child's `all` row; the area's own row last."""
    return figure_rows(area_figures(region, round=round))


def rows_csv(rows: Sequence[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def report_csv(region: Region | None, round: SurveyRound | None = None) -> bytes:
    """The report as CSV, UTF-8 with a header row (what `manage.py ledger_report` writes)."""
    return rows_csv(report_rows(region, round))


def _scope_note(figures: AreaFigures, today: date) -> str:
    area = f"{figures.region.name}（{figures.region.code}）" if figures.region is not None else "全国"
    when = f"{figures.round.name} 轮次（截至 {figures.round.ends_on:%Y-%m-%d}）" if figures.round else "当前数据"
    return f"范围：{area}；{when}；制表日期：{today:%Y-%m-%d}"


def report_workbook(region: Region | None, round: SurveyRound | None = None) -> bytes:
    """The report as an Excel workbook: 总表, 分地区, 地区×职业, 说明 (scope and sources of entered figures)."""
    figures = area_figures(region, round=round)
    today = timezone.localdate()
    note = _scope_note(figures, today)
    names = {child.code: child.name for child in figures.children}
    area_code = region.code if region is not None else ""
    area_name = region.name if region is not None else "全国"
    bold = Font(bold=True)
    workbook = Workbook()

    def sheet(title: str, headers: list[str], rows: list[list[object]], first: bool = False) -> None:
        page = workbook.active if first else workbook.create_sheet()
        page.title = title
        page.append([note])
        page.append(headers)
        for cell in page[2]:
            cell.font = bold
        for row in rows:
            page.append(row)
        page.freeze_panes = "A3"

    totals = [[OCCUPATION_CHINESE.get(code, code), *_values(counts)] for code, counts in figures.occupations()]
    totals.append([OCCUPATION_CHINESE[ALL], *_values(figures.total(ALL))])
    sheet("总表", ["职业", *_FIGURE_HEADERS], totals, first=True)

    places = [
        [child.code if child else area_code, child.name if child else f"{area_name}（本级）", *_values(counts)]
        for child, counts in figures.places()
    ]
    places.append([area_code, f"{area_name}（合计）", *_values(figures.total(ALL))])
    sheet("分地区", ["地区代码", "地区", *_FIGURE_HEADERS], places)

    cells = [
        [
            row["region"],
            names.get(str(row["region"]), f"{area_name}（本级）"),
            OCCUPATION_CHINESE.get(str(row["occupation"]), str(row["occupation"])),
            *[row[name] for name in REPORT_COLUMNS[2:]],
        ]
        for row in figure_rows(figures)
    ]
    sheet("地区×职业", ["地区代码", "地区", "职业", *_FIGURE_HEADERS], cells)

    sources: list[list[object]] = []
    for (child, occupation), entered in sorted(
        figures.entered.items(), key=lambda item: (item[0][0] or "", item[0][1])
    ):
        if not entered:
            continue
        listed = "、".join(_FIGURE_CHINESE.get(name, name) for name in sorted(entered))
        sources.append([child or area_code, OCCUPATION_CHINESE.get(occupation, occupation), f"摸底表填报：{listed}"])
    for child, occupation in sorted(figures.corrected, key=lambda item: (item[0] or "", item[1])):
        sources.append([child or area_code, OCCUPATION_CHINESE.get(occupation, occupation), "提交后更正"])
    if not sources:
        sources.append(["", "", "全部数据由台账和登记系统计算"])
    sheet("说明", ["地区代码", "职业", "数据来源"], sources)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
