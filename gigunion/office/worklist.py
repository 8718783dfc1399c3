"""Back office: the pending-founding worklist (应建未建), founding rates (建会率) and the founding rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.tabular import export_xlsx
from gigunion.enterprises.models import EnterpriseKind
from gigunion.founding import access as founding_access
from gigunion.founding.models import FoundingRule, RecommendedTarget, WorklistState
from gigunion.founding.selectors import (
    WORKLIST_SORTS,
    Rate,
    WorklistFilters,
    founding_rate,
    founding_rates_by,
    founding_rates_by_region,
    rules_in_force,
    worklist_filter,
    worklist_summary,
)
from gigunion.founding.services import founding_rule_save, founding_rules_customize, worklist_item_update
from gigunion.jobs.services import job_enqueue
from gigunion.office.common import (
    ACCESS_ERRORS,
    PAGE_SIZE,
    XLSX,
    dated,
    download,
    int_or_none,
    jurisdiction_context,
    staff_required,
)
from gigunion.orgs import access
from gigunion.orgs.models import FoundingMode, StaffAccount
from gigunion.regions.selectors import region_children, region_codes_upwards


def _filters(request: HttpRequest) -> WorklistFilters:
    region_code = request.GET.get("region", "")
    region_prefix = access.region_for_staff(request.user, code=region_code).prefix if region_code else ""
    return WorklistFilters(
        state=request.GET.get("state", "pending"),
        mode=request.GET.get("mode", "") if request.GET.get("mode", "") in FoundingMode.values else "",
        region_prefix=region_prefix,
        query=request.GET.get("q", "").strip(),
        overdue=request.GET.get("overdue") == "1",
        assignee_id=int_or_none(request.GET.get("assignee")),
        sort=request.GET.get("sort", "region"),
    )


@staff_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    visible = founding_access.worklist_items_visible_to(request.user)
    filters = _filters(request)
    items = worklist_filter(visible, filters)
    if request.GET.get("format") == "xlsx":
        return _worklist_export(items)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = jurisdiction_context(request)
    home_region = context["home_organization"].region
    context.update(
        {
            "page": page,
            "filters": filters,
            "selected_region": request.GET.get("region", ""),
            "summary": worklist_summary(visible),
            "rate": founding_rate(visible),
            "states": WorklistState.choices,
            "modes": FoundingMode.choices,
            "sorts": WORKLIST_SORTS,
            "today": timezone.localdate(),
            "child_regions": list(region_children(region=home_region)) if home_region else [],
            # Only people who hold items here: a city may have thousands of staff accounts.
            "assignees": access.staff_visible_to(request.user)
            .filter(pk__in=visible.filter(assignee__isnull=False).values("assignee_id"))
            .order_by("display_name"),
        }
    )
    return render(request, "office/worklist.html", context)


def _worklist_export(items: Any) -> HttpResponse:
    headers = [
        "单位名称",
        "统一社会信用代码",
        "区划代码",
        "地区",
        "企业类型",
        "职工人数",
        "新就业形态劳动者人数",
        "推荐建会方式",
        "推荐理由",
        "建议加入工会",
        "状态",
        "责任人",
        "完成时限",
        "是否逾期",
        "备注",
    ]

    def rows() -> Any:
        for item in items.iterator(chunk_size=2000):
            enterprise = item.enterprise
            yield [
                enterprise.name,
                enterprise.credit_code,
                item.region_id,
                item.region.name,
                str(enterprise.get_kind_display()),
                enterprise.employees,
                enterprise.gig_workers,
                str(item.get_recommended_mode_display()) if item.recommended_mode else "",
                item.reason,
                item.suggested_organization.name if item.suggested_organization else "",
                str(item.get_state_display()),
                item.assignee.display_name if item.assignee else "",
                item.deadline,
                "是" if item.is_overdue else "",
                item.note,
            ]

    data = export_xlsx(headers, rows(), sheet_title="应建未建台账")
    return download(data, filename=dated("应建未建台账", "xlsx"), content_type=XLSX)


class WorklistItemForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[(value, label) for value, label in WorklistState.choices if value != WorklistState.FOUNDED],
    )
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assigned to"), queryset=StaffAccount.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=gettext_lazy("Note (the reason, for not applicable)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def worklist_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = founding_access.worklist_item_for_staff(request.user, item_id=item_id, change=request.method == "POST")
    form = WorklistItemForm(
        request.POST or None,
        initial={"state": item.state, "assignee": item.assignee, "deadline": item.deadline, "note": item.note},
    )
    # Who may take it: staff of a union whose region holds the enterprise.
    staff = access.staff_visible_to(request.user).filter(
        organization__region__code__in=region_codes_upwards(item.region_id)
    )
    form.fields["assignee"].queryset = staff.order_by("organization__depth", "display_name")  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            worklist_item_update(
                item=item,
                actor=request.user,  # type: ignore[arg-type]
                state=form.cleaned_data["state"],
                assignee=form.cleaned_data["assignee"],
                deadline=form.cleaned_data["deadline"],
                note=form.cleaned_data["note"],
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("office:worklist_item", item_id=item.pk)
    context = jurisdiction_context(request)
    context.update(
        {
            "item": item,
            "form": form,
            "events": item.events.select_related("actor").order_by("-at", "-pk"),
            "today": timezone.localdate(),
            "can_change": context["jurisdiction"].can_change and item.state != WorklistState.FOUNDED,
        }
    )
    return render(request, "office/worklist_item.html", context, status=400 if form.errors else 200)


@staff_required
@require_GET
def founding_rates(request: HttpRequest) -> HttpResponse:
    """建会率 by child region, industry and enterprise kind, each with numerator and denominator."""
    visible = founding_access.worklist_items_visible_to(request.user)
    context = jurisdiction_context(request)
    region = context["home_organization"].region
    selected = request.GET.get("region", "")
    if selected:
        region = access.region_for_staff(request.user, code=selected)
        visible = visible.filter(region__code__startswith=region.prefix)
    children = list(region_children(region=region)) if region else []
    total = founding_rate(visible)
    by_region = [rate for rate in founding_rates_by_region(visible, children) if rate.should]
    # Enterprises registered at this level itself (no lower region given) get their own row, so the rows add up.
    direct = Rate(
        region.code if region else "",
        _("%(region)s itself (no lower region given)") % {"region": region.name if region else ""},
        total.covered - sum(rate.covered for rate in by_region),
        total.should - sum(rate.should for rate in by_region),
    )
    if direct.should and children:
        by_region.append(direct)
    context.update(
        {
            "region": region,
            "total": total,
            "by_region": by_region,
            "by_industry": founding_rates_by(visible, "industry"),
            "by_kind": founding_rates_by(
                visible, "kind", {value: str(label) for value, label in EnterpriseKind.choices}
            ),
            "chart": {
                "labels": [rate.label for rate in by_region],
                "covered": [rate.covered for rate in by_region],
                "pending": [rate.should - rate.covered for rate in by_region],
                "names": [_("Covered"), _("Not yet covered")],
            },
        }
    )
    return render(request, "office/founding_rates.html", context)


class FoundingRuleForm(forms.ModelForm):  # type: ignore[type-arg]
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Enterprise kinds (none: any)"),
        choices=EnterpriseKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FoundingRule
        fields = [
            "priority",
            "name",
            "min_people",
            "max_people",
            "kinds",
            "needs_head_union",
            "needs_industry_federation",
            "target",
            "founding_mode",
            "is_active",
        ]


@staff_required
@require_GET
def founding_rules(request: HttpRequest) -> HttpResponse:
    context = jurisdiction_context(request)
    organization = context["home_organization"]
    own, has_own = founding_access.founding_rules_for_staff(request.user)
    region_code = organization.region.code if organization.region else ""
    context.update(
        {
            "rules": list(own) if has_own else rules_in_force(region_code=region_code),
            "has_own": has_own,
            "targets": dict(RecommendedTarget.choices),
            "kinds": dict(EnterpriseKind.choices),
            "can_customize": _may_write_rules(request),
        }
    )
    return render(request, "office/founding_rules.html", context)


def _may_write_rules(request: HttpRequest) -> bool:
    try:
        founding_access.founding_rules_for_staff(request.user, change=True)
    except NotAllowed:
        return False
    return True


def _refresh_later(request: HttpRequest) -> None:
    jurisdiction = access.require_jurisdiction(request.user)
    job_enqueue(
        kind="worklist.refresh",
        created_by=request.user,  # type: ignore[arg-type]
        organization_id=jurisdiction.organization_id,
        params={"organization_id": jurisdiction.organization_id},
    )


@staff_required
@require_POST
def founding_rules_customize_view(request: HttpRequest) -> HttpResponse:
    founding_access.founding_rules_for_staff(request.user, change=True)
    context = jurisdiction_context(request)
    founding_rules_customize(organization=context["home_organization"])
    messages.success(request, _("Your federation now has its own rules, copied from those in force. Edit them below."))
    return redirect("office:founding_rules")


@staff_required
@require_http_methods(["GET", "POST"])
def founding_rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    if rule_id is None:
        founding_access.founding_rules_for_staff(request.user, change=True)
        rule = FoundingRule(organization_id=access.require_jurisdiction(request.user).organization_id)
    else:
        rule = founding_access.founding_rule_for_staff(request.user, rule_id=rule_id)
    form = FoundingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in FoundingRuleForm.Meta.fields}
        try:
            founding_rule_save(rule=rule, values=values)
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            _refresh_later(request)
            messages.success(request, _("Rule saved. The worklist is being recomputed."))
            return redirect("office:founding_rules")
    context = jurisdiction_context(request)
    context.update({"form": form, "rule": rule})
    return render(request, "office/founding_rule_form.html", context, status=400 if form.errors else 200)
