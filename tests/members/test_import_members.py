"""import_members (FORMATS.md, 会员名册): the command, the importer and the back office's import page."""

from __future__ import annotations

import csv
from datetime import date, datetime
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gigunion.core.occupations import Occupation
from gigunion.jobs.models import Job, JobStatus
from gigunion.members.imports import MEMBER_COLUMNS, members_import
from gigunion.members.models import (
    EventKind,
    JoinPlace,
    JoinSource,
    Membership,
    MembershipEvent,
    MembershipStatus,
    Person,
)
from gigunion.members.selectors import id_number_index
from gigunion.members.services import luhn_valid, membership_leave
from gigunion.orgs.access import require_jurisdiction
from tests.conftest import Cast
from tests.people import OTHER_ID, OTHER_PHONE, RIDER_ID, RIDER_PHONE, Members, id_with_check

pytestmark = pytest.mark.django_db

HEADER = "姓名,身份证号,手机号,职业,平台,平台工号,用工单位,用工单位统一社会信用代码,工作地区划代码,在岗,所属工会,入会日期,入会地类型\n"
ZHANG = id_with_check("52010219900101011")  # male, born 1990-01-01
MAIMAITI = "52010319920815105x"  # check character X, written in lowercase
WANG = id_with_check("52010219850606022")
LI = id_with_check("52010219870707033")
BAD_CHECKSUM = ZHANG[:-1] + ("0" if ZHANG[-1] != "0" else "1")
RIDERS_UNION = "南明区网约送餐员联合工会"
TRUCKERS_UNION = "云岩区货车司机工会联合会"

BODY = (
    # 2: a new member of the district's joint union, by the union's exact name
    f"张三,{ZHANG},13800000001,快递员,顺丰,SF001,,,520102,是,{RIDERS_UNION},2020-05-01,工作地\n"
    # 3: by the union's code; 在岗 否 still imports; a slash date; joined at origin
    f"买买提·艾力,{MAIMAITI},,货车司机,满帮,,,,520103,否,YY-HC-01,2019/3/5,输出地\n"
    f"王五,{BAD_CHECKSUM},,快递员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n"
    "赵六,5.20102199001E+17,,快递员,,,,,520102,,南明区网约送餐员联合工会,2020-05-01,\n"
    f"王芳,{WANG},1380000,快递员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n"
    f"王芳,{WANG},13800000003,快递员,,,,,520102,,不存在的工会,2020-05-01,\n"
    f"王芳,{WANG},13800000003,快递员,,,,,520102,,{RIDERS_UNION},2021-02-30,\n"
    f"王芳,{WANG},13800000003,飞行员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n"
    f"王芳,{WANG},13800000003,快递员,,,,,999999,,{RIDERS_UNION},2020-05-01,\n"
    # 11: the ID number of row 2 again
    f"张三,{ZHANG},13800000001,快递员,顺丰,SF001,,,520102,是,{RIDERS_UNION},2020-05-01,工作地\n"
    # 12: the rider is a member of the district's joint union: another union needs a transfer
    f"陈小军,{RIDER_ID},{RIDER_PHONE},网约送餐员,美团,,,,520102,是,{TRUCKERS_UNION},2021-01-01,\n"
    # 13: the other member, already in this union with these details
    f"马建国,{OTHER_ID},{OTHER_PHONE},货车司机,满帮,,,,520103,是,{TRUCKERS_UNION},2021-01-01,\n"
    # 14: several problems at once (the empty name is reported once)
    f",{LI},,快递员,,,,,520102,在,{RIDERS_UNION},2999-01-01,家里\n"
    f"李四,{LI},,快递员,,,,,520102,,{RIDERS_UNION},去年,\n"
    f"李四,{LI},,快递员,,,,,520102,,{RIDERS_UNION},1980-01-01,\n"
)
EXPECTED_ERRORS = [
    ["row", "column", "message"],
    ["4", "身份证号", "The ID number's last character does not match; check it for typos."],
    ["5", "身份证号", "Excel turned the ID number into a number and digits were lost; enter it as text."],
    ["6", "手机号", "A mobile number has 11 digits and begins with 13 to 19."],
    ["7", "所属工会", "No union has this code or name."],
    ["8", "入会日期", "This date does not exist."],
    ["9", "职业", "Choose an occupation from the list."],
    ["10", "工作地区划代码", "Choose where you work: a current 6, 9 or 12-digit region code."],
    ["11", "身份证号", "The same ID number is already on row 2."],
    [
        "12",
        "所属工会",
        f"This person is already a member of {RIDERS_UNION}: only a transfer from that union can move the membership.",
    ],
    ["14", "姓名", "This field is required."],
    ["14", "在岗", "Write 是 (yes) or 否 (no)."],
    ["14", "入会日期", "The date of joining is in the future."],
    ["14", "入会地类型", "Joined at is 工作地 (workplace) or 输出地 (origin)."],
    ["15", "入会日期", "Write the date as YYYY-MM-DD."],
    ["16", "入会日期", "The date of joining is before the birth date in the ID number."],
]


