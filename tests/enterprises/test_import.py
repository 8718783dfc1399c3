from __future__ import annotations

from io import BytesIO, StringIO
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.management import CommandError, call_command

from gigunion.enterprises.models import Enterprise, EnterpriseKind
from gigunion.enterprises.services import enterprises_import
from tests.core.test_validators import credit_with_check

pytestmark = pytest.mark.django_db

HQ = credit_with_check("91520102MA6H00001")
BRANCH = credit_with_check("91520102MA6H00002")
OUTLET = credit_with_check("91520103MA6H00003")
HEADER = (
    "单位名称,统一社会信用代码,所属行业,区划代码,地址,职工人数,新就业形态劳动者人数,企业类型,上级企业统一社会信用代码\n"
)


def gbk_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "企业名单.csv"
    path.write_bytes((HEADER + body).encode("gbk"))
    return path


def run(path: Path, errors: Path) -> str:
    out = StringIO()
    call_command("import_enterprises", str(path), "--errors", str(errors), stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_it_imports_a_gbk_list_reports_bad_rows_and_changes_nothing_the_second_time(tmp_path: Path) -> None:
    body = (
        # the branch comes before its head enterprise: parents may appear later in the file
        f"顺丰速运贵阳南明分部,{BRANCH},快递,520102,南明区花果园,40,35,分支机构,{HQ}\n"
        f"贵州顺丰速运有限公司,{HQ},快递,520102,,300,120,平台总部,\n"
        f"云岩区某某快递网点,{OUTLET.lower()},快递,520103,,8,6,加盟,{HQ}\n"
        f"坏代码公司,91520102MA6H0000X0,,520102,,,,,\n"
        f"未知区划公司,{credit_with_check('91520102MA6H00005')},,999999,,,,,\n"
        f"重复公司,{HQ},,520102,,,,,\n"
        f"人数不对公司,{credit_with_check('91520102MA6H00006')},,520102,,十二,,,\n"
        f"类型不对公司,{credit_with_check('91520102MA6H00007')},,520102,,,,合伙,\n"
        f"上级不存在公司,{credit_with_check('91520102MA6H00008')},,520102,,,,分支机构,{credit_with_check('91110000MA6H00009')}\n"
    )
    path, errors = gbk_file(tmp_path, body), tmp_path / "errors.csv"
    assert run(path, errors) == "imported 3, updated 0, unchanged 0, rejected 6"
    assert errors.read_text(encoding="utf-8").splitlines() == [
        "row,column,message",
        "5,统一社会信用代码,统一社会信用代码不正确。",
        "6,区划代码,区划代码不存在。",
        "7,统一社会信用代码,该信用代码已出现在第 3 行。",
        "8,职工人数,请输入 0 或更大的整数。",
        "9,企业类型,企业类型不正确。",
        "10,上级企业统一社会信用代码,没有登记该信用代码的企业。",
    ]
    hq = Enterprise.objects.get(credit_code=HQ)
    assert (hq.name, hq.kind, hq.employees, hq.gig_workers, hq.region_id, hq.parent_id) == (
        "贵州顺丰速运有限公司",
        EnterpriseKind.PLATFORM_HQ,
        300,
        120,
        "520102",
        None,
    )
    assert sorted(hq.subsidiaries.values_list("credit_code", flat=True)) == sorted([BRANCH, OUTLET])
    assert run(path, errors) == "imported 0, updated 0, unchanged 3, rejected 6"
    assert Enterprise.objects.count() == 3


def test_it_updates_a_changed_row_and_a_changed_head_enterprise(tmp_path: Path) -> None:
    first = f"贵州顺丰速运有限公司,{HQ},快递,520102,,300,120,平台总部,\n网点,{OUTLET},快递,520103,,8,6,加盟,\n"
    run(gbk_file(tmp_path, first), tmp_path / "e.csv")
    second = f"贵州顺丰速运有限公司,{HQ},快递,520102,,310,120,平台总部,\n网点,{OUTLET},快递,520103,,8,6,加盟,{HQ}\n"
    assert run(gbk_file(tmp_path, second), tmp_path / "e.csv") == "imported 0, updated 2, unchanged 0, rejected 0"
    assert Enterprise.objects.get(credit_code=HQ).employees == 310
    assert Enterprise.objects.get(credit_code=OUTLET).parent == Enterprise.objects.get(credit_code=HQ)


def test_it_reads_xlsx_with_english_headers_in_any_order() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["credit_code", "region", "name", "kind", "备注"])
    sheet.append([HQ, 520102, "贵州顺丰速运有限公司", "platform_hq", "x"])
    buffer = BytesIO()
    workbook.save(buffer)
    report = enterprises_import(data=buffer.getvalue(), filename="list.xlsx")
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 0"
    assert report.warnings == ["未知列“备注”已忽略。"]
    assert Enterprise.objects.get(credit_code=HQ).kind == EnterpriseKind.PLATFORM_HQ


