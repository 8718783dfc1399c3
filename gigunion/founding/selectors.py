"""Reads of the founding domain: the worklist, founding rates, rules in force, applications awaiting a union."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gigunion.founding.models import (
    AWAITING_HIGHER_UNION,
    OPEN_WORKLIST_STATES,
    FoundingApplication,
    FoundingRule,
    WorklistItem,
    WorklistState,
)
from gigunion.founding.rules import RuleBook
from gigunion.orgs.access import Jurisdiction
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region

WORKLIST_SORTS = {
    "region": ["region_id", "enterprise_id"],
    "deadline": ["deadline", "enterprise_id"],
    "name": ["enterprise__name", "enterprise_id"],
    "-people": ["-enterprise__gig_workers", "enterprise_id"],
}


@dataclass(frozen=True)
class WorklistFilters:
    state: str = "pending"  # a WorklistState, "pending" (every open state) or "" (all)
    mode: str = ""
    region_prefix: str = ""
    query: str = ""
    overdue: bool = False
    assignee_id: int | None = None
    sort: str = "region"


def overdue_q(today: date | None = None) -> Q:
    return Q(deadline__lt=today or timezone.localdate(), state__in=OPEN_WORKLIST_STATES)


def worklist_filter(items: QuerySet[WorklistItem], filters: WorklistFilters) -> QuerySet[WorklistItem]:
    if filters.state == "pending":
        items = items.filter(state__in=OPEN_WORKLIST_STATES)
    elif filters.state in WorklistState.values:
        items = items.filter(state=filters.state)
    if filters.mode:
        items = items.filter(recommended_mode=filters.mode)
    if filters.region_prefix:
        items = items.filter(region__code__startswith=filters.region_prefix)
    if filters.query:
        items = items.filter(
            Q(enterprise__name__contains=filters.query) | Q(enterprise__credit_code=filters.query.upper())
        )
    if filters.overdue:
        items = items.filter(overdue_q())
    if filters.assignee_id is not None:
        items = items.filter(assignee_id=filters.assignee_id)
    return items.select_related(
        "enterprise", "region", "assignee", "suggested_organization", "enterprise__parent"
    ).order_by(*WORKLIST_SORTS.get(filters.sort, WORKLIST_SORTS["region"]))


def worklist_summary(items: QuerySet[WorklistItem]) -> dict[str, int]:
    """Counts by state, and overdue, in one query."""
    aggregates = {state: Count("pk", filter=Q(state=state)) for state in WorklistState.values}
    aggregates["overdue"] = Count("pk", filter=overdue_q())
    return {key: int(value or 0) for key, value in items.aggregate(**aggregates).items()}


@dataclass(frozen=True)
class Rate:
    """建会率: covered ÷ should be covered, with both numbers kept (DOMAIN.md: rates keep their scope)."""

    key: str
    label: str
    covered: int
    should: int

    @property
    def value(self) -> float | None:
        return self.covered / self.should if self.should else None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


def _rate_counts() -> dict[str, Count]:
    return {
        "covered": Count("pk", filter=Q(state=WorklistState.FOUNDED)),
        "should": Count("pk", filter=~Q(state=WorklistState.NOT_APPLICABLE)),
    }


def founding_rate(items: QuerySet[WorklistItem]) -> Rate:
    totals = items.aggregate(**_rate_counts())
    return Rate("all", "", int(totals["covered"]), int(totals["should"]))


def founding_rates_by_region(items: QuerySet[WorklistItem], regions: list[Region]) -> list[Rate]:
    """One rate per child region, in one query."""
    if not regions:
        return []
    aggregates = {}
    for region in regions:
        within = Q(region__code__startswith=region.prefix)
        aggregates[f"c{region.code}"] = Count("pk", filter=within & Q(state=WorklistState.FOUNDED))
        aggregates[f"s{region.code}"] = Count("pk", filter=within & ~Q(state=WorklistState.NOT_APPLICABLE))
    totals = items.aggregate(**aggregates)
    return [
        Rate(region.code, region.name, int(totals[f"c{region.code}"]), int(totals[f"s{region.code}"]))
        for region in regions
    ]


def founding_rates_by(items: QuerySet[WorklistItem], field: str, labels: dict[str, str] | None = None) -> list[Rate]:
    """Rates grouped by an enterprise field ('industry' or 'kind'), largest denominator first."""
    rows = items.values(f"enterprise__{field}").annotate(**_rate_counts()).order_by("-should", f"enterprise__{field}")
    return [
        Rate(
            str(row[f"enterprise__{field}"]),
            (labels or {}).get(row[f"enterprise__{field}"], row[f"enterprise__{field}"]),
            int(row["covered"]),
            int(row["should"]),
        )
        for row in rows
    ]


def rule_book() -> RuleBook:
    """Every rule set in force, with the region each federation's own set applies to."""
    rules = list(FoundingRule.objects.order_by("priority", "pk"))
    owners = {rule.organization_id for rule in rules if rule.organization_id is not None}
    prefixes = {
        organization.pk: organization.region_prefix
        for organization in UnionOrganization.objects.filter(pk__in=owners).select_related("region")
    }
    return RuleBook(rules, prefixes)


def rules_in_force(*, region_code: str) -> list[FoundingRule]:
    return rule_book().rules_for(region_code)


def applications_awaiting(jurisdiction: Jurisdiction) -> QuerySet[FoundingApplication]:
    """Applications waiting for a step the user's union (or one below it) as the higher union takes."""
    return FoundingApplication.objects.filter(
        status__in=AWAITING_HIGHER_UNION, parent__path__startswith=jurisdiction.organization_path
    ).select_related("parent", "region")
