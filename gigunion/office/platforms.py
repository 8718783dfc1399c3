"""Back office: platform partners (平台合作方), their API keys and the calls they make (ADR 0007).

Staff see the platforms whose agreement is held by a federation in their jurisdiction; only
administrators create or change platforms and issue, rotate or revoke keys. A new key's full text
exists once: it is rendered into the answer to the POST that made it (never cached, never put in
the session or a message) and only a hash of its secret is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.office.common import ACCESS_ERRORS, int_or_none, jurisdiction_context, staff_required
from gigunion.orgs import access
from gigunion.orgs.models import OrganizationType, UnionOrganization
from gigunion.platforms import access as platforms_access
from gigunion.platforms.models import ApiCall, ApiKey, Platform, Scope
from gigunion.platforms.services import IssuedKey, api_key_issue, api_key_revoke, api_key_rotate, platform_save

RECENT_CALLS = 100
FIGURES_HOURS = 24
DEFAULT_GRACE_HOURS = 24
FEDERATION_TYPES = (OrganizationType.FEDERATION, OrganizationType.NATIONAL_FEDERATION)


def _actor(request: HttpRequest) -> User:
    """The logged-in staff user (staff_required has let only them through)."""
    return cast(User, request.user)


def _require_administer(request: HttpRequest) -> None:
    if not access.require_jurisdiction(request.user).can_administer:
        raise NotAllowed(_("Only administrators manage platform partners and their API keys."))


def _federations(request: HttpRequest) -> QuerySet[UnionOrganization]:
    """The federations of the jurisdiction that may hold a platform's agreement."""
    return (
        access.organizations_visible_to(request.user)
        .filter(organization_type__in=FEDERATION_TYPES, is_active=True)
        .order_by("path")
    )


class PlatformForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Code"), max_length=32, help_text=gettext_lazy("e.g. manbang, haohuo, meituan")
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Federation holding the agreement"), queryset=UnionOrganization.objects.none()
    )


class PlatformEditForm(PlatformForm):
    is_active = forms.BooleanField(
        label=gettext_lazy("Active (its keys work)"),
        required=False,
    )


class KeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name (where the key is used, e.g. production)"), max_length=64, required=False
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    rate_per_minute = forms.IntegerField(
        label=gettext_lazy("Requests per minute"), min_value=1, max_value=100_000, initial=600
    )


def _platform_form(request: HttpRequest, form_class: type[PlatformForm], **kwargs: Any) -> PlatformForm:
    form = form_class(request.POST if request.method == "POST" else None, **kwargs)
    form.fields["organization"].queryset = _federations(request)  # type: ignore[attr-defined]
    return form


