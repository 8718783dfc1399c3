"""Back office: members (会员) and the steps of a membership, transfers (会籍转接), join channels
(扫码入会 QR codes and posters) and the join rules (which union a worker joins).

Names are shown in full, ID numbers and phones masked; seeing them unmasked, one at a time or in an
export, takes members.view_personal_data (or an administrator) and is audited.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from typing import Any, cast

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.models import AuditAction
from gigunion.core.occupations import OCCUPATION_NAMES, Occupation
from gigunion.core.services import audit_record
from gigunion.core.tabular import export_xlsx
from gigunion.enterprises.access import enterprises_visible_to
from gigunion.enterprises.models import Enterprise
from gigunion.members import access as members_access
from gigunion.members.imports import MEMBER_COLUMNS
from gigunion.members.models import (
    JOIN_PLACE_NAMES,
    MEMBER_STATUSES,
    OPEN_STATUSES,
    ChannelKind,
    JoinChannel,
    JoinPlace,
    JoinRoute,
    JoinSource,
    Membership,
    MembershipStatus,
    MembershipTransfer,
    Person,
    TransferStatus,
)
from gigunion.members.selectors import (
    channels_with_counts,
    lapse_candidates,
    member_search,
    membership_counts,
    route_join,
)
from gigunion.members.services import (
    channel_create,
    channel_set_open,
    join_route_delete,
    join_route_save,
    membership_approve,
    membership_lapse,
    membership_leave,
    membership_reactivate,
    membership_reject,
    membership_retain,
    transfer_accept,
    transfer_cancel,
    transfer_decline,
    transfer_request,
)
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
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_codes_upwards

# The member list's export: the 会员名册 import columns (FORMATS.md: the roster's, then union, date and
# place), so an unmasked export can be edited and imported back; then what the list shows besides.
MEMBER_EXPORT_HEADERS = [column.header for column in MEMBER_COLUMNS] + [
    "会籍状态",
    "入会途径",
    "会员证号",
    "会籍终止日期",
]
# The first Chinese name of each occupation, as staff write it (core.occupations).
_OCCUPATION_CHINESE: dict[str, str] = {str(code): name for name, code in reversed(list(OCCUPATION_NAMES.items()))}
_JOIN_PLACE_CHINESE = {place: name for name, place in JOIN_PLACE_NAMES.items()}
STATUS_OPEN = "open"
STATUS_ALL = "all"
STATUS_MEMBER = "member"  # active or retained: counted as a member (the survey figures)
REVEAL_FIELDS = ("id_number", "phone")
QR_KINDS = {"png": "image/png", "svg": "image/svg+xml"}


def _actor(request: HttpRequest) -> User:
    """The logged-in staff user (staff_required has let only them through)."""
    return cast(User, request.user)


def _next_or(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on, when it names one of ours; else the fallback view."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


def _require_change(jurisdiction: Jurisdiction) -> None:
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))


# ---------------------------------------------------------------------------------------------
# Member list and export
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFilters:
    q: str
    status: str
    union_id: int | None
    occupation: str
    source: str
    lapse: bool
    region: Region | None = None  # where the person works (the survey's members figure; the dashboard links here)


# A search may be a phone or ID number: it never goes into a URL (server logs, browser history).
# The form posts it; the list keeps it in the session under a short random key that the URL carries.
SEARCHES_SESSION_KEY = "office_member_searches"
SEARCHES_KEPT = 20
FILTER_FIELDS = ("status", "union", "occupation", "source", "lapse", "region")


def _search_remember(request: HttpRequest, text: str) -> str:
    searches: dict[str, str] = dict(request.session.get(SEARCHES_SESSION_KEY, {}))
    key = secrets.token_urlsafe(6)
    searches[key] = text[:100]
    request.session[SEARCHES_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return key


def _search_text(request: HttpRequest) -> str:
    key = request.GET.get("s", "")
    searches = request.session.get(SEARCHES_SESSION_KEY, {})
    return str(searches.get(key, "")) if key and isinstance(searches, dict) else ""


def _search_redirect(request: HttpRequest) -> HttpResponse:
    """The posted filter form as a list URL: the filters in the query string, the search text by key."""
    query = QueryDict(mutable=True)
    for field in FILTER_FIELDS:
        if request.POST.get(field):
            query[field] = request.POST[field]
    text = request.POST.get("q", "").strip()
    if text:
        query["s"] = _search_remember(request, text)
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _member_filters(request: HttpRequest) -> MemberFilters:
    status = request.GET.get("status", STATUS_OPEN)
    occupation = request.GET.get("occupation", "")
    source = request.GET.get("source", "")
    region_code = request.GET.get("region", "")
    return MemberFilters(
        q=_search_text(request).strip(),
        status=status if status in (STATUS_OPEN, STATUS_ALL, STATUS_MEMBER, *MembershipStatus.values) else STATUS_OPEN,
        union_id=int_or_none(request.GET.get("union")),
        occupation=occupation if occupation in Occupation.values else "",
        source=source if source in JoinSource.values else "",
        lapse=request.GET.get("lapse") == "1",
        region=access.region_for_staff(request.user, code=region_code) if region_code else None,
    )


def _filtered_memberships(request: HttpRequest, filters: MemberFilters) -> QuerySet[Membership]:
    memberships = members_access.memberships_visible_to(request.user)
    if filters.status == STATUS_OPEN:
        memberships = memberships.filter(status__in=OPEN_STATUSES)
    elif filters.status == STATUS_MEMBER:
        memberships = memberships.filter(status__in=MEMBER_STATUSES)
    elif filters.status != STATUS_ALL:
        memberships = memberships.filter(status=filters.status)
    if filters.union_id is not None:
        memberships = memberships.filter(union_id=filters.union_id)
    if filters.occupation:
        memberships = memberships.filter(person__occupation=filters.occupation)
    if filters.region is not None:
        memberships = memberships.filter(person__work_region__code__startswith=filters.region.prefix)
    if filters.source:
        memberships = memberships.filter(source=filters.source)
    if filters.lapse:
        memberships = lapse_candidates(memberships)
    if filters.q:
        memberships = member_search(memberships, filters.q)
    return memberships.select_related("person", "union").order_by("-joined_on", "-pk")


@staff_required
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest) -> HttpResponse:
    """Members of the jurisdiction: search, filters, masked ID numbers and phones, Excel export."""
    if request.method == "POST":
        return _search_redirect(request)
    filters = _member_filters(request)
    memberships = _filtered_memberships(request, filters)
    jurisdiction = access.require_jurisdiction(request.user)
    if request.GET.get("format") == "xlsx":
        return _member_export(request, memberships, unmasked=request.GET.get("unmasked") == "1")
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = members_access.memberships_visible_to(request.user)
    context = jurisdiction_context(request)
    context.update(
        {
            "page": page,
            "filters": filters,
            "statuses": MembershipStatus.choices,
            "occupations": Occupation.choices,
            "sources": JoinSource.choices,
            # Only unions that have members here: a city holds thousands of organizations.
            "unions": access.organizations_visible_to(request.user)
            .filter(pk__in=visible.values("union_id"))
            .order_by("path"),
            "may_reveal": members_access.may_reveal_personal_data(request.user, jurisdiction),
        }
    )
    return render(request, "office/member_list.html", context)


def _member_export(request: HttpRequest, memberships: QuerySet[Membership], *, unmasked: bool) -> HttpResponse:
    """The filtered list in the 会员名册 columns; masked unless asked and allowed. Every export is audited."""
    jurisdiction = access.require_jurisdiction(request.user)
    if unmasked and not members_access.may_reveal_personal_data(request.user, jurisdiction):
        raise PermissionDenied(_("Only staff allowed to see personal data may export it unmasked."))
    statuses = dict(MembershipStatus.choices)
    sources = dict(JoinSource.choices)
    written = [0]

    def rows() -> Any:
        for membership in memberships.select_related("person__employer", "union").iterator(chunk_size=2000):
            person: Person = membership.person
            written[0] += 1
            yield [
                person.name,
                person.id_number if unmasked else person.id_number_masked,
                person.phone if unmasked else person.phone_masked,
                _OCCUPATION_CHINESE.get(person.occupation, person.occupation),
                person.platform,
                person.external_id,
                person.employer_name or (person.employer.name if person.employer else ""),
                person.employer.credit_code if person.employer else "",
                person.work_region_id,
                "是" if membership.status in (MembershipStatus.ACTIVE, MembershipStatus.PENDING) else "否",
                membership.union.code or membership.union.name,
                membership.joined_on,
                _JOIN_PLACE_CHINESE.get(JoinPlace(membership.join_place), ""),
                str(statuses.get(membership.status, membership.status)),
                str(sources.get(membership.source, membership.source)),
                person.card_number or "",
                membership.ended_on,
            ]

    data = export_xlsx(MEMBER_EXPORT_HEADERS, rows(), sheet_title="会员名册")
    organization = access.organization_for_staff(request.user, organization_id=jurisdiction.organization_id)
    audit_record(
        action=AuditAction.PERSONAL_DATA_EXPORT,
        actor=request.user,
        object_type="member_list",
        region_code=organization.region.code if organization.region else "",
        request=request,
        details={"rows": written[0], "unmasked": unmasked},
    )
    return download(data, filename=dated("会员名册", "xlsx"), content_type=XLSX)


# ---------------------------------------------------------------------------------------------
# Member detail and the steps of a membership
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    needs_reason: bool
    primary: bool = False


ACTIONS = {
    "approve": Action("approve", gettext_lazy("Approve"), needs_reason=False, primary=True),
    "reject": Action("reject", gettext_lazy("Do not approve"), needs_reason=True),
    "retain": Action("retain", gettext_lazy("Retain the membership (between jobs)"), needs_reason=True),
    "reactivate": Action("reactivate", gettext_lazy("Make the membership active again"), needs_reason=False),
    "lapse": Action("lapse", gettext_lazy("Record the membership as lapsed"), needs_reason=True),
    "leave": Action("leave", gettext_lazy("Record leaving the union"), needs_reason=True),
}
ACTIONS_BY_STATUS = {
    MembershipStatus.PENDING: ["approve", "reject"],
    MembershipStatus.ACTIVE: ["retain", "lapse", "leave"],
    MembershipStatus.RETAINED: ["reactivate", "lapse", "leave"],
}
SUCCESS = {
    "approve": gettext_lazy("Approved: the worker is a member now."),
    "reject": gettext_lazy("The application was not approved."),
    "retain": gettext_lazy("The membership is retained."),
    "reactivate": gettext_lazy("The membership is active again."),
    "lapse": gettext_lazy("The membership is recorded as lapsed."),
    "leave": gettext_lazy("Leaving the union is recorded."),
    "transfer": gettext_lazy("The transfer was requested; the receiving union decides."),
}


def _render_member(request: HttpRequest, person: Person, *, revealed: dict[str, str] | None = None) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    memberships = list(person.memberships.select_related("union", "channel").order_by("-joined_on", "-pk"))
    current = next((membership for membership in memberships if membership.is_open), None)
    transfers = list(
        MembershipTransfer.objects.filter(membership__person=person)
        .select_related("from_union", "to_union", "requested_by__staff_account", "decided_by__staff_account")
        .order_by("-requested_at", "-pk")
    )
    open_transfer = next(
        (
            transfer
            for transfer in transfers
            if transfer.status == TransferStatus.REQUESTED
            and current is not None
            and transfer.membership_id == current.pk
        ),
        None,
    )
    may_change = current is not None and jurisdiction.can_change and jurisdiction.covers_organization(current.union)
    actions = (
        [ACTIONS[name] for name in ACTIONS_BY_STATUS.get(MembershipStatus(current.status), [])]
        if (current is not None and may_change)
        else []
    )
    context = jurisdiction_context(request)
    context.update(
        {
            "person": person,
            "current": current,
            "memberships": memberships,
            "events": person.events.select_related("actor__staff_account", "union", "membership").order_by(
                "-created_at", "-pk"
            ),
            "transfers": transfers,
            "open_transfer": open_transfer,
            "actions": actions,
            "may_transfer": may_change
            and current is not None
            and current.status in (MembershipStatus.ACTIVE, MembershipStatus.RETAINED)
            and open_transfer is None,
            "may_cancel_transfer": open_transfer is not None
            and jurisdiction.can_change
            and jurisdiction.covers_organization(open_transfer.from_union),
            "may_decide_transfer": open_transfer is not None
            and jurisdiction.can_change
            and jurisdiction.covers_organization(open_transfer.to_union),
            "may_reveal": members_access.may_reveal_personal_data(request.user, jurisdiction),
            "lapse_candidate": current is not None
            and current.status == MembershipStatus.ACTIVE
            and lapse_candidates(Membership.objects.filter(pk=current.pk)).exists(),
            "revealed": revealed or {},
            "occupation_label": Occupation(person.occupation).label
            if person.occupation in Occupation.values
            else person.occupation,
        }
    )
    return render(request, "office/member_detail.html", context)


@staff_required
@require_GET
def member_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = members_access.person_for_staff(request.user, person_id=person_id)
    return _render_member(request, person)


@staff_required
@require_POST
def member_reveal(request: HttpRequest, person_id: int, field: str) -> HttpResponse:
    """A member's ID number or phone unmasked, for staff allowed to see it; every reveal is audited."""
    if field not in REVEAL_FIELDS:
        raise Http404()
    person = members_access.person_for_staff(request.user, person_id=person_id)
    if not members_access.may_reveal_personal_data(request.user):
        raise NotAllowed(_("Only staff allowed to see personal data may show it unmasked."))
    value = person.id_number if field == "id_number" else person.phone
    return revealed_response(
        request,
        value=value,
        field=field,
        object_type="person",
        object_id=person.pk,
        region_code=person.work_region_id,
        full_page=lambda revealed: _render_member(request, person, revealed=revealed),
    )


