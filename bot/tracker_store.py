"""Rasa's SQL tracker store, made safe to run in public (``type: bot.tracker_store.SafeSQLTrackerStore``
in bot/endpoints.yml).

- A failure while reading or writing raises an error for that request. Rasa's own store treats any
  ValueError (for example a sender id with a lone surrogate) as "PostgreSQL schema not found" and
  ends the whole process.
- SQLite files are created readable by this user only (0600), and every connection turns on
  ``secure_delete``, so deleted conversations are overwritten, not left in free pages.
- ``delete(sender_id)`` erases one conversation (Delete this chat).
- On PostgreSQL (bot/endpoints-scaled.yml), a pooled connection is checked before it is used
  (``pool_pre_ping``), so after a database restart the next request reconnects instead of failing;
  the pool's size comes from Rasa's own SQL_POOL_SIZE and SQL_MAX_OVERFLOW.
- ``raise_on_failure: true`` (bot/endpoints-scaled.yml): Rasa wraps every tracker store in a
  ``FailSafeTrackerStore`` that, when the store fails, answers from an empty conversation and keeps it
  in that process's memory only: a reply out of context, never stored (measured: 60 of 765 turns lost
  while PostgreSQL restarted). With this option the failure reaches the chat channel instead, which
  answers with the numbers (safety/fallback.py), and nothing is kept anywhere but the store.
  ``fail_loudly`` (installed by bot/rasa_server.py) connects the two.
- Only the recent turns are read for each message (FAMILY_HELP_RECENT_TURNS, default 5; ``retrieve``).
  Rasa's own store reads, decodes and replays every event of the session on every message, its policies
  then walk all of them several times, and the whole lot is sent to the action server with each action
  call: measured (make scale-test --only long --long-control), turns 181-200 of a chat of ordinary questions
  took 5 times as long as turns 1-20 of a new chat at the same moment (252 against 49 ms on SQLite, 405
  against 80 ms on PostgreSQL); with this, 1.05-1.16 times.
  Here a long session is read as: its ``session_started`` event; the latest user message in which the
  safety layer heard who is speaking (actions/context.py reads who spoke earlier); each slot's value as it
  was before the recent turns (the council, the topic, the page's metadata; actions.actions.council_before
  reads these events); then every event from the start of the K-th latest turn, reaching further back to
  take in the whole of a form (or other loop) still running at that point and the two messages before it
  (what the CRO request passes on: triage/form.py). Whatever Rasa's policies look at (the last few turns,
  the slots, the active form) is then as with the whole session. While a form runs, each message still
  reads every turn since it started. ``save`` writes exactly the events
  added after those it read. ``retrieve_full_tracker`` (Rasa's HTTP API, GET .../tracker) still reads
  everything.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
from pathlib import Path
from typing import Any, Dict, Generator, Iterator, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, ensure_schema_exists
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

import settings
from safety.kinds import SPEAKERS
from triage.store import private_database

log = logging.getLogger(__name__)


# On a tracker this store returned: how many of its events are already stored (``save`` writes the rest).
STORED = "_family_help_stored"


class TrackerStoreError(RuntimeError):
    """The conversation store could not be used for this request."""


@functools.lru_cache(maxsize=1)
def _event_classes() -> Dict[str, Any]:
    """Rasa's event classes by type name, the first of each name as Event.resolve_by_type finds it (which
    walks every subclass of Event for every event it reads: most of the time of reading a conversation)."""
    classes: Dict[str, Any] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def deserialise(events: List[Dict[str, Any]]) -> List[Event]:
    """As rasa.shared.core.events.deserialise_events, each class found once."""
    classes, out = _event_classes(), []
    for data in events:
        cls = classes.get(data.get("event"))
        event = cls._from_parameters(data) if cls is not None else Event.from_parameters(data)
        if event is not None:
            out.append(event)
    return out


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


class SafeSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Any = None, dialect: str = "sqlite", db: str = "rasa.db",
                 raise_on_failure: Any = False, recent_turns: Optional[int] = None, **kwargs: Any) -> None:
        self.raise_on_failure = str(raise_on_failure).strip().lower() in ("1", "true", "yes", "on")
        self.recent_turns = int(settings.get("FAMILY_HELP_RECENT_TURNS") if recent_turns is None else recent_turns)
        sqlite = dialect == "sqlite"
        if sqlite and db and db != ":memory:":
            private_database(Path(db))
        super().__init__(domain=domain, dialect=dialect, db=db, **kwargs)
        if sqlite:
            sa.event.listen(self.engine, "connect", _secure_delete)
            self.engine.dispose()  # connections made before the listener are not reused
        else:
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def failed(self, error: Exception) -> None:
        """Rasa's FailSafeTrackerStore calls this when the store fails (fail_loudly): raise, so that the
        turn fails and gets the numbers, instead of going on from an empty conversation in memory."""
        log.error("conversation store failed (%s): this turn gets the numbers", type(error).__name__)
        raise TrackerStoreError(f"the conversation store failed ({type(error).__name__})") from None

    @contextlib.contextmanager
    def session_scope(self) -> Generator[Any, None, None]:
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as e:
                raise TrackerStoreError(f"PostgreSQL schema {e} not found") from None
            yield session
        finally:
            session.close()

    # --- reading only the recent turns ---------------------------------------------------------
    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's current session, as its recent turns and what the earlier ones left (the
        module's docstring); a short session (or FAMILY_HELP_RECENT_TURNS=0) whole, as Rasa reads it."""
        events = None
        if self.recent_turns > 0:
            with self.session_scope() as session:
                events = self.recent_events(session, sender_id)
        if events is None:
            tracker = await super().retrieve(sender_id)
        elif self.domain is None:
            return None
        else:
            tracker = DialogueStateTracker.from_events(sender_id, deserialise(events), self.domain.slots)
        if tracker is not None:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    def init_tracker(self, sender_id: str) -> DialogueStateTracker:
        tracker = super().init_tracker(sender_id)
        setattr(tracker, STORED, 0)  # a new conversation: every event it gets is to be written
        return tracker

    def recent_events(self, session: Any, sender_id: str) -> Optional[List[Dict[str, Any]]]:
        """The events (as dicts) that stand for the session when it is longer than the recent turns;
        None when it is not (then it is read whole)."""
        E = self.SQLEvent
        mine = session.query(E.id).filter(E.sender_id == sender_id)
        start = session.query(E.id, E.data).filter(E.sender_id == sender_id, E.type_name == "session_started"
                                                   ).order_by(E.id.desc()).first()
        after_start = (E.id > start.id) if start is not None else sa.true()

        def listen_before(before: Optional[int], back: int) -> Optional[int]:
            # the (back+1)-th latest 'action_listen' of this session before `before`: a turn starts after it
            query = mine.filter(after_start, E.type_name == "action", E.action_name == "action_listen")
            if before is not None:
                query = query.filter(E.id < before)
            return query.order_by(E.id.desc()).offset(back).limit(1).scalar()

        cut = listen_before(None, self.recent_turns)
        for _ in range(10):
            if cut is None:
                return None  # not longer than the recent turns: read it whole
            # A form (or other loop) running at the cut: read from two messages before it started.
            loop = mine.filter(after_start, E.type_name == "active_loop", E.id < cut).with_entities(
                E.id, E.action_name).order_by(E.id.desc()).first()
            if loop is None or loop.action_name is None:
                break
            cut = listen_before(loop.id, 1)
        else:
            return None
        before: List[Any] = [start, self._speaker_cue(session, sender_id, start, cut)]
        # slots emptied (restart, reset_slots) and the conversation paused, rare: the latest of each
        since, paused = (start.id if start is not None else None), None
        for row in mine.filter(after_start, E.id < cut, E.type_name.in_(("restart", "reset_slots", "pause", "resume"))
                               ).with_entities(E.id, E.type_name, E.data).order_by(E.id):
            if row.type_name in ("restart", "reset_slots"):
                since = row.id
            else:
                paused = row if row.type_name == "pause" else None
        before.append(paused)
        latest_slots = sa.select(sa.func.max(E.id)).where(
            E.sender_id == sender_id, E.type_name == "slot", E.id < cut,
            (E.id > since) if since is not None else sa.true()).group_by(E.action_name)
        before += session.query(E.id, E.data).filter(E.id.in_(latest_slots)).all()
        recent = session.query(E.data).filter(E.sender_id == sender_id, E.id >= cut).order_by(E.id).all()
        rows = sorted((row for row in before if row is not None), key=lambda row: row.id)
        return [json.loads(row.data) for row in itertools.chain(rows, recent)]

    def _speaker_cue(self, session: Any, sender_id: str, start: Any, cut: int) -> Any:
        """The latest user message before `cut` in which the safety layer heard who is speaking."""
        E = self.SQLEvent
        query = session.query(E.id, E.data).filter(
            E.sender_id == sender_id, E.type_name == "user", E.id < cut,
            (E.id > start.id) if start is not None else sa.true(),
            E.data.like('%"speaker": "%'), ~E.data.like('%"speaker": "unknown"%')).order_by(E.id.desc())
        for row in query.limit(20):
            safety = ((json.loads(row.data).get("parse_data") or {}).get("safety") or {})
            if isinstance(safety, dict) and safety.get("speaker") in SPEAKERS:
                return row
        return None

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events to write: those after the ones this store read (or Rasa's count, for a tracker made
        elsewhere)."""
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if getattr(tracker, STORED, None) is not None:
            setattr(tracker, STORED, len(tracker.events))

    def delete(self, sender_id: str) -> int:
        """Erase every event of one conversation. Returns how many events were deleted."""
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete(
                synchronize_session=False)
            session.commit()
        return int(deleted or 0)

    def count(self, sender_id: Optional[str] = None) -> int:
        """Events stored (for one conversation, or all): for checks and tests."""
        with self.session_scope() as session:
            query = session.query(self.SQLEvent)
            if sender_id is not None:
                query = query.filter(self.SQLEvent.sender_id == sender_id)
            return int(query.count())


def fail_loudly(wrapper: Any) -> Any:
    """Rasa's FailSafeTrackerStore `wrapper` raises (SafeSQLTrackerStore.failed) instead of falling back
    to memory, when the store inside it asks for that (`raise_on_failure`)."""
    inner = getattr(wrapper, "_tracker_store", None)
    inner = getattr(inner, "_tracker_store", inner)  # inside Rasa's AwaitableTrackerStore
    if isinstance(inner, SafeSQLTrackerStore) and inner.raise_on_failure:
        wrapper._on_tracker_store_error = inner.failed
    return wrapper
