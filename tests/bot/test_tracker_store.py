"""The conversation store (bot/tracker_store.py): raises instead of exiting, private files,
secure delete, and erasing one conversation."""
from __future__ import annotations

import asyncio
import stat

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import SafeSQLTrackerStore


@pytest.fixture
def store(tmp_path):
    return SafeSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"))


def tracker(sender: str, text: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [SessionStarted(), ActionExecuted("action_listen"),
                                                     UserUttered(text)])


def test_the_file_is_private_and_secure_delete_is_on(store, tmp_path):
    path = tmp_path / "conversations.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_an_existing_file_is_made_private(tmp_path):
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    SafeSQLTrackerStore(domain=Domain.empty(), db=str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_delete_erases_one_conversation_and_leaves_no_trace(store, tmp_path):
    asyncio.run(store.save(tracker("keep-me", "hello there")))
    asyncio.run(store.save(tracker("erase-me", "Secret-Words-4411")))
    assert store.count("erase-me") > 0
    assert store.delete("erase-me") > 0
    assert store.count("erase-me") == 0 and store.count("keep-me") > 0
    assert asyncio.run(store.retrieve("erase-me")) is None
    store.engine.dispose()
    assert b"Secret-Words-4411" not in (tmp_path / "conversations.db").read_bytes()


def test_a_bad_value_raises_for_that_request_and_never_exits(store):
    # A lone surrogate cannot be encoded: Rasa's own store called sys.exit(1) here.
    with pytest.raises(Exception) as problem:
        asyncio.run(store.save(tracker("x\udc00", "hi")))
    assert not isinstance(problem.value, SystemExit)
    asyncio.run(store.save(tracker("fine", "hi")))  # and the store still works
    assert store.count("fine") > 0


def test_the_store_is_the_one_endpoints_yml_names():
    from knowledge import paths

    assert "bot.tracker_store.SafeSQLTrackerStore" in (paths.ROOT / "bot" / "endpoints.yml").read_text()


# --- a store failure fails the turn (raise_on_failure, bot/endpoints-scaled.yml) ------------------
def _wrapped(store):  # noqa: ANN001, ANN202
    """The store as Rasa's Agent holds it, through bot/rasa_server.py's patch."""
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import AwaitableTrackerStore

    from bot import rasa_server

    original = Agent._create_tracker_store
    try:
        rasa_server.install()
        return Agent._create_tracker_store(AwaitableTrackerStore(store), Domain.empty())
    finally:
        Agent._create_tracker_store = original


def _break(store) -> None:  # noqa: ANN001
    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("database is down")

    store.sessionmaker = broken


def test_with_raise_on_failure_a_store_failure_fails_the_turn_instead_of_falling_back_to_memory(tmp_path):
    from bot.tracker_store import TrackerStoreError

    store = SafeSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"),
                                raise_on_failure=True)
    wrapped = _wrapped(store)
    asyncio.run(wrapped.save(tracker("alice", "first")))
    _break(store)
    with pytest.raises(TrackerStoreError, match="RuntimeError"):
        asyncio.run(wrapped.retrieve("alice"))
    with pytest.raises(TrackerStoreError):
        asyncio.run(wrapped.save(tracker("alice", "second")))
    assert wrapped._fallback_tracker_store is None  # nothing kept in memory instead


def test_without_it_rasa_still_falls_back_as_before(tmp_path):
    store = SafeSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"))
    assert store.raise_on_failure is False  # make run's endpoints.yml: unchanged
    wrapped = _wrapped(store)
    _break(store)
    assert asyncio.run(wrapped.retrieve("alice")) is None  # Rasa's FailSafeTrackerStore, as before
