"""import_unions (FORMATS.md, 工会组织名册): through the management command, as staff run it."""

from __future__ import annotations

import csv
from datetime import date, datetime
from io import BytesIO, StringIO
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from gigunion.enterprises.models import Enterprise
from gigunion.founding.imports import unions_import
from gigunion.founding.models import Coverage, WorklistItem, WorklistState
from gigunion.orgs.models import FoundingMode, OrganizationType, UnionOrganization
from tests.conftest import Cast
from tests.founding.helpers import credit, register

pytestmark = pytest.mark.django_db

HQ, OUTLET, RIDERS, HOMECARE, DRIVERS, XCH, YUNYAN, SPARE = (
    credit(1),
    credit(2),
    credit(3),
    credit(4),
    credit(5),
    credit(6),
    credit(7, "520103"),
    credit(8),
)
UNREGISTERED = credit(99)
BAD_CODE = "91520102MA6H0000X0"
UNION_HEADER = "工会名称,工会代码,工会类型,建会方式,上级工会,区划代码,成立日期,涵盖单位\n"


@pytest.fixture
def enterprises(cast: Cast) -> dict[str, Enterprise]:
    return register(
        f"贵州顺丰速运有限公司,{HQ},快递,520102,,300,120,平台总部,",
        f"顺丰五里冲网点,{OUTLET},快递,520102001,,12,10,加盟,{HQ}",
        f"五里冲外卖站,{RIDERS},外卖配送,520102001,,,20,,",
        f"五里冲家政服务部,{HOMECARE},家政,520102001,,6,,,",
        f"五里冲代驾服务部,{DRIVERS},代驾,520102001,,15,15,,",
        f"小车河快递网点,{XCH},快递,520102002,,5,5,加盟,",
        f"云岩货运有限公司,{YUNYAN},道路货物运输,520103001,,40,60,,",
        f"南明备用企业,{SPARE},,520102,,3,,,",
    )


