"""The appeal clock under a controlled `now`: working days from China's official calendar (weekends, the 2026
Spring Festival and its make-up workdays), cases received on a holiday, pauses, hand-offs, escalation and the
statutory periods."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command

from gigunion.appeals.models import Appeal, AppealEvent, Channel, Complexity, EventKind
from gigunion.appeals.services import (
    AppealInput,
    appeal_hand_off,
    appeal_pause,
    appeal_resume,
    appeal_step,
    appeals_escalate,
)
from gigunion.orgs.access import Jurisdiction, jurisdiction_of
from tests.conftest import Cast

pytestmark = pytest.mark.django_db
CHINA = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHINA)


def submit(when: datetime, complexity: str = Complexity.NORMAL, region: str = "520102") -> Appeal:
    from gigunion.appeals.services import appeal_submit

    return appeal_submit(
        data=AppealInput(
            category="wage_arrears",
            description="平台拖欠三个月的配送费",
            work_region=region,
            complexity=complexity,
            contact_name="陈小军",
            contact_phone="13885001234",
        ),
        channel=Channel.HOTLINE,
        now=when,
    )


def staff_jurisdiction(cast: Cast) -> Jurisdiction:
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    return jurisdiction


def test_the_2026_spring_festival_calendar_is_as_the_tests_assume() -> None:
    holiday = [date(2026, 2, day) for day in range(15, 24)]
    assert [chinese_calendar.is_workday(day) for day in holiday] == [False] * 9
    assert chinese_calendar.is_workday(date(2026, 2, 14))  # Saturday, a make-up workday
    assert chinese_calendar.is_workday(date(2026, 2, 28))  # Saturday, a make-up workday
    assert date(2026, 2, 14).weekday() == 5
    assert date(2026, 2, 28).weekday() == 5
    assert chinese_calendar.is_workday(date(2026, 2, 13))
    assert chinese_calendar.is_workday(date(2026, 2, 24))


def test_it_counts_deadlines_across_a_weekend(cast: Cast) -> None:
    appeal = submit(at(2026, 1, 9))  # a Friday; normal: 2 and 15 working days
    assert (appeal.first_response_due, appeal.resolution_due) == (date(2026, 1, 13), date(2026, 1, 30))
    simple = submit(at(2026, 1, 9, 17), Complexity.SIMPLE)  # 1 and 5 working days
    assert (simple.first_response_due, simple.resolution_due) == (date(2026, 1, 12), date(2026, 1, 16))


def test_it_counts_deadlines_across_the_spring_festival_and_its_make_up_workdays(cast: Cast) -> None:
    simple = submit(at(2026, 2, 13), Complexity.SIMPLE)  # Friday before the holiday
    # Sat 14 Feb is a make-up workday; 15–23 Feb holiday; then 24, 25, 26, 27.
    assert (simple.first_response_due, simple.resolution_due) == (date(2026, 2, 14), date(2026, 2, 27))
    normal = submit(at(2026, 2, 13))
    # 14, 24 → first response; 14, 24–27, Sat 28 (make-up), 2–6 Mar, 9–12 Mar → the 15th working day is 12 Mar.
    assert (normal.first_response_due, normal.resolution_due) == (date(2026, 2, 24), date(2026, 3, 12))


def test_a_case_received_on_a_holiday_starts_on_the_next_working_day(cast: Cast) -> None:
    appeal = submit(at(2026, 2, 17), Complexity.SIMPLE)  # the holiday's third day
    # Starts Tue 24 Feb: 1 working day → 25 Feb; 5 → 25, 26, 27, Sat 28 (make-up), Mon 2 Mar.
    assert (appeal.first_response_due, appeal.resolution_due) == (date(2026, 2, 25), date(2026, 3, 2))
    saturday = submit(at(2026, 1, 10), Complexity.SIMPLE)
    assert (saturday.first_response_due, saturday.resolution_due) == (date(2026, 1, 13), date(2026, 1, 19))


def test_a_pause_over_a_weekend_moves_nothing(cast: Cast) -> None:
    appeal = submit(at(2026, 1, 9))
    appeal = appeal_pause(
        appeal=appeal, jurisdiction=staff_jurisdiction(cast), actor=None, question="请上传工资条", now=at(2026, 1, 10)
    )
    appeal = appeal_resume(appeal=appeal, text="已上传", now=at(2026, 1, 12, 8))
    assert (appeal.first_response_due, appeal.resolution_due) == (date(2026, 1, 13), date(2026, 1, 30))
    assert appeal.paused_since is None


def test_a_pause_over_working_days_moves_the_deadlines_by_the_working_days_waited(cast: Cast) -> None:
    appeal = submit(at(2026, 1, 9))
    appeal = appeal_pause(
        appeal=appeal, jurisdiction=staff_jurisdiction(cast), actor=None, question="请上传工资条", now=at(2026, 1, 16)
    )
    assert appeal.first_responded_at == at(2026, 1, 16)  # asking the worker is the first response
    # Waited Fri 16, Mon 19, Tue 20: three working days; the resolution due moves from 30 Jan to 4 Feb.
    appeal = appeal_resume(appeal=appeal, now=at(2026, 1, 21))
    assert appeal.resolution_due == date(2026, 2, 4)
    assert list(appeal.events.values_list("kind", flat=True)) == ["submitted", "paused", "resumed"]


def test_a_paused_case_is_not_escalated_and_a_running_one_is_escalated_once(cast: Cast) -> None:
    paused = submit(at(2026, 1, 5))
    appeal_pause(appeal=paused, jurisdiction=staff_jurisdiction(cast), actor=None, question="?", now=at(2026, 1, 6))
    running = submit(at(2026, 1, 5))
    # Normal: first response due 7 Jan. On the 7th nothing is late; on the 8th it is.
    assert appeals_escalate(now=at(2026, 1, 7, 23)) == 0
    assert appeals_escalate(now=at(2026, 1, 8, 9)) == 1
    assert appeals_escalate(now=at(2026, 1, 9, 9)) == 0
    running.refresh_from_db()
    paused.refresh_from_db()
    assert running.escalated_to == cast.city  # the parent of 南明区总工会
    assert paused.escalated_to is None
    event = AppealEvent.objects.get(appeal=running, kind=EventKind.ESCALATED)
    assert (event.from_union, event.union, event.text, event.visible_to_worker) == (
        cast.district,
        cast.district,
        "贵阳市总工会",
        False,
    )


def test_a_finished_case_is_not_escalated(cast: Cast) -> None:
    appeal = submit(at(2026, 1, 5))
    jurisdiction = staff_jurisdiction(cast)
    appeal_step(
        appeal=appeal,
        kind=EventKind.FIRST_RESPONSE,
        jurisdiction=jurisdiction,
        actor=None,
        text="已受理",
        now=at(2026, 1, 6),
    )
    appeal_step(
        appeal=appeal, kind=EventKind.RESOLVED, jurisdiction=jurisdiction, actor=None, text="已追回", now=at(2026, 1, 7)
    )
    assert appeals_escalate(now=at(2026, 3, 1)) == 0


def test_the_command_escalates_and_says_how_many(cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
    submit(at(2026, 1, 5))
    call_command("escalate_appeals")
    call_command("escalate_appeals")
    assert capsys.readouterr().out == "escalated 1\nescalated 0\n"


def test_a_hand_off_keeps_the_deadlines_and_records_both_unions(cast: Cast) -> None:
    appeal = submit(at(2026, 2, 13))
    appeal = appeal_hand_off(
        appeal=appeal,
        to_union=cast.district_grassroots,
        jurisdiction=staff_jurisdiction(cast),
        actor=cast.district_staff.user,
        reason="骑手属联合工会会员",
        now=at(2026, 2, 24),
    )
    appeal.refresh_from_db()
    assert (appeal.union, appeal.first_response_due, appeal.resolution_due) == (
        cast.district_grassroots,
        date(2026, 2, 24),
        date(2026, 3, 12),
    )
    event = appeal.events.get(kind=EventKind.HANDED_OFF)
    assert (event.from_union, event.union, event.text, event.at) == (
        cast.district,
        cast.district_grassroots,
        "骑手属联合工会会员",
        at(2026, 2, 24),
    )


@pytest.mark.parametrize(
    ("kind", "statutory_kind", "due"),
    [
        (EventKind.MEDIATION, "mediation", date(2026, 2, 25)),
        (EventKind.ARBITRATION, "arbitration_acceptance", date(2026, 2, 15)),
        (EventKind.ARBITRATION_ACCEPTED, "arbitration_award", date(2026, 3, 27)),
    ],
)
def test_statutory_periods_count_calendar_days(cast: Cast, kind: str, statutory_kind: str, due: date) -> None:
    appeal = submit(at(2026, 2, 9))
    if kind == EventKind.ARBITRATION_ACCEPTED:  # only after a referral to arbitration
        appeal = appeal_step(
            appeal=appeal,
            kind=EventKind.ARBITRATION,
            jurisdiction=staff_jurisdiction(cast),
            actor=None,
            now=at(2026, 2, 9, 15),
        )
    appeal = appeal_step(
        appeal=appeal, kind=kind, jurisdiction=staff_jurisdiction(cast), actor=None, now=at(2026, 2, 10)
    )
    appeal.refresh_from_db()
    assert (appeal.statutory_kind, appeal.statutory_due) == (statutory_kind, due)


def test_arbitration_accepted_needs_a_referral_first_and_accept_comes_once(cast: Cast) -> None:
    from gigunion.core.exceptions import DomainError

    appeal = submit(at(2026, 2, 9))
    with pytest.raises(DomainError) as early:
        appeal_step(
            appeal=appeal, kind=EventKind.ARBITRATION_ACCEPTED, jurisdiction=staff_jurisdiction(cast), actor=None
        )
    assert early.value.code == "order"
    appeal_step(appeal=appeal, kind=EventKind.ACCEPTED, jurisdiction=staff_jurisdiction(cast), actor=None)
    with pytest.raises(DomainError) as again:
        appeal_step(appeal=appeal, kind=EventKind.ACCEPTED, jurisdiction=staff_jurisdiction(cast), actor=None)
    assert again.value.code == "order"
