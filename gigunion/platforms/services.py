"""Writes for platform partners and their API keys. Every change is audited; secrets are shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.exceptions import DomainError
from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.orgs.models import OrganizationType, UnionOrganization
from gigunion.platforms.models import ApiKey, Platform, Scope

KEY_PREFIX = "gu_"
_PREFIX_BYTES = 6  # 8 characters of base64url: the public half, for finding the key
_SECRET_BYTES = 32  # 256 random bits


@dataclass(frozen=True)
class IssuedKey:
    """A new key and its full text: the only time the text exists outside the caller's hands."""

    key: ApiKey
    text: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _check_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise DomainError(_("Choose at least one of the listed scopes."), code="invalid_scopes")
    return sorted(set(scopes))


def platform_save(
    *,
    code: str,
    name: str,
    organization: UnionOrganization,
    actor: Any = None,
    platform: Platform | None = None,
    is_active: bool = True,
) -> Platform:
    """Create a platform partner (or change one); the data agreement is held by a federation."""
    if organization.organization_type not in (OrganizationType.FEDERATION, OrganizationType.NATIONAL_FEDERATION):
        raise DomainError(_("A platform's data agreement is held by a federation."), code="not_federation")
    code, name = code.strip().lower(), name.strip()
    if not code or not name:
        raise DomainError(_("Give the platform a code and a name."), code="required")
    clash = Platform.objects.filter(code=code) | Platform.objects.filter(name=name)
    if platform is not None:
        clash = clash.exclude(pk=platform.pk)
    if clash.exists():
        raise DomainError(_("Another platform already has this code or name."), code="duplicate")
    with transaction.atomic():
        if platform is None:
            platform = Platform.objects.create(code=code, name=name, organization=organization, is_active=is_active)
        else:
            platform.code, platform.name, platform.organization, platform.is_active = (
                code,
                name,
                organization,
                is_active,
            )
            platform.save()
        audit_record(
            action=AuditAction.PLATFORM_CHANGED,
            actor=actor,
            object_type="platform",
            object_id=platform.pk,
            region_code=organization.region_id or "",
            details={"code": code, "name": name, "active": is_active},
        )
    return platform


def api_key_issue(
    *, platform: Platform, name: str, scopes: list[str], actor: Any = None, rate_per_minute: int = 600
) -> IssuedKey:
    """A new key for a platform. The returned text is shown once; only a hash of its secret is stored."""
    scopes = _check_scopes(scopes)
    if not 1 <= rate_per_minute <= 100_000:
        raise DomainError(_("The rate limit must be between 1 and 100000 requests a minute."), code="invalid_rate")
    name = name.strip() or _("API key")
    for _attempt in range(5):
        prefix = secrets.token_urlsafe(_PREFIX_BYTES).replace("-", "x").replace("_", "y")
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    with transaction.atomic():
        key = ApiKey.objects.create(
            platform=platform,
            name=name[:64],
            prefix=prefix,
            secret_hash=_hash(secret),
            scopes=scopes,
            rate_per_minute=rate_per_minute,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            action=AuditAction.API_KEY_ISSUED,
            actor=actor,
            object_type="api_key",
            object_id=key.pk,
            region_code=platform.organization.region_id or "",
            details={"platform": platform.code, "prefix": prefix, "scopes": scopes},
        )
    return IssuedKey(key=key, text=f"{KEY_PREFIX}{prefix}_{secret}")


def api_key_rotate(*, key: ApiKey, actor: Any = None, grace_hours: int = 24) -> IssuedKey:
    """A new key with the same name, scopes and limit; the old one works `grace_hours` more (0: stops now)."""
    if not key.is_usable() or key.replaced_by_id is not None:
        raise DomainError(_("This key is no longer in use or has already been rotated."), code="key_unusable")
    if not 0 <= grace_hours <= 24 * 30:
        raise DomainError(_("The grace period is between 0 and 720 hours."), code="invalid_grace")
    with transaction.atomic():
        issued = api_key_issue(
            platform=key.platform,
            name=key.name,
            scopes=list(key.scopes),
            actor=actor,
            rate_per_minute=key.rate_per_minute,
        )
        now = timezone.now()
        key.expires_at = now + timedelta(hours=grace_hours)
        if grace_hours == 0:
            key.revoked_at = now
        key.replaced_by = issued.key
        key.save(update_fields=["expires_at", "revoked_at", "replaced_by"])
        audit_record(
            action=AuditAction.API_KEY_ROTATED,
            actor=actor,
            object_type="api_key",
            object_id=key.pk,
            region_code=key.platform.organization.region_id or "",
            details={"prefix": key.prefix, "new_prefix": issued.key.prefix, "grace_hours": grace_hours},
        )
    return issued


def api_key_revoke(*, key: ApiKey, actor: Any = None) -> ApiKey:
    """Stop a key at once."""
    if key.revoked_at is not None:
        return key
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.API_KEY_REVOKED,
            actor=actor,
            object_type="api_key",
            object_id=key.pk,
            region_code=key.platform.organization.region_id or "",
            details={"prefix": key.prefix},
        )
    return key


def api_key_authenticate(text: str) -> ApiKey | None:
    """The usable key this text is, with its platform; None for anything else (same work either way)."""
    if not text.startswith(KEY_PREFIX):
        return None
    prefix, _sep, secret = text[len(KEY_PREFIX) :].partition("_")
    if not prefix or not secret or len(text) > 200:
        return None
    key = ApiKey.objects.select_related("platform__organization").filter(prefix=prefix).first()
    expected = key.secret_hash if key is not None else _hash("")
    if not hmac.compare_digest(expected, _hash(secret)) or key is None:
        return None
    if not key.is_usable() or not key.platform.is_active:
        return None
    return key
