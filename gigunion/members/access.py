"""Who may see or change which members, transfers and join channels: scoped by jurisdiction.

A membership is visible to staff whose organization's subtree holds its union. A person is visible
when any of their memberships is. A transfer is visible to both the sending and the receiving side.
Seeing ID numbers and phones unmasked takes an administrator or the members.view_personal_data
permission, and every such view or export is audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.members.models import JoinChannel, JoinRoute, Membership, MembershipTransfer, Person, TransferStatus
from gigunion.orgs.access import Jurisdiction, require_jurisdiction
from gigunion.regions.selectors import region_ancestor_codes


def memberships_visible_to(user: Any) -> QuerySet[Membership]:
    jurisdiction = require_jurisdiction(user)
    return Membership.objects.select_related("person", "union").filter(
        union__path__startswith=jurisdiction.organization_path
    )


def people_visible_to(user: Any) -> QuerySet[Person]:
    jurisdiction = require_jurisdiction(user)
    visible = Membership.objects.filter(person=OuterRef("pk"), union__path__startswith=jurisdiction.organization_path)
    return Person.objects.filter(Exists(visible))


def person_for_staff(user: Any, *, person_id: int) -> Person:
    person = people_visible_to(user).select_related("work_region", "employer").filter(pk=person_id).first()
    if person is None:
        raise NotVisible()
    return person


def membership_for_staff(user: Any, *, membership_id: int, change: bool = False) -> Membership:
    jurisdiction = require_jurisdiction(user)
    membership = memberships_visible_to(user).filter(pk=membership_id).first()
    if membership is None:
        raise NotVisible()
    if change and not jurisdiction.can_change:
        raise NotAllowed()
    return membership


def transfers_visible_to(user: Any) -> QuerySet[MembershipTransfer]:
    jurisdiction = require_jurisdiction(user)
    path = jurisdiction.organization_path
    return MembershipTransfer.objects.select_related(
        "membership__person", "from_union", "to_union", "requested_by"
    ).filter(Q(from_union__path__startswith=path) | Q(to_union__path__startswith=path))


def transfers_awaiting(user: Any) -> QuerySet[MembershipTransfer]:
    """Transfers into the user's jurisdiction waiting for its decision."""
    jurisdiction = require_jurisdiction(user)
    return transfers_visible_to(user).filter(
        status=TransferStatus.REQUESTED, to_union__path__startswith=jurisdiction.organization_path
    )


def transfer_for_staff(user: Any, *, transfer_id: int) -> MembershipTransfer:
    transfer = transfers_visible_to(user).filter(pk=transfer_id).first()
    if transfer is None:
        raise NotVisible()
    return transfer


def channels_visible_to(user: Any) -> QuerySet[JoinChannel]:
    jurisdiction = require_jurisdiction(user)
    return JoinChannel.objects.select_related("union", "region").filter(
        union__path__startswith=jurisdiction.organization_path
    )


def channel_for_staff(user: Any, *, channel_id: int) -> JoinChannel:
    channel = channels_visible_to(user).filter(pk=channel_id).first()
    if channel is None:
        raise NotVisible()
    return channel


def join_routes_visible_to(user: Any) -> QuerySet[JoinRoute]:
    """The rules that apply in the jurisdiction: its own and those of the regions above it."""
    jurisdiction = require_jurisdiction(user)
    prefix = jurisdiction.region_prefix
    code = prefix.ljust(6, "0") if len(prefix) < 6 else prefix
    above = region_ancestor_codes(code) if prefix else []
    return JoinRoute.objects.select_related("region", "union").filter(
        Q(region__code__startswith=prefix) | Q(region__code__in=above)
    )


def join_route_for_staff(user: Any, *, route_id: int) -> JoinRoute:
    jurisdiction = require_jurisdiction(user)
    route = JoinRoute.objects.select_related("region", "union").filter(pk=route_id).first()
    if route is None or not jurisdiction.covers_region(route.region.code):
        raise NotVisible()
    return route


def may_reveal_personal_data(user: Any, jurisdiction: Jurisdiction | None = None) -> bool:
    """Administrators and staff granted members.view_personal_data may see ID numbers and phones unmasked."""
    jurisdiction = jurisdiction or require_jurisdiction(user)
    return jurisdiction.can_administer or bool(user.has_perm("members.view_personal_data"))
