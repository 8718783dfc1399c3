"""Campaigns: setting targets (baseline read from the figures), progress, projection and the dashboard's line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from gigunion.campaigns import selectors, services
from gigunion.campaigns.models import Campaign, CampaignTarget, Indicator, PhaseKind
from gigunion.campaigns.selectors import Status, campaign_progress, phase_on, target_progress, target_rates
from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.core.occupations import KEY_GROUPS, Occupation
from gigunion.members.models import Membership, MembershipStatus
from gigunion.surveys import selectors as surveys_selectors
from gigunion.surveys.models import ALL
from tests.conftest import Cast
from tests.people import Members
from tests.surveys.data import Survey, build_survey

pytestmark = pytest.mark.django_db

KEY = [str(value) for value in KEY_GROUPS]
PHASES = {
    "mobilize": (date(2026, 1, 1), date(2026, 2, 28)),
    "implement": (date(2026, 3, 1), date(2026, 10, 31)),
    "review": (date(2026, 11, 1), date(2026, 12, 31)),
}


@pytest.fixture
def survey(cast: Cast, members: Members) -> Survey:
    return build_survey(cast, members)


def city_campaign(cast: Cast) -> Campaign:
    return services.campaign_create(
        user=cast.city_staff.user,
        name="新就业形态劳动者入会集中行动",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        phases=PHASES,
    )


def add(cast: Cast, campaign: Campaign, **overrides: Any) -> CampaignTarget:
    values: dict[str, Any] = {
        "user": cast.city_staff.user,
        "campaign": campaign,
        "region_code": "520100",
        "occupations": KEY,
        "indicator": Indicator.MEMBERSHIP_RATE,
        "rate": "0.8",
        "deadline": date(2026, 6, 30),
        "responsible": cast.city,
        "today": date(2026, 3, 1),
    }
    values.update(overrides)
    return services.target_add(**values)


def test_a_key_groups_target_keeps_its_baseline_and_measures_progress(cast: Cast, survey: Survey) -> None:
    campaign = city_campaign(cast)
    target = add(cast, campaign, rate="0.9")
    # Key groups in 贵阳市: truck 1 member of 1, courier 0 of 1 (李娟 pending), riders 2 of 3.
    assert target.occupations == ["truck_driver", "courier", "delivery_rider", "ride_hailing_driver"]
    assert (target.baseline_on, target.baseline_numerator, target.baseline_denominator) == (date(2026, 3, 1), 3, 5)
    assert target.rate == Decimal("0.9000")

    same_day = target_progress(target, date(2026, 3, 1))
    assert (same_day.current.numerator, same_day.current.denominator) == (3, 5)
    assert same_day.projected is None
    assert same_day.projected_percent == "—"
    assert same_day.status == Status.ON_TRACK
    assert same_day.gap == Fraction(3, 10)
    assert same_day.elapsed == 0

    # 李娟 is approved: 4 of 5. On 2026-05-01, 61 of the 121 days have gone; 60 remain.
    Membership.objects.filter(person=survey.ledger.pending_person).update(status=MembershipStatus.ACTIVE)
    rising = target_progress(target, date(2026, 5, 1))
    assert (rising.current.numerator, rising.current.denominator) == (4, 5)
    assert rising.elapsed == Fraction(61, 121)
    assert rising.projected == Fraction(4, 5) + Fraction(1, 5) * 60 / 61 == Fraction(304, 305)
    assert rising.status == Status.ON_TRACK
    assert (rising.current.percent, rising.target_percent, rising.projected_percent) == ("80.0%", "90.0%", "99.7%")
    assert rising.gap == Fraction(1, 10)
    assert rising.progress_percent == 88

    # After the deadline, not met: overdue, the projection is the rate reached.
    late = target_progress(target, date(2026, 7, 1))
    assert late.status == Status.OVERDUE
    assert late.projected == Fraction(4, 5)
    assert late.elapsed == 1


def test_a_falling_rate_is_behind_and_a_reached_one_met(cast: Cast, survey: Survey, members: Members) -> None:
    campaign = city_campaign(cast)
    high = add(cast, campaign, rate="0.9")
    reached = add(cast, campaign, rate="0.4", region_code="520102", responsible=cast.district, occupations=[])
    Membership.objects.filter(pk=members.rider_membership.pk).update(status=MembershipStatus.LEFT)
    falling = target_progress(high, date(2026, 5, 1))
    assert (falling.current.numerator, falling.current.denominator) == (2, 5)
    assert falling.projected == Fraction(2, 5) - Fraction(1, 5) * 60 / 61 == Fraction(62, 305)
    assert falling.status == Status.BEHIND
    # 南明区, all occupations: 2 members of 2 workers at the start (baseline), 1 of 2 now, 0.4 asked.
    assert (reached.baseline_numerator, reached.baseline_denominator) == (2, 2)
    met = target_progress(reached, date(2026, 5, 1))
    assert (met.current.numerator, met.current.denominator, met.status) == (1, 2, Status.MET)
    # Clamped to 0: 1/2 - 1/2 × 60/61 is above 0, but a steeper fall is not.
    assert met.projected == Fraction(1, 2) - Fraction(1, 2) * 60 / 61
    assert target_progress(reached, date(2026, 3, 2)).projected == 0


def test_campaign_progress_lists_behind_first_by_gap_with_one_read_per_region(
    cast: Cast, survey: Survey, members: Members, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = city_campaign(cast)
    on_track = add(cast, campaign, rate="0.6")  # 3/5 → rising
    behind_small = add(cast, campaign, region_code="520102", occupations=[], rate="0.9", responsible=cast.district)
    behind_big = add(cast, campaign, region_code="520102", occupations=[], rate="1", responsible=cast.district)
    founding = add(cast, campaign, indicator=Indicator.FOUNDING_RATE, occupations=[], rate="0.5")
    # 南明区 loses a member (2/2 → 1/2), 贵阳市 key groups gain one (3/5 → 4/5 with 李娟, less 陈小军 → 3/5).
    Membership.objects.filter(pk=members.rider_membership.pk).update(status=MembershipStatus.LEFT)
    Membership.objects.filter(person=survey.ledger.pending_person).update(status=MembershipStatus.ACTIVE)
    calls: list[str] = []
    original = surveys_selectors.area_figures

    def counting(region: Any, **kwargs: Any) -> Any:
        calls.append(region.code)
        return original(region, **kwargs)

    monkeypatch.setattr(selectors, "area_figures", counting)
    rows = campaign_progress(campaign, date(2026, 5, 1))
    assert sorted(calls) == ["520100", "520102"]
    assert [row.target.pk for row in rows] == [behind_big.pk, behind_small.pk, on_track.pk, founding.pk]
    assert [row.status for row in rows] == [Status.BEHIND, Status.BEHIND, Status.MET, Status.MET]
    # Founding rate of 贵阳市: 2 covered of 4 employers, at the start and now.
    assert (founding.baseline_numerator, founding.baseline_denominator) == (2, 4)
    assert (rows[3].current.numerator, rows[3].current.denominator) == (2, 4)


def test_target_rules(cast: Cast, survey: Survey) -> None:
    campaign = city_campaign(cast)
    with pytest.raises(DomainError) as error:
        add(cast, campaign, indicator=Indicator.FOUNDING_RATE, occupations=["courier", "delivery_rider"])
    assert error.value.code == "occupations"
    one = add(cast, campaign, indicator=Indicator.FOUNDING_RATE, occupations=["delivery_rider"], rate="0.6")
    assert (one.baseline_numerator, one.baseline_denominator) == (1, 1)  # 南明快送, covered
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"rate": "1.2"}, "rate"),
        ({"rate": "0.12345"}, "rate"),
        ({"occupations": ["pilot"]}, "occupations"),
        ({"indicator": "happiness"}, "indicator"),
        ({"deadline": date(2027, 1, 1)}, "deadline"),
        ({"deadline": date(2026, 2, 1)}, "deadline"),  # before today
        ({"region_code": "530100"}, "region"),  # 昆明市: outside 贵阳市
        ({"region_code": "999999"}, "region"),
        ({"responsible": cast.province}, "responsible"),
    ]
    for overrides, code in wrong:
        with pytest.raises(DomainError) as error:
            add(cast, campaign, **overrides)
        assert error.value.code == code, overrides
    every = add(cast, campaign, occupations=[str(value) for value in Occupation.values])
    assert every.occupations == []


def test_who_may_set_up_a_campaign_and_its_targets(cast: Cast, survey: Survey) -> None:
    campaign = city_campaign(cast)
    with pytest.raises(NotAllowed):  # a district sees the city's campaign but cannot change it
        add(cast, campaign, user=cast.district_staff.user, region_code="520102", responsible=cast.district)
    with pytest.raises(NotAllowed):
        services.campaign_create(
            user=cast.district_viewer.user, name="x", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1)
        )
    with pytest.raises(NotVisible):
        services.campaign_create(
            user=cast.district_staff.user,
            name="x",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 2, 1),
            organization=cast.other_district,
        )
    district = services.campaign_create(
        user=cast.district_staff.user, name="南明区行动", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    assert district.organization == cast.district
    with pytest.raises(DomainError) as error:  # 云岩区 is not 南明区's
        add(cast, district, user=cast.district_staff.user, region_code="520103", responsible=cast.district)
    assert error.value.code == "region"
    with pytest.raises(DomainError) as error:  # the city's staff, for a district campaign: a city region is too wide
        add(cast, district, region_code="520100", responsible=cast.district)
    assert error.value.code == "region"
    target = add(cast, district, region_code="520102", responsible=cast.district_grassroots)
    with pytest.raises(NotAllowed):
        services.target_remove(user=cast.other_district_staff.user, target=target)
    services.target_remove(user=cast.district_staff.user, target=target)
    assert not district.targets.exists()


def test_phases_lie_inside_the_campaign_in_order(cast: Cast) -> None:
    def create(phases: dict[str, tuple[date, date]]) -> Campaign:
        return services.campaign_create(
            user=cast.city_staff.user,
            name="行动",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            phases=phases,
        )

    cases: list[tuple[dict[str, tuple[date, date]], str]] = [
        ({"mobilize": (date(2025, 12, 1), date(2026, 1, 31))}, "mobilize"),
        ({"review": (date(2026, 12, 1), date(2027, 1, 31))}, "review"),
        ({"implement": (date(2026, 5, 1), date(2026, 4, 1))}, "implement"),
        (
            {"mobilize": (date(2026, 1, 1), date(2026, 6, 30)), "implement": (date(2026, 6, 1), date(2026, 9, 1))},
            "implement",
        ),
    ]
    for bad, code in cases:
        with pytest.raises(DomainError) as error:
            create(bad)
        assert error.value.code == code
    with pytest.raises(DomainError):
        services.campaign_create(
            user=cast.city_staff.user, name="  ", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1)
        )
    campaign = create(PHASES)
    saved = list(campaign.phases.all())
    assert [phase.kind for phase in saved] == ["mobilize", "implement", "review"]
    now = phase_on(saved, date(2026, 3, 1))
    assert now is not None
    assert now.kind == PhaseKind.IMPLEMENT
    assert phase_on(saved, date(2027, 3, 1)) is None
    updated = services.campaign_update(
        user=cast.city_staff.user,
        campaign=campaign,
        name="行动（修订）",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        phases={"implement": PHASES["implement"]},
    )
    assert [phase.kind for phase in updated.phases.all()] == ["implement"]


def test_target_rates_for_the_dashboard_line(cast: Cast, survey: Survey) -> None:
    campaign = city_campaign(cast)
    add(cast, campaign, rate="0.8")
    add(cast, campaign, rate="0.85", occupations=["courier"])
    add(cast, campaign, region_code="520102", occupations=["delivery_rider"], rate="0.7", responsible=cast.district)
    add(cast, campaign, region_code="520102", occupations=[], rate="0.6", responsible=cast.district)
    add(cast, campaign, region_code="520102", indicator=Indicator.FOUNDING_RATE, occupations=[], rate="0.9")
    day = date(2026, 4, 1)
    city = {key: Decimal("0.8000") for key in KEY} | {"courier": Decimal("0.8500")}
    assert target_rates("520100", day) == city
    # 南明区: its own targets win over the city's, the city's fill the rest.
    assert target_rates("520102", day) == city | {"delivery_rider": Decimal("0.7000"), ALL: Decimal("0.6000")}
    assert target_rates("520103", day) == city
    assert target_rates("520000", day) == {}
    assert target_rates("520100", date(2027, 1, 1)) == {}  # the campaign has ended


def test_the_demo_campaign_is_seeded_once() -> None:
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    campaign = Campaign.objects.get(name="新就业形态劳动者入会集中行动")
    assert campaign.organization.name == "贵阳市总工会"
    assert [phase.kind for phase in campaign.phases.all()] == ["mobilize", "implement", "review"]
    targets = list(campaign.targets.order_by("region_code", "indicator"))
    # The city: key groups 80% and founding 60%; each of its 10 districts and counties: key groups 80%.
    assert [(t.region_code, t.indicator, t.rate) for t in targets[:2]] == [
        ("520100", Indicator.FOUNDING_RATE, Decimal("0.6000")),
        ("520100", Indicator.MEMBERSHIP_RATE, Decimal("0.8000")),
    ]
    assert len(targets) == 12
    assert all(sorted(t.occupations) == sorted(KEY) for t in targets if t.indicator == Indicator.MEMBERSHIP_RATE)
    call_command("seed_demo", stdout=StringIO())
    assert Campaign.objects.count() == 1
    assert CampaignTarget.objects.count() == 12
