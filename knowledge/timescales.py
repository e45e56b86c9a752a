"""Due dates the way the guidance counts them, and dates as people write them.

Working days skip Saturdays, Sundays and England's bank holidays, taken from the
maintained ``holidays`` library (subdivision ENG), not a hand-written list.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Optional

import holidays
from dateutil.relativedelta import relativedelta

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?P<year>\d{4}))?"
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}\b", re.I)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}{_YEAR}\b", re.I)
_NUMERIC = re.compile(r"\b(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})(?:[/.-](?P<year>\d{2,4}))?\b")
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b")
_AGO = re.compile(r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                  r"(?P<unit>day|week|month)s?\s+ago\b", re.I)
_WEEKDAY = re.compile(r"\b(?:(?P<rel>last|this|on|next)\s+)?(?P<wd>" + "|".join(
    sorted(WEEKDAYS, key=len, reverse=True)) + r")\b", re.I)


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=[year - 1, year, year + 1])


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date n working days after start (start itself is day 0)."""
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def due_date(start: dt.date, amount: int, unit: str) -> dt.date:
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "days":
        return start + dt.timedelta(days=amount)
    if unit == "months":
        return start + relativedelta(months=amount)
    raise ValueError(f"unknown unit {unit!r}")


def describe_within(amount: int, unit: str) -> str:
    words = {"working_days": "working day", "days": "day", "months": "month"}[unit]
    return f"{amount} {words}{'' if amount == 1 else 's'}"


def format_date(day: dt.date) -> str:
    """'Tuesday 3 March 2026' (no leading zero)."""
    return f"{calendar.day_name[day.weekday()]} {day.day} {calendar.month_name[day.month]} {day.year}"


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, today: dt.date) -> Optional[dt.date]:
    """A date given without a year: people talk about the past, so the most recent one."""
    this_year = _safe_date(today.year, month, day)
    if this_year and this_year <= today + dt.timedelta(days=14):
        return this_year
    return _safe_date(today.year - 1, month, day)


def parse_date(text: str, today: Optional[dt.date] = None) -> Optional[dt.date]:
    """Find a date in a message: '3 March', 'March 3rd 2026', '03/03/2026', 'last Monday',
    'yesterday', '2 weeks ago'. Numeric dates are read day first, as in the UK."""
    today = today or dt.date.today()
    low = text.lower()
    for rx in (_ISO, _DAY_MONTH, _MONTH_DAY, _NUMERIC):
        m = rx.search(low)
        if not m:
            continue
        day = int(m.group("day"))
        month_raw = m.group("month")
        month = int(month_raw) if month_raw.isdigit() else MONTHS[month_raw.lower().rstrip(".")]
        year_raw = m.group("year")
        if year_raw:
            year = int(year_raw)
            year = year + 2000 if year < 100 else year
            found = _safe_date(year, month, day)
        else:
            found = _year_for(month, day, today)
        if found:
            return found
    if re.search(r"\btoday\b|\bthis morning\b", low):
        return today
    if re.search(r"\byesterday\b", low):
        return today - dt.timedelta(days=1)
    m = _AGO.search(low)
    if m:
        n = int(m.group("n")) if m.group("n").isdigit() else NUMBER_WORDS[m.group("n")]
        unit = m.group("unit")
        if unit == "month":
            return today - relativedelta(months=n)
        return today - dt.timedelta(days=n * (7 if unit == "week" else 1))
    if re.search(r"\blast week\b", low):
        return today - dt.timedelta(days=7)
    m = _WEEKDAY.search(low)
    if m:
        target = WEEKDAYS[m.group("wd").lower()]
        back = (today.weekday() - target) % 7
        if m.group("rel") == "last" and back == 0:
            back = 7
        return today - dt.timedelta(days=back)
    return None
