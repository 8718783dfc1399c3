"""The worker's pages on a phone: join (a channel's QR code, the general page, one tap from a platform),
log in by phone and SMS code, the member card, and the card check for stations and partner merchants.

Server-rendered forms that work without JavaScript; the only script fills the region picker.
Pages that show personal data are never cached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core import ratelimit
from gigunion.core.exceptions import DomainError
from gigunion.core.masking import mask_id_number, mask_phone
from gigunion.core.occupations import Occupation
from gigunion.ledger.invitations import InvitationInvalid, invitation_open
from gigunion.members.checks import (
    CheckedWorker,
    Lookups,
    WorkerInput,
    WorkerInputError,
    phone_error,
    region_for_code,
    worker_check,
)
from gigunion.members.models import (
    JOIN_PLACE_NAMES,
    MEMBER_STATUSES,
    JoinChannel,
    JoinPlace,
    JoinSource,
    MembershipStatus,
    SmsPurpose,
    VerificationResult,
)
from gigunion.members.selectors import open_membership
from gigunion.members.services import (
    JoinOutcome,
    card_token,
    card_verify,
    join_token_read,
    member_join,
    sms_code_check,
    sms_code_send,
    worker_login,
)
from gigunion.mobile.stations import desk_offers
from gigunion.mobile.worker import (
    client_ip,
    current_worker,
    phone_proven,
    phone_proven_forget,
    phone_proven_remember,
    worker_log_in,
    worker_log_out,
)
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_ancestors, region_children

# Code checks (join and log-in) per address: the domain allows 5 tries per code, this bounds guessing
# across many codes. Card checks per address: a busy station scans many cards, a scraper more.
CODE_CHECKS_PER_IP = ratelimit.Limit(count=20, seconds=600)
VERIFY_PER_IP = ratelimit.Limit(count=60, seconds=600)
# Invitation links opened per address: a worker opens theirs a few times; codes are too long to guess.
INVITATIONS_PER_IP = ratelimit.Limit(count=30, seconds=600)

JOIN_FIELDS = (
    "name",
    "id_number",
    "phone",
    "occupation",
    "platform",
    "employer_name",
    "employer_credit_code",
    "work_region",
    "join_place",
)
# Proper names, as workers write them; not translated.
PLATFORMS = ["美团", "饿了么", "滴滴出行", "满帮", "货拉拉", "顺丰", "京东", "好活"]
JOIN_PLACES = [
    (JoinPlace.WORKPLACE.value, gettext_lazy("Where I work")),
    (JoinPlace.ORIGIN.value, gettext_lazy("Where I come from (the place on my ID card)")),
]
RESULT_KEY = "mobile_join_result"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


def _notice_page(
    request: HttpRequest, *, heading: str, text: str, link_url: str = "", link_text: str = "", status: int = 200
) -> HttpResponse:
    context = {"heading": heading, "text": text, "link_url": link_url, "link_text": link_text}
    return _no_store(render(request, "mobile/notice.html", context, status=status))


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "mobile/home.html")


# ---------------------------------------------------------------------------------------------
# Joining
# ---------------------------------------------------------------------------------------------


def _region_label(region: Region | None) -> str:
    if region is None:
        return ""
    return " ".join([ancestor.name for ancestor in region_ancestors(region)] + [region.name])


def _region_chain(region: Region | None) -> list[str]:
    """The codes from the province down to the region, for the picker to preselect."""
    if region is None:
        return []
    return [ancestor.code for ancestor in region_ancestors(region)] + [region.code]


def _blank_values(channel: JoinChannel | None) -> dict[str, str]:
    values = dict.fromkeys(JOIN_FIELDS, "")
    values["join_place"] = JoinPlace.WORKPLACE.value
    if channel is not None:
        values["work_region"] = channel.region_id
    return values


def _posted_values(request: HttpRequest) -> dict[str, str]:
    values = {field: request.POST.get(field, "").strip()[:200] for field in JOIN_FIELDS}
    values["join_place"] = values["join_place"] or JoinPlace.WORKPLACE.value
    return values


def _join_url(channel: JoinChannel | None) -> str:
    return reverse("mobile:channel_join", args=[channel.code]) if channel is not None else reverse("mobile:join")


def _join_form(
    request: HttpRequest,
    *,
    channel: JoinChannel | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = dict(errors or {})
    problems = list(problems or [])
    # A message for a field the form does not show goes to the top.
    for field in [field for field in errors if field not in (*JOIN_FIELDS, "code")]:
        problems.append(errors.pop(field))
    phone, _message = phone_error(values.get("phone", ""), required=True)
    region = region_for_code(values.get("work_region", ""))
    context: dict[str, Any] = {
        "channel": channel,
        "action_url": _join_url(channel),
        "values": values,
        "errors": errors,
        "problems": problems,
        "notice": notice,
        "phone_proven": bool(phone) and phone_proven(request, phone),
        "occupations": Occupation.choices,
        "platforms": PLATFORMS,
        "join_places": JOIN_PLACES,
        "region_label": _region_label(region),
        "region_chain": _region_chain(region),
        "show_credit_code": bool(values.get("employer_credit_code") or errors.get("employer_credit_code")),
    }
    return _no_store(render(request, "mobile/join.html", context, status=status))


def _join_finish(request: HttpRequest, outcome: JoinOutcome) -> HttpResponse:
    """Remember the outcome for the result page (post/redirect/get) and log a member in."""
    union_name = ""
    if outcome.status != "review" and outcome.membership is not None:
        union_name = outcome.membership.union.name
    if outcome.status in ("joined", "already") and outcome.person is not None:
        worker_log_in(request, outcome.person)
    phone_proven_forget(request)
    request.session[RESULT_KEY] = {"status": outcome.status, "union": union_name}
    return redirect("mobile:join_done")


def _join_send_code(request: HttpRequest, channel: JoinChannel | None, values: dict[str, str]) -> HttpResponse:
    phone, message = phone_error(values["phone"], required=True)
    if message:
        return _join_form(request, channel=channel, values=values, errors={"phone": message}, status=400)
    values["phone"] = phone
    try:
        sms_code_send(phone=phone, purpose=SmsPurpose.JOIN, ip_address=client_ip(request))
    except DomainError as error:
        status = 429 if error.code == "rate_limited" else 400
        return _join_form(request, channel=channel, values=values, problems=[error.message], status=status)
    notice = _("We sent a 6-digit code to %(phone)s. Enter it below.") % {"phone": mask_phone(phone)}
    return _join_form(request, channel=channel, values=values, notice=notice)


def _join_submit(request: HttpRequest, channel: JoinChannel | None, values: dict[str, str]) -> HttpResponse:
    errors: dict[str, str] = {}
    lookups = Lookups()  # the join below checks the same details again: it reads from these
    try:
        worker_check(WorkerInput(**values), lookups=lookups)
    except WorkerInputError as error:
        errors.update(error.errors)
    phone, _message = phone_error(values["phone"], required=True)
    proven = bool(phone) and phone_proven(request, phone)
    code = request.POST.get("code", "").strip()
    if not proven and not code:
        errors["code"] = _("Enter the 6-digit code from the text message; tap “Get code” first.")
    if errors:
        return _join_form(request, channel=channel, values=values, errors=errors, status=400)
    if not proven:
        if not ratelimit.hit("mobile-code-ip", client_ip(request) or "-", CODE_CHECKS_PER_IP):
            problem = _("Too many tries from this network; wait ten minutes and try again.")
            return _join_form(request, channel=channel, values=values, problems=[problem], status=429)
        if not sms_code_check(phone=phone, purpose=SmsPurpose.JOIN, code=code):
            message = _("The code is wrong or has expired; check it, or ask for a new one.")
            return _join_form(request, channel=channel, values=values, errors={"code": message}, status=400)
        phone_proven_remember(request, phone)
    try:
        outcome = member_join(
            data=WorkerInput(**values),
            source=JoinSource.QR,
            phone_verified=True,
            channel=channel,
            ip_address=client_ip(request),
            lookups=lookups,
        )
    except WorkerInputError as error:
        return _join_form(request, channel=channel, values=values, errors=error.errors, status=400)
    except DomainError as error:
        status = 429 if error.code == "rate_limited" else 400
        return _join_form(request, channel=channel, values=values, problems=[error.message], status=status)
    return _join_finish(request, outcome)


def _join_page(request: HttpRequest, channel: JoinChannel | None) -> HttpResponse:
    if channel is None:
        token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
        if token:
            return _one_tap(request, token)
    if request.method != "POST":
        return _join_form(request, channel=channel, values=_blank_values(channel))
    values = _posted_values(request)
    if request.POST.get("action") == "send_code":
        return _join_send_code(request, channel, values)
    return _join_submit(request, channel, values)


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """The general join page, and the one-tap page when a platform's token comes with it (?t=)."""
    return _join_page(request, None)


