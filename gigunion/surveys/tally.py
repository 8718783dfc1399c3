"""Keeping the tallies current (ADR 0011).

People figures need nothing here: the triggers of migration 0002 keep `PeopleTally` exact in the
same transaction as every change. Employer figures are recomputed here for the regions the triggers
marked (`TallyDirty`), before each read: a region holds at most a few thousand employers, so a
change costs milliseconds, and nothing waits for a nightly rebuild.

`tally_rebuild` recomputes everything from the raw tables (the naive GROUP BY): for a repair, and as
the check in the tests that the tallies equal what they summarize.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gigunion.core.occupations import Occupation
from gigunion.enterprises.models import Enterprise
from gigunion.founding.models import Coverage, WorklistItem, WorklistState
from gigunion.members.models import MEMBER_STATUSES
from gigunion.orgs.models import UnionOrganization
from gigunion.surveys.models import ALL, EmployerTally, PeopleTally, TallyDay, TallyDirty

_OCCUPATIONS = frozenset(str(value) for value in Occupation.values)
_IN_PROGRESS = {WorklistState.CONTACTED, WorklistState.PREPARING}
_REGIONS_PER_QUERY = 400
# Taken inside the refresh on PostgreSQL, so two readers never recompute the same regions at once.
_REFRESH_LOCK = 0x5E7A11


def occupations_of(workers_by_occupation: object) -> frozenset[str]:
    """The occupations an employer has gig workers in, from its {occupation: count} breakdown."""
    if not isinstance(workers_by_occupation, dict):
        return frozenset()
    return frozenset(
        code
        for code, count in workers_by_occupation.items()
        if code in _OCCUPATIONS and isinstance(count, int) and not isinstance(count, bool) and count > 0
    )


def covering_q(today: date) -> Q:
    """A coverage in force on `today`, by an active union."""
    return (
        (Q(ended_on__isnull=True) | Q(ended_on__gte=today)) & Q(started_on__lte=today) & Q(organization__is_active=True)
    )


def _employer_cells(codes: Sequence[str], today: date) -> dict[tuple[str, str], list[int]]:
    """(region, occupation or ALL) -> [employers, covered, unions, on_worklist, in_progress] for `codes`."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])

    def count(region: str, occupations: Iterable[str], slot: int) -> None:
        cells[(region, ALL)][slot] += 1
        for occupation in occupations:
            cells[(region, occupation)][slot] += 1

    covered = set(
        Coverage.objects.filter(covering_q(today), enterprise__region_id__in=codes).values_list(
            "enterprise_id", flat=True
        )
    )
    for pk, region, breakdown in Enterprise.objects.filter(region_id__in=codes).values_list(
        "id", "region_id", "workers_by_occupation"
    ):
        occupations = occupations_of(breakdown)
        count(region, occupations, 0)
        if pk in covered:
            count(region, occupations, 1)

    # Unions: active organizations here covering at least one employer (of the occupation) today.
    union_occupations: dict[tuple[int, str], set[str]] = {}
    for union, region, breakdown in Coverage.objects.filter(
        covering_q(today), organization__region_id__in=codes
    ).values_list("organization_id", "organization__region_id", "enterprise__workers_by_occupation"):
        union_occupations.setdefault((union, region), set()).update(occupations_of(breakdown))
    for (_union, region), union_covers in union_occupations.items():
        count(region, union_covers, 2)

    for region, state, breakdown in WorklistItem.objects.filter(region_id__in=codes).values_list(
        "region_id", "state", "enterprise__workers_by_occupation"
    ):
        if state == WorklistState.NOT_APPLICABLE:
            continue
        occupations = occupations_of(breakdown)
        count(region, occupations, 3)
        if state in _IN_PROGRESS:
            count(region, occupations, 4)
    return cells


