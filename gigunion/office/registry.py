"""Back office: the enterprise registry (list, detail, Excel export) and the spreadsheet imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gigunion.core.occupations import Occupation
from gigunion.core.tabular import Column, export_xlsx, template_csv, template_xlsx
from gigunion.enterprises.access import enterprise_for_staff, enterprises_visible_to
from gigunion.enterprises.models import ENTERPRISE_KIND_NAMES, Enterprise, EnterpriseKind
from gigunion.enterprises.services import ENTERPRISE_COLUMNS, breakdown_text
from gigunion.founding.imports import UNION_COLUMNS
from gigunion.founding.models import Coverage, WorklistState
from gigunion.jobs.models import JobFile
from gigunion.jobs.services import job_enqueue
from gigunion.ledger.models import Source, SourceKind
from gigunion.ledger.roster import ROSTER_COLUMNS
from gigunion.members.imports import MEMBER_COLUMNS
from gigunion.office.common import PAGE_SIZE, XLSX, dated, download, jurisdiction_context, staff_required
from gigunion.orgs import access
from gigunion.regions.selectors import region_children
from gigunion.stations.imports import HOTSPOT_COLUMNS, STATION_COLUMNS
from gigunion.surveys.tally import covering_q

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ENTERPRISE_SORTS = {"region": ["region_id", "name"], "name": ["name"], "-gig_workers": ["-gig_workers", "name"]}
_KIND_CHINESE = {kind: name for name, kind in ENTERPRISE_KIND_NAMES.items()}


class RosterImportForm(forms.Form):
    """What a roster upload says besides the file: whose roster it is, and of which date."""

    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=64,
        help_text=gettext_lazy("The platform, department or survey the roster comes from; a new name adds a source."),
        widget=forms.TextInput(attrs={"list": "roster-sources", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind of source"), choices=SourceKind.choices, initial=SourceKind.OTHER)
    as_of = forms.DateField(
        label=gettext_lazy("Data as of"),
        required=False,
        help_text=gettext_lazy("The date the roster describes; today when left blank."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_as_of(self) -> date | None:
        as_of: date | None = self.cleaned_data.get("as_of")
        if as_of is not None and as_of > timezone.localdate():
            raise forms.ValidationError(_("The roster cannot describe a day in the future."))
        return as_of

    def job_params(self) -> dict[str, Any]:
        as_of = self.cleaned_data.get("as_of")
        return {
            "source": self.cleaned_data["source"],
            "source_kind": self.cleaned_data["kind"],
            "as_of": as_of.isoformat() if as_of else "",
        }


@dataclass(frozen=True)
class ImportKind:
    title: Any
    job_kind: str
    columns: list[Column]
    file_stem: str  # the template's file name, in Chinese like the format's title
    form: type[RosterImportForm] | None = None  # inputs besides the file, passed to the job as parameters
    template: str = "office/import.html"


IMPORTS = {
    "enterprises": ImportKind(gettext_lazy("Import enterprises"), "enterprises.import", ENTERPRISE_COLUMNS, "企业名单"),
    "unions": ImportKind(gettext_lazy("Import union organizations"), "unions.import", UNION_COLUMNS, "工会组织名册"),
    "members": ImportKind(gettext_lazy("Import members"), "members.import", MEMBER_COLUMNS, "会员名册"),
    "roster": ImportKind(
        gettext_lazy("Import a worker roster"),
        "roster.import",
        ROSTER_COLUMNS,
        "用工人员名册",
        form=RosterImportForm,
        template="office/import_roster.html",
    ),
    "stations": ImportKind(gettext_lazy("Import stations"), "stations.import", STATION_COLUMNS, "服务站点"),
    "hotspots": ImportKind(gettext_lazy("Import demand hotspots"), "hotspots.import", HOTSPOT_COLUMNS, "需求热点"),
}


def _filtered_enterprises(request: HttpRequest) -> tuple[QuerySet[Enterprise], dict[str, Any]]:
    enterprises = enterprises_visible_to(request.user)
    filters = {
        "q": request.GET.get("q", "").strip(),
        "region": request.GET.get("region", ""),
        "kind": request.GET.get("kind", ""),
        "covered": request.GET.get("covered", ""),
        "occupation": request.GET.get("occupation", ""),
        "sort": request.GET.get("sort", "region"),
    }
    if filters["q"]:
        enterprises = enterprises.filter(Q(name__contains=filters["q"]) | Q(credit_code=filters["q"].upper()))
    if filters["region"]:
        region = access.region_for_staff(request.user, code=filters["region"])
        enterprises = enterprises.filter(region__code__startswith=region.prefix)
    if filters["kind"] in EnterpriseKind.values:
        enterprises = enterprises.filter(kind=filters["kind"])
    if filters["covered"] == "yes":
        enterprises = enterprises.filter(worklist_item__state=WorklistState.FOUNDED)
    elif filters["covered"] == "no":
        enterprises = enterprises.exclude(worklist_item__state=WorklistState.FOUNDED)
    elif filters["covered"] == "now":
        # Covered by a union today, as the survey figures count them (the dashboard links here).
        covering = Coverage.objects.filter(covering_q(timezone.localdate()), enterprise=OuterRef("pk"))
        enterprises = enterprises.filter(Exists(covering))
    if filters["occupation"] in Occupation.values:
        # Employers with gig workers in the occupation (their breakdown lists some), as the survey counts them.
        enterprises = enterprises.filter(**{f"workers_by_occupation__{filters['occupation']}__gt": 0})
    order = ENTERPRISE_SORTS.get(filters["sort"], ENTERPRISE_SORTS["region"])
    return enterprises.select_related("region", "parent", "worklist_item").order_by(*order), filters


def _covering_unions(enterprise_ids: list[int]) -> dict[int, Coverage]:
    coverages = Coverage.objects.filter(enterprise_id__in=enterprise_ids, ended_on__isnull=True)
    return {coverage.enterprise_id: coverage for coverage in coverages.select_related("organization")}


@staff_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    enterprises, filters = _filtered_enterprises(request)
    if request.GET.get("format") == "xlsx":
        return _enterprise_export(request, enterprises)
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    coverage = _covering_unions([enterprise.pk for enterprise in page])
    context = jurisdiction_context(request)
    home_region = context["home_organization"].region
    context.update(
        {
            "page": page,
            "rows": [(enterprise, coverage.get(enterprise.pk)) for enterprise in page],
            "filters": filters,
            "kinds": EnterpriseKind.choices,
            "child_regions": list(region_children(region=home_region)) if home_region else [],
            "occupations": Occupation.choices,
        }
    )
    context["region_listed"] = any(region.code == filters["region"] for region in context["child_regions"])
    return render(request, "office/enterprise_list.html", context)


def _enterprise_export(request: HttpRequest, enterprises: QuerySet[Enterprise]) -> HttpResponse:
    """The filtered list in the import format's columns (so it can be edited and imported back), plus status."""
    headers = [column.header for column in ENTERPRISE_COLUMNS] + ["地区", "涵盖工会", "建会状态"]
    states = dict(WorklistState.choices)

    def rows() -> Any:
        # One pass over the list (offset slices could skip or repeat rows that tie in the ordering),
        # with the covering unions fetched per 2,000 rows.
        stream = enterprises.iterator(chunk_size=2000)
        while chunk := list(islice(stream, 2000)):
            coverage = _covering_unions([enterprise.pk for enterprise in chunk])
            for enterprise in chunk:
                item = getattr(enterprise, "worklist_item", None)
                covering = coverage.get(enterprise.pk)
                yield [
                    enterprise.name,
                    enterprise.credit_code,
                    enterprise.industry,
                    enterprise.region_id,
                    enterprise.address,
                    enterprise.employees,
                    enterprise.gig_workers,
                    _KIND_CHINESE.get(EnterpriseKind(enterprise.kind), ""),
                    enterprise.parent.credit_code if enterprise.parent else "",
                    breakdown_text(enterprise.workers_by_occupation),
                    enterprise.region.name,
                    covering.organization.name if covering else "",
                    str(states[item.state]) if item else "",
                ]

    data = export_xlsx(headers, rows(), sheet_title="企业名单")
    return download(data, filename=dated("企业名单", "xlsx"), content_type=XLSX)


