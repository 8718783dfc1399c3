from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, object_type="user", object_id=user.pk, request=request)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, object_type="user", object_id=user.pk, request=request)


@receiver(user_login_failed)
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The attempted user name is kept (it is not personal data of a worker); never the password.
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        details={"username": str(credentials.get("username", ""))[:150]},
    )
