from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """A long-running piece of work (an import, an export) and its progress, for progress bars.

    The work itself runs through the Django tasks API; this row is what the pages poll.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(_("total"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    # The language of the person who started the job: its messages are written in it.
    language = models.CharField(max_length=16, default="zh-hans")
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.UnionOrganization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        constraints = [
            models.CheckConstraint(condition=models.Q(processed__lte=models.F("total")), name="job_processed_le_total")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.processed}/{self.total}"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class JobFile(models.Model):
    """A file a job reads (the uploaded spreadsheet) or writes (the report of rejected rows).

    Kept in the database so the worker needs no shared disk; an input is deleted once read.
    """

    INPUT = "input"
    ERRORS = "errors"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    purpose = models.CharField(max_length=16)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "purpose"], name="job_file_one_per_purpose")]

    def __str__(self) -> str:
        return f"{self.job_id} {self.purpose} {self.name}"
