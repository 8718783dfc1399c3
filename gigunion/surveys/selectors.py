"""Reads of the figures of an area: current (the tallies) or as a survey round locked them.

Every figure keeps its scope (DOMAIN.md): the area, the occupation (or ALL), the round or today.
Rates carry numerator and denominator. People figures (workers, members) add up across occupations,
each person having one; employer figures (employers, covered employers, unions) do not, an employer
with couriers and riders being one employer: the ALL row holds them, counted once.

Definitions (ADR 0011):
- workers: people in the ledger at work, by their work region and occupation;
- members: people holding an active or retained membership, by their work region and occupation;
- employers: the registry's employers; under an occupation, those with gig workers in it;
- covered employers: employers a union covers today; unions: active unions covering at least one;
- membership rate = members ÷ workers; founding rate = covered employers ÷ employers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet, Sum, Value
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.occupations import Occupation
from gigunion.regions.models import Region
from gigunion.regions.selectors import ChildPlacer, region_children
from gigunion.surveys.models import (
    ALL,
    FIGURE_NAMES,
    EmployerTally,
    PeopleTally,
    RoundFigure,
    RoundSubmission,
    SubmissionKind,
    SurveyEntry,
    SurveyRound,
)
from gigunion.surveys.tally import employer_tally_refresh

_M = TypeVar("_M", bound=Model)
OCCUPATION_ORDER = [str(value) for value in Occupation.values]
PEOPLE_FIGURES = ("workers", "members")
EMPLOYER_FIGURES = ("employers", "unions", "covered_employers")


@dataclass(frozen=True)
class Rate:
    """A rate with its numerator and denominator (None when the denominator is 0)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%"

    @property
    def fraction(self) -> str:
        """Four decimals, as the reports write it ('' when there is no denominator)."""
        value = self.value
        return "" if value is None else f"{value:.4f}"


@dataclass
class Counts:
    employers: int = 0
    unions: int = 0
    covered_employers: int = 0
    workers: int = 0
    members: int = 0
    on_worklist: int = 0
    in_progress: int = 0

    def add(self, other: Counts) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    @property
    def membership_rate(self) -> Rate:
        return Rate(self.members, self.workers)

    @property
    def founding_rate(self) -> Rate:
        return Rate(self.covered_employers, self.employers)

    @property
    def not_joined(self) -> int:
        return max(self.workers - self.members, 0)


def occupation_label(code: str) -> str:
    if code == ALL:
        return _("All occupations")
    return str(Occupation(code).label) if code in Occupation.values else code


@dataclass
class AreaFigures:
    """The figures of one area (None: the whole country), now or in a round, per child region × occupation.

    `cells[(child, occupation)]`: child is a child region's code, or None for records placed at the
    area itself (no lower region given); occupation is an Occupation value or ALL. `entered` names
    the figures of a cell taken from a survey sheet, and `corrected` the cells a correction changed
    (rounds only)."""

    region: Region | None
    round: SurveyRound | None
    as_of: date
    children: list[Region]
    cells: dict[tuple[str | None, str], Counts]
    entered: dict[tuple[str | None, str], set[str]] = field(default_factory=dict)
    corrected: set[tuple[str | None, str]] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.region.name if self.region is not None else _("The whole country")

    def cell(self, child: str | None, occupation: str = ALL) -> Counts:
        return self.cells.get((child, occupation), Counts())

    def total(self, occupation: str = ALL) -> Counts:
        total = Counts()
        for (_child, cell_occupation), counts in self.cells.items():
            if cell_occupation == occupation:
                total.add(counts)
        return total

    def for_occupations(self, occupations: Sequence[str] | None) -> Counts:
        """The area's figures for a set of occupations (None or empty: all).

        People figures are summed over the set; employer figures are given for ALL or one occupation
        only (an employer may have several of the set) and are 0 otherwise."""
        return _of_set(occupations, self.total)

    def child_for_occupations(self, child: str | None, occupations: Sequence[str] | None) -> Counts:
        """The same for one child region (None: the area itself)."""
        return _of_set(occupations, lambda occupation: self.cell(child, occupation))

    def occupations(self) -> list[tuple[str, Counts]]:
        """(occupation, figures) for every occupation with any figure, in the glossary's order."""
        present = {occupation for (_child, occupation) in self.cells}
        return [(occupation, self.total(occupation)) for occupation in OCCUPATION_ORDER if occupation in present]

    def places(self) -> list[tuple[Region | None, Counts]]:
        """(child region, ALL figures) for every child (zeros included), then the area itself if it holds any."""
        rows: list[tuple[Region | None, Counts]] = [(child, self.cell(child.code)) for child in self.children]
        own = self.cells.get((None, ALL))
        if own is not None and any(getattr(own, name) for name in FIGURE_NAMES):
            rows.append((None, own))
        return rows


def _of_set(occupations: Sequence[str] | None, get: Callable[[str], Counts]) -> Counts:
    if not occupations or set(occupations) >= set(OCCUPATION_ORDER):
        return get(ALL)
    if len(occupations) == 1:
        return get(occupations[0])
    result = Counts()
    for occupation in occupations:
        part = get(occupation)
        result.workers += part.workers
        result.members += part.members
    return result


def _grouped(
    queryset: QuerySet[Any], placer: ChildPlacer, names: Iterable[str]
) -> Iterable[tuple[str | None, str, dict[str, Any]]]:
    key = Substr("region_code", 1, placer.length) if placer.length else Value("")
    sums = {name: Sum(name) for name in names}
    for row in queryset.annotate(key=key).values("key", "occupation").annotate(**sums).order_by():
        yield placer.place(row["key"]), row["occupation"], row


