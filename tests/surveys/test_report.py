"""The upward report: `manage.py ledger_report` writes the figures of a city's districts by occupation, now or
as a submitted round locked them (tests/surveys/data.py's dataset)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.management import CommandError, call_command

from gigunion.ledger.models import Worker
from gigunion.regions.models import Region
from gigunion.surveys.models import SurveyRound
from gigunion.surveys.reports import report_csv, report_rows, report_workbook
from gigunion.surveys.services import round_correct, round_submit
from tests.conftest import Cast
from tests.people import Members
from tests.surveys.data import Survey, build_survey

pytestmark = pytest.mark.django_db

HEADER = [
    "region",
    "occupation",
    "employers",
    "unions",
    "covered_employers",
    "workers",
    "members",
    "membership_rate",
    "founding_rate",
]
EMPTY_DISTRICTS = ["520111", "520112", "520113", "520115", "520121", "520122", "520123", "520181"]
# 南明区: 陈小军 and 王小明 at work (riders), members 陈小军 and 刘洋 (in no roster); employers 南明快送 (riders
# and couriers, covered), 南明货运 (truck drivers), 南明家政 (no breakdown). 云岩区: 马建国 (truck, member),
# 李娟 (courier, pending), 张伟 (rider, moved here, two sources list him: counted once); 云岩物流 covered.
CITY_NOW = [
    ["520102", "truck_driver", "1", "0", "0", "0", "0", "", "0.0000"],
    ["520102", "courier", "1", "1", "1", "0", "0", "", "1.0000"],
    ["520102", "delivery_rider", "1", "1", "1", "2", "2", "1.0000", "1.0000"],
    ["520102", "all", "3", "1", "1", "2", "2", "1.0000", "0.3333"],
    ["520103", "truck_driver", "1", "1", "1", "1", "1", "1.0000", "1.0000"],
    ["520103", "courier", "0", "0", "0", "1", "0", "0.0000", ""],
    ["520103", "delivery_rider", "0", "0", "0", "1", "0", "0.0000", ""],
    ["520103", "all", "1", "1", "1", "3", "1", "0.3333", "1.0000"],
    *[[code, "all", "0", "0", "0", "0", "0", "", ""] for code in EMPTY_DISTRICTS],
]


@pytest.fixture
def survey(cast: Cast, members: Members) -> Survey:
    return build_survey(cast, members)


def city() -> Region:
    return Region.objects.get(code="520100")


def run(tmp_path: Path, *args: str) -> list[list[str]]:
    target = tmp_path / "report.csv"
    call_command("ledger_report", *args, "--csv", str(target), stdout=io.StringIO())
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == HEADER
    return rows[1:]


def test_the_command_writes_the_current_figures_of_every_district(survey: Survey, tmp_path: Path) -> None:
    rows = run(tmp_path, "--region", "520100")
    assert rows == CITY_NOW
    assert (tmp_path / "report.csv").read_bytes() == report_csv(city())
    # The districts' `all` rows sum to the city's figures (people once, employers once).
    totals = [sum(int(row[index]) for row in rows if row[1] == "all") for index in range(2, 7)]
    assert totals == [4, 2, 2, 5, 3]


def test_a_district_report_shows_its_streets_and_its_own_row_last(survey: Survey) -> None:
    rows = report_rows(Region.objects.get(code="520102"))
    street = survey.nanming_street.code
    # Employers sit in the first street; the ledger's workers and members are placed at the district itself.
    assert [list(row.values()) for row in rows if row["region"] in (street, "520102")] == [
        [street, "truck_driver", 1, 0, 0, 0, 0, "", "0.0000"],
        [street, "courier", 1, 0, 1, 0, 0, "", "1.0000"],
        [street, "delivery_rider", 1, 0, 1, 0, 0, "", "1.0000"],
        [street, "all", 3, 0, 1, 0, 0, "", "0.3333"],
        ["520102", "courier", 0, 1, 0, 0, 0, "", ""],
        ["520102", "delivery_rider", 0, 1, 0, 2, 2, "1.0000", ""],
        ["520102", "all", 0, 1, 0, 2, 2, "1.0000", ""],
    ]
    assert rows[-1]["region"] == "520102"


def test_a_submitted_round_keeps_its_figures_while_the_current_ones_move(
    cast: Cast, survey: Survey, tmp_path: Path
) -> None:
    first_half = SurveyRound.objects.create(name="2026 H1", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    round_submit(user=cast.city_staff.user, round=first_half, now=datetime(2026, 6, 30, 12, tzinfo=ZoneInfo("UTC")))
    # After the round: 王小明 (a rider at work in 南明区, not a member) moves to 云岩区.
    Worker.objects.filter(name="王小明").update(work_region_id="520103")

    in_round = run(tmp_path, "--region", "520100", "--round", "2026 H1")
    now = run(tmp_path, "--region", "520100")
    assert in_round == CITY_NOW
    moved = {(row[0], row[1]): row[2:] for row in now}
    assert moved[("520102", "delivery_rider")] == ["1", "1", "1", "1", "2", "2.0000", "1.0000"]
    assert moved[("520102", "all")] == ["3", "1", "1", "1", "2", "2.0000", "0.3333"]
    assert moved[("520103", "delivery_rider")] == ["0", "0", "0", "2", "0", "0.0000", ""]
    assert moved[("520103", "all")] == ["1", "1", "1", "4", "1", "0.2500", "1.0000"]
    # Counted once in each: in 南明区 in the round, in 云岩区 now.
    assert sum(int(row[5]) for row in in_round if row[1] == "all") == 5
    assert sum(int(row[5]) for row in now if row[1] == "all") == 5


def test_the_workbook_holds_the_same_numbers_with_scope_and_sources(cast: Cast, survey: Survey) -> None:
    first_half = SurveyRound.objects.create(name="2026 H1", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    round_submit(user=cast.city_staff.user, round=first_half)
    round_correct(
        user=cast.city_staff.user,
        round=first_half,
        region_code="520103",
        occupation="courier",
        values={"workers": 4},
        reason="复核摸底表",
    )
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(city(), first_half)))
    assert book.sheetnames == ["总表", "分地区", "地区×职业", "说明"]
    totals = list(book["总表"].iter_rows(values_only=True))
    assert totals[0][0].startswith("范围：贵阳市（520100）；2026 H1 轮次（截至 2026-06-30）；制表日期：")
    assert totals[1] == ("职业", "企业数", "工会数", "已覆盖企业数", "从业人员数", "会员数", "入会率", "建会率")
    assert totals[2:] == [
        ("货车司机", 2, 1, 1, 1, 1, "1.0000", "0.5000"),
        ("快递员", 1, 1, 1, 4, 0, "0.0000", "1.0000"),
        ("网约送餐员", 1, 1, 1, 3, 2, "0.6667", "1.0000"),
        ("全部职业", 4, 2, 2, 8, 3, "0.3750", "0.5000"),
    ]
    places = list(book["分地区"].iter_rows(values_only=True))
    assert places[2] == ("520102", "南明区", 3, 1, 1, 2, 2, "1.0000", "0.3333")
    assert places[3] == ("520103", "云岩区", 1, 1, 1, 6, 1, "0.1667", "1.0000")
    assert places[-1] == ("520100", "贵阳市（合计）", 4, 2, 2, 8, 3, "0.3750", "0.5000")
    cells = list(book["地区×职业"].iter_rows(values_only=True))
    assert [row[0] for row in cells[2:]] == [row["region"] for row in report_rows(city(), first_half)]
    assert [row for row in cells if row[0] == "520103"] == [
        ("520103", "云岩区", "货车司机", 1, 1, 1, 1, 1, "1.0000", "1.0000"),
        ("520103", "云岩区", "快递员", 0, 0, 0, 4, 0, "0.0000", None),  # blank: no employers
        ("520103", "云岩区", "网约送餐员", 0, 0, 0, 1, 0, "0.0000", None),
        ("520103", "云岩区", "全部职业", 1, 1, 1, 6, 1, "0.1667", "1.0000"),
    ]
    notes = list(book["说明"].iter_rows(values_only=True))[2:]
    assert notes == [("520103", "全部职业", "提交后更正"), ("520103", "快递员", "提交后更正")]


def test_unknown_region_or_round_is_a_clear_error(survey: Survey, tmp_path: Path) -> None:
    target = str(tmp_path / "x.csv")
    with pytest.raises(CommandError, match="unknown division code 999999"):
        call_command("ledger_report", "--region", "999999", "--csv", target)
    with pytest.raises(CommandError, match=r"unknown survey round '2030 H1' \(rounds: none\)"):
        call_command("ledger_report", "--region", "520100", "--round", "2030 H1", "--csv", target)


def test_tally_rebuild_command_keeps_the_figures(survey: Survey) -> None:
    before = report_rows(city())
    out = io.StringIO()
    call_command("tally_rebuild", stdout=out)
    assert out.getvalue() == "tallies rebuilt\n"
    assert report_rows(city()) == before
