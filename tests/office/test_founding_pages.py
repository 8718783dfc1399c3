"""The registry, worklist, founding-rate, rules and founding-application pages, against every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gigunion.enterprises.services import enterprises_import
from gigunion.founding.models import (
    ApplicationStatus,
    Coverage,
    FoundingApplication,
    FoundingEvent,
    FoundingRule,
    WorklistEvent,
    WorklistItem,
    WorklistState,
)
from gigunion.founding.services import worklist_refresh
from gigunion.jobs.models import Job, JobStatus
from gigunion.orgs.models import UnionOrganization
from tests.conftest import Cast
from tests.core.test_validators import credit_with_check

pytestmark = pytest.mark.django_db

SMALL = credit_with_check("91520102MA6J00001")
BIG = credit_with_check("91520102MA6J00002")
MID = credit_with_check("91520102MA6J00003")
OTHER = credit_with_check("91520103MA6J00004")
HEADER = "单位名称,统一社会信用代码,所属行业,区划代码,地址,职工人数,新就业形态劳动者人数,企业类型\n"


@dataclass
class Registry:
    cast: Cast
    items: dict[str, WorklistItem]

    def client(self, who: str) -> Client:
        return self.cast.client_for(getattr(self.cast, who))


@pytest.fixture
def registry(cast: Cast) -> Registry:
    assert cast.district_street.region is not None
    street = cast.district_street.region.code
    body = (
        f"南明快递网点,{SMALL},快递物流,{street},,3,6,加盟\n"
        f"南明货运车队,{BIG},道路货物运输,520102,,40,,挂靠\n"
        f"南明家政服务部,{MID},家政服务,520102,,15,,其他\n"
        f"云岩保安服务公司,{OTHER},保安服务,520103,,12,,其他\n"
    )
    report = enterprises_import(data=(HEADER + body).encode("gbk"), filename="list.csv")
    assert report.summary_line() == "imported 4, updated 0, unchanged 0, rejected 0"
    worklist_refresh()
    items = {item.enterprise.credit_code: item for item in WorklistItem.objects.select_related("enterprise")}
    return Registry(cast, items)


def html(response: Any) -> str:
    return str(response.content.decode())


STAFF_PAGES: list[Callable[[Registry], str]] = [
    lambda r: "/office/enterprises/",
    lambda r: f"/office/enterprises/{r.items[SMALL].enterprise_id}/",
    lambda r: "/office/worklist/",
    lambda r: f"/office/worklist/{r.items[SMALL].pk}/",
    lambda r: "/office/founding-rates/",
    lambda r: "/office/founding-rules/",
    lambda r: "/office/applications/",
    lambda r: "/office/imports/enterprises/",
    lambda r: "/office/imports/unions/",
]


@pytest.mark.parametrize("page", range(len(STAFF_PAGES)))
def test_every_page_sends_the_anonymous_to_login_and_refuses_the_outsider(registry: Registry, page: int) -> None:
    url = STAFF_PAGES[page](registry)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/office/login/")
    assert registry.client("outsider").get(url).status_code == 403
    assert registry.client("district_staff").get(url).status_code == 200


def test_the_worklist_shows_only_the_jurisdiction_with_recommendations(registry: Registry) -> None:
    page = html(registry.client("district_staff").get("/office/worklist/"))
    assert "南明快递网点" in page
    assert "南明货运车队" in page
    assert "南明家政服务部" in page
    assert "云岩保安服务公司" not in page
    assert "3 个单位" in page
    # The rules' recommendations and the unions that would take each enterprise.
    assert f"社区建</strong> → {registry.cast.district_street.name}" in page
    assert "联合建</strong> → 南明区网约送餐员联合工会" in page
    assert "职工（含新就业形态劳动者）25人以上，应单独建立工会委员会" in page

    other = html(registry.client("other_district_staff").get("/office/worklist/"))
    assert "云岩保安服务公司" in other
    assert "南明" not in other.split("<tbody>")[1]
    city = html(registry.client("city_staff").get("/office/worklist/"))
    assert "4 个单位" in city


def test_a_district_cannot_see_or_change_another_districts_items(registry: Registry) -> None:
    other_item = registry.items[OTHER]
    client = registry.client("district_staff")
    assert client.get(f"/office/worklist/{other_item.pk}/").status_code == 404
    response = client.post(f"/office/worklist/{other_item.pk}/", {"state": "contacted"})
    assert response.status_code == 404
    assert client.get(f"/office/enterprises/{other_item.enterprise_id}/").status_code == 404
    other_item.refresh_from_db()
    assert other_item.state == WorklistState.NOT_STARTED
    assert WorklistEvent.objects.count() == 0


def test_a_viewer_may_look_but_not_change_an_item(registry: Registry) -> None:
    item = registry.items[BIG]
    client = registry.client("district_viewer")
    page = html(client.get(f"/office/worklist/{item.pk}/"))
    assert 'name="state"' not in page
    assert client.post(f"/office/worklist/{item.pk}/", {"state": "contacted"}).status_code == 403
    item.refresh_from_db()
    assert item.state == WorklistState.NOT_STARTED


def test_staff_assign_an_item_with_a_deadline_and_it_shows_overdue(registry: Registry) -> None:
    item = registry.items[BIG]
    client = registry.client("district_staff")
    response = client.post(
        f"/office/worklist/{item.pk}/",
        {
            "state": "contacted",
            "assignee": registry.cast.district_staff.pk,
            "deadline": "2020-01-31",
            "note": "已电话联系负责人",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.assignee_id, str(item.deadline), item.note) == (
        "contacted",
        registry.cast.district_staff.pk,
        "2020-01-31",
        "已电话联系负责人",
    )
    event = WorklistEvent.objects.get()
    assert (event.from_state, event.to_state, event.assignee_name, event.actor_id) == (
        "not_started",
        "contacted",
        "李娜",
        registry.cast.district_staff.user_id,
    )
    overdue = html(client.get("/office/worklist/?overdue=1"))
    assert "1 个单位" in overdue
    assert "南明货运车队" in overdue
    assert "2020-01-31" in overdue


def test_not_applicable_needs_a_reason_and_founded_cannot_be_chosen(registry: Registry) -> None:
    item = registry.items[MID]
    client = registry.client("district_staff")
    response = client.post(f"/office/worklist/{item.pk}/", {"state": "not_applicable", "note": ""})
    assert response.status_code == 400
    assert "请说明该单位不需建会的原因。" in html(response)
    response = client.post(f"/office/worklist/{item.pk}/", {"state": "founded"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.state == WorklistState.NOT_STARTED


def test_the_worklist_exports_to_excel_with_the_filter_applied(registry: Registry) -> None:
    response = registry.client("district_staff").get("/office/worklist/?sort=name&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位名称", "统一社会信用代码", "区划代码", "地区")
    assert [row[0] for row in rows[1:]] == ["南明家政服务部", "南明快递网点", "南明货运车队"]
    assert rows[1][7:11] == ("联合建", "不足25人的单位，联合建立联合基层工会", "南明区网约送餐员联合工会", "未启动")


def test_the_worklist_page_costs_a_fixed_number_of_queries(registry: Registry) -> None:
    from django.db import connection

    client = registry.client("city_staff")
    client.get("/office/worklist/")
    with CaptureQueriesContext(connection) as first:
        assert client.get("/office/worklist/").status_code == 200
    for number in range(5):
        code = credit_with_check(f"91520102MA6K{number:05d}")
        body = f"新增单位{number},{code},,520102,,5,,其他\n"
        enterprises_import(data=(HEADER + body).encode(), filename="more.csv")
    worklist_refresh()
    with CaptureQueriesContext(connection) as second:
        assert client.get("/office/worklist/").status_code == 200
    # session, user, staff account, page count, home organization, summary, rate, child regions,
    # assignees, page rows, and the session's idle-timeout save (3 with its savepoint): 13 whatever the size.
    assert len(second) == len(first) == 13


def test_enterprise_list_filters_and_exports_in_the_import_format(registry: Registry) -> None:
    client = registry.client("city_staff")
    page = html(client.get("/office/enterprises/?region=520103"))
    assert "云岩保安服务公司" in page
    assert "南明" not in page.split("<tbody>")[1]
    response = client.get("/office/enterprises/?format=xlsx&sort=name")
    rows = list(openpyxl.load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:9] == (
        "单位名称",
        "统一社会信用代码",
        "所属行业",
        "区划代码",
        "地址",
        "职工人数",
        "新就业形态劳动者人数",
        "企业类型",
        "上级企业统一社会信用代码",
    )
    assert len(rows) == 5
    assert rows[1][:2] == ("云岩保安服务公司", OTHER)
    # The export imports back without a change.
    exported = BytesIO(response.content).getvalue()
    report = enterprises_import(data=exported, filename="export.xlsx")
    assert report.summary_line() == "imported 0, updated 0, unchanged 4, rejected 0"
    district_export = registry.client("district_staff").get("/office/enterprises/?format=xlsx")
    assert len(list(openpyxl.load_workbook(BytesIO(district_export.content)).active.iter_rows())) == 4


def test_import_page_runs_a_job_with_progress_and_a_rejected_rows_report(
    registry: Registry, django_capture_on_commit_callbacks: Any
) -> None:
    client = registry.client("district_staff")
    body = f"新开网点,{credit_with_check('91520102MA6L00001')},快递物流,520102,,4,,加盟\n坏行,123,,520102,,,,\n"
    upload = BytesIO((HEADER + body).encode("gbk"))
    upload.name = "企业名单.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/office/imports/enterprises/", {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/office/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED
    assert (job.result["imported"], job.result["rejected"]) == (1, 1)
    page = html(client.get(response["Location"]))
    assert "统一社会信用代码" in page
    report = client.get(f"/office/jobs/{job.pk}/errors.csv")
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines() == [
        "row,column,message",
        "3,统一社会信用代码,统一社会信用代码不正确。",
    ]
    # The new enterprise is on the worklist at once.
    assert WorklistItem.objects.filter(enterprise__name="新开网点").count() == 1
    # Another district cannot read the report; a viewer cannot upload.
    assert registry.client("other_district_staff").get(f"/office/jobs/{job.pk}/errors.csv").status_code == 404
    upload.seek(0)
    assert registry.client("district_viewer").post("/office/imports/enterprises/", {"file": upload}).status_code == 403


def test_import_page_refuses_no_file_and_offers_templates(registry: Registry) -> None:
    client = registry.client("district_staff")
    response = client.post("/office/imports/unions/", {})
    assert response.status_code == 400
    assert "请选择 CSV 或 XLSX 文件。" in html(response)
    template = client.get("/office/imports/unions/template.xlsx")
    assert template.status_code == 200
    header = next(openpyxl.load_workbook(BytesIO(template.content)).active.iter_rows(values_only=True))
    assert header[:3] == ("工会名称", "工会代码", "工会类型")
    assert client.get("/office/imports/unions/template.exe").status_code == 404
    assert client.get("/office/imports/nonsense/").status_code == 404


def test_founding_rates_show_numerator_and_denominator(registry: Registry) -> None:
    Coverage.objects.create(
        organization=registry.cast.district_grassroots,
        enterprise=registry.items[MID].enterprise,
        started_on="2024-01-01",
    )
    worklist_refresh()
    WorklistItem.objects.filter(pk=registry.items[OTHER].pk).update(state=WorklistState.NOT_APPLICABLE)
    page = html(registry.client("city_staff").get("/office/founding-rates/"))
    assert "33.3%" in page  # 1 covered of 3 (云岩's one is not applicable)
    assert "3 家中已覆盖 1 家" in page
    assert '"covered": [1]' in page
    assert '"pending": [2]' in page
    district = html(registry.client("district_staff").get("/office/founding-rates/"))
    assert "3 家中已覆盖 1 家" in district


def test_only_an_administrator_adjusts_the_rules_and_the_worklist_follows(
    registry: Registry, django_capture_on_commit_callbacks: Any
) -> None:
    assert registry.client("district_staff").post("/office/founding-rules/customize/").status_code == 403
    client = registry.client("city_staff")
    assert client.post("/office/founding-rules/customize/").status_code == 302
    own = list(FoundingRule.objects.filter(organization=registry.cast.city).order_by("priority"))
    assert [rule.priority for rule in own] == [10, 20, 30, 40, 50]
    # Lower the standalone threshold to 15: the 15-person household service now gets its own committee.
    rule = own[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/office/founding-rules/{rule.pk}/",
            {
                "priority": 10,
                "name": "15人以上单独建会",
                "min_people": 15,
                "target": "own_committee",
                "founding_mode": "standalone",
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    item = WorklistItem.objects.get(pk=registry.items[MID].pk)
    assert (item.recommended_mode, item.reason) == ("standalone", "15人以上单独建会")
    assert registry.client("other_district_staff").get(f"/office/founding-rules/{rule.pk}/").status_code == 404
    bad = client.post(
        f"/office/founding-rules/{rule.pk}/",
        {
            "priority": 10,
            "name": "x",
            "min_people": 30,
            "max_people": 5,
            "target": "joint_union",
            "founding_mode": "joint",
        },
    )
    assert bad.status_code == 400


def test_a_founding_application_goes_from_the_worklist_to_a_founded_union(registry: Registry) -> None:
    item = registry.items[BIG]
    district, city = registry.client("district_staff"), registry.client("city_staff")
    form = html(district.get(f"/office/applications/new/?item={item.pk}"))
    assert "南明货运车队工会委员会" in form
    response = district.post(
        f"/office/applications/new/?item={item.pk}",
        {
            "name": "南明货运车队工会委员会",
            "organization_type": "enterprise",
            "founding_mode": "standalone",
            "parent": registry.cast.district.pk,
            "contact_name": "周强",
            "expected_members": 40,
        },
    )
    assert response.status_code == 302
    application = FoundingApplication.objects.get()
    url = f"/office/applications/{application.pk}/"
    assert WorklistItem.objects.get(pk=item.pk).state == WorklistState.PREPARING

    # The submitter cannot approve (nor is offered to); another district cannot see it; the city sees it waiting.
    assert "等待上级工会办理。" in html(district.get(url))
    assert "登记此步骤" in html(city.get(url))
    assert district.post(url, {"note": ""}).status_code == 403
    assert registry.client("other_district_staff").get(url).status_code == 404
    assert "南明货运车队工会委员会" in html(city.get("/office/applications/?show=awaiting"))
    assert "没有等待您审批的申请。" in html(registry.client("other_district_staff").get("/office/applications/"))

    assert city.post(url, {"note": "同意筹建"}).status_code == 302
    assert district.post(url, {"congress_on": "2026-03-01", "congress_attendance": 32}).status_code == 302
    missing = district.post(url, {"chair_name": ""})
    assert missing.status_code == 400
    assert "请填写当选的主席和委员会任期。" in html(missing)
    assert (
        district.post(
            url, {"chair_name": "刘洋", "committee_size": 5, "term_start": "2026-03-01", "term_end": "2031-02-28"}
        ).status_code
        == 302
    )
    assert city.post(url, {"note": ""}).status_code == 302
    assert city.post(url, {"founded_on": "2026-03-15"}).status_code == 302

    application.refresh_from_db()
    assert application.status == ApplicationStatus.FOUNDED
    union = UnionOrganization.objects.get(name="南明货运车队工会委员会")
    assert (union.parent_id, union.chair_name, str(union.founded_on), union.founding_mode) == (
        registry.cast.district.pk,
        "刘洋",
        "2026-03-15",
        "standalone",
    )
    assert Coverage.objects.get(enterprise=item.enterprise).organization_id == union.pk
    assert WorklistItem.objects.get(pk=item.pk).state == WorklistState.FOUNDED
    steps = list(FoundingEvent.objects.filter(application=application).values_list("step", "actor_organization_id"))
    assert steps == [
        ("submitted", registry.cast.district.pk),
        ("preparation_approved", registry.cast.city.pk),
        ("congress_held", registry.cast.district.pk),
        ("election_recorded", registry.cast.district.pk),
        ("election_approved", registry.cast.city.pk),
        ("founded", registry.cast.city.pk),
    ]
    page = html(district.get(url))
    assert "此申请已办结。" in page


def test_the_higher_union_rejects_with_a_reason_and_the_item_reopens(registry: Registry) -> None:
    item = registry.items[BIG]
    district, city = registry.client("district_staff"), registry.client("city_staff")
    district.post(
        f"/office/applications/new/?item={item.pk}",
        {
            "name": "车队工会",
            "organization_type": "enterprise",
            "founding_mode": "standalone",
            "parent": registry.cast.district.pk,
        },
    )
    application = FoundingApplication.objects.get()
    assert (
        registry.client("district_viewer")
        .post(f"/office/applications/{application.pk}/reject/", {"reason": "x"})
        .status_code
        == 403
    )
    city.post(f"/office/applications/{application.pk}/reject/", {"reason": "材料不全"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert WorklistItem.objects.get(pk=item.pk).state == WorklistState.CONTACTED
    assert FoundingEvent.objects.filter(application=application).last().note == "材料不全"  # type: ignore[union-attr]


def test_a_viewer_cannot_start_an_application(registry: Registry) -> None:
    item = registry.items[BIG]
    viewer = registry.client("district_viewer")
    assert viewer.get(f"/office/applications/new/?item={item.pk}").status_code == 403
    response = viewer.post(
        f"/office/applications/new/?item={item.pk}",
        {
            "name": "车队工会",
            "organization_type": "enterprise",
            "founding_mode": "standalone",
            "parent": registry.cast.district.pk,
        },
    )
    assert response.status_code == 403
    assert FoundingApplication.objects.count() == 0
    assert WorklistItem.objects.get(pk=item.pk).state == WorklistState.NOT_STARTED


def test_home_counts_enterprises_pending_and_what_awaits_approval(registry: Registry) -> None:
    WorklistItem.objects.filter(pk=registry.items[BIG].pk).update(deadline="2020-01-01", state="contacted")
    page = html(registry.client("district_staff").get("/office/"))
    assert 'data-count="enterprises">3<' in page
    assert 'data-count="pending">3<' in page
    assert 'data-count="overdue">1<' in page
    assert 'data-count="founding_rate">0.0%<' in page
    assert 'data-count="awaiting">0<' in page
    city = html(registry.client("city_staff").get("/office/"))
    assert 'data-count="enterprises">4<' in city


def test_a_union_page_lists_the_enterprises_it_covers(registry: Registry) -> None:
    Coverage.objects.create(
        organization=registry.cast.district_grassroots,
        enterprise=registry.items[MID].enterprise,
        started_on="2024-05-01",
    )
    page = html(registry.client("district_staff").get(f"/office/organizations/{registry.cast.district_grassroots.pk}/"))
    assert "南明家政服务部" in page
    assert "2024-05-01" in page
    assert (
        registry.client("other_district_staff")
        .get(f"/office/organizations/{registry.cast.district_grassroots.pk}/")
        .status_code
        == 404
    )


def test_a_grassroots_administrator_cannot_write_founding_rules(registry: Registry) -> None:
    from gigunion.orgs.models import StaffRole
    from gigunion.orgs.services import staff_account_create

    admin = staff_account_create(
        username="grassroots_admin",
        password="Test-password-2026",
        display_name="钱进",
        organization=registry.cast.district_grassroots,
        role=StaffRole.ADMIN,
    )
    client = registry.cast.client_for(admin)
    assert client.post("/office/founding-rules/customize/").status_code == 403
    assert client.get("/office/founding-rules/new/").status_code == 403
    assert FoundingRule.objects.filter(organization__isnull=False).count() == 0
