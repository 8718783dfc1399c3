"""Reads for appeals: the measures of 有诉必应 (response, on-time, resolution and satisfaction rates) with the
list behind every number, by category, holding union, child region and month. Every count is one GROUP BY
query; nothing loops over appeals in Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.appeals.models import DONE_STATUSES, OPEN_STATUSES, Appeal, AppealEvent, Category, EventKind, Status
from gigunion.regions.models import PREFIX_LENGTH, Region, RegionLevel
from gigunion.regions.selectors import region_children

# The appeal list's query parameters (office /office/appeals/): status=open|done|all, category, union, region,
# overdue=1, since, until, responded=1|0, satisfied=1|0, and on_time=1 / rated=1 for the on-time and
# satisfaction figures.
Filter = dict[str, str]


@dataclass(frozen=True)
class Figure:
    """numerator ÷ denominator, each with the filters of the appeal list it counts."""

    numerator: int
    denominator: int
    numerator_filter: Filter
    denominator_filter: Filter

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass(frozen=True)
class Measures:
    """The measures of one scope (`filter`: the period plus the category, union, region or month of a row).

    - received: appeals received in the period;
    - response (有诉必应): those with a first response (any answer to the worker, a question included) ÷ received;
    - on_time: among finished appeals (resolved or closed), those whose first response came on or before its
      due date and whose resolution came on or before its due date (dates in China time; pauses have already
      moved the due dates) ÷ finished;
    - resolution (办结率): finished ÷ received;
    - satisfaction (满意率): rated satisfied ÷ rated by the worker;
    - overdue: open appeals, clock running, past the first-response or resolution due date today.
    """

    key: str
    label: str
    filter: Filter
    received: int
    response: Figure
    on_time: Figure
    resolution: Figure
    satisfaction: Figure
    overdue: int
    linked: bool = True

    @property
    def overdue_filter(self) -> Filter:
        return {**self.filter, "status": "open", "overdue": "1"}


@dataclass(frozen=True)
class AppealMeasures:
    since: date
    until: date
    total: Measures
    by_category: list[Measures]
    by_union: list[Measures]
    by_region: list[Measures]
    by_month: list[Measures]
    region: Region | None = None


def appeal_awaits_rating(appeal: Appeal, events: Iterable[AppealEvent]) -> bool:
    """Resolved, and not confirmed since it was last resolved (a reopened case is rated again).

    `events` are the appeal's, in order (AppealEvent's default ordering).
    """
    if appeal.status != Status.RESOLVED:
        return False
    waiting = False
    for event in events:
        if event.kind == EventKind.RESOLVED:
            waiting = True
        elif event.kind == EventKind.CONFIRMED:
            waiting = False
    return waiting


def overdue_q(today: date) -> Q:
    """Open, clock running, and past a due date (the same rule as services.appeal_is_overdue)."""
    return Q(status__in=OPEN_STATUSES, paused_since__isnull=True) & (
        Q(resolution_due__lt=today) | Q(first_responded_at__isnull=True, first_response_due__lt=today)
    )


def appeals_overdue(appeals: QuerySet[Appeal], *, now: datetime | None = None) -> QuerySet[Appeal]:
    return appeals.filter(overdue_q(timezone.localdate(now or timezone.now())))


def _counts(today: date) -> dict[str, Count]:
    done = Q(status__in=DONE_STATUSES)
    return {
        "received": Count("pk"),
        "responded": Count("pk", filter=Q(first_responded_at__isnull=False)),
        "done": Count("pk", filter=done),
        "on_time": Count(
            "pk",
            filter=done & Q(responded_day__lte=F("first_response_due"), resolved_day__lte=F("resolution_due")),
        ),
        "rated": Count("pk", filter=Q(satisfied__isnull=False)),
        "satisfied": Count("pk", filter=Q(satisfied=True)),
        "overdue": Count("pk", filter=overdue_q(today)),
    }


def _measures(key: str, label: str, scope: Filter, row: dict[str, Any], *, linked: bool = True) -> Measures:
    done = {**scope, "status": "done"}
    return Measures(
        key=key,
        label=label,
        filter=scope,
        received=row["received"],
        response=Figure(row["responded"], row["received"], {**scope, "responded": "1"}, scope),
        on_time=Figure(row["on_time"], row["done"], {**done, "on_time": "1"}, done),
        resolution=Figure(row["done"], row["received"], done, scope),
        satisfaction=Figure(row["satisfied"], row["rated"], {**scope, "satisfied": "1"}, {**scope, "rated": "1"}),
        overdue=row["overdue"],
        linked=linked,
    )


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _scoped(
    appeals: QuerySet[Appeal], *, since: date, until: date, region: Region | None
) -> tuple[QuerySet[Appeal], Filter]:
    scoped = appeals.filter(received_at__date__gte=since, received_at__date__lte=until).order_by()
    base: Filter = {"status": "all", "since": since.isoformat(), "until": until.isoformat()}
    if region is not None:
        scoped = scoped.filter(work_region__code__startswith=region.prefix)
        base["region"] = region.code
    counted = scoped.annotate(responded_day=TruncDate("first_responded_at"), resolved_day=TruncDate("resolved_at"))
    return counted, base


def appeal_totals(appeals: QuerySet[Appeal], *, since: date, until: date, now: datetime) -> Measures:
    """The measures of all `appeals` received from `since` to `until`, without breakdowns (one query)."""
    counted, base = _scoped(appeals, since=since, until=until, region=None)
    return _measures("", _("All appeals"), base, counted.aggregate(**_counts(timezone.localdate(now))))


def appeal_measures(
    appeals: QuerySet[Appeal],
    *,
    since: date,
    until: date,
    now: datetime,
    region: Region | None = None,
    area: Region | None = None,
) -> AppealMeasures:
    """The measures of `appeals` (already limited to the viewer's jurisdiction) received from `since` to `until`
    (inclusive, China time). `region` narrows to appeals whose work region lies in it. The regional breakdown
    has a row per child region of `region` (else of `area`, else the provinces), and a last row for the rest."""
    counted, base = _scoped(appeals, since=since, until=until, region=region)
    counts = _counts(timezone.localdate(now))
    total = _measures("", _("All appeals"), base, counted.aggregate(**counts))

    labels = dict(Category.choices)
    by_category = [
        _measures(
            row["category"],
            str(labels.get(row["category"], row["category"])),
            {**base, "category": row["category"]},
            row,
        )
        for row in counted.values("category").annotate(**counts).order_by("category")
    ]

    by_union = [
        _measures(str(row["union_id"]), row["union__name"], {**base, "union": str(row["union_id"])}, row)
        for row in counted.values("union_id", "union__name").annotate(**counts).order_by("union__name", "union_id")
    ]

    by_region: list[Measures] = []
    children = list(region_children(region=region or area))
    if children:
        rows: dict[str, dict[str, Any]] = {}
        for length in sorted({PREFIX_LENGTH[RegionLevel(child.level)] for child in children}):
            for row in (
                counted.annotate(child_prefix=Substr("work_region_id", 1, length))
                .values("child_prefix")
                .annotate(**counts)
            ):
                rows[row["child_prefix"]] = row
        for child in children:
            found = rows.get(child.prefix)
            if found is not None and found["received"]:
                by_region.append(_measures(child.code, child.name, {**base, "region": child.code}, found))
        # Appeals under none of the child regions (the area itself, or elsewhere) get a row, so the rows add up.
        rest = {key: value - sum(_raw(shown)[key] for shown in by_region) for key, value in _raw(total).items()}
        if rest["received"]:
            by_region.append(_measures("", _("No lower region given, or elsewhere"), base, rest, linked=False))

    by_month = []
    for row in counted.annotate(month=TruncMonth("received_at")).values("month").annotate(**counts).order_by("month"):
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        scope = {
            **base,
            "since": max(month, since).isoformat(),
            "until": min(_month_end(month), until).isoformat(),
        }
        by_month.append(_measures(f"{month:%Y-%m}", f"{month:%Y-%m}", scope, row))
    return AppealMeasures(
        since=since,
        until=until,
        total=total,
        by_category=by_category,
        by_union=by_union,
        by_region=by_region,
        by_month=by_month,
        region=region,
    )


def _raw(measures: Measures) -> dict[str, int]:
    return {
        "received": measures.received,
        "responded": measures.response.numerator,
        "done": measures.resolution.numerator,
        "on_time": measures.on_time.numerator,
        "rated": measures.satisfaction.denominator,
        "satisfied": measures.satisfaction.numerator,
        "overdue": measures.overdue,
    }


def appeals_matching(appeals: QuerySet[Appeal], params: Mapping[str, str]) -> QuerySet[Appeal]:
    """The list behind a measure: the filters its links carry besides status, category, region and overdue
    (since, until, union, responded, satisfied, rated, on_time), applied the way the measures count."""
    for key, lookup in (("since", "received_at__date__gte"), ("until", "received_at__date__lte")):
        try:
            day = date.fromisoformat(params.get(key, ""))
        except ValueError:
            continue
        appeals = appeals.filter(**{lookup: day})
    union = params.get("union", "")
    if union.isdigit():
        appeals = appeals.filter(union_id=int(union))
    flags = {
        "responded": Q(first_responded_at__isnull=False),
        "satisfied": Q(satisfied=True),
        "rated": Q(satisfied__isnull=False),
    }
    for key, condition in flags.items():
        if params.get(key) == "1":
            appeals = appeals.filter(condition)
        elif params.get(key) == "0":
            appeals = appeals.exclude(condition)
    if params.get("on_time") == "1":
        appeals = appeals.annotate(
            responded_day=TruncDate("first_responded_at"), resolved_day=TruncDate("resolved_at")
        ).filter(
            status__in=DONE_STATUSES,
            responded_day__lte=F("first_response_due"),
            resolved_day__lte=F("resolution_due"),
        )
    return appeals
