"""Who may see or change worklist items, founding applications and founding rules (see orgs.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.founding.models import FoundingApplication, FoundingRule, WorklistItem
from gigunion.orgs.access import require_jurisdiction
from gigunion.orgs.models import OrganizationType, UnionOrganization


def worklist_items_visible_to(user: Any) -> QuerySet[WorklistItem]:
    jurisdiction = require_jurisdiction(user)
    return WorklistItem.objects.filter(region__code__startswith=jurisdiction.region_prefix)


def worklist_item_for_staff(user: Any, *, item_id: int, change: bool = False) -> WorklistItem:
    jurisdiction = require_jurisdiction(user)
    item = (
        worklist_items_visible_to(user)
        .select_related("enterprise__region", "enterprise__parent", "assignee", "suggested_organization")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotVisible()
    if change and not jurisdiction.can_change:
        raise NotAllowed()
    return item


def applications_visible_to(user: Any) -> QuerySet[FoundingApplication]:
    """Applications for a union in the user's region, or addressed to a union in their subtree."""
    jurisdiction = require_jurisdiction(user)
    return FoundingApplication.objects.filter(
        Q(region__code__startswith=jurisdiction.region_prefix)
        | Q(parent__path__startswith=jurisdiction.organization_path)
    )


def application_for_staff(user: Any, *, application_id: int) -> FoundingApplication:
    application = (
        applications_visible_to(user)
        .select_related("region", "parent__region", "organization", "submitted_by")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotVisible()
    return application


RULE_OWNER_TYPES = [OrganizationType.NATIONAL_FEDERATION, OrganizationType.FEDERATION]


def founding_rules_for_staff(user: Any, *, change: bool = False) -> tuple[QuerySet[FoundingRule], bool]:
    """The rule set the user's federation writes (if it has one of its own), and whether it has one.

    Changing rules takes an administrator of a county-or-higher federation.
    """
    jurisdiction = require_jurisdiction(user)
    if change and not (
        jurisdiction.can_administer
        and UnionOrganization.objects.filter(
            pk=jurisdiction.organization_id, organization_type__in=RULE_OWNER_TYPES
        ).exists()
    ):
        raise NotAllowed()
    own = FoundingRule.objects.filter(organization_id=jurisdiction.organization_id)
    return own, own.exists()


def founding_rule_for_staff(user: Any, *, rule_id: int) -> FoundingRule:
    """One of the user's own federation's rules, to change: an administrator only."""
    jurisdiction = require_jurisdiction(user)
    rule = FoundingRule.objects.filter(pk=rule_id, organization_id=jurisdiction.organization_id).first()
    if rule is None:
        raise NotVisible()
    if not jurisdiction.can_administer:
        raise NotAllowed()
    return rule
