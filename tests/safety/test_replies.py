"""The numbers a safety reply is filled with, and the council's number for the time of day."""
from __future__ import annotations

from datetime import datetime

import pytest

from safety import replies

HOURS = "Mon-Fri 09:00-17:00"
TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=replies.UK)
TUESDAY_NIGHT = datetime(2026, 12, 1, 21, 30, tzinfo=replies.UK)
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0, tzinfo=replies.UK)


@pytest.mark.parametrize("now, open_", [(TUESDAY_NOON, True), (TUESDAY_NIGHT, False), (SATURDAY_NOON, False),
                                        (datetime(2026, 12, 1, 8, 59, tzinfo=replies.UK), False),
                                        (datetime(2026, 12, 1, 17, 0, tzinfo=replies.UK), False)])
def test_office_hours(now, open_):
    assert replies.office_open(now, HOURS) is open_


def test_office_hours_are_read_in_uk_time():
    from datetime import timezone

    # 08:30 UTC in June is 09:30 in London (summer time)
    assert replies.office_open(datetime(2026, 6, 2, 8, 30, tzinfo=timezone.utc), HOURS)


@pytest.mark.parametrize("bad", ["", "weekdays", "Mon-Fri 9-5", "Mon-Fri 09:00"])
def test_bad_office_hours_are_refused(bad):
    with pytest.raises(ValueError):
        replies.parse_office_hours(bad)


def test_in_office_hours_the_mash_comes_first_and_out_of_hours_the_out_of_hours_number(kb):
    day = replies.council_help(kb, "coventry", TUESDAY_NOON, HOURS)
    night = replies.council_help(kb, "coventry", TUESDAY_NIGHT, HOURS)
    assert day.index("024 7678 8555") < day.index("024 7683 2222")
    assert night.index("024 7683 2222") < night.index("024 7678 8555")
    assert "out of office hours" in night


@pytest.mark.parametrize("council", ["hampshire", "bolton"])
def test_a_council_without_an_out_of_hours_number_is_the_same_day_and_night(kb, council):
    assert replies.council_help(kb, council, TUESDAY_NOON, HOURS) == replies.council_help(
        kb, council, TUESDAY_NIGHT, HOURS)


def test_values_hold_every_national_number(kb):
    values = replies.safety_values(kb, "bolton", TUESDAY_NOON)
    assert values["emergency_phone"] == "999" and values["childline_phone"] == "0800 1111"
    assert values["samaritans_phone"] == "116 123" and values["nspcc_phone"] == "0808 800 5000"
    assert values["domestic_abuse_phone"] == "0808 2000 247"
    assert values["ceop_web"].startswith("https://") and values["council_name"] == "Bolton Council"


def test_a_young_person_is_never_sent_to_a_website_for_help_tonight(kb):
    # Hampshire's documents give a procedures website, not a phone number
    hampshire = replies.safety_values(kb, "hampshire", TUESDAY_NIGHT)
    assert "http" in hampshire["council_help"] and "0800 1111" in hampshire["young_help"]
    coventry = replies.safety_values(kb, "coventry", TUESDAY_NIGHT)
    assert coventry["young_help"] == coventry["council_help"]
