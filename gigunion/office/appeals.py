"""Back office: appeals (诉求), the union staff's side of "有诉必应" (ADR 0010).

The list shows the appeals a staff member's jurisdiction holds or has had escalated to it, overdue ones in
red; an appeal's page shows everything about it with its whole timeline and the forms for every step. Staff
enter appeals from the 12351 hotline, walk-ins and reception days, keep the reception days, the routing
rules and (administrators) the time limits. Everything goes through appeals.access and appeals.services:
another district's appeal answers 404, a viewer's step 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.appeals import services
from gigunion.appeals.access import appeal_for_staff, appeals_visible_to, attachment_for_staff, may_act_on_appeal
from gigunion.appeals.models import (
    DEFAULT_SLA,
    DONE_STATUSES,
    OPEN_STATUSES,
    Appeal,
    Category,
    Channel,
    Complexity,
    EventKind,
    ReceptionDay,
    RoutingRule,
    SlaLimit,
)
from gigunion.appeals.selectors import appeals_matching, overdue_q
from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.core.masking import mask_phone
from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.core.tabular import export_xlsx
from gigunion.members import access as members_access
from gigunion.members.checks import phone_error
from gigunion.office.common import (
    ACCESS_ERRORS,
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
from gigunion.orgs.access import Jurisdiction
from gigunion.orgs.models import StaffAccount, UnionOrganization
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_children, regions_within

STATUS_OPEN, STATUS_DONE, STATUS_ALL = "open", "done", "all"
REGION_SUGGESTIONS = 600
RECEPTION_DAYS_IN_FORM = 60
STATUTORY_LABELS = {
    "mediation": gettext_lazy("Mediation (15 days)"),
    "arbitration_acceptance": gettext_lazy("Arbitration acceptance (5 days)"),
    "arbitration_award": gettext_lazy("Arbitration award (45 days, extendable by 15)"),
    "arbitration_award_extended": gettext_lazy("Arbitration award, extended (60 days)"),
}
# The steps a form on the appeal's page may take through services.appeal_step, by their event kind
# (services.appeal_step says which need a text).
STEPS = {
    "accept": EventKind.ACCEPTED,
    "respond": EventKind.FIRST_RESPONSE,
    "investigate": EventKind.INVESTIGATION,
    "mediate": EventKind.MEDIATION,
    "legal_aid": EventKind.LEGAL_AID,
    "arbitrate": EventKind.ARBITRATION,
    "arbitration_accepted": EventKind.ARBITRATION_ACCEPTED,
    "note": EventKind.NOTE,
    "resolve": EventKind.RESOLVED,
}
ACTIONS = {*STEPS, "pause", "resume", "hand_off", "assign", "close"}
EXPORT_HEADERS = [
    "编号",
    "姓名",
    "电话",
    "类别",
    "复杂程度",
    "渠道",
    "状态",
    "办理工会",
    "上报至",
    "工作地区",
    "用人单位或平台",
    "收到时间",
    "首次答复期限",
    "办结期限",
    "是否超期",
    "评分",
]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealFilters:
    status: str
    category: str
    channel: str
    overdue: bool
    escalated: bool
    region: Region | None
    mine: bool
    q: str


def _filters(request: HttpRequest) -> AppealFilters:
    status = request.GET.get("status", STATUS_OPEN)
    category, channel = request.GET.get("category", ""), request.GET.get("channel", "")
    code = request.GET.get("region", "").strip()
    return AppealFilters(
        status=status if status in (STATUS_OPEN, STATUS_DONE, STATUS_ALL) else STATUS_OPEN,
        category=category if category in Category.values else "",
        channel=channel if channel in Channel.values else "",
        overdue=request.GET.get("overdue") == "1",
        escalated=request.GET.get("escalated") == "1",
        region=access.region_for_staff(request.user, code=code) if code else None,
        mine=request.GET.get("mine") == "1",
        q=request.GET.get("q", "").strip()[:64],
    )


def _filtered(request: HttpRequest, filters: AppealFilters) -> QuerySet[Appeal]:
    jurisdiction = access.require_jurisdiction(request.user)
    appeals = appeals_visible_to(request.user)
    if filters.status == STATUS_OPEN:
        appeals = appeals.filter(status__in=OPEN_STATUSES)
    elif filters.status == STATUS_DONE:
        appeals = appeals.filter(status__in=DONE_STATUSES)
    if filters.category:
        appeals = appeals.filter(category=filters.category)
    if filters.channel:
        appeals = appeals.filter(channel=filters.channel)
    if filters.overdue:
        appeals = appeals.filter(overdue_q(timezone.localdate()))
    if filters.escalated:
        appeals = appeals.filter(escalated_to__path__startswith=jurisdiction.organization_path)
    if filters.region is not None:
        appeals = appeals.filter(work_region__code__startswith=filters.region.prefix)
    if filters.mine:
        appeals = appeals.filter(assignee=_actor(request))
    if filters.q:
        appeals = appeals.filter(Q(number__icontains=filters.q) | Q(contact_name__contains=filters.q))
    # The filters the measures' links carry (the list behind every number).
    appeals = appeals_matching(appeals, request.GET)
    return appeals.order_by("-received_at", "-pk")


@dataclass(frozen=True)
class AppealRow:
    appeal: Appeal
    overdue: bool
    phone_masked: str


@staff_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    """The appeals of the jurisdiction (and those escalated to it): filters, overdue in red, Excel export."""
    services.appeals_escalate()
    filters = _filters(request)
    appeals = _filtered(request, filters)
    if request.GET.get("format") == "xlsx":
        jurisdiction = access.require_jurisdiction(request.user)
        audit_record(
            action=AuditAction.PERSONAL_DATA_EXPORT,
            actor=request.user,
            object_type="appeal_list",
            region_code=jurisdiction.region_prefix,
            request=request,
            details={"rows": appeals.count(), "unmasked": False},
        )
        return _appeal_export(appeals)
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    context = jurisdiction_context(request)
    home: Region | None = context["home_organization"].region
    child_regions = list(region_children(region=home)) if home is not None else []
    if filters.region is not None and filters.region.code not in {region.code for region in child_regions}:
        child_regions.append(filters.region)
    context.update(
        {
            "page": page,
            "rows": [
                AppealRow(appeal, services.appeal_is_overdue(appeal), mask_phone(appeal.contact_phone))
                for appeal in page
            ],
            "filters": filters,
            "categories": Category.choices,
            "channels": Channel.choices,
            "child_regions": child_regions,
            "statuses": [
                (STATUS_OPEN, _("Open")),
                (STATUS_DONE, _("Resolved or closed")),
                (STATUS_ALL, _("All")),
            ],
        }
    )
    return render(request, "office/appeal_list.html", context)


def _appeal_export(appeals: QuerySet[Appeal]) -> HttpResponse:
    """The filtered list; the phone masked (the appeal's page shows it in full, audited)."""
    categories, channels = dict(Category.choices), dict(Channel.choices)
    complexities = dict(Complexity.choices)

    def rows() -> Any:
        for appeal in appeals.iterator(chunk_size=2000):
            yield [
                appeal.number,
                appeal.contact_name,
                mask_phone(appeal.contact_phone),
                str(categories.get(appeal.category, appeal.category)),
                str(complexities.get(appeal.complexity, appeal.complexity)),
                str(channels.get(appeal.channel, appeal.channel)),
                appeal.get_status_display(),
                appeal.union.name,
                appeal.escalated_to.name if appeal.escalated_to else "",
                appeal.work_region.name,
                appeal.employer_name,
                timezone.localtime(appeal.received_at).replace(tzinfo=None),
                appeal.first_response_due,
                appeal.resolution_due,
                "是" if services.appeal_is_overdue(appeal) else "否",
                appeal.rating,
            ]

    data = export_xlsx(EXPORT_HEADERS, rows(), sheet_title="诉求")
    return download(data, filename=dated("诉求", "xlsx"), content_type=XLSX)


# ---------------------------------------------------------------------------------------------
# One appeal: its data, timeline, deadlines, files and the forms for every step
# ---------------------------------------------------------------------------------------------


def _hand_off_choices(request: HttpRequest, appeal: Appeal) -> list[UnionOrganization]:
    """The unions a case may move to: the holder's parents up to the city federation, and the active
    unions within the staff member's jurisdiction."""
    chain: list[UnionOrganization] = []
    parent = appeal.union.parent
    while parent is not None and parent.region is not None and len(parent.region.prefix) >= 4:
        chain.append(parent)
        parent = parent.parent
    within = list(access.organizations_visible_to(request.user).filter(is_active=True).order_by("path")[:500])
    seen = {appeal.union_id}
    choices = []
    for union in chain + within:
        if union.pk not in seen and union.is_active:
            seen.add(union.pk)
            choices.append(union)
    return choices


def _assignee_choices(request: HttpRequest, appeal: Appeal) -> QuerySet[StaffAccount]:
    """Staff of the union holding the case who may act."""
    return (
        access.staff_visible_to(request.user)
        .filter(organization=appeal.union, role__in=["operator", "admin"], user__is_active=True)
        .order_by("display_name", "pk")
    )


def _render_detail(
    request: HttpRequest, appeal: Appeal, *, revealed: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    may_act = may_act_on_appeal(jurisdiction, appeal)
    context = jurisdiction_context(request)
    context.update(
        {
            "appeal": appeal,
            "overdue": services.appeal_is_overdue(appeal),
            "phone_masked": mask_phone(appeal.contact_phone),
            "revealed_phone": (revealed or {}).get("phone", ""),
            "may_reveal": bool(appeal.contact_phone)
            and members_access.may_reveal_personal_data(request.user, jurisdiction),
            "events": appeal.events.select_related("actor__staff_account", "union", "from_union").order_by("at", "pk"),
            "attachments": appeal.attachments.defer("data"),
            "statutory_label": STATUTORY_LABELS.get(appeal.statutory_kind, appeal.statutory_kind),
            "may_act": may_act,
            "is_open": appeal.is_open,
            "paused": appeal.paused_since is not None,
            "hand_off_choices": _hand_off_choices(request, appeal) if may_act and appeal.is_open else [],
            "assignee_choices": _assignee_choices(request, appeal) if may_act else [],
        }
    )
    return render(request, "office/appeal_detail.html", context, status=status)


@staff_required
@require_GET
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return _render_detail(request, appeal_for_staff(request.user, appeal_id=appeal_id))


@staff_required
@require_POST
def appeal_reveal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The worker's phone unmasked, for staff allowed to see personal data; every reveal is audited."""
    appeal = appeal_for_staff(request.user, appeal_id=appeal_id)
    if not members_access.may_reveal_personal_data(request.user):
        raise NotAllowed(_("Only staff allowed to see personal data may show it unmasked."))
    return revealed_response(
        request,
        value=appeal.contact_phone,
        field="phone",
        object_type="appeal",
        object_id=appeal.pk,
        region_code=appeal.work_region_id,
        full_page=lambda revealed: _render_detail(request, appeal, revealed=revealed),
    )


def _act(request: HttpRequest, appeal: Appeal, action: str, jurisdiction: Jurisdiction) -> str:
    """Take one step; returns the message for the page. DomainError for what the rules refuse."""
    actor, text = _actor(request), request.POST.get("text", "")
    if action in STEPS:
        kind = STEPS[action]
        services.appeal_step(appeal=appeal, kind=kind, jurisdiction=jurisdiction, actor=actor, text=text)
        return _("Recorded: %(step)s.") % {"step": EventKind(kind).label}
    if action == "pause":
        services.appeal_pause(appeal=appeal, jurisdiction=jurisdiction, actor=actor, question=text)
        return _("The worker is asked; the clock stops until they answer.")
    if action == "resume":
        services.appeal_resume(appeal=appeal, text=text, actor=actor)
        return _("The worker's answer is recorded; the clock runs again.")
    if action == "close":
        services.appeal_close(appeal=appeal, jurisdiction=jurisdiction, actor=actor, text=text)
        return _("The appeal is closed.")
    if action == "hand_off":
        to_id = int_or_none(request.POST.get("to_union"))
        to_union = next((union for union in _hand_off_choices(request, appeal) if union.pk == to_id), None)
        if to_union is None:
            raise DomainError(_("Choose the union that takes the case."), code="to_union")
        services.appeal_hand_off(appeal=appeal, to_union=to_union, jurisdiction=jurisdiction, actor=actor, reason=text)
        return _("The case is handed to %(union)s; the deadlines stay as they were.") % {"union": to_union.name}
    # assign
    staff_id = int_or_none(request.POST.get("assignee"))
    account = _assignee_choices(request, appeal).filter(pk=staff_id).first() if staff_id else None
    if account is None:
        raise DomainError(_("Choose a staff member of the union holding the case."), code="assignee")
    services.appeal_assign(appeal=appeal, assignee=account.user, jurisdiction=jurisdiction, actor=actor)
    return _("The case is assigned to %(name)s.") % {"name": account.display_name}


@staff_required
@require_POST
def appeal_action(request: HttpRequest, appeal_id: int, action: str) -> HttpResponse:
    """One step of handling, through appeals.services; what the rules refuse is shown on the page (400)."""
    if action not in ACTIONS:
        raise Http404()
    appeal = appeal_for_staff(request.user, appeal_id=appeal_id)
    jurisdiction = access.require_jurisdiction(request.user)
    if not may_act_on_appeal(jurisdiction, appeal):
        raise NotAllowed(_("Your role may look but not change."))
    try:
        message = _act(request, appeal, action, jurisdiction)
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
        return _render_detail(request, appeal_for_staff(request.user, appeal_id=appeal_id), status=400)
    messages.success(request, message)
    try:
        appeal_for_staff(request.user, appeal_id=appeal_id)
    except NotVisible:
        return redirect("office:appeal_list")  # handed to a union outside the jurisdiction
    return redirect("office:appeal_detail", appeal_id=appeal_id)


@staff_required
@require_GET
def appeal_file(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A photo (re-encoded without EXIF, shown inline) or a PDF (downloaded), only to staff who see the appeal."""
    attachment = attachment_for_staff(request.user, attachment_id=attachment_id)
    response = HttpResponse(bytes(attachment.data), content_type=attachment.content_type)
    disposition = "inline" if attachment.content_type == "image/jpeg" else "attachment"
    extension = "jpg" if attachment.content_type == "image/jpeg" else "pdf"
    response["Content-Disposition"] = f'{disposition}; filename="appeal-{attachment.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Staff entry: 12351 hotline, walk-ins, reception days
# ---------------------------------------------------------------------------------------------

STAFF_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.ONLINE]


class AppealEntryForm(forms.Form):
    contact_name = forms.CharField(label=gettext_lazy("Worker's name"), max_length=64)
    contact_phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=32, required=False)
    may_contact = forms.BooleanField(label=gettext_lazy("The worker may be contacted"), required=False, initial=True)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=STAFF_CHANNELS)
    reception_day = forms.TypedChoiceField(label=gettext_lazy("Reception day"), required=False, coerce=int)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    complexity = forms.ChoiceField(
        label=gettext_lazy("Complexity"), choices=Complexity.choices, initial=Complexity.NORMAL
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000
    )
    employer_name = forms.CharField(
        label=gettext_lazy("Employer or platform"),
        max_length=128,
        required=False,
        help_text=gettext_lazy(
            "The exact name in the registry links the enterprise; any other name is kept as written."
        ),
    )
    work_region = forms.CharField(
        label=gettext_lazy("Work region (division code)"),
        max_length=12,
        widget=forms.TextInput(attrs={"list": "appeal-regions", "inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_contact_phone(self) -> str:
        """The same check (and message) as every other phone field: 11 digits from 13 to 19, +86 allowed."""
        phone, message = phone_error(self.cleaned_data.get("contact_phone", ""), required=False)
        if message:
            raise forms.ValidationError(message)
        return phone

    def __init__(self, *args: Any, days: list[ReceptionDay], jurisdiction: Jurisdiction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.jurisdiction = jurisdiction
        self.days = {day.pk: day for day in days}
        field = cast(forms.TypedChoiceField, self.fields["reception_day"])
        field.choices = [("", "—")] + [(day.pk, f"{day.day:%Y-%m-%d} {day.union.name} · {day.host}") for day in days]

    def clean_work_region(self) -> str:
        code = str(self.cleaned_data["work_region"]).strip()
        if not self.jurisdiction.covers_region(code) or not Region.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Choose a region within your jurisdiction."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == Channel.RECEPTION_DAY and not data.get("reception_day"):
            self.add_error("reception_day", _("Choose the reception day the worker came to."))
        if data.get("reception_day") and data.get("channel") != Channel.RECEPTION_DAY:
            self.add_error("channel", _("A case from a reception day takes the channel “Chair's reception day”."))
        return data


def _reception_days(request: HttpRequest) -> QuerySet[ReceptionDay]:
    jurisdiction = access.require_jurisdiction(request.user)
    return ReceptionDay.objects.select_related("union").filter(union__path__startswith=jurisdiction.organization_path)


def _region_suggestions(jurisdiction: Jurisdiction) -> QuerySet[Region]:
    return (
        regions_within(jurisdiction.region_prefix)
        .filter(level__in=["city", "county", "township"])
        .order_by("code")[:REGION_SUGGESTIONS]
    )


@staff_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    """An appeal taken on the 12351 hotline, at the desk or on a chair's reception day."""
    jurisdiction = access.require_jurisdiction(request.user)
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    days = list(_reception_days(request).order_by("-day", "pk")[:RECEPTION_DAYS_IN_FORM])
    initial: dict[str, Any] = {"channel": Channel.HOTLINE, "may_contact": True, "complexity": Complexity.NORMAL}
    chosen_day = int_or_none(request.GET.get("reception_day"))
    if chosen_day in {day.pk for day in days}:
        initial.update({"channel": Channel.RECEPTION_DAY, "reception_day": chosen_day})
    form = AppealEntryForm(request.POST or None, initial=initial, days=days, jurisdiction=jurisdiction)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.appeal_submit(
                data=services.AppealInput(
                    category=data["category"],
                    description=data["description"],
                    work_region=data["work_region"],
                    employer_name=data["employer_name"],
                    may_contact=data["may_contact"],
                    complexity=data["complexity"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                ),
                channel=data["channel"],
                actor=_actor(request),
                reception_day=form.days.get(data["reception_day"]) if data["reception_day"] else None,
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Appeal %(number)s is recorded and routed to %(union)s.")
                % {"number": appeal.number, "union": appeal.union.name},
            )
            if appeals_visible_to(request.user).filter(pk=appeal.pk).exists():
                return redirect("office:appeal_detail", appeal_id=appeal.pk)
            return redirect("office:appeal_list")
    context = jurisdiction_context(request)
    context.update({"form": form, "region_suggestions": _region_suggestions(jurisdiction)})
    return render(request, "office/appeal_new.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# Reception days
# ---------------------------------------------------------------------------------------------


class ReceptionDayForm(forms.Form):
    union = forms.TypedChoiceField(label=gettext_lazy("Union"), coerce=int)
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    host = forms.CharField(
        label=gettext_lazy("Received by"), max_length=64, help_text=gettext_lazy("e.g. the chair's name")
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=128, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes and suggestions heard"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, unions: list[UnionOrganization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["union"]).choices = [(union.pk, union.name) for union in unions]


@staff_required
@require_http_methods(["GET", "POST"])
def reception_days(request: HttpRequest) -> HttpResponse:
    """The chairs' reception days of the jurisdiction, each with the appeals logged on it; and a new one."""
    jurisdiction = access.require_jurisdiction(request.user)
    unions = list(access.organizations_visible_to(request.user).filter(is_active=True).order_by("path")[:500])
    form = ReceptionDayForm(request.POST or None, initial={"union": jurisdiction.organization_id}, unions=unions)
    if request.method == "POST":
        if not jurisdiction.can_change:
            raise NotAllowed(_("Your role may look but not change."))
        if form.is_valid():
            union = next(union for union in unions if union.pk == form.cleaned_data["union"])
            try:
                day = services.reception_day_save(
                    jurisdiction=jurisdiction,
                    union=union,
                    day=form.cleaned_data["day"],
                    host=form.cleaned_data["host"],
                    place=form.cleaned_data["place"],
                    notes=form.cleaned_data["notes"],
                    actor=_actor(request),
                )
            except ACCESS_ERRORS:
                raise
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("The reception day of %(date)s is saved.") % {"date": f"{day.day:%Y-%m-%d}"}
                )
                return redirect("office:reception_days")
    page = Paginator(_reception_days(request).order_by("-day", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    visible = appeals_visible_to(request.user).filter(reception_day__in=list(page)).order_by("received_at", "pk")
    logged: dict[int, list[Appeal]] = {}
    for appeal in visible:
        logged.setdefault(cast(int, appeal.reception_day_id), []).append(appeal)
    context = jurisdiction_context(request)
    context.update(
        {
            "page": page,
            "days": [(day, logged.get(day.pk, [])) for day in page],
            "form": form if jurisdiction.can_change else None,
        }
    )
    return render(request, "office/reception_days.html", context, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# Routing rules and time limits
# ---------------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def appeal_rules(request: HttpRequest) -> HttpResponse:
    """Which union takes the appeals of a region (and category) before the default routing."""
    jurisdiction = access.require_jurisdiction(request.user)
    unions = list(access.organizations_visible_to(request.user).filter(is_active=True).order_by("path")[:500])
    errors: list[str] = []
    if request.method == "POST":
        if not jurisdiction.can_change:
            raise NotAllowed(_("Your role may look but not change."))
        code = request.POST.get("region", "").strip()
        category = request.POST.get("category", "")
        union_id = int_or_none(request.POST.get("union"))
        region = Region.objects.filter(code=code).first() if jurisdiction.covers_region(code) else None
        union = next((union for union in unions if union.pk == union_id), None)
        if region is None:
            errors.append(_("Choose a region within your jurisdiction."))
        if union is None:
            errors.append(_("Choose the union that takes these appeals."))
        if region is not None and union is not None:
            try:
                services.routing_rule_save(
                    jurisdiction=jurisdiction, region=region, category=category, union=union, actor=_actor(request)
                )
            except ACCESS_ERRORS:
                raise
            except DomainError as error:
                errors.append(error.message)
            else:
                messages.success(request, _("The routing rule is saved."))
                return redirect("office:appeal_rules")
    context = jurisdiction_context(request)
    context.update(
        {
            "rules": RoutingRule.objects.select_related("region", "union")
            .filter(region__code__startswith=jurisdiction.region_prefix)
            .order_by("region_id", "category"),
            "unions": unions,
            "categories": Category.choices,
            "region_suggestions": _region_suggestions(jurisdiction),
            "errors": errors,
            "posted": request.POST,
        }
    )
    return render(request, "office/appeal_rules.html", context, status=400 if errors else 200)


@staff_required
@require_POST
def appeal_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    rule = (
        RoutingRule.objects.filter(pk=rule_id, region__code__startswith=jurisdiction.region_prefix)
        .select_related("union")
        .first()
    )
    if rule is None:
        raise NotVisible()
    if not jurisdiction.can_change or not jurisdiction.covers_organization(rule.union):
        raise NotAllowed(_("Your role may look but not change."))
    rule.delete()
    messages.success(request, _("The routing rule is deleted."))
    return redirect("office:appeal_rules")


@dataclass(frozen=True)
class SlaCell:
    complexity: str
    first_response_days: int
    resolution_days: int
    is_default: bool


@staff_required
@require_http_methods(["GET", "POST"])
def appeal_sla(request: HttpRequest) -> HttpResponse:
    """The working days allowed per category × complexity; administrators change them."""
    jurisdiction = access.require_jurisdiction(request.user)
    errors: list[str] = []
    if request.method == "POST":
        if not jurisdiction.can_administer:
            raise NotAllowed(_("Only administrators change the time limits."))
        current = {(limit.category, limit.complexity): limit for limit in SlaLimit.objects.all()}
        for category in Category.values:
            for complexity in Complexity.values:
                first = int_or_none(request.POST.get(f"{category}__{complexity}__first"))
                resolution = int_or_none(request.POST.get(f"{category}__{complexity}__resolution"))
                if first is None or resolution is None:
                    continue
                limit = current.get((category, complexity))
                known = (
                    (limit.first_response_days, limit.resolution_days) if limit else DEFAULT_SLA[Complexity(complexity)]
                )
                if (first, resolution) == known:
                    continue
                try:
                    services.sla_limit_save(
                        jurisdiction=jurisdiction,
                        category=category,
                        complexity=complexity,
                        first_response_days=first,
                        resolution_days=resolution,
                    )
                except ACCESS_ERRORS:
                    raise
                except DomainError as error:
                    errors.append(f"{Category(category).label} · {Complexity(complexity).label}: {error.message}")
        if not errors:
            messages.success(request, _("The time limits are saved. New appeals get them; open ones keep theirs."))
            return redirect("office:appeal_sla")
    limits = {(limit.category, limit.complexity): limit for limit in SlaLimit.objects.all()}
    table = []
    for category, label in Category.choices:
        cells = []
        for complexity in Complexity.values:
            limit = limits.get((category, complexity))
            first, resolution = (
                (limit.first_response_days, limit.resolution_days) if limit else DEFAULT_SLA[Complexity(complexity)]
            )
            cells.append(SlaCell(complexity, first, resolution, limit is None))
        table.append((category, label, cells))
    context = jurisdiction_context(request)
    context.update(
        {
            "table": table,
            "complexities": Complexity.choices,
            "may_edit": jurisdiction.can_administer,
            "errors": errors,
        }
    )
    return render(request, "office/appeal_sla.html", context, status=400 if errors else 200)
