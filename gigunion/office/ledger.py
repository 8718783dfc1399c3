"""Back office: the worker ledger's reconciliation (清底数) against the members, and the lists behind it.

The overview shows an area's workers, members and membership rate (numerator and denominator), by
child region × occupation and by source; every number links to the list of workers it counts. The
list filters, pages and exports; names, ID numbers and phones are masked unless the user may see
them unmasked (members.access rules), and every export and every unmasked view is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gigunion.core.exceptions import NotAllowed
from gigunion.core.models import AuditAction
from gigunion.core.occupations import OCCUPATION_NAMES, Occupation
from gigunion.core.services import audit_record
from gigunion.core.tabular import export_xlsx
from gigunion.ledger import access as ledger_access
from gigunion.ledger.models import Sighting, Source, Worker
from gigunion.ledger.roster import ROSTER_COLUMNS
from gigunion.ledger.selectors import (
    MEMBER,
    MEMBER_STATUS_CHOICES,
    MEMBER_STATUS_VALUES,
    NOT_MEMBER,
    PENDING,
    Figure,
    members_not_in_ledger,
    people_in,
    reconciliation,
    worker_member_status,
    worker_person,
    workers_filtered,
    workers_with_member_status,
)
from gigunion.members import access as members_access
from gigunion.office.common import (
    PAGE_SIZE,
    XLSX,
    dated,
    download,
    int_or_none,
    jurisdiction_context,
    revealed_response,
    staff_required,
)
from gigunion.orgs import access
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_children

# The export: the roster's columns (FORMATS.md 用工人员名册), so an unmasked export imports back; then the rest.
WORKER_EXPORT_HEADERS = [column.header for column in ROSTER_COLUMNS] + ["入会状态", "名册来源", "首次出现", "最近出现"]
_OCCUPATION_CHINESE: dict[str, str] = {str(code): name for name, code in reversed(list(OCCUPATION_NAMES.items()))}
_STATUS_CHINESE = {MEMBER: "会员", PENDING: "待审批", NOT_MEMBER: "未入会"}
REVEAL_FIELDS = ("name", "id_number", "phone")


def _active(text: str | None) -> bool | None:
    return {"1": True, "0": False}.get(text or "")


def _area(request: HttpRequest, context: dict[str, Any]) -> Region | None:
    """The region asked for (?region=CODE, 404 outside the jurisdiction), else the user's own."""
    code = request.GET.get("region", "")
    if code:
        return access.region_for_staff(request.user, code=code)
    home: Region | None = context["home_organization"].region
    return home


# ---------------------------------------------------------------------------------------------
# The reconciliation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A figure with the list behind each of its numbers."""

    figure: Figure
    links: dict[str, str]
    drill_down: str = ""


def _list_url(figure: Figure, *, status: str = "", active: bool | None = None) -> str:
    query = QueryDict(mutable=True)
    if figure.region:
        query["region"] = figure.region
    if figure.outside_children:
        query["unplaced"] = "1"
    if figure.occupation:
        query["occupation"] = figure.occupation
    if figure.source_id is not None:
        query["source"] = str(figure.source_id)
    if status:
        query["status"] = status
    if active is not None:
        query["active"] = "1" if active else "0"
    url = reverse("office:ledger_workers")
    return f"{url}?{query.urlencode()}" if query else url


def _row(figure: Figure, *, active: bool | None, drill_down: str = "") -> Row:
    return Row(
        figure=figure,
        links={
            "workers": _list_url(figure, active=active),
            "members": _list_url(figure, status=MEMBER, active=active),
            "pending": _list_url(figure, status=PENDING, active=active),
            "not_joined": _list_url(figure, status=NOT_MEMBER, active=active),
        },
        drill_down=drill_down,
    )