def write_gbk(tmp_path: Path, body: str, name: str = "会员名册.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode("gbk"))
    return path


def run(path: Path, errors: Path | None = None) -> str:
    out = StringIO()
    arguments = [str(path)] + (["--errors", str(errors)] if errors else [])
    call_command("import_members", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def rejected_rows(errors: Path) -> list[list[str]]:
    with errors.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def person(id_number: str) -> Person:
    return Person.objects.get(id_number_index=id_number_index(id_number.upper()))


def memberships(someone: Person) -> list[tuple[str, str, str, str, date, str]]:
    return [
        (m.union.name, m.status, m.source, m.routed_by, m.joined_on, m.join_place)
        for m in someone.memberships.select_related("union").order_by("pk")
    ]


def events(someone: Person) -> list[tuple[str, str, str | None, int | None]]:
    return [
        (e.kind, e.by, e.union.name if e.union else None, e.actor_id)
        for e in MembershipEvent.objects.filter(person=someone).select_related("union")
    ]


def test_it_imports_a_gbk_list_reports_every_bad_value_and_changes_nothing_the_second_time(
    cast: Cast, members: Members, tmp_path: Path
) -> None:
    cast.other_grassroots.code = "YY-HC-01"
    cast.other_grassroots.save(update_fields=["code"])
    counts_before = (Person.objects.count(), Membership.objects.count(), MembershipEvent.objects.count())
    path, errors = write_gbk(tmp_path, BODY), tmp_path / "rejected.csv"

    assert run(path, errors) == "imported 2, updated 0, unchanged 1, rejected 12"
    assert rejected_rows(errors) == EXPECTED_ERRORS

    zhang = person(ZHANG)
    assert (
        zhang.name,
        zhang.id_number,
        zhang.id_last4,
        zhang.phone,
        zhang.birth_year,
        zhang.sex,
        zhang.origin_region_code,
        zhang.occupation,
        zhang.platform,
        zhang.external_id,
        zhang.work_region_id,
        zhang.verified_by,
    ) == (
        "张三",
        ZHANG,
        ZHANG[-4:],
        "13800000001",
        1990,
        "male",
        "520102",
        Occupation.COURIER,
        "顺丰",
        "SF001",
        "520102",
        "",
    )
    assert memberships(zhang) == [
        (RIDERS_UNION, MembershipStatus.ACTIVE, JoinSource.IMPORT, "import", date(2020, 5, 1), JoinPlace.WORKPLACE)
    ]
    assert events(zhang) == [(EventKind.IMPORTED, "import", RIDERS_UNION, None)]
    # The member card: the union's region code, 9 digits and a Luhn check digit, as when joining.
    assert zhang.card_number is not None
    assert len(zhang.card_number) == 16
    assert zhang.card_number.startswith("520102")
    assert luhn_valid(zhang.card_number)

    maimaiti = person(MAIMAITI)
    assert (maimaiti.name, maimaiti.id_number, maimaiti.phone, maimaiti.occupation, maimaiti.work_region_id) == (
        "买买提·艾力",
        MAIMAITI.upper(),
        "",
        Occupation.TRUCK_DRIVER,
        "520103",
    )
    assert memberships(maimaiti) == [
        (TRUCKERS_UNION, MembershipStatus.ACTIVE, JoinSource.IMPORT, "import", date(2019, 3, 5), JoinPlace.ORIGIN)
    ]
    assert maimaiti.card_number is not None
    assert maimaiti.card_number.startswith("520103")
    assert luhn_valid(maimaiti.card_number)
    assert maimaiti.card_number != zhang.card_number

    # The members who were there are untouched: the rider is still in their union only.
    assert memberships(members.rider)[0][0] == RIDERS_UNION
    assert len(memberships(members.rider)) == 1
    assert len(memberships(members.other_member)) == 1
    assert Person.objects.count() == counts_before[0] + 2
    assert Membership.objects.count() == counts_before[1] + 2
    assert MembershipEvent.objects.count() == counts_before[2] + 2
    assert not Person.objects.filter(name__in=["王五", "赵六", "王芳", "李四"]).exists()

    # ID numbers and phones are stored only encrypted.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_person WHERE id = %s", [zhang.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert ZHANG not in stored_id
    assert "13800000001" not in stored_phone

    cards = dict(Person.objects.values_list("pk", "card_number"))
    assert run(path, errors) == "imported 0, updated 0, unchanged 3, rejected 12"
    assert rejected_rows(errors) == EXPECTED_ERRORS
    assert (Person.objects.count(), Membership.objects.count(), MembershipEvent.objects.count()) == (
        counts_before[0] + 2,
        counts_before[1] + 2,
        counts_before[2] + 2,
    )
    assert dict(Person.objects.values_list("pk", "card_number")) == cards


def xlsx(tmp_path: Path, header: list[str], *rows: list[Any]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    path = tmp_path / "members.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def test_it_reads_xlsx_with_english_headers_and_excel_values_and_updates_a_changed_person(
    cast: Cast, members: Members, tmp_path: Path
) -> None:
    header = ["union", "joined_on", "id_number", "name", "occupation", "work_region", "phone", "platform", "备注"]

    def workbook(platform: str) -> Path:
        return xlsx(
            tmp_path,
            header,
            [RIDERS_UNION, datetime(2021, 6, 1), ZHANG, "张三", "courier", 520102, 13800000001, platform, "x"],
            # an ID number Excel stored as a number has lost its last digits
            [RIDERS_UNION, datetime(2021, 6, 1), float(WANG[:-1] + "0"), "王芳", "快递员", 520102, None, "", ""],
            # an Excel serial date
            [RIDERS_UNION, 44197, LI, "李四", "快递员", "520102", None, "", ""],
        )

    stderr, out = StringIO(), StringIO()
    errors = tmp_path / "errors.csv"
    call_command("import_members", str(workbook("顺丰")), "--errors", str(errors), stdout=out, stderr=stderr)
    assert out.getvalue().strip() == "imported 2, updated 0, unchanged 0, rejected 1"
    assert stderr.getvalue().strip() == "warning: Unknown column '备注' ignored."
    assert rejected_rows(errors) == [
        ["row", "column", "message"],
        ["3", "身份证号", "Excel turned the ID number into a number and digits were lost; enter it as text."],
    ]
    zhang = person(ZHANG)
    assert (zhang.phone, zhang.occupation, zhang.platform, zhang.work_region_id) == (
        "13800000001",
        Occupation.COURIER,
        "顺丰",
        "520102",
    )
    assert memberships(zhang)[0][4] == date(2021, 6, 1)
    assert memberships(person(LI))[0][4] == date(2021, 1, 1)

    assert run(workbook("顺丰")) == "imported 0, updated 0, unchanged 2, rejected 1"
    assert run(workbook("京东")) == "imported 0, updated 1, unchanged 1, rejected 1"
    assert person(ZHANG).platform == "京东"
    # A file without the platform column leaves the stored platform alone.
    without_platform = xlsx(
        tmp_path,
        ["姓名", "身份证号", "职业", "工作地区划代码", "所属工会", "入会日期"],
        ["张三", ZHANG, "快递员", "520102", RIDERS_UNION, "2021-06-01"],
    )
    assert run(without_platform) == "imported 0, updated 0, unchanged 1, rejected 0"
    assert person(ZHANG).platform == "京东"
    # A corrected date of joining is an update of the imported membership, not a new one.
    corrected = xlsx(
        tmp_path,
        ["姓名", "身份证号", "职业", "工作地区划代码", "所属工会", "入会日期", "入会地类型"],
        ["张三", ZHANG, "快递员", "520102", RIDERS_UNION, "2021-07-01", "输出地"],
    )
    assert run(corrected) == "imported 0, updated 1, unchanged 0, rejected 0"
    assert memberships(person(ZHANG)) == [
        (RIDERS_UNION, MembershipStatus.ACTIVE, JoinSource.IMPORT, "import", date(2021, 7, 1), JoinPlace.ORIGIN)
    ]
    assert [kind for kind, *_rest in events(person(ZHANG))] == [EventKind.IMPORTED]


def test_a_member_already_in_the_union_keeps_their_phone_their_join_record_and_their_verified_name(
    cast: Cast, members: Members
) -> None:
    body = (
        # same union: a new platform and occupation are taken; another phone is not (it is their log-in)
        f"陈小军,{RIDER_ID},13900000000,快递员,饿了么,,,,520102,是,{RIDERS_UNION},2015-01-01,\n"
        # a name that is not the real-name checked one
        f"马健国,{OTHER_ID},,货车司机,满帮,,,,520103,是,{TRUCKERS_UNION},2021-01-01,\n"
    )
    joined_on = members.rider_membership.joined_on
    report = members_import(data=(HEADER + body).encode(), filename="a.csv")
    assert report.summary_line() == "imported 0, updated 1, unchanged 0, rejected 1"
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "姓名", "The name differs from the real-name record of this ID number.")
    ]
    rider = Person.objects.get(pk=members.rider.pk)
    assert (rider.phone, rider.occupation, rider.platform, rider.card_number) == (
        RIDER_PHONE,
        Occupation.COURIER,
        "饿了么",
        members.rider.card_number,
    )
    # A membership that came from joining keeps its own date and source.
    assert memberships(rider) == [
        (RIDERS_UNION, MembershipStatus.ACTIVE, JoinSource.QR, "rule", joined_on, JoinPlace.WORKPLACE)
    ]
    assert Person.objects.get(pk=members.other_member.pk).name == "马建国"