def _union_by_code_or_name(text: str) -> UnionOrganization:
    """The active union with this code, or else with exactly this name (any jurisdiction: it decides)."""
    text = " ".join(text.split())
    if not text:
        raise DomainError(_("Enter the receiving union's code or exact name."), code="to_union")
    active = UnionOrganization.objects.filter(is_active=True).select_related("region")
    by_code = active.filter(code=text).first()
    if by_code is not None:
        return by_code
    by_name = list(active.filter(name=text)[:2])
    if not by_name:
        raise DomainError(_("No active union has that code or name."), code="to_union")
    if len(by_name) > 1:
        raise DomainError(_("Several unions have that name: enter the union's code."), code="to_union")
    return by_name[0]


@staff_required
@require_POST
def membership_action(request: HttpRequest, membership_id: int, action: str) -> HttpResponse:
    """One step of a membership: approve, reject, retain, reactivate, lapse, leave, or request a transfer."""
    if action not in ACTIONS and action != "transfer":
        raise Http404()
    jurisdiction = access.require_jurisdiction(request.user)
    membership = members_access.membership_for_staff(request.user, membership_id=membership_id, change=True)
    actor = _actor(request)
    reason = request.POST.get("reason", "")
    try:
        if action == "approve":
            membership_approve(membership=membership, actor=actor, jurisdiction=jurisdiction)
        elif action == "reject":
            membership_reject(membership=membership, actor=actor, jurisdiction=jurisdiction, reason=reason)
        elif action == "retain":
            membership_retain(membership=membership, actor=actor, jurisdiction=jurisdiction, reason=reason)
        elif action == "reactivate":
            membership_reactivate(membership=membership, actor=actor, jurisdiction=jurisdiction)
        elif action == "lapse":
            membership_lapse(membership=membership, actor=actor, jurisdiction=jurisdiction, reason=reason)
        elif action == "leave":
            membership_leave(membership=membership, actor=actor, jurisdiction=jurisdiction, reason=reason)
        else:
            transfer_request(
                membership=membership,
                to_union=_union_by_code_or_name(request.POST.get("to_union", "")),
                actor=actor,
                jurisdiction=jurisdiction,
                reason=reason,
            )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, SUCCESS[action])
    return redirect("office:member_detail", person_id=membership.person_id)


