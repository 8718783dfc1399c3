"""Reads of membership: which union a worker joins, searching members, lapse candidates, counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core import crypto
from gigunion.core.exceptions import DomainError
from gigunion.core.validators import normalize_text
from gigunion.enterprises.models import Enterprise
from gigunion.founding.models import Coverage
from gigunion.members.models import (
    ChannelKind,
    JoinChannel,
    JoinPlace,
    JoinRoute,
    Membership,
    MembershipStatus,
    Person,
)
from gigunion.orgs.models import OrganizationType, UnionOrganization
from gigunion.orgs.services import phone_blind_index
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_codes_upwards

ID_INDEX_PURPOSE = "id_number"
# Unions a worker is placed in when no employer's union and no rule takes them: the deepest
# township or community union of the region, else the county-or-higher federation.
_REGION_FALLBACK_TYPES = {
    OrganizationType.COMMUNITY: 0,
    OrganizationType.TOWNSHIP: 1,
    OrganizationType.FEDERATION: 2,
}


def id_number_index(number: str) -> str:
    return crypto.blind_index(number, purpose=ID_INDEX_PURPOSE)


@dataclass(frozen=True)
class Routing:
    union: UnionOrganization
    routed_by: str  # "channel", "coverage", "rule", "region"


def route_join(
    *,
    work_region: Region,
    occupation: str,
    employer: Enterprise | None,
    join_place: str,
    origin_region_code: str,
    channel: JoinChannel | None = None,
) -> Routing:
    """Which union a worker joins (DOMAIN.md): a union channel's own union; else the union covering
    the employer; else the most specific join rule of the region; else the region's own union.
    Joining at origin (输出地入会) looks at the ID number's region instead of the work region."""
    if channel is not None and channel.kind == ChannelKind.UNION and channel.union.is_active:
        return Routing(channel.union, "channel")
    if join_place == JoinPlace.WORKPLACE and employer is not None:
        coverage = (
            Coverage.objects.select_related("organization")
            .filter(enterprise=employer, ended_on__isnull=True, organization__is_active=True)
            .first()
        )
        if coverage is not None:
            return Routing(coverage.organization, "coverage")
    code = origin_region_code if join_place == JoinPlace.ORIGIN else work_region.code
    codes = region_codes_upwards(code)
    depth = {candidate: index for index, candidate in enumerate(codes)}
    routes = list(
        JoinRoute.objects.select_related("union", "region").filter(
            region__code__in=codes, occupation__in=[occupation, ""], union__is_active=True
        )
    )
    if routes:
        best = min(routes, key=lambda route: (depth[route.region.code], route.occupation == ""))
        return Routing(best.union, "rule")
    unions = list(
        UnionOrganization.objects.filter(
            region__code__in=codes, organization_type__in=list(_REGION_FALLBACK_TYPES), is_active=True
        ).select_related("region")
    )
    if not unions:
        raise DomainError(_("No union takes members in this region yet."), code="no_union")
    best_union = min(
        unions,
        key=lambda union: (
            depth[union.region.code] if union.region else len(codes),
            _REGION_FALLBACK_TYPES[OrganizationType(union.organization_type)],
            union.pk,
        ),
    )
    return Routing(best_union, "region")


def open_membership(person: Person) -> Membership | None:
    return (
        person.memberships.select_related("union")
        .filter(status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE, MembershipStatus.RETAINED])
        .first()
    )


def current_member_union(person: Person) -> UnionOrganization | None:
    membership = open_membership(person)
    if membership is None or membership.status == MembershipStatus.PENDING:
        return None
    return membership.union


_PHONE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_ID_LAST4 = re.compile(r"^\d{3}[\dX]$", re.ASCII)
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$", re.ASCII)


def member_search(memberships: QuerySet[Membership], query: str) -> QuerySet[Membership]:
    """A phone number, the last 4 characters of an ID number, a whole ID number, or part of a name."""
    text = normalize_text(query)
    code = text.upper()
    if not text:
        return memberships
    if _PHONE.match(code):
        return memberships.filter(person__phone_index=phone_blind_index(code))
    if _ID_NUMBER.match(code):
        return memberships.filter(person__id_number_index=id_number_index(code))
    if _ID_LAST4.match(code):
        return memberships.filter(person__id_last4=code)
    return memberships.filter(person__name__icontains=text)


def lapse_candidates(memberships: QuerySet[Membership], *, today: date | None = None) -> QuerySet[Membership]:
    """Active members with no dues and no participation for LAPSE_CANDIDATE_DAYS (a person decides)."""
    cutoff = (today or timezone.localdate()) - timedelta(days=settings.LAPSE_CANDIDATE_DAYS)
    return (
        memberships.filter(status=MembershipStatus.ACTIVE)
        .alias(
            last_sign=Greatest(
                F("joined_on"), Coalesce("last_dues_on", "joined_on"), Coalesce("last_activity_on", "joined_on")
            )
        )
        .filter(last_sign__lt=cutoff)
    )


def channels_with_counts(channels: QuerySet[JoinChannel]) -> QuerySet[JoinChannel]:
    """Each channel with the people who joined through it (pending included) and the members among them."""
    return channels.annotate(
        joins=Count("memberships", distinct=True),
        members=Count(
            "memberships",
            filter=Q(memberships__status__in=[MembershipStatus.ACTIVE, MembershipStatus.RETAINED]),
            distinct=True,
        ),
    )


def membership_counts(memberships: QuerySet[Membership]) -> dict[str, int]:
    """Memberships by status (every status present, zero when none)."""
    counts = dict(memberships.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: int(counts.get(status, 0)) for status in MembershipStatus.values}