def test_a_former_member_gets_a_new_membership_and_keeps_their_card(cast: Cast, members: Members) -> None:
    city = require_jurisdiction(cast.city_staff.user)
    membership_leave(membership=members.rider_membership, actor=cast.city_staff.user, jurisdiction=city, reason="离职")
    body = f"陈小军,{RIDER_ID},,网约送餐员,美团,,,,520102,是,{cast.district_street.name},2024-03-01,\n"
    report = members_import(data=(HEADER + body).encode(), filename="a.csv")
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 0"
    rider = Person.objects.get(pk=members.rider.pk)
    assert rider.card_number == members.rider.card_number
    assert [(name, status) for name, status, *_rest in memberships(rider)] == [
        (RIDERS_UNION, MembershipStatus.LEFT),
        (cast.district_street.name, MembershipStatus.ACTIVE),
    ]
    assert [kind for kind, *_rest in events(rider)] == [EventKind.JOINED, EventKind.LEFT, EventKind.IMPORTED]


def test_an_importer_stays_inside_their_jurisdiction(cast: Cast, members: Members) -> None:
    cast.other_grassroots.code = "YY-HC-01"
    cast.other_grassroots.save(update_fields=["code"])
    body = (
        f"张三,{ZHANG},,快递员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n"
        f"王芳,{WANG},,快递员,,,,,520102,,{TRUCKERS_UNION},2020-05-01,\n"
        f"李四,{LI},,快递员,,,,,520102,,YY-HC-01,2020-05-01,\n"
        f"买买提·艾力,{MAIMAITI},,货车司机,,,,,520103,,{cast.other_district.name},2020-05-01,\n"
    )
    report = members_import(data=(HEADER + body).encode(), filename="a.csv", scope=cast.district)
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 3"
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "所属工会", "This union is outside your jurisdiction."),
        (4, "所属工会", "This union is outside your jurisdiction."),
        (5, "所属工会", "This union is outside your jurisdiction."),
    ]
    assert list(Membership.objects.filter(source=JoinSource.IMPORT).values_list("union", flat=True)) == [
        cast.district_grassroots.pk
    ]