@never_cache
@require_http_methods(["GET", "POST"])
def channel_join(request: HttpRequest, code: str) -> HttpResponse:
    """The target of a union's, station's or campaign's QR code: its name shown, its region preset."""
    channel = JoinChannel.objects.select_related("region", "union").filter(code=code).first()
    if channel is None:
        return _notice_page(
            request,
            heading=_("QR code not found"),
            text=_("This QR code does not belong to any union. You can still join here."),
            link_url=reverse("mobile:join"),
            link_text=_("Join the union"),
            status=404,
        )
    if not channel.is_active:
        return _notice_page(
            request,
            heading=channel.name,
            text=_("This QR code is no longer in use. You can still join the union here."),
            link_url=reverse("mobile:join"),
            link_text=_("Join the union"),
            status=410,
        )
    return _join_page(request, channel)


# One tap (一键入会): the platform vouches for the details and the phone, so no SMS code is asked.


def _one_tap_fallback(request: HttpRequest, data: WorkerInput, errors: dict[str, str]) -> HttpResponse:
    """The app's details are incomplete: the ordinary form, prefilled except the ID number and phone."""
    values = _blank_values(None)
    for field in ("name", "occupation", "platform", "employer_name", "employer_credit_code", "work_region"):
        values[field] = getattr(data, field)
    place = JOIN_PLACE_NAMES.get(data.join_place.strip(), data.join_place.strip())
    values["join_place"] = place if place in JoinPlace.values else JoinPlace.WORKPLACE.value
    problem = _("Some details from the app are missing or wrong. Complete the form and confirm your phone.")
    return _join_form(request, channel=None, values=values, errors=errors, problems=[problem], status=400)


