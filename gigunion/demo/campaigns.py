"""Demo: the city federation's campaign like seed 002 — 80% membership of the four key groups, 60% founding rate."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from gigunion.campaigns import services
from gigunion.campaigns.models import Campaign, CampaignTarget, Indicator
from gigunion.core.occupations import KEY_GROUPS
from gigunion.orgs.models import StaffAccount, UnionOrganization
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_children
from gigunion.surveys.models import SurveyRound
from gigunion.surveys.selectors import AreaFigures, area_figures

NAME = "新就业形态劳动者入会集中行动"
STARTS, ENDS = date(2025, 8, 1), date(2026, 12, 31)
PHASES = {
    "mobilize": (date(2025, 8, 1), date(2025, 9, 30)),
    "implement": (date(2025, 10, 1), date(2026, 10, 31)),
    "review": (date(2026, 11, 1), date(2026, 12, 31)),
}
DESCRIPTION = (
    "到2026年底，货车司机、网约车司机、快递员、外卖配送员四个重点群体入会率达到80%，平台企业及其关联企业建会率达到60%。"
)


def seed_campaigns(staff: dict[str, StaffAccount]) -> Campaign | None:
    """Create the campaign once, run by the city federation, with targets for the city and each district.

    The baselines are taken from the earliest survey round when there is one, so progress has a story."""
    user = staff["guiyang_admin"].user
    city_union = staff["guiyang_admin"].organization
    if Campaign.objects.filter(name=NAME, organization=city_union).exists():
        return None
    campaign = services.campaign_create(
        user=user, name=NAME, starts_on=STARTS, ends_on=ENDS, description=DESCRIPTION, phases=PHASES
    )
    city = city_union.region
    assert city is not None
    today = min(timezone.localdate(), ENDS)
    key = [str(value) for value in KEY_GROUPS]
    unions = {union.region_id: union for union in UnionOrganization.objects.filter(parent=city_union)}

    def add(region: Region, occupations: list[str], indicator: str, rate: str, responsible: UnionOrganization) -> None:
        services.target_add(
            user=user,
            campaign=campaign,
            region_code=region.code,
            occupations=occupations,
            indicator=indicator,
            rate=rate,
            deadline=ENDS,
            responsible=responsible,
            today=today,
        )

    add(city, key, Indicator.MEMBERSHIP_RATE, "0.8", city_union)
    add(city, [], Indicator.FOUNDING_RATE, "0.6", city_union)
    for district in region_children(region=city):
        add(district, key, Indicator.MEMBERSHIP_RATE, "0.8", unions.get(district.code, city_union))
    _baselines_from_first_round(campaign)
    return campaign


def _baselines_from_first_round(campaign: Campaign) -> None:
    first = (
        SurveyRound.objects.filter(ends_on__gte=campaign.starts_on, ends_on__lt=timezone.localdate())
        .order_by("ends_on")
        .first()
    )
    if first is None:
        return
    figures: dict[str, AreaFigures] = {}
    for target in CampaignTarget.objects.filter(campaign=campaign):
        if target.region_code not in figures:
            figures[target.region_code] = area_figures(Region.objects.get(code=target.region_code), round=first)
        counts = figures[target.region_code].for_occupations(target.occupations)
        rate = counts.membership_rate if target.indicator == Indicator.MEMBERSHIP_RATE else counts.founding_rate
        if not rate.denominator:
            continue
        target.baseline_on = first.ends_on
        target.baseline_numerator = rate.numerator
        target.baseline_denominator = rate.denominator
        target.save(update_fields=["baseline_on", "baseline_numerator", "baseline_denominator"])
