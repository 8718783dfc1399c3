from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from gigunion.core.exceptions import NotVisible
from gigunion.regions.models import Region, RegionCodeHistory


def region_get(*, code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise NotVisible() from None


def region_ancestor_codes(code: str) -> list[str]:
    """The codes a division code may descend from, top first (some may not exist, e.g. 110100)."""
    candidates = [code[:2] + "0000", code[:4] + "00", code[:6], code[:9]]
    return [candidate for candidate in dict.fromkeys(candidates) if candidate != code]


def region_codes_upwards(code: str) -> list[str]:
    """The code itself, then the codes it may descend from, nearest first (for "the deepest that holds it")."""
    return [code, *reversed(region_ancestor_codes(code))]


def region_ancestors(region: Region) -> list[Region]:
    return list(Region.objects.filter(code__in=region_ancestor_codes(region.code)).order_by("code"))


def region_children(*, region: Region | None, with_counts: bool = False) -> QuerySet[Region]:
    """The current regions directly below `region`; the provinces when region is None (the whole country)."""
    children = Region.objects.filter(parent=region, is_current=True)
    if with_counts:
        children = children.annotate(child_count=Count("children", filter=Q(children__is_current=True)))
    return children.order_by("code")


def regions_within(prefix: str) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=prefix, is_current=True)


def division_code_is_known(code: str) -> bool:
    """True when a 6-digit code is or ever was a GB/T 2260 code (for ID number address codes)."""
    return RegionCodeHistory.objects.filter(code=code).exists() or Region.objects.filter(code=code).exists()


def current_region_codes() -> list[str]:
    """The code of every current region (for checking many region codes)."""
    return list(Region.objects.filter(is_current=True).values_list("code", flat=True))


def known_division_codes() -> set[str]:
    """Every code division_code_is_known accepts, read at once (for checking many ID numbers)."""
    return {
        *RegionCodeHistory.objects.values_list("code", flat=True),
        *Region.objects.values_list("code", flat=True),
    }


class ChildPlacer:
    """Places a region code under the child region it lies in (None: under none of them, the area itself).

    A province's children mix cities (4-digit prefixes) and counties directly under it (6 digits):
    grouping by the first `length` digits and placing each group here handles both."""

    def __init__(self, children: Iterable[Region]) -> None:
        self.prefixes = sorted((child.prefix for child in children), key=len, reverse=True)
        self.length = max((len(prefix) for prefix in self.prefixes), default=0)
        self.codes = {child.prefix: child.code for child in children}

    def place(self, key: str) -> str | None:
        for prefix in self.prefixes:
            if key.startswith(prefix):
                return self.codes[prefix]
        return None
