"""Appeal services: routing by rules, coverage and region; the worker's confirmation; text messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gigunion.appeals.models import Appeal, Channel, EventKind, RoutingRule, Status
from gigunion.appeals.services import AppealInput, appeal_confirm, appeal_step, appeal_submit
from gigunion.core import sms
from gigunion.enterprises.models import Enterprise
from gigunion.founding.models import Coverage
from gigunion.orgs.access import jurisdiction_of
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.founding.helpers import credit
from tests.people import RIDER_PHONE, Members

pytestmark = pytest.mark.django_db
CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, tzinfo=CHINA)


def submit(category: str = "wage_arrears", region: str = "520102", employer: str = "", **more: Any) -> Appeal:
    return appeal_submit(
        data=AppealInput(
            category=category,
            description="公司解雇我没有给补偿",
            work_region=region,
            employer_name=employer,
            contact_name="马师傅",
            contact_phone="13700000009",
            **more,
        ),
        channel=Channel.WALK_IN,
        now=NOW,
    )


def rule(region: str, category: str, union: Any) -> None:
    RoutingRule.objects.create(region=Region.objects.get(code=region), category=category, union=union)


def test_a_rule_for_the_category_beats_a_rule_for_any_category(cast: Cast) -> None:
    rule("520102", "wage_arrears", cast.district_street)
    rule("520102", "", cast.district_grassroots)
    assert submit("wage_arrears").union == cast.district_street
    assert submit("safety").union == cast.district_grassroots


def test_a_rule_of_a_deeper_region_beats_one_of_a_shallower_region(cast: Cast) -> None:
    rule("520100", "wage_arrears", cast.city)
    rule("520102", "", cast.district_grassroots)
    assert submit("wage_arrears").union == cast.district_grassroots
    assert submit("wage_arrears", region="520103").union == cast.city


def test_the_union_covering_the_employer_takes_the_case(cast: Cast) -> None:
    employer = Enterprise.objects.create(
        name="贵阳顺达物流有限公司", credit_code=credit(1), region=Region.objects.get(code="520102")
    )
    Coverage.objects.create(organization=cast.district_grassroots, enterprise=employer, started_on=date(2025, 1, 1))
    appeal = submit(employer="贵阳顺达物流有限公司")
    assert (appeal.union, appeal.employer) == (cast.district_grassroots, employer)


def test_an_unknown_employer_is_accepted_and_routed_to_the_federation_of_the_region(cast: Cast) -> None:
    appeal = submit(employer="没登记过的车队", region="520103")
    assert (appeal.union, appeal.employer, appeal.employer_name) == (cast.other_district, None, "没登记过的车队")
    assert appeal.status == Status.SUBMITTED


def test_a_rule_whose_union_is_inactive_is_skipped(cast: Cast) -> None:
    rule("520102", "", cast.district_grassroots)
    cast.district_grassroots.is_active = False
    cast.district_grassroots.save(update_fields=["is_active"])
    assert submit().union == cast.district


def _resolved(members: Members, cast: Cast, **more: Any) -> Appeal:
    appeal = appeal_submit(
        data=AppealInput(category="dismissal", description="被辞退没有补偿金", work_region="520102", **more),
        channel=Channel.ONLINE,
        person=members.rider,
        now=NOW,
    )
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    appeal_step(appeal=appeal, kind=EventKind.ACCEPTED, jurisdiction=jurisdiction, actor=None, now=NOW)
    appeal_step(appeal=appeal, kind=EventKind.FIRST_RESPONSE, jurisdiction=jurisdiction, actor=None, text="已联系")
    return appeal_step(appeal=appeal, kind=EventKind.RESOLVED, jurisdiction=jurisdiction, actor=None, text="已追回")


def test_the_worker_confirming_unsatisfied_reopens_the_case(cast: Cast, members: Members) -> None:
    appeal = _resolved(members, cast)
    appeal = appeal_confirm(appeal=appeal, person=members.rider, rating=2, satisfied=False, comment="只追回一半")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.resolved_at, appeal.rating, appeal.satisfied) == (
        Status.INVESTIGATING,
        None,
        2,
        False,
    )
    assert list(appeal.events.values_list("kind", flat=True))[-2:] == ["confirmed", "reopened"]


def test_the_worker_confirming_satisfied_keeps_it_resolved(cast: Cast, members: Members) -> None:
    appeal = _resolved(members, cast)
    appeal = appeal_confirm(appeal=appeal, person=members.rider, rating=5, satisfied=True)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating, appeal.satisfied) == (Status.RESOLVED, 5, True)


def test_the_worker_is_texted_for_each_visible_step(
    cast: Cast, members: Members, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appeal = _resolved(members, cast)
    number = appeal.number
    assert [(message.phone, message.message) for message in sms.outbox] == [
        (RIDER_PHONE, f"【工会服务】您的诉求（编号{number}）已提交，由南明区总工会办理。"),
        (RIDER_PHONE, f"【工会服务】您的诉求（编号{number}）已由南明区总工会受理。"),
        (RIDER_PHONE, f"【工会服务】您的诉求（编号{number}）有了回复，请在“我的诉求”中查看。"),
        (RIDER_PHONE, f"【工会服务】您的诉求（编号{number}）已办结，请在“我的诉求”中确认并评价。"),
    ]


def test_no_text_when_the_worker_may_not_be_contacted(
    cast: Cast, members: Members, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _resolved(members, cast, may_contact=False)
    assert sms.outbox == []


def test_a_staff_note_is_not_texted(
    cast: Cast, members: Members, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    appeal = _resolved(members, cast)
    appeal_confirm(appeal=appeal, person=members.rider, rating=1, satisfied=False)
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    with django_capture_on_commit_callbacks(execute=True):
        appeal_step(appeal=appeal, kind=EventKind.NOTE, jurisdiction=jurisdiction, actor=None, text="内部备注")
    assert sms.outbox == []