@staff_required
@require_GET
def ledger_overview(request: HttpRequest) -> HttpResponse:
    """清底数: workers, members and membership rate of the area, by region × occupation and by source."""
    context = jurisdiction_context(request)
    region = _area(request, context)
    active = _active(request.GET.get("active"))
    result = reconciliation(region=region, active=active)
    home = context["home_organization"].region
    active_query = "" if active is None else f"&active={'1' if active else '0'}"

    def drill_down(figure: Figure) -> str:
        if figure.outside_children or region is None or figure.region == region.code:
            return ""
        return f"{reverse('office:ledger')}?region={figure.region}{active_query}"

    regions = [
        (
            _row(figure, active=active, drill_down=drill_down(figure)),
            [_row(cell, active=active) for cell in result.occupations_of(figure)],
        )
        for figure in result.by_region
    ]
    context.update(
        {
            "region": region,
            "parent": region.parent if region is not None and home is not None and region.code != home.code else None,
            "result": result,
            "active": "" if active is None else ("1" if active else "0"),
            "total": _row(result.total, active=active),
            "regions": regions,
            "occupations": [_row(figure, active=active) for figure in result.by_occupation],
            "sources": [(source, _row(source.figure, active=active)) for source in result.by_source],
            "unlisted_url": reverse("office:ledger_unlisted_members")
            + (f"?region={region.code}" if region is not None else ""),
            "chart": {
                "labels": [figure.label for figure in result.by_region],
                "covered": [figure.members for figure in result.by_region],
                "pending": [figure.workers - figure.members for figure in result.by_region],
                "names": [_("Members"), _("Not yet members")],
            },
        }
    )
    return render(request, "office/ledger_overview.html", context)


# ---------------------------------------------------------------------------------------------
# The list behind the figures, and its export
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerFilters:
    region: Region | None
    unplaced: bool
    occupation: str
    source: Source | None
    platform: str
    status: str
    active: bool | None


def _worker_filters(request: HttpRequest) -> WorkerFilters:
    code = request.GET.get("region", "")
    occupation = request.GET.get("occupation", "")
    status = request.GET.get("status", "")
    source_id = int_or_none(request.GET.get("source"))
    return WorkerFilters(
        region=access.region_for_staff(request.user, code=code) if code else None,
        unplaced=request.GET.get("unplaced") == "1" and bool(code),
        occupation=occupation if occupation in Occupation.values else "",
        source=Source.objects.filter(pk=source_id).first() if source_id is not None else None,
        platform=request.GET.get("platform", "").strip()[:64],
        status=status if status in MEMBER_STATUS_VALUES else "",
        active=_active(request.GET.get("active")),
    )


def _filtered_workers(request: HttpRequest, filters: WorkerFilters) -> QuerySet[Worker]:
    outside: list[str] = []
    if filters.unplaced and filters.region is not None:
        outside = [child.prefix for child in region_children(region=filters.region)]
    return workers_filtered(
        ledger_access.workers_visible_to(request.user),
        region_prefix=filters.region.prefix if filters.region is not None else "",
        outside_prefixes=outside,
        occupation=filters.occupation,
        source_id=filters.source.pk if filters.source is not None else None,
        platform=filters.platform,
        status=filters.status,
        active=filters.active,
    )


def _with_sightings(workers: QuerySet[Worker]) -> QuerySet[Worker]:
    sightings = Sighting.objects.select_related("source").order_by("-last_seen", "pk")
    return workers_with_member_status(workers).prefetch_related(Prefetch("sightings", queryset=sightings))


def _status_of(worker: Any) -> str:
    return MEMBER if worker.is_member else PENDING if worker.is_pending else NOT_MEMBER


