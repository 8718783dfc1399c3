"""Reads of campaigns (集中行动): targets, their progress against the current figures, projections."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

from gigunion.campaigns.models import Campaign, CampaignPhase, CampaignTarget, Indicator
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_codes_upwards
from gigunion.surveys.models import ALL
from gigunion.surveys.selectors import AreaFigures, Counts, Rate, area_figures


def target_rates(region_code: str, today: date) -> dict[str, Decimal]:
    """The target membership rates per occupation (ALL for a target of every occupation) for the dashboard's line.

    Targets of campaigns running `today` whose region is `region_code` or one of its ancestors: the
    deepest region wins, then the highest rate."""
    upwards = region_codes_upwards(region_code)
    depth = {code: len(upwards) - index for index, code in enumerate(upwards)}
    targets = CampaignTarget.objects.filter(
        indicator=Indicator.MEMBERSHIP_RATE,
        region_code__in=upwards,
        campaign__starts_on__lte=today,
        campaign__ends_on__gte=today,
    ).only("region_code", "occupations", "rate")
    best: dict[str, tuple[int, Decimal]] = {}
    for target in targets:
        rank = (depth[target.region_code], target.rate)
        for occupation in target.occupations or [ALL]:
            if occupation not in best or rank > best[occupation]:
                best[occupation] = rank
    return {occupation: rate for occupation, (_depth, rate) in best.items()}


class Status(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    BEHIND = "behind", _("Behind")
    ON_TRACK = "on_track", _("On track")
    MET = "met", _("Met")


_STATUS_RANK = {Status.OVERDUE: 0, Status.BEHIND: 0, Status.ON_TRACK: 1, Status.MET: 2}


def _fraction(rate: Rate) -> Fraction | None:
    return Fraction(rate.numerator, rate.denominator) if rate.denominator else None


def _percent(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


@dataclass(frozen=True)
class Progress:
    """Where a target stands on `today`: current and baseline rates (with numerator and denominator),
    the gap to the target, the share of its time elapsed and the rate projected to its deadline."""

    target: CampaignTarget
    today: date
    baseline: Rate
    current: Rate
    target_rate: Fraction
    elapsed: Fraction  # share of the time from baseline_on to the deadline gone by, 0..1
    projected: Fraction | None  # None: not enough time elapsed (or no rate to project from)
    status: Status

    @property
    def current_value(self) -> Fraction | None:
        return _fraction(self.current)

    @property
    def gap(self) -> Fraction:
        """What the current rate lacks to reach the target (negative when it is past it)."""
        return self.target_rate - (self.current_value or Fraction(0))

    @property
    def target_percent(self) -> str:
        return _percent(self.target_rate)

    @property
    def projected_percent(self) -> str:
        return _percent(self.projected)

    @property
    def gap_percent(self) -> str:
        return f"{float(self.gap) * 100:.1f}"

    @property
    def elapsed_percent(self) -> int:
        return int(self.elapsed * 100)

    @property
    def progress_percent(self) -> int:
        """The current rate as a whole percentage of the target rate, 0..100 (for the progress bar)."""
        value = self.current_value or Fraction(0)
        if not self.target_rate:
            return 100
        return max(0, min(100, int(value / self.target_rate * 100)))

    @property
    def behind(self) -> bool:
        return self.status in (Status.BEHIND, Status.OVERDUE)


def indicator_rate(counts: Counts, indicator: str) -> Rate:
    """The rate a target's indicator measures: the membership rate, or the founding rate."""
    return counts.membership_rate if indicator == Indicator.MEMBERSHIP_RATE else counts.founding_rate


def target_progress(target: CampaignTarget, today: date, figures: AreaFigures | None = None) -> Progress:
    """The progress of `target` on `today`, from `figures` (the current figures of its region) or read now.

    The projection is linear from the baseline rate at baseline_on to the current rate today, extrapolated
    to the deadline and clamped to 0..1; None on the day the target was set (not enough time elapsed)."""
    if figures is None:
        figures = area_figures(Region.objects.get(code=target.region_code))
    current = indicator_rate(figures.for_occupations(target.occupations), target.indicator)
    baseline = Rate(target.baseline_numerator, target.baseline_denominator)
    target_rate = Fraction(target.rate)
    span = (target.deadline - target.baseline_on).days
    gone = (today - target.baseline_on).days
    elapsed = Fraction(1) if span <= 0 else max(Fraction(0), min(Fraction(1), Fraction(gone, span)))
    now, start = _fraction(current), _fraction(baseline)
    projected: Fraction | None = None
    if gone > 0 and now is not None and start is not None:
        ahead = max((target.deadline - today).days, 0)
        projected = max(Fraction(0), min(Fraction(1), now + (now - start) * ahead / gone))
    if now is not None and now >= target_rate:
        status = Status.MET
    elif today > target.deadline:
        status = Status.OVERDUE
    elif projected is not None and projected < target_rate:
        status = Status.BEHIND
    else:
        status = Status.ON_TRACK
    return Progress(target, today, baseline, current, target_rate, elapsed, projected, status)


def targets_progress(targets: Iterable[CampaignTarget], today: date) -> list[Progress]:
    """The progress of targets (any campaigns), behind and overdue first, the largest gap first.

    The figures are read once per distinct region."""
    targets = list(targets)
    codes = {target.region_code for target in targets}
    regions = {region.code: region for region in Region.objects.filter(code__in=codes)}
    figures = {code: area_figures(region) for code, region in regions.items()}
    rows = [
        target_progress(target, today, figures[target.region_code])
        for target in targets
        if target.region_code in figures
    ]
    rows.sort(key=lambda row: (_STATUS_RANK[row.status], -row.gap, row.target.region_code, row.target.pk))
    return rows


def campaign_progress(campaign: Campaign, today: date) -> list[Progress]:
    """The campaign's targets with their progress, behind (and overdue) first, by gap."""
    return targets_progress(campaign.targets.select_related("responsible").order_by("pk"), today)


def phase_on(phases: Iterable[CampaignPhase], today: date) -> CampaignPhase | None:
    """The phase running on `today` (the later one on a day two share)."""
    running = [phase for phase in phases if phase.starts_on <= today <= phase.ends_on]
    return max(running, key=lambda phase: phase.starts_on) if running else None


def campaign_is_running(campaign: Campaign, today: date) -> bool:
    return campaign.starts_on <= today <= campaign.ends_on
