from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gigunion.core import crypto
from gigunion.core.exceptions import DomainError
from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.core.validators import PhoneError, parse_mobile
from gigunion.orgs.models import OrganizationType, StaffAccount, StaffRole, UnionOrganization
from gigunion.regions.models import Region

PHONE_INDEX_PURPOSE = "phone"


def phone_blind_index(phone: str) -> str:
    return crypto.blind_index(phone, purpose=PHONE_INDEX_PURPOSE)


def _check_region_within_parent(*, parent: UnionOrganization | None, region: Region | None) -> None:
    if parent is None:
        return
    if region is None or not region.code.startswith(parent.region_prefix):
        raise DomainError(_("The region of an organization must lie within its parent's region."), code="region")


@transaction.atomic
def organization_create(
    *,
    name: str,
    organization_type: OrganizationType,
    region: Region | None,
    parent: UnionOrganization | None = None,
    code: str | None = None,
    actor: AbstractBaseUser | None = None,
    founding_mode: str = "",
    industry: str = "",
    chair_name: str = "",
    term_start: date | None = None,
    term_end: date | None = None,
    founded_on: date | None = None,
) -> UnionOrganization:
    _check_region_within_parent(parent=parent, region=region)
    if term_start and term_end and term_end < term_start:
        raise DomainError(_("The committee term cannot end before it starts."), code="term")
    if parent is not None and UnionOrganization.objects.filter(parent=parent, name=name).exists():
        raise DomainError(_("An organization of that name already exists under this parent."), code="duplicate")
    organization = UnionOrganization.objects.create(
        name=name,
        organization_type=organization_type,
        region=region,
        parent=parent,
        code=code or None,
        founding_mode=founding_mode,
        industry=industry,
        chair_name=chair_name,
        term_start=term_start,
        term_end=term_end,
        founded_on=founded_on,
        path="",
        depth=parent.depth + 1 if parent else 0,
    )
    organization.path = f"{parent.path if parent else '/'}{organization.pk}/"
    organization.save(update_fields=["path"])
    audit_record(
        action=AuditAction.ORGANIZATION_CREATED,
        actor=actor,
        object_type="organization",
        object_id=organization.pk,
        region_code=region.code if region else "",
        details={"name": name, "parent": parent.pk if parent else None},
    )
    return organization


@transaction.atomic
def organization_move(
    *, organization: UnionOrganization, new_parent: UnionOrganization, actor: AbstractBaseUser | None = None
) -> UnionOrganization:
    """Move an organization (and its whole subtree) under another parent."""
    organization = UnionOrganization.objects.select_for_update().get(pk=organization.pk)
    if new_parent.path.startswith(organization.path):
        raise DomainError(_("An organization cannot move under itself or its own descendants."), code="cycle")
    _check_region_within_parent(parent=new_parent, region=organization.region)
    old_path, new_path = organization.path, f"{new_parent.path}{organization.pk}/"
    depth_shift = new_parent.depth + 1 - organization.depth
    UnionOrganization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_shift,
    )
    UnionOrganization.objects.filter(pk=organization.pk).update(parent=new_parent)
    audit_record(
        action=AuditAction.ORGANIZATION_CHANGED,
        actor=actor,
        object_type="organization",
        object_id=organization.pk,
        region_code=organization.region.code if organization.region else "",
        details={"moved_from": old_path, "moved_to": new_path},
    )
    organization.refresh_from_db()
    return organization


def staff_phone_reveal(
    *, account: StaffAccount, actor: AbstractBaseUser | AnonymousUser, request: HttpRequest | None = None
) -> str:
    """The unmasked phone of a staff account; every reveal is audited."""
    audit_record(
        action=AuditAction.PERSONAL_DATA_VIEW,
        actor=actor,
        object_type="staff",
        object_id=account.pk,
        region_code=account.organization.region.code if account.organization.region else "",
        request=request,
        details={"field": "phone"},
    )
    return str(account.phone)


@transaction.atomic
def staff_account_create(
    *,
    username: str,
    password: str,
    display_name: str,
    organization: UnionOrganization,
    role: StaffRole,
    phone: str = "",
    actor: AbstractBaseUser | None = None,
) -> StaffAccount:
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise DomainError(_("That user name is taken."), code="duplicate")
    normalized_phone = ""
    if phone:
        try:
            normalized_phone = parse_mobile(phone)
        except PhoneError as error:
            raise DomainError(_("Enter a mainland mobile number of 11 digits."), code="phone") from error
    user = user_model.objects.create_user(username=username, password=password)
    account = StaffAccount.objects.create(
        user=user,
        organization=organization,
        role=role,
        display_name=display_name,
        phone=normalized_phone,
        phone_index=phone_blind_index(normalized_phone) if normalized_phone else "",
    )
    audit_record(
        action=AuditAction.STAFF_ASSIGNED,
        actor=actor,
        object_type="staff",
        object_id=account.pk,
        region_code=organization.region.code if organization.region else "",
        details={"organization": organization.pk, "role": role},
    )
    return account


def organization_join_approval_set(
    *, organization: UnionOrganization, requires_approval: bool, actor: AbstractBaseUser | None = None
) -> UnionOrganization:
    """Whether workers joining this union wait for a person's approval (入会审核) or join at once. Audited."""
    if organization.join_requires_approval == requires_approval:
        return organization
    organization.join_requires_approval = requires_approval
    organization.save(update_fields=["join_requires_approval", "updated_at"])
    audit_record(
        action=AuditAction.ORGANIZATION_CHANGED,
        actor=actor,
        object_type="organization",
        object_id=organization.pk,
        region_code=organization.region.code if organization.region else "",
        details={"join_requires_approval": requires_approval},
    )
    return organization
