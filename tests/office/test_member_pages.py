"""The member pages of the back office: list, search, export, detail, steps, transfers, QR codes, join rules.

Every page and every POST is tried against the roles that must not pass; pages are read in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gigunion.core.models import AuditEvent
from gigunion.enterprises.models import Enterprise
from gigunion.founding.services import coverage_start
from gigunion.members.models import (
    ChannelKind,
    EventKind,
    JoinChannel,
    JoinRoute,
    JoinSource,
    Membership,
    MembershipEvent,
    MembershipStatus,
    MembershipTransfer,
    TransferStatus,
)
from gigunion.members.services import channel_create, member_join
from gigunion.office.members import MEMBER_EXPORT_HEADERS
from gigunion.orgs.access import require_jurisdiction
from gigunion.orgs.models import OrganizationType, StaffRole, UnionOrganization
from gigunion.orgs.services import organization_create, staff_account_create
from tests.conftest import PASSWORD, Cast
from tests.founding.helpers import credit
from tests.people import OTHER_ID, OTHER_PHONE, RIDER_ID, RIDER_PHONE, Members, id_with_check, worker

pytestmark = pytest.mark.django_db

RIDER_ID_MASKED = RIDER_ID[:4] + "**********" + RIDER_ID[-4:]
RIDER_PHONE_MASKED = RIDER_PHONE[:3] + "****" + RIDER_PHONE[-4:]
ROLES = ["anonymous", "outsider", "district_staff", "district_viewer", "other_district_staff", "city_staff"]


def client(cast: Cast, who: str) -> Client:
    """A client for one role of the cast (or nobody), reading pages in English."""
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def html(response: Any) -> str:
    return str(response.content.decode())


def listed_people(response: Any) -> list[int]:
    """The person of each row of the member list, in order."""
    return [int(pk) for pk in re.findall(r'<tr data-person="(\d+)">', html(response))]


def count_value(page: str, name: str) -> str:
    match = re.search(rf'data-count="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1)


def events(membership: Membership) -> list[tuple[str, str, int | None]]:
    return list(
        MembershipEvent.objects.filter(membership=membership).order_by("pk").values_list("kind", "reason", "actor_id")
    )


def newcomer(cast: Cast, *, name: str = "刘洋", serial: str = "011", phone: str = "13700000001") -> Membership:
    """A new delivery rider joining in 南明区 (pending when the union requires approval)."""
    outcome = member_join(
        data=worker(name=name, id_number=id_with_check(f"52010220000101{serial}"), phone=phone),
        source=JoinSource.QR,
        phone_verified=True,
    )
    assert outcome.membership is not None
    return outcome.membership


def the_channel(cast: Cast, name: str = "五里冲骑手驿站") -> JoinChannel:
    assert cast.district_grassroots.region is not None
    return channel_create(
        kind=ChannelKind.STATION,
        name=name,
        union=cast.district_grassroots,
        region=cast.district_grassroots.region,
        actor=cast.district_staff.user,
        jurisdiction=require_jurisdiction(cast.district_staff.user),
    )


def xlsx_rows(response: Any) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ---------------------------------------------------------------------------------------------
# Who may open which page
# ---------------------------------------------------------------------------------------------

PAGES: list[Callable[[Members, JoinChannel], str]] = [
    lambda m, c: "/office/members/",
    lambda m, c: "/office/members/?format=xlsx",
    lambda m, c: f"/office/members/{m.rider.pk}/",
    lambda m, c: "/office/transfers/",
    lambda m, c: "/office/channels/",
    lambda m, c: f"/office/channels/{c.pk}/qr.png",
    lambda m, c: f"/office/channels/{c.pk}/qr.svg",
    lambda m, c: f"/office/channels/{c.pk}/poster/",
    lambda m, c: "/office/join-rules/",
]
# Pages about the 南明区 rider or channel: another district does not see them.
DISTRICT_ONLY = {2, 5, 6, 7}


@pytest.mark.parametrize("page", range(len(PAGES)))
def test_every_page_answers_each_role(cast: Cast, members: Members, page: int) -> None:
    url = PAGES[page](members, the_channel(cast))
    anonymous = client(cast, "anonymous").get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/office/login/")
    assert client(cast, "outsider").get(url).status_code == 403
    for who in ("district_staff", "district_viewer", "city_staff"):
        assert client(cast, who).get(url).status_code == 200, who
    assert client(cast, "other_district_staff").get(url).status_code == (404 if page in DISTRICT_ONLY else 200)


def test_the_navigation_and_home_page_lead_to_the_member_pages(cast: Cast, members: Members) -> None:
    page = html(client(cast, "district_staff").get("/office/"))
    for url in ("/office/members/", "/office/transfers/", "/office/channels/", "/office/join-rules/"):
        assert f'href="{url}"' in page
    assert count_value(page, "members") == "1"
    assert count_value(page, "pending_approvals") == "0"
    assert count_value(page, "incoming_transfers") == "0"
    assert count_value(page, "lapse_candidates") == "0"
    assert count_value(html(client(cast, "city_staff").get("/office/")), "members") == "2"


# ---------------------------------------------------------------------------------------------
# The list: jurisdiction, masking, search, filters
# ---------------------------------------------------------------------------------------------


def test_the_list_shows_the_jurisdiction_only_with_masked_personal_data(cast: Cast, members: Members) -> None:
    response = client(cast, "district_staff").get("/office/members/")
    page = html(response)
    assert listed_people(response) == [members.rider.pk]
    assert "1 membership" in page
    assert "陈小军" in page
    assert RIDER_ID_MASKED in page
    assert RIDER_PHONE_MASKED in page
    assert RIDER_ID not in page
    assert RIDER_PHONE not in page
    assert "南明区网约送餐员联合工会" in page

    assert listed_people(client(cast, "other_district_staff").get("/office/members/")) == [members.other_member.pk]
    city = client(cast, "city_staff").get("/office/members/")
    assert sorted(listed_people(city)) == sorted([members.rider.pk, members.other_member.pk])


def search(browser: Client, query: str, **filters: str) -> tuple[str, Any]:
    """Post the filter form with a search; (the list URL it redirects to, the list page)."""
    posted = browser.post("/office/members/", {"q": query, **filters})
    assert posted.status_code == 302
    return posted["Location"], browser.get(posted["Location"])


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("陈小", ["rider"]),
        ("马建国", ["other_member"]),
        (RIDER_PHONE, ["rider"]),
        (OTHER_PHONE, ["other_member"]),
        (RIDER_ID[-4:], ["rider"]),
        (RIDER_ID, ["rider"]),
        (RIDER_ID.lower(), ["rider"]),
        ("13800000000", []),
        ("王", []),
    ],
)
def test_search_finds_by_name_phone_and_id_number(cast: Cast, members: Members, query: str, found: list[str]) -> None:
    url, response = search(client(cast, "city_staff"), query)
    assert listed_people(response) == [getattr(members, name).pk for name in found]
    assert query not in url
    assert url.startswith("/office/members/?s=")


def test_a_search_stays_out_of_the_url_and_keeps_the_filters(cast: Cast, members: Members) -> None:
    browser = client(cast, "city_staff")
    url, response = search(browser, RIDER_PHONE, status="all", occupation="delivery_rider")
    assert RIDER_PHONE not in url
    assert "status=all" in url
    assert "occupation=delivery_rider" in url
    assert listed_people(response) == [members.rider.pk]
    assert f'name="q" value="{RIDER_PHONE}"' in response.content.decode()
    # Another session does not know the key: its list is unsearched, not someone else's search.
    url, _response = search(browser, OTHER_PHONE)
    assert listed_people(browser.get(url)) == [members.other_member.pk]
    assert sorted(listed_people(client(cast, "city_staff").get(url))) == [members.rider.pk, members.other_member.pk]


def test_a_district_cannot_find_another_districts_member(cast: Cast, members: Members) -> None:
    _url, response = search(client(cast, "district_staff"), OTHER_PHONE)
    assert listed_people(response) == []


def test_filters_by_status_union_occupation_and_source(cast: Cast, members: Members) -> None:
    cast.district_grassroots.join_requires_approval = True
    cast.district_grassroots.save()
    pending = newcomer(cast)
    city = client(cast, "city_staff")
    everyone = sorted([members.rider.pk, members.other_member.pk, pending.person_id])

    assert sorted(listed_people(city.get("/office/members/"))) == everyone
    assert listed_people(city.get("/office/members/", {"status": "pending"})) == [pending.person_id]
    assert sorted(listed_people(city.get("/office/members/", {"status": "active"}))) == sorted(
        [members.rider.pk, members.other_member.pk]
    )
    assert sorted(listed_people(city.get("/office/members/", {"union": cast.district_grassroots.pk}))) == sorted(
        [members.rider.pk, pending.person_id]
    )
    assert listed_people(city.get("/office/members/", {"occupation": "truck_driver"})) == [members.other_member.pk]
    assert listed_people(city.get("/office/members/", {"source": "one_tap"})) == [members.other_member.pk]
    assert listed_people(city.get("/office/members/", {"source": "qr", "status": "pending"})) == [pending.person_id]
    page = html(client(cast, "district_staff").get("/office/"))
    assert count_value(page, "pending_approvals") == "1"


def test_lapse_candidates_are_a_filter_and_a_count(cast: Cast, members: Members) -> None:
    today = timezone.localdate()
    Membership.objects.filter(pk=members.rider_membership.pk).update(
        joined_on=today - timedelta(days=400), last_dues_on=today - timedelta(days=200), last_activity_on=None
    )
    Membership.objects.filter(pk=members.other_membership.pk).update(
        joined_on=today - timedelta(days=400),
        last_dues_on=today - timedelta(days=300),
        last_activity_on=today - timedelta(days=20),
    )
    district = client(cast, "district_staff")
    assert listed_people(district.get("/office/members/", {"lapse": "1"})) == [members.rider.pk]
    assert count_value(html(district.get("/office/")), "lapse_candidates") == "1"
    city = client(cast, "city_staff")
    assert listed_people(city.get("/office/members/", {"lapse": "1"})) == [members.rider.pk]
    assert count_value(html(client(cast, "other_district_staff").get("/office/")), "lapse_candidates") == "0"
    assert 'data-flag="lapse_candidate"' in html(district.get(f"/office/members/{members.rider.pk}/"))
    assert 'data-flag="lapse_candidate"' not in html(city.get(f"/office/members/{members.other_member.pk}/"))

    # Taking part again (a station visit, an activity) ends the flag; the membership itself never changed.
    Membership.objects.filter(pk=members.rider_membership.pk).update(last_activity_on=today - timedelta(days=10))
    assert listed_people(district.get("/office/members/", {"lapse": "1"})) == []
    assert 'data-flag="lapse_candidate"' not in html(district.get(f"/office/members/{members.rider.pk}/"))
    assert Membership.objects.get(pk=members.rider_membership.pk).status == MembershipStatus.ACTIVE


def test_the_list_and_detail_take_the_same_queries_however_many_rows(cast: Cast, members: Members) -> None:
    city = client(cast, "city_staff")

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert city.get(url).status_code == 200
        return len(captured)

    list_before = queries("/office/members/")
    detail_before = queries(f"/office/members/{members.rider.pk}/")
    for serial, phone in (("033", "13700000003"), ("044", "13700000004"), ("055", "13700000005")):
        newcomer(cast, name="周" + "一二三四五六"[int(serial[1])], serial=serial, phone=phone)
    district = client(cast, "district_staff")
    district.post(f"/office/memberships/{members.rider_membership.pk}/retain/", {"reason": "换工作中"})
    district.post(f"/office/memberships/{members.rider_membership.pk}/reactivate/")
    assert queries("/office/members/") == list_before
    assert queries(f"/office/members/{members.rider.pk}/") == detail_before


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def test_the_export_is_masked_by_default_in_the_member_list_format(cast: Cast, members: Members) -> None:
    response = client(cast, "district_staff").get("/office/members/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"] == "no-store"
    rows = xlsx_rows(response)
    assert rows[0] == MEMBER_EXPORT_HEADERS
    assert rows[0][:13] == [
        "姓名",
        "身份证号",
        "手机号",
        "职业",
        "平台",
        "平台工号",
        "用工单位",
        "用工单位统一社会信用代码",
        "工作地区划代码",
        "在岗",
        "所属工会",
        "入会日期",
        "入会地类型",
    ]
    assert len(rows) == 2
    rider = rows[1]
    card = members.rider.card_number
    assert rider[:11] == [
        "陈小军",
        RIDER_ID_MASKED,
        RIDER_PHONE_MASKED,
        "网约送餐员",
        "美团",
        None,
        None,
        None,
        "520102",
        "是",
        "南明区网约送餐员联合工会",
    ]
    assert rider[11].date() == members.rider_membership.joined_on
    assert rider[12:16] == ["工作地", "Active", "QR code", card]
    event = AuditEvent.objects.get(action="personal_data.export")
    assert (event.actor, event.object_type, event.region_code, event.details) == (
        cast.district_staff.user,
        "member_list",
        "520102",
        {"rows": 1, "unmasked": False},
    )


def test_an_unmasked_export_takes_the_permission_and_is_audited(cast: Cast, members: Members) -> None:
    refused = client(cast, "district_staff").get("/office/members/", {"format": "xlsx", "unmasked": "1"})
    assert refused.status_code == 403
    assert client(cast, "district_viewer").get("/office/members/?format=xlsx&unmasked=1").status_code == 403
    assert not AuditEvent.objects.filter(action="personal_data.export").exists()
    assert "Export unmasked" not in html(client(cast, "district_staff").get("/office/members/"))

    # An administrator may; the union's code, when it has one, names it in the file.
    UnionOrganization.objects.filter(pk=cast.district_grassroots.pk).update(code="NM-QS-001")
    city = client(cast, "city_staff")
    assert "Export unmasked" in html(city.get("/office/members/"))
    response = city.get(
        "/office/members/", {"format": "xlsx", "unmasked": "1", "status": "all"}, REMOTE_ADDR="10.9.8.7"
    )
    rows = {row[0]: row for row in xlsx_rows(response)[1:]}
    assert rows["陈小军"][1:3] == [RIDER_ID, RIDER_PHONE]
    assert rows["陈小军"][10] == "NM-QS-001"
    assert rows["马建国"][1:4] == [OTHER_ID, OTHER_PHONE, "货车司机"]
    assert rows["马建国"][10] == "云岩区货车司机工会联合会"
    event = AuditEvent.objects.get(action="personal_data.export")
    assert (event.actor, event.ip_address, event.region_code, event.details) == (
        cast.city_staff.user,
        "10.9.8.7",
        "520100",
        {"rows": 2, "unmasked": True},
    )

    # Staff granted the permission may too.
    cast.district_staff.user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    granted = client(cast, "district_staff").get("/office/members/", {"format": "xlsx", "unmasked": "1"})
    assert [row[1] for row in xlsx_rows(granted)[1:]] == [RIDER_ID]
    assert AuditEvent.objects.filter(action="personal_data.export").count() == 2


def test_the_export_follows_the_filters(cast: Cast, members: Members) -> None:
    browser = client(cast, "city_staff")
    url, _page = search(browser, "马建国")
    response = browser.get(f"{url}&format=xlsx&page=3")
    assert [row[0] for row in xlsx_rows(response)[1:]] == ["马建国"]
    assert AuditEvent.objects.get(action="personal_data.export").details == {"rows": 1, "unmasked": False}


# ---------------------------------------------------------------------------------------------
# Detail and reveal
# ---------------------------------------------------------------------------------------------


def test_the_detail_shows_the_person_masked_with_history(cast: Cast, members: Members) -> None:
    page = html(client(cast, "district_staff").get(f"/office/members/{members.rider.pk}/"))
    assert "陈小军" in page
    assert RIDER_ID_MASKED in page
    assert RIDER_PHONE_MASKED in page
    assert RIDER_ID not in page
    assert RIDER_PHONE not in page
    assert str(members.rider.card_number) in page
    assert '<li data-event="joined">' in page
    assert "the worker" in page
    assert "Delivery rider" in page
    # Operators may act but not reveal.
    assert 'data-action="retain"' in page
    assert 'data-action="transfer"' in page
    assert "/reveal/" not in page


def test_viewers_see_no_action_buttons(cast: Cast, members: Members) -> None:
    page = html(client(cast, "district_viewer").get(f"/office/members/{members.rider.pk}/"))
    assert "陈小军" in page
    assert "data-action" not in page
    assert "/office/memberships/" not in page


def test_an_administrator_reveals_the_id_number_and_it_is_audited(cast: Cast, members: Members) -> None:
    city = client(cast, "city_staff")
    page = html(city.get(f"/office/members/{members.rider.pk}/"))
    assert f'hx-post="/office/members/{members.rider.pk}/reveal/id_number/"' in page
    assert f'hx-post="/office/members/{members.rider.pk}/reveal/phone/"' in page

    response = city.post(
        f"/office/members/{members.rider.pk}/reveal/id_number/", HTTP_HX_REQUEST="true", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert html(response).strip() == f'<span class="revealed">{RIDER_ID}</span>'
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="personal_data.view")
    assert (event.actor, event.object_type, event.object_id, event.region_code, event.ip_address, event.details) == (
        cast.city_staff.user,
        "person",
        str(members.rider.pk),
        "520102",
        "10.1.2.3",
        {"field": "id_number"},
    )

    # Without htmx the whole page comes back with the number shown.
    full = city.post(f"/office/members/{members.rider.pk}/reveal/phone/")
    assert full.status_code == 200
    assert f'<span class="revealed">{RIDER_PHONE}</span>' in html(full)
    assert RIDER_ID not in html(full)
    assert list(AuditEvent.objects.filter(action="personal_data.view").values_list("details", flat=True)) == [
        {"field": "phone"},
        {"field": "id_number"},
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("district_staff", 403),
        ("district_viewer", 403),
        ("other_district_staff", 404),
    ],
)
def test_everyone_else_is_refused_the_full_id_number(cast: Cast, members: Members, who: str, status: int) -> None:
    response = client(cast, who).post(f"/office/members/{members.rider.pk}/reveal/id_number/")
    assert response.status_code == status
    assert RIDER_ID.encode() not in response.content
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_revealing_takes_a_post_and_a_known_field(cast: Cast, members: Members) -> None:
    city = client(cast, "city_staff")
    assert city.get(f"/office/members/{members.rider.pk}/reveal/id_number/").status_code == 405
    assert city.post(f"/office/members/{members.rider.pk}/reveal/name/").status_code == 404
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_staff_granted_the_permission_may_reveal(cast: Cast, members: Members) -> None:
    cast.district_viewer.user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    viewer = client(cast, "district_viewer")
    assert "/reveal/phone/" in html(viewer.get(f"/office/members/{members.rider.pk}/"))
    response = viewer.post(f"/office/members/{members.rider.pk}/reveal/phone/", HTTP_HX_REQUEST="true")
    assert html(response).strip() == f'<span class="revealed">{RIDER_PHONE}</span>'
    assert AuditEvent.objects.filter(action="personal_data.view", actor=cast.district_viewer.user).count() == 1


# ---------------------------------------------------------------------------------------------
# Steps of a membership
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject", "retain", "reactivate", "lapse", "leave", "transfer"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 403), ("district_viewer", 403), ("other_district_staff", 404)],
)
def test_steps_are_refused_to_those_who_may_not_change(
    cast: Cast, members: Members, action: str, who: str, status: int
) -> None:
    membership = members.rider_membership
    data = {"reason": "测试", "to_union": "云岩区货车司机工会联合会"}
    response = client(cast, who).post(f"/office/memberships/{membership.pk}/{action}/", data)
    assert response.status_code == status
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert not MembershipTransfer.objects.exists()
    assert events(membership) == [(EventKind.JOINED, "", None)]


def test_steps_take_a_post_and_a_known_action(cast: Cast, members: Members) -> None:
    district = client(cast, "district_staff")
    assert district.get(f"/office/memberships/{members.rider_membership.pk}/leave/").status_code == 405
    assert district.post(f"/office/memberships/{members.rider_membership.pk}/delete/").status_code == 404


def test_approving_and_rejecting_a_pending_join(cast: Cast, members: Members) -> None:
    cast.district_grassroots.join_requires_approval = True
    cast.district_grassroots.save()
    first = newcomer(cast)
    second = newcomer(cast, name="王芳", serial="022", phone="13700000002")
    district = client(cast, "district_staff")
    page = html(district.get(f"/office/members/{first.person_id}/"))
    assert 'data-action="approve"' in page
    assert 'data-action="reject"' in page
    assert 'data-action="transfer"' not in page

    response = district.post(f"/office/memberships/{first.pk}/approve/", follow=True)
    assert response.redirect_chain == [(f"/office/members/{first.person_id}/", 302)]
    assert "Approved: the worker is a member now." in html(response)
    first.refresh_from_db()
    first.person.refresh_from_db()
    assert first.status == MembershipStatus.ACTIVE
    assert first.person.card_number is not None
    assert first.person.card_number.startswith("520102")
    assert events(first)[-1] == (EventKind.APPROVED, "", cast.district_staff.user.pk)

    no_reason = district.post(f"/office/memberships/{second.pk}/reject/", {"reason": "  "}, follow=True)
    assert "Give a reason." in html(no_reason)
    second.refresh_from_db()
    assert second.status == MembershipStatus.PENDING

    district.post(f"/office/memberships/{second.pk}/reject/", {"reason": "不在本区工作"})
    second.refresh_from_db()
    assert (second.status, second.ended_on) == (MembershipStatus.REJECTED, timezone.localdate())
    assert events(second)[-1] == (EventKind.REJECTED, "不在本区工作", cast.district_staff.user.pk)

    again = district.post(f"/office/memberships/{first.pk}/approve/", follow=True)
    assert "This cannot be done to a membership that is Active." in html(again)


def test_retain_reactivate_lapse_and_leave(cast: Cast, members: Members) -> None:
    membership = members.rider_membership
    district = client(cast, "district_staff")
    url = f"/office/memberships/{membership.pk}"
    staff_id = cast.district_staff.user.pk

    district.post(f"{url}/retain/", {"reason": "换工作中"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.RETAINED
    page = html(district.get(f"/office/members/{members.rider.pk}/"))
    assert 'data-action="reactivate"' in page
    assert 'data-action="retain"' not in page

    district.post(f"{url}/reactivate/")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE

    district.post(f"{url}/lapse/", {"reason": "半年未交会费、未参加活动，经研究停止会籍"})
    membership.refresh_from_db()
    assert (membership.status, membership.ended_on) == (MembershipStatus.LAPSED, timezone.localdate())
    assert events(membership) == [
        (EventKind.JOINED, "", None),
        (EventKind.RETAINED, "换工作中", staff_id),
        (EventKind.REACTIVATED, "", staff_id),
        (EventKind.LAPSED, "半年未交会费、未参加活动，经研究停止会籍", staff_id),
    ]
    # Closed: no steps left, and the open list no longer shows the rider.
    page = html(district.get(f"/office/members/{members.rider.pk}/"))
    assert "data-action" not in page
    assert "No current membership." in page
    assert listed_people(district.get("/office/members/")) == []
    assert listed_people(district.get("/office/members/", {"status": "lapsed"})) == [members.rider.pk]

    other = members.other_membership
    client(cast, "other_district_staff").post(f"/office/memberships/{other.pk}/leave/", {"reason": "本人申请退会"})
    other.refresh_from_db()
    assert other.status == MembershipStatus.LEFT
    assert events(other)[-1] == (EventKind.LEFT, "本人申请退会", cast.other_district_staff.user.pk)


def test_the_history_names_who_did_what(cast: Cast, members: Members) -> None:
    client(cast, "district_staff").post(
        f"/office/memberships/{members.rider_membership.pk}/retain/", {"reason": "换工作中"}
    )
    page = html(client(cast, "district_viewer").get(f"/office/members/{members.rider.pk}/"))
    history = page.split("<h2>History</h2>")[1]
    assert re.search(r'<li data-event="retained">.*Membership retained</strong> · 南明区网约送餐员联合工会', history)
    assert "李娜" in history
    assert "换工作中" in history
    assert history.index('data-event="retained"') < history.index('data-event="joined"')


# ---------------------------------------------------------------------------------------------
# Transfers
# ---------------------------------------------------------------------------------------------


def test_a_transfer_across_districts(cast: Cast, members: Members) -> None:
    rider = members.rider_membership
    card = members.rider.card_number
    district = client(cast, "district_staff")
    other = client(cast, "other_district_staff")

    response = district.post(
        f"/office/memberships/{rider.pk}/transfer/",
        {"to_union": "云岩区货车司机工会联合会", "reason": "改开货车"},
        follow=True,
    )
    assert "The transfer was requested; the receiving union decides." in html(response)
    transfer = MembershipTransfer.objects.get()
    assert (transfer.membership, transfer.from_union, transfer.to_union, transfer.status, transfer.reason) == (
        rider,
        cast.district_grassroots,
        cast.other_grassroots,
        TransferStatus.REQUESTED,
        "改开货车",
    )
    assert events(rider)[-1] == (
        EventKind.TRANSFER_REQUESTED,
        "改开货车",
        cast.district_staff.user.pk,
    )
    detail = html(district.get(f"/office/members/{members.rider.pk}/"))
    assert "A transfer to 云岩区货车司机工会联合会 awaits that union's decision." in detail
    assert 'data-action="transfer"' not in detail

    # The receiving side sees it waiting, masked; the sending side sees its open request.
    assert count_value(html(other.get("/office/")), "incoming_transfers") == "1"
    assert count_value(html(district.get("/office/")), "incoming_transfers") == "0"
    incoming = html(other.get("/office/transfers/")).split('id="outgoing"')[0]
    assert f'data-transfer="{transfer.pk}"' in incoming
    assert "陈*军" in incoming
    assert "陈小军" not in incoming
    assert f"/office/transfers/{transfer.pk}/accept/" in incoming
    outgoing = html(district.get("/office/transfers/")).split('id="outgoing"')[1]
    assert f"/office/transfers/{transfer.pk}/cancel/" in outgoing

    # The sender may not accept its own request; a viewer may not decide.
    assert district.post(f"/office/transfers/{transfer.pk}/accept/").status_code == 403
    assert client(cast, "district_viewer").post(f"/office/transfers/{transfer.pk}/cancel/").status_code == 403
    assert other.post(f"/office/transfers/{transfer.pk}/cancel/").status_code == 403
    assert client(cast, "outsider").post(f"/office/transfers/{transfer.pk}/accept/").status_code == 403
    assert client(cast, "anonymous").post(f"/office/transfers/{transfer.pk}/accept/").status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED

    response = other.post(f"/office/transfers/{transfer.pk}/accept/", follow=True)
    assert response.redirect_chain == [("/office/transfers/", 302)]
    assert "Transfer accepted: the worker is a member of 云岩区货车司机工会联合会 now." in html(response)
    transfer.refresh_from_db()
    rider.refresh_from_db()
    assert (transfer.status, transfer.decided_by) == (TransferStatus.ACCEPTED, cast.other_district_staff.user)
    assert (rider.status, rider.ended_on) == (MembershipStatus.TRANSFERRED_OUT, timezone.localdate())
    new = Membership.objects.get(person=members.rider, status=MembershipStatus.ACTIVE)
    assert (new.union, new.routed_by) == (cast.other_grassroots, "transfer")
    members.rider.refresh_from_db()
    assert members.rider.card_number == card
    assert events(rider)[-1] == (EventKind.TRANSFERRED_OUT, "", cast.other_district_staff.user.pk)
    assert events(new) == [(EventKind.TRANSFERRED_IN, "", cast.other_district_staff.user.pk)]

    # Now a member in 云岩区, no longer in 南明区's current list (its history still shows the move).
    assert sorted(listed_people(other.get("/office/members/"))) == sorted([members.rider.pk, members.other_member.pk])
    assert listed_people(district.get("/office/members/")) == []
    assert listed_people(district.get("/office/members/", {"status": "transferred_out"})) == [members.rider.pk]
    old_page = html(district.get(f"/office/members/{members.rider.pk}/"))
    assert "data-action" not in old_page
    assert "Transferred out" in old_page
    new_page = html(other.get(f"/office/members/{members.rider.pk}/"))
    assert 'data-action="retain"' in new_page
    assert count_value(html(other.get("/office/")), "incoming_transfers") == "0"


def test_a_transfer_by_code_declined_with_a_reason(cast: Cast, members: Members) -> None:
    UnionOrganization.objects.filter(pk=cast.other_grassroots.pk).update(code="YY-HC-01")
    rider = members.rider_membership
    client(cast, "district_staff").post(f"/office/memberships/{rider.pk}/transfer/", {"to_union": " YY-HC-01 "})
    transfer = MembershipTransfer.objects.get()
    assert transfer.to_union == cast.other_grassroots
    other = client(cast, "other_district_staff")

    no_reason = other.post(f"/office/transfers/{transfer.pk}/decline/", {"reason": ""}, follow=True)
    assert "Give a reason." in html(no_reason)
    other.post(f"/office/transfers/{transfer.pk}/decline/", {"reason": "本人不在云岩区工作"})
    transfer.refresh_from_db()
    rider.refresh_from_db()
    assert (transfer.status, rider.status) == (TransferStatus.DECLINED, MembershipStatus.ACTIVE)
    assert events(rider)[-1] == (EventKind.TRANSFER_DECLINED, "本人不在云岩区工作", cast.other_district_staff.user.pk)
    decided = html(other.get("/office/transfers/")).split('id="decided"')[1]
    assert "Declined" in decided

    late = other.post(f"/office/transfers/{transfer.pk}/accept/", follow=True)
    assert "This transfer has already been decided." in html(late)
    assert Membership.objects.filter(person=members.rider).count() == 1


def test_the_sender_cancels_a_transfer(cast: Cast, members: Members) -> None:
    rider = members.rider_membership
    district = client(cast, "district_staff")
    district.post(f"/office/memberships/{rider.pk}/transfer/", {"to_union": "云岩区货车司机工会联合会"})
    transfer = MembershipTransfer.objects.get()
    assert client(cast, "district_viewer").post(f"/office/transfers/{transfer.pk}/cancel/").status_code == 403
    response = district.post(
        f"/office/transfers/{transfer.pk}/cancel/", {"next": f"/office/members/{members.rider.pk}/"}
    )
    assert response["Location"] == f"/office/members/{members.rider.pk}/"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert events(rider)[-1] == (EventKind.TRANSFER_CANCELLED, "", cast.district_staff.user.pk)
    # An address elsewhere is not followed.
    district.post(f"/office/memberships/{rider.pk}/transfer/", {"to_union": "云岩区货车司机工会联合会"})
    second = MembershipTransfer.objects.get(status=TransferStatus.REQUESTED)
    elsewhere = district.post(f"/office/transfers/{second.pk}/cancel/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == "/office/transfers/"


def test_transfers_unknown_to_a_district_are_not_found(cast: Cast, members: Members) -> None:
    other = members.other_membership
    client(cast, "other_district_staff").post(f"/office/memberships/{other.pk}/transfer/", {"to_union": "贵阳市总工会"})
    transfer = MembershipTransfer.objects.get()
    assert transfer.to_union == cast.city
    assert client(cast, "district_staff").post(f"/office/transfers/{transfer.pk}/cancel/").status_code == 404
    assert client(cast, "district_staff").post(f"/office/transfers/{transfer.pk}/bogus/").status_code == 404
    assert f'data-transfer="{transfer.pk}"' not in html(client(cast, "district_staff").get("/office/transfers/"))
    # The city takes it: it is both the sender's and the receiver's higher level.
    city = html(client(cast, "city_staff").get("/office/transfers/"))
    assert city.count(f'data-transfer="{transfer.pk}"') == 2


@pytest.mark.parametrize(
    ("to_union", "message"),
    [
        ("", "Enter the receiving union&#x27;s code or exact name."),
        ("云岩区", "No active union has that code or name."),
        ("南明区网约送餐员联合工会", "The member already belongs to this union."),
    ],
)
def test_a_transfer_to_an_unknown_or_the_same_union_is_refused(
    cast: Cast, members: Members, to_union: str, message: str
) -> None:
    response = client(cast, "district_staff").post(
        f"/office/memberships/{members.rider_membership.pk}/transfer/", {"to_union": to_union}, follow=True
    )
    assert message in html(response)
    assert not MembershipTransfer.objects.exists()


def test_a_transfer_to_an_ambiguous_name_asks_for_the_code(cast: Cast, members: Members) -> None:
    for parent in (cast.district, cast.other_district):
        organization_create(
            name="快递员工会", organization_type=OrganizationType.JOINT, region=parent.region, parent=parent
        )
    response = client(cast, "district_staff").post(
        f"/office/memberships/{members.rider_membership.pk}/transfer/", {"to_union": "快递员工会"}, follow=True
    )
    assert "Several unions have that name: enter the union&#x27;s code." in html(response)
    assert not MembershipTransfer.objects.exists()


# ---------------------------------------------------------------------------------------------
# Join channels
# ---------------------------------------------------------------------------------------------


def test_an_operator_creates_a_qr_code_and_it_counts_joins(cast: Cast, members: Members) -> None:
    district = client(cast, "district_staff")
    response = district.post(
        "/office/channels/",
        {"kind": "station", "name": "  五里冲骑手驿站 ", "union": cast.district_grassroots.pk, "region": ""},
        follow=True,
    )
    assert response.redirect_chain == [("/office/channels/", 302)]
    assert "The QR code “五里冲骑手驿站” is ready." in html(response)
    channel = JoinChannel.objects.get()
    assert (channel.kind, channel.name, channel.union, channel.region_id, channel.is_active, channel.created_by) == (
        ChannelKind.STATION,
        "五里冲骑手驿站",
        cast.district_grassroots,
        "520102",
        True,
        cast.district_staff.user,
    )
    page = html(district.get("/office/channels/"))
    row = page.split(f'data-channel="{channel.pk}"')[1].split("</tr>")[0]
    assert count_value(row, "joins") == "0"

    member_join(data=worker(), source=JoinSource.QR, phone_verified=True, channel=channel)
    cast.district_grassroots.join_requires_approval = True
    cast.district_grassroots.save()
    member_join(
        data=worker(name="王芳", id_number=id_with_check("52010220000101022"), phone="13700000002"),
        source=JoinSource.QR,
        phone_verified=True,
        channel=channel,
    )
    row = html(district.get("/office/channels/")).split(f'data-channel="{channel.pk}"')[1].split("</tr>")[0]
    assert (count_value(row, "joins"), count_value(row, "members")) == ("2", "1")
    # Another district does not see it.
    assert f'data-channel="{channel.pk}"' not in html(client(cast, "other_district_staff").get("/office/channels/"))


def test_a_qr_code_with_a_region_preset(cast: Cast, members: Members) -> None:
    assert cast.district_street.region is not None
    street = cast.district_street.region.code
    client(cast, "district_staff").post(
        "/office/channels/",
        {"kind": "campaign", "name": "2026年集中入会仪式", "union": cast.district.pk, "region": street},
    )
    assert JoinChannel.objects.get().region_id == street


@pytest.mark.parametrize(
    ("field", "value"),
    [("union", "other_grassroots"), ("region", "520103"), ("region", "999999"), ("name", "   ")],
)
def test_a_qr_code_outside_the_jurisdiction_or_without_a_name_is_refused(
    cast: Cast, members: Members, field: str, value: str
) -> None:
    data: dict[str, Any] = {"kind": "station", "name": "驿站", "union": cast.district_grassroots.pk, "region": ""}
    data[field] = getattr(cast, value).pk if field == "union" else value
    response = client(cast, "district_staff").post("/office/channels/", data)
    assert response.status_code == 400
    assert not JoinChannel.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("outsider", 403), ("district_viewer", 403)])
def test_creating_a_qr_code_is_refused_to_those_who_may_not_change(
    cast: Cast, members: Members, who: str, status: int
) -> None:
    data = {"kind": "station", "name": "驿站", "union": cast.district_grassroots.pk}
    assert client(cast, who).post("/office/channels/", data).status_code == status
    assert not JoinChannel.objects.exists()
    assert "New QR code" not in html(client(cast, "district_viewer").get("/office/channels/"))


def test_closing_and_reopening_a_qr_code(cast: Cast, members: Members) -> None:
    channel = the_channel(cast)
    url = f"/office/channels/{channel.pk}/open/"
    assert client(cast, "district_viewer").post(url, {"open": "0"}).status_code == 403
    assert client(cast, "other_district_staff").post(url, {"open": "0"}).status_code == 404
    assert client(cast, "outsider").post(url, {"open": "0"}).status_code == 403
    assert client(cast, "anonymous").post(url, {"open": "0"}).status_code == 302

    def is_open() -> bool:
        return JoinChannel.objects.get(pk=channel.pk).is_active

    assert is_open()
    district = client(cast, "district_staff")
    assert "The QR code “五里冲骑手驿站” is closed." in html(district.post(url, {"open": "0"}, follow=True))
    assert not is_open()
    assert "Open again" in html(district.get("/office/channels/"))
    district.post(url, {"open": "1"})
    assert is_open()
    assert district.get(url).status_code == 405


def test_qr_downloads_and_the_poster(cast: Cast, members: Members) -> None:
    channel = the_channel(cast)
    district = client(cast, "district_staff")
    png = district.get(f"/office/channels/{channel.pk}/qr.png")
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "attachment" in png["Content-Disposition"]
    svg = district.get(f"/office/channels/{channel.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert district.get(f"/office/channels/{channel.pk}/qr.gif").status_code == 404

    poster = district.get(f"/office/channels/{channel.pk}/poster/")
    assert poster["Content-Type"].startswith("text/html")
    page = html(poster)
    assert "南明区网约送餐员联合工会" in page
    assert "五里冲骑手驿站" in page
    assert "Scan to join the union" in page
    assert '<svg viewBox="0 0 ' in page
    assert 'class="poster-qr"' in page
    assert f"http://testserver/m/j/{channel.code}/" in page
    assert "<script>" not in page
    assert "style=" not in page


def test_the_qr_code_uses_the_public_address_when_set(cast: Cast, members: Members, settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://join.example.cn/"
    channel = the_channel(cast)
    page = html(client(cast, "district_staff").get(f"/office/channels/{channel.pk}/poster/"))
    assert f"https://join.example.cn/m/j/{channel.code}/" in page
    assert "testserver" not in page


# ---------------------------------------------------------------------------------------------
# Join rules
# ---------------------------------------------------------------------------------------------


def routes_listed(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-route="(\d+)">', html(response))]


def test_the_rules_page_lists_the_rules_that_apply(cast: Cast, members: Members) -> None:
    nanming = JoinRoute.objects.get(region_id="520102")
    yunyan = JoinRoute.objects.get(region_id="520103")
    city_rule = JoinRoute.objects.create(region_id="520100", occupation="", union=cast.city)
    district = client(cast, "district_staff").get("/office/join-rules/")
    assert routes_listed(district) == [city_rule.pk, nanming.pk]
    page = html(district)
    assert "Otherwise the most specific join rule below" in page
    assert "Add or replace a rule" not in page
    assert "/delete/" not in page
    city = client(cast, "city_staff").get("/office/join-rules/")
    assert routes_listed(city) == [city_rule.pk, nanming.pk, yunyan.pk]
    assert "Add or replace a rule" in html(city)
    assert f"/office/join-rules/{nanming.pk}/delete/" in html(city)


def test_an_administrator_adds_replaces_and_deletes_a_rule(cast: Cast, members: Members) -> None:
    city = client(cast, "city_staff")
    response = city.post(
        "/office/join-rules/",
        {"region": "520102", "occupation": "courier", "union": cast.district.pk, "note": "快递员先入区总"},
        follow=True,
    )
    assert "Join rule saved." in html(response)
    rule = JoinRoute.objects.get(region_id="520102", occupation="courier")
    assert (rule.union, rule.note, rule.created_by) == (cast.district, "快递员先入区总", cast.city_staff.user)

    assert cast.district_street.region is not None
    city.post("/office/join-rules/", {"region": "520102", "occupation": "courier", "union": cast.district_street.pk})
    rule.refresh_from_db()
    assert JoinRoute.objects.filter(region_id="520102", occupation="courier").count() == 1
    assert rule.union == cast.district_street

    refused = city.post(
        "/office/join-rules/", {"region": "520102", "occupation": "", "union": cast.other_grassroots.pk}
    )
    assert refused.status_code == 400
    assert "The union must belong to that region or to a region around it." in html(refused)
    assert not JoinRoute.objects.filter(region_id="520102", occupation="").exists()
    assert city.post("/office/join-rules/", {"region": "99", "union": cast.district.pk}).status_code == 400

    city.post(f"/office/join-rules/{rule.pk}/delete/")
    assert not JoinRoute.objects.filter(pk=rule.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("district_staff", 403),
        ("district_viewer", 403),
        ("other_district_staff", 403),
    ],
)
def test_only_administrators_change_rules(cast: Cast, members: Members, who: str, status: int) -> None:
    nanming = JoinRoute.objects.get(region_id="520102")
    browser = client(cast, who)
    data = {"region": "520102", "occupation": "courier", "union": cast.district.pk}
    assert browser.post("/office/join-rules/", data).status_code == status
    delete = browser.post(f"/office/join-rules/{nanming.pk}/delete/").status_code
    assert delete == (404 if who == "other_district_staff" else status)
    assert JoinRoute.objects.count() == 2
    assert not JoinRoute.objects.filter(occupation="courier").exists()


def try_route(cast: Cast, **params: str) -> str:
    query = {f"try-{name}": value for name, value in params.items()}
    response = client(cast, "district_staff").get("/office/join-rules/", query)
    assert response.status_code == 200
    return html(response).split('id="try"')[1]


def test_try_it_shows_which_union_and_why(cast: Cast, members: Members) -> None:
    by_rule = try_route(cast, region="520102", occupation="delivery_rider")
    assert f'data-union="{cast.district_grassroots.pk}"' in by_rule
    assert "The most specific join rule for this region and occupation applies." in by_rule
    assert "Delivery rider" in by_rule

    by_region = try_route(cast, region="520102", occupation="courier")
    assert f'data-union="{cast.district.pk}"' in by_region
    assert "the region&#x27;s own union takes the worker." in by_region

    assert cast.district_street.region is not None
    employer = Enterprise.objects.create(
        name="五里冲外卖站", credit_code=credit(7), region_id=cast.district_street.region.code
    )
    coverage_start(organization=cast.district_street, enterprise=employer, started_on=date(2024, 1, 1))
    by_coverage = try_route(cast, region="520102", occupation="delivery_rider", credit_code=credit(7).lower())
    assert f'data-union="{cast.district_street.pk}"' in by_coverage
    assert "五里冲外卖站 is covered by this union, which comes before any rule." in by_coverage

    unknown = try_route(cast, region="520102", occupation="delivery_rider", credit_code=credit(8))
    assert "No enterprise with this credit code is registered in your jurisdiction" in unknown
    assert f'data-union="{cast.district_grassroots.pk}"' in unknown

    outside = try_route(cast, region="520103", occupation="truck_driver")
    assert "Enter a division code in your jurisdiction." in outside
    assert "data-union" not in outside


def test_try_it_says_when_no_union_takes_members(cast: Cast, members: Members) -> None:
    national = UnionOrganization.objects.get(name="中华全国总工会")
    staff_account_create(
        username="acftu", password=PASSWORD, display_name="全总", organization=national, role=StaffRole.ADMIN
    )
    browser = Client()
    browser.force_login(User.objects.get(username="acftu"))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = browser.get("/office/join-rules/", {"try-region": "110101", "try-occupation": "courier"})
    assert "No union takes members in this region yet." in html(response).split('id="try"')[1]


# ---------------------------------------------------------------------------------------------
# The union's approval setting
# ---------------------------------------------------------------------------------------------


def test_an_operator_switches_whether_joining_needs_approval(cast: Cast, members: Members) -> None:
    union = cast.district_grassroots
    url = f"/office/organizations/{union.pk}/join-approval/"
    district = client(cast, "district_staff")
    page = html(district.get(f"/office/organizations/{union.pk}/"))
    assert "Workers become members at once." in page
    assert url in page

    response = district.post(url, {"requires_approval": "1"}, follow=True)
    assert "Workers joining 南明区网约送餐员联合工会 now wait for approval." in html(response)
    union.refresh_from_db()
    assert union.join_requires_approval
    event = AuditEvent.objects.get(action="organization.changed", object_id=str(union.pk))
    assert (event.actor, event.details) == (cast.district_staff.user, {"join_requires_approval": True})
    assert newcomer(cast).status == MembershipStatus.PENDING

    district.post(url, {"requires_approval": "0"})
    union.refresh_from_db()
    assert not union.join_requires_approval


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 403), ("district_viewer", 403), ("other_district_staff", 404)],
)
def test_the_approval_setting_is_refused_to_others(cast: Cast, members: Members, who: str, status: int) -> None:
    union = cast.district_grassroots
    response = client(cast, who).post(f"/office/organizations/{union.pk}/join-approval/", {"requires_approval": "1"})
    assert response.status_code == status
    union.refresh_from_db()
    assert not union.join_requires_approval
    assert not AuditEvent.objects.filter(action="organization.changed", object_id=str(union.pk)).exists()
    viewer_page = html(client(cast, "district_viewer").get(f"/office/organizations/{union.pk}/"))
    assert "/join-approval/" not in viewer_page
