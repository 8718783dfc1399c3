"""Working days for appeal deadlines: China's official holiday calendar (chinese-calendar), with its make-up
workdays (调休). Years the package does not cover yet fall back to Monday–Friday, and say so in the log."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)


def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        logger.warning("chinese-calendar has no data for %s: counting Monday to Friday", day.year)
        return day.weekday() < 5


def add_workdays(start: date, days: int) -> date:
    """The day `days` working days after `start` (start itself not counted): add_workdays(Fri, 1) is the
    next working day. With days == 0, the first working day on or after start."""
    day = start
    if days == 0:
        while not is_workday(day):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in [start, end): how many working days a pause from start to end took."""
    count, day = 0, start
    while day < end:
        if is_workday(day):
            count += 1
        day += timedelta(days=1)
    return count
