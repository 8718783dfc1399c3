"""Reconciliation (清底数): the ledger's workers against the membership records, each person counted once.

The dataset (build_ledger), imported through the real roster import from two sources:

| person | ID | 交通运输局 (2026-03-31) | 美团 (2026-06-30) | ledger | membership |
|---|---|---|---|---|---|
| 陈小军 (the cast's rider) | RIDER_ID | 南明区 rider | 南明区 rider | 南明区 rider | member |
| 马建国 (the cast's other member) | OTHER_ID | 云岩区 truck driver | — | 云岩区 truck driver | member |
| 王小明 | A | — | 南明区 rider | 南明区 rider | — |
| 李娟 | B | 云岩区 courier | 云岩区 courier | 云岩区 courier | pending |
| 张伟, who moved | C | 南明区 truck driver | 云岩区 rider | 云岩区 rider | — |
| 赵强, not at work | D | 花溪区 courier | — | 花溪区 courier | — |
| 刘洋 | E | — | — | (no roster) | member in 南明区 |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from gigunion.core.occupations import Occupation
from gigunion.ledger.models import Source, SourceKind, Worker, worker_key
from gigunion.ledger.roster import roster_import
from gigunion.ledger.selectors import (
    MEMBER,
    NOT_MEMBER,
    PENDING,
    Figure,
    members_not_in_ledger,
    reconciliation,
    worker_member_status,
    workers_filtered,
    workers_with_member_status,
)
from gigunion.ledger.services import source_named
from gigunion.members.models import JoinSource, MembershipStatus, Person
from gigunion.members.selectors import id_number_index
from gigunion.members.services import member_join
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.people import OTHER_ID, RIDER_ID, Members, id_with_check, worker

pytestmark = pytest.mark.django_db

HEADERS = "姓名,身份证号,手机号,职业,平台,平台工号,用工单位,用工单位统一社会信用代码,工作地区划代码,在岗"
A = id_with_check("52010219900307101")  # 王小明
B = id_with_check("52010319850611202")  # 李娟
C = id_with_check("52011119921201303")  # 张伟
D = id_with_check("52011119870214404")  # 赵强
E = id_with_check("52010220000101011")  # 刘洋, tests.people.worker()


@dataclass
class Ledger:
    meituan: Source
    transport: Source
    pending_person: Person
    unlisted_member: Person


def key(id_number: str) -> int:
    return worker_key(id_number_index(id_number))


def roster(*lines: str) -> bytes:
    return ("\n".join([HEADERS, *lines]) + "\n").encode("utf-8")


def build_ledger(cast: Cast, members: Members) -> Ledger:
    """The dataset of the module docstring (needs the `members` fixture's rider and other member)."""
    transport = source_named("贵阳市交通运输局", SourceKind.DEPARTMENT)
    meituan = source_named("美团", SourceKind.PLATFORM)
    roster_import(
        data=roster(
            f"陈小军,{RIDER_ID},,网约送餐员,,,,,520102,是",
            f"马建国,{OTHER_ID},,货车司机,满帮,MB9,,,520103,是",
            f"李娟,{B},13985101002,快递员,,,,,520103,是",
            f"张伟,{C},,货车司机,,,,,520102,是",
            f"赵强,{D},13985101004,快递员,,,,,520111,否",
        ),
        filename="transport.csv",
        source=transport,
        as_of=date(2026, 3, 31),
    )
    roster_import(
        data=roster(
            f"陈小军,{RIDER_ID},,网约送餐员,美团,MT100,,,520102,是",
            f"王小明,{A},13985101001,网约送餐员,美团,MT001,,,520102,是",
            f"李娟,{B},,快递员,美团,MT002,,,520103,是",
            f"张伟,{C},,网约送餐员,美团,MT003,,,520103,是",
        ),
        filename="meituan.csv",
        source=meituan,
        as_of=date(2026, 6, 30),
    )
    # 李娟 applies to join in 云岩区, where joining needs approval: she is pending.
    UnionOrganization.objects.filter(path__startswith=cast.other_district.path).update(join_requires_approval=True)
    pending = member_join(
        data=worker(name="李娟", id_number=B, phone="13985101002", occupation="courier", work_region="520103"),
        source=JoinSource.QR,
        phone_verified=True,
    )
    assert pending.membership is not None
    assert pending.membership.status == MembershipStatus.PENDING
    # 刘洋 joins in 南明区 and no roster lists him.
    unlisted = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)
    assert unlisted.person is not None
    assert pending.person is not None
    return Ledger(meituan=meituan, transport=transport, pending_person=pending.person, unlisted_member=unlisted.person)


