"""The shared cast, used across the suite.

贵州省 → 贵阳市 → 南明区 (our district) and 云岩区 (the other district), each with a
federation, a street union and a grassroots union. People:
- city_staff: administrator at 贵阳市总工会, sees the whole city;
- district_staff: operator at 南明区总工会, sees only 南明区;
- district_viewer: viewer at 南明区总工会, may look but not change;
- other_district_staff: operator at 云岩区总工会;
- outsider: a logged-in account that belongs to no union organization;
- province_admin (a fixture of its own): administrator at 贵州省总工会.
Members: the `members` fixture adds a rider member in 南明区 and a member in 云岩区 (tests/people.py).
Platform clients: the `platforms` fixture adds 满帮 (agreement with the city) and 好活 (with the other
district), each with API keys (tests/platforms.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import AppConfig
from django.contrib.auth.models import User
from django.db import connections
from django.db.models.signals import post_migrate
from django.test import Client

from gigunion.orgs.models import OrganizationType, StaffAccount, StaffRole, UnionOrganization
from gigunion.orgs.services import organization_create, staff_account_create
from gigunion.regions.models import Region
from gigunion.regions.services import regions_load

PASSWORD = "Test-password-2026"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the real region table once per test database."""
    with django_db_blocker.unblock():
        regions_load()


def _empty_the_tallies(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After the flush that ends a transactional test (Django sends post_migrate), the tallies are empty.

    On SQLite the flush deletes table after table in an order set by the string hash (PYTHONHASHSEED
    differs per run), and the tally triggers fire on those deletes: workers or memberships deleted after
    the tally table leave negative counts behind for the tests that follow (a dashboard then read
    "1 / 5" members instead of "3 / 5"). PostgreSQL's TRUNCATE fires no row triggers.
    """
    if sender.label != "surveys":
        return
    with connections[using].cursor() as cursor:
        for table in ("surveys_peopletally", "surveys_employertally", "surveys_tallydirty", "surveys_tallyday"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (constant names)


post_migrate.connect(_empty_the_tallies, dispatch_uid="tests.empty_the_tallies")


@dataclass
class Cast:
    province: UnionOrganization
    city: UnionOrganization
    district: UnionOrganization
    district_street: UnionOrganization
    district_grassroots: UnionOrganization
    other_district: UnionOrganization
    other_street: UnionOrganization
    other_grassroots: UnionOrganization
    city_staff: StaffAccount
    district_staff: StaffAccount
    district_viewer: StaffAccount
    other_district_staff: StaffAccount
    outsider: User

    def client_for(self, who: StaffAccount | User | None) -> Client:
        client = Client()
        if who is not None:
            user = who.user if isinstance(who, StaffAccount) else who
            client.force_login(user)
        return client


def build_cast() -> Cast:
    if not Region.objects.filter(code="520102").exists():
        regions_load()
    region = {r.code: r for r in Region.objects.filter(code__in=["520000", "520100", "520102", "520103"])}
    nanming_street = Region.objects.filter(parent_id="520102").order_by("code").first()
    yunyan_street = Region.objects.filter(parent_id="520103").order_by("code").first()
    assert nanming_street is not None
    assert yunyan_street is not None
    national = organization_create(
        name="中华全国总工会", organization_type=OrganizationType.NATIONAL_FEDERATION, region=None
    )
    province = organization_create(
        name="贵州省总工会", organization_type=OrganizationType.FEDERATION, region=region["520000"], parent=national
    )
    city = organization_create(
        name="贵阳市总工会", organization_type=OrganizationType.FEDERATION, region=region["520100"], parent=province
    )
    district = organization_create(
        name="南明区总工会", organization_type=OrganizationType.FEDERATION, region=region["520102"], parent=city
    )
    other = organization_create(
        name="云岩区总工会", organization_type=OrganizationType.FEDERATION, region=region["520103"], parent=city
    )
    district_street = organization_create(
        name=f"{nanming_street.name}工会",
        organization_type=OrganizationType.TOWNSHIP,
        region=nanming_street,
        parent=district,
    )
    other_street = organization_create(
        name=f"{yunyan_street.name}工会",
        organization_type=OrganizationType.TOWNSHIP,
        region=yunyan_street,
        parent=other,
    )
    district_grassroots = organization_create(
        name="南明区网约送餐员联合工会",
        organization_type=OrganizationType.JOINT,
        region=region["520102"],
        parent=district,
    )
    other_grassroots = organization_create(
        name="云岩区货车司机工会联合会",
        organization_type=OrganizationType.INDUSTRY_FEDERATION,
        region=region["520103"],
        parent=other,
    )

    def staff(username: str, name: str, organization: UnionOrganization, role: StaffRole) -> StaffAccount:
        return staff_account_create(
            username=username, password=PASSWORD, display_name=name, organization=organization, role=role
        )

    return Cast(
        province=province,
        city=city,
        district=district,
        district_street=district_street,
        district_grassroots=district_grassroots,
        other_district=other,
        other_street=other_street,
        other_grassroots=other_grassroots,
        city_staff=staff("city_staff", "王敏", city, StaffRole.ADMIN),
        district_staff=staff("district_staff", "李娜", district, StaffRole.OPERATOR),
        district_viewer=staff("district_viewer", "赵磊", district, StaffRole.VIEWER),
        other_district_staff=staff("other_district_staff", "张伟", other, StaffRole.OPERATOR),
        outsider=User.objects.create_user(username="outsider", password=PASSWORD),
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def province_admin(cast: Cast) -> StaffAccount:
    """An administrator at 贵州省总工会 (opens survey rounds, sets the time limits of appeals)."""
    return staff_account_create(
        username="province_admin",
        password=PASSWORD,
        display_name="周平",
        organization=cast.province,
        role=StaffRole.ADMIN,
    )


@pytest.fixture(autouse=True)
def _sms_outbox(settings: Any) -> Any:
    """Text messages go to an in-memory outbox (core.sms), emptied for every test."""
    from gigunion.core import sms

    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def members(cast: Cast) -> Any:
    """The rider member and the member in another district (tests/people.py)."""
    from tests.people import build_members

    return build_members(cast)


@pytest.fixture
def platforms(cast: Cast) -> Any:
    """The platform clients 满帮 and 好活 with their API keys (tests/platforms.py)."""
    from tests.platforms import build_platforms

    return build_platforms(cast)