def _one_tap_page(
    request: HttpRequest, *, token: str, issuer: str, checked: CheckedWorker, problems: list[str] | None = None
) -> HttpResponse:
    region = checked.work_region
    facts = [
        (pgettext("person", "Name"), checked.name),
        (_("ID number"), mask_id_number(checked.id_info.number)),
        (_("Mobile number"), mask_phone(checked.phone)),
        (_("Occupation"), checked.occupation.label),
        (_("Platform"), checked.platform),
        (_("Employer"), checked.employer_name),
        (_("Where you work"), _region_label(region)),
        (_("Join where"), dict(JOIN_PLACES)[checked.join_place.value]),
    ]
    context = {
        "token": token,
        "issuer": issuer,
        "facts": [(label, value) for label, value in facts if value],
        "problems": problems or [],
    }
    return _no_store(render(request, "mobile/one_tap.html", context, status=400 if problems else 200))


def _one_tap(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data, issuer = join_token_read(token)
    except DomainError as error:
        return _notice_page(
            request,
            heading=_("Join the union"),
            text=error.message,
            link_url=reverse("mobile:join"),
            link_text=_("Fill in the join form instead"),
            status=400,
        )
    try:
        checked = worker_check(data)
    except WorkerInputError as error:
        return _one_tap_fallback(request, data, error.errors)
    if request.method != "POST" or request.POST.get("action") != "one_tap":
        return _one_tap_page(request, token=token, issuer=issuer, checked=checked)
    try:
        outcome = member_join(data=data, source=JoinSource.ONE_TAP, phone_verified=True, ip_address=client_ip(request))
    except WorkerInputError as error:
        return _one_tap_fallback(request, data, error.errors)
    except DomainError as error:
        return _one_tap_page(request, token=token, issuer=issuer, checked=checked, problems=[error.message])
    return _join_finish(request, outcome)


@never_cache
@require_GET
def invitation(request: HttpRequest, code: str) -> HttpResponse:
    """A worker's personal invitation link (邀请入会): on to the one-tap join page with their ledger record.

    An unknown, expired or used link shows the same page, naming nothing and no one.
    """
    if not ratelimit.hit("mobile-invitation-ip", client_ip(request) or "-", INVITATIONS_PER_IP):
        return _notice_page(
            request,
            heading=_("Join the union"),
            text=_("Too many tries from this network; wait ten minutes and try again."),
            status=429,
        )
    try:
        token = invitation_open(code)
    except InvitationInvalid as error:
        return _notice_page(
            request,
            heading=_("Join the union"),
            text=error.message,
            link_url=reverse("mobile:join"),
            link_text=_("Join the union"),
            status=404,
        )
    return _no_store(redirect(f"{reverse('mobile:join')}?{urlencode({'t': token})}"))


@never_cache
@require_GET
def join_done(request: HttpRequest) -> HttpResponse:
    result = request.session.get(RESULT_KEY)
    if not isinstance(result, dict) or result.get("status") not in ("joined", "pending", "already", "review"):
        return redirect("mobile:join")
    return _no_store(render(request, "mobile/join_done.html", {"status": result["status"], "union": result["union"]}))


@require_GET
def regions(request: HttpRequest) -> JsonResponse:
    """The current regions below ?parent=<code> (the provinces without it), for the region picker."""
    parent_code = request.GET.get("parent", "").strip()
    parent: Region | None = None
    if parent_code:
        if parent_code.isdigit() and len(parent_code) in (6, 9, 12):
            parent = Region.objects.filter(code=parent_code, is_current=True).first()
        if parent is None:
            return JsonResponse({"error": _("Unknown region code."), "regions": []}, status=404)
    children = region_children(region=parent).values_list("code", "name")
    response = JsonResponse({"regions": [{"code": code, "name": name} for code, name in children]})
    response["Cache-Control"] = "max-age=86400"
    return response


# ---------------------------------------------------------------------------------------------
# Logging in, the member card
# ---------------------------------------------------------------------------------------------


def _login_form(
    request: HttpRequest,
    *,
    phone: str = "",
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "phone": phone,
        "errors": errors or {},
        "problems": problems or [],
        "notice": notice,
        "next": _next_path(request),
    }
    return _no_store(render(request, "mobile/login.html", context, status=status))


def _next_path(request: HttpRequest) -> str:
    """The worker page to return to after logging in (?next=, e.g. a station's check-in); blank for the card."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()[:300]
    if not target.startswith("/m/") or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return ""
    return target


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Phone → code → the card. The page says the same whether or not a member has this phone."""
    if request.method != "POST":
        if current_worker(request) is not None:
            return redirect(_next_path(request) or "mobile:me")
        return _login_form(request)
    entered = request.POST.get("phone", "").strip()[:40]
    phone, message = phone_error(entered, required=True)
    if message:
        return _login_form(request, phone=entered, errors={"phone": message}, status=400)
    if request.POST.get("action") == "send_code":
        try:
            sms_code_send(phone=phone, purpose=SmsPurpose.LOGIN, ip_address=client_ip(request))
        except DomainError as error:
            status = 429 if error.code == "rate_limited" else 400
            return _login_form(request, phone=phone, problems=[error.message], status=status)
        notice = _("We sent a 6-digit code to %(phone)s. Enter it below.") % {"phone": mask_phone(phone)}
        return _login_form(request, phone=phone, notice=notice)
    code = request.POST.get("code", "").strip()
    if not code:
        message = _("Enter the 6-digit code from the text message; tap “Get code” first.")
        return _login_form(request, phone=phone, errors={"code": message}, status=400)
    if not ratelimit.hit("mobile-code-ip", client_ip(request) or "-", CODE_CHECKS_PER_IP):
        problem = _("Too many tries from this network; wait ten minutes and try again.")
        return _login_form(request, phone=phone, problems=[problem], status=429)
    person = worker_login(phone=phone, code=code)
    if person is None:
        message = _("The code is wrong or has expired, or no member card belongs to this number.")
        return _login_form(request, phone=phone, errors={"code": message}, status=400)
    worker_log_in(request, person)
    return redirect(_next_path(request) or "mobile:me")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    worker_log_out(request)
    return redirect("mobile:home")


def _public_url(request: HttpRequest, path: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _refresh_seconds() -> int:
    """Reload the card a little before its QR code expires."""
    lifetime = int(settings.MEMBER_CARD_TOKEN_SECONDS)
    return max(15, lifetime - min(60, lifetime // 5))


@never_cache
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The member card with its QR code, the worker's memberships and their history: their own only."""
    person = current_worker(request)
    if person is None:
        return redirect("mobile:login")
    membership = open_membership(person)
    qr_svg = ""
    if membership is not None and membership.status in MEMBER_STATUSES and person.card_number:
        url = _public_url(request, reverse("mobile:verify", args=[card_token(person)]))
        qr_svg = mark_safe(  # noqa: S308 (segno writes the SVG from the URL's bits; no markup comes from input)
            segno.make(url, error="m").svg_inline(svgclass="m-qr-code", lineclass=None, omitsize=True)
        )
    memberships = list(person.memberships.select_related("union").order_by("-joined_on", "-pk"))
    events = list(person.events.select_related("union").order_by("-created_at", "-pk")[:50])
    context = {
        "person": person,
        "membership": membership,
        "is_member": membership is not None and membership.status in MEMBER_STATUSES,
        "is_pending": membership is not None and membership.status == MembershipStatus.PENDING,
        "qr_svg": qr_svg,
        "refresh_seconds": _refresh_seconds() if qr_svg else 0,
        "token_minutes": max(1, int(settings.MEMBER_CARD_TOKEN_SECONDS) // 60),
        "memberships": memberships,
        "events": events,
    }
    return _no_store(render(request, "mobile/me.html", context))


@never_cache
@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """What a station or partner merchant sees on scanning a card: valid or not, the union, a masked name."""
    if not ratelimit.hit("mobile-verify-ip", client_ip(request) or "-", VERIFY_PER_IP):
        return _notice_page(
            request,
            heading=_("Too many checks"),
            text=_("Too many cards were checked from this network; try again in ten minutes."),
            status=429,
        )
    verifier = request.user if isinstance(request.user, User) else None
    check = card_verify(token=token[:200], ip_address=client_ip(request), verifier=verifier)
    context: dict[str, Any] = {"check": check, "valid": check.result == VerificationResult.VALID}
    if context["valid"]:
        # On a merchant's counter phone (mobile/stations.py), the valid card's discounts can be taken here.
        context["desk"], context["desk_offers"] = desk_offers(request)
        context["token"] = token[:200]
    return _no_store(render(request, "mobile/verify.html", context))