@pytest.fixture
def ledger(cast: Cast, members: Members) -> Ledger:
    return build_ledger(cast, members)


def counts(figure: Figure) -> tuple[int, int, int, int]:
    return (figure.workers, figure.members, figure.pending, figure.not_joined)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_each_worker_has_the_membership_status_of_the_person_with_the_same_id_number(ledger: Ledger) -> None:
    workers = workers_with_member_status(Worker.objects.all())
    status = {w.pk: (w.is_member, w.is_pending) for w in workers}  # type: ignore[attr-defined]

    assert status[key(RIDER_ID)] == (True, False)
    assert status[key(OTHER_ID)] == (True, False)
    assert status[key(B)] == (False, True)
    assert status[key(A)] == (False, False)
    assert worker_member_status(Worker.objects.get(pk=key(RIDER_ID))) == MEMBER
    assert worker_member_status(Worker.objects.get(pk=key(B))) == PENDING
    assert worker_member_status(Worker.objects.get(pk=key(C))) == NOT_MEMBER


def test_the_status_is_read_not_copied_so_it_follows_the_membership(ledger: Ledger, members: Members) -> None:
    members.rider_membership.status = MembershipStatus.LEFT
    members.rider_membership.ended_on = members.rider_membership.joined_on
    members.rider_membership.save()

    assert worker_member_status(Worker.objects.get(pk=key(RIDER_ID))) == NOT_MEMBER
    assert reconciliation(region=region("520100")).total.members == 1


def test_the_city_counts_each_person_once_and_places_the_mover_where_they_work_now(ledger: Ledger) -> None:
    result = reconciliation(region=region("520100"), as_of=date(2026, 7, 1))

    assert counts(result.total) == (6, 2, 1, 3)
    assert (result.total.region, result.total.occupation, result.total.source_id) == ("520100", "", None)
    assert result.total.as_of == date(2026, 7, 1)
    assert result.total.percent == "33.3%"
    assert [(f.region, f.label, counts(f)) for f in result.by_region] == [
        ("520102", "南明区", (2, 1, 0, 1)),
        ("520103", "云岩区", (3, 1, 1, 1)),
        ("520111", "花溪区", (1, 0, 0, 1)),
    ]
    assert [(f.region, f.occupation, counts(f)) for f in result.by_region_occupation] == [
        ("520102", Occupation.DELIVERY_RIDER, (2, 1, 0, 1)),
        ("520103", Occupation.TRUCK_DRIVER, (1, 1, 0, 0)),
        ("520103", Occupation.COURIER, (1, 0, 1, 0)),
        ("520103", Occupation.DELIVERY_RIDER, (1, 0, 0, 1)),
        ("520111", Occupation.COURIER, (1, 0, 0, 1)),
    ]
    assert [(f.occupation, counts(f)) for f in result.by_occupation] == [
        (Occupation.TRUCK_DRIVER, (1, 1, 0, 0)),
        (Occupation.COURIER, (2, 0, 1, 1)),
        (Occupation.DELIVERY_RIDER, (3, 1, 0, 2)),
    ]
    assert result.members_not_in_ledger == 1


