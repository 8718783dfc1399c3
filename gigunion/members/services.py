"""Writes of membership: joining, SMS codes, member cards, approval, transfer, retention, lapse, leaving.

Every change appends a MembershipEvent (who, when, why). Joining is idempotent: the same person
joining twice, or from two phones at once, ends with one Person and one open Membership — the
database's unique constraints decide, and the loser of a race reads the winner's rows.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core import crypto, ratelimit
from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.core.masking import mask_name
from gigunion.core.sms import SmsError, sms_send
from gigunion.members.checks import CheckedWorker, Lookups, WorkerInput, WorkerInputError, worker_check
from gigunion.members.identity import IdentityUnavailable, identity_backend
from gigunion.members.models import (
    MEMBER_STATUSES,
    CardVerification,
    ChannelKind,
    EventKind,
    JoinChannel,
    JoinRoute,
    JoinSource,
    Membership,
    MembershipEvent,
    MembershipStatus,
    MembershipTransfer,
    Person,
    SmsCode,
    SmsPurpose,
    TransferStatus,
    VerificationResult,
)
from gigunion.members.selectors import id_number_index, open_membership, route_join
from gigunion.orgs.access import Jurisdiction
from gigunion.orgs.models import UnionOrganization
from gigunion.orgs.services import phone_blind_index
from gigunion.regions.models import Region

# SMS codes: a new code at most once a minute and 10 times a day per phone; 20 an hour per address.
SMS_COOLDOWN_SECONDS = 60
SMS_PER_PHONE_PER_DAY = 10
SMS_PER_IP = ratelimit.Limit(count=20, seconds=3600)
SMS_MAX_ATTEMPTS = 5
# Join submissions per address (a station's shared Wi-Fi sees many honest joins).
JOIN_PER_IP = ratelimit.Limit(count=30, seconds=600)


def _event(
    *,
    person: Person,
    kind: EventKind,
    by: str,
    membership: Membership | None = None,
    union: UnionOrganization | None = None,
    actor: User | None = None,
    reason: str = "",
) -> MembershipEvent:
    return MembershipEvent.objects.create(
        person=person,
        membership=membership,
        kind=kind,
        union=union if union is not None else (membership.union if membership is not None else None),
        actor=actor,
        by=by,
        reason=reason[:500],
    )


def _notify(phone: str, message: str) -> None:
    """Tell the worker after the change is committed; a gateway failure never undoes the change."""
    if not phone:
        return

    def send() -> None:
        try:
            sms_send(phone, message)
        except SmsError:
            import logging

            logging.getLogger("gigunion.sms").warning("SMS notification failed", exc_info=True)

    transaction.on_commit(send)


# ---------------------------------------------------------------------------------------------
# SMS codes
# ---------------------------------------------------------------------------------------------


def _code_hash(phone_index: str, code: str) -> str:
    return crypto.blind_index(f"{phone_index}:{code}", purpose="sms_code")


def sms_code_send(*, phone: str, purpose: SmsPurpose, ip_address: str | None) -> None:
    """Send a 6-digit code, within the limits per phone and per address (DomainError "rate_limited")."""
    index = phone_blind_index(phone)
    now = timezone.now()
    SmsCode.objects.filter(phone_index=index, created_at__lt=now - timedelta(days=1)).delete()
    recent = SmsCode.objects.filter(phone_index=index, created_at__gte=now - timedelta(days=1))
    if recent.filter(created_at__gte=now - timedelta(seconds=SMS_COOLDOWN_SECONDS)).exists():
        raise DomainError(
            _("A code was sent less than a minute ago; wait a moment and try again."), code="rate_limited"
        )
    if recent.count() >= SMS_PER_PHONE_PER_DAY or (ip_address and not ratelimit.hit("sms-ip", ip_address, SMS_PER_IP)):
        raise DomainError(_("Too many codes were asked for; try again later."), code="rate_limited")
    code = f"{secrets.randbelow(1_000_000):06d}"
    SmsCode.objects.create(
        phone_index=index,
        purpose=purpose,
        code_hash=_code_hash(index, code),
        ip_address=ip_address,
        expires_at=now + timedelta(minutes=settings.SMS_CODE_MINUTES),
    )
    try:
        sms_send(
            phone,
            _("Your code is %(code)s, valid for %(minutes)d minutes. Ignore this message if you did not ask for it.")
            % {"code": code, "minutes": settings.SMS_CODE_MINUTES},
        )
    except SmsError:
        raise DomainError(_("The text message could not be sent; try again later."), code="sms_failed") from None


def sms_code_check(*, phone: str, purpose: SmsPurpose, code: str) -> bool:
    """True once for the latest unexpired code sent to the phone; each code allows SMS_MAX_ATTEMPTS tries."""
    index = phone_blind_index(phone)
    with transaction.atomic():
        latest = (
            SmsCode.objects.select_for_update()
            .filter(phone_index=index, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if latest is None or latest.attempts >= SMS_MAX_ATTEMPTS:
            return False
        SmsCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
        if not secrets.compare_digest(latest.code_hash, _code_hash(index, code.strip())):
            return False
        SmsCode.objects.filter(pk=latest.pk).update(used_at=timezone.now())
        return True


# ---------------------------------------------------------------------------------------------
# Joining
# ---------------------------------------------------------------------------------------------


JoinStatus = Literal["joined", "pending", "already", "review"]


@dataclass(frozen=True)
class JoinOutcome:
    """joined: a member now; pending: waiting for the union's approval; already: had an open membership;
    review: the ID number is on record with another phone — nothing changed, the owner is told by SMS."""

    status: JoinStatus
    person: Person | None
    membership: Membership | None


def _identity_verify(checked: CheckedWorker) -> str:
    try:
        result = identity_backend().verify(checked.name, checked.id_info)
    except IdentityUnavailable:
        raise DomainError(
            _("The real-name check is not available right now; try again in a few minutes."),
            code="identity_unavailable",
        ) from None
    if not result.ok:
        raise WorkerInputError({"name": _("The name and the ID number do not belong together.")})
    return result.backend


def _person_values(checked: CheckedWorker, backend: str) -> dict[str, Any]:
    return {
        "name": checked.name,
        "occupation": checked.occupation,
        "platform": checked.platform,
        "external_id": checked.external_id,
        "employer": checked.employer,
        "employer_name": checked.employer_name,
        "work_region": checked.work_region,
        "verified_by": backend,
        "verified_at": timezone.now(),
    }


def _person_create(checked: CheckedWorker, backend: str) -> Person | None:
    """A new Person, or None when another transaction created the same one first."""
    info = checked.id_info
    try:
        with transaction.atomic():
            return Person.objects.create(
                id_number=info.number,
                id_number_index=id_number_index(info.number),
                id_last4=info.number[-4:],
                phone=checked.phone,
                phone_index=phone_blind_index(checked.phone) if checked.phone else "",
                birth_year=info.birth_date.year,
                sex=info.sex,
                origin_region_code=info.region_code,
                **_person_values(checked, backend),
            )
    except IntegrityError:
        return None


def _person_for_join(checked: CheckedWorker, backend: str, *, phone_verified: bool) -> tuple[Person, bool]:
    """The person of this ID number, created or brought up to date; (person, conflict)."""
    index = id_number_index(checked.id_info.number)
    for _attempt in range(3):
        person = Person.objects.select_for_update().filter(id_number_index=index).first()
        if person is None:
            person = _person_create(checked, backend)
            if person is None:
                continue  # created by a concurrent join: read it
            return person, False
        if person.phone and checked.phone and person.phone_index != phone_blind_index(checked.phone):
            return person, True
        if not person.phone and person.name != checked.name:
            # A record without a phone (e.g. imported) is claimed only with the name on record too.
            return person, True
        for field, value in _person_values(checked, backend).items():
            setattr(person, field, value)
        if checked.phone and not person.phone and phone_verified:
            person.phone = checked.phone
            person.phone_index = phone_blind_index(checked.phone)
        person.save()
        return person, False
    raise DomainError(_("Please submit again."), code="retry")


def card_number_draw(union: UnionOrganization) -> str:
    """A candidate 会员证号: the union's 6-digit region code, 9 random digits and a Luhn check digit."""
    body = (union.region.code if union.region else "000000")[:6].ljust(6, "0") + f"{secrets.randbelow(10**9):09d}"
    return body + _luhn_digit(body)


