"""The demo city: 贵阳市 (Guizhou, seed 000) with federations at each level and staff users."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from gigunion.orgs.models import OrganizationType, StaffAccount, StaffRole, UnionOrganization
from gigunion.orgs.services import organization_create, staff_account_create
from gigunion.regions.models import Region

PROVINCE_CODE = "520000"
CITY_CODE = "520100"
NANMING = "520102"
YUNYAN = "520103"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    organization: str
    role: str


DEMO_STAFF = [
    ("guizhou_viewer", "陈静", PROVINCE_CODE, StaffRole.VIEWER, ""),
    ("guiyang_admin", "王敏", CITY_CODE, StaffRole.ADMIN, "13985000001"),
    ("nanming_operator", "李娜", NANMING, StaffRole.OPERATOR, "13985000002"),
    ("yunyan_operator", "张伟", YUNYAN, StaffRole.OPERATOR, "13985000003"),
]

# Grassroots unions of the kinds the seeds describe, under a district federation or a street union.
DEMO_GRASSROOTS = [
    (NANMING, "南明区快递物流行业工会联合会", OrganizationType.INDUSTRY_FEDERATION),
    (NANMING, "南明区网约送餐员联合工会", OrganizationType.JOINT),
    (YUNYAN, "云岩区货车司机工会联合会", OrganizationType.INDUSTRY_FEDERATION),
    (YUNYAN, "云岩区家政服务业联合工会", OrganizationType.JOINT),
    ("520115", "观山湖区网约车司机工会", OrganizationType.INDUSTRY_FEDERATION),
]


def demo_is_seeded() -> bool:
    return UnionOrganization.objects.exists()


@transaction.atomic
def demo_seed() -> None:
    """Create the demo organizations and staff. Requires the regions to be loaded."""
    regions = {region.code: region for region in Region.objects.filter(code__startswith="5201")}
    province = Region.objects.get(code=PROVINCE_CODE)
    city = regions[CITY_CODE]
    national = organization_create(
        name="中华全国总工会", organization_type=OrganizationType.NATIONAL_FEDERATION, region=None
    )
    by_region: dict[str, UnionOrganization] = {}
    by_region[PROVINCE_CODE] = organization_create(
        name="贵州省总工会", organization_type=OrganizationType.FEDERATION, region=province, parent=national
    )
    by_region[CITY_CODE] = organization_create(
        name="贵阳市总工会", organization_type=OrganizationType.FEDERATION, region=city, parent=by_region[PROVINCE_CODE]
    )
    counties = sorted((r for r in regions.values() if r.parent_id == CITY_CODE), key=lambda r: r.code)
    for county in counties:
        by_region[county.code] = organization_create(
            name=f"{county.name}总工会",
            organization_type=OrganizationType.FEDERATION,
            region=county,
            parent=by_region[CITY_CODE],
        )
    for county_code in (NANMING, YUNYAN):
        townships = sorted((r for r in regions.values() if r.parent_id == county_code), key=lambda r: r.code)
        for township in townships:
            by_region[township.code] = organization_create(
                name=f"{township.name}工会",
                organization_type=OrganizationType.TOWNSHIP,
                region=township,
                parent=by_region[county_code],
            )
    for county_code, name, organization_type in DEMO_GRASSROOTS:
        organization_create(
            name=name,
            organization_type=organization_type,
            region=regions[county_code],
            parent=by_region[county_code],
        )
    for username, display_name, region_code, role, phone in DEMO_STAFF:
        staff_account_create(
            username=username,
            password=settings.DEMO_PASSWORD,
            display_name=display_name,
            organization=by_region[region_code],
            role=role,
            phone=phone,
        )


def demo_logins() -> list[DemoLogin]:
    accounts = StaffAccount.objects.filter(user__username__in=[row[0] for row in DEMO_STAFF]).select_related(
        "organization", "user"
    )
    return [
        DemoLogin(
            username=account.user.get_username(),
            name=account.display_name,
            organization=account.organization.name,
            role=str(StaffRole(account.role).label),
        )
        for account in accounts.order_by("organization__depth", "user__username")
    ]