def test_a_person_two_sources_list_counts_under_each_source_and_once_in_the_total(ledger: Ledger) -> None:
    result = reconciliation(region=region("520100"))

    assert [(s.source.name, s.figure.source_id, counts(s.figure)) for s in result.by_source] == [
        ("贵阳市交通运输局", ledger.transport.pk, (5, 2, 1, 2)),
        ("美团", ledger.meituan.pk, (4, 1, 1, 2)),
    ]
    assert [(s.last_as_of, s.last_import is not None) for s in result.by_source] == [
        (date(2026, 3, 31), True),
        (date(2026, 6, 30), True),
    ]
    assert sum(s.figure.workers for s in result.by_source) == 9
    assert result.total.workers == 6
    assert [(c.source_id, c.region, c.occupation, counts(c)) for c in result.cells if c.region == "520103"] == [
        (ledger.transport.pk, "520103", Occupation.TRUCK_DRIVER, (1, 1, 0, 0)),
        (ledger.transport.pk, "520103", Occupation.COURIER, (1, 0, 1, 0)),
        (ledger.transport.pk, "520103", Occupation.DELIVERY_RIDER, (1, 0, 0, 1)),
        (ledger.meituan.pk, "520103", Occupation.COURIER, (1, 0, 1, 0)),
        (ledger.meituan.pk, "520103", Occupation.DELIVERY_RIDER, (1, 0, 0, 1)),
    ]


def test_a_district_sees_its_workers_under_its_own_row_when_no_street_is_given(ledger: Ledger) -> None:
    result = reconciliation(region=region("520102"))

    assert counts(result.total) == (2, 1, 0, 1)
    assert [(f.region, f.outside_children, f.label, counts(f)) for f in result.by_region] == [
        ("520102", True, "南明区 itself (no lower region given)", (2, 1, 0, 1)),
    ]
    assert result.members_not_in_ledger == 1
    other = reconciliation(region=region("520103"))
    assert counts(other.total) == (3, 1, 1, 1)
    assert other.members_not_in_ledger == 0


def test_workers_at_work_only(ledger: Ledger) -> None:
    result = reconciliation(region=region("520100"), active=True)

    assert counts(result.total) == (5, 2, 1, 2)
    assert [f.region for f in result.by_region] == ["520102", "520103"]
    # Largest first; a tie goes by name.
    assert [(s.source.name, counts(s.figure)) for s in result.by_source] == [
        ("美团", (4, 1, 1, 2)),
        ("贵阳市交通运输局", (4, 2, 1, 1)),
    ]


def test_members_in_no_roster_are_found_by_the_worker_key(ledger: Ledger, members: Members) -> None:
    assert members_not_in_ledger(region_prefix="5201") == [ledger.unlisted_member.pk]
    assert members_not_in_ledger(region_prefix="520103") == []
    # Pending applicants are not members: 李娟 would not count even without a roster.
    assert ledger.pending_person.pk not in members_not_in_ledger(region_prefix="")


def test_the_list_behind_each_figure_has_exactly_its_count(ledger: Ledger) -> None:
    result = reconciliation(region=region("520100"))
    city = Worker.objects.filter(work_region__code__startswith="5201")

    for figure in result.by_region_occupation:
        for status, expected in ((MEMBER, figure.members), (PENDING, figure.pending), (NOT_MEMBER, figure.not_joined)):
            listed = workers_filtered(city, region_prefix=figure.region, occupation=figure.occupation, status=status)
            assert listed.count() == expected, (figure, status)
    for source in result.by_source:
        assert workers_filtered(city, source_id=source.source.pk).count() == source.figure.workers
        assert workers_filtered(city, source_id=source.source.pk, status=MEMBER).count() == source.figure.members
    assert set(workers_filtered(city, platform="美团").values_list("pk", flat=True)) == {
        key(RIDER_ID),
        key(A),
        key(B),
        key(C),
    }
    assert list(workers_filtered(city, active=False).values_list("pk", flat=True)) == [key(D)]
    nanming = reconciliation(region=region("520102"))
    own = nanming.by_region[0]
    district = Worker.objects.filter(work_region__code__startswith="520102")
    assert workers_filtered(district, outside_prefixes=nanming.child_prefixes).count() == own.workers == 2