def card_number_issue(person: Person, union: UnionOrganization) -> None:
    """Give the person a member card number unless they have one; it is kept for life, from union to union."""
    if person.card_number:
        return
    for _attempt in range(10):
        number = card_number_draw(union)
        try:
            with transaction.atomic():
                Person.objects.filter(pk=person.pk, card_number__isnull=True).update(card_number=number)
        except IntegrityError:
            continue
        person.refresh_from_db(fields=["card_number"])
        return
    raise DomainError(_("Please submit again."), code="retry")


def _luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and _luhn_digit(number[:-1]) == number[-1]


def member_join(
    *,
    data: WorkerInput,
    source: JoinSource,
    phone_verified: bool,
    channel: JoinChannel | None = None,
    ip_address: str | None = None,
    today: date | None = None,
    lookups: Lookups | None = None,
) -> JoinOutcome:
    """A worker joins (扫码入会 / 一键入会). WorkerInputError names each wrong field.

    `lookups` lets a caller that already checked the same details (the join page) share its reads."""
    if ip_address and not ratelimit.hit("join-ip", ip_address, JOIN_PER_IP):
        raise DomainError(
            _("Too many applications from this network; try again in a few minutes."), code="rate_limited"
        )
    checked = worker_check(data, today=today, lookups=lookups)
    backend = _identity_verify(checked)
    routing = route_join(
        work_region=checked.work_region,
        occupation=checked.occupation,
        employer=checked.employer,
        join_place=checked.join_place,
        origin_region_code=checked.id_info.region_code,
        channel=channel,
    )
    by = "platform" if source == JoinSource.ONE_TAP else "worker"
    joined_on = today or timezone.localdate()
    with transaction.atomic():
        person, conflict = _person_for_join(checked, backend, phone_verified=phone_verified)
        if conflict:
            _event(person=person, kind=EventKind.JOIN_CONFLICT, by=by, union=routing.union)
            _notify(
                person.phone,
                _(
                    "Someone applied to join the union with your ID number from another phone. "
                    "If it was you, bring your ID card to a union service station."
                ),
            )
            return JoinOutcome(status="review", person=None, membership=None)
        existing = open_membership(person)
        if existing is not None:
            return JoinOutcome(status="already", person=person, membership=existing)
        pending = routing.union.join_requires_approval
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    person=person,
                    union=routing.union,
                    status=MembershipStatus.PENDING if pending else MembershipStatus.ACTIVE,
                    source=source,
                    channel=channel,
                    join_place=checked.join_place,
                    routed_by=routing.routed_by,
                    joined_on=joined_on,
                )
        except IntegrityError:
            existing = open_membership(person)  # a concurrent join of the same person won
            if existing is None:
                raise
            return JoinOutcome(status="already", person=person, membership=existing)
        _event(person=person, membership=membership, kind=EventKind.APPLIED if pending else EventKind.JOINED, by=by)
        if not pending:
            card_number_issue(person, routing.union)
            _notify(
                person.phone,
                _("Welcome to %(union)s. Your member card number is %(card)s.")
                % {"union": routing.union.name, "card": person.card_number},
            )
    return JoinOutcome(status="pending" if pending else "joined", person=person, membership=membership)


