"""建会率: covered ÷ should be covered, with both figures kept; not-applicable enterprises leave the denominator."""

from __future__ import annotations

from datetime import date

import pytest

from gigunion.enterprises.models import Enterprise, EnterpriseKind
from gigunion.founding.access import worklist_items_visible_to
from gigunion.founding.models import WorklistItem
from gigunion.founding.selectors import (
    Rate,
    founding_rate,
    founding_rates_by,
    founding_rates_by_region,
    worklist_summary,
)
from gigunion.founding.services import coverage_start, worklist_item_update, worklist_refresh
from gigunion.orgs.models import OrganizationType
from gigunion.orgs.services import organization_create
from gigunion.regions.models import Region
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def worklist(cast: Cast, registry: dict[str, Enterprise]) -> None:
    """11 enterprises: 3 covered (2 in 南明区), 1 not applicable (南明区), 1 contacted and overdue."""
    worklist_refresh()
    head_union = organization_create(
        name="贵州顺丰速运有限公司工会",
        organization_type=OrganizationType.ENTERPRISE,
        region=Region.objects.get(code="520102"),
        parent=cast.district,
    )
    started = date(2024, 1, 1)
    coverage_start(organization=head_union, enterprise=registry["贵州顺丰速运有限公司"], started_on=started)
    coverage_start(organization=cast.district_grassroots, enterprise=registry["五里冲外卖站"], started_on=started)
    coverage_start(organization=cast.other_grassroots, enterprise=registry["云岩货运有限公司"], started_on=started)
    for name, state, deadline, note in [
        ("南明区某劳务公司", "not_applicable", None, "劳务派遣单位，人员已由用工单位工会覆盖"),
        ("五里冲家政服务部", "contacted", date(2020, 1, 1), ""),
    ]:
        worklist_item_update(
            item=WorklistItem.objects.get(enterprise=registry[name]),
            actor=cast.district_staff.user,
            state=state,
            assignee=None,
            deadline=deadline,
            note=note,
        )


def test_the_rate_keeps_numerator_and_denominator(cast: Cast, worklist: None) -> None:
    rate = founding_rate(WorklistItem.objects.all())
    assert rate == Rate("all", "", covered=3, should=10)
    assert (rate.value, rate.percent) == (0.3, "30.0%")
    assert founding_rate(worklist_items_visible_to(cast.district_staff.user)) == Rate("all", "", 2, 8)
    assert founding_rate(worklist_items_visible_to(cast.other_district_staff.user)) == Rate("all", "", 1, 2)
    nothing = founding_rate(WorklistItem.objects.none())
    assert (nothing, nothing.value, nothing.percent) == (Rate("all", "", 0, 0), None, "—")
    assert worklist_summary(WorklistItem.objects.all()) == {
        "not_started": 6,
        "contacted": 1,
        "preparing": 0,
        "founded": 3,
        "not_applicable": 1,
        "overdue": 1,
    }


def test_rates_by_region(worklist: None) -> None:
    regions = list(Region.objects.filter(code__in=["520102", "520103", "520102001", "520102002"]).order_by("code"))
    assert founding_rates_by_region(WorklistItem.objects.all(), regions) == [
        Rate("520102", "南明区", 2, 8),
        Rate("520102001", "五里冲街道", 1, 4),
        Rate("520102002", "小车河街道", 0, 2),
        Rate("520103", "云岩区", 1, 2),
    ]
    assert founding_rates_by_region(WorklistItem.objects.all(), []) == []


def test_rates_by_industry_and_by_kind(worklist: None) -> None:
    items = WorklistItem.objects.all()
    by_industry = founding_rates_by(items, "industry")
    assert (by_industry[0], by_industry[-1]) == (Rate("快递", "快递", 1, 6), Rate("", "", 0, 0))
    assert [rate.should for rate in by_industry] == [6, 1, 1, 1, 1, 0]  # largest denominator first
    assert sorted(by_industry[1:-1], key=lambda rate: rate.key) == sorted(
        [
            Rate("代驾", "代驾", 0, 1),
            Rate("外卖配送", "外卖配送", 1, 1),
            Rate("家政", "家政", 0, 1),
            Rate("道路货物运输", "道路货物运输", 1, 1),
        ],
        key=lambda rate: rate.key,
    )
    labels = {str(value): str(label) for value, label in EnterpriseKind.choices}
    by_kind = {rate.key: rate for rate in founding_rates_by(items, "kind", labels)}
    assert by_kind == {
        "other": Rate("other", "Other", 2, 7),
        "platform_hq": Rate("platform_hq", "Platform headquarters", 1, 1),
        "franchise": Rate("franchise", "Franchise", 0, 1),
        "branch": Rate("branch", "Branch", 0, 1),
        "labor_dispatch": Rate("labor_dispatch", "Labor dispatch", 0, 0),
    }
    assert next(iter(founding_rates_by(items, "kind", labels))).key == "other"
