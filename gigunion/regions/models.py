from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")


# How many leading digits of a code name the region at each level: a code's prefix is its ancestry.
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class Region(models.Model):
    """One administrative division (行政区划), keyed by its division code.

    Province, city and county codes are the 6-digit GB/T 2260 codes; townships and streets
    have 9 digits and villages/communities 12 (统计用区划代码). Counties directly under a
    province (municipal districts, 省直辖县级行政区) hang off the province.
    """

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=16, blank=True, help_text=_("e.g. 市辖区, 县级市, 街道, 镇"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    is_current = models.BooleanField(
        _("current"), default=True, help_text=_("False once the code has left the official list; kept for history.")
    )
    source = models.CharField(_("source"), max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$"), name="region_code_digits"
            ),
        ]
        indexes = [models.Index(fields=["parent", "code"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        """The leading digits every descendant's code starts with."""
        return self.code[: PREFIX_LENGTH[RegionLevel(self.level)]]


class RegionCodeHistory(models.Model):
    """Every 6-digit code that has ever been valid, with the revisions it was seen in.

    ID numbers keep the address code of the year they were issued, so validation checks the
    code against this table, never against today's list alone.
    """

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    first_revision = models.CharField(_("first seen"), max_length=8, help_text=_("YYYYMM of the first revision"))
    last_revision = models.CharField(_("last seen"), max_length=8, help_text=_("YYYYMM of the last revision"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("historical division code")
        verbose_name_plural = _("historical division codes")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
