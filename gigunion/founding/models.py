"""Which union covers which employer, how the rest come to be covered, and the founding of new unions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gigunion.core.models import AppendOnlyModel
from gigunion.enterprises.models import Enterprise
from gigunion.orgs.models import FoundingMode, OrganizationType, StaffAccount, UnionOrganization
from gigunion.regions.models import Region


class Coverage(models.Model):
    """A union covers an enterprise for a period (涵盖单位). An enterprise has at most one open coverage."""

    organization = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="coverages", verbose_name=_("union")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="coverages", verbose_name=_("enterprise")
    )
    started_on = models.DateField(_("covered from"))
    ended_on = models.DateField(_("covered until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(ended_on__isnull=True),
                name="coverage_one_open_per_enterprise",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="coverage_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} covers {self.enterprise_id}"


class RecommendedTarget(models.TextChoices):
    """Where a pending enterprise should go: the organization that would cover it."""

    OWN_COMMITTEE = "own_committee", _("Its own union committee")
    HEAD_ENTERPRISE_UNION = "head_union", _("The union of its head enterprise")
    INDUSTRY_FEDERATION = "industry_federation", _("The industry federation of its area")
    JOINT_UNION = "joint_union", _("A joint union of its area")
    COMMUNITY_UNION = "community_union", _("The community or township union of its area")


class FoundingRule(models.Model):
    """One rule of the pending-founding worklist: conditions on an enterprise → a recommended founding mode.

    Rules are data. The global set (organization empty) applies everywhere; a federation that writes
    its own set replaces the global one for every enterprise in its region (the deepest such
    federation wins). Within a set the first active rule by priority whose conditions all hold applies.
    """

    organization = models.ForeignKey(
        UnionOrganization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="founding_rules",
        verbose_name=_("organization"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    name = models.CharField(_("reason shown"), max_length=200)
    min_people = models.PositiveIntegerField(_("at least this many people"), null=True, blank=True)
    max_people = models.PositiveIntegerField(_("at most this many people"), null=True, blank=True)
    kinds = models.JSONField(_("enterprise kinds"), default=list, blank=True)
    needs_head_union = models.BooleanField(_("its head enterprise is covered by a union"), default=False)
    needs_industry_federation = models.BooleanField(_("an industry federation for its industry exists"), default=False)
    target = models.CharField(_("recommended target"), max_length=32, choices=RecommendedTarget.choices)
    founding_mode = models.CharField(_("recommended founding mode"), max_length=32, choices=FoundingMode.choices)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization_id", "priority", "pk"]
        verbose_name = _("founding rule")
        verbose_name_plural = _("founding rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_people__isnull=True)
                | models.Q(max_people__isnull=True)
                | models.Q(max_people__gte=models.F("min_people")),
                name="founding_rule_people_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorklistState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    CONTACTED = "contacted", _("Contacted")
    PREPARING = "preparing", _("Preparing")
    FOUNDED = "founded", _("Founded")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


OPEN_WORKLIST_STATES = [WorklistState.NOT_STARTED, WorklistState.CONTACTED, WorklistState.PREPARING]


class WorklistItem(models.Model):
    """An enterprise on the pending-founding worklist (应建未建), with its recommendation and who works on it.

    Every registered enterprise has one item. The recommendation is computed by `worklist_refresh`
    from the rules; state, assignee and deadline are set by staff and kept in WorklistEvent.
    """

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, related_name="worklist_item", verbose_name=_("enterprise")
    )
    # A copy of the enterprise's region, so the jurisdiction filter needs no join.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    state = models.CharField(
        _("state"), max_length=16, choices=WorklistState.choices, default=WorklistState.NOT_STARTED
    )
    rule = models.ForeignKey(FoundingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recommended_target = models.CharField(
        _("recommended target"), max_length=32, choices=RecommendedTarget.choices, blank=True
    )
    recommended_mode = models.CharField(
        _("recommended founding mode"), max_length=32, choices=FoundingMode.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    suggested_organization = models.ForeignKey(
        UnionOrganization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("suggested union"),
    )
    assignee = models.ForeignKey(
        StaffAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worklist_items",
        verbose_name=_("assigned to"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_id", "enterprise_id"]
        verbose_name = _("worklist item")
        verbose_name_plural = _("worklist items")
        indexes = [
            models.Index(fields=["state", "region"]),
            models.Index(fields=["region", "enterprise"]),  # the list's default order: an ordered scan, no sort
            models.Index(fields=["deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.state}"

    @property
    def is_overdue(self) -> bool:
        return self.deadline is not None and self.state in OPEN_WORKLIST_STATES and self.deadline < timezone.localdate()


class WorklistEvent(AppendOnlyModel):
    """One change of a worklist item: state, assignment, deadline, with who and when."""

    item = models.ForeignKey(WorklistItem, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=WorklistState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=WorklistState.choices)
    assignee_name = models.CharField(max_length=64, blank=True)
    deadline = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting approval to prepare")
    PREPARING = "preparing", _("Approved to prepare")
    CONGRESS_HELD = "congress_held", _("Member congress held")
    ELECTED = "elected", _("Election results submitted, awaiting approval")
    APPROVED = "approved", _("Election approved, awaiting registration")
    FOUNDED = "founded", _("Founded")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FoundingApplication(models.Model):
    """An application to found a union (建会申请), from submission to the founded organization."""

    name = models.CharField(_("name of the union"), max_length=128)
    organization_type = models.CharField(
        _("type"), max_length=32, choices=OrganizationType.choices, default=OrganizationType.ENTERPRISE
    )
    founding_mode = models.CharField(_("founding mode"), max_length=32, choices=FoundingMode.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    parent = models.ForeignKey(
        UnionOrganization,
        on_delete=models.PROTECT,
        related_name="founding_applications",
        verbose_name=_("higher union"),
    )
    enterprises = models.ManyToManyField(
        Enterprise, related_name="founding_applications", verbose_name=_("enterprises")
    )
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    expected_members = models.PositiveIntegerField(_("expected members"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    congress_on = models.DateField(_("member congress on"), null=True, blank=True)
    congress_attendance = models.PositiveIntegerField(_("members attending"), null=True, blank=True)
    chair_name = models.CharField(_("chair"), max_length=64, blank=True)
    committee_size = models.PositiveSmallIntegerField(_("committee members"), null=True, blank=True)
    term_start = models.DateField(_("committee term from"), null=True, blank=True)
    term_end = models.DateField(_("committee term to"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    organization = models.OneToOneField(
        UnionOrganization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="founding_application",
        verbose_name=_("founded union"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("founding application")
        verbose_name_plural = _("founding applications")
        indexes = [models.Index(fields=["status", "parent"])]

    def __str__(self) -> str:
        return self.name


class FoundingStep(models.TextChoices):
    SUBMITTED = "submitted", _("Application submitted")
    PREPARATION_APPROVED = "preparation_approved", _("Approved to prepare by the higher union")
    CONGRESS_HELD = "congress_held", _("Member congress held")
    ELECTION_RECORDED = "election_recorded", _("Election results recorded")
    ELECTION_APPROVED = "election_approved", _("Election results approved by the higher union")
    FOUNDED = "founded", _("Union founded")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FoundingEvent(AppendOnlyModel):
    """One step of a founding application, with who, from which organization, and when."""

    application = models.ForeignKey(FoundingApplication, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=32, choices=FoundingStep.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_organization = models.ForeignKey(
        UnionOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


# status → (the step that moves it on, the status it moves to, whether the higher union takes it)
APPLICATION_STEPS: dict[str, tuple[FoundingStep, ApplicationStatus, bool]] = {
    ApplicationStatus.SUBMITTED: (FoundingStep.PREPARATION_APPROVED, ApplicationStatus.PREPARING, True),
    ApplicationStatus.PREPARING: (FoundingStep.CONGRESS_HELD, ApplicationStatus.CONGRESS_HELD, False),
    ApplicationStatus.CONGRESS_HELD: (FoundingStep.ELECTION_RECORDED, ApplicationStatus.ELECTED, False),
    ApplicationStatus.ELECTED: (FoundingStep.ELECTION_APPROVED, ApplicationStatus.APPROVED, True),
    ApplicationStatus.APPROVED: (FoundingStep.FOUNDED, ApplicationStatus.FOUNDED, True),
}
AWAITING_HIGHER_UNION = [status for status, (_step, _to, higher) in APPLICATION_STEPS.items() if higher]
OPEN_APPLICATION_STATUSES = list(APPLICATION_STEPS)
