"""Campaigns (集中行动): time-boxed drives with phases and targets per region and occupation set.

A target is a rate (membership or founding) to reach by a deadline, for a region and a set of
occupations (the four key groups at 80% in seed 002), with the organization responsible. Its
baseline (numerator and denominator on the day it was set) is kept, so progress and a projection
to the deadline can be read against the current figures (surveys.selectors).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gigunion.orgs.models import UnionOrganization


class PhaseKind(models.TextChoices):
    MOBILIZE = "mobilize", _("Mobilize")  # 组织动员
    IMPLEMENT = "implement", _("Implement")  # 推进实施
    REVIEW = "review", _("Review")  # 总结交流


class Indicator(models.TextChoices):
    MEMBERSHIP_RATE = "membership_rate", _("Membership rate")  # 入会率
    FOUNDING_RATE = "founding_rate", _("Founding rate")  # 建会率


class Campaign(models.Model):
    """A drive run by a union across its jurisdiction."""

    name = models.CharField(_("name"), max_length=128)
    organization = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("run by")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignPhase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=16, choices=PhaseKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="campaign_phase_once"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.kind}"


class CampaignTarget(models.Model):
    """Reach `rate` of `indicator` in `region` for `occupations` (empty: all) by `deadline`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    region_code = models.CharField(_("region"), max_length=12)
    occupations = models.JSONField(_("occupations"), default=list, blank=True)
    indicator = models.CharField(
        _("indicator"), max_length=32, choices=Indicator.choices, default=Indicator.MEMBERSHIP_RATE
    )
    rate = models.DecimalField(
        _("target rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    deadline = models.DateField(_("deadline"))
    responsible = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible organization")
    )
    # The figures on the day the target was set: where progress is measured from.
    baseline_on = models.DateField(_("baseline date"))
    baseline_numerator = models.BigIntegerField(default=0)
    baseline_denominator = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "region_code", "pk"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate__gte=0) & models.Q(rate__lte=1), name="campaign_target_rate_fraction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.region_code} {self.indicator} {self.rate}"
