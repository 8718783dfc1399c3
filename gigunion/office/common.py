"""What every back-office view shares: the staff-only decorator, htmx detection, the page context, downloads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.orgs import access

View = Callable[..., HttpResponse]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
# Domain errors a view must not turn into a form message: they answer 403 / 404 (core.middleware).
ACCESS_ERRORS = (NotAllowed, NotVisible)


def is_htmx(request: HttpRequest) -> bool:
    """True for requests htmx made (django-htmx's middleware sets request.htmx)."""
    return bool(getattr(request, "htmx", False))


def staff_required(view: View) -> View:
    """Logged-in union staff only: anonymous users go to the login page, others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if access.jurisdiction_of(request.user) is None:
            raise PermissionDenied(_("This account is not assigned to a union organization."))
        return view(request, *args, **kwargs)

    return wrapper


def jurisdiction_context(request: HttpRequest) -> dict[str, Any]:
    jurisdiction = access.require_jurisdiction(request.user)
    organization = access.organization_for_staff(request.user, organization_id=jurisdiction.organization_id)
    return {"jurisdiction": jurisdiction, "home_organization": organization}


def download(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A file download; the name may be Chinese (RFC 6266 filename*), never cached."""
    response = HttpResponse(data, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def dated(name: str, extension: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}.{extension}"


def int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def revealed_response(
    request: HttpRequest,
    *,
    value: str,
    field: str,
    object_type: str,
    object_id: int,
    region_code: str,
    full_page: Callable[[dict[str, str]], HttpResponse],
) -> HttpResponse:
    """One personal-data field shown unmasked: audited, never cached; the value alone for htmx, else
    the whole page (`full_page(revealed)`) with it filled in. The caller has checked the permission."""
    audit_record(
        action=AuditAction.PERSONAL_DATA_VIEW,
        actor=request.user,
        object_type=object_type,
        object_id=object_id,
        region_code=region_code,
        request=request,
        details={"field": field},
    )
    if is_htmx(request):
        response = render(request, "office/_revealed.html", {"value": value})
    else:
        response = full_page({field: value})
    response["Cache-Control"] = "no-store"
    return response