def test_a_name_shared_by_two_unions_takes_the_one_in_scope_or_asks_for_the_code(cast: Cast) -> None:
    from gigunion.orgs.models import OrganizationType
    from gigunion.orgs.services import organization_create

    for parent in (cast.district, cast.other_district):
        organization_create(
            name="快递员工会", organization_type=OrganizationType.JOINT, region=parent.region, parent=parent
        )
    data = (HEADER + f"张三,{ZHANG},,快递员,,,,,520102,,快递员工会,2020-05-01,\n").encode()
    report = members_import(data=data, filename="a.csv")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "所属工会", "Several unions have this name: use the union's code.")
    ]
    report = members_import(data=data, filename="a.csv", scope=cast.district)
    assert report.summary_line() == "imported 1, updated 0, unchanged 0, rejected 0"
    assert memberships(person(ZHANG))[0][0] == "快递员工会"
    assert person(ZHANG).memberships.get().union.parent == cast.district


def test_an_inactive_union_takes_no_members(cast: Cast) -> None:
    cast.district_grassroots.is_active = False
    cast.district_grassroots.save(update_fields=["is_active"])
    report = members_import(
        data=(HEADER + f"张三,{ZHANG},,快递员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n").encode(), filename="a.csv"
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "所属工会", "That union is no longer active.")]
    assert not Person.objects.exists()


