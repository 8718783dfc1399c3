"""Invitations to join (邀请入会) of ledger workers who are not members.

A union invites the workers of its area the ledger knows of: each one with a phone gets one text
message naming the union, with a personal link /m/i/<code>/ (`invitations_send`); a platform shows
such links in its app instead (`invitation_links`). Opening the link issues a fresh one-tap join token
from the worker's ledger record, so the worker confirms and joins without typing anything.

- a worker is sent at most one text message in INVITATION_DAYS days;
- members (an open membership under the same ID number) and workers without a phone are skipped;
- a link is valid INVITATION_DAYS days; it is marked used once its worker is a member.

Only a keyed digest of a link's code is stored. Callers choose the workers: an interface scopes them
by the inviting staff's jurisdiction.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core import crypto
from gigunion.core.exceptions import DomainError
from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.core.sms import SmsError, sms_send
from gigunion.ledger.models import INVITATION_DAYS, Invitation, InvitationChannel, Sighting, Worker
from gigunion.members.checks import WorkerInput
from gigunion.members.models import OPEN_STATUSES, Membership
from gigunion.members.services import join_token_issue
from gigunion.orgs.models import UnionOrganization

logger = logging.getLogger(__name__)

_CODE_PURPOSE = "invitation"
_CODE_BYTES = 16  # 128 random bits: 22 URL-safe characters
_CHUNK = 500  # workers read at a time


@dataclass
class InvitationResult:
    """What sending invitations did, worker by worker."""

    sent: int = 0
    skipped_no_phone: int = 0
    skipped_recently_invited: int = 0
    skipped_member: int = 0
    failed: int = 0  # the SMS gateway refused the message; the worker may be invited again

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "skipped_no_phone": self.skipped_no_phone,
            "skipped_recently_invited": self.skipped_recently_invited,
            "skipped_member": self.skipped_member,
            "failed": self.failed,
        }


def _digest(code: str) -> str:
    return crypto.blind_index(code, purpose=_CODE_PURPOSE)


def _link(code: str, base_url: str) -> str:
    base = (base_url or str(getattr(settings, "PUBLIC_BASE_URL", "") or "")).rstrip("/")
    return f"{base}{reverse('mobile:invitation', kwargs={'code': code})}"


def _chunks(workers: Iterable[Worker] | QuerySet[Worker]) -> Iterator[list[Worker]]:
    stream = workers.iterator(chunk_size=_CHUNK) if isinstance(workers, QuerySet) else iter(workers)
    while chunk := list(islice(stream, _CHUNK)):
        yield chunk


def _member_indexes(workers: list[Worker]) -> set[str]:
    """The ID-number indexes, among these workers', of people with an open membership (pending included)."""
    indexes = {worker.id_number_index for worker in workers}
    return set(
        Membership.objects.filter(person__id_number_index__in=indexes, status__in=OPEN_STATUSES).values_list(
            "person__id_number_index", flat=True
        )
    )