# ---------------------------------------------------------------------------------------------
# One-tap join tokens (一键入会) and member cards (会员证)
# ---------------------------------------------------------------------------------------------


def join_token_issue(*, data: WorkerInput, issuer: str) -> str:
    """A sealed (encrypted, signed, timed) token with the worker's details, for a platform's join button."""
    return crypto.seal(json.dumps({"issuer": issuer, "worker": asdict(data)}, ensure_ascii=False))


def join_token_read(token: str) -> tuple[WorkerInput, str]:
    """(details, issuer) of a token no older than JOIN_TOKEN_SECONDS; DomainError otherwise."""
    try:
        payload = json.loads(crypto.unseal(token, max_age=settings.JOIN_TOKEN_SECONDS))
        fields = {
            key: str(value) for key, value in payload["worker"].items() if key in WorkerInput.__dataclass_fields__
        }
        return WorkerInput(**fields), str(payload["issuer"])
    except (crypto.DecryptionError, ValueError, KeyError, TypeError):
        raise DomainError(
            _("This join link has expired or is not valid. Open it again from the app."), code="token"
        ) from None


def card_token(person: Person) -> str:
    """The token in a member card's QR code: the card number sealed (a merchant cannot read it), valid for
    MEMBER_CARD_TOKEN_SECONDS so a screenshot goes stale."""
    if not person.card_number:
        raise DomainError(_("This person has no member card yet."), code="no_card")
    return crypto.seal(f"card:{person.card_number}")