def test_it_keeps_an_importer_inside_their_jurisdiction() -> None:
    data = (HEADER + f"甲,{HQ},,520102,,,,,\n乙,{OUTLET},,520103,,,,,\n").encode()
    report = enterprises_import(data=data, filename="a.csv", region_prefix="520102")
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 1"
    assert [(e.row, e.column, e.message) for e in report.errors] == [(3, "区划代码", "该区划不在您的管辖范围内。")]


def test_it_does_not_let_a_district_take_over_another_districts_enterprise() -> None:
    enterprises_import(data=(HEADER + f"乙,{OUTLET},,520103,,,,,\n").encode(), filename="a.csv")
    moved = (HEADER + f"甲,{HQ},,520102,,,,,\n乙改名,{OUTLET},,520102,,,,,\n").encode()
    report = enterprises_import(data=moved, filename="b.csv", region_prefix="520102")
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 1"
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "统一社会信用代码", "该单位登记在您管辖范围以外的地区。")
    ]
    assert Enterprise.objects.values_list("name", "region_id").get(credit_code=OUTLET) == ("乙", "520103")


def test_it_exits_non_zero_only_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_enterprises", str(tmp_path / "missing.csv"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=r"broken\.xlsx"):
        call_command("import_enterprises", str(broken))
    assert Enterprise.objects.count() == 0


def test_it_refuses_an_enterprise_as_its_own_head() -> None:
    data = (HEADER + f"甲,{HQ},,520102,,,,分支机构,{HQ}\n").encode()
    report = enterprises_import(data=data, filename="a.csv")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "上级企业统一社会信用代码", "企业不能是自己的上级企业。")
    ]
    assert Enterprise.objects.count() == 0


def test_it_reads_gig_workers_by_occupation_and_checks_the_sum() -> None:
    header = HEADER.rstrip("\n") + ",新就业形态劳动者构成\n"
    body = (
        f"甲,{HQ},,520102,,,,,,快递员:30、外卖配送员：12\n"
        f'乙,{BRANCH},,520102,,,20,,,"快递员:15,网约车司机:9"\n'
        f"丙,{OUTLET},,520103,,,,,,飞行员:3；快递员\n"
    )
    report = enterprises_import(data=(header + body).encode("gbk"), filename="a.csv")
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 2"
    assert [(e.row, e.message) for e in report.errors] == [
        (3, "各职业人数合计 24，多于填写的新就业形态劳动者人数 20。"),
        (4, "“飞行员:3”：请写职业和人数，如 快递员:30。"),
        (4, "“快递员”：请写职业和人数，如 快递员:30。"),
    ]
    enterprise = Enterprise.objects.get(credit_code=HQ)
    assert (enterprise.gig_workers, enterprise.workers_by_occupation) == (42, {"courier": 30, "delivery_rider": 12})
    again = enterprises_import(data=(header + body).encode("gbk"), filename="a.csv")
    assert again.summary_line() == "imported 0, updated 0, unchanged 1, rejected 2"
