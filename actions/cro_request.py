"""A young person asks for a Children's Rights Officer (CRO) to get back to them: the form's
checks, and storing the request in the triage queue only when they say yes (and they have not
sent too many this hour). Thin: the reading of answers is in triage.form, the limit in
triage.limits, the storing in triage.store, the wording in domain/."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import settings
from actions.actions import ActionSearchKnowledge, kb
from actions.context import council_for, intent_confidence, intent_name, message_text, who_is_speaking
from knowledge.store import KnowledgeBase
from safety.kinds import speaker_group
from safety.replies import council_help
from triage import categories, form
from triage.limits import RequestLimiter
from triage.store import CONTACT_METHODS, TriageStore

_STORE: Optional[TriageStore] = None
_LIMITER = RequestLimiter()  # in this action server's memory only


def triage_store() -> TriageStore:
    """The triage database, opened on first use (path from FAMILY_HELP_TRIAGE_DB)."""
    global _STORE
    if _STORE is None:
        _STORE = TriageStore.open()
    return _STORE


def use_triage_store(store: Optional[TriageStore]) -> None:
    """For tests: use this store (None: open the configured one again on next use)."""
    global _STORE
    _STORE = store


def use_limiter(limiter: RequestLimiter) -> None:
    """For tests: count requests with this limiter."""
    global _LIMITER
    _LIMITER = limiter


def retention_days() -> int:
    """How long the chat itself is kept (FAMILY_HELP_RETENTION_DAYS), as the replies say."""
    return settings.get("FAMILY_HELP_RETENTION_DAYS")


def client_key(tracker: Tracker) -> Optional[str]:
    """The opaque per-client key the chat channel puts in every message's metadata, if any."""
    value = ((tracker.latest_message or {}).get("metadata") or {}).get("client")
    return value if isinstance(value, str) and value else None


def forget_answers() -> List[EventType]:
    return [SlotSet(slot, None) for slot in form.FORM_SLOTS]


def _skipped(value: Any, tracker: Tracker) -> bool:
    """'skip' typed, or the Skip button pressed."""
    return form.is_skip(value, intent_name(tracker))


def _asked_again(tracker: Tracker, response: str) -> bool:
    """Whether the assistant's last message before the person's latest one was this response."""
    seen_user = False
    for event in reversed(list(tracker.events or [])):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action") == response
    return False


def _words_of_their_own(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        limit: int = 2000) -> Dict[str, Any]:
    """An answer that must be in the person's own words (when to call, what it is about): "yes",
    "ok" or "thanks" is asked once more with a hint, and the second time counts as skipped, so
    nothing that isn't an answer is passed on and nobody is asked forever."""
    if form.is_payload(value):
        return {slot: None}
    if form.is_not_an_answer(value):
        unclear = f"utter_{slot}_unclear"
        if _asked_again(tracker, unclear):
            return {slot: form.SKIPPED}
        dispatcher.utter_message(response=unclear)
        return {slot: None}
    return {slot: form.clean(value, limit)}


