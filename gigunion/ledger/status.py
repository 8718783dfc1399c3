"""What a platform partner may read back about its own workers (the platform API, ADR 0007).

A platform sees only the workers it told us about: those its own roster source lists with its
platform id (Sighting.external_id), and — for people who joined through its one-tap button before
any roster named them — people recorded with the platform's name and that id. Whether they are
members is read from the membership records, matched by the blind index of the ID number, so it is
never stale. Nothing personal is returned: the platform gets back its own ids with a status.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from gigunion.core.validators import IdNumberError, parse_id_number
from gigunion.ledger.models import RosterBatch, Sighting, Source
from gigunion.members.models import MEMBER_STATUSES, OPEN_STATUSES, Membership, Person
from gigunion.members.selectors import id_number_index
from gigunion.platforms.models import Platform

MembershipState = Literal["member", "pending", "not_member"]
WorkerState = Literal["member", "pending", "not_member", "unknown"]

MEMBER: MembershipState = "member"
PENDING: MembershipState = "pending"
NOT_MEMBER: MembershipState = "not_member"
UNKNOWN: WorkerState = "unknown"

# Values bound in one IN (…) clause: well under every database's limit on parameters.
_CHUNK = 500
_RANK = {MEMBER: 2, PENDING: 1, NOT_MEMBER: 0}


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _better(first: MembershipState | None, second: MembershipState) -> MembershipState:
    return second if first is None or _RANK[second] > _RANK[first] else first


def membership_by_index(indexes: Iterable[str]) -> dict[str, MembershipState]:
    """Member, pending or not a member, for each blind index of an ID number."""
    wanted = sorted(set(indexes))
    states: dict[str, MembershipState] = dict.fromkeys(wanted, NOT_MEMBER)
    for chunk in _chunks(wanted):
        rows = Membership.objects.filter(person__id_number_index__in=chunk, status__in=OPEN_STATUSES).values_list(
            "person__id_number_index", "status"
        )
        for index, status in rows:
            states[index] = _better(states[index], MEMBER if status in MEMBER_STATUSES else PENDING)
    return states


def membership_by_id_number(id_numbers: Sequence[str]) -> list[MembershipState]:
    """Member, pending or not a member, for each ID number (in order; a number that cannot be read: not a member)."""
    indexes: list[str | None] = []
    for text in id_numbers:
        try:
            number = parse_id_number(text, region_known=lambda _code: True).number
        except IdNumberError:
            indexes.append(None)
        else:
            indexes.append(id_number_index(number))
    states = membership_by_index(index for index in indexes if index is not None)
    return [states[index] if index is not None else NOT_MEMBER for index in indexes]


def _platform_source(platform: Platform) -> Source | None:
    # A read: the platform's source is not created here (ledger.services.source_for_platform does on a push).
    return Source.objects.filter(platform=platform).first()


def _indexes_by_external_id(platform: Platform, external_ids: Sequence[str]) -> dict[str, list[str]]:
    """Platform id -> blind indexes of the people it names, among this platform's own workers only."""
    # No stored id holds a NUL character (PostgreSQL text cannot): such an id is simply unknown.
    wanted = sorted({external_id for external_id in external_ids if external_id and "\x00" not in external_id})
    found: dict[str, list[str]] = {}
    source = _platform_source(platform)
    if source is not None:
        for chunk in _chunks(wanted):
            rows = Sighting.objects.filter(source=source, external_id__in=chunk).values_list(
                "external_id", "worker__id_number_index"
            )
            for external_id, index in rows:
                found.setdefault(external_id, []).append(index)
    missing = [external_id for external_id in wanted if external_id not in found]
    for chunk in _chunks(missing):
        people = Person.objects.filter(platform=platform.name, external_id__in=chunk).values_list(
            "external_id", "id_number_index"
        )
        for external_id, index in people:
            found.setdefault(external_id, []).append(index)
    return found


def platform_statuses(platform: Platform, external_ids: Sequence[str]) -> dict[str, WorkerState]:
    """The membership status of each of this platform's workers by platform id; "unknown" for any other id."""
    found = _indexes_by_external_id(platform, external_ids)
    states = membership_by_index(index for indexes in found.values() for index in indexes)
    answer: dict[str, WorkerState] = {}
    for external_id in external_ids:
        best: MembershipState | None = None
        for index in found.get(external_id, []):
            best = _better(best, states[index])
        answer[external_id] = UNKNOWN if best is None else best
    return answer


@dataclass(frozen=True)
class PlatformWorker:
    """One of a platform's workers as the platform may see it. `active` and `last_seen` are None for a
    person who joined through the platform's button but whom no roster of the platform has listed."""

    external_id: str
    status: MembershipState
    active: bool | None
    last_seen: date | None


def platform_worker(platform: Platform, external_id: str) -> PlatformWorker | None:
    """This platform's worker with this platform id; None when the platform has no such worker."""
    if not external_id or "\x00" in external_id:
        return None
    source = _platform_source(platform)
    sighting = (
        Sighting.objects.filter(source=source, external_id=external_id).select_related("worker").first()
        if source is not None
        else None
    )
    if sighting is not None:
        state = membership_by_index([sighting.worker.id_number_index])[sighting.worker.id_number_index]
        return PlatformWorker(
            external_id=external_id, status=state, active=sighting.active, last_seen=sighting.last_seen
        )
    indexes = list(
        Person.objects.filter(platform=platform.name, external_id=external_id).values_list("id_number_index", flat=True)
    )
    if not indexes:
        return None
    best: MembershipState | None = None
    for state in membership_by_index(indexes).values():
        best = _better(best, state)
    assert best is not None
    return PlatformWorker(external_id=external_id, status=best, active=None, last_seen=None)


def platform_batch(platform: Platform, batch_id: int) -> RosterBatch | None:
    """A roster batch this platform pushed; None for another source's batch or none at all."""
    return RosterBatch.objects.filter(pk=batch_id, source__platform=platform).first()
