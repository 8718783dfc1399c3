"""The pending-founding worklist (应建未建): refresh from the default rules, coverage, staff updates."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gigunion.core.exceptions import DomainError
from gigunion.enterprises.models import Enterprise
from gigunion.enterprises.services import enterprises_import
from gigunion.founding.models import Coverage, FoundingRule, WorklistEvent, WorklistItem, WorklistState
from gigunion.founding.services import (
    RefreshResult,
    coverage_end,
    coverage_start,
    founding_rule_save,
    founding_rules_customize,
    worklist_item_update,
    worklist_refresh,
)
from gigunion.orgs.models import OrganizationType, StaffAccount, StaffRole, UnionOrganization
from gigunion.orgs.services import organization_create
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.founding.helpers import ENTERPRISE_HEADER, credit, staff

pytestmark = pytest.mark.django_db

NO_CHANGE = RefreshResult(created=0, changed=0, founded=0, reopened=0)
Row = tuple[str, str, str, str | None, int | None]


def refresh_command(*arguments: str) -> str:
    out = StringIO()
    call_command("refresh_worklist", *arguments, stdout=out)
    return out.getvalue().strip()


def global_rules() -> dict[int, FoundingRule]:
    return {rule.priority: rule for rule in FoundingRule.objects.filter(organization__isnull=True)}


def worklist() -> dict[str, Row]:
    """name → (state, target, mode, suggested union's name, priority of the rule applied)."""
    rows: dict[str, Row] = {}
    for item in WorklistItem.objects.select_related("enterprise", "suggested_organization", "rule"):
        assert item.reason == (item.rule.name if item.rule else "")
        assert item.region_id == item.enterprise.region_id
        rows[item.enterprise.name] = (
            item.state,
            item.recommended_target,
            item.recommended_mode,
            item.suggested_organization.name if item.suggested_organization else None,
            item.rule.priority if item.rule else None,
        )
    return rows


OWN = ("own_committee", "standalone", None, 10)
HEAD = ("head_union", "lead_enterprise", "贵州顺丰速运有限公司工会", 20)
JOINT_NANMING = ("joint_union", "joint", "南明区网约送餐员联合工会", 50)
DEFAULT_WORKLIST: dict[str, Row] = {
    "贵州顺丰速运有限公司": ("not_started", *OWN),
    "顺丰五里冲网点": ("not_started", *JOINT_NANMING),  # 12 people; its head enterprise has no union yet
    "顺丰小车河分部": ("not_started", *JOINT_NANMING),  # size unknown: only the rules without size hold
    "五里冲家政服务部": ("not_started", "community_union", "community", "五里冲街道工会", 30),
    "小车河快递驿站": ("not_started", "community_union", "community", None, 30),  # no street union in 小车河街道
    "五里冲代驾服务部": ("not_started", *OWN),  # max(5 employees, 25 gig workers)
    "五里冲外卖站": ("not_started", *JOINT_NANMING),  # 24
    "南明区某劳务公司": ("not_started", *JOINT_NANMING),  # size unknown
    "南明十人网点": ("not_started", *JOINT_NANMING),  # 10: above the community limit of 9
    "云岩货运有限公司": ("not_started", "industry_federation", "industry_driven", "云岩区货车司机工会联合会", 40),
    "云岩快递网点": ("not_started", "joint_union", "joint", None, 50),  # no joint union in 云岩区
}


def head_union(cast: Cast) -> UnionOrganization:
    return organization_create(
        name="贵州顺丰速运有限公司工会",
        organization_type=OrganizationType.ENTERPRISE,
        region=Region.objects.get(code="520102"),
        parent=cast.district,
    )


def events(enterprise: Enterprise) -> list[tuple[str, str, str, str | None]]:
    return [
        (event.from_state, event.to_state, event.note, event.actor.username if event.actor else None)
        for event in WorklistEvent.objects.filter(item__enterprise=enterprise).select_related("actor")
    ]


def test_every_enterprise_gets_one_item_recommended_by_the_default_rules(
    cast: Cast, registry: dict[str, Enterprise]
) -> None:
    assert [(rule.priority, rule.target, rule.founding_mode) for rule in global_rules().values()] == [
        (10, "own_committee", "standalone"),
        (20, "head_union", "lead_enterprise"),
        (30, "community_union", "community"),
        (40, "industry_federation", "industry_driven"),
        (50, "joint_union", "joint"),
    ]
    assert refresh_command() == "created 11, changed 0"
    assert worklist() == DEFAULT_WORKLIST
    assert WorklistItem.objects.get(enterprise=registry["五里冲家政服务部"]).reason == (
        "10人以下的网点、小微单位，就近加入社区（乡镇、街道）工会"
    )
    assert refresh_command() == "created 0, changed 0"
    assert worklist_refresh() == NO_CHANGE
    assert WorklistEvent.objects.count() == 0


def test_a_covered_head_enterprise_takes_in_its_branches_until_the_coverage_ends(
    cast: Cast, registry: dict[str, Enterprise]
) -> None:
    worklist_refresh()
    union = head_union(cast)
    hq = registry["贵州顺丰速运有限公司"]
    actor = cast.district_staff.user
    coverage = coverage_start(organization=union, enterprise=hq, started_on=date(2024, 1, 1), actor=actor)
    assert coverage is not None
    assert (coverage.organization, coverage.enterprise, coverage.started_on, coverage.ended_on) == (
        union,
        hq,
        date(2024, 1, 1),
        None,
    )
    assert worklist()["贵州顺丰速运有限公司"] == ("founded", *OWN)
    assert events(hq) == [("not_started", "founded", "Covered by 贵州顺丰速运有限公司工会.", "district_staff")]
    # the franchise and the branch (size unknown) now go to the head enterprise's union
    assert worklist_refresh() == RefreshResult(created=0, changed=2, founded=0, reopened=0)
    assert worklist() == {
        **DEFAULT_WORKLIST,
        "贵州顺丰速运有限公司": ("founded", *OWN),
        "顺丰五里冲网点": ("not_started", *HEAD),
        "顺丰小车河分部": ("not_started", *HEAD),
    }
    assert worklist_refresh() == NO_CHANGE
    # covering it again is nothing new; another union may not take it
    assert coverage_start(organization=union, enterprise=hq, started_on=date(2024, 2, 1)) is None
    with pytest.raises(DomainError) as refused:
        coverage_start(organization=cast.district_grassroots, enterprise=hq, started_on=date(2024, 2, 1))
    assert (refused.value.code, refused.value.message) == (
        "covered",
        "贵州顺丰速运有限公司 is already covered by 贵州顺丰速运有限公司工会.",
    )
    with pytest.raises(DomainError) as outside:
        coverage_start(
            organization=cast.district_street, enterprise=registry["小车河快递驿站"], started_on=date.today()
        )
    assert (outside.value.code, outside.value.message) == (
        "covered",
        f"小车河快递驿站 lies outside the region of {cast.district_street.name}.",
    )

    with pytest.raises(DomainError) as backwards:
        coverage_end(coverage=coverage, ended_on=date(2023, 12, 31))
    assert (backwards.value.code, backwards.value.message) == ("period", "A coverage cannot end before it starts.")
    coverage_end(coverage=coverage, ended_on=date(2024, 6, 30), actor=actor)
    coverage.refresh_from_db()
    assert coverage.ended_on == date(2024, 6, 30)
    assert worklist()["贵州顺丰速运有限公司"] == ("not_started", *OWN)
    assert events(hq)[-1] == ("founded", "not_started", "Coverage ended.", "district_staff")
    with pytest.raises(DomainError) as ended:
        coverage_end(coverage=coverage, ended_on=date(2024, 7, 1))
    assert (ended.value.code, ended.value.message) == ("ended", "This coverage has already ended.")
    assert worklist_refresh() == RefreshResult(created=0, changed=2, founded=0, reopened=0)
    assert worklist() == DEFAULT_WORKLIST
    assert worklist_refresh() == NO_CHANGE


def test_refresh_follows_coverage_recorded_elsewhere_and_logs_each_state_change(
    cast: Cast, registry: dict[str, Enterprise]
) -> None:
    worklist_refresh()
    outlet = registry["五里冲外卖站"]
    # written straight into the table, as a data repair would: only the refresh notices
    coverage = Coverage.objects.create(
        organization=cast.district_grassroots, enterprise=outlet, started_on=date(2024, 3, 1)
    )
    assert worklist_refresh() == RefreshResult(created=0, changed=1, founded=1, reopened=0)
    assert worklist()["五里冲外卖站"] == ("founded", *JOINT_NANMING)
    assert worklist_refresh() == NO_CHANGE
    Coverage.objects.filter(pk=coverage.pk).update(ended_on=date(2024, 5, 1))
    assert worklist_refresh() == RefreshResult(created=0, changed=1, founded=0, reopened=1)
    assert worklist()["五里冲外卖站"] == ("not_started", *JOINT_NANMING)
    assert worklist_refresh() == NO_CHANGE
    assert events(outlet) == [
        ("not_started", "founded", "Coverage recorded.", None),
        ("founded", "not_started", "Coverage ended.", None),
    ]
    assert WorklistEvent.objects.count() == 2
    # an enterprise registered after the last refresh, already covered, arrives founded
    data = (ENTERPRISE_HEADER + f"五里冲新网点,{credit(12)},快递,520102001,,3,,,\n").encode()
    enterprises_import(data=data, filename="a.csv")
    Coverage.objects.create(
        organization=cast.district_grassroots,
        enterprise=Enterprise.objects.get(credit_code=credit(12)),
        started_on=date(2024, 6, 1),
    )
    assert worklist_refresh() == RefreshResult(created=1, changed=0, founded=0, reopened=0)
    assert worklist()["五里冲新网点"] == ("founded", "community_union", "community", "五里冲街道工会", 30)


def test_a_federations_own_rules_replace_the_global_ones_in_its_region_only(
    cast: Cast, registry: dict[str, Enterprise]
) -> None:
    worklist_refresh()
    own = founding_rules_customize(organization=cast.district)
    assert [(rule.organization_id, rule.priority, rule.name, rule.target) for rule in own] == [
        (cast.district.pk, rule.priority, rule.name, rule.target) for rule in global_rules().values()
    ]
    assert founding_rules_customize(organization=cast.district) == own  # a second call copies nothing
    assert FoundingRule.objects.count() == 10
    by_priority = {rule.priority: rule for rule in own}
    with pytest.raises(DomainError) as refused:
        founding_rule_save(rule=by_priority[10], values={"min_people": 10, "max_people": 5})
    assert (refused.value.code, refused.value.message) == ("range", "The largest size cannot be below the smallest.")
    founding_rule_save(rule=by_priority[10], values={"min_people": 10, "max_people": None})

    # every 南明区 item now follows the district's copies; 云岩区 keeps the global rules
    assert worklist_refresh() == RefreshResult(created=0, changed=9, founded=0, reopened=0)
    assert worklist() == {
        **DEFAULT_WORKLIST,
        "顺丰五里冲网点": ("not_started", *OWN),
        "五里冲外卖站": ("not_started", *OWN),
        "南明十人网点": ("not_started", *OWN),
    }
    owners = dict(
        WorklistItem.objects.filter(rule__organization__isnull=False).values_list(
            "enterprise__name", "rule__organization"
        )
    )
    assert owners == {name: cast.district.pk for name in DEFAULT_WORKLIST if not name.startswith("云岩")}
    assert worklist_refresh() == NO_CHANGE

    # the city writes its own set too: 南明区 keeps the district's (the deepest wins), 云岩区 takes the city's
    city_rules = {rule.priority: rule for rule in founding_rules_customize(organization=cast.city)}
    founding_rule_save(rule=city_rules[50], values={"name": "贵阳市：联合建会"})
    founding_rule_save(rule=by_priority[30], values={"is_active": False})
    assert worklist_refresh() == RefreshResult(created=0, changed=4, founded=0, reopened=0)
    rows = worklist()
    assert rows["五里冲家政服务部"] == ("not_started", *JOINT_NANMING)  # the community rule is off in 南明区
    assert rows["小车河快递驿站"] == ("not_started", *JOINT_NANMING)
    assert rows["云岩快递网点"] == ("not_started", "joint_union", "joint", None, 50)
    assert WorklistItem.objects.get(enterprise=registry["云岩快递网点"]).reason == "贵阳市：联合建会"
    assert WorklistItem.objects.get(enterprise=registry["云岩货运有限公司"]).rule == city_rules[40]


def test_refresh_worklist_can_be_limited_to_a_region(cast: Cast, registry: dict[str, Enterprise]) -> None:
    assert refresh_command("--region", "520103") == "created 2, changed 0"
    assert sorted(WorklistItem.objects.values_list("enterprise__name", flat=True)) == [
        "云岩快递网点",
        "云岩货运有限公司",
    ]
    assert refresh_command("--region", "520102") == "created 9, changed 0"
    with pytest.raises(CommandError, match="unknown division code 999999"):
        refresh_command("--region", "999999")


def test_an_enterprise_that_moved_to_another_district_keeps_its_one_item(
    cast: Cast, registry: dict[str, Enterprise]
) -> None:
    worklist_refresh()
    # The city moves the 南明区 drivers' service to 云岩区 (a district could not), then 云岩区 refreshes its region
    data = (ENTERPRISE_HEADER + f"五里冲代驾服务部,{credit(6)},代驾,520103001,,5,25,,\n").encode()
    assert enterprises_import(data=data, filename="a.csv", region_prefix="520103").rejected == 1
    assert enterprises_import(data=data, filename="a.csv", region_prefix="5201").updated == 1
    assert worklist_refresh(region_prefix="520103") == RefreshResult(created=0, changed=1, founded=0, reopened=0)
    item = WorklistItem.objects.get(enterprise=registry["五里冲代驾服务部"])
    assert (item.region_id, item.recommended_target) == ("520103001", "own_committee")
    assert WorklistItem.objects.count() == 11


def test_staff_move_an_item_on_and_every_change_is_logged(cast: Cast, registry: dict[str, Enterprise]) -> None:
    worklist_refresh()
    item = WorklistItem.objects.get(enterprise=registry["五里冲外卖站"])
    actor = cast.district_staff.user

    def update(
        state: str, *, assignee: StaffAccount | None = None, deadline: date | None = None, note: str = ""
    ) -> None:
        worklist_item_update(item=item, actor=actor, state=state, assignee=assignee, deadline=deadline, note=note)

    update("contacted", assignee=cast.district_staff, deadline=date(2024, 7, 1), note="已电话联系负责人")
    update("contacted", assignee=cast.district_staff, deadline=date(2024, 7, 1), note="已电话联系负责人")  # no change
    update("preparing", assignee=cast.city_staff, deadline=date(2024, 8, 1), note="市总工会督办")
    for state, note, code, message in [
        ("not_applicable", "  ", "reason", "Say why this enterprise need not found a union."),
        (
            "founded",
            "",
            "founded",
            "An enterprise is marked founded when a union covers it: record the coverage instead.",
        ),
        ("done", "", "state", "Unknown state."),
    ]:
        with pytest.raises(DomainError) as refused:
            update(state, note=note)
        assert (refused.value.code, refused.value.message) == (code, message)
    for outsider in (cast.other_district_staff, staff("street", "周洁", cast.other_street, StaffRole.OPERATOR)):
        with pytest.raises(DomainError) as refused:
            update("contacted", assignee=outsider)
        assert (refused.value.code, refused.value.message) == (
            "assignee",
            "Assign the item to someone whose jurisdiction includes the enterprise.",
        )
    nanming_street = staff("nanming_street", "吴芳", cast.district_street, StaffRole.OPERATOR)
    update("contacted", assignee=nanming_street)  # the street union of 五里冲街道 includes it
    update("not_applicable", note="企业已注销")

    item.refresh_from_db()
    assert (item.state, item.assignee, item.deadline, item.note) == ("not_applicable", None, None, "企业已注销")
    logged = [
        (e.from_state, e.to_state, e.assignee_name, e.deadline, e.note, e.actor_id)
        for e in WorklistEvent.objects.filter(item=item)
    ]
    assert logged == [
        ("not_started", "contacted", "李娜", date(2024, 7, 1), "已电话联系负责人", actor.pk),
        ("contacted", "preparing", "王敏", date(2024, 8, 1), "市总工会督办", actor.pk),
        ("preparing", "contacted", "吴芳", None, "", actor.pk),
        ("contacted", "not_applicable", "", None, "企业已注销", actor.pk),
    ]
    # a refresh leaves the staff's state alone
    assert worklist_refresh() == NO_CHANGE
    assert WorklistItem.objects.get(pk=item.pk).state == WorklistState.NOT_APPLICABLE


def test_a_founded_item_cannot_be_moved_by_hand(cast: Cast, registry: dict[str, Enterprise]) -> None:
    worklist_refresh()
    outlet = registry["五里冲外卖站"]
    coverage_start(organization=cast.district_grassroots, enterprise=outlet, started_on=date(2024, 3, 1))
    item = WorklistItem.objects.get(enterprise=outlet)
    with pytest.raises(DomainError) as refused:
        worklist_item_update(
            item=item, actor=cast.district_staff.user, state="contacted", assignee=None, deadline=None, note=""
        )
    assert (refused.value.code, refused.value.message) == ("founded", "This enterprise is already covered by a union.")
