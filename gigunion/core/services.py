from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.http import HttpRequest

from gigunion.core.models import AuditAction, AuditEvent


def audit_record(
    *,
    action: AuditAction,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    object_type: str = "",
    object_id: str | int = "",
    region_code: str = "",
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Personal data never goes into details."""
    user = actor if isinstance(actor, User) else None
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        object_type=object_type,
        object_id=str(object_id),
        region_code=region_code,
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
        details=details or {},
    )
