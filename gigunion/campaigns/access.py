"""Who may see or change which campaigns (集中行动).

A campaign is seen by staff whose jurisdiction holds the organization running it, and by the staff of
the organizations below it (a city's campaign is seen by its districts); it is changed only by
operators and administrators whose jurisdiction holds the organization running it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from gigunion.campaigns.models import Campaign, CampaignTarget
from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.orgs.access import Jurisdiction, require_jurisdiction
from gigunion.regions.models import Region


def _ancestor_paths(path: str) -> list[str]:
    """'/1/4/17/' → ['/1/', '/1/4/', '/1/4/17/']."""
    keys = [key for key in path.split("/") if key]
    return ["/" + "/".join(keys[: length + 1]) + "/" for length in range(len(keys))]


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    jurisdiction = require_jurisdiction(user)
    return Campaign.objects.select_related("organization__region").filter(
        Q(organization__path__startswith=jurisdiction.organization_path)
        | Q(organization__path__in=_ancestor_paths(jurisdiction.organization_path))
    )


def may_change_campaign(jurisdiction: Jurisdiction, campaign: Campaign) -> bool:
    return jurisdiction.can_change and jurisdiction.covers_organization(campaign.organization)


def campaign_for_staff(user: Any, *, campaign_id: int, change: bool = False) -> Campaign:
    campaign = campaigns_visible_to(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotVisible()
    if change and not may_change_campaign(require_jurisdiction(user), campaign):
        raise NotAllowed()
    return campaign


def target_for_staff(user: Any, *, campaign: Campaign, target_id: int) -> CampaignTarget:
    target = CampaignTarget.objects.select_related("responsible").filter(campaign=campaign, pk=target_id).first()
    if target is None:
        raise NotVisible()
    return target


def targets_visible_to(user: Any, targets: Iterable[CampaignTarget]) -> list[CampaignTarget]:
    """The targets of a visible campaign whose figures the user may see: those for a region in their
    jurisdiction or above it (a district sees the city's target, never a sibling district's)."""
    jurisdiction = require_jurisdiction(user)
    targets = list(targets)
    prefixes = {
        region.code: region.prefix for region in Region.objects.filter(code__in={t.region_code for t in targets})
    }
    return [
        target
        for target in targets
        if jurisdiction.covers_region(target.region_code)
        or jurisdiction.region_prefix.startswith(prefixes.get(target.region_code, target.region_code))
    ]
