"""The conversation store reads only the recent turns of a long session (bot/tracker_store.py,
FAMILY_HELP_RECENT_TURNS): what Rasa's policies and the actions look at must be as with the whole session,
and saving must write each new event exactly once."""
from __future__ import annotations

import asyncio
import time
from typing import Any, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.tracker_store import STORED, SafeSQLTrackerStore, deserialise
from knowledge import paths
from triage.form import FORM, consented_transcript

DOMAIN = Domain.load(str(paths.ROOT / "domain"))


@pytest.fixture
def store(tmp_path):
    return SafeSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"), recent_turns=3)


def turn(text: str, intent: str = "early_help", speaker: Optional[str] = None,
         then: Optional[List[Event]] = None) -> List[Event]:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text,
             "safety": {"kind": None, "speaker": speaker or "unknown"}}
    return [UserUttered(text, parse["intent"], [], parse_data=parse), ActionExecuted("action_answer_topic"),
            BotUttered(f"about {text}"), *(then or []), ActionExecuted("action_listen")]


def converse(store: SafeSQLTrackerStore, sender: str, turns: List[List[Event]]) -> None:
    """Each turn as Rasa's processor does it: read the conversation, add the turn's events, save."""
    for events in turns:
        tracker = asyncio.run(store.retrieve(sender))
        if tracker is None:
            tracker = store.init_tracker(sender)
            for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]:
                tracker.update(event)
        for event in events:
            event.timestamp = time.time()  # made now, as Rasa makes them (Rasa reads a session by time)
            tracker.update(event)
        asyncio.run(store.save(tracker))


def whole(store: SafeSQLTrackerStore, sender: str) -> DialogueStateTracker:
    recent, store.recent_turns = store.recent_turns, 0
    try:
        return asyncio.run(store.retrieve(sender))
    finally:
        store.recent_turns = recent


def as_dicts(tracker: DialogueStateTracker) -> List[dict]:
    return tracker.current_state(EventVerbosity.ALL)["events"]


def speaker(tracker: DialogueStateTracker) -> Any:
    """Who actions/context.py hears speaking earlier in the session (the latest cue)."""
    from safety.kinds import speaker_for

    speakers: List[Any] = []
    for event in as_dicts(tracker):
        if event["event"] == "session_started":
            speakers = []
        elif event["event"] == "user":
            speakers.append(((event.get("parse_data") or {}).get("safety") or {}).get("speaker"))
    return speaker_for(None, speakers[:-1])


def same_for_rasa_and_the_actions(recent: DialogueStateTracker, full: DialogueStateTracker) -> None:
    assert recent.current_slot_values() == full.current_slot_values()
    assert recent.active_loop == full.active_loop
    assert recent.latest_message.text == full.latest_message.text
    assert recent.latest_action_name == full.latest_action_name
    # what the policies read: the states of the recent turns (MemoizationPolicy: the last 4; the rules: fewer)
    assert recent.past_states(DOMAIN)[-6:] == full.past_states(DOMAIN)[-6:]
    assert speaker(recent) == speaker(full)
    assert consented_transcript(as_dicts(recent)) == consented_transcript(as_dicts(full))


def test_a_long_session_is_read_as_its_recent_turns_with_the_slots_and_the_speaker_of_earlier_ones(store):
    turns = [turn("hello", "greet")]
    turns.append(turn("I'm 14 and in care", "looked_after", speaker="young_person",
                      then=[SlotSet("council", "hampshire"), SlotSet("topic", "looked_after")]))
    turns += [turn(f"question {n}", then=[SlotSet("topic", f"topic_{n % 4}")]) for n in range(30)]
    converse(store, "long", turns)
    recent, full = asyncio.run(store.retrieve("long")), whole(store, "long")
    assert len(recent.events) < 40 < len(full.events)
    assert recent.get_slot("council") == "hampshire" and speaker(recent) == "young_person"
    same_for_rasa_and_the_actions(recent, full)
    assert isinstance(recent.events[0], SessionStarted)  # bot/channel.py's repair looks for it