def test_progress_is_reported_chunk_by_chunk_and_statistics_refreshed_after_a_large_write(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gigunion.members.imports as imports

    analyzed: list[tuple[str, ...]] = []
    monkeypatch.setattr(imports, "_CHUNK", 2)
    monkeypatch.setattr(imports, "ANALYZE_AFTER_ROWS", 9)
    monkeypatch.setattr(
        imports, "analyze", lambda *models: analyzed.append(tuple(model._meta.db_table for model in models))
    )
    seen: list[tuple[int, int]] = []
    body = "".join(
        f"工人{'甲乙丙'[index]},{id_with_check(f'520102199001{index + 10}05{index}')},,快递员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n"
        for index in range(3)
    )
    report = members_import(
        data=(HEADER + body).encode(), filename="a.csv", progress=lambda done, total: seen.append((done, total))
    )
    assert report.summary_line() == "imported 3, updated 0, unchanged 0, rejected 0"
    assert seen == [(2, 3), (3, 3)]
    # 3 people, 3 memberships and 3 events written
    assert analyzed == [("members_person", "members_membership", "members_membershipevent")]


def test_it_exits_non_zero_only_when_the_file_cannot_be_read(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_members", str(tmp_path / "missing.csv"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=r"broken\.xlsx"):
        call_command("import_members", str(broken))
    headless = tmp_path / "headless.csv"
    headless.write_bytes(f"姓名,身份证号\n张三,{ZHANG}\n".encode("gbk"))
    with pytest.raises(CommandError) as missing_columns:
        call_command("import_members", str(headless))
    assert str(missing_columns.value) == (
        f"{headless}: Required columns are missing: 职业, 工作地区划代码, 所属工会, 入会日期."
    )
    assert not Person.objects.exists()


def test_the_columns_are_the_roster_columns_then_the_membership_columns() -> None:
    assert [(column.header, column.key, column.required) for column in MEMBER_COLUMNS] == [
        ("姓名", "name", True),
        ("身份证号", "id_number", True),
        ("手机号", "phone", False),
        ("职业", "occupation", True),
        ("平台", "platform", False),
        ("平台工号", "external_id", False),
        ("用工单位", "employer", False),
        ("用工单位统一社会信用代码", "employer_credit_code", False),
        ("工作地区划代码", "work_region", True),
        ("在岗", "active", False),
        ("所属工会", "union", True),
        ("入会日期", "joined_on", True),
        ("入会地类型", "join_place", False),
    ]
    assert all(column.help for column in MEMBER_COLUMNS)
    assert HEADER.strip().split(",") == [column.header for column in MEMBER_COLUMNS]


def test_the_import_page_runs_a_job_and_keeps_district_staff_out_of_another_districts_union(
    cast: Cast, members: Members, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client_for(cast.district_staff)
    body = (
        f"张三,{ZHANG},13800000001,快递员,,,,,520102,是,{RIDERS_UNION},2020-05-01,\n"
        f"王芳,{WANG},,货车司机,,,,,520103,是,{TRUCKERS_UNION},2020-05-01,\n"
    )
    upload = BytesIO((HEADER + body).encode("gbk"))
    upload.name = "会员名册.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/office/imports/members/", {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/office/jobs/{job.pk}/"
    assert (job.kind, job.status) == ("members.import", JobStatus.SUCCEEDED)
    assert job.result["summary"] == "imported 1, updated 0, unchanged 0, rejected 1"
    assert job.result["errors"] == [[3, "所属工会", "该工会不在您的管辖范围内。"]]
    report = client.get(f"/office/jobs/{job.pk}/errors.csv")
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines() == [
        "row,column,message",
        "3,所属工会,该工会不在您的管辖范围内。",
    ]
    assert not Person.objects.filter(name="王芳").exists()
    # The membership event names the staff member who uploaded the list.
    assert events(person(ZHANG)) == [(EventKind.IMPORTED, "import", RIDERS_UNION, cast.district_staff.user.pk)]
    assert client.get(f"/office/jobs/{job.pk}/").status_code == 200

    # 云岩区's own staff may import into their union.
    other = cast.client_for(cast.other_district_staff)
    upload.seek(0)
    with django_capture_on_commit_callbacks(execute=True):
        other.post("/office/imports/members/", {"file": upload})
    other_job = Job.objects.exclude(pk=job.pk).get()
    assert other_job.result["summary"] == "imported 1, updated 0, unchanged 0, rejected 1"
    assert other_job.result["errors"] == [[2, "所属工会", "该工会不在您的管辖范围内。"]]
    assert memberships(person(WANG))[0][0] == TRUCKERS_UNION
    # Another district cannot read the report; a viewer cannot upload.
    assert other.get(f"/office/jobs/{job.pk}/errors.csv").status_code == 404
    upload.seek(0)
    viewer = cast.client_for(cast.district_viewer)
    assert viewer.post("/office/imports/members/", {"file": upload}).status_code == 403


def test_the_import_page_offers_the_member_list_templates(cast: Cast) -> None:
    client = cast.client_for(cast.district_staff)
    page = client.get("/office/imports/members/")
    assert page.status_code == 200
    assert "所属工会" in page.content.decode()
    template = client.get("/office/imports/members/template.xlsx")
    assert template.status_code == 200
    header = next(openpyxl.load_workbook(BytesIO(template.content)).active.iter_rows(values_only=True))
    assert list(header) == [column.header for column in MEMBER_COLUMNS]
    csv_template = client.get("/office/imports/members/template.csv")
    assert csv_template.content.decode("utf-8-sig").strip() == HEADER.strip()


def test_an_applicant_awaiting_another_unions_decision_is_not_imported(cast: Cast, members: Members) -> None:
    from gigunion.members.services import member_join
    from tests.people import worker

    cast.other_grassroots.join_requires_approval = True
    cast.other_grassroots.save(update_fields=["join_requires_approval"])
    outcome = member_join(
        data=worker(id_number=WANG, occupation="truck_driver", work_region="520103"),
        source=JoinSource.QR,
        phone_verified=True,
    )
    assert outcome.status == "pending"
    body = f"刘洋,{WANG},,货车司机,,,,,520103,是,{RIDERS_UNION},2020-05-01,\n"
    report = members_import(data=(HEADER + body).encode(), filename="a.csv")
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "所属工会", f"This person's application to join {TRUCKERS_UNION} is awaiting a decision there.")
    ]


def test_a_failure_part_way_leaves_nothing_written(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    import gigunion.members.imports as imports

    calls: list[int] = []
    draw = imports._card_numbers

    def failing_draw(unions: list[Any]) -> list[str]:
        calls.append(len(unions))
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return draw(unions)

    monkeypatch.setattr(imports, "_CHUNK", 1)
    monkeypatch.setattr(imports, "_card_numbers", failing_draw)
    body = (
        f"张三,{ZHANG},,快递员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n"
        f"李四,{LI},,快递员,,,,,520102,,{RIDERS_UNION},2020-05-01,\n"
    )
    with pytest.raises(RuntimeError):
        members_import(data=(HEADER + body).encode(), filename="a.csv")
    assert calls == [1, 1]
    assert not Person.objects.exists()
    assert not Membership.objects.exists()
    assert not MembershipEvent.objects.exists()
