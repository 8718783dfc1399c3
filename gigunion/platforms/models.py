"""Platform partners (满帮, 好活, 美团 …) and the API keys they call the REST API with (ADR 0007).

A platform's data interface is agreed with one federation (`organization`): the roster a platform
pushes may only place workers inside that federation's region. Keys are shown once, stored as a
SHA-256 hash of their secret (the secret has 256 random bits, so a slow hash adds nothing), carry
scopes and a rate limit, and are rotated (the old key keeps working for a grace period) or revoked.
Every call is written to the append-only ApiCall log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gigunion.core.models import AppendOnlyModel
from gigunion.orgs.models import UnionOrganization


class Platform(models.Model):
    """A platform company that exchanges data with the union (数据接口)."""

    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("e.g. manbang, haohuo, meituan"))
    name = models.CharField(_("name"), max_length=64, unique=True)
    organization = models.ForeignKey(
        UnionOrganization,
        on_delete=models.PROTECT,
        related_name="platforms",
        verbose_name=_("federation holding the agreement"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform partner")
        verbose_name_plural = _("platform partners")

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    ROSTER_WRITE = "roster:write", _("Push worker rosters")
    STATUS_READ = "status:read", _("Read membership status")
    JOIN_TOKENS = "join_tokens", _("Issue one-tap join links")


class ApiKey(models.Model):
    """One credential of a platform: `gu_<prefix>_<secret>`; only the prefix and a hash of the secret are kept."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the key is rotated: it keeps working until then, so the platform can switch without a gap.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} (gu_{self.prefix}_…)"

    @property
    def display(self) -> str:
        return f"gu_{self.prefix}_…"

    def is_usable(self, now: object = None) -> bool:
        moment = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > moment  # type: ignore[operator]


class ApiCall(AppendOnlyModel):
    """One call of the platform API: who, what, the answer's status, how long it took (the audit trail)."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)  # workers sent or asked about
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["platform", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"


class IdempotentRequest(models.Model):
    """The stored answer to a request sent with an Idempotency-Key: a repeat gets the same answer."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "key"], name="idempotent_request_key")]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.key}"
