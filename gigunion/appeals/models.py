"""Appeals (诉求): a worker's complaint or request for help, routed to the responsible union, handled in steps
under a service-level clock that counts China's working days (ADR 0010). Every step is an append-only
AppealEvent; the Appeal row holds the current state and the deadlines, derived from the events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gigunion.core.fields import EncryptedTextField
from gigunion.core.models import AppendOnlyModel
from gigunion.enterprises.models import Enterprise
from gigunion.members.models import Person
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region


class Category(models.TextChoices):
    WAGE_ARREARS = "wage_arrears", _("Wage arrears")
    DISMISSAL = "dismissal", _("Dismissal or termination compensation")
    WORK_INJURY = "work_injury", _("Work injury")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    OVERTIME_REST = "overtime_rest", _("Overtime and rest")
    PLATFORM_RULES = "platform_rules", _("Platform rules and algorithm penalties")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class Complexity(models.TextChoices):
    SIMPLE = "simple", _("Simple")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online (worker's phone)")
    HOTLINE = "hotline", _("12351 hotline")
    WALK_IN = "walk_in", _("Walk-in")
    RECEPTION_DAY = "reception_day", _("Chair's reception day")


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("appeal status", "Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RESPONDED = "responded", _("First response given")
    INVESTIGATING = "investigating", _("Investigating")
    MEDIATING = "mediating", _("In mediation")
    REFERRED = "referred", _("Referred to legal aid or arbitration")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.RESPONDED,
    Status.INVESTIGATING,
    Status.MEDIATING,
    Status.REFERRED,
]
DONE_STATUSES = [Status.RESOLVED, Status.CLOSED]


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("appeal status", "Submitted")
    ROUTED = "routed", _("Routed")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    FIRST_RESPONSE = "first_response", _("First response")
    NOTE = "note", _("Note")
    INVESTIGATION = "investigation", _("Investigation started")
    MEDIATION = "mediation", _("Mediation started")
    LEGAL_AID = "legal_aid", _("Referred to legal aid")
    ARBITRATION = "arbitration", _("Referred to arbitration")
    ARBITRATION_ACCEPTED = "arbitration_accepted", _("Arbitration accepted the case")
    HANDED_OFF = "handed_off", _("Handed to another union")
    PAUSED = "paused", _("Waiting for the worker")
    RESUMED = "resumed", _("Worker replied")
    ESCALATED = "escalated", _("Escalated to the parent union")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Worker confirmed and rated")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")


class Appeal(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals")
    contact_name = models.CharField(_("name"), max_length=64)
    contact_phone = EncryptedTextField(_("phone"), blank=True)
    may_contact = models.BooleanField(_("may be contacted"), default=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    complexity = models.CharField(_("complexity"), max_length=8, choices=Complexity.choices, default=Complexity.NORMAL)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    description = models.TextField(_("description"))
    employer = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    employer_name = models.CharField(_("employer or platform"), max_length=128, blank=True)
    work_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("work region"))
    union = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("union holding the case")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    received_at = models.DateTimeField(_("received"), db_index=True)
    # Deadlines (dates: due by the end of that working day); moved later by pauses, never by hand-offs.
    first_response_due = models.DateField(_("first response due"))
    resolution_due = models.DateField(_("resolution due"))
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True, help_text="waiting on the worker: the clock stops")
    escalated_to = models.ForeignKey(
        UnionOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="escalated_appeals"
    )
    statutory_kind = models.CharField(max_length=24, blank=True)  # the statutory step running, if any
    statutory_due = models.DateField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    satisfied = models.BooleanField(null=True, blank=True)
    reception_day = models.ForeignKey(
        "ReceptionDay", null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [models.Index(fields=["union", "status"]), models.Index(fields=["status", "resolution_due"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5) | models.Q(rating__isnull=True),
                name="appeal_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AppealEvent(AppendOnlyModel):
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    union = models.ForeignKey(UnionOrganization, on_delete=models.PROTECT, related_name="+")  # the holder after it
    from_union = models.ForeignKey(UnionOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    visible_to_worker = models.BooleanField(default=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]


class AppealAttachment(models.Model):
    """A photo (re-encoded without EXIF) or a PDF the worker or staff added; served only to those allowed."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=128)
    content_type = models.CharField(max_length=32)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    by_worker = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Staff-edited routing: appeals of this region (and category, or any) go to this union, before the
    default (the union covering the employer, else the federation of the work region)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    union = models.ForeignKey(UnionOrganization, on_delete=models.CASCADE, related_name="+", verbose_name=_("union"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_id", "category"]
        constraints = [models.UniqueConstraint(fields=["region", "category"], name="appeal_routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.category or '*'} → {self.union_id}"


class SlaLimit(models.Model):
    """Working days allowed for the first response and for resolution, per category and complexity; staff
    with administrator rights at the top federation change them. Missing rows use DEFAULT_SLA."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    complexity = models.CharField(_("complexity"), max_length=8, choices=Complexity.choices)
    first_response_days = models.PositiveSmallIntegerField(_("first response (working days)"))
    resolution_days = models.PositiveSmallIntegerField(_("resolution (working days)"))

    class Meta:
        ordering = ["category", "complexity"]
        constraints = [models.UniqueConstraint(fields=["category", "complexity"], name="appeal_sla_unique")]

    def __str__(self) -> str:
        return f"{self.category}/{self.complexity}"


# (first response, resolution) in working days when no SlaLimit row says otherwise.
DEFAULT_SLA = {Complexity.SIMPLE: (1, 5), Complexity.NORMAL: (2, 15), Complexity.COMPLEX: (3, 30)}
# Statutory periods in calendar days (劳动争议调解仲裁法): mediation 15 days; arbitration acceptance 5 days;
# award 45 days, extendable by 15.
STATUTORY_DAYS = {
    "mediation": 15,
    "arbitration_acceptance": 5,
    "arbitration_award": 45,
    "arbitration_award_extended": 60,
}


class ReceptionDay(models.Model):
    """A union chair's reception day (工会主席接待日): scheduled; what workers raise is logged as appeals."""

    union = models.ForeignKey(UnionOrganization, on_delete=models.PROTECT, related_name="reception_days")
    day = models.DateField(_("date"))
    host = models.CharField(_("host"), max_length=64, help_text=_("e.g. the chair's name"))
    place = models.CharField(_("place"), max_length=128, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-day", "pk"]

    def __str__(self) -> str:
        return f"{self.union_id} {self.day}"