@staff_required
@require_GET
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = enterprise_for_staff(request.user, enterprise_id=enterprise_id)
    jurisdiction = access.require_jurisdiction(request.user)
    context = jurisdiction_context(request)
    context.update(
        {
            "enterprise": enterprise,
            "parent_visible": enterprise.parent is not None and jurisdiction.covers_region(enterprise.parent.region_id),
            "subsidiaries": enterprises_visible_to(request.user).filter(parent=enterprise).select_related("region"),
            "coverages": enterprise.coverages.select_related("organization").order_by("-started_on"),
            "item": getattr(enterprise, "worklist_item", None),
            "breakdown": [
                (Occupation(code).label if code in Occupation.values else code, count)
                for code, count in enterprise.workers_by_occupation.items()
            ],
            "applications": enterprise.founding_applications.select_related("parent").order_by("-created_at"),
        }
    )
    return render(request, "office/enterprise_detail.html", context)


def _import_kind(kind: str) -> ImportKind:
    if kind not in IMPORTS:
        raise Http404()
    return IMPORTS[kind]


@staff_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a spreadsheet: it is imported in the background while the job page shows a progress bar."""
    config = _import_kind(kind)
    jurisdiction = access.require_jurisdiction(request.user)
    error = ""
    form = config.form() if config.form is not None else None
    if request.method == "POST":
        if not jurisdiction.can_change:
            raise PermissionDenied(_("Your role may look but not change."))
        form = config.form(request.POST) if config.form is not None else None
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV or XLSX file.")
        elif upload.size is None or upload.size > MAX_UPLOAD_BYTES:
            error = _("The file is larger than 20 MB: split it into several files.")
        elif upload.size == 0:
            error = _("The file is empty.")
        elif form is not None and not form.is_valid():
            error = _("Correct the details below.")
        else:
            params = {"organization_id": jurisdiction.organization_id, "filename": upload.name}
            if form is not None:
                params.update(form.job_params())
            job = job_enqueue(
                kind=config.job_kind,
                created_by=request.user,  # type: ignore[arg-type]
                organization_id=jurisdiction.organization_id,
                params=params,
                input_file=(upload.name or "upload", upload.read()),
            )
            messages.info(request, _("The file was received and is being imported."))
            return redirect("office:job_progress", job_id=job.pk)
    context = jurisdiction_context(request)
    context.update({"config": config, "kind": kind, "error": error, "columns": config.columns, "form": form})
    if config.form is not None:
        context["source_names"] = list(Source.objects.values_list("name", flat=True)[:500])
    return render(request, config.template, context, status=400 if error else 200)


@staff_required
@require_GET
def import_template(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    config = _import_kind(kind)
    if extension not in ("xlsx", "csv"):
        raise Http404()
    if extension == "xlsx":
        data, content_type = template_xlsx(config.columns, sheet_title=config.file_stem), XLSX
    else:
        data, content_type = template_csv(config.columns), "text/csv; charset=utf-8"
    return download(data, filename=f"{config.file_stem}模板.{extension}", content_type=content_type)


@staff_required
@require_GET
def job_errors(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The rejected rows of an import as CSV (row, column, message)."""
    job = access.job_for_staff(request.user, job_id=job_id)
    job_file = JobFile.objects.filter(job=job, purpose=JobFile.ERRORS).first()
    if job_file is None:
        raise Http404()
    return download(bytes(job_file.data), filename=dated("rejected-rows", "csv"), content_type=job_file.content_type)
