from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """History rows are never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """A model whose rows are written once. PostgreSQL also enforces it with a trigger."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class AuditAction(models.TextChoices):
    LOGIN = "auth.login", _("Logged in")
    LOGIN_FAILED = "auth.login_failed", _("Login failed")
    LOGOUT = "auth.logout", _("Logged out")
    PERSONAL_DATA_VIEW = "personal_data.view", _("Viewed personal data unmasked")
    PERSONAL_DATA_EXPORT = "personal_data.export", _("Exported personal data")
    ORGANIZATION_CREATED = "organization.created", _("Union organization created")
    ORGANIZATION_CHANGED = "organization.changed", _("Union organization changed")
    STAFF_ASSIGNED = "staff.assigned", _("Staff account assigned")
    STAFF_CHANGED = "staff.changed", _("Staff account changed")
    REGIONS_LOADED = "regions.loaded", _("Regions loaded")
    PLATFORM_CHANGED = "platform.changed", _("Platform partner created or changed")
    API_KEY_ISSUED = "api_key.issued", _("API key issued")
    API_KEY_ROTATED = "api_key.rotated", _("API key rotated")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    ROSTER_IMPORTED = "roster.imported", _("Worker roster imported")
    WORKERS_INVITED = "workers.invited", _("Workers invited to join")
    STATION_CHANGED = "station.changed", _("Station created or changed")
    STATIONS_IMPORTED = "stations.imported", _("Station list imported")
    HOTSPOTS_IMPORTED = "hotspots.imported", _("Demand hotspots imported")
    MERCHANT_CHANGED = "merchant.changed", _("Partner merchant created or changed")
    MERCHANT_DESK_RESET = "merchant.desk_reset", _("Merchant counter link replaced")


class AuditEvent(AppendOnlyModel):
    """Who did what to which object, when: changes that matter and every unmasked view or export."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The region code the object belongs to, so a jurisdiction sees the audit trail of its own area.
    region_code = models.CharField(max_length=12, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class RateLimitCounter(models.Model):
    """Hits of one rate-limit bucket in one fixed time window (core.ratelimit)."""

    bucket = models.CharField(max_length=200)
    period = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)
    expires_at = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "period"], name="ratelimit_bucket_period")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.period}: {self.hits}"
