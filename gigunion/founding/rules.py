"""Evaluating the founding rules: which mode fits an enterprise, and which union would take it.

Pure functions over plain data loaded once per refresh, so 100,000 enterprises cost a few
queries and one pass in Python. The rules themselves are FoundingRule rows (data, not code).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gigunion.founding.models import FoundingRule, RecommendedTarget
from gigunion.orgs.models import OrganizationType
from gigunion.regions.selectors import region_codes_upwards


@dataclass(frozen=True)
class EnterpriseFacts:
    id: int
    region_id: str
    industry: str
    employees: int | None
    gig_workers: int | None
    kind: str
    parent_id: int | None

    @property
    def people(self) -> int | None:
        """Who could join: the larger of the two headcounts (they often overlap; ADR 0005)."""
        known = [n for n in (self.employees, self.gig_workers) if n is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class Recommendation:
    rule_id: int | None
    target: str
    mode: str
    reason: str
    organization_id: int | None


NO_RECOMMENDATION = Recommendation(None, "", "", "", None)


@dataclass
class AreaUnions:
    """The unions that could take an enterprise, indexed by region code (deepest wins)."""

    industry_federations: dict[tuple[str, str], int] = field(default_factory=dict)  # (region, industry) → id
    community: dict[str, int] = field(default_factory=dict)
    joint: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str, str, str]]) -> AreaUnions:
        """Rows of (id, organization_type, region_id, industry), ordered by id so the oldest wins a tie."""
        area = cls()
        for organization_id, organization_type, region_id, industry in rows:
            if organization_type == OrganizationType.INDUSTRY_FEDERATION and industry:
                area.industry_federations.setdefault((region_id, industry), organization_id)
            elif organization_type in (OrganizationType.COMMUNITY, OrganizationType.TOWNSHIP):
                area.community.setdefault(region_id, organization_id)
            elif organization_type == OrganizationType.JOINT:
                area.joint.setdefault(region_id, organization_id)
        return area

    @staticmethod
    def _deepest(index: dict[str, int], region_id: str) -> int | None:
        for code in region_codes_upwards(region_id):
            if code in index:
                return index[code]
        return None

    def industry_federation(self, region_id: str, industry: str) -> int | None:
        if not industry:
            return None
        for code in region_codes_upwards(region_id):
            found = self.industry_federations.get((code, industry))
            if found is not None:
                return found
        return None

    def community_union(self, region_id: str) -> int | None:
        return self._deepest(self.community, region_id)

    def joint_union(self, region_id: str) -> int | None:
        return self._deepest(self.joint, region_id)


class RuleBook:
    """The rule sets in force: the global set, replaced in a federation's region by its own set."""

    def __init__(self, rules: Sequence[FoundingRule], organization_prefixes: dict[int, str]) -> None:
        self.global_rules = [rule for rule in rules if rule.organization_id is None and rule.is_active]
        by_prefix: dict[str, list[FoundingRule]] = {}
        for rule in rules:
            if rule.organization_id is not None and rule.is_active:
                by_prefix.setdefault(organization_prefixes[rule.organization_id], []).append(rule)
        # Deepest (longest) prefix first, so the nearest federation's set wins.
        self.local = sorted(by_prefix.items(), key=lambda item: -len(item[0]))

    def rules_for(self, region_id: str) -> list[FoundingRule]:
        for prefix, rules in self.local:
            if region_id.startswith(prefix):
                return rules
        return self.global_rules


def _holds(rule: FoundingRule, facts: EnterpriseFacts, head_union: int | None, federation: int | None) -> bool:
    people = facts.people
    if rule.min_people is not None and (people is None or people < rule.min_people):
        return False
    if rule.max_people is not None and (people is None or people > rule.max_people):
        return False
    if rule.kinds and facts.kind not in rule.kinds:
        return False
    if rule.needs_head_union and head_union is None:
        return False
    return not (rule.needs_industry_federation and federation is None)


def recommend(
    facts: EnterpriseFacts, *, rules: Sequence[FoundingRule], covered_by: dict[int, int], area: AreaUnions
) -> Recommendation:
    """The first rule that holds, with the union that would take the enterprise (if one exists)."""
    head_union = covered_by.get(facts.parent_id) if facts.parent_id is not None else None
    federation = area.industry_federation(facts.region_id, facts.industry)
    for rule in rules:
        if not _holds(rule, facts, head_union, federation):
            continue
        organization_id = {
            RecommendedTarget.HEAD_ENTERPRISE_UNION: head_union,
            RecommendedTarget.INDUSTRY_FEDERATION: federation,
            RecommendedTarget.COMMUNITY_UNION: area.community_union(facts.region_id),
            RecommendedTarget.JOINT_UNION: area.joint_union(facts.region_id),
        }.get(RecommendedTarget(rule.target))
        return Recommendation(rule.pk, rule.target, rule.founding_mode, rule.name, organization_id)
    return NO_RECOMMENDATION
