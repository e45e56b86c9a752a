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
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any, Generator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, ensure_schema_exists

from triage.store import private_database

log = logging.getLogger(__name__)


class TrackerStoreError(RuntimeError):
    """The conversation store could not be used for this request."""


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


class SafeSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Any = None, dialect: str = "sqlite", db: str = "rasa.db",
                 raise_on_failure: Any = False, **kwargs: Any) -> None:
        self.raise_on_failure = str(raise_on_failure).strip().lower() in ("1", "true", "yes", "on")
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
