"""Reads of the worker ledger: reconciliation (清底数) of the ledger against the membership records.

Whether a worker is a member is read from members at query time, never copied: a worker is a
*member* when the Person with the same ID number (blind index) holds a membership in
MEMBER_STATUSES, *pending* when their membership awaits approval, else *not joined*.

Every figure keeps its scope (DOMAIN.md: rates are fractions with a stated scope): the region, the
occupation, the source and the date, with both numerator and denominator. A worker has one work
region and one occupation, so the region × occupation figures count each person once; a person whom
several sources list is counted under each of those sources, and once in every total.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gigunion.core.occupations import Occupation
from gigunion.ledger.models import RosterBatch, Sighting, Source, Worker, worker_key
from gigunion.members.models import MEMBER_STATUSES, Membership, MembershipStatus, Person
from gigunion.regions.models import Region
from gigunion.regions.selectors import ChildPlacer, region_children

# A worker's membership status, as the ledger reads it from members.
MEMBER = "member"
PENDING = "pending"
NOT_MEMBER = "not_member"
MEMBER_STATUS_CHOICES = [
    (MEMBER, gettext_lazy("Member")),
    (PENDING, gettext_lazy("Awaiting approval")),
    (NOT_MEMBER, gettext_lazy("Not joined")),
]
MEMBER_STATUS_VALUES = [value for value, _label in MEMBER_STATUS_CHOICES]
# Workers matched against the ledger per query when looking for members in no roster.
_MATCH_CHUNK = 500


def _membership_exists(statuses: Sequence[str], index_field: str = "id_number_index") -> Exists:
    """True when the Person with the worker's ID number holds a membership in one of `statuses`."""
    return Exists(Membership.objects.filter(person__id_number_index=OuterRef(index_field), status__in=list(statuses)))


def _is_member(index_field: str = "id_number_index") -> Exists:
    return _membership_exists([str(status) for status in MEMBER_STATUSES], index_field)


def _is_pending(index_field: str = "id_number_index") -> Exists:
    return _membership_exists([MembershipStatus.PENDING], index_field)


def workers_with_member_status(workers: QuerySet[Worker]) -> QuerySet[Worker]:
    """The workers annotated with `is_member`, `is_pending` (booleans) read from the membership records."""
    return workers.annotate(is_member=_is_member(), is_pending=_is_pending())


def worker_member_status(worker: Worker) -> str:
    """MEMBER, PENDING or NOT_MEMBER for one worker."""
    person = Person.objects.filter(id_number_index=worker.id_number_index)
    if Membership.objects.filter(person__in=person, status__in=MEMBER_STATUSES).exists():
        return MEMBER
    if Membership.objects.filter(person__in=person, status=MembershipStatus.PENDING).exists():
        return PENDING
    return NOT_MEMBER


def worker_person(worker: Worker) -> Person | None:
    """The real-name record (members) of the same ID number, if the worker has one."""
    return Person.objects.filter(id_number_index=worker.id_number_index).first()


def workers_filtered(
    workers: QuerySet[Worker],
    *,
    region_prefix: str = "",
    outside_prefixes: Sequence[str] = (),
    occupation: str = "",
    source_id: int | None = None,
    platform: str = "",
    status: str = "",
    active: bool | None = None,
) -> QuerySet[Worker]:
    """The list behind any figure of the reconciliation: `workers` narrowed by every filter given.

    `region_prefix` keeps workers whose work region lies in that region; `outside_prefixes` drops
    those under any of these regions (a region's own row: workers under none of its child regions).
    `source_id` and `platform` keep workers a source (with that platform) lists; `status` is MEMBER,
    PENDING or NOT_MEMBER.
    """
    if region_prefix:
        workers = workers.filter(work_region__code__startswith=region_prefix)
    if outside_prefixes:
        outside = Q()
        for prefix in outside_prefixes:
            outside |= Q(work_region__code__startswith=prefix)
        workers = workers.exclude(outside)
    if occupation:
        workers = workers.filter(occupation=occupation)
    if active is not None:
        workers = workers.filter(active=active)
    if source_id is not None or platform:
        sightings = Sighting.objects.filter(worker=OuterRef("pk"))
        if source_id is not None:
            sightings = sightings.filter(source_id=source_id)
        if platform:
            sightings = sightings.filter(platform=platform)
        workers = workers.filter(Exists(sightings))
    if status == MEMBER:
        workers = workers.filter(_is_member())
    elif status == PENDING:
        workers = workers.filter(_is_pending())
    elif status == NOT_MEMBER:
        workers = workers.exclude(_is_member()).exclude(_is_pending())
    return workers


