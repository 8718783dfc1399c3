"""Who may see which appeals: staff see the appeals held by a union in their jurisdiction, or escalated to
one; a worker sees only their own (ADR 0003)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gigunion.appeals.models import Appeal, AppealAttachment
from gigunion.core.exceptions import NotVisible
from gigunion.members.models import Person
from gigunion.orgs.access import Jurisdiction, require_jurisdiction


def appeals_visible_to(user: Any) -> QuerySet[Appeal]:
    jurisdiction = require_jurisdiction(user)
    path = jurisdiction.organization_path
    return Appeal.objects.select_related("union", "work_region", "escalated_to", "assignee").filter(
        Q(union__path__startswith=path) | Q(escalated_to__path__startswith=path)
    )


def holds_appeal(jurisdiction: Jurisdiction, appeal: Appeal) -> bool:
    """Whether the jurisdiction covers the union holding the case, or the union it was escalated to."""
    holders = [appeal.union] + ([appeal.escalated_to] if appeal.escalated_to_id else [])
    return any(jurisdiction.covers_organization(union) for union in holders if union is not None)


def may_act_on_appeal(jurisdiction: Jurisdiction, appeal: Appeal) -> bool:
    """Staff who may change things (not viewers) of a union holding the case may act on it."""
    return jurisdiction.can_change and holds_appeal(jurisdiction, appeal)


def appeal_for_staff(user: Any, *, appeal_id: int) -> Appeal:
    appeal = appeals_visible_to(user).filter(pk=appeal_id).first()
    if appeal is None:
        raise NotVisible()
    return appeal


def appeals_of_worker(person: Person) -> QuerySet[Appeal]:
    return Appeal.objects.select_related("union").filter(person=person)


def appeal_for_worker(person: Person, *, number: str) -> Appeal:
    appeal = appeals_of_worker(person).filter(number=number).first()
    if appeal is None:
        raise NotVisible()
    return appeal


def attachment_for_staff(user: Any, *, attachment_id: int) -> AppealAttachment:
    attachment = AppealAttachment.objects.filter(pk=attachment_id).select_related("appeal").first()
    if attachment is None:
        raise NotVisible()
    appeal_for_staff(user, appeal_id=attachment.appeal_id)
    return attachment


def attachment_for_worker(person: Person, *, number: str, attachment_id: int) -> AppealAttachment:
    appeal = appeal_for_worker(person, number=number)
    attachment = appeal.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotVisible()
    return attachment
