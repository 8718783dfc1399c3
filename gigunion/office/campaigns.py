"""Back office: campaigns (集中行动) — their phases, targets and progress against the current figures.

Any staff role whose jurisdiction holds the union running a campaign, or lies below it, sees the
campaign; operators and administrators of that union (or one above it) change it and its targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.campaigns import services
from gigunion.campaigns.access import (
    campaign_for_staff,
    campaigns_visible_to,
    may_change_campaign,
    target_for_staff,
    targets_visible_to,
)
from gigunion.campaigns.models import Campaign, CampaignPhase, Indicator, PhaseKind
from gigunion.campaigns.selectors import Progress, Status, campaign_is_running, phase_on, targets_progress
from gigunion.campaigns.services import PHASE_ORDER
from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.occupations import KEY_GROUPS, Occupation
from gigunion.office.common import ACCESS_ERRORS, jurisdiction_context, staff_required
from gigunion.orgs import access
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_children

KEY = [str(value) for value in KEY_GROUPS]
STATUS_CLASS = {
    Status.OVERDUE: "alert",
    Status.BEHIND: "warn",
    Status.ON_TRACK: "state-contacted",
    Status.MET: "state-founded",
}
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def dashboard_url(code: str) -> str:
    try:
        base = reverse("office:dashboard")
    except NoReverseMatch:
        base = "/office/dashboard/"
    return f"{base}?region={code}"


def occupations_label(occupations: list[str]) -> str:
    if not occupations:
        return _("All occupations")
    if sorted(occupations) == sorted(KEY):
        return _("The four key groups")
    return "、".join(str(Occupation(code).label) for code in occupations if code in Occupation.values)


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=128)
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=_DATE)
    ends_on = forms.DateField(label=gettext_lazy("To"), widget=_DATE)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in PHASE_ORDER:
            label = PhaseKind(kind).label
            self.fields[f"{kind}_from"] = forms.DateField(
                label=_("%(phase)s: from") % {"phase": label}, required=False, widget=_DATE
            )
            self.fields[f"{kind}_to"] = forms.DateField(
                label=_("%(phase)s: to") % {"phase": label}, required=False, widget=_DATE
            )

    def phases(self) -> dict[str, tuple[date, date]] | None:
        """The phases given (both dates), or None after adding an error for a phase given by half."""
        phases: dict[str, tuple[date, date]] = {}
        for kind in PHASE_ORDER:
            start, end = self.cleaned_data.get(f"{kind}_from"), self.cleaned_data.get(f"{kind}_to")
            if start and end:
                phases[str(kind)] = (start, end)
            elif start or end:
                self.add_error(f"{kind}_from", _("Give both dates of the phase, or neither."))
                return None
        return phases


class TargetForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Region"))
    occupations = forms.MultipleChoiceField(
        label=gettext_lazy("Occupations"),
        choices=Occupation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: all occupations."),
    )
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"), choices=Indicator.choices)
    percent = forms.DecimalField(
        label=gettext_lazy("Target (%)"), min_value=0, max_value=100, decimal_places=2, initial=80
    )
    deadline = forms.DateField(label=gettext_lazy("Deadline"), widget=_DATE)
    responsible = forms.ChoiceField(label=gettext_lazy("Responsible union"))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], unions: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = regions
        cast(forms.ChoiceField, self.fields["responsible"]).choices = unions


def _target_choices(request: HttpRequest, campaign: Campaign) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The regions (the campaign's area and the one below, within the user's) and the unions to name."""
    jurisdiction = access.require_jurisdiction(request.user)
    top: Region | None = campaign.organization.region
    if len(jurisdiction.region_prefix) > len(campaign.organization.region_prefix):
        top = access.organization_for_staff(request.user, organization_id=jurisdiction.organization_id).region
    regions: list[tuple[str, str]] = []
    if top is not None:
        regions.append((top.code, top.name))
    regions += [(child.code, f"— {child.name}") for child in region_children(region=top)]
    unions = [
        (str(union.pk), union.name)
        for union in UnionOrganization.objects.filter(
            path__startswith=campaign.organization.path, is_active=True
        ).filter(path__startswith=jurisdiction.organization_path)[:500]
    ]
    return regions, unions


@dataclass(frozen=True)
class TargetRow:
    progress: Progress
    region_name: str
    occupations: str
    status_class: str
    dashboard: str


def _rows(progress: list[Progress]) -> list[TargetRow]:
    names = dict(
        Region.objects.filter(code__in={row.target.region_code for row in progress}).values_list("code", "name")
    )
    return [
        TargetRow(
            progress=row,
            region_name=names.get(row.target.region_code, row.target.region_code),
            occupations=occupations_label(row.target.occupations),
            status_class=STATUS_CLASS[row.status],
            dashboard=dashboard_url(row.target.region_code),
        )
        for row in progress
    ]


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    running: bool
    phase: CampaignPhase | None
    targets: int
    behind: int