@dataclass(frozen=True)
class CardCheck:
    result: VerificationResult
    union_name: str = ""
    name_masked: str = ""
    # For the system's own use (a merchant's redemption log); never shown to the one who scanned.
    person_id: int | None = None
    membership_id: int | None = None


def _card_number_of(token: str) -> tuple[VerificationResult, str]:
    try:
        message = crypto.unseal(token, max_age=settings.MEMBER_CARD_TOKEN_SECONDS)
    except crypto.DecryptionError:
        try:
            crypto.sealed_at(token)
        except crypto.DecryptionError:
            return VerificationResult.INVALID, ""
        return VerificationResult.EXPIRED, ""  # genuine, but too old
    if not message.startswith("card:"):
        return VerificationResult.INVALID, ""  # a sealed token of another kind (e.g. a join token)
    return VerificationResult.VALID, message.removeprefix("card:")


def card_verify(
    *, token: str, ip_address: str | None = None, verifier: User | None = None, today: date | None = None
) -> CardCheck:
    """What a station or merchant may learn from a card: valid or not, the union, a masked name. Logged."""
    person = None
    membership = None
    result, card_number = _card_number_of(token)
    if result == VerificationResult.VALID:
        person = Person.objects.filter(card_number=card_number).first()
        membership = (
            person.memberships.select_related("union").filter(status__in=MEMBER_STATUSES).first() if person else None
        )
        result = VerificationResult.VALID if membership is not None else VerificationResult.INVALID
    CardVerification.objects.create(
        person=person,
        union=membership.union if membership is not None else None,
        result=result,
        verifier=verifier,
        ip_address=ip_address,
    )
    if membership is None or person is None:
        return CardCheck(result=result)
    Membership.objects.filter(pk=membership.pk).update(last_activity_on=today or timezone.localdate())
    return CardCheck(
        result=result,
        union_name=membership.union.name,
        name_masked=mask_name(person.name),
        person_id=person.pk,
        membership_id=membership.pk,
    )


# ---------------------------------------------------------------------------------------------
# Worker log-in
# ---------------------------------------------------------------------------------------------


def worker_login(*, phone: str, code: str) -> Person | None:
    """The person whose phone this is, once the code checks; None otherwise (the page says the same)."""
    if not sms_code_check(phone=phone, purpose=SmsPurpose.LOGIN, code=code):
        return None
    return Person.objects.filter(phone_index=phone_blind_index(phone)).order_by("-updated_at", "-pk").first()


