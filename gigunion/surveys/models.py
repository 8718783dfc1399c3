"""Survey rounds and the figures of every area (摸底台账): employers, unions, covered employers, workers, members.

Two kinds of tables (ADR 0011):

- **Tallies**, kept current as data changes. `PeopleTally` counts workers at work (the ledger) and
  members (the membership records) per region × occupation; database triggers on the ledger, the
  memberships and the people add and subtract as rows change, so it is never behind. `EmployerTally`
  counts employers, covered employers, unions and the founding worklist per region × occupation (and
  `ALL`); triggers mark the regions whose employers, coverage, unions or worklist changed
  (`TallyDirty`) and every read recomputes those regions first.
- **Rounds** (摸底轮次, e.g. 2024 H1), locked snapshots of the tallies: a submission copies the figures of
  a jurisdiction, with figures entered from survey sheets where data is missing (`SurveyEntry`), into
  `RoundFigure` rows. A correction is a new submission, with a reason, holding the corrected rows; a
  round reads the latest row of each region × occupation.

Regions are stored as their division codes (a jurisdiction is a prefix), at whatever level the
record gives: a township's, or a county's when no township is known.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gigunion.orgs.models import UnionOrganization

# The occupation of the rows that count across all occupations (an employer with couriers and riders
# is one employer): never a sum of the occupation rows for employers, covered employers and unions.
ALL = "all"

FIGURE_NAMES = ("employers", "unions", "covered_employers", "workers", "members")


class PeopleTally(models.Model):
    """Workers at work (the ledger) and members (membership records) of one region × occupation."""

    region_code = models.CharField(max_length=12)
    occupation = models.CharField(max_length=32)
    workers = models.BigIntegerField(default=0)
    members = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "occupation"], name="people_tally_cell")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.occupation}: {self.members}/{self.workers}"


class EmployerTally(models.Model):
    """Employers, covered employers and unions of one region × occupation (or ALL), with the worklist."""

    region_code = models.CharField(max_length=12)
    occupation = models.CharField(max_length=32)
    employers = models.IntegerField(default=0)
    covered_employers = models.IntegerField(default=0)
    unions = models.IntegerField(default=0)
    # The founding worklist (应建未建): employers on it (any state but "not applicable"), being worked on.
    on_worklist = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "occupation"], name="employer_tally_cell")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.occupation}: {self.covered_employers}/{self.employers}"


class TallyDirty(models.Model):
    """A region whose employer figures must be recomputed before the next read (written by triggers).

    Never unique: a mark made while a read recomputes has a higher id and survives that read."""

    region_code = models.CharField(max_length=12)

    def __str__(self) -> str:
        return self.region_code


class TallyDay(models.Model):
    """The day of the last employer refresh (one row): coverage starting or ending since marks its regions."""

    day = models.DateField()

    def __str__(self) -> str:
        return str(self.day)


class SurveyRound(models.Model):
    """A survey round (摸底轮次), usually half-yearly."""

    name = models.CharField(_("name"), max_length=32, unique=True, help_text=_("e.g. 2024 H1"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "name"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="round_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.name


class SubmissionKind(models.TextChoices):
    SUBMISSION = "submission", _("Submission")
    CORRECTION = "correction", _("Correction")


class RoundSubmission(models.Model):
    """One version of a round's figures for a jurisdiction: the submission, or a later correction."""

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="submissions")
    organization = models.ForeignKey(UnionOrganization, on_delete=models.PROTECT, related_name="+")
    # The jurisdiction: every region whose code starts with this ('' = the whole country).
    region_prefix = models.CharField(max_length=12, blank=True)
    kind = models.CharField(max_length=16, choices=SubmissionKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["round", "submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.round} {self.region_prefix} {self.kind} {self.submitted_at:%Y-%m-%d}"


class RoundFigure(models.Model):
    """The figures of one region × occupation in a round, as one submission (or correction) locked them."""

    submission = models.ForeignKey(RoundSubmission, on_delete=models.PROTECT, related_name="figures")
    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12)
    occupation = models.CharField(max_length=32)
    employers = models.IntegerField(default=0)
    unions = models.IntegerField(default=0)
    covered_employers = models.IntegerField(default=0)
    workers = models.BigIntegerField(default=0)
    members = models.BigIntegerField(default=0)
    # The figures taken from a survey sheet (SurveyEntry) rather than computed: e.g. ["workers"].
    entered = models.JSONField(default=list, blank=True)
    # False once a correction replaced this row (the one change ever made to a locked row).
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["round", "current", "region_code"], name="round_figure_region")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.region_code} {self.occupation}"


class SurveyEntry(models.Model):
    """Figures entered from a survey sheet for a round where the data is missing (blank: computed)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="entries")
    region_code = models.CharField(_("region"), max_length=12)
    occupation = models.CharField(_("occupation"), max_length=32)
    employers = models.IntegerField(_("employers"), null=True, blank=True)
    unions = models.IntegerField(_("unions"), null=True, blank=True)
    covered_employers = models.IntegerField(_("covered employers"), null=True, blank=True)
    workers = models.BigIntegerField(_("workers"), null=True, blank=True)
    members = models.BigIntegerField(_("members"), null=True, blank=True)
    note = models.CharField(_("source / note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_code", "occupation"]
        verbose_name = _("survey entry")
        verbose_name_plural = _("survey entries")
        constraints = [
            models.UniqueConstraint(fields=["round", "region_code", "occupation"], name="survey_entry_cell"),
            models.CheckConstraint(
                condition=(
                    (models.Q(employers__isnull=True) | models.Q(employers__gte=0))
                    & (models.Q(unions__isnull=True) | models.Q(unions__gte=0))
                    & (models.Q(covered_employers__isnull=True) | models.Q(covered_employers__gte=0))
                    & (models.Q(workers__isnull=True) | models.Q(workers__gte=0))
                    & (models.Q(members__isnull=True) | models.Q(members__gte=0))
                ),
                name="survey_entry_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.region_code} {self.occupation}"