def _replace_employer_rows(codes: Sequence[str], today: date) -> None:
    for start in range(0, len(codes), _REGIONS_PER_QUERY):
        part = list(codes[start : start + _REGIONS_PER_QUERY])
        cells = _employer_cells(part, today)
        EmployerTally.objects.filter(region_code__in=part).delete()
        EmployerTally.objects.bulk_create(
            [
                EmployerTally(
                    region_code=region,
                    occupation=occupation,
                    employers=values[0],
                    covered_employers=values[1],
                    unions=values[2],
                    on_worklist=values[3],
                    in_progress=values[4],
                )
                for (region, occupation), values in sorted(cells.items())
                if any(values)
            ],
            batch_size=2000,
        )


def _mark_coverage_dates(today: date) -> None:
    """Mark the regions of coverage that started or ended between the last refresh's day and today:
    no row changes on those days, so no trigger marks them."""
    last = TallyDay.objects.filter(pk=1).values_list("day", flat=True).first()
    if last == today:
        return
    if last is not None and last < today:
        changed = Coverage.objects.filter(
            Q(started_on__gt=last, started_on__lte=today) | Q(ended_on__gte=last, ended_on__lt=today)
        )
        codes = set(changed.values_list("enterprise__region_id", flat=True)) | set(
            changed.filter(organization__region__isnull=False).values_list("organization__region_id", flat=True)
        )
        TallyDirty.objects.bulk_create([TallyDirty(region_code=code) for code in sorted(codes)])
    TallyDay.objects.update_or_create(pk=1, defaults={"day": today})


def employer_tally_refresh(today: date | None = None) -> int:
    """Recompute the employer figures of the regions marked since the last read; returns how many regions."""
    today = today or timezone.localdate()
    _mark_coverage_dates(today)
    if not TallyDirty.objects.exists():
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
        marks = list(TallyDirty.objects.values_list("pk", "region_code"))
        if not marks:
            return 0
        codes = sorted({code for _pk, code in marks if code})
        _replace_employer_rows(codes, today)
        # Exactly the marks read: on PostgreSQL a mark committed after this read may carry a lower id.
        read = [pk for pk, _code in marks]
        for start in range(0, len(read), 5000):
            TallyDirty.objects.filter(pk__in=read[start : start + 5000]).delete()
    return len(codes)


def tally_rebuild(today: date | None = None) -> None:
    """Recompute every tally from the raw tables (a repair; the triggers keep them current otherwise)."""
    today = today or timezone.localdate()
    statuses = [str(status) for status in MEMBER_STATUSES]
    with transaction.atomic():
        PeopleTally.objects.all().delete()
        with connection.cursor() as cursor:
            upsert = (
                "INSERT INTO surveys_peopletally (region_code, occupation, workers, members) {select} "
                "ON CONFLICT (region_code, occupation) DO UPDATE SET "
                "workers = surveys_peopletally.workers + excluded.workers, "
                "members = surveys_peopletally.members + excluded.members"
            )
            cursor.execute(
                upsert.format(
                    select="SELECT work_region_id, occupation, count(*), 0 FROM ledger_worker "
                    "WHERE active GROUP BY work_region_id, occupation"
                )
            )
            cursor.execute(
                upsert.format(
                    select="SELECT p.work_region_id, p.occupation, 0, count(*) FROM members_membership m "
                    "JOIN members_person p ON p.id = m.person_id WHERE m.status IN (%s, %s) "
                    "GROUP BY p.work_region_id, p.occupation"
                ),
                statuses,
            )
        codes = sorted(
            set(Enterprise.objects.values_list("region_id", flat=True).distinct())
            | set(UnionOrganization.objects.filter(region__isnull=False).values_list("region_id", flat=True).distinct())
            | set(WorklistItem.objects.values_list("region_id", flat=True).distinct())
        )
        EmployerTally.objects.all().delete()
        TallyDirty.objects.all().delete()
        _replace_employer_rows(codes, today)
        TallyDay.objects.update_or_create(pk=1, defaults={"day": today})