class ValidateCroRequestForm(FormValidationAction):
    """Each answer can be skipped; unclear answers are asked again with a hint."""

    def name(self) -> str:
        return "validate_cro_request_form"

    async def required_slots(self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[str]:
        method = tracker.get_slot("cro_contact_method")
        return [slot for slot in domain_slots
                if not (slot == "cro_contact_detail" and not form.needs_detail(method))
                and not (slot == "cro_contact_when" and not form.needs_time(method))]

    def validate_cro_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[str, Any]:
        if _skipped(value, tracker):
            return {"cro_name": form.SKIPPED}
        name = form.name(str(value))
        if name is None:
            dispatcher.utter_message(response="utter_cro_name_too_long")
            return {"cro_name": None}
        slots: Dict[str, Any] = {"cro_name": name}
        detail = form.contact_detail_from(str(value))
        kind = form.contact_kind(detail) if detail else None
        if kind:
            # "Sam, 07700 900123": the number is how to reach them, not asked for again
            slots.update(cro_contact_method=kind, cro_contact_detail=detail)
        return slots

    def validate_cro_contact_method(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[str, Any]:
        if _skipped(value, tracker):
            return {"cro_contact_method": "not_given"}
        method = form.contact_method(str(value))
        if method is None:
            dispatcher.utter_message(response="utter_cro_method_unclear")
            return {"cro_contact_method": None}
        slots: Dict[str, Any] = {"cro_contact_method": method}
        detail = form.contact_detail_from(str(value)) if form.needs_detail(method) else None
        if detail:
            slots["cro_contact_detail"] = detail
        return slots

    def validate_cro_contact_detail(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[str, Any]:
        if _skipped(value, tracker):
            return {"cro_contact_detail": form.SKIPPED}
        method = tracker.get_slot("cro_contact_method")
        kind = form.contact_kind(value)
        if kind and form.needs_detail(method) and kind != method:
            # an email address where a phone number was asked for, or the other way round
            return {"cro_contact_detail": form.clean(value, 200), "cro_contact_method": kind}
        if form.is_payload(value) or not form.looks_like_contact_detail(str(value), method):
            dispatcher.utter_message(response="utter_cro_detail_unclear")
            return {"cro_contact_detail": None}
        return {"cro_contact_detail": form.clean(value, 200)}

    def validate_cro_contact_when(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[str, Any]:
        if _skipped(value, tracker):
            return {"cro_contact_when": form.SKIPPED}
        return _words_of_their_own("cro_contact_when", value, dispatcher, tracker, 200)

    def validate_cro_about(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[str, Any]:
        if _skipped(value, tracker):
            return {"cro_about": form.SKIPPED}
        return _words_of_their_own("cro_about", value, dispatcher, tracker)

    def validate_cro_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[str, Any]:
        answer = form.consent(intent_name(tracker), str(value))
        if answer is None and _asked_again(tracker, "utter_cro_consent_unclear"):
            # a second answer that is neither yes nor no (often a question about something else): nothing
            # is passed on, the form ends and the person can carry on, instead of being asked forever
            return {"cro_consent": "no"}
        if answer is None:
            dispatcher.utter_message(response="utter_cro_consent_unclear")
            return {"cro_consent": None}
        return {"cro_consent": "yes" if answer else "no"}


class ActionSubmitCroRequest(Action):
    """Store the request (only with consent) and say what happens next."""

    def name(self) -> str:
        return "action_submit_cro_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("cro_consent") != "yes":
            dispatcher.utter_message(response="utter_cro_not_passed_on", days=retention_days())
            return forget_answers()
        base = kb()
        council = council_for(tracker, base)
        if not _LIMITER.allow(client_key(tracker), tracker.sender_id):
            # Too many requests from this client or conversation this hour: nothing is stored.
            dispatcher.utter_message(response="utter_cro_too_many_requests", sooner=sooner(base, council))
            return forget_answers()
        urgent = bool(tracker.get_slot("safety_concern"))
        transcript = form.consented_transcript(tracker.events)
        about = form.clean(tracker.get_slot("cro_about"))
        said = [t["text"] for t in transcript if t["who"] == "young person"]
        method = tracker.get_slot("cro_contact_method")
        detail = form.clean(tracker.get_slot("cro_contact_detail"), 200)
        if method not in CONTACT_METHODS or (form.needs_detail(method) and not detail):
            method = "not_given"  # phone or email with no number or address: they will have to ring
        name = form.clean(tracker.get_slot("cro_name"), 40)
        category = "safety" if urgent else categories.propose(([about] if about else []) + said)
        reference = triage_store().create_request(
            council=council, category=category, urgent=urgent, contact_method=method,
            contact_detail=detail,
            contact_when=form.clean(tracker.get_slot("cro_contact_when"), 200), name=name, own_words=about,
            transcript=transcript)
        dispatcher.utter_message(response="utter_cro_request_sent", name_part=f", {name}" if name else "",
                                 council_name=base.council(council).name, reference=reference)
        dispatcher.utter_message(response=f"utter_cro_how_{method}")
        dispatcher.utter_message(response="utter_cro_request_sooner", sooner=sooner(base, council))
        dispatcher.utter_message(response="utter_cro_request_computer")
        # The concern is on this request; a later request starts normal unless it comes up again. The
        # offer is not made again in this conversation (utter_offer_cro's variation).
        return forget_answers() + [SlotSet("safety_concern", None), SlotSet("cro_request_sent", True),
                                   SlotSet("cro_reference", reference)]


# Whether a Children's Rights Officer call back can be asked for now (an offer was made, or the council
# has them): a "yes" starts the questions only then.
AVAILABLE = "cro_available"


def has_cros(base: KnowledgeBase, council: str) -> bool:
    """Whether the council's own documents name Children's Rights Officers (its own "cro" contact)."""
    cro = base.contact(council, "cro")
    return cro is not None and cro.council == council


def sooner(base: KnowledgeBase, council: str) -> str:
    """'call the Children's Rights Officers on 0800 0272 118' or the council's general contact."""
    cro = base.contact(council, "cro")
    if cro and cro.council == council and cro.phone:
        return f"call the Children's Rights Officers on {cro.phone}"
    return council_help(base, council)


class ActionOfferCro(Action):
    """After an answer about complaints or rights: offer a Children's Rights Officer's call back, only
    where the council's documents name Children's Rights Officers, and not to someone who has said
    they are an adult (a parent, a carer, a professional). (A 'yes' right after it takes it up:
    data/rules/cro_request.yml.)"""

    def name(self) -> str:
        return "action_offer_cro"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        adult = speaker_group(who_is_speaking(tracker)) in ("adult", "professional")
        sent = bool(tracker.get_slot("cro_request_sent"))
        offered = not sent and has_cros(base, council) and not adult
        if sent or offered:
            # (a request already sent in this chat: the offer's variation says so, with its reference)
            dispatcher.utter_message(response="utter_offer_cro")
        # a "yes" takes up an offer only when one was made (data/rules/cro_request.yml)
        return [SlotSet(AVAILABLE, offered)]


# A request for a Children's Rights Officer to get back to someone starts the questions when the classifier
# is this sure, or the message says so in words (a rights officer, a call back, an advocate).
CRO_SURE = 0.9
_ASKS_FOR_CRO = re.compile(r"\b(rights? officers?|cros?|call (me )?back|ring me|phone me|call me|text me|"
                           r"get back to me|contact me|get in touch with me|someone to (call|ring|phone|contact)|"
                           r"advocate|advocacy)\b")


# A question about what they do ("do they ever come round to the homes?", "will they tell my carer?") asks
# nothing of them for the person, however sure the classifier is: unless the person asks for themselves.
_ABOUT_THEM = re.compile(r"^(and |so |but |ok )?(do|does|did|will|would|can|could|are|is|have|has) (they|he|she|"
                         r"the|a|cros?|rights?)\b")
_FOR_ME = re.compile(r"\b(me|i|my)\b")


def asks_plainly_for_a_cro(tracker: Tracker) -> bool:
    text = " ".join(message_text(tracker).lower().replace("\u2019", "'").split())
    if _ABOUT_THEM.search(text) and not _FOR_ME.search(text):
        return False
    return text.startswith("/") or intent_confidence(tracker) >= CRO_SURE or bool(_ASKS_FOR_CRO.search(text))


class ActionCheckCro(Action):
    """Asked straight away for a Children's Rights Officer to get back to them: the questions start
    only where the council's documents name Children's Rights Officers. Elsewhere, say so honestly
    and give who can help instead (nothing would reach anyone)."""

    def name(self) -> str:
        return "action_check_cro"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        base = kb()
        council = council_for(tracker, base)
        if not asks_plainly_for_a_cro(tracker):
            # "can i bring someone with me?" taken for a call-back request: a question, answered as one
            # (questions that ask for a name and a way to call start only when that is what was asked)
            events = await ActionSearchKnowledge().run(dispatcher, tracker, domain)
            return events + [SlotSet(AVAILABLE, False)]
        if has_cros(base, council):
            # the number first, for someone who would rather call now; the questions for a call back follow
            dispatcher.utter_message(response="utter_cro_call_now", sooner=sooner(base, council))
            return [SlotSet(AVAILABLE, True)]
        childline = base.contact(council, "childline")
        dispatcher.utter_message(response="utter_cro_not_here", council_name=base.council(council).name,
                                 sooner=sooner(base, council), childline_phone=childline.phone if childline else "")
        return [SlotSet(AVAILABLE, False)]


class ActionCancelCroRequest(Action):
    """'stop' or 'changed my mind' during the questions: forget the answers."""

    def name(self) -> str:
        return "action_cancel_cro_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_cro_stopped", days=retention_days())
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + forget_answers()
