"""Writes for appeals: intake, routing, the steps of handling, hand-offs, pauses, escalation, the worker's
confirmation and rating. Every step appends an AppealEvent and updates the Appeal row in one transaction;
the worker is told of each visible step by text message (after commit). Time comes in as `now` so the
clock can be controlled (tests, replays); it defaults to timezone.now()."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gigunion.appeals.access import holds_appeal
from gigunion.appeals.calendar import add_workdays, workdays_between
from gigunion.appeals.models import (
    DEFAULT_SLA,
    DONE_STATUSES,
    OPEN_STATUSES,
    STATUTORY_DAYS,
    Appeal,
    AppealAttachment,
    AppealEvent,
    Category,
    Channel,
    Complexity,
    EventKind,
    ReceptionDay,
    RoutingRule,
    SlaLimit,
    Status,
)
from gigunion.appeals.selectors import appeal_awaits_rating, overdue_q
from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.images import image_clean
from gigunion.core.sms import SmsError, sms_send
from gigunion.enterprises.models import Enterprise
from gigunion.founding.models import Coverage
from gigunion.members.models import Person
from gigunion.orgs.access import Jurisdiction
from gigunion.orgs.models import OrganizationType, UnionOrganization
from gigunion.regions.models import Region

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000
MAX_ATTACHMENTS = 6
MAX_PDF_BYTES = 10 * 1024 * 1024


def _clean(text: str) -> str:
    """Text as typed, without NUL characters (PostgreSQL refuses them) and outer blanks."""
    return text.replace("\x00", "").strip()


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


# ---------------------------------------------------------------------------------------------
# Routing and the clock
# ---------------------------------------------------------------------------------------------


def appeal_route(*, work_region: Region, employer: Enterprise | None, category: str) -> UnionOrganization:
    """The responsible union: a staff rule for the region (deepest first; one for the category before one for
    any), else the union covering the employer, else the federation of the work region."""
    # The codes of the region and its ancestors, deepest first (a city's code is its 4-digit prefix + "00").
    prefixes = list(
        dict.fromkeys(work_region.code[:n].ljust(6, "0") for n in (12, 9, 6, 4, 2) if len(work_region.code) >= n)
    )
    rules = {
        (rule.region_id, rule.category): rule
        for rule in RoutingRule.objects.filter(region_id__in=prefixes).select_related("union")
    }
    for prefix in prefixes:
        for key in ((prefix, category), (prefix, "")):
            if key in rules and rules[key].union.is_active:
                return rules[key].union
    if employer is not None:
        coverage = (
            Coverage.objects.filter(enterprise=employer, ended_on__isnull=True, organization__is_active=True)
            .select_related("organization")
            .first()
        )
        if coverage is not None:
            return coverage.organization
    federations = UnionOrganization.objects.filter(
        organization_type__in=[OrganizationType.FEDERATION, OrganizationType.NATIONAL_FEDERATION],
        is_active=True,
    ).filter(Q(region_id__in=prefixes) | Q(region__isnull=True))
    depth = {code: index for index, code in enumerate(prefixes)}  # 0 = the work region itself
    best = min(federations, key=lambda union: depth.get(union.region_id or "", len(prefixes)), default=None)
    if best is None:
        raise DomainError(_("No union can take appeals from this region yet."), code="no_union")
    return best


def sla_days(category: str, complexity: str) -> tuple[int, int]:
    limit = SlaLimit.objects.filter(category=category, complexity=complexity).first()
    if limit is not None:
        return limit.first_response_days, limit.resolution_days
    return DEFAULT_SLA[Complexity(complexity)]


def deadlines(received_at: datetime, category: str, complexity: str) -> tuple[date, date]:
    """Due dates counted in working days from the day received (a case received on a holiday starts on the
    next working day)."""
    first, resolution = sla_days(category, complexity)
    start = add_workdays(_local_day(received_at), 0)
    return add_workdays(start, first), add_workdays(start, resolution)


# ---------------------------------------------------------------------------------------------
# Events and notifications
# ---------------------------------------------------------------------------------------------

# What the worker is told at each visible step, by text message, in the deployment's language (Chinese):
# staff acting in English must not send English to a worker.
WORKER_MESSAGES = {
    EventKind.SUBMITTED: gettext_lazy("Your appeal (no. %(number)s) is submitted; %(union)s handles it."),
    EventKind.ACCEPTED: gettext_lazy("Your appeal (no. %(number)s) is accepted by %(union)s."),
    EventKind.FIRST_RESPONSE: gettext_lazy("Your appeal (no. %(number)s) has a reply: see it under My appeals."),
    EventKind.HANDED_OFF: gettext_lazy("Your appeal (no. %(number)s) is now handled by %(union)s."),
    EventKind.PAUSED: gettext_lazy("Your appeal (no. %(number)s) needs more from you: reply to it under My appeals."),
    EventKind.MEDIATION: gettext_lazy("Your appeal (no. %(number)s) has gone to mediation."),
    EventKind.LEGAL_AID: gettext_lazy("Your appeal (no. %(number)s) is referred to legal aid."),
    EventKind.ARBITRATION: gettext_lazy("Your appeal (no. %(number)s) is referred to labour dispute arbitration."),
    EventKind.RESOLVED: gettext_lazy("Your appeal (no. %(number)s) is resolved: confirm and rate it under My appeals."),
    EventKind.CLOSED: gettext_lazy("Your appeal (no. %(number)s) is closed."),
}


def _notify(appeal: Appeal, kind: str) -> None:
    template = WORKER_MESSAGES.get(EventKind(kind))
    phone = appeal.contact_phone or (appeal.person.phone if appeal.person else "")
    if template is None or not phone or not appeal.may_contact:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = str(template) % {"number": appeal.number, "union": appeal.union.name}

    def send() -> None:
        try:
            sms_send(phone, message)
        except SmsError:
            logger.warning("SMS notification of appeal %s failed", appeal.number, exc_info=True)

    transaction.on_commit(send)


def _event(
    appeal: Appeal,
    kind: str,
    at: datetime,
    *,
    actor: User | None = None,
    text: str = "",
    from_union: UnionOrganization | None = None,
    visible: bool = True,
) -> AppealEvent:
    event = AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        actor=actor,
        union=appeal.union,
        from_union=from_union,
        text=text,
        visible_to_worker=visible,
        at=at,
    )
    if visible:
        _notify(appeal, kind)
    return event


def _number(at: datetime) -> str:
    return f"SQ{_local_day(at):%Y%m%d}{secrets.randbelow(10**6):06d}"


# ---------------------------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealInput:
    category: str
    description: str
    work_region: str
    employer_name: str = ""
    employer_id: int | None = None
    may_contact: bool = True
    complexity: str = Complexity.NORMAL
    contact_name: str = ""
    contact_phone: str = ""


def _checked(data: AppealInput) -> tuple[Region, Enterprise | None, str]:
    if data.category not in Category.values:
        raise DomainError(_("Choose what the problem is about."), code="category")
    if data.complexity not in Complexity.values:
        raise DomainError(_("Unknown complexity."), code="complexity")
    description = _clean(data.description)
    if len(description) < 5:
        raise DomainError(_("Describe what happened in a few words at least."), code="description")
    if len(description) > MAX_DESCRIPTION:
        raise DomainError(_("Keep the description under 4,000 characters."), code="description")
    region = Region.objects.filter(code=data.work_region.strip()).first()
    if region is None:
        raise DomainError(_("Choose the district where you work."), code="work_region")
    employer = Enterprise.objects.filter(pk=data.employer_id).first() if data.employer_id else None
    if employer is None and _clean(data.employer_name):
        # An employer the registry knows by its exact name; an unknown one is still accepted (routed by region).
        employer = Enterprise.objects.filter(name=_clean(data.employer_name)).first()
    return region, employer, description


@transaction.atomic
def appeal_submit(
    *,
    data: AppealInput,
    channel: str,
    person: Person | None = None,
    actor: User | None = None,
    reception_day: ReceptionDay | None = None,
    now: datetime | None = None,
) -> Appeal:
    """A new appeal from a worker's phone (person given) or entered by staff (hotline, walk-in, reception
    day), routed at once; the clock starts now."""
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."), code="channel")
    at = _now(now)
    region, employer, description = _checked(data)
    union = appeal_route(work_region=region, employer=employer, category=data.category)
    first_due, resolution_due = deadlines(at, data.category, data.complexity)
    name = _clean(data.contact_name) or (person.name if person else "")
    if not name:
        raise DomainError(_("Give the worker's name."), code="contact_name")
    values: dict[str, Any] = {
        "person": person,
        "contact_name": name[:64],
        "contact_phone": _clean(data.contact_phone) or (person.phone if person else ""),
        "may_contact": data.may_contact,
        "category": data.category,
        "complexity": data.complexity,
        "channel": channel,
        "description": description,
        "employer": employer,
        "employer_name": (_clean(data.employer_name) or (employer.name if employer else ""))[:128],
        "work_region": region,
        "union": union,
        "received_at": at,
        "first_response_due": first_due,
        "resolution_due": resolution_due,
        "reception_day": reception_day,
    }
    for attempt in range(5):  # the number is the date and six random digits: retry the rare collision
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(number=_number(at), **values)
            break
        except IntegrityError:
            if attempt == 4:
                raise
    _event(appeal, EventKind.SUBMITTED, at, actor=actor)
    return appeal


def attachment_add(*, appeal: Appeal, name: str, data: bytes, by_worker: bool) -> AppealAttachment:
    """A photo (checked and re-encoded by Pillow, EXIF gone) or a PDF (checked by its signature)."""
    if appeal.attachments.count() >= MAX_ATTACHMENTS:
        raise DomainError(_("An appeal has at most 6 files."), code="too_many")
    clean_name = "".join(ch for ch in name if ch.isprintable() and ch not in '"\\/')[:100] or "file"
    if data[:5] == b"%PDF-":
        if len(data) > MAX_PDF_BYTES:
            raise DomainError(_("A document may be at most 10 MB."), code="too_large")
        return AppealAttachment.objects.create(
            appeal=appeal,
            name=clean_name,
            content_type="application/pdf",
            data=data,
            size=len(data),
            by_worker=by_worker,
        )
    image = image_clean(data)  # DomainError for anything that is not a readable photo
    stem = clean_name.rsplit(".", 1)[0]
    return AppealAttachment.objects.create(
        appeal=appeal,
        name=f"{stem}.jpg",
        content_type=image.content_type,
        data=image.data,
        size=len(image.data),
        by_worker=by_worker,
    )


# ---------------------------------------------------------------------------------------------
# Handling (staff)
# ---------------------------------------------------------------------------------------------


def _locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("union", "person").get(pk=appeal.pk)


def _require_holder(jurisdiction: Jurisdiction, appeal: Appeal) -> None:
    """Staff of the holding union or above it, or of the union it was escalated to, may act on the case."""
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    if not holds_appeal(jurisdiction, appeal):
        raise NotAllowed()


def _require_open(appeal: Appeal) -> None:
    if appeal.status not in OPEN_STATUSES:
        raise DomainError(_("This appeal is already finished."), code="finished")
    if appeal.paused_since is not None:
        raise DomainError(_("The appeal is waiting for the worker: resume it first."), code="paused")


STEP_STATUS = {
    EventKind.ACCEPTED: Status.ACCEPTED,
    EventKind.INVESTIGATION: Status.INVESTIGATING,
    EventKind.MEDIATION: Status.MEDIATING,
    EventKind.LEGAL_AID: Status.REFERRED,
    EventKind.ARBITRATION: Status.REFERRED,
    EventKind.ARBITRATION_ACCEPTED: Status.REFERRED,
}


@transaction.atomic
def appeal_step(
    *,
    appeal: Appeal,
    kind: str,
    jurisdiction: Jurisdiction,
    actor: User | None,
    text: str = "",
    now: datetime | None = None,
) -> Appeal:
    """A step of handling: accept, first response (a reply to the worker), investigation, mediation,
    referral to legal aid or arbitration, a note (staff only), resolution."""
    appeal = _locked(appeal)
    _require_holder(jurisdiction, appeal)
    at = _now(now)
    text = _clean(text)
    if kind == EventKind.NOTE:  # a staff note, also while waiting for the worker
        if appeal.status not in OPEN_STATUSES:
            raise DomainError(_("This appeal is already finished."), code="finished")
        if not text:
            raise DomainError(_("Write the note."), code="text")
        _event(appeal, kind, at, actor=actor, text=text, visible=False)
        return appeal
    _require_open(appeal)
    if kind in (EventKind.FIRST_RESPONSE, EventKind.RESOLVED) and not text:
        raise DomainError(_("Write what you tell the worker."), code="text")
    if kind not in STEP_STATUS and kind not in (EventKind.FIRST_RESPONSE, EventKind.RESOLVED):
        raise DomainError(_("Unknown step."), code="step")
    if kind == EventKind.ACCEPTED and appeal.status != Status.SUBMITTED:
        raise DomainError(_("The appeal is already accepted."), code="order")
    if kind == EventKind.ARBITRATION_ACCEPTED and appeal.statutory_kind != "arbitration_acceptance":
        raise DomainError(_("Refer the case to arbitration first."), code="order")
    fields = ["status", "updated_at"]
    if kind == EventKind.FIRST_RESPONSE:
        appeal.status = Status.RESPONDED if appeal.status in (Status.SUBMITTED, Status.ACCEPTED) else appeal.status
    elif kind == EventKind.RESOLVED:
        appeal.status = Status.RESOLVED
        appeal.resolved_at = at
        fields.append("resolved_at")
    else:
        appeal.status = STEP_STATUS[EventKind(kind)]
        statutory = {
            EventKind.MEDIATION: "mediation",
            EventKind.ARBITRATION: "arbitration_acceptance",
            EventKind.ARBITRATION_ACCEPTED: "arbitration_award",
            EventKind.LEGAL_AID: "",
        }.get(EventKind(kind))
        if statutory is not None:
            appeal.statutory_kind = statutory
            appeal.statutory_due = _local_day(at) + timedelta(days=STATUTORY_DAYS[statutory]) if statutory else None
            fields += ["statutory_kind", "statutory_due"]
    # Any answer to the worker counts as the first response (有诉必应); accepting alone does not.
    if appeal.first_responded_at is None and kind not in (EventKind.ACCEPTED,):
        appeal.first_responded_at = at
        fields.append("first_responded_at")
    appeal.save(update_fields=fields)
    _event(appeal, kind, at, actor=actor, text=text)
    return appeal


@transaction.atomic
def appeal_assign(
    *, appeal: Appeal, assignee: User, jurisdiction: Jurisdiction, actor: User | None, now: datetime | None = None
) -> Appeal:
    appeal = _locked(appeal)
    _require_holder(jurisdiction, appeal)
    if appeal.status not in OPEN_STATUSES:
        raise DomainError(_("This appeal is already finished."), code="finished")
    appeal.assignee = assignee
    appeal.save(update_fields=["assignee", "updated_at"])
    _event(appeal, EventKind.ASSIGNED, _now(now), actor=actor, text=assignee.get_full_name(), visible=False)
    return appeal


@transaction.atomic
def appeal_hand_off(
    *,
    appeal: Appeal,
    to_union: UnionOrganization,
    jurisdiction: Jurisdiction,
    actor: User | None,
    reason: str,
    now: datetime | None = None,
) -> Appeal:
    """Hand the case to another union (an enterprise union ↔ a district or city federation). The clock keeps
    running: the deadlines do not change."""
    appeal = _locked(appeal)
    _require_holder(jurisdiction, appeal)
    _require_open(appeal)
    if not to_union.is_active or to_union.pk == appeal.union_id:
        raise DomainError(_("Choose another active union."), code="to_union")
    if not _clean(reason):
        raise DomainError(_("Say why the case moves."), code="reason")
    at = _now(now)
    previous = appeal.union
    appeal.union = to_union
    appeal.assignee = None
    appeal.escalated_to = None  # the new holder answers for it; if it is late there, it escalates from there
    appeal.save(update_fields=["union", "assignee", "escalated_to", "updated_at"])
    _event(appeal, EventKind.HANDED_OFF, at, actor=actor, text=_clean(reason), from_union=previous)
    return appeal


@transaction.atomic
def appeal_pause(
    *, appeal: Appeal, jurisdiction: Jurisdiction, actor: User | None, question: str, now: datetime | None = None
) -> Appeal:
    """Ask the worker for something (a document, a date): the clock stops until they answer."""
    appeal = _locked(appeal)
    _require_holder(jurisdiction, appeal)
    _require_open(appeal)
    if not _clean(question):
        raise DomainError(_("Write what you need from the worker."), code="text")
    at = _now(now)
    appeal.paused_since = at
    if appeal.first_responded_at is None:
        appeal.first_responded_at = at  # asking the worker is an answer too
    appeal.save(update_fields=["paused_since", "first_responded_at", "updated_at"])
    _event(appeal, EventKind.PAUSED, at, actor=actor, text=_clean(question))
    return appeal


@transaction.atomic
def appeal_resume(*, appeal: Appeal, text: str = "", actor: User | None = None, now: datetime | None = None) -> Appeal:
    """The worker answered (or staff record the answer): the clock runs again, and every open deadline moves
    later by the working days the case waited."""
    appeal = _locked(appeal)
    if appeal.paused_since is None:
        raise DomainError(_("The appeal is not waiting for the worker."), code="not_paused")
    at = _now(now)
    waited = workdays_between(_local_day(appeal.paused_since), _local_day(at))
    if waited:
        # Only the resolution moves: asking the worker was itself the first response, on time or not.
        appeal.resolution_due = add_workdays(appeal.resolution_due, waited)
    appeal.paused_since = None
    appeal.save(update_fields=["paused_since", "resolution_due", "updated_at"])
    _event(appeal, EventKind.RESUMED, at, actor=actor, text=_clean(text)[:MAX_DESCRIPTION], visible=False)
    return appeal


@transaction.atomic
def appeal_close(
    *, appeal: Appeal, jurisdiction: Jurisdiction, actor: User | None, text: str = "", now: datetime | None = None
) -> Appeal:
    appeal = _locked(appeal)
    _require_holder(jurisdiction, appeal)
    if appeal.status != Status.RESOLVED:
        raise DomainError(_("Only a resolved appeal can be closed."), code="not_resolved")
    at = _now(now)
    appeal.status = Status.CLOSED
    appeal.closed_at = at
    appeal.save(update_fields=["status", "closed_at", "updated_at"])
    _event(appeal, EventKind.CLOSED, at, actor=actor, text=_clean(text))
    return appeal


@transaction.atomic
def appeal_confirm(
    *, appeal: Appeal, person: Person, rating: int, satisfied: bool, comment: str = "", now: datetime | None = None
) -> Appeal:
    """The worker confirms the outcome and rates it (1–5). Not satisfied reopens the case."""
    appeal = _locked(appeal)
    if appeal.person_id != person.pk:
        raise NotAllowed()
    if appeal.status != Status.RESOLVED:
        raise DomainError(_("You can rate the appeal once it is resolved."), code="not_resolved")
    if not 1 <= rating <= 5:
        raise DomainError(_("Choose 1 to 5 stars."), code="rating")
    if not appeal_awaits_rating(appeal, appeal.events.all()):
        raise DomainError(_("You have already rated this outcome."), code="rated")
    at = _now(now)
    appeal.rating, appeal.satisfied = rating, satisfied
    fields = ["rating", "satisfied", "updated_at"]
    _event(appeal, EventKind.CONFIRMED, at, text=_clean(comment)[:500], visible=False)
    if not satisfied:
        appeal.status = Status.INVESTIGATING
        appeal.resolved_at = None
        fields += ["status", "resolved_at"]
        _event(appeal, EventKind.REOPENED, at, text=_clean(comment)[:500], visible=False)
    appeal.save(update_fields=fields)
    return appeal


def appeals_escalate(*, now: datetime | None = None) -> int:
    """Escalate every overdue open appeal (first response or resolution past due, clock running) to the
    parent of the union holding it, once. Run by the background worker and before appeal lists render."""
    at = _now(now)
    today = _local_day(at)
    overdue = Appeal.objects.filter(overdue_q(today), escalated_to__isnull=True)
    count = 0
    for appeal in overdue.select_related("union__parent"):
        parent = appeal.union.parent
        while parent is not None and not parent.is_active:
            parent = parent.parent
        if parent is None:
            continue
        with transaction.atomic():
            locked = _locked(appeal)
            if locked.escalated_to_id is not None:
                continue
            locked.escalated_to = parent
            locked.save(update_fields=["escalated_to", "updated_at"])
            _event(locked, EventKind.ESCALATED, at, from_union=locked.union, text=parent.name, visible=False)
            count += 1
    return count


def appeal_is_overdue(appeal: Appeal, *, now: datetime | None = None) -> bool:
    if appeal.status in DONE_STATUSES or appeal.paused_since is not None:
        return False
    today = _local_day(_now(now))
    return appeal.resolution_due < today or (appeal.first_responded_at is None and appeal.first_response_due < today)


def routing_rule_save(
    *, jurisdiction: Jurisdiction, region: Region, category: str, union: UnionOrganization, actor: User | None
) -> RoutingRule:
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    if not jurisdiction.covers_region(region.code) or not jurisdiction.covers_organization(union):
        raise NotAllowed()
    # Routing is a federation's decision: staff of a grassroots union sharing the district may not pull
    # the district's appeals to themselves.
    own = UnionOrganization.objects.get(pk=jurisdiction.organization_id)
    if own.organization_type not in (OrganizationType.FEDERATION, OrganizationType.NATIONAL_FEDERATION):
        raise NotAllowed(_("Only federation staff set routing rules."))
    if category and category not in Category.values:
        raise DomainError(_("Unknown category."), code="category")
    existing = RoutingRule.objects.filter(region=region, category=category).select_related("union").first()
    if existing is not None and not jurisdiction.covers_organization(existing.union):
        raise NotAllowed()
    rule, _created = RoutingRule.objects.update_or_create(
        region=region, category=category, defaults={"union": union, "created_by": actor}
    )
    return rule


def reception_day_save(
    *,
    jurisdiction: Jurisdiction,
    union: UnionOrganization,
    day: date,
    host: str,
    place: str = "",
    notes: str = "",
    actor: User | None = None,
) -> ReceptionDay:
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    if not jurisdiction.covers_organization(union):
        raise NotAllowed()
    if not host.strip():
        raise DomainError(_("Say who receives the workers."), code="host")
    return ReceptionDay.objects.create(
        union=union, day=day, host=host.strip()[:64], place=place.strip()[:128], notes=notes.strip(), created_by=actor
    )


def sla_limit_save(
    *, jurisdiction: Jurisdiction, category: str, complexity: str, first_response_days: int, resolution_days: int
) -> SlaLimit:
    """Set the working days allowed for one category × complexity (administrators only). Open appeals keep
    the deadlines they were given; new ones get the new limits."""
    # The limits hold for every union of the deployment: a provincial (or national) administrator sets them.
    if not jurisdiction.can_administer or len(jurisdiction.region_prefix) > 2:
        raise NotAllowed(_("Only administrators of the provincial federation change the time limits."))
    if category not in Category.values or complexity not in Complexity.values:
        raise DomainError(_("Unknown category or complexity."), code="category")
    if not 0 <= first_response_days <= 60 or not 1 <= resolution_days <= 365:
        raise DomainError(_("Give 0–60 working days to respond and 1–365 to resolve."), code="days")
    if first_response_days > resolution_days:
        raise DomainError(_("The first response cannot be due after the resolution."), code="days")
    limit, _created = SlaLimit.objects.update_or_create(
        category=category,
        complexity=complexity,
        defaults={"first_response_days": first_response_days, "resolution_days": resolution_days},
    )
    return limit
