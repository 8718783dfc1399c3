"""The appeal pages of the back office: the list (filters, overdue in red, export), an appeal's page (data,
timeline, deadlines, files, every step), staff entry, reception days, routing rules and time limits.

Every page and every POST is tried against the roles that must not pass; pages are read in English.
The appeals: 刘强's wage arrears in 南明区 (fresh, held by 南明区总工会), an old safety case that a rule sent
to 南明区网约送餐员联合工会 (overdue, so escalated to 南明区总工会), and a case in 云岩区 (the other district).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PIL import Image

from gigunion.appeals import services
from gigunion.appeals.models import (
    Appeal,
    AppealEvent,
    Category,
    Channel,
    EventKind,
    ReceptionDay,
    RoutingRule,
    SlaLimit,
    Status,
)
from gigunion.core.models import AuditAction, AuditEvent
from gigunion.orgs.access import require_jurisdiction
from gigunion.orgs.models import StaffRole
from gigunion.orgs.services import staff_account_create
from gigunion.regions.models import Region
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI)  # a Monday


def client(cast: Cast, who: str) -> Client:
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def html(response: Any) -> str:
    return str(response.content.decode())


def submit(region: str, *, category: str = Category.WAGE_ARREARS, now: datetime | None = None, **kw: Any) -> Appeal:
    data = services.AppealInput(
        category=category,
        description=kw.pop("description", "三个月工资没有发，老板联系不上。"),
        work_region=region,
        contact_name=kw.pop("name", "刘强"),
        contact_phone=kw.pop("phone", "13800001234"),
        employer_name=kw.pop("employer", ""),
    )
    return services.appeal_submit(data=data, channel=kw.pop("channel", Channel.HOTLINE), now=now, **kw)


@pytest.fixture
def cases(cast: Cast) -> dict[str, Appeal]:
    RoutingRule.objects.create(
        region=Region.objects.get(code="520102"), category=Category.SAFETY, union=cast.district_grassroots
    )
    fresh = submit("520102")
    old = submit("520102", category=Category.SAFETY, now=LONG_AGO, name="王芳", phone="13900005678")
    other = submit("520103", name="张军", phone="13700009999")
    return {"fresh": fresh, "old": old, "other": other}


def numbers(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-appeal="')[1:]]


# ---------------------------------------------------------------------------------------------
# Who may come in
# ---------------------------------------------------------------------------------------------

PAGES = ["office:appeal_list", "office:appeal_new", "office:reception_days", "office:appeal_rules", "office:appeal_sla"]


@pytest.mark.parametrize("name", PAGES)
def test_it_sends_anonymous_users_to_log_in_and_refuses_outsiders(cast: Cast, name: str) -> None:
    url = reverse(name)
    response = client(cast, "anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("office:login"))
    assert client(cast, "outsider").get(url).status_code == 403


def test_other_district_gets_404_on_our_appeals_everywhere(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    pdf = services.attachment_add(appeal=fresh, name="合同.pdf", data=b"%PDF-1.4 contract", by_worker=True)
    browser = client(cast, "other_district_staff")
    assert browser.get(reverse("office:appeal_detail", args=[fresh.pk])).status_code == 404
    assert browser.post(reverse("office:appeal_action", args=[fresh.pk, "accept"])).status_code == 404
    assert browser.post(reverse("office:appeal_reveal", args=[fresh.pk])).status_code == 404
    assert browser.get(reverse("office:appeal_file", args=[pdf.pk])).status_code == 404
    fresh.refresh_from_db()
    assert fresh.status == Status.SUBMITTED


def test_outsider_and_anonymous_cannot_act(cast: Cast, cases: dict[str, Appeal]) -> None:
    url = reverse("office:appeal_action", args=[cases["fresh"].pk, "accept"])
    assert client(cast, "outsider").post(url).status_code == 403
    assert client(cast, "anonymous").post(url).status_code == 302


def test_outsider_and_anonymous_see_no_appeal_and_no_phone(cast: Cast, cases: dict[str, Appeal]) -> None:
    detail = reverse("office:appeal_detail", args=[cases["fresh"].pk])
    reveal = reverse("office:appeal_reveal", args=[cases["fresh"].pk])
    outsider, anonymous = client(cast, "outsider"), client(cast, "anonymous")

    assert outsider.get(detail).status_code == 403
    assert outsider.post(reveal).status_code == 403
    for response in (anonymous.get(detail), anonymous.post(reveal)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("office:login"))
    assert AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEW).count() == 0


def test_a_viewer_sees_but_cannot_act(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    browser = client(cast, "district_viewer")
    page = browser.get(reverse("office:appeal_detail", args=[fresh.pk]))
    assert page.status_code == 200
    assert 'data-action="accept"' not in html(page)
    for action in ("accept", "note", "pause", "hand_off", "assign", "resolve"):
        response = browser.post(reverse("office:appeal_action", args=[fresh.pk, action]), {"text": "x"})
        assert response.status_code == 403, action
    assert browser.get(reverse("office:appeal_new")).status_code == 403
    assert browser.post(reverse("office:reception_days"), {"host": "x"}).status_code == 403
    assert browser.post(reverse("office:appeal_rules"), {"region": "520102"}).status_code == 403
    fresh.refresh_from_db()
    assert fresh.status == Status.SUBMITTED
    assert list(fresh.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED]


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def test_the_list_shows_each_jurisdiction_its_appeals(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh, old, other = cases["fresh"].number, cases["old"].number, cases["other"].number
    district = html(client(cast, "district_staff").get(reverse("office:appeal_list")))
    assert numbers(district) == [fresh, old]
    assert "2 appeals" in district
    assert numbers(html(client(cast, "other_district_staff").get(reverse("office:appeal_list")))) == [other]
    assert numbers(html(client(cast, "city_staff").get(reverse("office:appeal_list")))) == [other, fresh, old]


def test_an_overdue_case_is_escalated_to_the_parent_and_shown_in_red(cast: Cast, cases: dict[str, Appeal]) -> None:
    page = html(client(cast, "district_staff").get(reverse("office:appeal_list")))
    old = Appeal.objects.get(pk=cases["old"].pk)
    assert old.union == cast.district_grassroots
    assert old.escalated_to == cast.district
    row = page.split(f'data-appeal="{old.number}"')[1].split("</tr>")[0]
    assert 'class="overdue appeal-overdue"' in row
    assert "Escalated to 南明区总工会" in row
    assert "2025-03-24" in row  # 15 working days after Monday 3 March 2025
    fresh_row = page.split(f'data-appeal="{cases["fresh"].number}"')[1].split("</tr>")[0]
    assert "overdue" not in fresh_row
    browser = client(cast, "district_staff")
    assert numbers(html(browser.get(reverse("office:appeal_list") + "?escalated=1"))) == [old.number]
    assert numbers(html(browser.get(reverse("office:appeal_list") + "?overdue=1"))) == [old.number]
    assert list(old.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED, EventKind.ESCALATED]


def test_the_list_filters(cast: Cast, cases: dict[str, Appeal]) -> None:
    browser = client(cast, "district_staff")
    url = reverse("office:appeal_list")
    fresh, old = cases["fresh"], cases["old"]
    assert numbers(html(browser.get(url + "?category=safety"))) == [old.number]
    assert numbers(html(browser.get(url + "?channel=walk_in"))) == []
    assert numbers(html(browser.get(url + "?q=王芳"))) == [old.number]
    assert numbers(html(browser.get(url + f"?q={fresh.number}"))) == [fresh.number]
    assert numbers(html(browser.get(url + "?mine=1"))) == []
    services.appeal_assign(
        appeal=fresh,
        assignee=cast.district_staff.user,
        jurisdiction=require_jurisdiction(cast.district_staff.user),
        actor=cast.district_staff.user,
    )
    assert numbers(html(browser.get(url + "?mine=1"))) == [fresh.number]
    jurisdiction = require_jurisdiction(cast.district_staff.user)
    services.appeal_step(appeal=fresh, kind=EventKind.RESOLVED, jurisdiction=jurisdiction, actor=None, text="已追回")
    assert numbers(html(browser.get(url))) == [old.number]
    assert numbers(html(browser.get(url + "?status=done"))) == [fresh.number]
    assert numbers(html(browser.get(url + "?status=all"))) == [fresh.number, old.number]
    city = client(cast, "city_staff")
    assert numbers(html(city.get(url + "?region=520103"))) == [cases["other"].number]
    assert browser.get(url + "?region=520103").status_code == 404


def test_the_export_masks_the_phone(cast: Cast, cases: dict[str, Appeal]) -> None:
    response = client(cast, "district_staff").get(reverse("office:appeal_list") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "姓名", "电话")
    assert [row[:3] for row in rows[1:]] == [
        (cases["fresh"].number, "刘强", "138****1234"),
        (cases["old"].number, "王芳", "139****5678"),
    ]
    assert "13800001234" not in str(rows)


# ---------------------------------------------------------------------------------------------
# An appeal's page and its steps
# ---------------------------------------------------------------------------------------------


def test_script_in_the_description_is_escaped(cast: Cast) -> None:
    appeal = submit("520102", description="<script>alert('x')</script> 平台罚款", name="<b>小明</b>")
    for who in ("district_staff", "city_staff"):
        detail = html(client(cast, who).get(reverse("office:appeal_detail", args=[appeal.pk])))
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 平台罚款" in detail
        assert "<script>alert(" not in detail
        assert "<b>小明</b>" not in detail
    listing = html(client(cast, "district_staff").get(reverse("office:appeal_list")))
    assert "&lt;b&gt;小明&lt;/b&gt;" in listing
    assert "<b>小明</b>" not in listing


def test_the_page_shows_data_deadlines_and_the_masked_phone(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    page = html(client(cast, "district_staff").get(reverse("office:appeal_detail", args=[fresh.pk])))
    assert "138****1234" in page
    assert "13800001234" not in page
    assert f'data-field="first_response_due">{fresh.first_response_due:%Y-%m-%d}' in page
    assert f'data-field="resolution_due">{fresh.resolution_due:%Y-%m-%d}' in page
    assert 'data-field="union">南明区总工会<' in page


def test_revealing_the_phone_takes_the_right_and_is_audited(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    url = reverse("office:appeal_reveal", args=[fresh.pk])
    assert client(cast, "district_staff").post(url).status_code == 403
    response = client(cast, "city_staff").post(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert '<span class="revealed">13800001234</span>' in html(response)
    audit = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEW, object_type="appeal")
    assert (audit.object_id, audit.details) == (str(fresh.pk), {"field": "phone"})


def test_staff_take_every_step_and_the_timeline_shows_all(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    browser = client(cast, "district_staff")

    def act(action: str, **data: Any) -> Any:
        return browser.post(reverse("office:appeal_action", args=[fresh.pk, action]), data)

    assert act("accept").status_code == 302
    assert act("respond", text="已联系用人单位").status_code == 302
    assert act("note", text="老板电话 139…").status_code == 302
    assert act("investigate").status_code == 302
    assert act("pause", text="请上传工资条").status_code == 302
    fresh.refresh_from_db()
    assert fresh.paused_since is not None
    assert act("resume", text="已上传").status_code == 302
    assert act("mediate").status_code == 302
    fresh.refresh_from_db()
    assert (fresh.status, fresh.statutory_kind) == (Status.MEDIATING, "mediation")
    assert act("arbitrate").status_code == 302
    assert act("arbitration_accepted").status_code == 302
    assert act("legal_aid").status_code == 302
    staff_id = cast.district_staff.pk
    assert act("assign", assignee=staff_id).status_code == 302
    assert act("resolve", text="工资已追回").status_code == 302
    assert act("close").status_code == 302
    fresh.refresh_from_db()
    assert fresh.status == Status.CLOSED
    assert fresh.assignee == cast.district_staff.user
    assert list(fresh.events.values_list("kind", flat=True)) == [
        EventKind.SUBMITTED,
        EventKind.ACCEPTED,
        EventKind.FIRST_RESPONSE,
        EventKind.NOTE,
        EventKind.INVESTIGATION,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.MEDIATION,
        EventKind.ARBITRATION,
        EventKind.ARBITRATION_ACCEPTED,
        EventKind.LEGAL_AID,
        EventKind.ASSIGNED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    ]
    page = html(browser.get(reverse("office:appeal_detail", args=[fresh.pk])))
    assert page.count("<li data-event=") == 14
    assert "老板电话 139…" in page  # staff notes are on the staff's timeline
    assert 'data-action="accept"' not in page  # closed: no more steps


def test_a_refused_step_is_shown_with_400(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    browser = client(cast, "district_staff")
    response = browser.post(reverse("office:appeal_action", args=[fresh.pk, "respond"]), {"text": " "})
    assert response.status_code == 400
    assert "Write what you tell the worker." in html(response)
    response = browser.post(reverse("office:appeal_action", args=[fresh.pk, "close"]))
    assert response.status_code == 400
    assert "Only a resolved appeal can be closed." in html(response)
    response = browser.post(reverse("office:appeal_action", args=[fresh.pk, "assign"]), {"assignee": "999999"})
    assert response.status_code == 400
    assert browser.post(reverse("office:appeal_action", args=[fresh.pk, "nonsense"])).status_code == 404
    assert list(fresh.events.values_list("kind", flat=True)) == [EventKind.SUBMITTED]


def test_hand_off_keeps_the_deadlines(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    before = (fresh.first_response_due, fresh.resolution_due, fresh.received_at)
    browser = client(cast, "district_staff")
    response = browser.post(
        reverse("office:appeal_action", args=[fresh.pk, "hand_off"]),
        {"to_union": cast.district_grassroots.pk, "text": "骑手的联合工会更近"},
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.union == cast.district_grassroots
    assert (fresh.first_response_due, fresh.resolution_due, fresh.received_at) == before
    event = fresh.events.get(kind=EventKind.HANDED_OFF)
    assert (event.from_union, event.union, event.text) == (
        cast.district,
        cast.district_grassroots,
        "骑手的联合工会更近",
    )
    # A union of another district is not among the choices.
    response = browser.post(
        reverse("office:appeal_action", args=[fresh.pk, "hand_off"]),
        {"to_union": cast.other_district.pk, "text": "x"},
    )
    assert response.status_code == 400
    fresh.refresh_from_db()
    assert fresh.union == cast.district_grassroots


def test_hand_off_up_to_the_city_leaves_the_district_out(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    response = client(cast, "district_staff").post(
        reverse("office:appeal_action", args=[fresh.pk, "hand_off"]), {"to_union": cast.city.pk, "text": "跨区"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("office:appeal_list")
    assert client(cast, "district_staff").get(reverse("office:appeal_detail", args=[fresh.pk])).status_code == 404
    assert client(cast, "city_staff").get(reverse("office:appeal_detail", args=[fresh.pk])).status_code == 200


def test_the_district_acts_on_a_case_escalated_from_its_grassroots_union(cast: Cast, cases: dict[str, Appeal]) -> None:
    services.appeals_escalate()
    old = cases["old"]
    page = html(client(cast, "district_staff").get(reverse("office:appeal_detail", args=[old.pk])))
    assert '<span class="tag alert" data-flag="overdue">Overdue</span>' in page
    assert 'data-field="escalated_to"><span class="tag alert">南明区总工会</span>' in page
    response = client(cast, "district_staff").post(
        reverse("office:appeal_action", args=[old.pk, "respond"]), {"text": "马上处理"}
    )
    assert response.status_code == 302
    response = client(cast, "city_staff").post(reverse("office:appeal_action", args=[old.pk, "note"]), {"text": "督办"})
    assert response.status_code == 302


def test_files_are_served_to_staff_who_see_the_appeal(cast: Cast, cases: dict[str, Appeal]) -> None:
    fresh = cases["fresh"]
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    photo = services.attachment_add(appeal=fresh, name="工资条.png", data=buffer.getvalue(), by_worker=True)
    pdf = services.attachment_add(appeal=fresh, name="合同.pdf", data=b"%PDF-1.4 contract", by_worker=True)
    browser = client(cast, "district_viewer")
    response = browser.get(reverse("office:appeal_file", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'inline; filename="appeal-{photo.pk}.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    response = browser.get(reverse("office:appeal_file", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="appeal-{pdf.pk}.pdf"'
    assert response.content == b"%PDF-1.4 contract"
    assert client(cast, "outsider").get(reverse("office:appeal_file", args=[pdf.pk])).status_code == 403
    page = html(browser.get(reverse("office:appeal_detail", args=[fresh.pk])))
    assert f'<img src="{reverse("office:appeal_file", args=[photo.pk])}"' in page


# ---------------------------------------------------------------------------------------------
# Staff entry and reception days
# ---------------------------------------------------------------------------------------------

ENTRY = {
    "contact_name": "赵大勇",
    "contact_phone": "13512345678",
    "may_contact": "on",
    "channel": Channel.HOTLINE,
    "category": Category.DISMISSAL,
    "complexity": "normal",
    "description": "货车司机，被辞退没有补偿。",
    "employer_name": "一家没人知道的物流公司",
    "work_region": "520102",
}


def test_staff_record_a_hotline_appeal_about_an_unknown_employer(cast: Cast) -> None:
    response = client(cast, "district_staff").post(reverse("office:appeal_new"), ENTRY)
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("office:appeal_detail", args=[appeal.pk])
    assert (appeal.contact_name, appeal.channel, appeal.union, appeal.employer) == (
        "赵大勇",
        Channel.HOTLINE,
        cast.district,
        None,
    )
    assert appeal.employer_name == "一家没人知道的物流公司"
    assert appeal.events.get().actor == cast.district_staff.user


def test_staff_entry_refuses_a_region_outside_the_jurisdiction(cast: Cast) -> None:
    response = client(cast, "district_staff").post(reverse("office:appeal_new"), {**ENTRY, "work_region": "520103"})
    assert response.status_code == 400
    assert "Choose a region within your jurisdiction." in html(response)
    assert not Appeal.objects.exists()


def test_staff_entry_checks_the_phone_as_every_form_does(cast: Cast) -> None:
    browser = client(cast, "district_staff")
    refused = browser.post(reverse("office:appeal_new"), {**ENTRY, "contact_phone": "12512345678"})
    assert refused.status_code == 400
    assert "A mobile number has 11 digits and begins with 13 to 19." in html(refused)
    assert not Appeal.objects.exists()

    browser.post(reverse("office:appeal_new"), {**ENTRY, "contact_phone": "+86 135 1234 5678"})
    assert Appeal.objects.get().contact_phone == "13512345678"


def test_reception_days_are_scheduled_and_show_their_appeals(cast: Cast) -> None:
    browser = client(cast, "district_staff")
    response = browser.post(
        reverse("office:reception_days"),
        {"union": cast.district.pk, "day": "2026-03-10", "host": "李主席", "place": "南明区职工服务中心"},
    )
    assert response.status_code == 302
    day = ReceptionDay.objects.get()
    assert (day.union, day.day, day.host) == (cast.district, date(2026, 3, 10), "李主席")
    response = browser.post(
        reverse("office:appeal_new"), {**ENTRY, "channel": Channel.RECEPTION_DAY, "reception_day": day.pk}
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.reception_day == day
    page = html(browser.get(reverse("office:reception_days")))
    row = page.split(f'data-day="{day.pk}"')[1].split("</tr>")[0]
    assert f'data-count="logged">1 · <a href="{reverse("office:appeal_detail", args=[appeal.pk])}">' in row
    # Another district sees neither the day nor its appeals, and cannot schedule for our union.
    other = client(cast, "other_district_staff")
    assert f'data-day="{day.pk}"' not in html(other.get(reverse("office:reception_days")))
    response = other.post(
        reverse("office:reception_days"), {"union": cast.district.pk, "day": "2026-03-11", "host": "x"}
    )
    assert response.status_code == 400
    assert ReceptionDay.objects.count() == 1


def test_a_reception_day_channel_needs_the_day(cast: Cast) -> None:
    response = client(cast, "district_staff").post(
        reverse("office:appeal_new"), {**ENTRY, "channel": Channel.RECEPTION_DAY}
    )
    assert response.status_code == 400
    assert not Appeal.objects.exists()


# ---------------------------------------------------------------------------------------------
# Routing rules and time limits
# ---------------------------------------------------------------------------------------------


def test_routing_rules_are_kept_within_the_jurisdiction(cast: Cast) -> None:
    browser = client(cast, "district_staff")
    response = browser.post(
        reverse("office:appeal_rules"),
        {"region": "520102", "category": Category.PLATFORM_RULES, "union": cast.district_grassroots.pk},
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.region_id, rule.category, rule.union) == ("520102", "platform_rules", cast.district_grassroots)
    assert submit("520102", category=Category.PLATFORM_RULES).union == cast.district_grassroots
    assert "南明区网约送餐员联合工会" in html(browser.get(reverse("office:appeal_rules")))
    response = browser.post(reverse("office:appeal_rules"), {"region": "520103", "union": cast.district.pk})
    assert response.status_code == 400
    other = client(cast, "other_district_staff")
    assert other.post(reverse("office:appeal_rule_delete", args=[rule.pk])).status_code == 404
    assert client(cast, "district_viewer").post(reverse("office:appeal_rule_delete", args=[rule.pk])).status_code == 403
    assert browser.post(reverse("office:appeal_rule_delete", args=[rule.pk])).status_code == 302
    assert not RoutingRule.objects.exists()


def test_time_limits_show_defaults_and_only_administrators_change_them(cast: Cast) -> None:
    page = html(client(cast, "district_staff").get(reverse("office:appeal_sla")))
    row = page.split('data-category="work_injury"')[1].split("</tr>")[0]
    assert '<span data-days>2 / 15</span> <span class="muted small">default</span>' in row
    url = reverse("office:appeal_sla")
    field = "work_injury__complex__"
    assert (
        client(cast, "district_staff").post(url, {f"{field}first": "1", f"{field}resolution": "20"}).status_code == 403
    )
    # The limits hold everywhere: a city administrator may not change them, a provincial one may.
    assert client(cast, "city_staff").post(url, {f"{field}first": "1", f"{field}resolution": "20"}).status_code == 403
    province_admin = staff_account_create(
        username="province_admin",
        password="Test-password-2026",
        display_name="省总管理员",
        organization=cast.province,
        role=StaffRole.ADMIN,
    )
    province = Client()
    province.force_login(province_admin.user)
    province.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = province.post(url, {f"{field}first": "1", f"{field}resolution": "20"})
    assert response.status_code == 302
    limit = SlaLimit.objects.get()
    assert (limit.category, limit.complexity, limit.first_response_days, limit.resolution_days) == (
        "work_injury",
        "complex",
        1,
        20,
    )
    response = province.post(url, {f"{field}first": "9", f"{field}resolution": "3"})
    assert response.status_code == 400
    assert "The first response cannot be due after the resolution." in html(response)
    assert services.sla_days("work_injury", "complex") == (1, 20)


def test_the_nav_links_the_appeals(cast: Cast) -> None:
    with translation.override("en"):
        page = html(client(cast, "district_staff").get(reverse("office:home")))
    assert f'<a href="{reverse("office:appeal_list")}">Appeals</a>' in page
    assert AppealEvent.objects.count() == 0


def test_a_case_waiting_for_the_worker_is_shown_paused_and_never_overdue(cast: Cast) -> None:
    appeal = submit("520102", now=LONG_AGO)
    services.appeal_pause(
        appeal=appeal,
        jurisdiction=require_jurisdiction(cast.district_staff.user),
        actor=None,
        question="请补充合同",
        now=LONG_AGO,
    )
    page = html(client(cast, "district_staff").get(reverse("office:appeal_list")))
    row = page.split(f'data-appeal="{appeal.number}"')[1].split("</tr>")[0]
    assert '<span class="tag warn" data-flag="paused">Waiting for the worker</span>' in row
    assert "overdue" not in row
    appeal.refresh_from_db()
    assert appeal.escalated_to is None
