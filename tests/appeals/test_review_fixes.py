"""Rules found in review: who may route, hand-offs and escalation, pauses after a late answer, NUL text,
audited exports."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from gigunion.appeals.models import Appeal, EventKind, RoutingRule
from gigunion.appeals.services import (
    AppealInput,
    appeal_hand_off,
    appeal_pause,
    appeal_resume,
    appeal_submit,
    appeals_escalate,
    routing_rule_save,
)
from gigunion.core.exceptions import NotAllowed
from gigunion.core.models import AuditAction, AuditEvent
from gigunion.orgs.access import jurisdiction_of
from gigunion.orgs.models import StaffRole
from gigunion.orgs.services import staff_account_create
from gigunion.regions.models import Region
from tests.appeals.test_clock import at, staff_jurisdiction, submit
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_grassroots_union_cannot_pull_its_districts_appeals_to_itself(cast: Cast) -> None:
    grassroots = staff_account_create(
        username="grassroots_op",
        password="Test-password-2026",
        display_name="基层工会操作员",
        organization=cast.district_grassroots,
        role=StaffRole.OPERATOR,
    )
    jurisdiction = jurisdiction_of(grassroots.user)
    assert jurisdiction is not None
    nanming = Region.objects.get(code="520102")
    with pytest.raises(NotAllowed):
        routing_rule_save(
            jurisdiction=jurisdiction, region=nanming, category="", union=cast.district_grassroots, actor=None
        )
    assert RoutingRule.objects.count() == 0


def test_a_hand_off_ends_the_old_escalation(cast: Cast) -> None:
    appeal = submit(at(2026, 1, 5))
    assert appeals_escalate(now=at(2026, 3, 2)) == 1
    appeal.refresh_from_db()
    assert appeal.escalated_to == cast.city
    city = jurisdiction_of(cast.city_staff.user)
    assert city is not None
    appeal_hand_off(appeal=appeal, to_union=cast.other_district, jurisdiction=city, actor=None, reason="跨区协调")
    appeal.refresh_from_db()
    assert appeal.union == cast.other_district
    assert appeal.escalated_to_id is None
    nanming = Client()
    nanming.force_login(cast.district_staff.user)
    assert nanming.get(f"/office/appeals/{appeal.pk}/").status_code == 404


def test_asking_the_worker_after_the_first_response_was_due_does_not_make_it_on_time(cast: Cast) -> None:
    appeal = submit(at(2026, 1, 5))  # Monday: first response due Wednesday 7 January
    assert appeal.first_response_due == date(2026, 1, 7)
    appeal_pause(
        appeal=appeal, jurisdiction=staff_jurisdiction(cast), actor=None, question="请补充合同", now=at(2026, 1, 9)
    )
    resumed = appeal_resume(appeal=appeal, text="已上传", now=at(2026, 1, 16))
    # Five working days waited (9, 12–15 January): only the resolution moves.
    assert (resumed.first_response_due, resumed.resolution_due) == (date(2026, 1, 7), date(2026, 2, 2))


def test_nul_characters_are_dropped_from_text(cast: Cast) -> None:
    appeal = appeal_submit(
        data=AppealInput(
            category="other",
            description="没有\x00休息日的问题",
            work_region="520102",
            employer_name="美\x00团",
            contact_name="王\x00师傅",
        ),
        channel="hotline",
        now=at(2026, 1, 5),
    )
    stored = Appeal.objects.get(pk=appeal.pk)
    assert (stored.description, stored.employer_name, stored.contact_name) == ("没有休息日的问题", "美团", "王师傅")


def test_the_excel_export_is_audited(cast: Cast) -> None:
    submit(at(2026, 1, 5))
    browser = Client()
    browser.force_login(cast.district_staff.user)
    response = browser.get("/office/appeals/", {"status": "all", "format": "xlsx"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_EXPORT)
    assert (event.object_type, event.details) == ("appeal_list", {"rows": 1, "unmasked": False})


def test_a_resolved_outcome_is_rated_once(cast: Cast, members: object) -> None:
    from gigunion.appeals.services import appeal_confirm, appeal_step
    from gigunion.core.exceptions import DomainError

    rider = members.rider  # type: ignore[attr-defined]
    appeal = appeal_submit(
        data=AppealInput(category="other", description="站点不让进门休息", work_region="520102"),
        channel="online",
        person=rider,
        now=at(2026, 1, 5),
    )
    appeal_step(
        appeal=appeal,
        kind=EventKind.RESOLVED,
        jurisdiction=staff_jurisdiction(cast),
        actor=None,
        text="已协调",
        now=at(2026, 1, 6),
    )
    appeal_confirm(appeal=appeal, person=rider, rating=4, satisfied=True, now=at(2026, 1, 7))
    with pytest.raises(DomainError) as again:
        appeal_confirm(appeal=appeal, person=rider, rating=1, satisfied=False, now=at(2026, 1, 8))
    assert again.value.code == "rated"