def write_gbk(tmp_path: Path, body: str, name: str = "工会组织名册.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((UNION_HEADER + body).encode("gbk"))
    return path


def run(path: Path, errors: Path | None = None) -> str:
    out = StringIO()
    arguments = [str(path)] + (["--errors", str(errors)] if errors else [])
    call_command("import_unions", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def rejected_rows(errors: Path) -> list[list[str]]:
    with errors.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def union(name: str) -> UnionOrganization:
    return UnionOrganization.objects.select_related("parent").get(name=name)


BODY = (
    # by the exact name of a union in the system; one covered enterprise, covered from 成立日期
    f"贵州顺丰速运有限公司工会,GZSF-001,企业工会,单独建,南明区总工会,520102,2023-05-01,{HQ}\n"
    # no parent: placed under the street union of 五里冲街道; four enterprises, three separators, covered from today
    f'五里冲街道新业态联合工会,,联合基层工会,联合建,,520102001,,"{RIDERS}、{HOMECARE},{DRIVERS};{OUTLET}"\n'
    # parent by the code of a row earlier in the file
    "顺丰南明快递员分会,,企业工会,牵头建,GZSF-001,520102,2024-01-15,\n"
    # parent by the name of a row earlier in the file
    "五里冲外卖骑手小组,,企业工会,,五里冲街道新业态联合工会,520102001,,\n"
    # no parent and no street union in 小车河街道: placed under 南明区总工会
    f"小车河街道快递网点联合工会,,联合基层工会,联合建,,520102002,2024/3/1,{XCH}\n"
    # parent by the code of a union in the system
    f"云岩区货运行业工会联合会,YY-HY-01,行业工会联合会,推动建,YY-ZGH,520103,2022-10-10,{YUNYAN}\n"
    "某某协会工会,,协会,单独建,南明区总工会,520102,,\n"
    "自己建工会,,企业工会,自己建,南明区总工会,520102,,\n"
    "未知区划工会,,企业工会,,,999999,,\n"
    "日期不对工会,,企业工会,,南明区总工会,520102,2023-13-45,\n"
    f'坏代码工会,,联合基层工会,,南明区总工会,520102,,"{SPARE}、{BAD_CODE}"\n'
    f"未登记企业工会,,企业工会,,南明区总工会,520102,,{UNREGISTERED}\n"
    # the spare enterprise would be covered first: the whole row must roll back
    f"抢覆盖工会,,联合基层工会,,南明区总工会,520102,,{SPARE}；{HQ}\n"
    "顺丰南明快递员分会,,企业工会,牵头建,GZSF-001,520102,2024-01-15,\n"
    "无上级工会,,企业工会,,不存在的工会,520102,,\n"
    "跨区工会,,企业工会,,南明区总工会,520103,,\n"
    ",,企业工会,,南明区总工会,520102,,\n"
    "多处错误工会,,协会,自己建,,520102,去年,\n"
)
# Sorted by row; a row's own problems keep the order of its columns.
EXPECTED_ERRORS = [
    ["row", "column", "message"],
    ["8", "工会类型", "Unknown union type."],
    ["9", "建会方式", "Unknown founding mode."],
    ["10", "区划代码", "Unknown division code."],
    ["11", "成立日期", "This date does not exist."],
    ["12", "涵盖单位", f"{BAD_CODE} is not a valid unified social credit code."],
    [
        "13",
        "涵盖单位",
        f"No enterprise with credit code {UNREGISTERED} is registered: import the enterprise list first.",
    ],
    ["14", "涵盖单位", "贵州顺丰速运有限公司 is already covered by 贵州顺丰速运有限公司工会."],
    ["15", "工会名称", "The same union is already on row 4."],
    ["16", "上级工会", "No union with this code or name in your jurisdiction."],
    ["17", "区划代码", "The region of an organization must lie within its parent's region."],
    ["18", "工会名称", "This field is required."],
    ["19", "工会类型", "Unknown union type."],
    ["19", "建会方式", "Unknown founding mode."],
    ["19", "成立日期", "Write the date as YYYY-MM-DD."],
]


def test_it_imports_a_gbk_roster_places_every_union_and_changes_nothing_the_second_time(
    cast: Cast, enterprises: dict[str, Enterprise], tmp_path: Path
) -> None:
    cast.other_district.code = "YY-ZGH"
    cast.other_district.save(update_fields=["code"])
    organizations_before = UnionOrganization.objects.count()
    path, errors = write_gbk(tmp_path, BODY), tmp_path / "rejected.csv"

    assert run(path, errors) == "imported 6, updated 0, unchanged 0, rejected 12"
    assert rejected_rows(errors) == EXPECTED_ERRORS
    assert UnionOrganization.objects.count() == organizations_before + 6

    sf = union("贵州顺丰速运有限公司工会")
    assert (sf.parent, sf.code, sf.organization_type, sf.founding_mode, sf.region_id, sf.founded_on) == (
        cast.district,
        "GZSF-001",
        OrganizationType.ENTERPRISE,
        FoundingMode.STANDALONE,
        "520102",
        date(2023, 5, 1),
    )
    joint = union("五里冲街道新业态联合工会")
    assert (joint.parent, joint.organization_type, joint.founding_mode, joint.founded_on) == (
        cast.district_street,
        OrganizationType.JOINT,
        FoundingMode.JOINT,
        None,
    )
    assert union("顺丰南明快递员分会").parent == sf
    assert union("五里冲外卖骑手小组").parent == joint
    assert union("小车河街道快递网点联合工会").parent == cast.district
    freight = union("云岩区货运行业工会联合会")
    assert (freight.parent, freight.organization_type, freight.founding_mode) == (
        cast.other_district,
        OrganizationType.INDUSTRY_FEDERATION,
        FoundingMode.INDUSTRY_DRIVEN,
    )
    assert freight.path == f"{cast.other_district.path}{freight.pk}/"

    today = timezone.localdate()
    coverage = sorted(
        (c.enterprise.name, c.organization.name, c.started_on, c.ended_on)
        for c in Coverage.objects.select_related("enterprise", "organization")
    )
    assert coverage == sorted(
        [
            ("贵州顺丰速运有限公司", "贵州顺丰速运有限公司工会", date(2023, 5, 1), None),
            ("五里冲外卖站", "五里冲街道新业态联合工会", today, None),
            ("五里冲家政服务部", "五里冲街道新业态联合工会", today, None),
            ("五里冲代驾服务部", "五里冲街道新业态联合工会", today, None),
            ("顺丰五里冲网点", "五里冲街道新业态联合工会", today, None),
            ("小车河快递网点", "小车河街道快递网点联合工会", date(2024, 3, 1), None),
            ("云岩货运有限公司", "云岩区货运行业工会联合会", date(2022, 10, 10), None),
        ]
    )
    # nothing of a rejected row is left behind: no union, and no coverage of the spare enterprise
    assert not UnionOrganization.objects.filter(name__in=["抢覆盖工会", "坏代码工会", "跨区工会"]).exists()
    assert not Coverage.objects.filter(enterprise=enterprises["南明备用企业"]).exists()
    # the command refreshes the worklist: covered enterprises are founded, the spare one is pending
    states = dict(WorklistItem.objects.values_list("enterprise__name", "state"))
    assert states == {
        "贵州顺丰速运有限公司": WorklistState.FOUNDED,
        "顺丰五里冲网点": WorklistState.FOUNDED,
        "五里冲外卖站": WorklistState.FOUNDED,
        "五里冲家政服务部": WorklistState.FOUNDED,
        "五里冲代驾服务部": WorklistState.FOUNDED,
        "小车河快递网点": WorklistState.FOUNDED,
        "云岩货运有限公司": WorklistState.FOUNDED,
        "南明备用企业": WorklistState.NOT_STARTED,
    }

    assert run(path, errors) == "imported 0, updated 0, unchanged 6, rejected 12"
    assert rejected_rows(errors) == EXPECTED_ERRORS
    assert UnionOrganization.objects.count() == organizations_before + 6
    assert Coverage.objects.count() == 7


def test_it_reads_xlsx_with_english_headers_and_updates_a_changed_row(
    cast: Cast, enterprises: dict[str, Enterprise], tmp_path: Path
) -> None:
    def workbook(chair: str, covered: str) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["region", "name", "type", "parent", "founded_on", "covered", "chair", "industry", "code", "备注"])
        sheet.append(
            [
                520103,
                "云岩区快递行业工会联合会",
                "industry_federation",
                "云岩区总工会",
                datetime(2022, 10, 10),
                covered,
                chair,
                "快递",
                "YY-KD-01",
                "试点",
            ]
        )
        buffer = BytesIO()
        book.save(buffer)
        path = tmp_path / "unions.xlsx"
        path.write_bytes(buffer.getvalue())
        return path

    stderr = StringIO()
    out = StringIO()
    call_command("import_unions", str(workbook("陈刚", YUNYAN)), stdout=out, stderr=stderr)
    assert out.getvalue().strip() == "imported 1, updated 0, unchanged 0, rejected 0"
    assert stderr.getvalue().strip() == "warning: Unknown column '备注' ignored."
    federation = union("云岩区快递行业工会联合会")
    assert (
        federation.parent,
        federation.code,
        federation.organization_type,
        federation.founding_mode,
        federation.region_id,
        federation.founded_on,
        federation.chair_name,
        federation.industry,
    ) == (
        cast.other_district,
        "YY-KD-01",
        OrganizationType.INDUSTRY_FEDERATION,
        "",
        "520103",
        date(2022, 10, 10),
        "陈刚",
        "快递",
    )
    assert list(federation.coverages.values_list("enterprise__credit_code", "started_on")) == [
        (YUNYAN, date(2022, 10, 10))
    ]
    assert run(workbook("陈刚", YUNYAN)) == "imported 0, updated 0, unchanged 1, rejected 0"
    assert run(workbook("刘洋", YUNYAN)) == "imported 0, updated 1, unchanged 0, rejected 0"
    assert union("云岩区快递行业工会联合会").chair_name == "刘洋"
    # a newly covered enterprise is a change of the row too
    register(f"云岩快递网点,{credit(9, '520103')},快递,520103002,,6,,,")
    assert run(workbook("刘洋", f"{YUNYAN}、{credit(9, '520103')}")) == "imported 0, updated 1, unchanged 0, rejected 0"
    assert federation.coverages.count() == 2


def test_a_name_shared_by_two_unions_must_be_given_as_a_code(cast: Cast, enterprises: dict[str, Enterprise]) -> None:
    for parent in (cast.district, cast.other_district):
        unions_import(
            data=(UNION_HEADER + f"快递行业工会,,企业工会,,{parent.name},{parent.region_id},,\n").encode(),
            filename="a.csv",
        )
    report = unions_import(
        data=(UNION_HEADER + "快递员小组,,企业工会,,快递行业工会,520102,,\n").encode(), filename="a.csv"
    )
    assert report.summary_line() == "imported 0, updated 0, unchanged 0, rejected 1"
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "上级工会", "Several unions have this name: use the union's code.")
    ]


