"""Founding applications (建会申请): submitted → preparing → congress held → elected → approved → founded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.enterprises.models import Enterprise
from gigunion.founding.models import (
    ApplicationStatus,
    Coverage,
    FoundingApplication,
    FoundingEvent,
    FoundingStep,
    WorklistEvent,
    WorklistItem,
)
from gigunion.founding.selectors import applications_awaiting
from gigunion.founding.services import (
    application_advance,
    application_next_step,
    application_reject,
    application_submit,
    application_withdraw,
    worklist_item_update,
    worklist_refresh,
)
from gigunion.orgs.access import Jurisdiction, jurisdiction_of
from gigunion.orgs.models import FoundingMode, OrganizationType, StaffAccount, StaffRole, UnionOrganization
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.founding.helpers import staff

pytestmark = pytest.mark.django_db

NAME = "五里冲街道快递外卖联合工会"


def of(account: StaffAccount) -> tuple[User, Jurisdiction]:
    jurisdiction = jurisdiction_of(account.user)
    assert jurisdiction is not None
    return account.user, jurisdiction


@pytest.fixture
def street_operator(cast: Cast) -> StaffAccount:
    return staff("street_operator", "吴芳", cast.district_street, StaffRole.OPERATOR)


def submit(account: StaffAccount, enterprises: list[Enterprise], **overrides: Any) -> FoundingApplication:
    user, jurisdiction = of(account)
    values: dict[str, Any] = {
        "name": NAME,
        "organization_type": OrganizationType.JOINT,
        "founding_mode": FoundingMode.JOINT,
        "region": Region.objects.get(code="520102001"),
        "parent": account.organization,
        "enterprises": enterprises,
        "contact_name": "陈刚",
        "expected_members": 30,
    }
    values.update(overrides)
    return application_submit(actor=user, jurisdiction=jurisdiction, **values)


def advance(account: StaffAccount, application: FoundingApplication, **data: Any) -> FoundingApplication:
    user, jurisdiction = of(account)
    return application_advance(application=application, actor=user, jurisdiction=jurisdiction, **data)


def refused(error: pytest.ExceptionInfo[DomainError]) -> tuple[str, str]:
    return error.value.code, error.value.message


def states(*enterprises: Enterprise) -> list[str]:
    by_enterprise = dict(WorklistItem.objects.values_list("enterprise_id", "state"))
    return [by_enterprise[enterprise.pk] for enterprise in enterprises]


@pytest.fixture
def pending(registry: dict[str, Enterprise]) -> list[Enterprise]:
    """Two pending enterprises of 五里冲街道; the second already contacted."""
    worklist_refresh()
    delivery, homecare = registry["五里冲外卖站"], registry["五里冲家政服务部"]
    worklist_item_update(
        item=WorklistItem.objects.get(enterprise=homecare),
        actor=User.objects.get(username="district_staff"),
        state="contacted",
        assignee=None,
        deadline=None,
        note="",
    )
    return [delivery, homecare]


def test_the_full_path_founds_the_union_covers_the_enterprises_and_logs_every_step(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    application = submit(street_operator, pending)
    assert (application.status, application.parent, application.submitted_by) == (
        ApplicationStatus.SUBMITTED,
        cast.district_street,
        street_operator.user,
    )
    assert states(*pending) == ["preparing", "preparing"]
    assert application_next_step(application) == (FoundingStep.PREPARATION_APPROVED, True)

    # the street union is the higher union, but its operator submitted: the district approves
    application = advance(cast.district_staff, application, note="同意筹备")
    assert application.status == ApplicationStatus.PREPARING
    assert application_next_step(application) == (FoundingStep.CONGRESS_HELD, False)
    application = advance(street_operator, application, congress_on=date(2024, 6, 1), congress_attendance=28)
    assert (application.status, application.congress_on, application.congress_attendance) == (
        ApplicationStatus.CONGRESS_HELD,
        date(2024, 6, 1),
        28,
    )
    application = advance(
        street_operator,
        application,
        chair_name=" 陈刚 ",
        committee_size=5,
        term_start=date(2024, 6, 1),
        term_end=date(2029, 5, 31),
    )
    assert application.status == ApplicationStatus.ELECTED
    application = advance(cast.district_staff, application)
    assert application.status == ApplicationStatus.APPROVED
    application = advance(cast.district_staff, application, founded_on=date(2024, 6, 15))
    assert application.status == ApplicationStatus.FOUNDED
    assert application_next_step(application) is None

    union = application.organization
    assert union is not None
    union = UnionOrganization.objects.get(pk=union.pk)
    assert (
        union.name,
        union.organization_type,
        union.region_id,
        union.parent,
        union.path,
        union.founding_mode,
        union.chair_name,
        union.term_start,
        union.term_end,
        union.founded_on,
    ) == (
        NAME,
        OrganizationType.JOINT,
        "520102001",
        cast.district_street,
        f"{cast.district_street.path}{union.pk}/",
        FoundingMode.JOINT,
        "陈刚",
        date(2024, 6, 1),
        date(2029, 5, 31),
        date(2024, 6, 15),
    )
    assert sorted(Coverage.objects.values_list("organization", "enterprise", "started_on", "ended_on")) == sorted(
        [(union.pk, enterprise.pk, date(2024, 6, 15), None) for enterprise in pending]
    )
    assert states(*pending) == ["founded", "founded"]
    assert [(e.from_state, e.to_state) for e in WorklistEvent.objects.filter(item__enterprise=pending[1])] == [
        ("not_started", "contacted"),
        ("contacted", "preparing"),
        ("preparing", "founded"),
    ]
    logged = [
        (event.step, event.actor.username if event.actor else None, event.actor_organization, event.note, event.data)
        for event in FoundingEvent.objects.filter(application=application).select_related("actor")
    ]
    assert logged == [
        ("submitted", "street_operator", cast.district_street, "", {"enterprises": 2}),
        ("preparation_approved", "district_staff", cast.district, "同意筹备", {}),
        ("congress_held", "street_operator", cast.district_street, "", {"congress_on": "2024-06-01", "attendance": 28}),
        (
            "election_recorded",
            "street_operator",
            cast.district_street,
            "",
            {"chair": "陈刚", "term": ["2024-06-01", "2029-05-31"]},
        ),
        ("election_approved", "district_staff", cast.district, "", {}),
        ("founded", "district_staff", cast.district, "", {"organization": union.pk, "founded_on": "2024-06-15"}),
    ]
    with pytest.raises(DomainError) as finished:
        advance(cast.district_staff, application)
    assert refused(finished) == ("finished", "This application is finished.")
    # the name is now taken under this parent
    with pytest.raises(DomainError) as duplicate:
        submit(street_operator, [])
    assert refused(duplicate) == ("duplicate", "An organization of that name already exists under this parent.")


def test_only_the_higher_union_approves_and_never_the_submitter(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    application = submit(street_operator, pending)
    with pytest.raises(NotAllowed) as own:
        advance(street_operator, application)
    assert own.value.message == "Someone other than the person who submitted the application must approve it."
    with pytest.raises(NotAllowed) as other_district:
        advance(cast.other_district_staff, application)
    assert other_district.value.message == "Only the higher union can take this step."
    with pytest.raises(NotAllowed):
        advance(cast.district_viewer, application)
    application = advance(cast.city_staff, application)  # the city is above the street union too
    assert application.status == ApplicationStatus.PREPARING
    # a street union below the parent is not the higher union of an application addressed to the district
    district_application = submit(
        cast.district_staff, [], name="南明区快递行业联合工会", region=Region.objects.get(code="520102")
    )
    with pytest.raises(NotAllowed):
        advance(street_operator, district_application)
    assert FoundingEvent.objects.filter(application=district_application).count() == 1


def test_a_viewer_can_neither_submit_nor_act(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    with pytest.raises(NotAllowed):
        submit(cast.district_viewer, pending)
    application = submit(street_operator, pending)
    user, jurisdiction = of(cast.district_viewer)
    with pytest.raises(NotAllowed):
        application_reject(application=application, actor=user, jurisdiction=jurisdiction, reason="材料不全")
    with pytest.raises(NotAllowed):
        application_withdraw(application=application, actor=user, jurisdiction=jurisdiction, reason="")
    assert FoundingApplication.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_each_step_refuses_missing_data(cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]) -> None:
    application = advance(cast.district_staff, submit(street_operator, pending))
    congress: list[dict[str, Any]] = [
        {},
        {"congress_on": date(2024, 6, 1)},
        {"congress_on": date(2024, 6, 1), "congress_attendance": 0},
    ]
    for data in congress:
        with pytest.raises(DomainError) as missing:
            advance(street_operator, application, **data)
        assert refused(missing) == ("data", "Enter the date of the member congress and how many members attended.")
    application = advance(street_operator, application, congress_on=date(2024, 6, 1), congress_attendance=28)
    term = {"term_start": date(2024, 6, 1), "term_end": date(2029, 5, 31)}
    election: list[dict[str, Any]] = [
        {**term, "chair_name": "  "},
        {"chair_name": "陈刚", "term_start": date(2024, 6, 1)},
    ]
    for data in election:
        with pytest.raises(DomainError) as missing:
            advance(street_operator, application, **data)
        assert refused(missing) == ("data", "Enter the elected chair and the committee's term.")
    with pytest.raises(DomainError) as backwards:
        advance(street_operator, application, chair_name="陈刚", term_start=date(2024, 6, 1), term_end=date(2024, 5, 1))
    assert refused(backwards) == ("term", "The committee term cannot end before it starts.")
    stored = FoundingApplication.objects.get(pk=application.pk)
    assert (stored.status, stored.chair_name, stored.term_start) == (ApplicationStatus.CONGRESS_HELD, "", None)
    assert FoundingEvent.objects.filter(application=application).count() == 3


def test_submission_is_checked(cast: Cast, street_operator: StaffAccount, registry: dict[str, Enterprise]) -> None:
    worklist_refresh()
    cases: list[tuple[StaffAccount, dict[str, Any], tuple[str, str]]] = [
        (
            street_operator,
            {"region": Region.objects.get(code="520102002")},
            ("region", "The region is outside your jurisdiction."),
        ),
        (
            cast.district_staff,
            {"region": Region.objects.get(code="520102002"), "parent": cast.district_street},
            ("region", "The region of an organization must lie within its parent's region."),
        ),
        (street_operator, {"founding_mode": "by_decree"}, ("mode", "Choose a founding mode.")),
        (
            street_operator,
            {"enterprises": [registry["云岩快递网点"]]},
            ("region", "云岩快递网点 lies outside the region of the union to be founded."),
        ),
        (
            # inside the district (the parent) but not inside 五里冲街道, where the new union stands
            cast.district_staff,
            {"parent": cast.district, "enterprises": [registry["小车河快递驿站"]]},
            ("region", "小车河快递驿站 lies outside the region of the union to be founded."),
        ),
    ]
    for account, overrides, expected in cases:
        enterprises = overrides.pop("enterprises", [registry["五里冲外卖站"]])
        with pytest.raises(DomainError) as error:
            submit(account, enterprises, **overrides)
        assert refused(error) == expected
    Coverage.objects.create(
        organization=cast.district_grassroots, enterprise=registry["五里冲外卖站"], started_on=date(2024, 1, 1)
    )
    with pytest.raises(DomainError) as covered:
        submit(street_operator, [registry["五里冲家政服务部"], registry["五里冲外卖站"]])
    assert refused(covered) == ("covered", "五里冲外卖站 is already covered by a union.")
    assert FoundingApplication.objects.count() == 0
    assert WorklistItem.objects.get(enterprise=registry["五里冲家政服务部"]).state == "not_started"


def test_rejection_needs_a_reason_and_reopens_the_enterprises(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    application = submit(street_operator, pending)
    user, jurisdiction = of(cast.district_staff)
    with pytest.raises(DomainError) as no_reason:
        application_reject(application=application, actor=user, jurisdiction=jurisdiction, reason=" ")
    assert refused(no_reason) == ("reason", "Say why the application is rejected.")
    other_user, other_jurisdiction = of(cast.other_district_staff)
    with pytest.raises(NotAllowed):
        application_reject(application=application, actor=other_user, jurisdiction=other_jurisdiction, reason="不同意")
    application = application_reject(
        application=application, actor=user, jurisdiction=jurisdiction, reason=" 会员人数不足 "
    )
    assert application.status == ApplicationStatus.REJECTED
    assert states(*pending) == ["contacted", "contacted"]
    last = FoundingEvent.objects.filter(application=application).last()
    assert last is not None
    assert (last.step, last.actor, last.actor_organization, last.note) == (
        FoundingStep.REJECTED,
        user,
        cast.district,
        "会员人数不足",
    )
    assert [(e.from_state, e.to_state, e.note) for e in WorklistEvent.objects.filter(item__enterprise=pending[0])] == [
        ("not_started", "preparing", "A founding application was submitted."),
        ("preparing", "contacted", "The founding application was rejected."),
    ]
    with pytest.raises(DomainError) as finished:
        application_reject(application=application, actor=user, jurisdiction=jurisdiction, reason="再次")
    assert refused(finished) == ("finished", "This application is finished.")


def test_the_higher_union_rejects_only_at_its_own_steps(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    application = advance(cast.district_staff, submit(street_operator, pending))
    user, jurisdiction = of(cast.district_staff)
    with pytest.raises(DomainError) as not_its_turn:
        application_reject(application=application, actor=user, jurisdiction=jurisdiction, reason="不同意")
    assert refused(not_its_turn) == ("turn", "This step is not the higher union's to approve.")
    application = advance(street_operator, application, congress_on=date(2024, 6, 1), congress_attendance=28)
    application = advance(
        street_operator, application, chair_name="陈刚", term_start=date(2024, 6, 1), term_end=date(2029, 5, 31)
    )
    application = application_reject(
        application=application, actor=user, jurisdiction=jurisdiction, reason="选举程序不规范"
    )
    assert application.status == ApplicationStatus.REJECTED
    assert states(*pending) == ["contacted", "contacted"]


def test_the_applicant_may_withdraw_an_open_application(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    application = submit(street_operator, pending)
    user, jurisdiction = of(street_operator)
    application = application_withdraw(
        application=application, actor=user, jurisdiction=jurisdiction, reason=" 企业搬迁 "
    )
    assert application.status == ApplicationStatus.WITHDRAWN
    assert states(*pending) == ["contacted", "contacted"]
    last = FoundingEvent.objects.filter(application=application).last()
    assert last is not None
    assert (last.step, last.note, last.actor_organization) == (FoundingStep.WITHDRAWN, "企业搬迁", cast.district_street)
    with pytest.raises(DomainError) as finished:
        application_withdraw(application=application, actor=user, jurisdiction=jurisdiction, reason="")
    assert refused(finished) == ("finished", "This application is finished.")


def test_applications_awaiting_a_union_are_those_at_its_steps(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    def awaiting(account: StaffAccount) -> list[str]:
        return list(applications_awaiting(of(account)[1]).values_list("name", flat=True))

    application = submit(street_operator, pending)
    assert awaiting(cast.district_staff) == [NAME]
    assert awaiting(cast.city_staff) == [NAME]
    assert awaiting(street_operator) == [NAME]  # its own union is the higher union
    assert awaiting(cast.other_district_staff) == []
    application = advance(cast.district_staff, application)
    assert awaiting(cast.district_staff) == []  # preparing: the applicants' move
    application = advance(street_operator, application, congress_on=date(2024, 6, 1), congress_attendance=28)
    assert awaiting(cast.district_staff) == []
    application = advance(
        street_operator, application, chair_name="陈刚", term_start=date(2024, 6, 1), term_end=date(2029, 5, 31)
    )
    assert awaiting(cast.district_staff) == [NAME]
    application = advance(cast.district_staff, application)
    assert awaiting(cast.district_staff) == [NAME]  # approved, awaiting registration
    advance(cast.district_staff, application)
    assert awaiting(cast.district_staff) == []


def test_an_enterprise_is_in_one_open_application_at_a_time(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    submit(street_operator, pending)
    with pytest.raises(DomainError) as twice:
        submit(street_operator, pending[:1], name="另一个工会")
    assert refused(twice) == ("pending", f"An application for these enterprises is already in progress: {NAME}.")
    with pytest.raises(DomainError) as same_name:
        submit(street_operator, [], name=NAME)
    assert refused(same_name) == (
        "duplicate",
        "An application of that name is already in progress under this parent.",
    )
    with pytest.raises(DomainError) as federation:
        submit(street_operator, [], name="第三个", organization_type=OrganizationType.FEDERATION)
    assert refused(federation) == ("type", "Choose the type of the new union.")


def test_another_district_cannot_record_the_applicant_steps_or_withdraw(
    cast: Cast, street_operator: StaffAccount, pending: list[Enterprise]
) -> None:
    application = submit(street_operator, pending)
    advance(cast.district_staff, application)  # the street's higher union approves the preparation
    application.refresh_from_db()
    outsider_user, outsider = of(cast.other_district_staff)
    with pytest.raises(NotAllowed):
        application_advance(
            application=application,
            actor=outsider_user,
            jurisdiction=outsider,
            congress_on=date(2026, 3, 1),
            congress_attendance=20,
        )
    with pytest.raises(NotAllowed):
        application_withdraw(application=application, actor=outsider_user, jurisdiction=outsider, reason="")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PREPARING
