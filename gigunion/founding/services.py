"""Writes of the founding domain: coverage, the pending-founding worklist, rules, founding applications."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.db import ANALYZE_AFTER_ROWS, analyze
from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.enterprises.models import Enterprise
from gigunion.founding.models import (
    APPLICATION_STEPS,
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    Coverage,
    FoundingApplication,
    FoundingEvent,
    FoundingRule,
    FoundingStep,
    WorklistEvent,
    WorklistItem,
    WorklistState,
)
from gigunion.founding.rules import AreaUnions, EnterpriseFacts, recommend
from gigunion.founding.selectors import rule_book
from gigunion.orgs.access import Jurisdiction
from gigunion.orgs.models import FoundingMode, OrganizationType, StaffAccount, UnionOrganization
from gigunion.orgs.services import organization_create
from gigunion.regions.models import Region

# Coverage ----------------------------------------------------------------------------------


@transaction.atomic
def coverage_start(
    *,
    organization: UnionOrganization,
    enterprise: Enterprise,
    started_on: date,
    actor: User | None = None,
) -> Coverage | None:
    """Record that a union covers an enterprise from a date; None when it already does.

    An enterprise is covered by one union at a time: covering one that another union covers is refused.
    """
    current = Coverage.objects.filter(enterprise=enterprise, ended_on__isnull=True).select_related("organization")
    existing = current.first()
    if existing is not None:
        if existing.organization_id == organization.pk:
            return None
        raise DomainError(
            _("%(enterprise)s is already covered by %(union)s.")
            % {"enterprise": enterprise.name, "union": existing.organization.name},
            code="covered",
        )
    if not enterprise.region_id.startswith(organization.region_prefix):
        raise DomainError(
            _("%(enterprise)s lies outside the region of %(union)s.")
            % {"enterprise": enterprise.name, "union": organization.name},
            code="covered",
        )
    coverage = Coverage.objects.create(organization=organization, enterprise=enterprise, started_on=started_on)
    _move_items(
        [enterprise],
        to_state=WorklistState.FOUNDED,
        note=_("Covered by %(union)s.") % {"union": organization.name},
        actor=actor,
        only=[state for state in WorklistState.values if state != WorklistState.FOUNDED],
    )
    return coverage


@transaction.atomic
def coverage_end(*, coverage: Coverage, ended_on: date, actor: User | None = None) -> Coverage:
    """End a coverage (the enterprise closed, or left the union); the enterprise is pending again."""
    if coverage.ended_on is not None:
        raise DomainError(_("This coverage has already ended."), code="ended")
    if ended_on < coverage.started_on:
        raise DomainError(_("A coverage cannot end before it starts."), code="period")
    coverage.ended_on = ended_on
    coverage.save(update_fields=["ended_on"])
    _move_items(
        [coverage.enterprise],
        to_state=WorklistState.NOT_STARTED,
        note=_("Coverage ended."),
        actor=actor,
        only=[WorklistState.FOUNDED],
    )
    return coverage


def _move_items(
    enterprises: Sequence[Enterprise],
    *,
    to_state: WorklistState,
    note: str,
    actor: User | None,
    only: list[str],
) -> None:
    """Move the worklist items of the enterprises in one of the `only` states to another state, with events."""
    for item in WorklistItem.objects.filter(enterprise__in=enterprises, state__in=only):
        WorklistEvent.objects.create(item=item, actor=actor, from_state=item.state, to_state=to_state, note=note)
        item.state = to_state
        item.save(update_fields=["state", "updated_at"])


# Worklist ----------------------------------------------------------------------------------


@dataclass
class RefreshResult:
    created: int = 0
    changed: int = 0
    founded: int = 0
    reopened: int = 0


_RECOMMENDATION_FIELDS = ["rule_id", "recommended_target", "recommended_mode", "reason", "suggested_organization_id"]
_AREA_TYPES = [
    OrganizationType.INDUSTRY_FEDERATION,
    OrganizationType.COMMUNITY,
    OrganizationType.TOWNSHIP,
    OrganizationType.JOINT,
]


@transaction.atomic
def worklist_refresh(*, region_prefix: str = "") -> RefreshResult:
    """Bring the worklist of a region in line with the registry, the coverage and the rules.

    Every enterprise gets an item; a covered one is marked founded, one whose coverage ended goes
    back to not started; the recommendation of every item is recomputed. Idempotent: running it
    twice changes nothing the second time.
    """
    result = RefreshResult()
    enterprises = [
        EnterpriseFacts(*row)
        for row in Enterprise.objects.filter(region__code__startswith=region_prefix).values_list(
            "id", "region_id", "industry", "employees", "gig_workers", "kind", "parent_id"
        )
    ]
    covered_by = dict(Coverage.objects.filter(ended_on__isnull=True).values_list("enterprise_id", "organization_id"))
    area = AreaUnions.from_rows(
        UnionOrganization.objects.filter(organization_type__in=_AREA_TYPES, is_active=True, region__isnull=False)
        .order_by("pk")
        .values_list("pk", "organization_type", "region_id", "industry")
    )
    book = rule_book()
    items = {
        item.enterprise_id: item
        for item in WorklistItem.objects.filter(enterprise__region__code__startswith=region_prefix).only(
            "id", "enterprise_id", "region_id", "state", *_RECOMMENDATION_FIELDS
        )
    }
    to_create: list[WorklistItem] = []
    to_update: list[WorklistItem] = []
    events: list[WorklistEvent] = []
    now = timezone.now()
    for facts in enterprises:
        recommendation = recommend(facts, rules=book.rules_for(facts.region_id), covered_by=covered_by, area=area)
        values = {
            "rule_id": recommendation.rule_id,
            "recommended_target": recommendation.target,
            "recommended_mode": recommendation.mode,
            "reason": recommendation.reason,
            "suggested_organization_id": recommendation.organization_id,
        }
        covered = facts.id in covered_by
        item = items.get(facts.id)
        if item is None:
            state = WorklistState.FOUNDED if covered else WorklistState.NOT_STARTED
            to_create.append(WorklistItem(enterprise_id=facts.id, region_id=facts.region_id, state=state, **values))
            result.created += 1
            continue
        changed = item.region_id != facts.region_id or any(getattr(item, k) != v for k, v in values.items())
        item.region_id = facts.region_id
        for key, value in values.items():
            setattr(item, key, value)
        new_state = item.state
        if covered and item.state != WorklistState.FOUNDED:
            new_state = WorklistState.FOUNDED
            result.founded += 1
        elif not covered and item.state == WorklistState.FOUNDED:
            new_state = WorklistState.NOT_STARTED
            result.reopened += 1
        if new_state != item.state:
            events.append(
                WorklistEvent(
                    item_id=item.pk,
                    from_state=item.state,
                    to_state=new_state,
                    note=_("Coverage recorded.") if covered else _("Coverage ended."),
                )
            )
            item.state = new_state
            changed = True
        if changed:
            item.updated_at = now
            to_update.append(item)
    WorklistItem.objects.bulk_create(to_create, batch_size=2000)
    WorklistItem.objects.bulk_update(
        to_update, ["region_id", "state", "updated_at", *_RECOMMENDATION_FIELDS], batch_size=2000
    )
    WorklistEvent.objects.bulk_create(events, batch_size=2000)
    result.changed = len(to_update)
    if len(to_create) + len(to_update) >= ANALYZE_AFTER_ROWS:
        analyze(WorklistItem)
    return result


def worklist_item_update(
    *,
    item: WorklistItem,
    actor: User,
    state: str,
    assignee: StaffAccount | None,
    deadline: date | None,
    note: str,
) -> WorklistItem:
    """Staff move an item on: assign it, set a deadline, change its state (with a reason for not applicable)."""
    if state == WorklistState.FOUNDED:
        raise DomainError(
            _("An enterprise is marked founded when a union covers it: record the coverage instead."),
            code="founded",
        )
    if item.state == WorklistState.FOUNDED:
        raise DomainError(_("This enterprise is already covered by a union."), code="founded")
    if state not in WorklistState.values:
        raise DomainError(_("Unknown state."), code="state")
    if state == WorklistState.NOT_APPLICABLE and not note.strip():
        raise DomainError(_("Say why this enterprise need not found a union."), code="reason")
    if assignee is not None and not item.region_id.startswith(assignee.organization.region_prefix):
        raise DomainError(_("Assign the item to someone whose jurisdiction includes the enterprise."), code="assignee")
    unchanged = (
        item.state == state
        and item.assignee_id == (assignee.pk if assignee else None)
        and item.deadline == deadline
        and item.note == note
    )
    if unchanged:
        return item
    with transaction.atomic():
        WorklistEvent.objects.create(
            item=item,
            actor=actor,
            from_state=item.state,
            to_state=state,
            assignee_name=assignee.display_name if assignee else "",
            deadline=deadline,
            note=note,
        )
        item.state = state
        item.assignee = assignee
        item.deadline = deadline
        item.note = note
        item.save(update_fields=["state", "assignee", "deadline", "note", "updated_at"])
    return item


# Rules -------------------------------------------------------------------------------------


def founding_rules_customize(*, organization: UnionOrganization) -> list[FoundingRule]:
    """Give a federation its own rule set, starting as a copy of the rules in force in its region."""
    existing = list(FoundingRule.objects.filter(organization=organization))
    if existing:
        return existing
    in_force = rule_book().rules_for(organization.region.code if organization.region else "")
    copies = [
        FoundingRule(
            organization=organization,
            priority=rule.priority,
            name=rule.name,
            min_people=rule.min_people,
            max_people=rule.max_people,
            kinds=list(rule.kinds),
            needs_head_union=rule.needs_head_union,
            needs_industry_federation=rule.needs_industry_federation,
            target=rule.target,
            founding_mode=rule.founding_mode,
        )
        for rule in in_force
    ]
    return FoundingRule.objects.bulk_create(copies)


def founding_rule_save(*, rule: FoundingRule, values: dict[str, Any]) -> FoundingRule:
    for key, value in values.items():
        setattr(rule, key, value)
    if rule.min_people is not None and rule.max_people is not None and rule.max_people < rule.min_people:
        raise DomainError(_("The largest size cannot be below the smallest."), code="range")
    rule.save()
    return rule


# Founding applications ----------------------------------------------------------------------


def application_next_step(application: FoundingApplication) -> tuple[FoundingStep, bool] | None:
    """The step that comes next, and whether the higher union takes it; None once finished."""
    entry = APPLICATION_STEPS.get(application.status)
    return (entry[0], entry[2]) if entry else None


def _event(
    application: FoundingApplication,
    step: FoundingStep,
    actor: User,
    jurisdiction: Jurisdiction,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    FoundingEvent.objects.create(
        application=application,
        step=step,
        actor=actor,
        actor_organization_id=jurisdiction.organization_id,
        note=note,
        data=data or {},
    )


@transaction.atomic
def application_submit(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    name: str,
    organization_type: str,
    founding_mode: str,
    region: Region,
    parent: UnionOrganization,
    enterprises: Sequence[Enterprise],
    contact_name: str = "",
    expected_members: int | None = None,
) -> FoundingApplication:
    if not jurisdiction.can_change:
        raise NotAllowed()
    if not jurisdiction.covers_region(region.code):
        raise DomainError(_("The region is outside your jurisdiction."), code="region")
    if not region.code.startswith(parent.region_prefix):
        raise DomainError(_("The region of an organization must lie within its parent's region."), code="region")
    if founding_mode not in FoundingMode.values:
        raise DomainError(_("Choose a founding mode."), code="mode")
    if UnionOrganization.objects.filter(parent=parent, name=name).exists():
        raise DomainError(_("An organization of that name already exists under this parent."), code="duplicate")
    for enterprise in enterprises:
        if not enterprise.region_id.startswith(region.prefix):
            raise DomainError(
                _("%(enterprise)s lies outside the region of the union to be founded.")
                % {"enterprise": enterprise.name},
                code="region",
            )
    pending = FoundingApplication.objects.filter(
        enterprises__in=enterprises, status__in=OPEN_APPLICATION_STATUSES
    ).first()
    if pending is not None:
        raise DomainError(
            _("An application for these enterprises is already in progress: %(name)s.") % {"name": pending.name},
            code="pending",
        )
    if FoundingApplication.objects.filter(parent=parent, name=name, status__in=OPEN_APPLICATION_STATUSES).exists():
        raise DomainError(_("An application of that name is already in progress under this parent."), code="duplicate")
    if organization_type not in OrganizationType.values or organization_type in (
        OrganizationType.NATIONAL_FEDERATION,
        OrganizationType.FEDERATION,
    ):
        raise DomainError(_("Choose the type of the new union."), code="type")
    covered = Coverage.objects.filter(enterprise__in=enterprises, ended_on__isnull=True).select_related("enterprise")
    for coverage in covered:
        raise DomainError(
            _("%(enterprise)s is already covered by a union.") % {"enterprise": coverage.enterprise.name},
            code="covered",
        )
    application = FoundingApplication.objects.create(
        name=name,
        organization_type=organization_type,
        founding_mode=founding_mode,
        region=region,
        parent=parent,
        contact_name=contact_name,
        expected_members=expected_members,
        submitted_by=actor,
    )
    application.enterprises.set(enterprises)
    _event(application, FoundingStep.SUBMITTED, actor, jurisdiction, data={"enterprises": len(enterprises)})
    _move_items(
        enterprises,
        to_state=WorklistState.PREPARING,
        note=_("A founding application was submitted."),
        actor=actor,
        only=[WorklistState.NOT_STARTED, WorklistState.CONTACTED],
    )
    return application


def _check_turn(application: FoundingApplication, jurisdiction: Jurisdiction, actor: User) -> bool:
    """Whose move it is: returns whether the higher union takes this step; raises if the actor may not."""
    if not jurisdiction.can_change:
        raise NotAllowed()
    entry = APPLICATION_STEPS.get(application.status)
    if entry is None:
        raise DomainError(_("This application is finished."), code="finished")
    higher = entry[2]
    if higher:
        if not jurisdiction.covers_organization(application.parent):
            raise NotAllowed(_("Only the higher union can take this step."))
        if application.submitted_by_id == actor.pk:
            raise NotAllowed(_("Someone other than the person who submitted the application must approve it."))
    else:
        _check_applicant_side(application, jurisdiction)
    return higher


def _check_applicant_side(application: FoundingApplication, jurisdiction: Jurisdiction) -> None:
    """The preparing side's steps: staff whose region holds the new union, or the higher union itself."""
    if not (jurisdiction.covers_region(application.region_id) or jurisdiction.covers_organization(application.parent)):
        raise NotAllowed()


