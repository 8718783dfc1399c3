"""Back office: founding applications (建会申请), from submission to the founded union."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core.exceptions import DomainError
from gigunion.enterprises.models import Enterprise
from gigunion.founding import access as founding_access
from gigunion.founding.models import OPEN_APPLICATION_STATUSES, ApplicationStatus, FoundingStep
from gigunion.founding.selectors import applications_awaiting
from gigunion.founding.services import (
    application_advance,
    application_may_take_step,
    application_next_step,
    application_reject,
    application_submit,
    application_withdraw,
)
from gigunion.office.common import ACCESS_ERRORS, PAGE_SIZE, int_or_none, jurisdiction_context, staff_required
from gigunion.orgs import access
from gigunion.orgs.models import FoundingMode, OrganizationType, UnionOrganization
from gigunion.regions.selectors import region_codes_upwards

_PARENT_TYPES = [OrganizationType.NATIONAL_FEDERATION, OrganizationType.FEDERATION, OrganizationType.TOWNSHIP]
_NEW_TYPES = [
    (value, label)
    for value, label in OrganizationType.choices
    if value not in (OrganizationType.NATIONAL_FEDERATION, OrganizationType.FEDERATION, OrganizationType.TOWNSHIP)
]


@staff_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    show = request.GET.get("show", "awaiting")
    if show == "awaiting":
        applications = applications_awaiting(jurisdiction)
    else:
        applications = founding_access.applications_visible_to(request.user).select_related("parent", "region")
        if show == "open":
            applications = applications.filter(status__in=OPEN_APPLICATION_STATUSES)
    page = Paginator(applications.order_by("created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = jurisdiction_context(request)
    context.update({"page": page, "show": show, "awaiting_count": applications_awaiting(jurisdiction).count()})
    return render(request, "office/application_list.html", context)


class ApplicationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the union"), max_length=128)
    organization_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=_NEW_TYPES)
    founding_mode = forms.ChoiceField(label=gettext_lazy("Founding mode"), choices=FoundingMode.choices)
    parent = forms.ModelChoiceField(label=gettext_lazy("Higher union"), queryset=UnionOrganization.objects.none())
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=64, required=False)
    expected_members = forms.IntegerField(label=gettext_lazy("Expected members"), min_value=1, required=False)


@staff_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    """A new application for one enterprise (from its worklist item); the higher union approves it."""
    jurisdiction = access.require_jurisdiction(request.user)
    item = founding_access.worklist_item_for_staff(
        request.user, item_id=int_or_none(request.GET.get("item")) or 0, change=True
    )
    enterprise: Enterprise = item.enterprise
    parents = (
        access.organizations_visible_to(request.user)
        .filter(organization_type__in=_PARENT_TYPES, region__code__in=region_codes_upwards(enterprise.region_id))
        .select_related("region")
        .order_by("-depth")
    )
    form = ApplicationForm(
        request.POST or None,
        initial={
            "name": f"{enterprise.name}工会委员会",
            "founding_mode": item.recommended_mode or FoundingMode.STANDALONE,
            "organization_type": OrganizationType.ENTERPRISE,
            "parent": parents.first(),
            "expected_members": enterprise.gig_workers or enterprise.employees,
        },
    )
    form.fields["parent"].queryset = parents  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            application = application_submit(
                actor=request.user,  # type: ignore[arg-type]
                jurisdiction=jurisdiction,
                name=form.cleaned_data["name"].strip(),
                organization_type=form.cleaned_data["organization_type"],
                founding_mode=form.cleaned_data["founding_mode"],
                region=enterprise.region,
                parent=form.cleaned_data["parent"],
                enterprises=[enterprise],
                contact_name=form.cleaned_data["contact_name"],
                expected_members=form.cleaned_data["expected_members"],
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The application was submitted to the higher union."))
            return redirect("office:application_detail", application_id=application.pk)
    context = jurisdiction_context(request)
    context.update({"form": form, "item": item, "enterprise": enterprise})
    return render(request, "office/application_new.html", context, status=400 if form.errors else 200)


class StepForm(forms.Form):
    """The data the next step needs; the view shows only the fields of that step."""

    congress_on = forms.DateField(
        label=gettext_lazy("Date of the member congress"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    congress_attendance = forms.IntegerField(label=gettext_lazy("Members attending"), min_value=1, required=False)
    chair_name = forms.CharField(label=gettext_lazy("Elected chair"), max_length=64, required=False)
    committee_size = forms.IntegerField(label=gettext_lazy("Committee members"), min_value=1, required=False)
    term_start = forms.DateField(
        label=gettext_lazy("Term from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(
        label=gettext_lazy("Term to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    founded_on = forms.DateField(
        label=gettext_lazy("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


STEP_FIELDS = {
    FoundingStep.PREPARATION_APPROVED: ["note"],
    FoundingStep.CONGRESS_HELD: ["congress_on", "congress_attendance", "note"],
    FoundingStep.ELECTION_RECORDED: ["chair_name", "committee_size", "term_start", "term_end", "note"],
    FoundingStep.ELECTION_APPROVED: ["note"],
    FoundingStep.FOUNDED: ["founded_on", "note"],
}


def _step_form(data: Any, step: FoundingStep | None) -> StepForm:
    form = StepForm(data)
    keep = STEP_FIELDS.get(step, []) if step else []
    for name in list(form.fields):
        if name not in keep:
            del form.fields[name]
    return form


@staff_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = founding_access.application_for_staff(request.user, application_id=application_id)
    jurisdiction = access.require_jurisdiction(request.user)
    next_step = application_next_step(application)
    step, by_higher = next_step if next_step else (None, False)
    form = _step_form(request.POST if request.method == "POST" else None, step)
    if request.method == "POST" and form.is_valid():
        try:
            application_advance(
                application=application,
                actor=request.user,  # type: ignore[arg-type]
                jurisdiction=jurisdiction,
                **form.cleaned_data,
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Step recorded."))
            return redirect("office:application_detail", application_id=application.pk)
    context = jurisdiction_context(request)
    context.update(
        {
            "application": application,
            "events": application.events.select_related("actor", "actor_organization").order_by("at", "pk"),
            "enterprises": application.enterprises.select_related("region"),
            "step": step,
            "step_label": FoundingStep(step).label if step else "",
            "by_higher": by_higher,
            "may_act": application_may_take_step(application, jurisdiction, request.user),  # type: ignore[arg-type]
            "may_withdraw": jurisdiction.can_change and application.status in OPEN_APPLICATION_STATUSES,
            "form": form,
            "progress": _progress(application.status),
        }
    )
    return render(request, "office/application_detail.html", context, status=400 if form.errors else 200)


def _progress(status: str) -> list[tuple[str, bool]]:
    """The six statuses of a successful founding, each with whether it has been reached."""
    path = [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.PREPARING,
        ApplicationStatus.CONGRESS_HELD,
        ApplicationStatus.ELECTED,
        ApplicationStatus.APPROVED,
        ApplicationStatus.FOUNDED,
    ]
    reached = path.index(ApplicationStatus(status)) if status in path else -1
    return [(str(ApplicationStatus(value).label), index <= reached) for index, value in enumerate(path)]


@staff_required
@require_POST
def application_close(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    """Reject (the higher union) or withdraw (the applicant side) an application, with a reason."""
    application = founding_access.application_for_staff(request.user, application_id=application_id)
    jurisdiction = access.require_jurisdiction(request.user)
    reason = request.POST.get("reason", "")
    try:
        if action == "reject":
            application_reject(
                application=application,
                actor=request.user,  # type: ignore[arg-type]
                jurisdiction=jurisdiction,
                reason=reason,
            )
        else:
            application_withdraw(
                application=application,
                actor=request.user,  # type: ignore[arg-type]
                jurisdiction=jurisdiction,
                reason=reason,
            )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("office:application_detail", application_id=application.pk)
