from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gigunion.core.validators import parse_credit_code
from gigunion.demo.services import DEMO_FIRMS, demo_firm_codes
from gigunion.enterprises.models import Enterprise, EnterpriseKind
from gigunion.founding.models import ApplicationStatus, Coverage, FoundingApplication, WorklistItem, WorklistState
from gigunion.founding.rules import EnterpriseFacts
from gigunion.founding.selectors import applications_awaiting, worklist_summary
from gigunion.founding.services import worklist_refresh
from gigunion.orgs.access import require_jurisdiction
from gigunion.orgs.models import OrganizationType, StaffAccount, UnionOrganization
from gigunion.regions.models import Region

pytestmark = pytest.mark.django_db

# The grassroots unions of the demo's union list (工会组织名册).
GRASSROOTS = 17


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def staff(username: str) -> StaffAccount:
    return StaffAccount.objects.select_related("user", "organization").get(user__username=username)


def test_it_builds_the_demo_city_once() -> None:
    first = seed()
    assert "Demo data created" in first
    # 全总, 贵州省总, 贵阳市总, its 10 districts and counties, the streets of 南明区 and 云岩区, 17 grassroots unions.
    streets = UnionOrganization.objects.filter(organization_type=OrganizationType.TOWNSHIP).count()
    assert UnionOrganization.objects.filter(organization_type=OrganizationType.FEDERATION).count() == 12
    assert streets == Region.objects.filter(parent_id__in=["520102", "520103"]).count()
    assert streets > 30
    assert UnionOrganization.objects.count() == 1 + 12 + streets + GRASSROOTS
    assert StaffAccount.objects.count() == 4
    assert Enterprise.objects.count() == 91
    second = seed()
    assert "nothing created" in second
    assert UnionOrganization.objects.count() == 1 + 12 + streets + GRASSROOTS
    assert Enterprise.objects.count() == 91
    assert FoundingApplication.objects.count() == 2


