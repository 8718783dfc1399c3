"""The worker's appeals on a phone (诉求, ADR 0010): file one with photos or PDFs, follow it step by step,
answer the union's question, confirm and rate the outcome. A worker sees only their own appeals: another's
number answers 404, like one that does not exist. Deadlines and escalation are the union's business and are
not shown here. Pages with personal data are never cached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gigunion.appeals.access import appeal_for_worker, appeals_of_worker, attachment_for_worker
from gigunion.appeals.models import Appeal, Category, Channel, EventKind
from gigunion.appeals.selectors import appeal_awaits_rating
from gigunion.appeals.services import MAX_DESCRIPTION, AppealInput, appeal_confirm, appeal_resume, appeal_submit
from gigunion.appeals.services import attachment_add as appeal_attachment_add
from gigunion.core import ratelimit
from gigunion.core.exceptions import DomainError, NotVisible
from gigunion.members.models import Person
from gigunion.members.selectors import open_membership
from gigunion.mobile.worker import current_worker
from gigunion.regions.models import Region, RegionLevel
from gigunion.regions.selectors import region_children

MAX_FILES = 3
MAX_FILE_BYTES = 10 * 1024 * 1024  # photos and PDFs alike (core.images, appeals.services)
# A worker files an appeal now and then; this stops a stuck button or a script from flooding the union.
APPEALS_PER_PERSON = ratelimit.Limit(count=10, seconds=86400)
SENT_KEY = "mobile_appeal_sent"
STARS = [5, 4, 3, 2, 1]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


def _login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('mobile:login')}?{urlencode({'next': request.path})}")


def _not_found(request: HttpRequest) -> HttpResponse:
    context = {
        "heading": _("Appeal not found"),
        "text": _("There is no appeal of yours with this number."),
        "link_url": reverse("mobile:appeals"),
        "link_text": _("My appeals"),
    }
    return _no_store(render(request, "mobile/notice.html", context, status=404))


# ---------------------------------------------------------------------------------------------
# My appeals
# ---------------------------------------------------------------------------------------------


@never_cache
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    person = current_worker(request)
    if person is None:
        return _login_redirect(request)
    appeals = list(appeals_of_worker(person))
    return _no_store(render(request, "mobile/appeal_list.html", {"appeals": appeals}))


# ---------------------------------------------------------------------------------------------
# Filing an appeal
# ---------------------------------------------------------------------------------------------


def _district_choices(person: Person) -> list[Region]:
    """The districts the worker probably works in: those of the city of their work region, and of their
    union's region when it lies in another city."""
    anchors = [person.work_region.code[:6]]
    membership = open_membership(person)
    if membership is not None and membership.union.region_id:
        anchors.append(membership.union.region_id[:6])
    districts: dict[str, Region] = {}
    for anchor in dict.fromkeys(anchors):
        district = Region.objects.select_related("parent").filter(code=anchor).first()
        if district is None or district.level != RegionLevel.COUNTY or district.parent is None:
            continue
        for region in region_children(region=district.parent):
            districts.setdefault(region.code, region)
    return list(districts.values())


def _blank_values(person: Person) -> dict[str, str]:
    return {
        "category": "",
        "description": "",
        "employer_name": person.platform or person.employer_name,
        "work_region": person.work_region.code[:6],
        "may_contact": "yes",
    }


def _posted_values(request: HttpRequest) -> dict[str, str]:
    return {
        "category": request.POST.get("category", "").strip()[:20],
        "description": request.POST.get("description", "")[: MAX_DESCRIPTION + 100],
        "employer_name": request.POST.get("employer_name", "").strip()[:128],
        "work_region": request.POST.get("work_region", "").strip()[:12],
        "may_contact": "yes" if request.POST.get("may_contact") == "yes" else "",
    }


def _appeal_form(
    request: HttpRequest,
    person: Person,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "values": values,
        "errors": errors or {},
        "problems": problems or [],
        "categories": Category.choices,
        "districts": _district_choices(person),
        "max_files": MAX_FILES,
        "max_description": MAX_DESCRIPTION,
    }
    return _no_store(render(request, "mobile/appeal_new.html", context, status=status))


def _files_problem(files: list[UploadedFile]) -> str:
    """What is wrong with the uploads, judged by their sizes before any is read; blank when nothing is."""
    if len(files) > MAX_FILES:
        return _("Add at most 3 photos or documents.")
    for upload in files:
        if not upload.size:
            return _("“%(name)s” is empty.") % {"name": upload.name}
        if upload.size > MAX_FILE_BYTES:
            return _("“%(name)s” is too large: a photo or document may be at most 10 MB.") % {"name": upload.name}
    return ""


def _submit(person: Person, values: dict[str, str], files: list[UploadedFile]) -> Appeal:
    """The appeal and its files, all or nothing: a refused file leaves no appeal behind (and sends no SMS)."""
    data = AppealInput(
        category=values["category"],
        description=values["description"],
        work_region=values["work_region"],
        employer_name=values["employer_name"],
        may_contact=values["may_contact"] == "yes",
    )
    with transaction.atomic():
        appeal = appeal_submit(data=data, channel=Channel.ONLINE, person=person)
        for upload in files:
            try:
                appeal_attachment_add(appeal=appeal, name=upload.name or "", data=upload.read(), by_worker=True)
            except DomainError as error:
                raise DomainError(
                    _("“%(name)s”: %(problem)s") % {"name": upload.name, "problem": error.message}, code="file"
                ) from None
    return appeal


