"""Workers of the shared cast, and valid identity data to build more.

- rider: 陈小军, a delivery rider working in 南明区, member of 南明区网约送餐员联合工会 (joined by QR);
- other_member: 马建国, a truck driver working in 云岩区, member of 云岩区货车司机工会联合会.
Join rules of the cast: 南明区 delivery riders → the district's joint union; 云岩区 truck drivers →
the 云岩区 truck drivers' federation.
"""

from __future__ import annotations

from dataclasses import dataclass

from gigunion.core import sms
from gigunion.core.occupations import Occupation
from gigunion.members.checks import WorkerInput
from gigunion.members.models import JoinRoute, JoinSource, Membership, Person
from gigunion.members.services import member_join
from gigunion.regions.models import Region
from tests.conftest import Cast


def id_with_check(first17: str) -> str:
    """Append the GB 11643 MOD 11-2 check character (independent of the code under test)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


RIDER_ID = id_with_check("52010219950312003")  # male, born 1995, from 南明区
RIDER_PHONE = "13885001234"
OTHER_ID = id_with_check("52010319880405002")  # female, born 1988, from 云岩区
OTHER_PHONE = "13985005678"


def worker(**overrides: str) -> WorkerInput:
    """A valid join form for a new delivery rider in 南明区; override any field."""
    values = {
        "name": "刘洋",
        "id_number": id_with_check("52010220000101011"),
        "phone": "13700000001",
        "occupation": "delivery_rider",
        "platform": "美团",
        "work_region": "520102",
    }
    values.update(overrides)
    return WorkerInput(**values)


@dataclass
class Members:
    rider: Person
    rider_membership: Membership
    other_member: Person
    other_membership: Membership


def build_members(cast: Cast) -> Members:
    nanming = Region.objects.get(code="520102")
    yunyan = Region.objects.get(code="520103")
    JoinRoute.objects.create(region=nanming, occupation=Occupation.DELIVERY_RIDER, union=cast.district_grassroots)
    JoinRoute.objects.create(region=yunyan, occupation=Occupation.TRUCK_DRIVER, union=cast.other_grassroots)
    rider = member_join(
        data=WorkerInput(
            name="陈小军",
            id_number=RIDER_ID,
            phone=RIDER_PHONE,
            occupation="delivery_rider",
            platform="美团",
            work_region="520102",
        ),
        source=JoinSource.QR,
        phone_verified=True,
    )
    other = member_join(
        data=WorkerInput(
            name="马建国",
            id_number=OTHER_ID,
            phone=OTHER_PHONE,
            occupation="truck_driver",
            platform="满帮",
            work_region="520103",
        ),
        source=JoinSource.ONE_TAP,
        phone_verified=True,
    )
    assert rider.person is not None
    assert rider.membership is not None
    assert other.person is not None
    assert other.membership is not None
    sms.outbox.clear()
    return Members(
        rider=rider.person,
        rider_membership=rider.membership,
        other_member=other.person,
        other_membership=other.membership,
    )