@staff_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns the user sees: running first (with the phase now and the targets behind), then the rest."""
    today = timezone.localdate()
    campaigns = list(campaigns_visible_to(request.user).prefetch_related("phases", "targets__responsible"))
    visible = targets_visible_to(request.user, [target for campaign in campaigns for target in campaign.targets.all()])
    progress = targets_progress(visible, today)
    behind: dict[int, int] = {}
    for row in progress:
        if row.behind:
            behind[row.target.campaign_id] = behind.get(row.target.campaign_id, 0) + 1
    rows = [
        CampaignRow(
            campaign=campaign,
            running=campaign_is_running(campaign, today),
            phase=phase_on(campaign.phases.all(), today),
            targets=sum(1 for target in visible if target.campaign_id == campaign.pk),
            behind=behind.get(campaign.pk, 0),
        )
        for campaign in campaigns
    ]
    rows.sort(key=lambda row: (not row.running, row.campaign.ends_on < today, -row.campaign.starts_on.toordinal()))
    context = jurisdiction_context(request)
    context.update({"rows": rows, "today": today})
    return render(request, "office/campaign_list.html", context)


def _save_campaign(request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> Campaign | None:
    if not form.is_valid():
        return None
    phases = form.phases()
    if phases is None:
        return None
    data = form.cleaned_data
    try:
        if campaign is None:
            return services.campaign_create(
                user=request.user,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                description=data["description"],
                phases=phases,
            )
        return services.campaign_update(
            user=request.user,
            campaign=campaign,
            name=data["name"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            description=data["description"],
            phases=phases,
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        field = error.code if error.code in ("name", "ends_on") else None
        if error.code in PHASE_ORDER:
            field = f"{error.code}_from"
        form.add_error(field, error.message)
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    if not access.require_jurisdiction(request.user).can_change:
        raise NotAllowed(_("Your role may look but not change."))
    form = CampaignForm(request.POST or None)
    if request.method == "POST":
        campaign = _save_campaign(request, form, None)
        if campaign is not None:
            messages.success(request, _("The campaign “%(name)s” is set up.") % {"name": campaign.name})
            return redirect("office:campaign_detail", campaign_id=campaign.pk)
    context = jurisdiction_context(request)
    context.update({"form": form, "campaign": None})
    return render(request, "office/campaign_form.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_for_staff(request.user, campaign_id=campaign_id, change=True)
    if request.method == "POST":
        form = CampaignForm(request.POST)
        saved = _save_campaign(request, form, campaign)
        if saved is not None:
            messages.success(request, _("The campaign is saved."))
            return redirect("office:campaign_detail", campaign_id=saved.pk)
        campaign.refresh_from_db()
    else:
        initial: dict[str, Any] = {
            "name": campaign.name,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "description": campaign.description,
        }
        for phase in campaign.phases.all():
            initial[f"{phase.kind}_from"] = phase.starts_on
            initial[f"{phase.kind}_to"] = phase.ends_on
        form = CampaignForm(initial=initial)
    context = jurisdiction_context(request)
    context.update({"form": form, "campaign": campaign})
    return render(request, "office/campaign_form.html", context)


def _target_form(request: HttpRequest, campaign: Campaign, data: Any = None) -> TargetForm:
    regions, unions = _target_choices(request, campaign)
    initial = {
        "region": regions[0][0] if regions else "",
        "occupations": KEY,
        "indicator": Indicator.MEMBERSHIP_RATE,
        "percent": 80,
        "deadline": campaign.ends_on,
        "responsible": str(campaign.organization_id),
    }
    return TargetForm(data, regions=regions, unions=unions, initial=initial)


def _render_detail(request: HttpRequest, campaign: Campaign, target_form: TargetForm | None) -> HttpResponse:
    today = timezone.localdate()
    jurisdiction = access.require_jurisdiction(request.user)
    phases = list(campaign.phases.all())
    now = phase_on(phases, today)
    changeable = may_change_campaign(jurisdiction, campaign)
    if changeable and target_form is None:
        target_form = _target_form(request, campaign)
    context = jurisdiction_context(request)
    context.update(
        {
            "campaign": campaign,
            "phases": [(phase, phase == now, phase.ends_on < today) for phase in phases],
            "running": campaign_is_running(campaign, today),
            "rows": _rows(
                targets_progress(
                    targets_visible_to(request.user, campaign.targets.select_related("responsible")), today
                )
            ),
            "changeable": changeable,
            "target_form": target_form if changeable else None,
            "key_groups": KEY,
            "today": today,
        }
    )
    return render(request, "office/campaign_detail.html", context)


@staff_required
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_for_staff(request.user, campaign_id=campaign_id)
    return _render_detail(request, campaign, None)


@staff_required
@require_POST
def campaign_target_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_for_staff(request.user, campaign_id=campaign_id, change=True)
    form = _target_form(request, campaign, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        responsible = access.organization_for_staff(request.user, organization_id=int(data["responsible"]))
        try:
            services.target_add(
                user=request.user,
                campaign=campaign,
                region_code=data["region"],
                occupations=data["occupations"],
                indicator=data["indicator"],
                rate=(data["percent"] / 100).quantize(Decimal("0.0001")),
                deadline=data["deadline"],
                responsible=responsible,
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            field = {"rate": "percent"}.get(error.code, error.code)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("The target is added."))
            return redirect("office:campaign_detail", campaign_id=campaign.pk)
    return _render_detail(request, campaign, form)


@staff_required
@require_POST
def campaign_target_remove(request: HttpRequest, campaign_id: int, target_id: int) -> HttpResponse:
    campaign = campaign_for_staff(request.user, campaign_id=campaign_id, change=True)
    target = target_for_staff(request.user, campaign=campaign, target_id=target_id)
    services.target_remove(user=request.user, target=target)
    messages.success(request, _("The target is removed."))
    return redirect("office:campaign_detail", campaign_id=campaign.pk)
