"""Writes of the survey rounds: rounds, survey-sheet entries, submissions (locked snapshots) and corrections.

A submission locks the figures of the submitter's jurisdiction for a round: every region × occupation
cell under it not already locked by a lower level's submission is copied from the tallies, with the
figures entered from survey sheets in place of the computed ones. Locked rows never change; a
correction is a new submission holding the corrected rows, with a reason, and the rows it replaces
stop being current (ADR 0011).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.core.occupations import Occupation
from gigunion.orgs.access import Jurisdiction, require_jurisdiction
from gigunion.regions.models import Region
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
from gigunion.surveys.selectors import PEOPLE_FIGURES, area_locked_by
from gigunion.surveys.tally import employer_tally_refresh

_MAX_FIGURE = 10**9
_OCCUPATIONS = {str(value) for value in Occupation.values}


def _changer(user: Any) -> Jurisdiction:
    jurisdiction = require_jurisdiction(user)
    if not jurisdiction.can_change:
        raise NotAllowed(_("Viewers cannot change survey figures."))
    return jurisdiction


def _lock(round: SurveyRound) -> None:
    """Serialize submissions, corrections and entries of one round (two submits at once would both lock)."""
    list(SurveyRound.objects.select_for_update().filter(pk=round.pk).values_list("pk", flat=True))


def round_create(*, user: Any, name: str, starts_on: date, ends_on: date) -> SurveyRound:
    """A new survey round, for every union of the deployment: set by a provincial (or national) administrator."""
    jurisdiction = require_jurisdiction(user)
    if not jurisdiction.can_administer or len(jurisdiction.region_prefix) > 2:
        raise NotAllowed(_("Only administrators of the provincial federation open survey rounds."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the round a name, e.g. 2024 H1."), code="name")
    if ends_on < starts_on:
        raise DomainError(_("The round cannot end before it starts."), code="ends_on")
    if SurveyRound.objects.filter(name=name).exists():
        raise DomainError(_("A round named %(name)s exists already.") % {"name": name}, code="name")
    try:
        with transaction.atomic():
            return SurveyRound.objects.create(name=name, starts_on=starts_on, ends_on=ends_on, created_by=user)
    except IntegrityError:
        raise DomainError(_("A round named %(name)s exists already.") % {"name": name}, code="name") from None


def _check_cell(jurisdiction: Jurisdiction, region_code: str, occupation: str) -> None:
    if not Region.objects.filter(code=region_code).exists():
        raise DomainError(_("Unknown region %(code)s.") % {"code": region_code}, code="region")
    if not jurisdiction.covers_region(region_code):
        raise NotVisible()
    if occupation != ALL and occupation not in _OCCUPATIONS:
        raise DomainError(_("Unknown occupation %(name)s.") % {"name": occupation}, code="occupation")


def _clean_values(values: Mapping[str, object], *, allow_blank: bool) -> dict[str, int | None]:
    cleaned: dict[str, int | None] = {}
    for name in FIGURE_NAMES:
        value = values.get(name)
        if value is None or value == "":
            if allow_blank:
                cleaned[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise DomainError(_("Figures are whole numbers of 0 or more."), code=name)
        try:
            number = int(value)
        except ValueError:
            raise DomainError(_("Figures are whole numbers of 0 or more."), code=name) from None
        if number < 0 or number > _MAX_FIGURE:
            raise DomainError(_("Figures are whole numbers of 0 or more."), code=name)
        cleaned[name] = number
    return cleaned


def _check_consistent(values: Mapping[str, int | None]) -> None:
    covered, employers = values.get("covered_employers"), values.get("employers")
    if covered is not None and employers is not None and covered > employers:
        raise DomainError(_("Covered employers cannot exceed employers."), code="covered_employers")


def survey_entry_save(
    *,
    user: Any,
    round: SurveyRound,
    region_code: str,
    occupation: str,
    values: Mapping[str, object],
    note: str = "",
) -> SurveyEntry | None:
    """Enter figures from a survey sheet for a cell not yet submitted (blank: computed). All blank removes it."""
    jurisdiction = _changer(user)
    _check_cell(jurisdiction, region_code, occupation)
    cleaned = _clean_values(values, allow_blank=True)
    _check_consistent(cleaned)
    with transaction.atomic():
        _lock(round)
        locked = area_locked_by(round, region_code)
        if locked is not None:
            raise DomainError(
                _("%(union)s has submitted these figures; correct them instead.") % {"union": locked.organization},
                code="locked",
            )
        if all(value is None for value in cleaned.values()):
            SurveyEntry.objects.filter(round=round, region_code=region_code, occupation=occupation).delete()
            return None
        entry, _created = SurveyEntry.objects.update_or_create(
            round=round,
            region_code=region_code,
            occupation=occupation,
            defaults={**cleaned, "note": (note or "").strip()[:200], "entered_by": user},
        )
    return entry


def _snapshot(
    prefix: str, round: SurveyRound | None
) -> tuple[dict[tuple[str, str], dict[str, int]], dict[tuple[str, str], set[str]]]:
    """The cells of the area now, with the round's survey entries applied: (values, entered figure names).

    Without a round, the computed cells alone."""
    employer_tally_refresh()
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURE_NAMES, 0))
    people = PeopleTally.objects.filter(region_code__startswith=prefix)
    for code, occupation, workers, members in people.values_list("region_code", "occupation", "workers", "members"):
        cells[(code, occupation)]["workers"] += workers
        cells[(code, occupation)]["members"] += members
    employers = EmployerTally.objects.filter(region_code__startswith=prefix)
    for code, occupation, count, covered, unions in employers.values_list(
        "region_code", "occupation", "employers", "covered_employers", "unions"
    ):
        cells[(code, occupation)].update(employers=count, covered_employers=covered, unions=unions)

    entered: dict[tuple[str, str], set[str]] = defaultdict(set)
    entries = list(SurveyEntry.objects.filter(round=round, region_code__startswith=prefix)) if round else []
    # Occupation rows first; then each region's ALL people figures are their sum, unless entered too.
    for entry in sorted(entries, key=lambda item: item.occupation == ALL):
        key = (entry.region_code, entry.occupation)
        for name in FIGURE_NAMES:
            value = getattr(entry, name)
            if value is not None:
                cells[key][name] = value
                entered[key].add(name)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PEOPLE_FIGURES, 0))
    for (code, occupation), values in cells.items():
        if occupation != ALL:
            for name in PEOPLE_FIGURES:
                sums[code][name] += values[name]
    for code, summed in sums.items():
        for name in PEOPLE_FIGURES:
            if name not in entered.get((code, ALL), set()):
                cells[(code, ALL)][name] = summed[name]
    return cells, entered


def round_submit(*, user: Any, round: SurveyRound, now: datetime | None = None) -> RoundSubmission:
    """Lock the round's figures of the user's jurisdiction (the parts a lower level has not locked already)."""
    jurisdiction = _changer(user)
    prefix = jurisdiction.region_prefix
    now = now or timezone.now()
    with transaction.atomic():
        _lock(round)
        locked = area_locked_by(round, prefix)
        if locked is not None:
            raise DomainError(
                _("%(union)s has submitted this round for your area already; correct figures instead.")
                % {"union": locked.organization},
                code="locked",
            )
        lower = list(
            RoundSubmission.objects.filter(
                round=round, kind=SubmissionKind.SUBMISSION, region_prefix__startswith=prefix
            ).values_list("region_prefix", flat=True)
        )
        cells, entered = _snapshot(prefix, round)
        submission = RoundSubmission.objects.create(
            round=round,
            organization_id=jurisdiction.organization_id,
            region_prefix=prefix,
            kind=SubmissionKind.SUBMISSION,
            submitted_by=user,
            submitted_at=now,
        )
        RoundFigure.objects.bulk_create(
            [
                RoundFigure(
                    submission=submission,
                    round=round,
                    region_code=code,
                    occupation=occupation,
                    entered=sorted(entered.get((code, occupation), ())),
                    **values,
                )
                for (code, occupation), values in sorted(cells.items())
                if any(values.values()) and not any(code.startswith(done) for done in lower)
            ],
            batch_size=2000,
        )
    return submission


def round_correct(
    *,
    user: Any,
    round: SurveyRound,
    region_code: str,
    occupation: str,
    values: Mapping[str, object],
    reason: str,
    now: datetime | None = None,
) -> RoundSubmission:
    """Correct submitted figures of one region × occupation: a new version, with the reason, replacing the old.

    A corrected workers or members figure of an occupation moves the region's ALL figure by as much."""
    jurisdiction = _changer(user)
    _check_cell(jurisdiction, region_code, occupation)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the figures are corrected."), code="reason")
    cleaned = {name: value for name, value in _clean_values(values, allow_blank=False).items() if value is not None}
    if not cleaned:
        raise DomainError(_("Give at least one corrected figure."), code="values")
    now = now or timezone.now()
    with transaction.atomic():
        _lock(round)
        if area_locked_by(round, region_code) is None:
            raise DomainError(_("These figures are not submitted yet: enter them for the round instead."), code="open")
        previous = {
            row.occupation: row
            for row in RoundFigure.objects.select_for_update().filter(
                round=round, region_code=region_code, occupation__in=[occupation, ALL], current=True
            )
        }
        old = previous.get(occupation)
        merged = {name: getattr(old, name) if old else 0 for name in FIGURE_NAMES} | cleaned
        _check_consistent(merged)
        if old is not None and all(getattr(old, name) == merged[name] for name in FIGURE_NAMES):
            raise DomainError(_("The figures are the same as submitted."), code="values")
        submission = RoundSubmission.objects.create(
            round=round,
            organization_id=jurisdiction.organization_id,
            region_prefix=jurisdiction.region_prefix,
            kind=SubmissionKind.CORRECTION,
            reason=reason[:300],
            submitted_by=user,
            submitted_at=now,
        )
        rows = [(occupation, merged, old)]
        if occupation != ALL:
            whole = previous.get(ALL)
            delta = {name: merged[name] - (getattr(old, name) if old else 0) for name in PEOPLE_FIGURES}
            if any(delta.values()):
                base = {name: getattr(whole, name) if whole else 0 for name in FIGURE_NAMES}
                rows.append((ALL, base | {name: base[name] + delta[name] for name in PEOPLE_FIGURES}, whole))
        for cell_occupation, figures, replaced in rows:
            if replaced is not None:
                replaced.current = False
                replaced.save(update_fields=["current"])
            RoundFigure.objects.create(
                submission=submission,
                round=round,
                region_code=region_code,
                occupation=cell_occupation,
                entered=replaced.entered if replaced else [],
                **figures,
            )
    return submission
