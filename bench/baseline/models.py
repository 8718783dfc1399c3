"""The roster's ten columns as a Django team would model them for django-import-export.

No migrations: the benchmark creates the table with the schema editor and drops it afterwards.
"""

from __future__ import annotations

from django.db import models


class PlainRosterRow(models.Model):
    name = models.CharField(max_length=64)
    id_number = models.CharField(max_length=18, unique=True)
    phone = models.CharField(max_length=11, blank=True)
    occupation = models.CharField(max_length=32)
    platform = models.CharField(max_length=64, blank=True)
    external_id = models.CharField(max_length=64, blank=True)
    employer = models.CharField(max_length=128, blank=True)
    employer_credit_code = models.CharField(max_length=18, blank=True)
    work_region = models.CharField(max_length=12)
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "bench_baseline"

    def __str__(self) -> str:
        return self.name
