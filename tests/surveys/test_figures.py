"""The figures of an area are right at every level, kept current by the tallies as data changes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gigunion.enterprises.models import Enterprise
from gigunion.founding.models import Coverage
from gigunion.ledger.models import Worker
from gigunion.members.models import Membership, MembershipStatus
from gigunion.regions.models import Region
from gigunion.surveys.models import ALL, EmployerTally, PeopleTally
from gigunion.surveys.selectors import Counts, area_figures
from gigunion.surveys.tally import employer_tally_refresh, tally_rebuild
from tests.conftest import Cast
from tests.people import Members
from tests.surveys.data import Survey, build_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast: Cast, members: Members) -> Survey:
    return build_survey(cast, members)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def figures(counts: Counts) -> tuple[int, int, int, int, int]:
    return (counts.employers, counts.unions, counts.covered_employers, counts.workers, counts.members)


def tallies() -> tuple[list[Any], list[Any]]:
    employer_tally_refresh()
    people = sorted(
        PeopleTally.objects.exclude(workers=0, members=0).values_list("region_code", "occupation", "workers", "members")
    )
    employers = sorted(
        EmployerTally.objects.values_list(
            "region_code", "occupation", "employers", "covered_employers", "unions", "on_worklist", "in_progress"
        )
    )
    return people, employers


def test_city_figures_by_district_and_occupation(survey: Survey) -> None:
    city = area_figures(region("520100"))
    # Workers at work: 南明区 陈小军, 王小明 (riders); 云岩区 马建国 (truck), 李娟 (courier), 张伟 (rider).
    # 赵强 (花溪区) is not at work. Members: 陈小军 and 刘洋 (南明区 riders), 马建国 (云岩区 truck driver).
    assert figures(city.cell("520102")) == (3, 1, 1, 2, 2)
    assert figures(city.cell("520103")) == (1, 1, 1, 3, 1)
    assert figures(city.cell("520111")) == (0, 0, 0, 0, 0)
    assert figures(city.total()) == (4, 2, 2, 5, 3)
    # 南快送 has riders and couriers: one employer in all, one under each occupation.
    assert figures(city.total("delivery_rider")) == (1, 1, 1, 3, 2)
    assert figures(city.total("courier")) == (1, 1, 1, 1, 0)  # 云岩物流 lists 0 couriers
    assert figures(city.total("truck_driver")) == (2, 1, 1, 1, 1)
    assert city.total().membership_rate.fraction == "0.6000"
    assert city.total().founding_rate.fraction == "0.5000"
    assert [(code, counts.workers) for code, counts in city.occupations()] == [
        ("truck_driver", 1),
        ("courier", 1),
        ("delivery_rider", 3),
    ]


def test_the_sum_of_children_is_the_parent_at_every_level(survey: Survey) -> None:
    province = area_figures(region("520000"))
    city = area_figures(region("520100"))
    district = area_figures(region("520102"))
    assert figures(province.cell("520100")) == figures(city.total())
    assert figures(city.cell("520102")) == figures(district.total())
    for occupation in ["delivery_rider", "courier", "truck_driver", ALL]:
        summed = Counts()
        for child, _counts in district.places():
            summed.add(district.cell(child.code if child else None, occupation))
        assert figures(summed) == figures(district.total(occupation))
    # Everything in 南明区 is in its first street, except the ledger's workers placed at the district itself.
    assert figures(district.cell(survey.nanming_street.code)) == (3, 0, 1, 0, 0)
    assert figures(district.cell(None)) == (0, 1, 0, 2, 2)


def test_tallies_follow_every_change_and_equal_a_rebuild(survey: Survey, members: Members) -> None:
    before = figures(area_figures(region("520102")).total())
    # 王小明 leaves work; the other district's member moves to 南明区; a coverage ends; an employer moves.
    Worker.objects.filter(name="王小明").update(active=False)
    person = members.other_member
    person.work_region = region("520102")
    person.save(update_fields=["work_region"])
    coverage = Coverage.objects.get(enterprise=survey.kuaisong)
    coverage.ended_on = date(2026, 3, 1)
    coverage.save(update_fields=["ended_on"])
    Enterprise.objects.filter(pk=survey.wuliu.pk).update(region=survey.nanming_street)
    after = area_figures(region("520102"))
    assert before == (3, 1, 1, 2, 2)
    # Employers: 3 + 云岩物流; covered: 云岩物流 (covered by a 云岩区 union, which stays 云岩区's); unions here: none.
    assert figures(after.total()) == (4, 0, 1, 1, 3)
    assert figures(area_figures(region("520103")).total()) == (0, 1, 0, 3, 0)
    kept = tallies()
    tally_rebuild()
    assert tallies() == kept


def test_a_membership_ending_or_pending_approval_counts_only_when_a_member(survey: Survey, members: Members) -> None:
    Membership.objects.filter(pk=members.rider_membership.pk).update(status=MembershipStatus.RETAINED)
    assert area_figures(region("520102")).total().members == 2
    Membership.objects.filter(pk=members.rider_membership.pk).update(status=MembershipStatus.LEFT)
    assert area_figures(region("520102")).total().members == 1
    # 李娟 is pending in 云岩区: not a member until approved.
    assert area_figures(region("520103")).total("courier").members == 0
    Membership.objects.filter(person=survey.ledger.pending_person).update(status=MembershipStatus.ACTIVE)
    assert area_figures(region("520103")).total("courier").members == 1
    kept = tallies()
    tally_rebuild()
    assert tallies() == kept


def test_a_coverage_starting_later_counts_from_its_first_day(survey: Survey, cast: Cast) -> None:
    from gigunion.founding.services import coverage_start

    employer_tally_refresh(today=date(2026, 11, 20))
    coverage_start(organization=cast.district_grassroots, enterprise=survey.huoyun, started_on=date(2026, 11, 23))
    employer_tally_refresh(today=date(2026, 11, 22))
    assert EmployerTally.objects.get(region_code=survey.nanming_street.code, occupation=ALL).covered_employers == 1
    # No row changes on the day it starts: the day itself marks the region.
    employer_tally_refresh(today=date(2026, 11, 23))
    assert EmployerTally.objects.get(region_code=survey.nanming_street.code, occupation=ALL).covered_employers == 2
    assert EmployerTally.objects.get(region_code=survey.nanming_street.code, occupation="truck_driver").unions == 0
    assert EmployerTally.objects.get(region_code="520102", occupation="truck_driver").unions == 1


def test_a_roster_chunk_and_a_multi_row_delete_are_tallied_once_each_exactly(survey: Survey, cast: Cast) -> None:
    # On PostgreSQL a chunk goes in with one COPY and the tally's statement trigger adds it at once.
    from gigunion.ledger.roster import roster_import
    from gigunion.ledger.services import source_named
    from tests.people import id_with_check

    people = [
        ("赵一", id_with_check("52010219800101101"), "网约送餐员", "520102", "是"),
        ("钱二", id_with_check("52010219810202102"), "网约送餐员", "520102", "是"),
        ("孙三", id_with_check("52010219820303103"), "货车司机", "520102", "否"),
        ("李四", id_with_check("52010319830404104"), "快递员", "520103", "是"),
        ("周五", id_with_check("52010219840505105"), "网约车司机", "520102", "是"),  # a cell no one was in
    ]
    lines = ["姓名,身份证号,手机号,职业,平台,平台工号,用工单位,用工单位统一社会信用代码,工作地区划代码,在岗"]
    lines += [
        f"{name},{number},,{occupation},,,,,{where},{active}" for name, number, occupation, where, active in people
    ]

    def workers_by_cell() -> dict[tuple[str, str], int]:
        return {(region_code, occupation): workers for region_code, occupation, workers, _members in tallies()[0]}

    before = {
        ("520102", "delivery_rider"): 2,
        ("520103", "courier"): 1,
        ("520103", "delivery_rider"): 1,
        ("520103", "truck_driver"): 1,
    }
    assert workers_by_cell() == before

    report = roster_import(data="\n".join(lines).encode(), filename="r.csv", source=source_named("新来源", "other"))

    assert report.summary_line() == "imported 5, updated 0, unchanged 0, rejected 0"
    assert workers_by_cell() == {  # 孙三 is not at work
        **before,
        ("520102", "delivery_rider"): 4,
        ("520102", "ride_hailing_driver"): 1,
        ("520103", "courier"): 2,
    }
    kept = tallies()
    tally_rebuild()
    assert tallies() == kept

    deleted = Worker.objects.filter(name__in=["赵一", "钱二", "孙三", "李四", "周五"]).delete()[0]
    assert deleted == 10  # workers and sightings
    assert workers_by_cell() == before
    tally_rebuild()
    assert workers_by_cell() == before