def test_an_importer_stays_inside_their_jurisdiction(cast: Cast, enterprises: dict[str, Enterprise]) -> None:
    body = (
        "云岩区某工会,,企业工会,,,520103,,\n"
        f"南明区某联合工会,,联合基层工会,,,520102,,{YUNYAN}\n"
        "挂到云岩的工会,,企业工会,,云岩区总工会,520102,,\n"
        "南明区另一工会,,企业工会,,,520102,,\n"
    )
    report = unions_import(data=(UNION_HEADER + body).encode(), filename="a.csv", scope=cast.district)
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 3"
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "区划代码", "This region is outside your jurisdiction."),
        (3, "涵盖单位", f"The enterprise {YUNYAN} is outside your jurisdiction."),
        (4, "上级工会", "No union with this code or name in your jurisdiction."),
    ]
    assert union("南明区另一工会").parent == cast.district


def test_rejected_rows_are_reported_in_the_users_language(cast: Cast, enterprises: dict[str, Enterprise]) -> None:
    with translation.override("zh-hans"):
        report = unions_import(data=(UNION_HEADER + "未知区划工会,,企业工会,,,999999,,\n").encode(), filename="a.csv")
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "区划代码", "区划代码不存在。")]


def test_it_exits_non_zero_only_when_the_file_cannot_be_read(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_unions", str(tmp_path / "missing.csv"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=r"broken\.xlsx"):
        call_command("import_unions", str(broken))
    headless = tmp_path / "headless.csv"
    headless.write_bytes("工会名称,上级工会\n某工会,南明区总工会\n".encode("gbk"))
    with pytest.raises(CommandError) as missing_columns:
        call_command("import_unions", str(headless))
    assert str(missing_columns.value) == f"{headless}: Required columns are missing: 工会类型, 区划代码."
    assert not UnionOrganization.objects.filter(name="某工会").exists()


def test_an_enterprise_outside_the_new_unions_region_rejects_the_whole_row(
    cast: Cast, enterprises: dict[str, Enterprise]
) -> None:
    body = f"五里冲街道快递联合工会,,联合基层工会,,,520102001,,{OUTLET}、{XCH}\n"
    report = unions_import(data=(UNION_HEADER + body).encode(), filename="a.csv")
    assert report.summary_line() == "imported 0, updated 0, unchanged 0, rejected 1"
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "涵盖单位", "小车河快递网点 lies outside the region of 五里冲街道快递联合工会.")
    ]
    assert not UnionOrganization.objects.filter(name="五里冲街道快递联合工会").exists()
    assert Coverage.objects.count() == 0
