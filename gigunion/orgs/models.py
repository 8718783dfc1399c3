from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gigunion.core.fields import EncryptedTextField
from gigunion.core.masking import mask_phone
from gigunion.regions.models import Region


class OrganizationType(models.TextChoices):
    NATIONAL_FEDERATION = "national_federation", _("National federation")  # 全国总工会
    FEDERATION = "federation", _("Federation (county level and above)")  # 省/市/县区总工会
    TOWNSHIP = "township", _("Township / street union")  # 乡镇(街道)工会
    INDUSTRY_FEDERATION = "industry_federation", _("Industry federation")  # 行业工会联合会
    REGIONAL_FEDERATION = "regional_federation", _("Regional federation")  # 区域性工会联合会
    COMMUNITY = "community", _("Community union")  # 社区工会
    JOINT = "joint", _("Joint grassroots union")  # 联合基层工会
    ENTERPRISE = "enterprise", _("Enterprise union")  # 企业工会


class FoundingMode(models.TextChoices):
    """How a union comes to cover an employer (建会方式, seeds 002-004)."""

    STANDALONE = "standalone", _("Standalone")  # 单独建
    JOINT = "joint", _("Joint")  # 联合建
    HOSTED = "hosted", _("Hosted")  # 依托建
    LEAD_ENTERPRISE = "lead_enterprise", _("Led by a head enterprise")  # 牵头建
    INDUSTRY_DRIVEN = "industry_driven", _("Industry-driven")  # 推动建/主导建
    COMMUNITY = "community", _("Community")  # 社区建


# The Chinese names staff write in spreadsheets (FORMATS.md, 工会类型 and 建会方式).
ORGANIZATION_TYPE_NAMES = {
    "企业工会": OrganizationType.ENTERPRISE,
    "联合基层工会": OrganizationType.JOINT,
    "行业工会联合会": OrganizationType.INDUSTRY_FEDERATION,
    "区域性工会联合会": OrganizationType.REGIONAL_FEDERATION,
    "社区工会": OrganizationType.COMMUNITY,
    "乡镇(街道)工会": OrganizationType.TOWNSHIP,
    "乡镇（街道）工会": OrganizationType.TOWNSHIP,
    "县级以上总工会": OrganizationType.FEDERATION,
}
FOUNDING_MODE_NAMES = {
    "单独建": FoundingMode.STANDALONE,
    "联合建": FoundingMode.JOINT,
    "依托建": FoundingMode.HOSTED,
    "牵头建": FoundingMode.LEAD_ENTERPRISE,
    "推动建": FoundingMode.INDUSTRY_DRIVEN,
    "主导建": FoundingMode.INDUSTRY_DRIVEN,
    "社区建": FoundingMode.COMMUNITY,
}


class UnionOrganization(models.Model):
    """A union organization in the tree 全总 → 省总 → 市总 → 县区总 → 乡镇/街道 → grassroots.

    `path` is the materialized path of primary keys ("/1/4/17/"): an organization's subtree
    is every row whose path starts with its own, answered by one indexed query.
    """

    name = models.CharField(_("name"), max_length=128)
    code = models.CharField(_("code"), max_length=32, null=True, blank=True, unique=True)
    organization_type = models.CharField(_("type"), max_length=32, choices=OrganizationType.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founding_mode = models.CharField(_("founding mode"), max_length=32, choices=FoundingMode.choices, blank=True)
    # For an industry federation: the industry it organizes (matched against enterprises' industry).
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    chair_name = models.CharField(_("chair"), max_length=64, blank=True)
    term_start = models.DateField(_("committee term from"), null=True, blank=True)
    term_end = models.DateField(_("committee term to"), null=True, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Whether a worker's join waits for a person at this union to approve it (入会审核).
    join_requires_approval = models.BooleanField(_("joining needs approval"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("union organization")
        verbose_name_plural = _("union organizations")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organization_name_unique_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="organization_root_name_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(region__isnull=False) | models.Q(organization_type="national_federation"),
                name="organization_region_required",
            ),
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True)
                | models.Q(term_start__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="organization_term_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_prefix(self) -> str:
        """Region codes in this organization's jurisdiction start with this ('' for the national level)."""
        return self.region.prefix if self.region is not None else ""


class StaffRole(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    OPERATOR = "operator", _("Operator")
    ADMIN = "admin", _("Administrator")


class StaffAccount(models.Model):
    """A back-office user's place: one union organization and a role there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_account", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="staff_accounts", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.VIEWER)
    display_name = models.CharField(_("name"), max_length=64)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__path", "display_name"]
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.organization})"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else ""