# ---------------------------------------------------------------------------------------------
# Transfers
# ---------------------------------------------------------------------------------------------


@staff_required
@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Transfers into the jurisdiction awaiting its decision, its own requests still open, recent decisions."""
    jurisdiction = access.require_jurisdiction(request.user)
    visible = members_access.transfers_visible_to(request.user).select_related(
        "membership__person", "from_union", "to_union", "requested_by__staff_account", "decided_by__staff_account"
    )
    context = jurisdiction_context(request)
    context.update(
        {
            "incoming": members_access.transfers_awaiting(request.user)
            .select_related("requested_by__staff_account")
            .order_by("requested_at", "pk"),
            "outgoing": visible.filter(
                status=TransferStatus.REQUESTED, from_union__path__startswith=jurisdiction.organization_path
            ).order_by("requested_at", "pk"),
            "decided": visible.exclude(status=TransferStatus.REQUESTED).order_by("-decided_at", "-pk")[:20],
        }
    )
    return render(request, "office/transfer_list.html", context)


TRANSFER_ACTIONS = {"accept", "decline", "cancel"}


@staff_required
@require_POST
def transfer_action(request: HttpRequest, transfer_id: int, action: str) -> HttpResponse:
    """The receiving union accepts or declines (with a reason); the sending union may cancel."""
    if action not in TRANSFER_ACTIONS:
        raise Http404()
    jurisdiction = access.require_jurisdiction(request.user)
    transfer = members_access.transfer_for_staff(request.user, transfer_id=transfer_id)
    _require_change(jurisdiction)
    side = transfer.from_union if action == "cancel" else transfer.to_union
    if not jurisdiction.covers_organization(side):
        raise NotAllowed(
            _("Only the sending union may cancel a transfer.")
            if action == "cancel"
            else _("Only the receiving union may decide on a transfer.")
        )
    actor = _actor(request)
    try:
        if action == "accept":
            transfer_accept(transfer=transfer, actor=actor, jurisdiction=jurisdiction)
            messages.success(
                request,
                _("Transfer accepted: the worker is a member of %(union)s now.") % {"union": transfer.to_union.name},
            )
        elif action == "decline":
            transfer_decline(
                transfer=transfer, actor=actor, jurisdiction=jurisdiction, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Transfer declined."))
        else:
            transfer_cancel(transfer=transfer, actor=actor, jurisdiction=jurisdiction)
            messages.success(request, _("Transfer cancelled."))
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    return _next_or(request, "office:transfer_list")


# ---------------------------------------------------------------------------------------------
# Join channels: QR codes, downloads and posters
# ---------------------------------------------------------------------------------------------


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ChannelKind.choices)
    name = forms.CharField(label=gettext_lazy("Name (the station, event or union)"), max_length=128)
    union = forms.ModelChoiceField(label=gettext_lazy("Union"), queryset=UnionOrganization.objects.none())
    region = forms.CharField(
        label=gettext_lazy("Region preset on the join page (division code; empty: the union's region)"),
        max_length=12,
        required=False,
    )


def _region_in_jurisdiction(jurisdiction: Jurisdiction, code: str) -> Region | None:
    code = code.strip()
    if not code or not jurisdiction.covers_region(code):
        return None
    return Region.objects.filter(code=code).first()


def join_url(request: HttpRequest, channel: JoinChannel) -> str:
    """The address a channel's QR code opens: the worker's join page."""
    path = f"/m/j/{channel.code}/"
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@staff_required
@require_http_methods(["GET", "POST"])
def channel_list(request: HttpRequest) -> HttpResponse:
    """The jurisdiction's QR codes with their joins, and a form for a new one."""
    jurisdiction = access.require_jurisdiction(request.user)
    if request.method == "POST":
        _require_change(jurisdiction)
    form = ChannelForm(request.POST or None)
    form.fields["union"].queryset = (  # type: ignore[attr-defined]
        access.organizations_visible_to(request.user).filter(is_active=True).select_related("region").order_by("path")
    )
    if request.method == "POST" and form.is_valid():
        union: UnionOrganization = form.cleaned_data["union"]
        code = form.cleaned_data["region"] or (union.region.code if union.region else "")
        region = _region_in_jurisdiction(jurisdiction, code)
        if region is None:
            form.add_error("region", _("Enter a division code in your jurisdiction."))
        else:
            try:
                channel = channel_create(
                    kind=ChannelKind(form.cleaned_data["kind"]),
                    name=form.cleaned_data["name"],
                    union=union,
                    region=region,
                    actor=_actor(request),
                    jurisdiction=jurisdiction,
                )
            except ACCESS_ERRORS:
                raise
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The QR code “%(name)s” is ready.") % {"name": channel.name})
                return redirect("office:channel_list")
    channels = channels_with_counts(members_access.channels_visible_to(request.user)).order_by("-created_at", "-pk")
    page = Paginator(channels, PAGE_SIZE).get_page(request.GET.get("page"))
    context = jurisdiction_context(request)
    context.update({"page": page, "form": form})
    return render(request, "office/channel_list.html", context, status=400 if form.errors else 200)


