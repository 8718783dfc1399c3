"""Membership: the real-name record of a worker (Person) and person × union × period (Membership).

A membership is never a flag on a person: joining, approval, transfer (会籍转接), retention
(保留会籍), lapse and leaving each end or start a Membership row and append a MembershipEvent.
The database allows one open (pending, active or retained) membership per person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gigunion.core.fields import EncryptedTextField
from gigunion.core.masking import mask_id_number, mask_name, mask_phone
from gigunion.core.models import AppendOnlyModel
from gigunion.core.occupations import Occupation
from gigunion.enterprises.models import Enterprise
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Person(models.Model):
    """A worker's real-name record (实名制). ID number and phone are encrypted; lookups use blind indexes."""

    name = models.CharField(_("name"), max_length=64)
    id_number = EncryptedTextField(_("ID number"))
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    id_last4 = models.CharField(max_length=4, db_index=True, editable=False)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    # The address code of the ID number: where the worker comes from (输出地).
    origin_region_code = models.CharField(_("origin region"), max_length=6)
    occupation = models.CharField(_("occupation"), max_length=32, choices=Occupation.choices)
    platform = models.CharField(_("platform"), max_length=64, blank=True)
    external_id = models.CharField(_("platform worker id"), max_length=64, blank=True)
    employer = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("employer")
    )
    employer_name = models.CharField(_("employer"), max_length=128, blank=True)
    work_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("work region"))
    # 会员证号: issued with the first membership and kept from union to union (一次入会、动态接转).
    card_number = models.CharField(_("member card number"), max_length=20, null=True, blank=True, unique=True)
    verified_by = models.CharField(_("real-name check"), max_length=32, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [("view_personal_data", _("Can see members' ID numbers and phones unmasked"))]

    def __str__(self) -> str:
        return mask_name(self.name)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    RETAINED = "retained", _("Retained")  # 保留会籍: between jobs
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    LAPSED = "lapsed", _("Lapsed")
    LEFT = "left", _("Left")
    REJECTED = "rejected", _("Not approved")


OPEN_STATUSES = [MembershipStatus.PENDING, MembershipStatus.ACTIVE, MembershipStatus.RETAINED]
# Statuses in which a person counts as a member (the card is valid).
MEMBER_STATUSES = [MembershipStatus.ACTIVE, MembershipStatus.RETAINED]


class JoinPlace(models.TextChoices):
    WORKPLACE = "workplace", _("Where they work")  # 工作地入会
    ORIGIN = "origin", _("Where they come from")  # 输出地入会


JOIN_PLACE_NAMES = {"工作地": JoinPlace.WORKPLACE, "输出地": JoinPlace.ORIGIN}


class JoinSource(models.TextChoices):
    QR = "qr", _("QR code")  # 扫码入会
    ONE_TAP = "one_tap", _("One tap in a platform app")  # 一键入会
    STAFF = "staff", _("Entered by staff")
    IMPORT = "import", _("Imported member list")


class ChannelKind(models.TextChoices):
    UNION = "union", _("Union")
    STATION = "station", _("Service station")
    CAMPAIGN = "campaign", _("Campaign or ceremony")


class JoinChannel(models.Model):
    """A QR code to join through (扫码入会): a union's own, a station's or a campaign's. It counts its joins.

    A union channel enrolls into its union. A station or campaign channel routes each worker by the
    join rules (the union covering the employer, else the work region's), its region preset on the page.
    """

    code = models.CharField(max_length=16, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=128)
    union = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="join_channels", verbose_name=_("union")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region preset on the page")
    )
    is_active = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("join channel")
        verbose_name_plural = _("join channels")

    def __str__(self) -> str:
        return self.name


class JoinRoute(models.Model):
    """A join rule staff set: workers of this region (and occupation, or any) join this union.

    The most specific rule wins: the deepest region, and an occupation over any occupation.
    A union covering the worker's employer comes before every rule.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    occupation = models.CharField(_("occupation"), max_length=32, choices=Occupation.choices, blank=True)
    union = models.ForeignKey(
        UnionOrganization, on_delete=models.CASCADE, related_name="join_routes", verbose_name=_("union")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region__code", "occupation"]
        verbose_name = _("join rule")
        verbose_name_plural = _("join rules")
        constraints = [
            models.UniqueConstraint(fields=["region", "occupation"], name="join_route_unique_region_occupation")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.occupation or '*'} → {self.union_id}"


class Membership(models.Model):
    """A person's membership of one union for one period."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    union = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("union")
    )
    status = models.CharField(_("status"), max_length=16, choices=MembershipStatus.choices)
    source = models.CharField(_("joined through"), max_length=16, choices=JoinSource.choices)
    channel = models.ForeignKey(
        JoinChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    join_place = models.CharField(_("joined at"), max_length=16, choices=JoinPlace.choices, default=JoinPlace.WORKPLACE)
    # Which rule chose the union ("coverage", "rule", "region", "channel", "staff", "transfer", "import").
    routed_by = models.CharField(max_length=16, blank=True)
    joined_on = models.DateField(_("member since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    last_dues_on = models.DateField(_("dues last paid"), null=True, blank=True)
    last_activity_on = models.DateField(_("last took part"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-joined_on", "-pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["pending", "active", "retained"]),
                name="membership_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("joined_on")),
                name="membership_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["union", "status"]), models.Index(fields=["status", "joined_on"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.union_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    JOINED = "joined", _("Joined")
    APPLIED = "applied", _("Applied to join")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")
    RETAINED = "retained", _("Membership retained")
    REACTIVATED = "reactivated", _("Membership active again")
    LAPSED = "lapsed", _("Membership lapsed")
    LEFT = "left", _("Left the union")
    DETAILS_CHANGED = "details_changed", _("Details changed")
    JOIN_CONFLICT = "join_conflict", _("Join refused: the phone differs from the record")
    IMPORTED = "imported", _("Imported")


class MembershipEvent(AppendOnlyModel):
    """Every change to a person's membership: who, when, why (PostgreSQL trigger keeps it append-only)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=24, choices=EventKind.choices)
    union = models.ForeignKey(UnionOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Who: a staff user, or nobody for the worker themself or a platform (see `by`).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.CharField(max_length=16)  # "worker", "staff", "platform", "import", "system"
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.kind} {self.person_id}"


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the receiving union")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class MembershipTransfer(models.Model):
    """A request to move a membership to another union (会籍转接); the receiving union accepts."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers")
    from_union = models.ForeignKey(UnionOrganization, on_delete=models.PROTECT, related_name="transfers_out")
    to_union = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("receiving union")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("membership transfer")
        verbose_name_plural = _("membership transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(status="requested"),
                name="transfer_one_open_per_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.from_union_id} → {self.to_union_id} ({self.status})"


class SmsPurpose(models.TextChoices):
    JOIN = "join", _("Join")
    LOGIN = "login", _("Log in")


class SmsCode(models.Model):
    """A one-time code sent to a phone. Only its keyed hash is stored; it expires and allows few tries."""

    phone_index = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=16, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["phone_index", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} code {self.pk}"


class VerificationResult(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Not valid")
    EXPIRED = "expired", _("Code expired")


class CardVerification(AppendOnlyModel):
    """One check of a member card at a station or partner merchant (logged, whatever the answer)."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey(UnionOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=16, choices=VerificationResult.choices)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
