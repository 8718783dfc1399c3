"""Opening hours: `08:00-20:00`, several ranges (`08:00-12:00、14:00-18:00`), overnight (`20:00-08:00`) or
`24小时` / `全天`. Stored as the text entered plus minute ranges, so "open now" is a lookup."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from django.utils.translation import gettext as _

ALL_DAY_WORDS = {"24小时", "24h", "24H", "全天", "全天候", "24小时开放", "00:00-24:00", "0:00-24:00"}
_RANGE = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})$")
_SEPARATORS = re.compile(r"[,，、;；\s]+")


class HoursError(ValueError):
    pass


@dataclass(frozen=True)
class OpeningHours:
    text: str
    all_day: bool
    ranges: tuple[tuple[int, int], ...]  # minutes after midnight; end may be below start (overnight)

    def is_open_at(self, moment: datetime | time) -> bool:
        if self.all_day:
            return True
        if not self.ranges:
            return False
        minute = moment.hour * 60 + moment.minute
        for start, end in self.ranges:
            if start < end and start <= minute < end:
                return True
            if start > end and (minute >= start or minute < end):
                return True
        return False


def _minutes(hour: str, minute: str) -> int:
    h, m = int(hour), int(minute)
    if h > 24 or m > 59 or (h == 24 and m != 0):
        raise HoursError(_("%(value)s is not a time of day.") % {"value": f"{hour}:{minute}"})
    return h * 60 + m


def parse_hours(value: str) -> OpeningHours:
    """Parse opening hours; blank means unknown (shown as such, never open-now)."""
    text = value.strip()
    if not text:
        return OpeningHours(text="", all_day=False, ranges=())
    if text.replace(" ", "") in ALL_DAY_WORDS:
        return OpeningHours(text=text, all_day=True, ranges=())
    ranges = []
    for part in _SEPARATORS.split(text):
        if not part:
            continue
        match = _RANGE.match(part)
        if match is None:
            raise HoursError(_("Opening hours “%(value)s” are not like 08:00-20:00 or 24小时.") % {"value": text[:40]})
        start, end = _minutes(match[1], match[2]), _minutes(match[3], match[4]) % (24 * 60)
        if start == end:
            raise HoursError(_("Opening hours “%(value)s” start and end at the same time.") % {"value": part})
        ranges.append((start, end))
    if not ranges:
        raise HoursError(_("Opening hours “%(value)s” are not like 08:00-20:00 or 24小时.") % {"value": text[:40]})
    return OpeningHours(text=text, all_day=False, ranges=tuple(ranges))


def hours_from_stored(text: str, all_day: bool, ranges: list[list[int]]) -> OpeningHours:
    return OpeningHours(text=text, all_day=all_day, ranges=tuple((int(a), int(b)) for a, b in ranges))
