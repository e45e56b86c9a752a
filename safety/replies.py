"""What a safety response is filled with: the numbers, from the knowledge base, and the council's
number for the time of day. Used by the safety action and by the Rasa server's own fallback when
the action server cannot answer. Which responses make a reply is in safety.kinds; their wording
is in domain/. No Rasa imports."""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import Dict, Optional, Tuple
from zoneinfo import ZoneInfo

from knowledge.store import KnowledgeBase

UK = ZoneInfo("Europe/London")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(mon|tue|wed|thu|fri|sat|sun)\w*\s*-\s*(mon|tue|wed|thu|fri|sat|sun)\w*\s+"
                    r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", re.I)


def phone(base: KnowledgeBase, council: str, contact_id: str) -> str:
    contact = base.contact(council, contact_id)
    return (contact.phone or contact.web or "") if contact else ""


def parse_office_hours(text: str) -> Tuple[int, int, time, time]:
    """'Mon-Fri 09:00-17:00' as (first day, last day, opens, closes); days 0 = Monday."""
    m = _HOURS.match(text or "")
    if not m:
        raise ValueError(f"office hours must look like 'Mon-Fri 09:00-17:00', not {text!r}")
    first, last = _DAYS.index(m.group(1).lower()[:3]), _DAYS.index(m.group(2).lower()[:3])
    return first, last, time(int(m.group(3)), int(m.group(4))), time(int(m.group(5)), int(m.group(6)))


def office_open(now: Optional[datetime] = None, hours: Optional[str] = None) -> bool:
    if hours is None:
        import settings

        hours = settings.get("FAMILY_HELP_OFFICE_HOURS")
    first, last, opens, closes = parse_office_hours(hours)
    local = (now or datetime.now(UK)).astimezone(UK)
    return first <= local.weekday() <= last and opens <= local.time() < closes


def council_help(base: KnowledgeBase, council: str, now: Optional[datetime] = None,
                 hours: Optional[str] = None) -> str:
    """How to reach the council, with its own verb. With an out-of-hours number, the one for now
    comes first: 'call Safeguarding hub (MASH) on 024 7678 8555, or 024 7683 2222 out of hours'
    in office hours; 'call 024 7683 2222 now, the out of office hours number (024 7678 8555 in office
    hours)' outside them. 'see <website>' when the
    council has no phone."""
    general = base.general_contact(council)
    if not general:
        return "contact your council's children's services"
    ooh = base.contact(council, "mash_out_of_hours")
    if not general.phone:
        return f"see {general.service} ({general.web})"
    if not (ooh and ooh.council == council and ooh.phone):
        return f"call {general.service} on {general.phone}"
    if office_open(now, hours):
        return f"call {general.service} on {general.phone}, or {ooh.phone} out of hours"
    return f"call {ooh.phone} now, the out of office hours number ({general.phone} in office hours)"


def _has_phone(base: KnowledgeBase, council: str) -> bool:
    general = base.general_contact(council)
    return bool(general and general.phone)


def safety_values(base: KnowledgeBase, council: str, now: Optional[datetime] = None) -> Dict[str, str]:
    """The numbers the safety responses need, from the knowledge base."""
    childline = base.contact(council, "childline")
    return {
        "emergency_phone": phone(base, council, "emergency") or "999",
        "childline_phone": childline.phone if childline else "",
        "childline_web": childline.web if childline else "",
        "samaritans_phone": phone(base, council, "samaritans"),
        "nspcc_phone": phone(base, council, "nspcc"),
        "domestic_abuse_phone": phone(base, council, "domestic_abuse_helpline"),
        "ceop_web": phone(base, council, "ceop"),
        "report_remove_web": phone(base, council, "report_remove"),
        "council_help": council_help(base, council, now),
        # a young person is never sent to a professionals' website for help tonight: a council without
        # a phone number in its documents gets Childline instead
        "young_help": council_help(base, council, now) if _has_phone(base, council) else
        (f"call Childline free on {childline.phone}, any time" if childline else "tell an adult you trust"),
        "council_name": base.council(council).name,
    }
