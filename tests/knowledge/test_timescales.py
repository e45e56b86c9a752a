"""Working days as the guidance counts them, and dates as people write them."""
from __future__ import annotations

import datetime as dt

import pytest

from knowledge import timescales

TODAY = dt.date(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize("start, n, expected", [
    (dt.date(2026, 3, 2), 5, dt.date(2026, 3, 9)),       # Monday + 5 working days = next Monday
    (dt.date(2026, 3, 6), 1, dt.date(2026, 3, 9)),       # Friday + 1 skips the weekend
    (dt.date(2026, 4, 2), 1, dt.date(2026, 4, 7)),       # skips Good Friday and Easter Monday 2026
    (dt.date(2026, 12, 21), 5, dt.date(2026, 12, 30)),   # Christmas, and Boxing Day moved to Monday 28th
    (dt.date(2026, 8, 28), 1, dt.date(2026, 9, 1)),      # summer bank holiday (England)
])
def test_add_working_days_skips_weekends_and_english_bank_holidays(start, n, expected):
    assert timescales.add_working_days(start, n) == expected


def test_due_date_units():
    start = dt.date(2026, 1, 31)
    assert timescales.due_date(start, 10, "days") == dt.date(2026, 2, 10)
    assert timescales.due_date(start, 3, "months") == dt.date(2026, 4, 30)
    with pytest.raises(ValueError):
        timescales.due_date(start, 1, "weeks")


@pytest.mark.parametrize("text, expected", [
    ("the conference was on 3 March", dt.date(2026, 3, 3)),
    ("conference was 3rd of march 2025", dt.date(2025, 3, 3)),
    ("March 3rd", dt.date(2026, 3, 3)),
    ("referral made 12/01/2026", dt.date(2026, 1, 12)),
    ("on 2026-02-10", dt.date(2026, 2, 10)),
    ("the assessment started last Monday", dt.date(2026, 11, 16)),
    ("it was yesterday", dt.date(2026, 11, 21)),
    ("we had it today", TODAY),
    ("two weeks ago", dt.date(2026, 11, 8)),
    ("on 20 december", dt.date(2025, 12, 20)),   # no year: the most recent one
    ("what happens next", None),
    ("on 31/02/2026", None),
])
def test_parse_date(text, expected):
    assert timescales.parse_date(text, TODAY) == expected


def test_format_date():
    assert timescales.format_date(dt.date(2026, 3, 3)) == "Tuesday 3 March 2026"
