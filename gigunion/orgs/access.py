"""Who may see or change what: one helper per object kind, scoped by jurisdiction.

A staff user's jurisdiction is their organization's subtree (by materialized path) and the
region prefix that organization stands for. Interfaces never fetch these objects by primary
key themselves: they call the helpers here, which raise NotVisible (answered as 404, the same
as a missing object, so nothing leaks) or NotAllowed (403, visible but not changeable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.jobs.models import Job
from gigunion.orgs.models import StaffAccount, StaffRole, UnionOrganization
from gigunion.regions.models import Region

_CACHE_ATTRIBUTE = "_gigunion_jurisdiction"


@dataclass(frozen=True)
class Jurisdiction:
    organization_id: int
    organization_path: str
    region_prefix: str
    role: StaffRole

    @property
    def can_change(self) -> bool:
        return self.role in (StaffRole.OPERATOR, StaffRole.ADMIN)

    @property
    def can_administer(self) -> bool:
        return self.role == StaffRole.ADMIN

    def covers_region(self, code: str) -> bool:
        return code.startswith(self.region_prefix)

    def covers_organization(self, organization: UnionOrganization) -> bool:
        return organization.path.startswith(self.organization_path)


def jurisdiction_of(user: Any) -> Jurisdiction | None:
    """The user's jurisdiction, or None for anyone who is not active union staff. Cached per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if hasattr(user, _CACHE_ATTRIBUTE):
        cached: Jurisdiction | None = getattr(user, _CACHE_ATTRIBUTE)
        return cached
    account = (
        StaffAccount.objects.select_related("organization__region")
        .filter(user=user, organization__is_active=True)
        .first()
    )
    jurisdiction = None
    if account is not None:
        user.staff_account = account  # caches the reverse one-to-one: pages show the name without a query
        organization = account.organization
        jurisdiction = Jurisdiction(
            organization_id=organization.pk,
            organization_path=organization.path,
            region_prefix=organization.region_prefix,
            role=StaffRole(account.role),
        )
    setattr(user, _CACHE_ATTRIBUTE, jurisdiction)
    return jurisdiction


def require_jurisdiction(user: Any) -> Jurisdiction:
    jurisdiction = jurisdiction_of(user)
    if jurisdiction is None:
        raise NotAllowed("Only union staff may use the back office.")
    return jurisdiction


def _check_change(jurisdiction: Jurisdiction, *, change: bool, administer: bool = False) -> None:
    if administer and not jurisdiction.can_administer:
        raise NotAllowed()
    if change and not jurisdiction.can_change:
        raise NotAllowed()


# Regions -----------------------------------------------------------------------------------


def regions_visible_to(user: Any) -> QuerySet[Region]:
    jurisdiction = require_jurisdiction(user)
    return Region.objects.filter(code__startswith=jurisdiction.region_prefix, is_current=True)


def region_for_staff(user: Any, *, code: str) -> Region:
    jurisdiction = require_jurisdiction(user)
    if not jurisdiction.covers_region(code):
        raise NotVisible()
    try:
        return Region.objects.select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise NotVisible() from None


# Union organizations -------------------------------------------------------------------------


def organizations_visible_to(user: Any) -> QuerySet[UnionOrganization]:
    jurisdiction = require_jurisdiction(user)
    return UnionOrganization.objects.filter(path__startswith=jurisdiction.organization_path)


def organization_for_staff(user: Any, *, organization_id: int, change: bool = False) -> UnionOrganization:
    jurisdiction = require_jurisdiction(user)
    organization = (
        UnionOrganization.objects.select_related("region", "parent")
        .filter(pk=organization_id, path__startswith=jurisdiction.organization_path)
        .first()
    )
    if organization is None:
        raise NotVisible()
    _check_change(jurisdiction, change=change)
    return organization


# Staff accounts ------------------------------------------------------------------------------


def staff_visible_to(user: Any) -> QuerySet[StaffAccount]:
    jurisdiction = require_jurisdiction(user)
    return StaffAccount.objects.select_related("organization__region", "user").filter(
        organization__path__startswith=jurisdiction.organization_path
    )


def staff_account_for_staff(user: Any, *, staff_id: int, change: bool = False, reveal: bool = False) -> StaffAccount:
    """A staff account in the user's jurisdiction. Changing it, or seeing its personal data unmasked, takes an admin."""
    jurisdiction = require_jurisdiction(user)
    account = staff_visible_to(user).filter(pk=staff_id).first()
    if account is None:
        raise NotVisible()
    _check_change(jurisdiction, change=change, administer=change or reveal)
    return account


# Background jobs ---------------------------------------------------------------------------


def job_for_staff(user: Any, *, job_id: UUID) -> Job:
    """A job is visible to whoever started it and to staff whose jurisdiction holds its organization."""
    jurisdiction = require_jurisdiction(user)
    job = Job.objects.select_related("organization").filter(pk=job_id).first()
    if job is None:
        raise NotVisible()
    if job.created_by_id == user.pk:
        return job
    if job.organization is None or not job.organization.path.startswith(jurisdiction.organization_path):
        raise NotVisible()
    return job


def organization_counts_by_region(user: Any, *, regions: list[Region]) -> dict[str, int]:
    """Organizations in the user's jurisdiction under each given region, in one query."""
    if not regions:
        return {}
    aggregates = {
        f"r{region.code}": Count("pk", filter=Q(region__code__startswith=region.prefix)) for region in regions
    }
    result = organizations_visible_to(user).aggregate(**aggregates)
    return {region.code: int(result[f"r{region.code}"] or 0) for region in regions}