# ---------------------------------------------------------------------------------------------
# Reconciliation figures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """Members among the workers of one scope: membership_rate = members ÷ workers.

    The scope: `region` (a division code: the child region of the row, or the area itself),
    `occupation` ("" = every occupation), `source_id` (None = every source) and the date `as_of`.
    `outside_children` marks the area's own row: workers in the area under none of its child regions.
    """

    region: str
    occupation: str
    source_id: int | None
    as_of: date
    label: str
    workers: int
    members: int
    pending: int
    outside_children: bool = False

    @property
    def not_joined(self) -> int:
        return self.workers - self.members - self.pending

    @property
    def rate(self) -> float | None:
        return self.members / self.workers if self.workers else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


@dataclass(frozen=True)
class SourceFigure:
    """A source's figure in the area, with when it last sent a roster (any area) and the date it described."""

    source: Source
    figure: Figure
    last_import: date | None
    last_as_of: date | None


@dataclass
class Reconciliation:
    """清底数 of one area: the ledger's workers against the members, at `as_of`.

    `total` counts each person once. `by_region` has a row per child region with workers (and the
    area's own row last, for workers under none of them); `by_region_occupation` breaks each of those
    down by occupation; `by_occupation` covers the whole area; `by_source` a row per source listing
    workers here; `cells` the region × occupation × source figures. `members_not_in_ledger` counts
    members whose work region lies in the area and whom no roster lists.
    """

    region: Region | None
    region_prefix: str
    as_of: date
    active: bool | None
    total: Figure
    by_region: list[Figure]
    by_region_occupation: list[Figure]
    by_occupation: list[Figure]
    by_source: list[SourceFigure]
    cells: list[Figure]
    members_not_in_ledger: int
    child_prefixes: list[str] = field(default_factory=list)

    def occupations_of(self, region_row: Figure) -> list[Figure]:
        return [
            figure
            for figure in self.by_region_occupation
            if figure.region == region_row.region and figure.outside_children == region_row.outside_children
        ]


def _counts(index_field: str = "id_number_index", key: str = "pk") -> dict[str, Count]:
    return {
        "workers": Count(key),
        "members": Count(key, filter=Q(_is_member(index_field))),
        "pending": Count(key, filter=Q(_is_pending(index_field))),
    }


def _occupation_label(code: str) -> str:
    return str(Occupation(code).label) if code in Occupation.values else code


