"""The worker ledger (清底数): every gig worker any source knows of, once, whatever the source.

Sources are platforms (through the API or a file), departments (交通运输, 邮政管理 …) and survey sheets.
Each row of a roster is a sighting: (source, worker) with the platform's own id for the worker and
the dates the source first and last listed them. Workers are de-duplicated by the blind index of the
ID number; the key of a Worker *is* that index, read as a number (`worker_key`), so finding or
de-duplicating a worker needs no second index (ADR 0008).

Whether a worker is a member is not copied here: it is read from the membership records (members),
matched by the same blind index, so it is never stale.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gigunion.core.fields import EncryptedTextField, RowIdKeyField
from gigunion.core.masking import mask_id_number, mask_name, mask_phone
from gigunion.core.occupations import Occupation
from gigunion.enterprises.models import Enterprise
from gigunion.platforms.models import Platform
from gigunion.regions.models import Region

# Hex digits of the blind index read as a worker's key: 60 bits, a positive 64-bit integer.
_KEY_HEX_DIGITS = 15


def worker_key(id_number_index: str) -> int:
    """A worker's primary key from the blind index of their ID number (the full index is kept to check it)."""
    return int(id_number_index[:_KEY_HEX_DIGITS], 16)


class SourceKind(models.TextChoices):
    PLATFORM = "platform", _("Platform")  # 平台数据接口
    DEPARTMENT = "department", _("Government department")  # 交通运输, 邮政管理, 人社 …
    SURVEY = "survey", _("Survey")  # 摸底调查
    OTHER = "other", _("Other")


class Source(models.Model):
    """Where a roster comes from. A platform partner has exactly one source of its own."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices, default=SourceKind.OTHER)
    platform = models.OneToOneField(
        Platform, null=True, blank=True, on_delete=models.PROTECT, related_name="source", verbose_name=_("platform")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("roster source")
        verbose_name_plural = _("roster sources")

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """One person in the ledger: the latest of what the sources say about them."""

    id = RowIdKeyField(primary_key=True, editable=False)  # worker_key(id_number_index)
    id_number_index = models.CharField(max_length=64, editable=False)
    name = models.CharField(_("name"), max_length=64)
    id_number = EncryptedTextField(_("ID number"))
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    sex = models.CharField(_("sex"), max_length=8)
    origin_region_code = models.CharField(_("origin region"), max_length=6)
    occupation = models.CharField(_("occupation"), max_length=32, choices=Occupation.choices)
    # Region's key is its division code, so a jurisdiction is a prefix range on this indexed column.
    work_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("work region"))
    employer = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("employer"),
    )
    employer_name = models.CharField(_("employer"), max_length=128, blank=True)
    active = models.BooleanField(_("at work"), default=True)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    # A keyed hash of the phone: a roster giving the same phone again is "unchanged" without decrypting.
    phone_digest = models.CharField(max_length=16, blank=True, editable=False)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

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


class Sighting(models.Model):
    """A source lists a worker: with the platform's id for them, at work or not, first and last seen."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+", db_index=False)
    # (worker, source) is unique and indexed in that order, which also serves "the sightings of a worker".
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="sightings", db_index=False)
    platform = models.CharField(_("platform"), max_length=64, blank=True)
    external_id = models.CharField(_("platform worker id"), max_length=64, blank=True)
    active = models.BooleanField(_("at work"), default=True)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    # A keyed hash of everything the source's row said: the same row again is "unchanged" at a glance.
    digest = models.CharField(max_length=16, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["worker", "source"], name="sighting_worker_source")]
        indexes = [
            models.Index(
                fields=["source", "external_id"],
                name="sighting_external_id",
                condition=~models.Q(external_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.worker_id}"


class RosterBatch(models.Model):
    """One roster taken in: a file (back office or command) or one API call."""

    class Via(models.TextChoices):
        FILE = "file", _("File")
        API = "api", _("API")

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="batches")
    via = models.CharField(max_length=8, choices=Via.choices)
    filename = models.CharField(max_length=200, blank=True)
    as_of = models.DateField(_("data as of"))
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("roster batch")
        verbose_name_plural = _("roster batches")

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M}"


class InvitationChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    PLATFORM = "platform", _("Platform app")


INVITATION_DAYS = 30  # an invitation link stays valid this long; a worker gets at most one SMS in that time


class Invitation(models.Model):
    """An invitation to join (邀请入会) sent to a worker of the ledger: a personal link /m/i/<code>/.

    Only a digest of the code is stored: the link in the text message (or the platform's app) is the
    one copy of it. Opening the link issues a fresh one-tap join token from the worker's ledger record.
    """

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="invitations", db_index=False)
    organization = models.ForeignKey(
        "orgs.UnionOrganization", on_delete=models.CASCADE, related_name="+", verbose_name=_("inviting union")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=InvitationChannel.choices)
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["worker", "channel", "created_at"], name="invitation_worker_recent")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.worker_id} {self.channel} {self.created_at:%Y-%m-%d}"