# ---------------------------------------------------------------------------------------------
# Staff: approval, transfer, retention, lapse, leaving
# ---------------------------------------------------------------------------------------------


def _require_change(jurisdiction: Jurisdiction, union: UnionOrganization) -> None:
    if not jurisdiction.covers_organization(union):
        raise NotVisible()
    if not jurisdiction.can_change:
        raise NotAllowed()


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update(of=("self",)).select_related("person", "union").get(pk=membership.pk)


def _require_status(membership: Membership, allowed: list[MembershipStatus]) -> None:
    if membership.status not in allowed:
        raise DomainError(
            _("This cannot be done to a membership that is %(status)s.")
            % {"status": MembershipStatus(membership.status).label},
            code="status",
        )


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give a reason."), code="reason")
    return reason


@transaction.atomic
def membership_approve(*, membership: Membership, actor: User, jurisdiction: Jurisdiction) -> Membership:
    membership = _locked(membership)
    _require_change(jurisdiction, membership.union)
    _require_status(membership, [MembershipStatus.PENDING])
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    _event(person=membership.person, membership=membership, kind=EventKind.APPROVED, by="staff", actor=actor)
    card_number_issue(membership.person, membership.union)
    _notify(
        membership.person.phone,
        _("Welcome to %(union)s. Your member card number is %(card)s.")
        % {"union": membership.union.name, "card": membership.person.card_number},
    )
    return membership


def _close(
    membership: Membership,
    *,
    status: MembershipStatus,
    kind: EventKind,
    allowed: list[MembershipStatus],
    actor: User,
    jurisdiction: Jurisdiction,
    reason: str,
    today: date | None,
) -> Membership:
    membership = _locked(membership)
    _require_change(jurisdiction, membership.union)
    _require_status(membership, allowed)
    reason = _require_reason(reason)
    MembershipTransfer.objects.filter(membership=membership, status=TransferStatus.REQUESTED).update(
        status=TransferStatus.CANCELLED, decided_by=actor, decided_at=timezone.now()
    )
    membership.status = status
    membership.ended_on = max(today or timezone.localdate(), membership.joined_on)
    membership.save(update_fields=["status", "ended_on", "updated_at"])
    _event(person=membership.person, membership=membership, kind=kind, by="staff", actor=actor, reason=reason)
    return membership


@transaction.atomic
def membership_reject(
    *, membership: Membership, actor: User, jurisdiction: Jurisdiction, reason: str, today: date | None = None
) -> Membership:
    return _close(
        membership,
        status=MembershipStatus.REJECTED,
        kind=EventKind.REJECTED,
        allowed=[MembershipStatus.PENDING],
        actor=actor,
        jurisdiction=jurisdiction,
        reason=reason,
        today=today,
    )


@transaction.atomic
def membership_lapse(
    *, membership: Membership, actor: User, jurisdiction: Jurisdiction, reason: str, today: date | None = None
) -> Membership:
    """Membership lapses only by a person's decision (the system only flags candidates)."""
    return _close(
        membership,
        status=MembershipStatus.LAPSED,
        kind=EventKind.LAPSED,
        allowed=[MembershipStatus.ACTIVE, MembershipStatus.RETAINED],
        actor=actor,
        jurisdiction=jurisdiction,
        reason=reason,
        today=today,
    )


@transaction.atomic
def membership_leave(
    *, membership: Membership, actor: User, jurisdiction: Jurisdiction, reason: str, today: date | None = None
) -> Membership:
    return _close(
        membership,
        status=MembershipStatus.LEFT,
        kind=EventKind.LEFT,
        allowed=[MembershipStatus.ACTIVE, MembershipStatus.RETAINED],
        actor=actor,
        jurisdiction=jurisdiction,
        reason=reason,
        today=today,
    )