def reconciliation(*, region: Region | None, active: bool | None = None, as_of: date | None = None) -> Reconciliation:
    """The reconciliation of the area of `region` (None: the whole country) against the members.

    `active` restricts every figure to workers at work (True) or not (False). Four grouped queries
    and one pass over the members of the area, whatever the number of workers.
    """
    as_of = as_of or timezone.localdate()
    prefix = region.prefix if region is not None else ""
    area_code = region.code if region is not None else ""
    area_name = region.name if region is not None else _("The whole country")
    children = list(region_children(region=region))
    placer = ChildPlacer(children)
    names = {child.code: child.name for child in children}
    own_label = _("%(region)s itself (no lower region given)") % {"region": area_name}

    workers = Worker.objects.filter(work_region__code__startswith=prefix) if prefix else Worker.objects.all()
    if active is not None:
        workers = workers.filter(active=active)

    def figure(code: str | None, occupation: str, source_id: int | None, label: str, counts: dict[str, int]) -> Figure:
        return Figure(
            region=code if code is not None else area_code,
            occupation=occupation,
            source_id=source_id,
            as_of=as_of,
            label=label,
            workers=counts["workers"],
            members=counts["members"],
            pending=counts["pending"],
            outside_children=code is None and bool(children),
        )

    totals = workers.aggregate(**_counts())
    total = figure(area_code, "", None, area_name, totals)

    # Region × occupation: group by the leading digits that name a child region, place in Python.
    key = Substr("work_region_id", 1, placer.length) if placer.length else Value("")
    grouped: dict[tuple[str | None, str], dict[str, int]] = {}
    for row in workers.annotate(key=key).values("key", "occupation").annotate(**_counts()).order_by():
        cell = grouped.setdefault((placer.place(row["key"]), row["occupation"]), dict.fromkeys(_COUNT_NAMES, 0))
        for name in _COUNT_NAMES:
            cell[name] += row[name]

    region_totals: dict[str | None, dict[str, int]] = {}
    occupation_totals: dict[str, dict[str, int]] = {}
    for (code, occupation), counts in grouped.items():
        _add(region_totals.setdefault(code, dict.fromkeys(_COUNT_NAMES, 0)), counts)
        _add(occupation_totals.setdefault(occupation, dict.fromkeys(_COUNT_NAMES, 0)), counts)

    def region_label(code: str | None) -> str:
        return names[code] if code is not None else (own_label if children else area_name)

    region_order: list[str | None] = [child.code for child in children if child.code in region_totals]
    if None in region_totals:
        region_order.append(None)
    by_region = [figure(code, "", None, region_label(code), region_totals[code]) for code in region_order]
    occupation_order = [str(value) for value in Occupation.values]
    by_region_occupation = [
        figure(code, occupation, None, _occupation_label(occupation), grouped[(code, occupation)])
        for code in region_order
        for occupation in occupation_order
        if (code, occupation) in grouped
    ]
    by_occupation = [
        figure(area_code, occupation, None, _occupation_label(occupation), occupation_totals[occupation])
        for occupation in occupation_order
        if occupation in occupation_totals
    ]

    # Region × occupation × source: a sighting is one (worker, source), so each person counts once per source.
    sightings = Sighting.objects.filter(worker__work_region__code__startswith=prefix)
    if active is not None:
        sightings = sightings.filter(worker__active=active)
    source_key = Substr("worker__work_region_id", 1, placer.length) if placer.length else Value("")
    cells_grouped: dict[tuple[int, str | None, str], dict[str, int]] = {}
    for row in (
        sightings.annotate(key=source_key)
        .values("source_id", "key", "worker__occupation")
        .annotate(**_counts("worker__id_number_index"))
        .order_by()
    ):
        cell_key = (int(row["source_id"]), placer.place(row["key"]), row["worker__occupation"])
        _add(cells_grouped.setdefault(cell_key, dict.fromkeys(_COUNT_NAMES, 0)), row)
    sources = {source.pk: source for source in Source.objects.filter(pk__in={key[0] for key in cells_grouped})}
    source_totals: dict[int, dict[str, int]] = {}
    for (source_id, _code, _occupation), counts in cells_grouped.items():
        _add(source_totals.setdefault(source_id, dict.fromkeys(_COUNT_NAMES, 0)), counts)
    imports = {
        row["source_id"]: row
        for row in RosterBatch.objects.filter(source_id__in=list(sources))
        .values("source_id")
        .annotate(last_import=Max("created_at"), last_as_of=Max("as_of"))
        .order_by()
    }
    by_source = [
        SourceFigure(
            source=source,
            figure=figure(area_code, "", source.pk, source.name, source_totals[source.pk]),
            last_import=timezone.localdate(imports[source.pk]["last_import"]) if source.pk in imports else None,
            last_as_of=imports[source.pk]["last_as_of"] if source.pk in imports else None,
        )
        for source in sorted(sources.values(), key=lambda source: (-source_totals[source.pk]["workers"], source.name))
    ]
    source_position = {row.source.pk: position for position, row in enumerate(by_source)}
    cells = [
        figure(code, occupation, source_id, sources[source_id].name, counts)
        for (source_id, code, occupation), counts in sorted(
            cells_grouped.items(),
            key=lambda item: (
                source_position[item[0][0]],
                region_order.index(item[0][1]),
                occupation_order.index(item[0][2]) if item[0][2] in occupation_order else len(occupation_order),
            ),
        )
    ]
    return Reconciliation(
        region=region,
        region_prefix=prefix,
        as_of=as_of,
        active=active,
        total=total,
        by_region=by_region,
        by_region_occupation=by_region_occupation,
        by_occupation=by_occupation,
        by_source=by_source,
        cells=cells,
        members_not_in_ledger=len(members_not_in_ledger(region_prefix=prefix)),
        child_prefixes=[child.prefix for child in children],
    )


_COUNT_NAMES = ("workers", "members", "pending")


def _add(into: dict[str, int], counts: dict[str, int]) -> None:
    for name in _COUNT_NAMES:
        into[name] += int(counts[name])


# ---------------------------------------------------------------------------------------------
# Members in no roster
# ---------------------------------------------------------------------------------------------


def _area_members(region_prefix: str) -> QuerySet[Person]:
    """People holding a membership in MEMBER_STATUSES whose work region lies in the area."""
    members = Person.objects.filter(
        Exists(Membership.objects.filter(person=OuterRef("pk"), status__in=MEMBER_STATUSES))
    )
    return members.filter(work_region__code__startswith=region_prefix) if region_prefix else members


def _chunks(rows: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def members_not_in_ledger(*, region_prefix: str) -> list[int]:
    """The people (Person pks, ascending) who are members, work in the area, and are in no roster.

    A worker's key is the blind index of the ID number read as a number (ledger.models.worker_key),
    so each member is looked up by primary key: the ledger needs no second index for this.
    """
    rows = _area_members(region_prefix).order_by("pk").values_list("pk", "id_number_index").iterator(chunk_size=5000)
    missing: list[int] = []
    for chunk in _chunks(rows, _MATCH_CHUNK):
        keys = {worker_key(index): (pk, index) for pk, index in chunk}
        found = dict(Worker.objects.filter(pk__in=list(keys)).values_list("pk", "id_number_index"))
        missing.extend(pk for key, (pk, index) in keys.items() if found.get(key) != index)
    return sorted(missing)


def people_in(person_ids: Sequence[int]) -> QuerySet[Person]:
    """The people of a page of `members_not_in_ledger`, with what their list shows."""
    return Person.objects.filter(pk__in=list(person_ids)).select_related("work_region").order_by("pk")