def test_it_prints_logins_that_work() -> None:
    output = seed()
    assert f"Demo logins (password: {settings.DEMO_PASSWORD}):" in output
    assert "guiyang_admin      王敏  贵阳市总工会 · 管理员" in output
    assert "nanming_operator   李娜  南明区总工会 · 经办员" in output
    usernames = [line.split()[0] for line in output.splitlines() if line.startswith("  ")]
    assert usernames == ["guizhou_viewer", "guiyang_admin", "nanming_operator", "yunyan_operator"]
    for username in usernames:
        client = Client()
        response = client.post("/office/login/", {"username": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/office/").status_code == 200


def test_it_keeps_the_demo_districts_apart() -> None:
    seed()
    client = Client()
    client.post("/office/login/", {"username": "nanming_operator", "password": settings.DEMO_PASSWORD})
    yunyan = UnionOrganization.objects.get(name="云岩区总工会")
    assert client.get(f"/office/organizations/{yunyan.pk}/").status_code == 404
    assert client.get("/office/regions/520103/").status_code == 404


def test_the_enterprise_register_is_valid_and_varied() -> None:
    seed()
    codes = demo_firm_codes()
    assert len(set(codes.values())) == len(DEMO_FIRMS) == 91
    assert all(parse_credit_code(code) == code for code in codes.values())
    enterprises = list(Enterprise.objects.all())
    assert {enterprise.credit_code for enterprise in enterprises} == set(codes.values())
    by_county = Counter(enterprise.region_id[:6] for enterprise in enterprises)
    assert by_county == {
        "520102": 35,
        "520103": 32,
        "520115": 13,
        "520111": 5,
        "520113": 3,
        "520112": 2,
        "520181": 1,
    }
    people = [
        EnterpriseFacts(e.pk, e.region_id, "", e.employees, e.gig_workers, e.kind, None).people for e in enterprises
    ]
    sizes = Counter(
        "<10" if n is not None and n < 10 else "10-24" if n is not None and n < 25 else "25+" for n in people
    )
    assert sizes == {"<10": 18, "10-24": 40, "25+": 33}
    kinds = Counter(enterprise.kind for enterprise in enterprises)
    assert kinds == {
        EnterpriseKind.OTHER: 32,
        EnterpriseKind.BRANCH: 16,
        EnterpriseKind.AGENT: 14,
        EnterpriseKind.FRANCHISE: 11,
        EnterpriseKind.AFFILIATED: 9,
        EnterpriseKind.PLATFORM_HQ: 5,
        EnterpriseKind.LABOR_DISPATCH: 2,
        EnterpriseKind.OUTSOURCING: 2,
    }
    sf = Enterprise.objects.get(name="贵州顺丰速运有限公司")
    assert Enterprise.objects.filter(parent=sf).count() == 5
    assert Enterprise.objects.filter(parent__parent=sf).count() == 10


def test_unions_cover_part_of_the_register() -> None:
    seed()
    covered = Coverage.objects.filter(ended_on__isnull=True)
    assert covered.count() == 38  # 38 of 91 enterprises (41.8%)
    assert covered.filter(organization__name="贵州顺丰速运有限公司工会").count() == 10
    grassroots = UnionOrganization.objects.exclude(
        organization_type__in=[
            OrganizationType.NATIONAL_FEDERATION,
            OrganizationType.FEDERATION,
            OrganizationType.TOWNSHIP,
        ]
    )
    assert Counter(grassroots.values_list("organization_type", flat=True)) == {
        OrganizationType.ENTERPRISE: 9,
        OrganizationType.INDUSTRY_FEDERATION: 3,
        OrganizationType.JOINT: 3,
        OrganizationType.COMMUNITY: 2,
    }
    assert all(union.chair_name and union.founded_on and union.coverages.exists() for union in grassroots)
    industries = dict(
        grassroots.filter(organization_type=OrganizationType.INDUSTRY_FEDERATION).values_list("name", "industry")
    )
    assert industries == {
        "南明区快递物流行业工会联合会": "快递物流",
        "云岩区货车司机工会联合会": "道路货物运输",
        "观山湖区网约车司机工会": "网约车",
    }


def test_the_worklist_is_being_worked_on() -> None:
    seed()
    items = WorklistItem.objects.all()
    assert items.count() == 91
    assert Counter(items.values_list("state", flat=True)) == {
        WorklistState.FOUNDED: 38,
        WorklistState.NOT_STARTED: 37,
        WorklistState.CONTACTED: 9,
        WorklistState.PREPARING: 6,
        WorklistState.NOT_APPLICABLE: 1,
    }
    summary = worklist_summary(items)
    assert summary["overdue"] == 7
    assert Counter(items.values_list("recommended_target", flat=True)) == {
        "own_committee": 33,
        "head_union": 24,
        "joint_union": 13,
        "community_union": 11,
        "industry_federation": 10,
    }
    nanming, yunyan = staff("nanming_operator"), staff("yunyan_operator")
    assert items.filter(assignee=nanming).count() == 13
    assert items.filter(assignee=yunyan).count() == 8
    assert all(item.region_id.startswith("520102") for item in items.filter(assignee=nanming))
    assert all(item.region_id.startswith("520103") for item in items.filter(assignee=yunyan))
    today = timezone.localdate()
    assert items.filter(deadline__lt=today).count() == 7
    assert items.filter(deadline=today + timedelta(days=30)).count() == 3
    skipped = items.get(state=WorklistState.NOT_APPLICABLE)
    assert skipped.note
    assert skipped.events.count() == 1
    # A franchisee of a covered head enterprise is recommended to the head's union.
    franchisee = items.select_related("suggested_organization").get(enterprise__name__contains="中通快递二戈网点")
    assert franchisee.recommended_target == "head_union"
    assert franchisee.suggested_organization is not None
    assert franchisee.suggested_organization.name == "贵州中通快递服务有限公司工会"
    # The demo is consistent with the rules: a refresh changes nothing.
    result = worklist_refresh()
    assert (result.created, result.changed, result.founded, result.reopened) == (0, 0, 0, 0)


def test_two_founding_applications_await_the_higher_union() -> None:
    seed()
    city = require_jurisdiction(staff("guiyang_admin").user)
    awaiting = applications_awaiting(city).order_by("name")
    assert [(application.name, application.status, application.parent.name) for application in awaiting] == [
        ("云岩区居家养老护理服务联合工会", ApplicationStatus.ELECTED, "云岩区总工会"),
        ("贵阳筑骑配送服务有限公司工会", ApplicationStatus.SUBMITTED, "南明区总工会"),
    ]
    submitted = awaiting.get(status=ApplicationStatus.SUBMITTED)
    assert submitted.submitted_by == staff("nanming_operator").user
    assert submitted.enterprises.count() == 2
    assert submitted.events.count() == 1
    elected = awaiting.get(status=ApplicationStatus.ELECTED)
    assert elected.chair_name == "刘艳"
    assert elected.events.count() == 4
    nanming = require_jurisdiction(staff("nanming_operator").user)
    assert applications_awaiting(nanming).count() == 1
    preparing = WorklistItem.objects.filter(enterprise__founding_applications__isnull=False)
    assert set(preparing.values_list("state", flat=True)) == {WorklistState.PREPARING}


def test_the_demo_has_members_who_joined_through_every_route() -> None:
    from gigunion.members.models import JoinChannel, Membership, MembershipTransfer
    from gigunion.members.selectors import lapse_candidates

    seed()
    memberships = Membership.objects.all()
    assert Counter(memberships.values_list("status", flat=True)) == {"active": 22, "pending": 1, "retained": 1}
    assert Counter(memberships.values_list("routed_by", flat=True)) == {
        "rule": 8,
        "region": 7,
        "coverage": 6,
        "channel": 3,
    }
    assert memberships.filter(union__name="南明区网约送餐员联合工会").count() == 7
    assert lapse_candidates(memberships).count() == 5
    assert MembershipTransfer.objects.get().to_union.name == "云岩区总工会"
    assert sorted(JoinChannel.objects.values_list("name", flat=True)) == [
        "2026年新就业形态劳动者集中入会仪式",
        "南明区网约送餐员联合工会入会码",
        "花果园户外劳动者服务站",
    ]


def test_the_ledger_reconciles_people_listed_by_several_sources() -> None:
    from gigunion.ledger.models import RosterBatch, Sighting, Worker
    from gigunion.platforms.models import Platform

    seed()

    # 66 riders from 美团 (six of them demo members), 46 drivers from the transport bureau (six members),
    # 25 couriers from the survey; the survey's ten riders are people 美团 already listed.
    assert Worker.objects.count() == 137
    assert Sighting.objects.count() == 147
    assert Sighting.objects.values("worker").distinct().count() == 137
    assert list(RosterBatch.objects.order_by("pk").values_list("imported", "updated", "unchanged", "rejected")) == [
        (50, 0, 0, 0),
        (16, 0, 50, 0),
        (46, 0, 0, 0),
        (35, 0, 0, 0),
    ]
    assert sorted(Platform.objects.values_list("name", flat=True)) == ["满帮", "美团"]


def test_it_places_stations_merchants_and_hotspots_around_guiyang() -> None:
    from gigunion.stations.models import Hotspot, Merchant, Offer, RegionPoint, Station, StationVisit
    from gigunion.stations.spatial import nearest

    seed()
    assert Counter(Station.objects.values_list("status", flat=True)) == {"open": 8, "paused": 1, "closed": 1}
    assert (Merchant.objects.count(), Offer.objects.count(), Hotspot.objects.count()) == (4, 5, 8)
    assert RegionPoint.objects.count() == 16
    # Fourteen days of register counts at each open station, and the members' QR check-ins (1+2+3+1+2+3+1+2).
    assert StationVisit.objects.filter(source="staff").count() == 8 * 14
    assert StationVisit.objects.filter(source="qr").count() == 15
    # Standing at 大南门, the nearest open station is the one there.
    first = nearest("station", lat=26.5775, lng=106.7125, limit=1)[0]
    assert Station.objects.get(pk=first.id).name == "大南门户外劳动者服务站"


def test_it_files_appeals_in_every_state() -> None:
    from gigunion.appeals.models import Appeal, AppealEvent

    seed()
    assert Counter(Appeal.objects.values_list("status", flat=True)) == {
        "resolved": 2,
        "submitted": 4,
        "referred": 1,
    }
    assert Appeal.objects.filter(rating=5, satisfied=True).count() == 2
    assert Appeal.objects.filter(paused_since__isnull=False).count() == 1
    assert Appeal.objects.filter(reception_day__isnull=False).count() == 2
    # Unanswered past their first-response dates: the walk-in (30 days) and the two reception-day
    # suggestions (14 days) are escalated to the city federation.
    escalated = Appeal.objects.filter(escalated_to__isnull=False).order_by("contact_name")
    assert [(a.contact_name, a.escalated_to.name if a.escalated_to else "") for a in escalated] == [
        ("刘伟", "贵阳市总工会"),
        ("张晓燕", "贵阳市总工会"),
        ("王磊", "贵阳市总工会"),
    ]
    assert AppealEvent.objects.filter(kind="escalated").count() == 3
