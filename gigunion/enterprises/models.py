from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gigunion.regions.models import Region


class EnterpriseKind(models.TextChoices):
    PLATFORM_HQ = "platform_hq", _("Platform headquarters")  # 平台总部
    BRANCH = "branch", _("Branch")  # 分支机构
    FRANCHISE = "franchise", _("Franchise")  # 加盟
    AGENT = "agent", _("Agent")  # 代理
    AFFILIATED = "affiliated", _("Affiliated fleet")  # 挂靠
    LABOR_DISPATCH = "labor_dispatch", _("Labor dispatch")  # 劳务派遣
    OUTSOURCING = "outsourcing", _("Outsourcing")  # 外包
    OTHER = "other", _("Other")  # 其他


# The Chinese names staff write in spreadsheets (FORMATS.md, 企业类型).
ENTERPRISE_KIND_NAMES = {
    "平台总部": EnterpriseKind.PLATFORM_HQ,
    "分支机构": EnterpriseKind.BRANCH,
    "加盟": EnterpriseKind.FRANCHISE,
    "代理": EnterpriseKind.AGENT,
    "挂靠": EnterpriseKind.AFFILIATED,
    "劳务派遣": EnterpriseKind.LABOR_DISPATCH,
    "外包": EnterpriseKind.OUTSOURCING,
    "其他": EnterpriseKind.OTHER,
}


class Enterprise(models.Model):
    """An employer of gig workers (用工单位), identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    gig_workers = models.PositiveIntegerField(_("gig workers"), null=True, blank=True)
    # Gig workers by occupation, {occupation code: count} (core.occupations); empty when not known.
    workers_by_occupation = models.JSONField(_("gig workers by occupation"), default=dict, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=EnterpriseKind.choices, default=EnterpriseKind.OTHER)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
        verbose_name=_("head enterprise"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="enterprise_not_own_parent"),
        ]
        indexes = [
            models.Index(fields=["region", "name"]),
            # Rosters name employers without a credit code: "this name in this city" is one probe, not a
            # scan of the city's register (a region prefix cannot use the index above in SQLite).
            models.Index(fields=["name"], name="enterprise_name"),
        ]

    def __str__(self) -> str:
        return self.name
