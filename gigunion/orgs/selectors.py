from __future__ import annotations

from django.db.models import QuerySet

from gigunion.orgs.models import StaffAccount, UnionOrganization


def organization_children(*, organization: UnionOrganization) -> QuerySet[UnionOrganization]:
    return UnionOrganization.objects.filter(parent=organization).select_related("region").order_by("name")


def staff_of_organization(*, organization: UnionOrganization) -> QuerySet[StaffAccount]:
    return StaffAccount.objects.filter(organization=organization).select_related("user").order_by("display_name")
