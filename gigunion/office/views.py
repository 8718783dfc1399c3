from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gigunion.enterprises.access import enterprises_visible_to
from gigunion.founding.access import worklist_items_visible_to
from gigunion.founding.models import Coverage
from gigunion.founding.selectors import applications_awaiting, founding_rate, worklist_summary
from gigunion.jobs.services import job_live
from gigunion.office.appeal_measures import appeal_home_figures
from gigunion.office.common import is_htmx, jurisdiction_context, staff_required
from gigunion.office.members import member_counts
from gigunion.orgs import access
from gigunion.orgs.models import OrganizationType, UnionOrganization
from gigunion.orgs.selectors import organization_children, staff_of_organization
from gigunion.orgs.services import organization_join_approval_set, staff_phone_reveal
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_ancestors, region_children

JOB_TITLES = {
    "enterprises.import": gettext_lazy("Import enterprises"),
    "unions.import": gettext_lazy("Import union organizations"),
    "members.import": gettext_lazy("Import members"),
    "roster.import": gettext_lazy("Import a worker roster"),
    "worklist.refresh": gettext_lazy("Recompute the pending-founding worklist"),
    "stations.import": gettext_lazy("Import stations"),
    "hotspots.import": gettext_lazy("Import demand hotspots"),
}
FEDERATION_TYPES = [OrganizationType.NATIONAL_FEDERATION, OrganizationType.FEDERATION]


def root_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("office:home")


class LoginView(auth_views.LoginView):
    template_name = "office/login.html"
    redirect_authenticated_user = True


def _breadcrumbs(request: HttpRequest, region: Region) -> list[Region]:
    jurisdiction = access.require_jurisdiction(request.user)
    return [r for r in region_ancestors(region) if jurisdiction.covers_region(r.code)]


def _region_rows(request: HttpRequest, regions: list[Region]) -> list[dict[str, Any]]:
    counts = access.organization_counts_by_region(request.user, regions=regions)
    return [{"region": region, "organizations": counts[region.code]} for region in regions]


@staff_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = jurisdiction_context(request)
    organization: UnionOrganization = context["home_organization"]
    region = organization.region
    visible_organizations = access.organizations_visible_to(request.user)
    items = worklist_items_visible_to(request.user)
    children = list(region_children(region=region, with_counts=True))
    context.update(
        {
            "region": region,
            "children": _region_rows(request, children),
            "counts": {
                "organizations": visible_organizations.count(),
                "grassroots": visible_organizations.exclude(organization_type__in=FEDERATION_TYPES).count(),
                "staff": access.staff_visible_to(request.user).count(),
                "regions": access.regions_visible_to(request.user).count(),
                "enterprises": enterprises_visible_to(request.user).count(),
            },
            "worklist": worklist_summary(items),
            "rate": founding_rate(items),
            "awaiting": applications_awaiting(context["jurisdiction"]).count(),
            "membership": member_counts(request),
            "appeals": appeal_home_figures(request),
        }
    )
    return render(request, "office/home.html", context)


@staff_required
@require_GET
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = access.region_for_staff(request.user, code=code)
    children = list(region_children(region=region, with_counts=True))
    organizations = access.organizations_visible_to(request.user).filter(region=region).select_related("region")
    context = jurisdiction_context(request)
    context.update(
        {
            "region": region,
            "breadcrumbs": _breadcrumbs(request, region),
            "children": _region_rows(request, children),
            "organizations": organizations,
        }
    )
    template = "office/_region_children.html" if is_htmx(request) else "office/region_detail.html"
    return render(request, template, context)


@staff_required
@require_GET
def organization_list(request: HttpRequest) -> HttpResponse:
    organizations = access.organizations_visible_to(request.user).select_related("region", "parent")
    query = request.GET.get("q", "").strip()
    if query:
        organizations = organizations.filter(name__icontains=query)
    organization_type = request.GET.get("type", "")
    if organization_type in OrganizationType.values:
        organizations = organizations.filter(organization_type=organization_type)
    grassroots = request.GET.get("grassroots") == "1"
    if grassroots:
        organizations = organizations.exclude(organization_type__in=FEDERATION_TYPES)
    page = Paginator(organizations, 50).get_page(request.GET.get("page"))
    context = jurisdiction_context(request)
    context.update(
        {
            "page": page,
            "query": query,
            "selected_type": organization_type,
            "grassroots": grassroots,
            "types": OrganizationType.choices,
        }
    )
    return render(request, "office/organization_list.html", context)


@staff_required
@require_GET
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = access.organization_for_staff(request.user, organization_id=organization_id)
    context = jurisdiction_context(request)
    context.update(
        {
            "organization": organization,
            "parent_visible": organization.parent is not None
            and context["jurisdiction"].covers_organization(organization.parent),
            "children": organization_children(organization=organization),
            "staff": staff_of_organization(organization=organization),
            "coverages": Coverage.objects.filter(organization=organization, ended_on__isnull=True)
            .select_related("enterprise__region")
            .order_by("enterprise__name"),
        }
    )
    return render(request, "office/organization_detail.html", context)


@staff_required
@require_POST
def organization_join_approval(request: HttpRequest, organization_id: int) -> HttpResponse:
    """Switch whether workers joining this union wait for approval (入会审核) or join at once."""
    organization = access.organization_for_staff(request.user, organization_id=organization_id, change=True)
    requires = request.POST.get("requires_approval") == "1"
    organization_join_approval_set(
        organization=organization,
        requires_approval=requires,
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(
        request,
        (
            _("Workers joining %(union)s now wait for approval.")
            if requires
            else _("Workers joining %(union)s now become members at once.")
        )
        % {"union": organization.name},
    )
    return redirect("office:organization_detail", organization_id=organization.pk)


@staff_required
@require_GET
def job_progress(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """A job's progress bar; htmx polls it every second until the job finishes."""
    job = job_live(access.job_for_staff(request.user, job_id=job_id))
    if is_htmx(request):
        return render(request, "office/_job_progress.html", {"job": job})
    context = jurisdiction_context(request)
    context["job"] = job
    context["job_title"] = JOB_TITLES.get(job.kind, job.kind)
    return render(request, "office/job_detail.html", context)


@staff_required
@require_GET
def staff_phone(request: HttpRequest, staff_id: int) -> HttpResponse:
    """The unmasked phone, for an administrator who clicks "show"; audited."""
    account = access.staff_account_for_staff(request.user, staff_id=staff_id, reveal=True)
    phone = staff_phone_reveal(account=account, actor=request.user, request=request)
    response = render(request, "office/_revealed.html", {"value": phone})
    response["Cache-Control"] = "no-store"
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": _("Not found."), "details": []}}, status=404)
    return render(request, "errors/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "server_error", "message": _("Something went wrong on our side."), "details": []}},
            status=500,
        )
    return render(request, "errors/500.html", status=500)