def application_may_take_step(application: FoundingApplication, jurisdiction: Jurisdiction, actor: User) -> bool:
    """Whether this person may take the application's next step (the same check application_advance makes)."""
    try:
        _check_turn(application, jurisdiction, actor)
    except DomainError:
        return False
    return True


@transaction.atomic
def application_advance(
    *,
    application: FoundingApplication,
    actor: User,
    jurisdiction: Jurisdiction,
    note: str = "",
    congress_on: date | None = None,
    congress_attendance: int | None = None,
    chair_name: str = "",
    committee_size: int | None = None,
    term_start: date | None = None,
    term_end: date | None = None,
    founded_on: date | None = None,
) -> FoundingApplication:
    """Take the next step of an application; the data each step needs is checked here."""
    application = (
        FoundingApplication.objects.select_for_update(of=("self",))
        .select_related("parent__region")
        .get(pk=application.pk)
    )
    _check_turn(application, jurisdiction, actor)
    step, to_status, _higher = APPLICATION_STEPS[application.status]
    data: dict[str, Any] = {}
    if step == FoundingStep.CONGRESS_HELD:
        if congress_on is None or not congress_attendance:
            raise DomainError(_("Enter the date of the member congress and how many members attended."), code="data")
        application.congress_on, application.congress_attendance = congress_on, congress_attendance
        data = {"congress_on": congress_on.isoformat(), "attendance": congress_attendance}
    elif step == FoundingStep.ELECTION_RECORDED:
        if not chair_name.strip() or term_start is None or term_end is None:
            raise DomainError(_("Enter the elected chair and the committee's term."), code="data")
        if term_end < term_start:
            raise DomainError(_("The committee term cannot end before it starts."), code="term")
        application.chair_name, application.committee_size = chair_name.strip(), committee_size
        application.term_start, application.term_end = term_start, term_end
        data = {"chair": application.chair_name, "term": [term_start.isoformat(), term_end.isoformat()]}
    elif step == FoundingStep.FOUNDED:
        founded_on = founded_on or timezone.localdate()
        application.founded_on = founded_on
        application.organization = organization_create(
            name=application.name,
            organization_type=OrganizationType(application.organization_type),
            region=application.region,
            parent=application.parent,
            actor=actor,
            founding_mode=application.founding_mode,
            chair_name=application.chair_name,
            term_start=application.term_start,
            term_end=application.term_end,
            founded_on=founded_on,
        )
        enterprises = list(application.enterprises.all())
        for enterprise in enterprises:
            coverage_start(
                organization=application.organization, enterprise=enterprise, started_on=founded_on, actor=actor
            )
        data = {"organization": application.organization.pk, "founded_on": founded_on.isoformat()}
    application.status = to_status
    application.save()
    _event(application, step, actor, jurisdiction, note=note, data=data)
    return application


