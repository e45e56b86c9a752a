"""Reading a young person's answers to the Children's Rights Officer request form, and picking
out the part of the conversation they agreed to pass on. Plain functions: the Rasa actions in
actions/cro_request.py only call these and the triage store."""
from __future__ import annotations

import re
from typing import Any, Iterable, Optional

SKIPPED = "skipped"  # a slot value meaning "asked, and the person chose not to say"
FORM = "cro_request_form"
FORM_SLOTS = ("cro_name", "cro_contact_method", "cro_contact_detail", "cro_contact_when", "cro_about",
              "cro_consent")

_SKIP = re.compile(r"^\W*(skip(\s+(it|this|that))?|pass|next|rather not( say)?|i'?d rather not( say)?|"
                   r"prefer not to say|don'?t want to say|dont wanna say|no comment|none|n/?a|-)\W*$", re.I)
_YES = re.compile(r"^\W*(y|ya|yes+|yeah+|yep|yup|ye|yh|ok(ay)?|sure|fine|go on|please do|yes please|"
                  r"yes,? pass it on|pass it on|that'?s fine|of course)\W*$", re.I)
_NO = re.compile(r"^\W*(n|no+|nah+|nope|no thanks|no thank you|don'?t|do not|dont pass it on|"
                 r"no,? don'?t pass it on|rather not)\W*$", re.I)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"^\+?[\d\s()-]{7,20}$")

# Words that say how it is safe to be contacted, checked in this order.
_METHODS = (
    ("they_will_ring", re.compile(r"\b(i'?ll|i will|ill|let me|me)\b.*\b(ring|call|phone|contact)\b|"
                                  r"\bring (you|them) (myself|back)?\b|\bmyself\b", re.I)),
    ("carer_or_social_worker", re.compile(r"\b(carer|carers|foster|social worker|sw|key ?worker|"
                                          r"through (my|the)|via my)\b", re.I)),
    ("email", re.compile(r"\b(e-?mail|mail)\b|@", re.I)),
    ("phone", re.compile(r"\b(phone|ring|call|text|mobile|number|fone|tel)\b|^\+?[\d\s]{7,}$", re.I)),
)


def is_skip(text: Any, intent: Optional[str] = None) -> bool:
    """'skip', 'pass', 'rather not say', or the Skip button (intent skip)."""
    return intent == "skip" or (isinstance(text, str) and bool(_SKIP.match(text.strip())))


def clean(text: Any, limit: int = 2000) -> Optional[str]:
    """A slot's text as stored: None for missing or skipped, otherwise trimmed and capped."""
    if not isinstance(text, str) or not text.strip() or text == SKIPPED:
        return None
    return text.strip()[:limit]


def name(text: str) -> Optional[str]:
    """A first name or nickname: short. None when it looks like something else (a sentence)."""
    value = text.strip().strip(".!")
    if not value or len(value) > 40 or len(value.split()) > 3:
        return None
    return value


def contact_method(text: str) -> Optional[str]:
    """'phone', 'email', 'carer_or_social_worker', 'they_will_ring', or None if unclear."""
    for method, pattern in _METHODS:
        if pattern.search(text or ""):
            return method
    return None


def contact_detail_from(text: str) -> Optional[str]:
    """An email address or phone number given together with the method ('email me on x@y.z')."""
    found = _EMAIL.search(text or "")
    if found:
        return found.group(0).strip(".,;")
    digits = re.search(r"\+?\d[\d\s()-]{6,18}\d", text or "")
    return digits.group(0) if digits else None


def looks_like_contact_detail(text: str, method: Optional[str]) -> bool:
    if method == "email":
        return bool(_EMAIL.search(text))
    if method == "phone":
        return bool(_PHONE.match(text.strip()))
    return True


def consent(intent: Optional[str], text: str) -> Optional[bool]:
    """True for yes, False for no (a skip counts as no), None if unclear."""
    # A "no" in their own words wins over anything else: this answer decides what is stored.
    if intent in ("deny", "skip") or _NO.match(text or "") or is_skip(text):
        return False
    if intent == "affirm" or _YES.match(text or ""):
        return True
    return None


def needs_detail(method: Optional[str]) -> bool:
    return method in ("phone", "email")


def needs_time(method: Optional[str]) -> bool:
    return method in ("phone", "email", "carer_or_social_worker")


def consented_transcript(events: Iterable[dict]) -> list[dict]:
    """The part of the conversation the young person agreed to pass on: from the message that led
    to the request (the one before the offer, or the request itself) to the end of the form.
    Only what was said: no intents, no data the chat added."""
    events = list(events)
    starts = [i for i, e in enumerate(events) if e.get("event") == "active_loop" and e.get("name") == FORM]
    if not starts:
        return []
    start = starts[-1]
    users = [i for i in range(start) if events[i].get("event") == "user"]
    begin = users[-1] if users else start
    if len(users) >= 2 and any(_is_offer(e) for e in events[users[-2] + 1:users[-1]]):
        begin = users[-2]  # they said yes to the offer: include what they said before it
    transcript = []
    for event in events[begin:]:
        text = event.get("text")
        if event.get("event") == "user" and text:
            transcript.append({"who": "young person", "text": _shown(text)})
        elif event.get("event") == "bot" and text:
            transcript.append({"who": "assistant", "text": text})
    return transcript


def _is_offer(event: dict) -> bool:
    return event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == "utter_offer_cro"


def _shown(text: str) -> str:
    """What a button press said, not its payload ('/affirm' was 'Yes')."""
    if text.startswith("/"):
        return {"/affirm": "Yes", "/deny": "No"}.get(text.split("{")[0], text)
    return text