def _within(queryset: QuerySet[_M], prefix: str) -> QuerySet[_M]:
    return queryset.filter(region_code__startswith=prefix) if prefix else queryset


def area_figures(region: Region | None, *, round: SurveyRound | None = None) -> AreaFigures:
    """The figures of the area of `region`: current (round None) or as `round` locked them."""
    children = list(region_children(region=region))
    placer = ChildPlacer(children)
    prefix = region.prefix if region is not None else ""
    cells: dict[tuple[str | None, str], Counts] = defaultdict(Counts)
    entered: dict[tuple[str | None, str], set[str]] = {}
    corrected: set[tuple[str | None, str]] = set()
    if round is None:
        employer_tally_refresh()
        for child, occupation, row in _grouped(_within(PeopleTally.objects.all(), prefix), placer, PEOPLE_FIGURES):
            for target in (cells[(child, occupation)], cells[(child, ALL)]):
                target.workers += row["workers"] or 0
                target.members += row["members"] or 0
        names = (*EMPLOYER_FIGURES, "on_worklist", "in_progress")
        for child, occupation, row in _grouped(_within(EmployerTally.objects.all(), prefix), placer, names):
            target = cells[(child, occupation)]
            for name in names:
                setattr(target, name, getattr(target, name) + (row[name] or 0))
        as_of = timezone.localdate()
    else:
        figures = _within(RoundFigure.objects.filter(round=round, current=True), prefix)
        for child, occupation, row in _grouped(figures, placer, FIGURE_NAMES):
            target = cells[(child, occupation)]
            for name in FIGURE_NAMES:
                setattr(target, name, getattr(target, name) + (row[name] or 0))
        marked = figures.filter(~Q(entered=[]) | Q(submission__kind=SubmissionKind.CORRECTION))
        for code, occupation, names, kind in marked.values_list(
            "region_code", "occupation", "entered", "submission__kind"
        ).order_by():
            where = (placer.place(code), occupation)
            entered.setdefault(where, set()).update(names)
            if kind == SubmissionKind.CORRECTION:
                corrected.add(where)
        as_of = round.ends_on
    return AreaFigures(
        region=region,
        round=round,
        as_of=as_of,
        children=children,
        cells=dict(cells),
        entered=entered,
        corrected=corrected,
    )


@dataclass(frozen=True)
class TrendPoint:
    label: str
    round: SurveyRound | None  # None: today's figures
    as_of: date
    counts: Counts


def area_trend(
    region: Region | None, occupations: Sequence[str] | None = None, *, now: AreaFigures | None = None
) -> list[TrendPoint]:
    """The area's figures in every round that holds any (oldest first), then today's (`now` when the
    caller has read them already)."""
    prefix = region.prefix if region is not None else ""
    chosen = [occupation for occupation in (occupations or []) if occupation in OCCUPATION_ORDER]
    if not chosen or set(chosen) >= set(OCCUPATION_ORDER):
        chosen = [ALL]
    rounds = {item.pk: item for item in SurveyRound.objects.all()}
    rows = (
        _within(RoundFigure.objects.filter(current=True, occupation__in=chosen), prefix)
        .values("round_id", "occupation")
        .annotate(**{name: Sum(name) for name in FIGURE_NAMES})
        .order_by()
    )
    by_round: dict[int, Counts] = {}
    for row in rows:
        counts = by_round.setdefault(row["round_id"], Counts())
        names = FIGURE_NAMES if len(chosen) == 1 else PEOPLE_FIGURES
        for name in names:
            setattr(counts, name, getattr(counts, name) + (row[name] or 0))
    points = [
        TrendPoint(rounds[pk].name, rounds[pk], rounds[pk].ends_on, counts)
        for pk, counts in sorted(by_round.items(), key=lambda item: (rounds[item[0]].starts_on, rounds[item[0]].name))
    ]
    if now is None or now.round is not None:
        now = area_figures(region)
    current = now.for_occupations(None if chosen == [ALL] else chosen)
    points.append(TrendPoint(_("Now"), None, timezone.localdate(), current))
    return points


def round_submissions(round: SurveyRound, prefix: str) -> QuerySet[RoundSubmission]:
    """The submissions and corrections of `round` within the area of `prefix`, the submissions above it that
    lock it, and the corrections (by anyone) of figures in the area — never a correction of a neighbour's."""
    submissions = RoundSubmission.objects.filter(round=round).select_related(
        "organization", "submitted_by__staff_account"
    )
    ancestors = [prefix[:length] for length in range(0, len(prefix))]
    return submissions.filter(
        Q(region_prefix__startswith=prefix)
        | Q(region_prefix__in=ancestors, kind=SubmissionKind.SUBMISSION)
        | Q(
            pk__in=RoundFigure.objects.filter(
                round=round, submission__kind=SubmissionKind.CORRECTION, region_code__startswith=prefix
            ).values("submission_id")
        )
    )


def area_locked_by(round: SurveyRound, prefix: str) -> RoundSubmission | None:
    """The submission that locked the whole area of `prefix` in `round` (its own or a higher level's)."""
    candidates = [prefix[:length] for length in range(0, len(prefix) + 1)]
    return (
        RoundSubmission.objects.filter(round=round, kind=SubmissionKind.SUBMISSION, region_prefix__in=candidates)
        .select_related("organization", "submitted_by__staff_account")
        .order_by("submitted_at", "pk")
        .first()
    )


def survey_entries(round: SurveyRound, prefix: str) -> QuerySet[SurveyEntry]:
    return _within(SurveyEntry.objects.filter(round=round), prefix)
