"""The measures of 有诉必应, exact on a built set of appeals with a controlled clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from gigunion.appeals.access import appeals_visible_to
from gigunion.appeals.models import Appeal, Channel, EventKind
from gigunion.appeals.selectors import AppealMeasures, Measures, appeal_measures, appeals_overdue
from gigunion.appeals.services import (
    AppealInput,
    appeal_close,
    appeal_confirm,
    appeal_hand_off,
    appeal_step,
    appeal_submit,
)
from gigunion.orgs.access import Jurisdiction, jurisdiction_of
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.people import Members

CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 12, tzinfo=CHINA)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHINA)


class Built:
    """南明区: A on time and satisfied (received 00:10 on New Year's Day, work region a street); B late, rated
    unsatisfied, resolved again and closed; C never answered (overdue); D answered, open, handed to the joint
    union; E in 云岩区; F received 23:50 on 31 Dec 2025 (outside the period)."""

    def __init__(self, cast: Cast, members: Members) -> None:
        self.cast = cast
        jurisdiction = jurisdiction_of(cast.district_staff.user)
        assert jurisdiction is not None
        self.jurisdiction: Jurisdiction = jurisdiction
        street = cast.district_street.region
        assert street is not None
        self.street: Region = street
        self.a = self.submit("wage_arrears", at(1, 1, 0), person=members, region=street.code)
        self.step(self.a, EventKind.FIRST_RESPONSE, at(1, 5))
        self.step(self.a, EventKind.RESOLVED, at(1, 20))
        appeal_confirm(appeal=self.a, person=members.rider, rating=5, satisfied=True, now=at(1, 21))
        self.b = self.submit("dismissal", at(1, 5), person=members)
        self.step(self.b, EventKind.FIRST_RESPONSE, at(1, 12))  # due 7 Jan
        self.step(self.b, EventKind.RESOLVED, at(1, 14))
        appeal_confirm(appeal=self.b, person=members.rider, rating=2, satisfied=False, now=at(1, 15))
        self.step(self.b, EventKind.RESOLVED, at(1, 16))
        appeal_close(appeal=self.b, jurisdiction=self.jurisdiction, actor=None, now=at(1, 17))
        self.c = self.submit("wage_arrears", at(2, 2))
        self.d = self.submit("safety", at(3, 2))
        self.step(self.d, EventKind.FIRST_RESPONSE, at(3, 3))
        appeal_hand_off(
            appeal=self.d, to_union=cast.district_grassroots, jurisdiction=self.jurisdiction, actor=None, reason="会员"
        )
        self.e = self.submit("wage_arrears", at(2, 2), region="520103")
        self.f = self.submit("wage_arrears", at(12, 31, 23, year=2025))

    def submit(self, category: str, when: datetime, person: Members | None = None, region: str = "520102") -> Appeal:
        return appeal_submit(
            data=AppealInput(
                category=category,
                description="诉求的具体情况说明",
                work_region=region,
                contact_name="陈小军",
            ),
            channel=Channel.ONLINE if person else Channel.HOTLINE,
            person=person.rider if person else None,
            now=when.replace(minute=50) if when.year == 2025 else when.replace(minute=10),
        )

    def step(self, appeal: Appeal, kind: str, when: datetime) -> None:
        appeal_step(appeal=appeal, kind=kind, jurisdiction=self.jurisdiction, actor=None, text="答复", now=when)


@pytest.fixture
def built(cast: Cast, members: Members) -> Built:
    return Built(cast, members)


def numbers(row: Measures) -> tuple[int, ...]:
    """received, responded, finished, on time, rated, satisfied, overdue."""
    return (
        row.received,
        row.response.numerator,
        row.resolution.numerator,
        row.on_time.numerator,
        row.satisfaction.denominator,
        row.satisfaction.numerator,
        row.overdue,
    )


def district_measures(built: Built, **more: Region) -> AppealMeasures:
    visible = appeals_visible_to(built.cast.district_staff.user)
    return appeal_measures(visible, since=date(2026, 1, 1), until=date(2026, 3, 10), now=NOW, **more)


def test_the_totals_of_the_jurisdiction_are_exact(built: Built) -> None:
    total = district_measures(built).total
    assert numbers(total) == (4, 3, 2, 1, 2, 1, 1)
    assert (total.response.percent, total.on_time.percent, total.resolution.percent, total.satisfaction.percent) == (
        "75.0%",
        "50.0%",
        "50.0%",
        "50.0%",
    )
    assert (total.response.denominator, total.on_time.denominator, total.resolution.denominator) == (4, 2, 4)


def test_each_number_carries_the_filters_of_its_list(built: Built) -> None:
    total = district_measures(built).total
    period = {"status": "all", "since": "2026-01-01", "until": "2026-03-10"}
    assert total.filter == period
    assert total.response.numerator_filter == {**period, "responded": "1"}
    assert total.resolution.numerator_filter == {**period, "status": "done"}
    assert total.on_time.numerator_filter == {**period, "status": "done", "on_time": "1"}
    assert total.on_time.denominator_filter == {**period, "status": "done"}
    assert total.satisfaction.numerator_filter == {**period, "satisfied": "1"}
    assert total.satisfaction.denominator_filter == {**period, "rated": "1"}
    assert total.overdue_filter == {**period, "status": "open", "overdue": "1"}


def test_the_breakdowns_are_exact(built: Built) -> None:
    result = district_measures(built)
    assert [(row.key, numbers(row)) for row in result.by_category] == [
        ("dismissal", (1, 1, 1, 0, 1, 0, 0)),
        ("safety", (1, 1, 0, 0, 0, 0, 0)),
        ("wage_arrears", (2, 1, 1, 1, 1, 1, 1)),
    ]
    assert result.by_category[2].filter["category"] == "wage_arrears"
    assert {row.label: numbers(row) for row in result.by_union} == {
        "南明区总工会": (3, 2, 2, 1, 2, 1, 1),
        "南明区网约送餐员联合工会": (1, 1, 0, 0, 0, 0, 0),
    }
    assert {row.filter["union"] for row in result.by_union} == {
        str(built.cast.district.pk),
        str(built.cast.district_grassroots.pk),
    }
    assert [(row.key, row.filter["since"], row.filter["until"], numbers(row)) for row in result.by_month] == [
        ("2026-01", "2026-01-01", "2026-01-31", (2, 2, 2, 1, 2, 1, 0)),
        ("2026-02", "2026-02-01", "2026-02-28", (1, 0, 0, 0, 0, 0, 1)),
        ("2026-03", "2026-03-01", "2026-03-10", (1, 1, 0, 0, 0, 0, 0)),
    ]


def test_the_regional_breakdown_has_a_row_per_child_and_one_for_the_rest(built: Built) -> None:
    result = district_measures(built, area=Region.objects.get(code="520102"))
    assert [(row.key, row.linked, numbers(row)) for row in result.by_region] == [
        (built.street.code, True, (1, 1, 1, 1, 1, 1, 0)),
        ("", False, (3, 2, 1, 0, 1, 0, 1)),
    ]
    assert result.by_region[0].filter["region"] == built.street.code


def test_choosing_a_region_narrows_to_it(built: Built) -> None:
    result = district_measures(built, region=built.street)
    assert numbers(result.total) == (1, 1, 1, 1, 1, 1, 0)
    assert result.total.filter["region"] == built.street.code


def test_the_city_sees_both_districts(built: Built) -> None:
    visible = appeals_visible_to(built.cast.city_staff.user)
    city = Region.objects.get(code="520100")
    result = appeal_measures(visible, since=date(2026, 1, 1), until=date(2026, 3, 10), now=NOW, area=city)
    assert numbers(result.total) == (5, 3, 2, 1, 2, 1, 2)
    assert [(row.key, row.label, row.received) for row in result.by_region] == [
        ("520102", "南明区", 4),
        ("520103", "云岩区", 1),
    ]


def test_the_overdue_list_has_the_unanswered_appeals(built: Built) -> None:
    visible = appeals_visible_to(built.cast.district_staff.user)
    assert set(appeals_overdue(visible, now=NOW)) == {built.c, built.f}


def test_an_empty_period_gives_no_rates(built: Built) -> None:
    visible = appeals_visible_to(built.cast.district_staff.user)
    result = appeal_measures(visible, since=date(2026, 6, 1), until=date(2026, 6, 30), now=NOW)
    assert numbers(result.total) == (0, 0, 0, 0, 0, 0, 0)
    assert result.total.response.percent == "—"
    assert result.by_category == result.by_union == result.by_month == []


def test_the_list_behind_every_rate_has_exactly_its_count(built: Built) -> None:
    import re

    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(built.cast.district_staff.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    total = district_measures(built).total
    for figure in (total.response, total.on_time, total.resolution, total.satisfaction):
        for count, params in (
            (figure.numerator, figure.numerator_filter),
            (figure.denominator, figure.denominator_filter),
        ):
            page = client.get("/office/appeals/", params).content.decode()
            listed = re.search(r'data-count="appeals">(\d+) appeal', page)
            assert listed is not None, params
            assert int(listed.group(1)) == count, params
