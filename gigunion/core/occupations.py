"""The occupations of gig workers (八大群体 and the others), with the names staff write (DOMAIN.md glossary)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Occupation(models.TextChoices):
    TRUCK_DRIVER = "truck_driver", _("Truck driver")  # 货车司机
    COURIER = "courier", _("Courier")  # 快递员
    CAREGIVER = "caregiver", _("Caregiver")  # 护工护理员
    DOMESTIC_WORKER = "domestic_worker", _("Domestic worker")  # 家政服务员
    MALL_PROMOTER = "mall_promoter", _("Mall promoter")  # 商场信息员
    DELIVERY_RIDER = "delivery_rider", _("Delivery rider")  # 网约送餐员 / 外卖配送员
    REAL_ESTATE_AGENT = "real_estate_agent", _("Real estate agent")  # 房产中介员
    SECURITY_GUARD = "security_guard", _("Security guard")  # 保安员
    RIDE_HAILING_DRIVER = "ride_hailing_driver", _("Ride-hailing driver")  # 网约车司机
    DESIGNATED_DRIVER = "designated_driver", _("Designated driver")  # 代驾
    OTHER = "other", _("Other")


# The four key groups with the 80% target (seed 002).
KEY_GROUPS = [Occupation.TRUCK_DRIVER, Occupation.RIDE_HAILING_DRIVER, Occupation.COURIER, Occupation.DELIVERY_RIDER]

OCCUPATION_NAMES = {
    "货车司机": Occupation.TRUCK_DRIVER,
    "快递员": Occupation.COURIER,
    "护工护理员": Occupation.CAREGIVER,
    "护工": Occupation.CAREGIVER,
    "护理员": Occupation.CAREGIVER,
    "家政服务员": Occupation.DOMESTIC_WORKER,
    "商场信息员": Occupation.MALL_PROMOTER,
    "网约送餐员": Occupation.DELIVERY_RIDER,
    "外卖配送员": Occupation.DELIVERY_RIDER,
    "外卖骑手": Occupation.DELIVERY_RIDER,
    "房产中介员": Occupation.REAL_ESTATE_AGENT,
    "保安员": Occupation.SECURITY_GUARD,
    "网约车司机": Occupation.RIDE_HAILING_DRIVER,
    "代驾": Occupation.DESIGNATED_DRIVER,
    "代驾司机": Occupation.DESIGNATED_DRIVER,
    "其他": Occupation.OTHER,
}


def occupation_from_text(text: str) -> Occupation | None:
    """An occupation from its Chinese name or code name; None when it is neither."""
    if text in OCCUPATION_NAMES:
        return OCCUPATION_NAMES[text]
    return Occupation(text) if text in Occupation.values else None
