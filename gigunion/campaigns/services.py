"""Writes of campaigns (集中行动): the campaign and its phases, its targets.

A campaign is run by a union, set up by its operators or administrators (or those of a union above it);
its phases (mobilize, implement, review) lie inside its dates and follow each other. A target names a
region and occupations within the jurisdiction of the union running the campaign and of the user; its
baseline (numerator and denominator) is read from the current figures the day it is set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.campaigns.access import may_change_campaign
from gigunion.campaigns.models import Campaign, CampaignPhase, CampaignTarget, Indicator, PhaseKind
from gigunion.campaigns.selectors import indicator_rate
from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.core.occupations import Occupation
from gigunion.orgs.access import Jurisdiction, require_jurisdiction
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region
from gigunion.surveys.selectors import area_figures

PHASE_ORDER = [PhaseKind.MOBILIZE, PhaseKind.IMPLEMENT, PhaseKind.REVIEW]
Phases = Mapping[str, tuple[date, date]]


def _changer(user: Any) -> Jurisdiction:
    jurisdiction = require_jurisdiction(user)
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    return jurisdiction


def _check_campaign(name: str, starts_on: date, ends_on: date, phases: Phases) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the campaign a name."), code="name")
    if ends_on < starts_on:
        raise DomainError(_("The campaign cannot end before it starts."), code="ends_on")
    previous: tuple[str, date] | None = None
    for kind in PHASE_ORDER:
        if kind not in phases:
            continue
        phase_start, phase_end = phases[kind]
        label = PhaseKind(kind).label
        if phase_end < phase_start:
            raise DomainError(_("The %(phase)s phase cannot end before it starts.") % {"phase": label}, code=kind)
        if phase_start < starts_on or phase_end > ends_on:
            raise DomainError(
                _("The %(phase)s phase must lie within the campaign's dates.") % {"phase": label}, code=kind
            )
        if previous is not None and phase_start < previous[1]:
            raise DomainError(
                _("The %(phase)s phase cannot start before the %(previous)s phase ends.")
                % {"phase": label, "previous": PhaseKind(previous[0]).label},
                code=kind,
            )
        previous = (kind, phase_end)
    unknown = set(phases) - {str(kind) for kind in PHASE_ORDER}
    if unknown:
        raise DomainError(_("Unknown phase %(name)s.") % {"name": sorted(unknown)[0]}, code="phases")
    return name


def _save_phases(campaign: Campaign, phases: Phases) -> None:
    CampaignPhase.objects.filter(campaign=campaign).exclude(kind__in=list(phases)).delete()
    for kind, (phase_start, phase_end) in phases.items():
        CampaignPhase.objects.update_or_create(
            campaign=campaign, kind=kind, defaults={"starts_on": phase_start, "ends_on": phase_end}
        )


def campaign_create(
    *,
    user: Any,
    name: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
    phases: Phases | None = None,
    organization: UnionOrganization | None = None,
) -> Campaign:
    """A campaign run by `organization` (default: the user's own), which must lie in the user's jurisdiction."""
    jurisdiction = _changer(user)
    if organization is None:
        organization = UnionOrganization.objects.get(pk=jurisdiction.organization_id)
    elif not jurisdiction.covers_organization(organization):
        raise NotVisible()
    phases = dict(phases or {})
    name = _check_campaign(name, starts_on, ends_on, phases)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            organization=organization,
            starts_on=starts_on,
            ends_on=ends_on,
            description=(description or "").strip(),
            created_by=user,
        )
        _save_phases(campaign, phases)
    return campaign


def campaign_update(
    *,
    user: Any,
    campaign: Campaign,
    name: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
    phases: Phases | None = None,
) -> Campaign:
    """Change a campaign's name, dates, description and phases; its targets' deadlines must stay inside."""
    jurisdiction = _changer(user)
    if not may_change_campaign(jurisdiction, campaign):
        raise NotAllowed(_("Only the union running the campaign, or one above it, may change it."))
    phases = dict(phases or {})
    name = _check_campaign(name, starts_on, ends_on, phases)
    outside = campaign.targets.exclude(deadline__gte=starts_on, deadline__lte=ends_on)
    if outside.exists():
        raise DomainError(_("Some targets' deadlines would fall outside the campaign's dates."), code="ends_on")
    with transaction.atomic():
        campaign.name = name
        campaign.starts_on = starts_on
        campaign.ends_on = ends_on
        campaign.description = (description or "").strip()
        campaign.save(update_fields=["name", "starts_on", "ends_on", "description"])
        _save_phases(campaign, phases)
    return campaign


def clean_occupations(occupations: Iterable[str]) -> list[str]:
    """The occupations in the glossary's order, each once; every occupation (or none) means all: []."""
    chosen = set(occupations)
    unknown = chosen - set(Occupation.values)
    if unknown:
        raise DomainError(_("Unknown occupation %(name)s.") % {"name": sorted(unknown)[0]}, code="occupations")
    if chosen >= set(Occupation.values):
        return []
    return [str(value) for value in Occupation.values if value in chosen]


def _clean_rate(rate: object) -> Decimal:
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        raise DomainError(_("The target rate is a fraction from 0 to 1."), code="rate") from None
    if not value.is_finite() or value < 0 or value > 1 or value != value.quantize(Decimal("0.0001")):
        raise DomainError(_("The target rate is a fraction from 0 to 1, with at most 4 decimals."), code="rate")
    return value


def target_add(
    *,
    user: Any,
    campaign: Campaign,
    region_code: str,
    occupations: Sequence[str],
    indicator: str,
    rate: object,
    deadline: date,
    responsible: UnionOrganization,
    today: date | None = None,
) -> CampaignTarget:
    """A target for the campaign; its baseline is the region's current figures for the occupations."""
    jurisdiction = _changer(user)
    if not may_change_campaign(jurisdiction, campaign):
        raise NotAllowed(_("Only the union running the campaign, or one above it, may change it."))
    today = today or timezone.localdate()
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise DomainError(_("Unknown region %(code)s.") % {"code": region_code}, code="region")
    if not (jurisdiction.covers_region(region.code) and region.code.startswith(campaign.organization.region_prefix)):
        raise DomainError(
            _("The region must lie within the jurisdiction of the union running the campaign and your own."),
            code="region",
        )
    chosen = clean_occupations(occupations)
    if indicator not in Indicator.values:
        raise DomainError(_("Unknown indicator %(name)s.") % {"name": indicator}, code="indicator")
    if indicator == Indicator.FOUNDING_RATE and len(chosen) > 1:
        raise DomainError(
            _("A founding rate target is for all occupations or exactly one: an employer may have several."),
            code="occupations",
        )
    value = _clean_rate(rate)
    if not campaign.starts_on <= deadline <= campaign.ends_on:
        raise DomainError(_("The deadline must lie within the campaign's dates."), code="deadline")
    if deadline < today:
        raise DomainError(_("The deadline has passed already."), code="deadline")
    if not (
        jurisdiction.covers_organization(responsible)
        and responsible.path.startswith(campaign.organization.path)
        and responsible.is_active
    ):
        raise DomainError(
            _("The responsible union must lie within the jurisdiction of the union running the campaign."),
            code="responsible",
        )
    counts = area_figures(region).for_occupations(chosen)
    rate_now = indicator_rate(counts, indicator)
    return CampaignTarget.objects.create(
        campaign=campaign,
        region_code=region.code,
        occupations=chosen,
        indicator=indicator,
        rate=value,
        deadline=deadline,
        responsible=responsible,
        baseline_on=today,
        baseline_numerator=rate_now.numerator,
        baseline_denominator=rate_now.denominator,
    )


def target_remove(*, user: Any, target: CampaignTarget) -> None:
    jurisdiction = _changer(user)
    if not may_change_campaign(jurisdiction, target.campaign):
        raise NotAllowed(_("Only the union running the campaign, or one above it, may change it."))
    target.delete()