def _invitation_create(
    *, worker: Worker, organization: UnionOrganization, channel: str, actor: User | None
) -> tuple[Invitation, str]:
    now = timezone.now()
    code = secrets.token_urlsafe(_CODE_BYTES)
    invitation = Invitation.objects.create(
        worker=worker,
        organization=organization,
        channel=channel,
        code_digest=_digest(code),
        created_at=now,
        created_by=actor,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    return invitation, code


def invitation_message(*, organization: UnionOrganization, link: str) -> str:
    """The text message of an invitation (in the active language; the sign is added by sms_send)."""
    return _("%(union)s invites you to join the union. Join in one tap: %(link)s (valid for %(days)d days)") % {
        "union": organization.name,
        "link": link,
        "days": INVITATION_DAYS,
    }


def invitations_send(
    *,
    workers: Iterable[Worker] | QuerySet[Worker],
    actor: User | None,
    organization: UnionOrganization,
    channel: str = InvitationChannel.SMS,
    base_url: str = "",
) -> InvitationResult:
    """Text each worker who is not a member, has a phone and had no invitation by SMS in INVITATION_DAYS.

    `base_url` is the site's address for the link (default settings.PUBLIC_BASE_URL). Each message is
    sent as its invitation is recorded, so a failure part-way leaves what was sent recorded.
    """
    if channel != InvitationChannel.SMS:
        raise DomainError(_("Invitations are sent by text message; platforms show invitation links."), code="channel")
    result = InvitationResult()
    since = timezone.now() - timedelta(days=INVITATION_DAYS)
    for chunk in _chunks(workers):
        members = _member_indexes(chunk)
        recent = set(
            Invitation.objects.filter(
                worker_id__in=[worker.pk for worker in chunk], channel=InvitationChannel.SMS, created_at__gte=since
            ).values_list("worker_id", flat=True)
        )
        for worker in chunk:
            if worker.id_number_index in members:
                result.skipped_member += 1
            elif not worker.phone:
                result.skipped_no_phone += 1
            elif worker.pk in recent:
                result.skipped_recently_invited += 1
            else:
                invitation, code = _invitation_create(
                    worker=worker, organization=organization, channel=InvitationChannel.SMS, actor=actor
                )
                try:
                    sms_send(worker.phone, invitation_message(organization=organization, link=_link(code, base_url)))
                except SmsError:
                    logger.warning("invitation SMS failed", exc_info=True)
                    invitation.delete()
                    result.failed += 1
                    continue
                recent.add(worker.pk)  # the same worker twice in one call gets one message
                result.sent += 1
    audit_record(
        action=AuditAction.WORKERS_INVITED,
        actor=actor,
        object_type="organization",
        object_id=organization.pk,
        region_code=organization.region_prefix,
        details={"channel": InvitationChannel.SMS, **result.as_dict()},
    )
    return result


def invitation_links(
    *,
    workers: Iterable[Worker] | QuerySet[Worker],
    organization: UnionOrganization,
    actor: User | None = None,
    base_url: str = "",
) -> dict[int, str]:
    """A personal invitation link (platform channel) for each worker who is not a member, by worker id.

    For a platform to show in its app: no message is sent, so the once-in-30-days rule of text messages
    does not apply; each call makes new links (only their digests are kept, an old link cannot be shown
    again), each valid INVITATION_DAYS days.
    """
    links: dict[int, str] = {}
    for chunk in _chunks(workers):
        members = _member_indexes(chunk)
        for worker in chunk:
            if worker.id_number_index in members or worker.pk in links:
                continue
            _invitation, code = _invitation_create(
                worker=worker, organization=organization, channel=InvitationChannel.PLATFORM, actor=actor
            )
            links[worker.pk] = _link(code, base_url)
    audit_record(
        action=AuditAction.WORKERS_INVITED,
        actor=actor,
        object_type="organization",
        object_id=organization.pk,
        region_code=organization.region_prefix,
        details={"channel": InvitationChannel.PLATFORM, "links": len(links)},
    )
    return links


class InvitationInvalid(DomainError):
    """The link is unknown, expired or used: the page says so and shows nothing else."""


def _worker_input(worker: Worker) -> WorkerInput:
    sighting = (
        Sighting.objects.filter(worker=worker)
        .exclude(platform="", external_id="")
        .order_by("-last_seen", "-pk")
        .values_list("platform", "external_id")
        .first()
    )
    platform, external_id = sighting or ("", "")
    employer = worker.employer
    return WorkerInput(
        name=worker.name,
        id_number=worker.id_number,
        phone=worker.phone,
        occupation=worker.occupation,
        platform=platform,
        external_id=external_id,
        employer_name=worker.employer_name or (employer.name if employer else ""),
        employer_credit_code=employer.credit_code if employer else "",
        work_region=worker.work_region_id,
    )


def invitation_open(code: str) -> str:
    """Open an invitation link: a fresh one-tap join token with its worker's ledger record.

    Raises InvitationInvalid for an unknown or expired link, and for one whose worker is already a member
    (the invitation is then marked used).
    """
    invalid = InvitationInvalid(
        _("This invitation link is no longer valid. You can still join the union here."), code="invitation"
    )
    if not code or len(code) > 64:
        raise invalid
    invitation = (
        Invitation.objects.select_related("worker__employer", "organization").filter(code_digest=_digest(code)).first()
    )
    now = timezone.now()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise invalid
    worker = invitation.worker
    if _member_indexes([worker]):
        Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now)
        raise invalid
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
    return join_token_issue(data=_worker_input(worker), issuer=invitation.organization.name)