def test_a_short_session_is_read_whole_as_rasa_reads_it(store):
    converse(store, "short", [turn("hello", "greet"), turn("what is early help")])
    recent, full = asyncio.run(store.retrieve("short")), whole(store, "short")
    assert [e.as_dict() for e in recent.events] == [e.as_dict() for e in full.events]


def test_every_new_event_is_saved_exactly_once(store):
    converse(store, "saved", [turn(f"question {n}") for n in range(12)])
    before = store.count("saved")
    tracker = asyncio.run(store.retrieve("saved"))
    added = turn("one more")
    for event in added:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))  # Rasa saves twice a turn: nothing twice
    assert store.count("saved") == before + len(added)
    assert getattr(tracker, STORED) == len(tracker.events)
    texts = [e.text for e in whole(store, "saved").events if isinstance(e, UserUttered)]
    assert texts == [f"question {n}" for n in range(12)] + ["one more"]


def test_a_form_running_since_before_the_recent_turns_is_read_from_two_messages_before_it(store):
    turns = [turn(f"question {n}") for n in range(10)]
    turns.append(turn("I'd like a rights officer to call me", "request_cro_callback",
                      then=[ActiveLoop(FORM), SlotSet("requested_slot", "cro_name")]))
    turns += [turn(f"answer {n}", "cro_answer", then=[SlotSet("cro_name", f"name {n}")]) for n in range(8)]
    converse(store, "form", turns)
    recent, full = asyncio.run(store.retrieve("form")), whole(store, "form")
    assert recent.active_loop_name == FORM
    assert len(recent.events) < len(full.events)
    texts = [e.text for e in recent.events if isinstance(e, UserUttered)]
    assert texts[:2] == ["question 9", "I'd like a rights officer to call me"]  # what consented_transcript reads
    same_for_rasa_and_the_actions(recent, full)
    assert consented_transcript(as_dicts(recent))  # what a CRO request would pass on


def test_a_finished_form_and_a_new_session_start_leave_nothing_behind(store):
    turns = [turn("start", "request_cro_callback", then=[ActiveLoop(FORM)])]
    turns += [turn(f"answer {n}", "cro_answer") for n in range(3)]
    turns.append(turn("done", "cro_answer", then=[ActiveLoop(None), SlotSet("topic", "old")]))
    turns += [turn(f"question {n}") for n in range(8)]
    turns.append([ActionExecuted("action_session_start"), SessionStarted(), SlotSet("council", "bolton"),
                  ActionExecuted("action_listen")])
    turns += [turn(f"later {n}") for n in range(8)]
    converse(store, "sessions", turns)
    recent, full = asyncio.run(store.retrieve("sessions")), whole(store, "sessions")
    assert recent.active_loop is None or recent.active_loop_name is None
    assert recent.get_slot("topic") is None and recent.get_slot("council") == "bolton"  # this session only
    same_for_rasa_and_the_actions(recent, full)


def test_zero_recent_turns_reads_the_whole_session(store, monkeypatch):
    converse(store, "all", [turn(f"question {n}") for n in range(10)])
    store.recent_turns = 0
    assert len(asyncio.run(store.retrieve("all")).events) == len(whole(store, "all").events)
    monkeypatch.setenv("FAMILY_HELP_RECENT_TURNS", "0")
    assert SafeSQLTrackerStore(domain=DOMAIN, db=":memory:").recent_turns == 0
    monkeypatch.delenv("FAMILY_HELP_RECENT_TURNS")
    assert SafeSQLTrackerStore(domain=DOMAIN, db=":memory:").recent_turns == 5


def test_events_are_read_as_rasa_reads_them():
    events = [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"}), SlotSet("topic", "x"),
              ActiveLoop(FORM), BotUttered("hello", {"buttons": []})]
    dicts = [e.as_dict() for e in events]
    assert [e.as_dict() for e in deserialise(dicts)] == [e.as_dict() for e in
                                                         (Event.from_parameters(d) for d in dicts)]


def test_both_endpoints_files_use_the_store():
    for name in ("endpoints.yml", "endpoints-scaled.yml"):
        assert "bot.tracker_store.SafeSQLTrackerStore" in (paths.ROOT / "bot" / name).read_text()