@staff_required
@require_GET
def ledger_workers(request: HttpRequest) -> HttpResponse:
    """The workers behind a figure: filters, pager, masked personal data, Excel export."""
    filters = _worker_filters(request)
    workers = _filtered_workers(request, filters)
    jurisdiction = access.require_jurisdiction(request.user)
    may_reveal = ledger_access.may_reveal_personal_data(request.user, jurisdiction)
    if request.GET.get("format") == "xlsx":
        unmasked = request.GET.get("unmasked") == "1"
        if unmasked and not may_reveal:
            raise PermissionDenied(_("Only staff allowed to see personal data may export it unmasked."))
        return _worker_export(request, workers, unmasked=unmasked)
    page = Paginator(_with_sightings(workers.select_related("work_region")).order_by("pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    statuses = dict(MEMBER_STATUS_CHOICES)
    context = jurisdiction_context(request)
    context.update(
        {
            "page": page,
            "rows": [(worker, _status_of(worker), statuses[_status_of(worker)]) for worker in page],
            "filters": filters,
            "occupations": Occupation.choices,
            "sources": Source.objects.order_by("name"),
            "statuses": MEMBER_STATUS_CHOICES,
            "may_reveal": may_reveal,
            "region_children": list(region_children(region=filters.region)) if filters.region is not None else [],
        }
    )
    return render(request, "office/ledger_workers.html", context)


def _worker_export(request: HttpRequest, workers: QuerySet[Worker], *, unmasked: bool) -> HttpResponse:
    """The filtered list in the roster's columns; masked unless asked and allowed. Every export is audited."""
    written = [0]

    def rows() -> Iterator[list[object]]:
        for worker in _with_sightings(workers.select_related("employer")).order_by("pk").iterator(chunk_size=2000):
            sightings: list[Sighting] = list(worker.sightings.all())
            listed = next((sighting for sighting in sightings if sighting.platform or sighting.external_id), None)
            written[0] += 1
            yield [
                worker.name if unmasked else worker.name_masked,
                worker.id_number if unmasked else worker.id_number_masked,
                worker.phone if unmasked else worker.phone_masked,
                _OCCUPATION_CHINESE.get(worker.occupation, worker.occupation),
                listed.platform if listed else "",
                listed.external_id if listed else "",
                worker.employer_name or (worker.employer.name if worker.employer else ""),
                worker.employer.credit_code if worker.employer else "",
                worker.work_region_id,
                "是" if worker.active else "否",
                _STATUS_CHINESE[_status_of(worker)],
                "、".join(sighting.source.name for sighting in sightings),
                worker.first_seen,
                worker.last_seen,
            ]

    data = export_xlsx(WORKER_EXPORT_HEADERS, rows(), sheet_title="用工人员名册")
    jurisdiction = access.require_jurisdiction(request.user)
    audit_record(
        action=AuditAction.PERSONAL_DATA_EXPORT,
        actor=request.user,
        object_type="ledger_workers",
        region_code=jurisdiction.region_prefix,
        request=request,
        details={"rows": written[0], "unmasked": unmasked},
    )
    return download(data, filename=dated("用工人员名册", "xlsx"), content_type=XLSX)


# ---------------------------------------------------------------------------------------------
# One worker
# ---------------------------------------------------------------------------------------------


def _render_worker(request: HttpRequest, worker: Worker, *, revealed: dict[str, str] | None = None) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    status = worker_member_status(worker)
    person = worker_person(worker)
    member_visible = person is not None and members_access.people_visible_to(request.user).filter(pk=person.pk).exists()
    context = jurisdiction_context(request)
    context.update(
        {
            "worker": worker,
            "sightings": Sighting.objects.filter(worker=worker).select_related("source").order_by("-last_seen", "pk"),
            "status": status,
            "status_label": dict(MEMBER_STATUS_CHOICES)[status],
            "person": person if member_visible else None,
            "may_reveal": ledger_access.may_reveal_personal_data(request.user, jurisdiction),
            "revealed": revealed or {},
            "occupation_label": Occupation(worker.occupation).label
            if worker.occupation in Occupation.values
            else worker.occupation,
        }
    )
    return render(request, "office/ledger_worker.html", context)


@staff_required
@require_GET
def ledger_worker(request: HttpRequest, worker_id: int) -> HttpResponse:
    worker = ledger_access.worker_for_staff(request.user, worker_id=worker_id)
    return _render_worker(request, worker)


@staff_required
@require_POST
def ledger_worker_reveal(request: HttpRequest, worker_id: int, field: str) -> HttpResponse:
    """A worker's name, ID number or phone unmasked, for staff allowed to see it; every reveal is audited."""
    if field not in REVEAL_FIELDS:
        raise Http404()
    worker = ledger_access.worker_for_staff(request.user, worker_id=worker_id)
    if not ledger_access.may_reveal_personal_data(request.user):
        raise NotAllowed(_("Only staff allowed to see personal data may show it unmasked."))
    value = {"name": worker.name, "id_number": worker.id_number, "phone": worker.phone}[field]
    return revealed_response(
        request,
        value=value,
        field=field,
        object_type="worker",
        object_id=worker.pk,
        region_code=worker.work_region_id,
        full_page=lambda revealed: _render_worker(request, worker, revealed=revealed),
    )


# ---------------------------------------------------------------------------------------------
# Members in no roster
# ---------------------------------------------------------------------------------------------


@staff_required
@require_GET
def ledger_unlisted_members(request: HttpRequest) -> HttpResponse:
    """Members who work in the area and whom no roster lists: the ledger is missing them."""
    context = jurisdiction_context(request)
    region = _area(request, context)
    person_ids = members_not_in_ledger(region_prefix=region.prefix if region is not None else "")
    page = Paginator(person_ids, PAGE_SIZE).get_page(request.GET.get("page"))
    people = list(people_in(list(page.object_list)))
    visible = set(
        members_access.people_visible_to(request.user)
        .filter(pk__in=[p.pk for p in people])
        .values_list("pk", flat=True)
    )
    context.update({"region": region, "page": page, "rows": [(person, person.pk in visible) for person in people]})
    return render(request, "office/ledger_unlisted_members.html", context)
