"""Reading what an action needs from the tracker: the council, entities and text."""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker

from knowledge.store import KnowledgeBase
from safety.kinds import UNKNOWN, speaker_for, speaker_group
from understanding.council_words import COUNCIL_ENTITY, meant


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    return [e.get("value") for e in (tracker.latest_message or {}).get("entities", [])
            if e.get("entity") == entity and e.get("value")]


def intent_name(tracker: Tracker) -> str:
    """The intent NLU (or the safety layer) gave the latest message, or ""."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def intent_confidence(tracker: Tracker) -> float:
    """How sure NLU was of the latest message's intent (0 when it gave none)."""
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def second_opinion(tracker: Tracker) -> tuple[str, float]:
    """The second opinion's (understanding.topic_model) best guess at the latest message and how sure
    it is, or ("", 0.0)."""
    best = ((tracker.latest_message or {}).get("topic_model") or [{}])[0]
    return best.get("name") or "", float(best.get("confidence") or 0.0)


def second_opinion_of(tracker: Tracker, name: str) -> float:
    """How likely the second opinion finds `name` for the latest message (0 when it is not among its guesses)."""
    return next((float(g.get("confidence") or 0.0) for g in (tracker.latest_message or {}).get("topic_model") or []
                 if g.get("name") == name), 0.0)


def message_text(tracker: Tracker) -> str:
    """The person's own words (before text-speak was written out: understanding.normaliser)."""
    latest = tracker.latest_message or {}
    return latest.get("raw_text") or latest.get("text") or ""


def understood_text(tracker: Tracker) -> str:
    """The message as the classifiers read it: text-speak written out ("hw long" -> "how long")."""
    return (tracker.latest_message or {}).get("text") or ""


def _metadata_council(tracker: Tracker) -> Optional[str]:
    meta: dict[str, Any] = (tracker.latest_message or {}).get("metadata") or {}
    if meta.get("council"):
        return str(meta["council"])
    session_meta = tracker.get_slot("session_started_metadata") or {}
    return session_meta.get("council") if isinstance(session_meta, dict) else None


def councils_named(tracker: Tracker, kb: KnowledgeBase) -> list[str]:
    """The councils the latest message names as meant, in order (not "rather than Bolton"), also where a
    council's name is part of a longer name the entity ruler took whole ("Hampshire children's social
    care" is a service, and names Hampshire)."""
    latest = tracker.latest_message or {}
    text = latest.get("text") or ""
    entities = []
    for e in latest.get("entities") or []:
        if e.get("entity") == COUNCIL_ENTITY:
            entities.append(e)
        elif isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
            inside = kb.resolve_council(text[e["start"]:e["end"]])
            if inside:
                entities.append({**e, "entity": COUNCIL_ENTITY, "value": inside})
    entities.sort(key=lambda e: e.get("start") if isinstance(e.get("start"), int) else 0)
    named = (kb.resolve_council(e.get("value")) for e in meant(text, entities))
    return [c for c in named if c]


def council_for(tracker: Tracker, kb: KnowledgeBase) -> str:
    """The council to answer for: named in this message, then named earlier in the
    conversation, then set by the web page (metadata), then the default (Coventry)."""
    named = councils_named(tracker, kb)
    if named:
        return named[0]
    for value in (tracker.get_slot("council"), _metadata_council(tracker)):
        council = kb.resolve_council(value)
        if council:
            return council
    return kb.default_council


def safety_judgement(tracker: Tracker) -> dict[str, Any]:
    """The safety layer's judgement of the latest message (safety.judge.Judgement as a dict), or {}."""
    value = (tracker.latest_message or {}).get("safety")
    return value if isinstance(value, dict) else {}


def earlier_speakers(tracker: Tracker) -> list[Optional[str]]:
    """Who the safety layer heard speaking in each earlier message of this session, oldest first."""
    speakers: list[Optional[str]] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            speakers = []
        elif event.get("event") == "user":
            speakers.append(((event.get("parse_data") or {}).get("safety") or {}).get("speaker"))
    return speakers[:-1]  # the last one is the latest message itself


def who_is_speaking(tracker: Tracker) -> str:
    """Who is speaking (safety.kinds.speaker_for): as heard in the latest message, else earlier in
    this session (which also wins over the model's guess for the latest), else the page's audience,
    else 'unknown'."""
    judgement = safety_judgement(tracker)
    return speaker_for(judgement.get("speaker"), earlier_speakers(tracker), audience(tracker),
                       guessed=bool(judgement.get("speaker_guessed")))


def young_person_speaking(tracker: Tracker) -> bool:
    """A child or young person (or their friend) is speaking, by their words, earlier in the chat or
    the page: they get Childline first."""
    speaker = who_is_speaking(tracker)
    return speaker != UNKNOWN and speaker_group(speaker) in ("young", "friend")


def audience(tracker: Tracker) -> Optional[str]:
    """Who the web page is for, if it says (the /app: 'young_person')."""
    meta: dict[str, Any] = (tracker.latest_message or {}).get("metadata") or {}
    session_meta = tracker.get_slot("session_started_metadata") or {}
    for source in (meta, session_meta if isinstance(session_meta, dict) else {}):
        if source.get("audience"):
            return str(source["audience"])
    return None