@transaction.atomic
def membership_retain(*, membership: Membership, actor: User, jurisdiction: Jurisdiction, reason: str) -> Membership:
    """保留会籍: the worker is between jobs; the membership and the card stay valid."""
    membership = _locked(membership)
    _require_change(jurisdiction, membership.union)
    _require_status(membership, [MembershipStatus.ACTIVE])
    reason = _require_reason(reason)
    membership.status = MembershipStatus.RETAINED
    membership.save(update_fields=["status", "updated_at"])
    _event(
        person=membership.person, membership=membership, kind=EventKind.RETAINED, by="staff", actor=actor, reason=reason
    )
    return membership


@transaction.atomic
def membership_reactivate(*, membership: Membership, actor: User, jurisdiction: Jurisdiction) -> Membership:
    membership = _locked(membership)
    _require_change(jurisdiction, membership.union)
    _require_status(membership, [MembershipStatus.RETAINED])
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    _event(person=membership.person, membership=membership, kind=EventKind.REACTIVATED, by="staff", actor=actor)
    return membership


@transaction.atomic
def transfer_request(
    *,
    membership: Membership,
    to_union: UnionOrganization,
    actor: User,
    jurisdiction: Jurisdiction,
    reason: str,
) -> MembershipTransfer:
    """The sending union asks another union to take the member (会籍转接); the receiving union decides."""
    membership = _locked(membership)
    _require_change(jurisdiction, membership.union)
    _require_status(membership, [MembershipStatus.ACTIVE, MembershipStatus.RETAINED])
    if to_union.pk == membership.union_id:
        raise DomainError(_("The member already belongs to this union."), code="same_union")
    if not to_union.is_active:
        raise DomainError(_("That union is no longer active."), code="inactive")
    try:
        with transaction.atomic():
            transfer = MembershipTransfer.objects.create(
                membership=membership,
                from_union=membership.union,
                to_union=to_union,
                reason=reason.strip()[:500],
                requested_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("A transfer of this membership is already waiting."), code="transfer_open") from None
    _event(
        person=membership.person,
        membership=membership,
        kind=EventKind.TRANSFER_REQUESTED,
        by="staff",
        actor=actor,
        union=to_union,  # the event names the receiving union; the reason is the staff's own words
        reason=reason.strip(),
    )
    return transfer


def _locked_transfer(transfer: MembershipTransfer) -> MembershipTransfer:
    locked = (
        MembershipTransfer.objects.select_for_update(of=("self",))
        .select_related("membership__person", "membership__union", "to_union__region", "from_union")
        .get(pk=transfer.pk)
    )
    if locked.status != TransferStatus.REQUESTED:
        raise DomainError(_("This transfer has already been decided."), code="decided")
    return locked


def _transfer_decide(transfer: MembershipTransfer, status: TransferStatus, actor: User) -> None:
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def transfer_accept(
    *, transfer: MembershipTransfer, actor: User, jurisdiction: Jurisdiction, today: date | None = None
) -> Membership:
    """The receiving union takes the member: the old membership ends, a new one starts; the card stays."""
    transfer = _locked_transfer(transfer)
    _require_change(jurisdiction, transfer.to_union)
    if not transfer.to_union.is_active:
        raise DomainError(_("That union is no longer active."), code="inactive")
    old = _locked(transfer.membership)
    _require_status(old, [MembershipStatus.ACTIVE, MembershipStatus.RETAINED])
    day = max(today or timezone.localdate(), old.joined_on)
    old.status = MembershipStatus.TRANSFERRED_OUT
    old.ended_on = day
    old.save(update_fields=["status", "ended_on", "updated_at"])
    new = Membership.objects.create(
        person=old.person,
        union=transfer.to_union,
        status=MembershipStatus.ACTIVE,
        source=old.source,
        join_place=old.join_place,
        routed_by="transfer",
        joined_on=day,
        last_dues_on=old.last_dues_on,
        last_activity_on=old.last_activity_on,
    )
    _transfer_decide(transfer, TransferStatus.ACCEPTED, actor)
    _event(person=old.person, membership=old, kind=EventKind.TRANSFERRED_OUT, by="staff", actor=actor)
    _event(person=old.person, membership=new, kind=EventKind.TRANSFERRED_IN, by="staff", actor=actor)
    _notify(
        old.person.phone,
        _("Your membership has moved to %(union)s. Your member card stays the same.")
        % {"union": transfer.to_union.name},
    )
    return new