# Which form field a domain refusal belongs to (the others go to the top of the form).
FIELD_OF_CODE = {"category": "category", "description": "description", "work_region": "work_region"}


@never_cache
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    person = current_worker(request)
    if person is None:
        return _login_redirect(request)
    if request.method != "POST":
        return _appeal_form(request, person, values=_blank_values(person))
    values = _posted_values(request)
    files = [upload for upload in request.FILES.getlist("files") if upload.name]
    errors: dict[str, str] = {}
    if values["category"] not in Category.values:
        errors["category"] = _("Choose what the problem is about.")
    if values["work_region"] not in {region.code for region in _district_choices(person)}:
        errors["work_region"] = _("Choose the district where you work.")
    problem = _files_problem(files)
    problems = [problem, _("Choose the files again.")] if problem else []
    if errors or problems:
        return _appeal_form(request, person, values=values, errors=errors, problems=problems, status=400)
    if not ratelimit.hit("mobile-appeal-person", str(person.pk), APPEALS_PER_PERSON):
        problems = [_("You have sent many appeals today. Call the union hotline 12351 if it is urgent.")]
        return _appeal_form(request, person, values=values, problems=problems, status=429)
    try:
        appeal = _submit(person, values, files)
    except DomainError as error:
        field = FIELD_OF_CODE.get(error.code)
        if field is not None:
            errors[field] = error.message
        else:
            problems = [error.message] + ([_("Choose the files again.")] if files else [])
        return _appeal_form(request, person, values=values, errors=errors, problems=problems, status=400)
    request.session[SENT_KEY] = appeal.number
    return redirect("mobile:appeal_detail", number=appeal.number)


# ---------------------------------------------------------------------------------------------
# One appeal: its steps, the worker's reply and rating
# ---------------------------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    appeal: Appeal,
    *,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    events = list(appeal.events.select_related("union"))
    # What the worker is shown: the union's visible steps, and their own replies.
    timeline = [event for event in events if event.visible_to_worker or event.kind == EventKind.RESUMED]
    sent = request.session.pop(SENT_KEY, None) == appeal.number
    context: dict[str, Any] = {
        "appeal": appeal,
        "timeline": timeline,
        "attachments": list(appeal.attachments.defer("data")),
        "is_paused": appeal.paused_since is not None and appeal.is_open,
        "awaiting_rating": appeal_awaits_rating(appeal, events),
        "errors": errors or {},
        "problems": problems or [],
        "stars": [(star, "★" * star) for star in STARS],
        "notice": _("Your appeal has been sent. The union will answer you here and by text message.") if sent else "",
    }
    return _no_store(render(request, "mobile/appeal_detail.html", context, status=status))


def _reply(request: HttpRequest, appeal: Appeal) -> HttpResponse:
    text = request.POST.get("text", "").strip()
    if appeal.paused_since is None:
        return _detail_page(request, appeal, problems=[_("The union is not waiting for an answer.")], status=400)
    if not text:
        return _detail_page(request, appeal, errors={"reply": _("Write your answer.")}, status=400)
    appeal_resume(appeal=appeal, text=text[:MAX_DESCRIPTION])
    return redirect("mobile:appeal_detail", number=appeal.number)


def _rate(request: HttpRequest, appeal: Appeal, person: Person) -> HttpResponse:
    if not appeal_awaits_rating(appeal, list(appeal.events.all())):
        return _detail_page(request, appeal, problems=[_("This appeal cannot be rated now.")], status=400)
    rating = request.POST.get("rating", "")
    satisfied = request.POST.get("satisfied", "")
    errors: dict[str, str] = {}
    if rating not in {str(star) for star in STARS}:
        errors["rating"] = _("Choose 1 to 5 stars.")
    if satisfied not in ("yes", "no"):
        errors["satisfied"] = _("Say whether your problem is solved.")
    if errors:
        return _detail_page(request, appeal, errors=errors, status=400)
    appeal_confirm(
        appeal=appeal,
        person=person,
        rating=int(rating),
        satisfied=satisfied == "yes",
        comment=request.POST.get("comment", "")[:500],
    )
    return redirect("mobile:appeal_detail", number=appeal.number)


@never_cache
@require_http_methods(["GET", "POST"])
def appeal_detail(request: HttpRequest, number: str) -> HttpResponse:
    person = current_worker(request)
    if person is None:
        return _login_redirect(request)
    try:
        appeal = appeal_for_worker(person, number=number[:20])
    except NotVisible:
        return _not_found(request)
    if request.method != "POST":
        return _detail_page(request, appeal)
    action = request.POST.get("action")
    try:
        if action == "reply":
            return _reply(request, appeal)
        if action == "rate":
            return _rate(request, appeal, person)
    except DomainError as error:
        appeal.refresh_from_db()
        return _detail_page(request, appeal, problems=[error.message], status=400)
    return _detail_page(request, appeal, status=400)


@require_GET
def appeal_file(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """A file of the worker's own appeal: a photo shown in the page, a PDF downloaded (never rendered here)."""
    person = current_worker(request)
    if person is None:
        return _login_redirect(request)
    try:
        attachment = attachment_for_worker(person, number=number[:20], attachment_id=attachment_id)
    except NotVisible:
        return _not_found(request)
    response = HttpResponse(bytes(attachment.data), content_type=attachment.content_type)
    inline = attachment.content_type == "image/jpeg"
    response["Content-Disposition"] = content_disposition_header(not inline, attachment.name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