def _with_figures(platforms: QuerySet[Platform], *, now: datetime) -> QuerySet[Platform]:
    """Each platform with its usable keys and its calls of the last 24 hours, in one query."""
    usable = (
        ApiKey.objects.filter(platform=OuterRef("pk"), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by()
        .values("platform")
        .annotate(count=Count("pk"))
        .values("count")
    )
    calls = (
        ApiCall.objects.filter(platform=OuterRef("pk"), created_at__gte=now - timedelta(hours=FIGURES_HOURS))
        .order_by()
        .values("platform")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return platforms.annotate(
        usable_keys=Coalesce(Subquery(usable, output_field=IntegerField()), 0),
        recent_calls=Coalesce(Subquery(calls, output_field=IntegerField()), 0),
    )


# ---------------------------------------------------------------------------------------------
# The list and a new platform
# ---------------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def platform_list(request: HttpRequest) -> HttpResponse:
    """The platforms of the jurisdiction with their usable keys and recent calls; administrators add one."""
    jurisdiction = access.require_jurisdiction(request.user)
    if request.method == "POST":
        _require_administer(request)
    form = _platform_form(request, PlatformForm)
    if request.method == "POST" and form.is_valid():
        try:
            platform = platform_save(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                organization=form.cleaned_data["organization"],
                actor=_actor(request),
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The platform partner “%(name)s” is added.") % {"name": platform.name})
            return redirect("office:platform_detail", platform_id=platform.pk)
    platforms = _with_figures(platforms_access.platforms_visible_to(request.user), now=timezone.now())
    context = jurisdiction_context(request)
    context.update(
        {
            "platforms": platforms.order_by("name"),
            "form": form,
            "may_administer": jurisdiction.can_administer,
            "hours": FIGURES_HOURS,
        }
    )
    return render(request, "office/platform_list.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# One platform: its details, keys and calls
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRow:
    key: ApiKey
    scopes: list[str]
    state: str  # in_use, rotated, expired, revoked
    may_rotate: bool
    may_revoke: bool


def _key_rows(platform: Platform, *, now: datetime, may_administer: bool) -> list[KeyRow]:
    labels = dict(Scope.choices)
    keys = platform.api_keys.select_related("replaced_by", "created_by__staff_account")
    rows = []
    for key in keys.order_by("-created_at", "-pk"):
        if key.revoked_at is not None:
            state = "revoked"
        elif key.expires_at is not None and key.expires_at <= now:
            state = "expired"
        elif key.expires_at is not None:
            state = "rotated"
        else:
            state = "in_use"
        rows.append(
            KeyRow(
                key=key,
                scopes=[str(labels.get(scope, scope)) for scope in key.scopes],
                state=state,
                may_rotate=may_administer and state == "in_use",
                may_revoke=may_administer and state in ("in_use", "rotated"),
            )
        )
    return rows


def _render_detail(
    request: HttpRequest,
    platform: Platform,
    *,
    edit_form: PlatformForm | None = None,
    key_form: KeyForm | None = None,
) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    now = timezone.now()
    calls = platforms_access.api_calls_visible_to(request.user, platform=platform)
    since = now - timedelta(hours=FIGURES_HOURS)
    figures = calls.filter(created_at__gte=since).aggregate(
        total=Count("pk"),
        success=Count("pk", filter=Q(status__gte=200, status__lt=300)),
        client_errors=Count("pk", filter=Q(status__gte=400, status__lt=500)),
        server_errors=Count("pk", filter=Q(status__gte=500)),
    )
    if edit_form is None and jurisdiction.can_administer:
        edit_form = PlatformEditForm(
            initial={
                "code": platform.code,
                "name": platform.name,
                "organization": platform.organization_id,
                "is_active": platform.is_active,
            },
            prefix="platform",
        )
        edit_form.fields["organization"].queryset = _federations(request)  # type: ignore[attr-defined]
    if key_form is None and jurisdiction.can_administer:
        key_form = KeyForm(prefix="key")
    context = jurisdiction_context(request)
    context.update(
        {
            "platform": platform,
            "keys": _key_rows(platform, now=now, may_administer=jurisdiction.can_administer),
            "calls": calls.order_by("-created_at", "-pk")[:RECENT_CALLS],
            "figures": figures,
            "hours": FIGURES_HOURS,
            "recent_calls": RECENT_CALLS,
            "may_administer": jurisdiction.can_administer,
            "edit_form": edit_form,
            "key_form": key_form,
            "default_grace_hours": DEFAULT_GRACE_HOURS,
        }
    )
    has_errors = bool((edit_form is not None and edit_form.errors) or (key_form is not None and key_form.errors))
    return render(request, "office/platform_detail.html", context, status=400 if has_errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def platform_detail(request: HttpRequest, platform_id: int) -> HttpResponse:
    """A platform: its agreement, keys and recent calls; administrators change it here."""
    if request.method == "GET":
        return _render_detail(request, platforms_access.platform_for_staff(request.user, platform_id=platform_id))
    platform = platforms_access.platform_for_staff(request.user, platform_id=platform_id, administer=True)
    form = _platform_form(request, PlatformEditForm, prefix="platform")
    if form.is_valid():
        try:
            platform_save(
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                organization=form.cleaned_data["organization"],
                is_active=form.cleaned_data["is_active"],
                actor=_actor(request),
                platform=platform,
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The platform partner is saved."))
            return redirect("office:platform_detail", platform_id=platform.pk)
    return _render_detail(request, platform, edit_form=form)


# ---------------------------------------------------------------------------------------------
# Keys: issue, rotate, revoke
# ---------------------------------------------------------------------------------------------


def _api_base(request: HttpRequest) -> str:
    """The API's address as the platform calls it (the public address when one is set)."""
    path = "/api/v1/"
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _issued(request: HttpRequest, issued: IssuedKey, *, rotated: ApiKey | None = None) -> HttpResponse:
    """The one page that shows a key's full text: rendered into the POST's answer and never cached."""
    context = jurisdiction_context(request)
    context.update(
        {
            "platform": issued.key.platform,
            "issued": issued,
            "scopes": [str(dict(Scope.choices).get(scope, scope)) for scope in issued.key.scopes],
            "rotated": rotated,
            "api_base": _api_base(request),
            "docs_url": reverse("api-v1:openapi-view"),
        }
    )
    response = render(request, "office/platform_key_issued.html", context)
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def key_issue(request: HttpRequest, platform_id: int) -> HttpResponse:
    """A new key for the platform, shown once."""
    platform = platforms_access.platform_for_staff(request.user, platform_id=platform_id, administer=True)
    form = KeyForm(request.POST, prefix="key")
    if form.is_valid():
        try:
            issued = api_key_issue(
                platform=platform,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                rate_per_minute=form.cleaned_data["rate_per_minute"],
                actor=_actor(request),
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return _issued(request, issued)
    return _render_detail(request, platform, key_form=form)


@staff_required
@require_POST
def key_rotate(request: HttpRequest, key_id: int) -> HttpResponse:
    """A new key with the same name, scopes and limit; the old one keeps working for the grace period."""
    key = platforms_access.api_key_for_staff(request.user, key_id=key_id, administer=True)
    grace_hours = int_or_none(request.POST.get("grace_hours"))
    # A rotated key already has its successor; rotating it again (a resubmitted form) would make a second one.
    if key.replaced_by_id is not None:
        messages.error(request, _("This key was already rotated: rotate its replacement instead."))
    elif grace_hours is None:
        messages.error(request, _("Enter the grace period in hours."))
    else:
        try:
            issued = api_key_rotate(key=key, grace_hours=grace_hours, actor=_actor(request))
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return _issued(request, issued, rotated=key)
    return redirect("office:platform_detail", platform_id=key.platform_id)


@staff_required
@require_POST
def key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    """Stop a key at once."""
    key = platforms_access.api_key_for_staff(request.user, key_id=key_id, administer=True)
    api_key_revoke(key=key, actor=_actor(request))
    messages.success(request, _("The key %(key)s is revoked: it no longer works.") % {"key": key.display})
    return redirect("office:platform_detail", platform_id=key.platform_id)