@transaction.atomic
def transfer_decline(
    *, transfer: MembershipTransfer, actor: User, jurisdiction: Jurisdiction, reason: str
) -> MembershipTransfer:
    transfer = _locked_transfer(transfer)
    _require_change(jurisdiction, transfer.to_union)
    reason = _require_reason(reason)
    _transfer_decide(transfer, TransferStatus.DECLINED, actor)
    _event(
        person=transfer.membership.person,
        membership=transfer.membership,
        kind=EventKind.TRANSFER_DECLINED,
        by="staff",
        actor=actor,
        union=transfer.to_union,
        reason=reason,
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: MembershipTransfer, actor: User, jurisdiction: Jurisdiction) -> MembershipTransfer:
    transfer = _locked_transfer(transfer)
    _require_change(jurisdiction, transfer.from_union)
    _transfer_decide(transfer, TransferStatus.CANCELLED, actor)
    _event(
        person=transfer.membership.person,
        membership=transfer.membership,
        kind=EventKind.TRANSFER_CANCELLED,
        by="staff",
        actor=actor,
    )
    return transfer


# ---------------------------------------------------------------------------------------------
# Join channels (QR codes) and join rules
# ---------------------------------------------------------------------------------------------


def channel_create(
    *,
    kind: ChannelKind,
    name: str,
    union: UnionOrganization,
    region: Region,
    actor: User,
    jurisdiction: Jurisdiction,
) -> JoinChannel:
    _require_change(jurisdiction, union)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the QR code a name, e.g. the station or event."), code="name")
    if not jurisdiction.covers_region(region.code):
        raise NotVisible()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return JoinChannel.objects.create(
                    code=secrets.token_urlsafe(8)[:10],
                    kind=kind,
                    name=name[:128],
                    union=union,
                    region=region,
                    created_by=actor,
                )
        except IntegrityError:
            continue
    raise DomainError(_("Please submit again."), code="retry")


def channel_set_open(*, channel: JoinChannel, is_open: bool, jurisdiction: Jurisdiction) -> JoinChannel:
    _require_change(jurisdiction, channel.union)
    channel.is_active = is_open
    channel.save(update_fields=["is_active"])
    return channel


def join_route_save(
    *,
    region: Region,
    occupation: str,
    union: UnionOrganization,
    note: str,
    actor: User,
    jurisdiction: Jurisdiction,
) -> JoinRoute:
    """Set which union workers of a region (and occupation) join. Takes an administrator of the area."""
    if not jurisdiction.can_administer:
        raise NotAllowed()
    if not jurisdiction.covers_region(region.code):
        raise NotVisible()
    _require_change(jurisdiction, union)
    related = union.region is not None and (
        region.code.startswith(union.region.prefix) or union.region.code.startswith(region.prefix)
    )
    if not related:
        raise DomainError(_("The union must belong to that region or to a region around it."), code="region")
    route, _created = JoinRoute.objects.update_or_create(
        region=region, occupation=occupation, defaults={"union": union, "note": note.strip()[:200], "created_by": actor}
    )
    return route


def join_route_delete(*, route: JoinRoute, jurisdiction: Jurisdiction) -> None:
    if not jurisdiction.can_administer:
        raise NotAllowed()
    if not jurisdiction.covers_region(route.region.code):
        raise NotVisible()
    route.delete()