@staff_required
@require_POST
def channel_open(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Close a QR code (its page then refuses joins) or open it again."""
    jurisdiction = access.require_jurisdiction(request.user)
    channel = members_access.channel_for_staff(request.user, channel_id=channel_id)
    _require_change(jurisdiction)
    is_open = request.POST.get("open") == "1"
    channel_set_open(channel=channel, is_open=is_open, jurisdiction=jurisdiction)
    messages.success(
        request,
        (_("The QR code “%(name)s” is open again.") if is_open else _("The QR code “%(name)s” is closed."))
        % {"name": channel.name},
    )
    return redirect("office:channel_list")


def _qr(request: HttpRequest, channel: JoinChannel) -> segno.QRCode:
    return segno.make(join_url(request, channel), error="m")


@staff_required
@require_GET
def channel_qr(request: HttpRequest, channel_id: int, kind: str) -> HttpResponse:
    """The QR code as a PNG (for chat and print shops) or an SVG (for designers)."""
    if kind not in QR_KINDS:
        raise Http404()
    channel = members_access.channel_for_staff(request.user, channel_id=channel_id)
    buffer = io.BytesIO()
    _qr(request, channel).save(buffer, kind=kind, scale=10, border=4)
    return download(buffer.getvalue(), filename=f"{channel.name}-{channel.code}.{kind}", content_type=QR_KINDS[kind])


@staff_required
@require_GET
def channel_poster(request: HttpRequest, channel_id: int) -> HttpResponse:
    """A printable A4 poster: the union, the channel, a big QR code and what to do."""
    channel = members_access.channel_for_staff(request.user, channel_id=channel_id)
    # segno draws the SVG from the QR matrix alone: no text of ours goes into it.
    svg = _qr(request, channel).svg_inline(scale=1, border=2, omitsize=True, svgclass="poster-qr", lineclass=None)
    context = jurisdiction_context(request)
    context.update({"channel": channel, "qr_svg": mark_safe(svg), "join_url": join_url(request, channel)})  # noqa: S308
    return render(request, "office/channel_poster.html", context)


# ---------------------------------------------------------------------------------------------
# Join rules
# ---------------------------------------------------------------------------------------------


class JoinRouteForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("Region (division code)"), max_length=12)
    occupation = forms.ChoiceField(
        label=gettext_lazy("Occupation"),
        choices=[("", gettext_lazy("Any occupation")), *Occupation.choices],
        required=False,
    )
    union = forms.ModelChoiceField(label=gettext_lazy("Union they join"), queryset=UnionOrganization.objects.none())
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class TryRouteForm(forms.Form):
    region = forms.CharField(label=gettext_lazy("Work region (division code)"), max_length=12)
    occupation = forms.ChoiceField(label=gettext_lazy("Occupation"), choices=Occupation.choices)
    credit_code = forms.CharField(
        label=gettext_lazy("Employer's credit code (optional)"), max_length=18, required=False
    )


@dataclass(frozen=True)
class TryResult:
    union: UnionOrganization | None
    reason: str
    rule: JoinRoute | None = None
    employer: Enterprise | None = None
    note: str = ""


def _rule_that_applies(region_code: str, occupation: str, union: UnionOrganization) -> JoinRoute | None:
    """The most specific rule of the region for the occupation (as route_join picks it), for the explanation."""
    codes = region_codes_upwards(region_code)
    depth = {code: index for index, code in enumerate(codes)}
    routes = list(
        JoinRoute.objects.select_related("region", "union").filter(
            region__code__in=codes, occupation__in=[occupation, ""], union=union
        )
    )
    return min(routes, key=lambda route: (depth[route.region.code], route.occupation == "")) if routes else None


def _try_route(request: HttpRequest, jurisdiction: Jurisdiction, form: TryRouteForm) -> TryResult | None:
    if not form.is_valid():
        return None
    region = _region_in_jurisdiction(jurisdiction, form.cleaned_data["region"])
    if region is None:
        form.add_error("region", _("Enter a division code in your jurisdiction."))
        return None
    occupation = form.cleaned_data["occupation"]
    credit_code = form.cleaned_data["credit_code"].strip().upper()
    employer = enterprises_visible_to(request.user).filter(credit_code=credit_code).first() if credit_code else None
    note = (
        _("No enterprise with this credit code is registered in your jurisdiction; tried without an employer.")
        if credit_code and employer is None
        else ""
    )
    try:
        routing = route_join(
            work_region=region,
            occupation=occupation,
            employer=employer,
            join_place=JoinPlace.WORKPLACE,
            origin_region_code=region.code[:6],
        )
    except DomainError as error:
        return TryResult(union=None, reason=error.message, employer=employer, note=note)
    if routing.routed_by == "coverage":
        assert employer is not None
        reason = _("%(employer)s is covered by this union, which comes before any rule.") % {"employer": employer.name}
        return TryResult(union=routing.union, reason=reason, employer=employer, note=note)
    if routing.routed_by == "rule":
        rule = _rule_that_applies(region.code, occupation, routing.union)
        reason = _("The most specific join rule for this region and occupation applies.")
        return TryResult(union=routing.union, reason=reason, rule=rule, employer=employer, note=note)
    reason = _("No employer's union and no join rule applies: the region's own union takes the worker.")
    return TryResult(union=routing.union, reason=reason, employer=employer, note=note)


@staff_required
@require_http_methods(["GET", "POST"])
def join_rules(request: HttpRequest) -> HttpResponse:
    """Which union a worker joins: the order, the rules in force, changes (administrators) and a try-it form."""
    jurisdiction = access.require_jurisdiction(request.user)
    if request.method == "POST" and not jurisdiction.can_administer:
        raise NotAllowed(_("Only administrators set join rules."))
    form = JoinRouteForm(request.POST or None)
    form.fields["union"].queryset = (  # type: ignore[attr-defined]
        access.organizations_visible_to(request.user).filter(is_active=True).select_related("region").order_by("path")
    )
    if request.method == "POST" and form.is_valid():
        region = _region_in_jurisdiction(jurisdiction, form.cleaned_data["region"])
        if region is None:
            form.add_error("region", _("Enter a division code in your jurisdiction."))
        else:
            try:
                join_route_save(
                    region=region,
                    occupation=form.cleaned_data["occupation"],
                    union=form.cleaned_data["union"],
                    note=form.cleaned_data["note"],
                    actor=_actor(request),
                    jurisdiction=jurisdiction,
                )
            except ACCESS_ERRORS:
                raise
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Join rule saved."))
                return redirect("office:join_rules")
    try_form = TryRouteForm(request.GET if "try-region" in request.GET else None, prefix="try")
    result = _try_route(request, jurisdiction, try_form)
    routes = members_access.join_routes_visible_to(request.user).order_by("region__code", "occupation")
    context = jurisdiction_context(request)
    context.update(
        {
            "routes": [
                (route, jurisdiction.can_administer and jurisdiction.covers_region(route.region.code))
                for route in routes
            ],
            "form": form,
            "may_administer": jurisdiction.can_administer,
            "try_form": try_form,
            "result": result,
        }
    )
    return render(request, "office/join_rules.html", context, status=400 if form.errors else 200)


@staff_required
@require_POST
def join_rule_delete(request: HttpRequest, route_id: int) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    route = members_access.join_route_for_staff(request.user, route_id=route_id)
    join_route_delete(route=route, jurisdiction=jurisdiction)
    messages.success(request, _("Join rule deleted."))
    return redirect("office:join_rules")


def member_counts(request: HttpRequest) -> dict[str, int]:
    """The home page's membership figures for the user's jurisdiction."""
    memberships = members_access.memberships_visible_to(request.user)
    by_status = membership_counts(memberships)
    return {
        "members": by_status[MembershipStatus.ACTIVE] + by_status[MembershipStatus.RETAINED],
        "pending_approvals": by_status[MembershipStatus.PENDING],
        "incoming_transfers": members_access.transfers_awaiting(request.user).count(),
        "lapse_candidates": lapse_candidates(memberships).count(),
    }
