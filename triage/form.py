"""Reading a young person's answers to the Children's Rights Officer request form, and picking
out the part of the conversation they agreed to pass on. Plain functions: the Rasa actions in
actions/cro_request.py only call these and the triage store."""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Optional

SKIPPED = "skipped"  # a slot value meaning "asked, and the person chose not to say"
FORM = "cro_request_form"
# The intent of an answer to the form that must never be read as anything else: the form's own
# buttons (payload /cro_answer{"cro_contact_method": "..."}) and a message that is only a phone
# number or an email address (given this intent by triage.nlu.FormAnswers).
ANSWER_INTENT = "cro_answer"
METHOD_ENTITY = "cro_contact_method"
# How it is safe to be contacted, with the words on the form's buttons.
METHOD_TITLES = {"phone": "Phone", "email": "Email", "carer_or_social_worker": "Through my carer or social worker",
                 "they_will_ring": "I will ring them myself"}
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
# A phone number written inside other words ("Sam 07700 900123", "ring me on 07700 900123").
_DIGITS = re.compile(r"\+?\d[\d\s()-]{6,18}\d")
_ONLY_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[a-z]{2,}$", re.I)
_ONLY_PHONE = re.compile(r"^\+?[\d\s().-]+$")
_PAYLOAD = re.compile(r"^/\w+(\{.*\})?$", re.S)

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


_NAME_INTRO = re.compile(r"^\W*(hi|hello|hey)?\W*(my name'?s|my name is|i'?m|i am|it'?s|its|call me|me name is|"
                         r"name'?s|they can call me)\s+", re.I)
_NAME_JOINS = re.compile(r"\W*(\b(and|my|number|no|phone|mobile|email|e-mail|is|on|at)\b\W*)+$", re.I)
# Said to the question but not an answer to it ("yes", "ok", "thanks", "idk"): asked once more.
_NOT_AN_ANSWER = re.compile(r"^\W*(y|ya|yes+|yeah+|yep|yup|ye|yh|ok(ay)?|k|kk|sure|fine|no+|nah+|nope|"
                            r"thanks?|thank you|thx|ty|cheers|ta|hi|hello|hey|lol|idk|dunno|i don'?t know|"
                            r"what|huh|\?+)\W*$", re.I)


def name(text: str) -> Optional[str]:
    """A first name or nickname: short, without "my name is" and without a phone number or email
    address given with it ("Sam 07700 900123"). None when it looks like something else (a
    sentence, a button)."""
    if is_payload(text):
        return None
    value = _EMAIL.sub(" ", text or "")
    value = _DIGITS.sub(" ", value)
    value = _NAME_JOINS.sub("", _NAME_INTRO.sub("", " ".join(value.split())))
    value = value.strip().strip(".!,;:-").strip()
    if not value or len(value) > 40 or len(value.split()) > 3 or is_not_an_answer(value):
        return None
    return value


def is_not_an_answer(text: Any) -> bool:
    """'yes', 'ok', 'thanks', 'idk' said to a question that wants words of its own (a time, what it is about)."""
    return isinstance(text, str) and bool(_NOT_AN_ANSWER.match(text.strip()))


def contact_method(text: str) -> Optional[str]:
    """'phone', 'email', 'carer_or_social_worker', 'they_will_ring', or None if unclear."""
    if (text or "").strip() in METHOD_TITLES:  # from a button (the cro_contact_method entity)
        return text.strip()
    for method, pattern in _METHODS:
        if pattern.search(text or ""):
            return method
    return None


def contact_detail_from(text: str) -> Optional[str]:
    """An email address or phone number given together with the method ('email me on x@y.z')."""
    found = _EMAIL.search(text or "")
    if found:
        return found.group(0).strip(".,;")
    digits = _DIGITS.search(text or "")
    return digits.group(0) if digits else None


def contact_kind(text: Any) -> Optional[str]:
    """'email' or 'phone' when the whole message is one email address or one phone number
    (9 to 15 digits, with spaces, brackets, dots or dashes and an optional leading +), else None."""
    if not isinstance(text, str) or len(text) > 120:
        return None
    value = text.strip().rstrip(".")
    if _ONLY_EMAIL.match(value):
        return "email"
    if _ONLY_PHONE.match(value) and 9 <= sum(c.isdigit() for c in value) <= 15:
        return "phone"
    return None


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z]+", text.lower().replace("\u2019", "'").replace("'", "")))


_TYPED_TITLES = {_words(title): method for method, title in METHOD_TITLES.items() if " " in title}


def typed_method(text: Any) -> Optional[str]:
    """The method when someone types the words of one of the form's longer buttons ('I will ring them
    myself', 'through my carer or social worker'), else None. 'Phone' and 'Email' alone are left to
    the classifier: they can be questions too."""
    return _TYPED_TITLES.get(_words(text)) if isinstance(text, str) and len(text) < 80 else None


def is_payload(text: Any) -> bool:
    """A button's payload ('/skip', '/cro_answer{...}') rather than words someone typed."""
    return isinstance(text, str) and bool(_PAYLOAD.match(text.strip()))


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
    if not text.startswith("/"):
        return text
    intent, _, entities = text.partition("{")
    if intent == "/" + ANSWER_INTENT:
        try:
            method = json.loads("{" + entities).get(METHOD_ENTITY)
        except (ValueError, AttributeError):
            method = None
        return METHOD_TITLES.get(method, text)
    return {"/affirm": "Yes", "/deny": "No", "/skip": "Skip"}.get(intent, text)