def _reopen_items(application: FoundingApplication, actor: User, *, note: str) -> None:
    _move_items(
        list(application.enterprises.all()),
        to_state=WorklistState.CONTACTED,
        note=note,
        actor=actor,
        only=[WorklistState.PREPARING],
    )


@transaction.atomic
def application_reject(
    *, application: FoundingApplication, actor: User, jurisdiction: Jurisdiction, reason: str
) -> FoundingApplication:
    """The higher union turns an application down at one of its steps, saying why."""
    application = FoundingApplication.objects.select_for_update().select_related("parent").get(pk=application.pk)
    if not _check_turn(application, jurisdiction, actor):
        raise DomainError(_("This step is not the higher union's to approve."), code="turn")
    if not reason.strip():
        raise DomainError(_("Say why the application is rejected."), code="reason")
    application.status = ApplicationStatus.REJECTED
    application.save(update_fields=["status", "updated_at"])
    _reopen_items(application, actor, note=_("The founding application was rejected."))
    _event(application, FoundingStep.REJECTED, actor, jurisdiction, note=reason.strip())
    return application


@transaction.atomic
def application_withdraw(
    *, application: FoundingApplication, actor: User, jurisdiction: Jurisdiction, reason: str
) -> FoundingApplication:
    application = FoundingApplication.objects.select_for_update().get(pk=application.pk)
    if not jurisdiction.can_change:
        raise NotAllowed()
    _check_applicant_side(application, jurisdiction)
    if application.status not in OPEN_APPLICATION_STATUSES:
        raise DomainError(_("This application is finished."), code="finished")
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    _reopen_items(application, actor, note=_("The founding application was withdrawn."))
    _event(application, FoundingStep.WITHDRAWN, actor, jurisdiction, note=reason.strip())
    return application
